"""A one-line progress status on stderr, for runs that take more than a second on a terminal.

Nothing is written when stderr is not a terminal (CI logs, pipes, pre-commit's captured output).
"""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    def __init__(self, stream: TextIO | None = None, enabled: bool | None = None, after: float = 1.0) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self.after = after
        self.started = time.monotonic()
        self.last = 0.0
        self.width = 0

    def update(self, phase: str, done: int, total: int | None = None) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        elapsed = now - self.started
        if elapsed < self.after or now - self.last < 0.1:
            return
        self.last = now
        count = f"{done}/{total}" if total is not None else str(done)
        text = f"flowlint: {phase} {count} ({elapsed:.1f} s)"
        self.stream.write("\r" + text.ljust(self.width))
        self.stream.flush()
        self.width = len(text)

    def close(self) -> None:
        if self.width:
            self.stream.write("\r" + " " * self.width + "\r")
            self.stream.flush()
            self.width = 0
