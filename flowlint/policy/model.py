"""Typed, frozen policy objects: what the loader produces and every later stage reads.

A `Policy` is the merge of one or more TOML files (shipped packs and the user's own). Each entry
remembers where it was defined (`EntryRef`) so that errors and reports can point at it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Union

Lawful = Union[bool, Literal["unknown"]]
# An argument selector: a position (0-based) or a keyword name.
ArgKey = Union[int, str]
# Where a propagator reads from / writes to: "args" (every argument), "receiver", "return",
# or an explicit tuple of argument positions / keyword names.
Endpoint = Union[Literal["args", "receiver", "return"], tuple[ArgKey, ...]]

SEVERITIES: tuple[str, ...] = ("error", "warning", "note")


@dataclass(frozen=True)
class EntryRef:
    """Where an entry was defined: `core.toml: [[sinks]] #3 (line 40)`."""

    file: str  # display path of the policy file, or `<inline>` for source annotations
    table: str  # "sinks", "origins", ... ; "policy" for the header
    index: int  # 1-based position among the entries of that table in that file
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.file}: [[{self.table}]] #{self.index}"
        return f"{where} (line {self.line})" if self.line else where


@dataclass(frozen=True)
class Origin:
    id: str
    provider: str
    collection: str
    lawful: Lawful
    categories: tuple[str, ...]
    purposes: tuple[str, ...] = ()
    evidence: tuple[str, ...] = ()
    ref: EntryRef | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Source:
    origin: str
    calls: tuple[str, ...] = ()
    reads: tuple[str, ...] = ()
    params: tuple[str, ...] = ()  # "module.function:param"
    taints: Literal["return", "arguments", "receiver"] = "return"
    categories: tuple[str, ...] | None = None  # None: the origin's categories
    # URL globs: the response of an HTTP client call whose URL matches is a source (see
    # `flowlint.analysis.endpoints`); `taints` concerns `calls` only
    urls: tuple[str, ...] = ()
    # globs of the `User-Agent` a request sets: the `urls` apply only to requests that send one
    # (`Mozilla/*`: an HTTP client presenting itself as a browser fetches pages, whatever the URL)
    user_agents: tuple[str, ...] = ()
    # globs of the CSS selector or XPath by which a `calls` source locates page elements (its last
    # positional argument, when its text is known): elements a matching selector finds are the
    # page's controls (`//button`), not data about anyone, and such a call is not this source
    except_selectors: tuple[str, ...] = ()
    # `[sources.fields]`: (dotted field path, its categories) pairs; `[]` = not personal data;
    # a last segment `*` is every other field at that level (default: `categories`)
    fields: tuple[tuple[str, tuple[str, ...]], ...] = ()
    ref: EntryRef | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Sink:
    kind: str
    calls: tuple[str, ...] = ()
    # None: every argument and the receiver of `calls`; for `urls`, the URL and the body-like
    # arguments (`data`, `json`, `params`, `files`)
    args: tuple[ArgKey, ...] | None = None
    purpose: str | None = None
    urls: tuple[str, ...] = ()  # URL globs: an HTTP request to a matching URL is this sink
    # names of attributes/items of API objects a value is stored into (`openpyxl.*cell().value`,
    # `sqlalchemy.*.get().*`, `h5py.File()[]`): the stored value is what the sink collects
    stores: tuple[str, ...] = ()
    ref: EntryRef | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Propagator:
    calls: tuple[str, ...]
    from_: Endpoint = "args"
    to: Endpoint = "return"
    ref: EntryRef | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Transform:
    calls: tuple[str, ...]
    adds: tuple[str, ...] = ()
    ref: EntryRef | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Sanitizer:
    calls: tuple[str, ...]
    clears: Literal["all"] | tuple[str, ...] = "all"
    marks: tuple[str, ...] = ()
    ref: EntryRef | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Guard:
    calls: tuple[str, ...]
    when: Literal["true", "false", "returns"] = "true"
    applies: Literal["arguments", "branch"] = "arguments"
    clears: Literal["all"] | tuple[str, ...] = ()
    marks: tuple[str, ...] = ()
    ref: EntryRef | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Condition:
    """A rule's `when` / `unless` table: every key given must hold (values are globs or values).

    `None` means the key was not given (no constraint); an empty tuple never matches.
    """

    lawful: tuple[Lawful, ...] | None = None
    sink_kind: tuple[str, ...] | None = None
    categories: tuple[str, ...] | None = None
    collection: tuple[str, ...] | None = None
    origin: tuple[str, ...] | None = None
    marks: tuple[str, ...] | None = None
    # true: the sink declares a purpose that is not among the origin's purposes
    purpose_incompatible: tuple[bool, ...] | None = None


@dataclass(frozen=True)
class Rule:
    id: str
    name: str
    severity: Literal["error", "warning", "note"]
    message: str
    cite: tuple[str, ...] = ()
    rationale: str = ""
    # `[rules.examples]`: a small program this rule flags, and a look-alike it does not
    # (shown by `flowlint explain`, run as tests)
    flagged_example: str = ""
    clean_example: str = ""
    when: Condition = Condition()
    unless: Condition | None = None
    ref: EntryRef | None = field(default=None, compare=False)
    # every entry that defines this rule, in load order: one rule may be defined (identically)
    # in several files, each adding its citations and rationale (see `load.merge_rules`)
    defined_at: tuple[EntryRef, ...] = field(default=(), compare=False)


@dataclass(frozen=True)
class PolicyFile:
    """One loaded file: its display path, `[policy] name` and content hash."""

    path: str
    name: str
    sha256: str


@dataclass(frozen=True)
class Vocabulary:
    """The closed vocabularies policy values are checked against (see `flowlint.policy.vocabulary`):
    what the shipped base vocabulary and every loaded `[vocabulary]` table declare, in that order.
    A category also declares its parents (`user.biometric.face`: `user.biometric`, `user`)."""

    sink_kinds: tuple[str, ...] = ()
    collection: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    marks: tuple[str, ...] = ()
    purposes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Policy:
    files: tuple[PolicyFile, ...] = ()
    origins: tuple[Origin, ...] = ()
    sources: tuple[Source, ...] = ()
    sinks: tuple[Sink, ...] = ()
    propagators: tuple[Propagator, ...] = ()
    transforms: tuple[Transform, ...] = ()
    sanitizers: tuple[Sanitizer, ...] = ()
    guards: tuple[Guard, ...] = ()
    rules: tuple[Rule, ...] = ()
    vocabulary: Vocabulary = Vocabulary()

    def origin(self, origin_id: str) -> Origin:
        for origin in self.origins:
            if origin.id == origin_id:
                return origin
        raise KeyError(origin_id)
