"""What a run produces: diagnostics about files and findings with their witness traces.

These frozen records are the only thing reporters see (reporters never re-analyse).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field


_SURROGATE = re.compile("[\ud800-\udfff]")


def to_json(document: object) -> str:
    """The JSON text of a document: UTF-8 as is, but a lone surrogate (a file name's undecodable
    byte) as a `\\udcXX` escape, so the output is valid UTF-8 and the name round-trips."""
    text = json.dumps(document, indent=2, ensure_ascii=False)
    return _SURROGATE.sub(lambda match: f"\\u{ord(match.group()):04x}", text) + "\n"


def digest(*parts: str) -> str:
    """A short stable hash of text parts (file names may hold undecodable bytes as surrogates)."""
    return hashlib.sha256("\x1f".join(parts).encode("utf-8", "surrogatepass")).hexdigest()[:32]


@dataclass(frozen=True, order=True)
class Location:
    """A span in a project file; `path` is relative to the project root with `/`; 1-based."""

    path: str
    line: int
    column: int
    end_line: int | None = None
    end_column: int | None = None

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"


@dataclass(frozen=True, order=True)
class Diagnostic:
    """A problem with an input file (not a finding): syntax error, undecodable, too large, ..."""

    path: str
    line: int
    column: int
    code: str  # FL9xx
    message: str

    @property
    def severity(self) -> str:
        """A note for a policy pattern that matches nothing; a warning for input not analysed."""
        return "note" if self.code in NOTE_DIAGNOSTICS else "warning"


NOTE_DIAGNOSTICS = frozenset({"FL907"})


@dataclass(frozen=True)
class TraceStep:
    location: Location
    kind: str  # "source" | "step" | "call" | "return" | "sink"
    note: str


@dataclass(frozen=True)
class Endpoint:
    symbol: str
    location: Location
    kind: str | None = None  # sink kind for sinks


@dataclass(frozen=True)
class OriginFacts:
    id: str
    provider: str
    lawful: bool | str
    collection: str


@dataclass(frozen=True)
class Finding:
    rule_id: str
    rule_name: str
    severity: str
    message: str
    fingerprint: str
    citations: tuple[str, ...]
    origin: OriginFacts
    categories: tuple[str, ...]
    marks: tuple[str, ...]
    source: Endpoint
    sink: Endpoint
    trace: tuple[TraceStep, ...]
    sink_purpose: str | None = field(default=None, compare=False)
    # first and last line of the statement containing the sink (where a suppression may sit)
    sink_statement: tuple[int, int] = field(default=(0, 0), compare=False)

    @property
    def sort_key(self) -> tuple:
        return (self.sink.location, self.rule_id, self.source.location, self.source.symbol)
