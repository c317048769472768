"""Library functions that call a callable they are handed: executors, threads, process pools.

`pool.submit(f, x)`, `loop.run_in_executor(None, f, x)`, `threading.Thread(target=f, args=(x,))`
and `pool.map(f, xs)` call `f` with arguments the library passes on; the engine makes that call
(`Calls.hand_off`) so data reaches `f`'s parameters, and `f`'s result comes back where the
library returns it. The callable may be anything callable: a project function, a lambda, a bound
method, a `functools.partial`, or a library function with a policy model of its own.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class Handoff:
    """How one library function hands its arguments to the callable it is given.

    `callable`: the callable's position, or its keyword. `style`:
      "rest"     the arguments after the callable, as they are (`submit(f, *a, **kw)`);
      "map"      one element of each iterable after the callable (`map(f, xs, ys)`);
      "starmap"  each element of the iterable unpacked (`starmap(f, [(a, b)])`);
      "packed"   a tuple at `args` and a dict at `kwargs` (positions or keywords);
      "awaited"  the argument is a coroutine or future already called: its value passes through.
    `returns`: "result" (the callable's result), "results" (a list of them), "object" (a handle
    that yields nothing the callable returned, such as a `Thread`).
    """

    callable: int | str
    style: str
    returns: str
    args: tuple[int | str, ...] = ()
    kwargs: tuple[int | str, ...] = ()


_SUBMIT = Handoff(0, "rest", "result")
_POOL_MAP = Handoff(0, "map", "results")
_THREAD = Handoff("target", "packed", "object", args=("args",), kwargs=("kwargs",))
_PASS = Handoff(0, "awaited", "result")

# API names (globs; `*` crosses dots) and what they do with the callable
HANDOFFS: tuple[tuple[str, Handoff], ...] = (
    ("*.run_in_executor", Handoff(1, "rest", "result")),
    ("asyncio.to_thread", _SUBMIT),
    ("*Executor().submit", _SUBMIT),
    ("*Executor().map", _POOL_MAP),
    ("*Pool().map", _POOL_MAP),
    ("*Pool().map_async", _POOL_MAP),
    ("*Pool().imap", _POOL_MAP),
    ("*Pool().imap_unordered", _POOL_MAP),
    ("*Pool().starmap", Handoff(0, "starmap", "results")),
    ("*Pool().starmap_async", Handoff(0, "starmap", "results")),
    ("*Pool().apply", Handoff(0, "packed", "result", args=(1, "args"), kwargs=(2, "kwds"))),
    ("*Pool().apply_async", Handoff(0, "packed", "result", args=(1, "args"), kwargs=(2, "kwds"))),
    ("threading.Thread", _THREAD),
    ("multiprocessing.Process", _THREAD),
    ("threading.Timer", Handoff(1, "packed", "object", args=(2, "args"), kwargs=(3, "kwargs"))),
    ("asyncio.create_task", _PASS),
    ("asyncio.ensure_future", _PASS),
    ("asyncio.wait_for", _PASS),
    ("asyncio.shield", _PASS),
    ("*.create_task", _PASS),
    ("*.run_until_complete", _PASS),
    ("asyncio.run", _PASS),
    ("contextlib.closing", _PASS),  # a context manager that enters as its argument
    ("contextlib.nullcontext", _PASS),
)

_PATTERN = re.compile("|".join(f"(?P<h{i}>{fnmatch.translate(p)})" for i, (p, _) in enumerate(HANDOFFS)))


@lru_cache(maxsize=4096)
def handoff(name: str) -> Handoff | None:
    """The hand-off an API name makes, if any (the first matching entry)."""
    match = _PATTERN.match(name)
    if match is None:
        return None
    return HANDOFFS[int(match.lastgroup[1:])][1]  # type: ignore[index]
