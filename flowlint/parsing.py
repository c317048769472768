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
from concurrent.futures import ProcessPoolExecutor
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


@dataclass
class Parsed:
    modules: list[ir.Module] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    cache_hits: int = 0
    parsed: int = 0


def _parse_job(job: tuple[bytes, str, str, bool]) -> Entry:
    return parse_source(*job)


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


def _too_deep(job: tuple[bytes, str, str, bool]) -> Diagnostic:
    return Diagnostic(job[2], 1, 1, NOT_ANALYSED, "file not analysed: nested too deeply")


def _result(future, job: tuple[bytes, str, str, bool]) -> Entry:
    try:
        return future.result()
    except RecursionError:  # the IR was too deep to send back from the worker
        return _too_deep(job)


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
            with ProcessPoolExecutor(max_workers=min(jobs, len(work)), initializer=_worker_setup) as pool:
                futures = [pool.submit(_parse_job, w) for w in work]
                parsed = []
                for future, job in zip(futures, work):
                    parsed.append(_result(future, job))
                    _tick(progress, len(parsed), len(work))
        else:
            parsed = []
            for job in work:
                parsed.append(_parse_job(job))
                _tick(progress, len(parsed), len(work))
    finally:
        sys.setrecursionlimit(limit)
    for (file, _, key), entry in zip(pending, parsed):
        entries[file.relpath] = entry
        if cache is not None:
            cache.put(key, entry)
    result.parsed = len(pending)
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
