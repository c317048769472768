"""Bounds that keep one odd file from making a whole run slow: its size and its analysis time."""

from __future__ import annotations

from dataclasses import dataclass

# Semgrep skips targets over 1 MB by default; libcst needs about 0.8 GB and 8 s per MB of source
DEFAULT_MAX_FILE_SIZE = 1_000_000
DEFAULT_FILE_TIME_LIMIT = 20.0


@dataclass(frozen=True)
class Limits:
    """``max_file_size``: files larger than this many bytes are skipped (0: no limit).
    ``file_time_limit``: seconds the analysis may spend in one file's functions before that file's
    remaining work is dropped with a diagnostic (0: no limit). Time limits depend on the machine,
    so a run that hits one is not reproducible; the step budget (deterministic) usually ends first.
    """

    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    file_time_limit: float = DEFAULT_FILE_TIME_LIMIT


def describe_size(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB" if size >= 100_000 else f"{size:,} bytes"
