"""The progress line: only on a terminal, only after its delay, and erased at the end."""

from __future__ import annotations

import io

from flowlint.progress import Progress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_on_a_terminal_is_drawn_then_erased():
    stream = Terminal()
    progress = Progress(stream, after=0.0)
    progress.update("parsing", 3, 10)
    assert "flowlint: parsing 3/10" in stream.getvalue()
    progress.close()
    assert stream.getvalue().endswith("\r")


def test_no_progress_when_not_a_terminal_or_before_the_delay():
    piped = io.StringIO()
    Progress(piped, after=0.0).update("parsing", 1, 2)
    assert piped.getvalue() == ""
    early = Terminal()
    Progress(early, after=60.0).update("parsing", 1, 2)
    assert early.getvalue() == ""
