"""The parse stage: every project file to module IR, from the cache or the parser, in parallel.

Cache misses are parsed in worker processes (largest files first, so the long ones do not
finish last) when there is enough work to repay starting them; the result is the same for any
number of jobs. A file that cannot be read or parsed becomes a diagnostic.
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
import pickle
import re
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field

from flowlint import ir
from flowlint.cache import Entry, IRCache, entry_key
from flowlint.discover import FILE_PROBLEM, SourceFile
from flowlint.frontend import NOT_ANALYSED, RECURSION_LIMIT, parse_source
from flowlint.limits import describe_size
from flowlint.progress import Progress
from flowlint.results import Diagnostic

# below this much source to parse, worker processes cost more than they save
PARALLEL_MIN_BYTES = 400_000
# libcst's native parser recurses with the depth of an expression and overflows the C stack
# (killing its process) somewhere past a few thousand levels: `a[0][0]...`, `f(f(...))`, long
# operator chains. Such an expression needs a long logical line or deep brackets, so a file with
# one is parsed in a process of its own even when the rest are parsed in this one.
RISKY_SPAN = 8_000  # bytes of one line, or of one bracketed expression
RISKY_DEPTH = 100  # brackets (CPython itself allows 200)
_BRACKETS = re.compile(rb"[()\[\]{}]")
_LONG_LINE = re.compile(rb"[^\n]{%d}" % RISKY_SPAN)


@dataclass
class Parsed:
    modules: list[ir.Module] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    cache_hits: int = 0


Job = tuple[bytes, str, str, bool]  # source, module, relpath, is_package


def _parse_job(job: Job) -> Entry:
    return parse_source(*job)


def _pickled_parse_job(job: Job) -> bytes:
    """In a worker: the entry already pickled, so the parent writes it to the cache as it is
    (pickling Django's IR costs 2 s) and only unpickles it."""
    try:
        return pickle.dumps(parse_source(*job), protocol=pickle.HIGHEST_PROTOCOL)
    except RecursionError:  # the IR was too deep to pickle
        return pickle.dumps(_too_deep(job), protocol=pickle.HIGHEST_PROTOCOL)


def _worker_setup() -> None:
    # deeply nested IR is pickled back to the parent: recursion must reach as deep as parsing
    sys.setrecursionlimit(max(sys.getrecursionlimit(), RECURSION_LIMIT))
    gc.disable()  # see collector_paused


@contextmanager
def collector_paused() -> Iterator[None]:
    """Syntax trees and IR hold no reference cycles, yet the cyclic garbage collector would
    scan the millions of objects parsing or unpickling makes again and again: on Django it
    costs 4 of the 4.5 s that loading the cached IR takes, and a third of parsing a large file."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _risky(source: bytes) -> bool:
    """Whether a file may hold an expression deep enough to crash the parser (see RISKY_SPAN)."""
    if _LONG_LINE.search(source):
        return True
    depth, opened = 0, 0
    for match in _BRACKETS.finditer(source):
        if match.group() in b"([{":
            if depth == 0:
                opened = match.start()
            depth += 1
            if depth > RISKY_DEPTH:
                return True
        elif depth:
            depth -= 1
            if depth == 0 and match.start() - opened > RISKY_SPAN:
                return True
    return False


def _too_deep(job: Job) -> Diagnostic:
    return Diagnostic(job[2], 1, 1, NOT_ANALYSED, "file not analysed: nested too deeply")


def _crashed(job: Job) -> bytes:
    return pickle.dumps(Diagnostic(job[2], 1, 1, NOT_ANALYSED, "file not analysed: the parser crashed on it"))


def _parse_in_workers(work: Sequence[Job], jobs: int, progress: Progress | None) -> Iterator[tuple[int, bytes]]:
    """Every job in worker processes, as (index of the job, pickled entry), each as soon as it
    is done (the caller unpickles one while the workers parse the next). A worker that dies (the
    native parser can crash on pathological input) breaks its pool: the jobs that may have been
    running then are parsed again one process each, to find the culprit, and the others in a
    fresh pool."""
    todo = list(range(len(work)))
    done = 0
    while todo:
        broken: list[int] = []
        with ProcessPoolExecutor(max_workers=min(jobs, len(todo)), initializer=_worker_setup) as pool:
            futures = [pool.submit(_pickled_parse_job, work[i]) for i in todo]
            for index, future in zip(todo, futures):
                try:
                    blob = future.result()
                except BrokenProcessPool:
                    broken.append(index)
                    continue
                done += 1
                _tick(progress, done, len(work))
                yield index, blob
        suspects, todo = broken[: jobs + 1], broken[jobs + 1:]  # the pool runs at most jobs + 1 ahead
        for index in suspects:
            with ProcessPoolExecutor(max_workers=1, initializer=_worker_setup) as alone:
                try:
                    blob = alone.submit(_pickled_parse_job, work[index]).result()
                except BrokenProcessPool:
                    blob = _crashed(work[index])
            done += 1
            _tick(progress, done, len(work))
            yield index, blob


def _tick(progress: Progress | None, done: int, total: int) -> None:
    if progress is not None:
        progress.update("parsing", done, total)


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


@dataclass(frozen=True)
class Input:
    """One project file as read: its bytes and cache key, or why it is not analysed."""

    file: SourceFile
    source: bytes = b""
    key: str = ""
    problem: Diagnostic | None = None


def read_inputs(files: Sequence[SourceFile], max_size: int = 0) -> list[Input]:
    return [_read(file, max_size) for file in files]


def _read(file: SourceFile, max_size: int) -> Input:
    try:
        with open(file.path, "rb") as stream:
            size = os.fstat(stream.fileno()).st_size
            if max_size and size > max_size:
                return Input(file, problem=Diagnostic(
                    file.relpath, 1, 1, FILE_PROBLEM, f"file skipped: {describe_size(size)} is larger than "
                    f"max-file-size ({describe_size(max_size)}); raise max-file-size to analyse it"))
            source = stream.read()
    except OSError as err:
        return Input(file, problem=Diagnostic(file.relpath, 1, 1, NOT_ANALYSED,
                                              f"file not analysed: cannot read: {err.strerror or err}"))
    return Input(file, source, entry_key(source, file.relpath, file.module, file.is_package))


def parse_files(inputs: Sequence[Input], jobs: int = 0, cache: IRCache | None = None,
                progress: Progress | None = None) -> Parsed:
    with collector_paused():
        return _parse_files(inputs, jobs, cache, progress)


def _parse_files(inputs: Sequence[Input], jobs: int, cache: IRCache | None, progress: Progress | None) -> Parsed:
    result = Parsed()
    entries: dict[str, Entry] = {}
    pending: list[tuple[SourceFile, bytes, str]] = []
    for item in inputs:
        file = item.file
        if item.problem is not None:
            entries[file.relpath] = item.problem
            continue
        cached = cache.get(item.key) if cache is not None else None
        if cached is not None:
            entries[file.relpath] = cached
            result.cache_hits += 1
        else:
            pending.append((file, item.source, item.key))
    pending.sort(key=lambda item: -len(item[1]))
    jobs = jobs or default_jobs()
    work = [(source, file.module, file.relpath, file.is_package) for file, source, _ in pending]
    limit = sys.getrecursionlimit()
    _worker_setup()
    try:
        if jobs > 1 and len(work) > 1 and sum(len(w[0]) for w in work) >= PARALLEL_MIN_BYTES:
            for index, blob in _parse_in_workers(work, jobs, progress):
                file, _, key = pending[index]
                entries[file.relpath] = pickle.loads(blob)
                if cache is not None:
                    cache.put_pickled(key, blob)
        else:
            for number, ((file, _, key), job) in enumerate(zip(pending, work), start=1):
                if _risky(job[0]):
                    [(_, blob)] = _parse_in_workers([job], 1, None)
                    entry = pickle.loads(blob)
                else:
                    entry = _parse_job(job)
                entries[file.relpath] = entry
                if cache is not None:
                    cache.put(key, entry)
                _tick(progress, number, len(work))
    finally:
        sys.setrecursionlimit(limit)
    if cache is not None:
        cache.prune()
    seen: set[str] = set()
    for file in sorted((item.file for item in inputs), key=lambda f: (f.relpath.endswith(".pyi"), f.relpath)):
        entry = entries.get(file.relpath)
        if isinstance(entry, Diagnostic):
            result.diagnostics.append(entry)
        elif entry is not None and entry.name not in seen:  # a stub beside its module: the module wins
            seen.add(entry.name)
            result.modules.append(entry)
    return result
