"""The parse stage: every project file to module IR, from the cache or the parser, in parallel.

Cache misses are parsed in worker processes (largest files first, so the long ones do not
finish last) when there is enough work to repay starting them; the result is the same for any
number of jobs. A file that cannot be read or parsed becomes a diagnostic.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

from flowlint import ir
from flowlint.cache import Entry, IRCache, entry_key
from flowlint.discover import SourceFile
from flowlint.frontend import NOT_ANALYSED, RECURSION_LIMIT, parse_source
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


def parse_files(files: Sequence[SourceFile], jobs: int = 0, cache: IRCache | None = None,
                progress: Progress | None = None) -> Parsed:
    result = Parsed()
    entries: dict[str, Entry] = {}
    pending: list[tuple[SourceFile, bytes, str]] = []
    for file in files:
        try:
            source = file.path.read_bytes()
        except OSError as err:
            entries[file.relpath] = Diagnostic(file.relpath, 1, 1, NOT_ANALYSED,
                                               f"file not analysed: cannot read: {err.strerror or err}")
            continue
        key = entry_key(source, file.relpath, file.module, file.is_package)
        cached = cache.get(key) if cache is not None else None
        if cached is not None:
            entries[file.relpath] = cached
            result.cache_hits += 1
        else:
            pending.append((file, source, key))
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
    for file in sorted(files, key=lambda f: (f.relpath.endswith(".pyi"), f.relpath)):
        entry = entries.get(file.relpath)
        if isinstance(entry, Diagnostic):
            result.diagnostics.append(entry)
        elif entry is not None and entry.name not in seen:  # a stub beside its module: the module wins
            seen.add(entry.name)
            result.modules.append(entry)
    return result
