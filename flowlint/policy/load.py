"""Load policy files (TOML), validate every entry and merge them into one `Policy`.

`load_policy(refs, base_dir)` accepts shipped pack names (`core`), policy files and folders of
policy files. It reports every mistake it finds in every file at once, as a `PolicyError` with
one line per mistake, in the form

    {file}: {entry}: {key}: {problem}
    policy.toml: [[sinks]] #3 (line 12): cals: unknown key; did you mean 'calls'?

where `{entry}` is `[[table]] #N` or `[policy]` followed by the line of the key (or of the
entry's header when the key is missing), and `{key}` is the dotted key inside the entry
(`when.lawful[0]`); the key is left out when the problem concerns the whole entry. Problems
with a whole file read `{file}: {problem}`; syntax errors read
`{file}: line L, column C: invalid TOML: {decoder message}`.

Ids are unique across the loaded files, with one exception: a rule may be defined in several
files (each jurisdiction pack defines the rules its law supports, with its own citations). Such
definitions merge when their name, severity, message, when and unless are identical (citations
are joined in load order, rationales with a blank line, examples come from the first definition
that has them); otherwise the later one is reported at the first key that differs. The same id
twice in one file is a duplicate. Shipped rules have ids `FL` + three digits; a project's own
rules any `[A-Z][A-Z0-9_-]*` id that does not start with `FL` (`ACME-001`): a project file may
redefine (merge with) a shipped `FL` rule, but an `FL` id no pack defines is reserved.

Values come from closed vocabularies (`flowlint.policy.vocabulary`): the shipped base vocabulary
(`vocabulary.toml` beside the packs, loaded with every selection but not listed among the files)
and the `[vocabulary]` tables of every loaded file, read before any entry is checked, so a file
may use what another declares. Sink kinds, collection methods, categories, marks and purposes
that are declared nowhere are errors with a did-you-mean.

File paths in errors are shown relative to the working directory when the file is below it, else
absolute (a shipped pack too: the installed file a user can open). In the loaded `Policy` (lists,
reports, `EntryRef`s) a shipped pack is named `<pack NAME>`, unless it is read from a source
checkout (not from below `sys.prefix`) below the working directory: then by its path,
`policies/core.toml`.
"""

from __future__ import annotations

import difflib
import hashlib
import os
import re
import string
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import TypeGuard

try:
    import tomllib
except ModuleNotFoundError:  # Python < 3.11
    import tomli as tomllib  # type: ignore[no-redef,import-not-found,unused-ignore]

from flowlint.errors import PolicyError
from flowlint.policy import names, vocabulary
from flowlint.policy.model import (
    SEVERITIES,
    Condition,
    EntryRef,
    Guard,
    Origin,
    Policy,
    PolicyFile,
    Propagator,
    Rule,
    Sanitizer,
    Sink,
    Source,
    Transform,
    Vocabulary,
)
from flowlint.policy.packs import (
    is_shipped,
    pack_names,
    pack_path,
    shipped_rule_ids,
    unknown_pack_message,
    vocabulary_path,
)

MESSAGE_PLACEHOLDERS: tuple[str, ...] = (
    "provider", "collection", "origin", "sink_kind", "categories",
    "source", "sink", "lawful", "marks", "purpose",
)
_SHIPPED_RULE_ID = re.compile(r"FL[0-9]{3}")
_RULE_ID = re.compile(r"[A-Z][A-Z0-9_-]*")
_RESERVED_PREFIX = "FL"
_RULE_NAME = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_ORIGIN_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
_DECODER_POSITION = re.compile(r"^(?P<message>.*) \(at (?:line (?P<line>\d+), column (?P<column>\d+)|end of document)\)$")
_ARG_NOUN = "a list of argument positions and keyword names"

KeyPath = tuple[str | int, ...]


def load_policy(refs: Sequence[str | Path], base_dir: Path) -> Policy:
    """Load, validate and merge the policies `refs` name (every shipped pack when empty)."""
    session = _Session()
    base = _Located(vocabulary_path(), display_path(vocabulary_path()), "<vocabulary>", shipped=True, listed=False)
    located = _unique([base, *_locate_all(refs, base_dir, session.errors)])
    parsed = [item for one in located if (item := _parse_file(one, session)) is not None]
    declared: dict[str, list[str]] = {}
    for item in parsed:
        _load_vocabulary(item.file, item.document, declared)
    session.vocabulary = vocabulary.build(declared)
    for item in parsed:
        name = _load_document(item.file, item.document)
        if item.located.listed:
            session.files.append(PolicyFile(path=item.located.label, name=name, sha256=item.sha256))
    session.check_origin_references()
    if session.errors:
        # file by file, in load order (the files are read in passes); problems naming no file first
        order = {item.display: position for position, item in enumerate(located)}
        raise PolicyError(sorted(session.errors, key=lambda message: order.get(message.split(": ", 1)[0], -1)))
    return session.policy()


def display_path(path: Path) -> str:
    """`path` relative to the working directory when it is below it, else absolute."""
    absolute = Path(os.path.abspath(path))
    try:
        return absolute.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return str(absolute)


# --- locating files ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Located:
    path: Path
    display: str  # in errors: the path a user can open
    label: str  # in the loaded policy: `<pack NAME>` for an installed pack, else `display`
    shipped: bool = False  # a shipped pack (or the base vocabulary): rule ids are `FL` + three digits
    listed: bool = True  # among `Policy.files` (the base vocabulary is not)


def _locate_all(refs: Sequence[str | Path], base_dir: Path, errors: list[str]) -> list[_Located]:
    if not refs:
        return [_pack(name) for name in pack_names()]
    return [located for ref in refs for located in _locate(ref, base_dir, errors)]


def _locate(ref: str | Path, base_dir: Path, errors: list[str]) -> list[_Located]:
    if ref == "":
        errors.append("'': empty policy pack name or path")
        return []
    if isinstance(ref, str) and _looks_like_pack(ref):
        if ref in pack_names():
            return [_pack(ref)]
        if not (base_dir / ref).exists():
            errors.append(unknown_pack_message(ref))
            return []
    path = base_dir / ref
    if not path.is_dir():
        return [_file(path)]
    found = sorted((child for child in path.glob("*.toml") if child.is_file()), key=lambda child: child.name)
    if not found:
        errors.append(f"{display_path(path)}: no policy files (*.toml) in this folder")
    return [_file(child) for child in found]


def _file(path: Path) -> _Located:
    """A file named by its path (which may be a shipped pack's)."""
    shown = display_path(path)
    return _Located(path, shown, shown, shipped=is_shipped(path))


def _looks_like_pack(ref: str) -> bool:
    """A bare name (`core`): no path separator and no `.toml` suffix (a pack wins over a path)."""
    return "/" not in ref and os.sep not in ref and not ref.endswith(".toml")


def _pack(name: str) -> _Located:
    """A shipped pack: named by its path in a checkout below the working directory, else `<pack NAME>`
    (errors always give its path)."""
    path = pack_path(name)
    shown = display_path(path)
    installed = Path(os.path.abspath(path)).is_relative_to(Path(os.path.abspath(sys.prefix)))
    return _Located(path, shown, f"<pack {name}>" if installed or Path(shown).is_absolute() else shown, shipped=True)


def _unique(located: list[_Located]) -> list[_Located]:
    """The same file named twice (by pack name and by path, say) is loaded once."""
    seen: set[str] = set()
    unique: list[_Located] = []
    for item in located:
        key = os.path.abspath(item.path)
        if key not in seen:
            seen.add(key)
            unique.append(item)
    return unique


# --- reading and parsing -----------------------------------------------------------------------


@dataclass(frozen=True)
class _Parsed:
    located: _Located
    file: _File
    document: dict[str, object]
    sha256: str


def _parse_file(located: _Located, session: _Session) -> _Parsed | None:
    data = _read_bytes(located, session.errors)
    if data is None:
        return None
    text = _decode(located.display, data, session.errors)
    if text is None:
        return None
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        session.errors.append(_syntax_message(located.display, text, err))
        return None
    file = _File(located.display, located.label, located.shipped, _LineIndex(text), session)
    if located.shipped:
        session.shipped_files.add(located.display)
    return _Parsed(located, file, document, hashlib.sha256(data).hexdigest())


def _read_bytes(located: _Located, errors: list[str]) -> bytes | None:
    try:
        return located.path.read_bytes()
    except FileNotFoundError:
        errors.append(f"{located.display}: no such file or folder")
    except (OSError, ValueError) as err:  # ValueError: a NUL character in the path
        errors.append(f"{located.display}: cannot read: {getattr(err, 'strerror', None) or err}")
    return None


def _decode(display: str, data: bytes, errors: list[str]) -> str | None:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        column = err.start - (data.rfind(b"\n", 0, err.start) + 1) + 1
        errors.append(f"{display}: line {line}, column {column}: invalid TOML: "
                      f"not UTF-8 text (byte 0x{data[err.start]:02x})")
        return None


def _syntax_message(display: str, text: str, err: Exception) -> str:
    match = _DECODER_POSITION.match(str(err))
    if match is None:
        return f"{display}: invalid TOML: {err}"
    if match["line"]:
        line, column = int(match["line"]), int(match["column"])
    else:  # at the end of the document
        line, column = text.count("\n") + 1, len(text.rsplit("\n", 1)[-1]) + 1
    return f"{display}: line {line}, column {column}: invalid TOML: {match['message']}"


# --- where things are: line numbers ------------------------------------------------------------

_KEY_PART = r"""(?:[A-Za-z0-9_-]+|"[^"\n]*"|'[^'\n]*')"""
_DOTTED = rf"{_KEY_PART}(?:\s*\.\s*{_KEY_PART})*"
_ARRAY_HEADER = re.compile(rf"\s*\[\[\s*({_DOTTED})\s*\]\]\s*(?:#.*)?")
_TABLE_HEADER = re.compile(rf"\s*\[\s*({_DOTTED})\s*\]\s*(?:#.*)?")
_KEY_LINE = re.compile(rf"\s*({_DOTTED})\s*=")
_MULTILINE_QUOTE = re.compile(r'"""|\'\'\'')


@dataclass(frozen=True)
class _Line:
    number: int
    kind: str  # "array" ([[header]]), "table" ([header]) or "key" (key = ...)
    path: tuple[str, ...]


class _LineIndex:
    """Headers and key lines of a TOML text (tomllib reports no positions), outside multi-line strings."""

    def __init__(self, text: str) -> None:
        self.items = _scan_lines(text)

    def entry_start(self, table: str, occurrence: int | None) -> int | None:
        """Position in `items` of the `occurrence`-th `[[table]]` header, or of `[table]` when None."""
        seen = 0
        for position, item in enumerate(self.items):
            if item.path == (table,) and item.kind == ("table" if occurrence is None else "array"):
                seen += 1
                if occurrence is None or seen == occurrence:
                    return position
        return None

    def key_line(self, start: int, table: str, key: tuple[str, ...]) -> int | None:
        """Line of `key` inside the entry whose header is at `start`; else of its nearest parent.

        The entry runs to the next `[[table]]` header; its sub-tables (`[table.when]`) may come
        after other tables' sections, which are skipped.
        """
        section: tuple[str, ...] | None = ()
        best, best_length = None, 0
        for item in self.items[start + 1:]:
            if item.kind != "key":
                if item.path == (table,) and item.kind == "array":
                    break
                section = item.path[1:] if item.path[0] == table else None
            if section is None:
                continue
            candidate = section + item.path if item.kind == "key" else section
            if candidate == key:
                return item.number
            if key[: len(candidate)] == candidate and len(candidate) > best_length:
                best, best_length = item.number, len(candidate)
        return best

    def top_line(self, name: str) -> int | None:
        """Line where the top-level table or key `name` first appears."""
        in_root = True
        for item in self.items:
            in_root = in_root and item.kind == "key"
            if item.path[0] == name and (in_root or item.kind != "key"):
                return item.number
        return None

    def line_at(self, position: int) -> int:
        return self.items[position].number


def _scan_lines(text: str) -> list[_Line]:
    items: list[_Line] = []
    in_string = False
    for number, line in enumerate(text.splitlines(), start=1):
        starts_in_string = in_string
        in_string = _ends_in_string(line, in_string)
        item = None if starts_in_string else _classify(number, line)
        if item is not None:
            items.append(item)
    return items


def _classify(number: int, line: str) -> _Line | None:
    for kind, pattern in (("array", _ARRAY_HEADER), ("table", _TABLE_HEADER), ("key", _KEY_LINE)):
        match = pattern.match(line) if kind == "key" else pattern.fullmatch(line)
        if match:
            return _Line(number, kind, _split_dotted(match[1]))
    return None


def _split_dotted(text: str) -> tuple[str, ...]:
    return tuple(part.strip().strip("\"'") for part in re.findall(rf"\s*({_KEY_PART})\s*", text))


def _ends_in_string(line: str, in_string: bool) -> bool:
    """Whether a multi-line string is still open at the end of `line` (a simple toggle on quotes)."""
    return (len(_MULTILINE_QUOTE.findall(line)) % 2 == 1) != in_string


# --- one file ----------------------------------------------------------------------------------


@dataclass
class _Session:
    """Everything gathered across the files of one `load_policy` call."""

    errors: list[str] = field(default_factory=list)
    files: list[PolicyFile] = field(default_factory=list)
    entries: dict[str, list[object]] = field(default_factory=dict)
    origin_ids: dict[str, EntryRef] = field(default_factory=dict)
    rule_ids: dict[str, EntryRef] = field(default_factory=dict)
    rule_names: dict[str, EntryRef] = field(default_factory=dict)
    # every definition of each rule id (as errors name them), to tell a merge from a duplicate
    rule_definitions: dict[str, list[EntryRef]] = field(default_factory=dict)
    # position in `entries["rules"]` of each rule id: a compatible copy in another file merges there
    rule_positions: dict[str, int] = field(default_factory=dict)
    origin_references: list[tuple[_Place, KeyPath, str]] = field(default_factory=list)
    vocabulary: Vocabulary = Vocabulary()
    shipped_files: set[str] = field(default_factory=set)  # display paths of the shipped files loaded

    def check_origin_references(self) -> None:
        known = list(self.origin_ids)
        for place, key, origin in self.origin_references:
            if origin not in self.origin_ids:
                what = f"unknown origin {origin!r}"
                if not known:
                    place.error(key, f"{what}; no [[origins]] are loaded")
                else:
                    listed = "`flowlint policy list` lists the loaded origins" if len(known) > vocabulary.LISTED else ""
                    place.error(key, _unknown(what, origin, known, listed))

    def policy(self) -> Policy:
        tables = {name: tuple(self.entries.get(name, ())) for name in _TABLES}
        return Policy(files=tuple(self.files), vocabulary=self.vocabulary, **tables)  # type: ignore[arg-type]


@dataclass(frozen=True)
class _File:
    display: str  # in errors
    label: str  # in the loaded policy's `EntryRef`s
    shipped: bool
    lines: _LineIndex
    session: _Session


@dataclass(frozen=True)
class _Place:
    """An entry (or top-level table) of a file, to which errors are attached."""

    file: _File
    label: str  # "[[sinks]] #3", "[policy]", "[[sinkz]]"
    table: str
    start: int | None  # position of the entry's header in the file's line index
    line: int | None  # line of the entry's header

    def error(self, key: KeyPath, problem: str) -> None:
        line = self._line_of(key)
        where = f"{self.label} (line {line})" if line else self.label
        parts = (self.file.display, where, _key_text(key), problem)
        self.file.session.errors.append(": ".join(part for part in parts if part))

    def ref(self, index: int) -> EntryRef:
        """Where the entry is, for the loaded policy."""
        return EntryRef(self.file.label, self.table, index, self.line)

    def error_ref(self, index: int) -> EntryRef:
        """Where the entry is, for error messages."""
        return EntryRef(self.file.display, self.table, index, self.line)

    def _line_of(self, key: KeyPath) -> int | None:
        names_only = tuple(part for part in key if isinstance(part, str))
        if self.start is None or not names_only:
            return self.line
        return self.file.lines.key_line(self.start, self.table, names_only) or self.line


def _key_text(key: KeyPath) -> str:
    text = ""
    for part in key:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def _load_document(file: _File, document: Mapping[str, object]) -> str:
    """Validate one parsed file, add its entries to the session; returns `[policy] name`."""
    if "policy" not in document:
        file.session.errors.append(f"{file.display}: [policy]: missing required table")
    name = ""
    for table, value in document.items():
        if table == "policy":
            name = _load_policy_table(file, value)
        elif table == "vocabulary":
            continue  # read before every file's entries, by `_load_vocabulary`
        elif table in _TABLES:
            _load_table(file, table, value)
        else:
            label = _top_label(table, value)
            what = "unknown top-level key" if label == table else "unknown table"
            _Place(file, label, table, None, file.lines.top_line(table)).error((), _unknown(what, table, _TOP_LEVEL))
    return name


def _top_label(name: str, value: object) -> str:
    if isinstance(value, dict):
        return f"[{name}]"
    if isinstance(value, list) and value and all(isinstance(item, dict) for item in value):
        return f"[[{name}]]"
    return name


def _top_place(file: _File, table: str, value: object) -> _Place:
    """A top-level table (`[policy]`, `[vocabulary]`), to attach errors to."""
    start = file.lines.entry_start(table, None)
    line = file.lines.line_at(start) if start is not None else file.lines.top_line(table)
    return _Place(file, _top_label(table, value), table, start, line)


def _load_policy_table(file: _File, value: object) -> str:
    place = _top_place(file, "policy", value)
    if not isinstance(value, dict):
        place.error((), _expected("a table [policy]", value))
        return ""
    values = _fields(place, (), value, _POLICY_KEYS)
    policy_name = values.get("name")
    return policy_name if isinstance(policy_name, str) else ""


def _load_vocabulary(file: _File, document: Mapping[str, object], declared: dict[str, list[str]]) -> None:
    """Add the values of the file's `[vocabulary]` table (when it has one) to `declared`."""
    if "vocabulary" not in document:
        return
    value = document["vocabulary"]
    place = _top_place(file, "vocabulary", value)
    if not isinstance(value, dict):
        place.error((), _expected("a table [vocabulary]", value))
        return
    for key, values in _fields(place, (), value, _VOCABULARY_KEYS).items():
        if isinstance(values, tuple):
            declared.setdefault(key, []).extend(item for item in values if isinstance(item, str))


def _load_table(file: _File, table: str, value: object) -> None:
    if not isinstance(value, list):
        place = _Place(file, _top_label(table, value), table, None, file.lines.top_line(table))
        place.error((), _expected(f"an array of tables [[{table}]]", value))
        return
    for index, raw in enumerate(value, start=1):
        start = file.lines.entry_start(table, index)
        line = file.lines.line_at(start) if start is not None else file.lines.top_line(table)
        place = _Place(file, f"[[{table}]] #{index}", table, start, line)
        entry = _load_entry(place, index, raw, _TABLES[table])
        if isinstance(entry, Rule):
            _add_rule(file.session, entry)
        elif entry is not None:
            file.session.entries.setdefault(table, []).append(entry)


def _add_rule(session: _Session, rule: Rule) -> None:
    """Append a rule, or merge it into the definition of the same id from an earlier file."""
    rules = session.entries.setdefault("rules", [])
    position = session.rule_positions.get(rule.id)
    if position is None:
        session.rule_positions[rule.id] = len(rules)
        rules.append(replace(rule, defined_at=(rule.ref,) if rule.ref else ()))
    else:
        rules[position] = merge_rules(rules[position], rule)  # type: ignore[arg-type]


def merge_rules(first: Rule, other: Rule) -> Rule:
    """One rule defined in several files (a jurisdiction pack each): the definition of `first`,
    the citations of both (in load order, without repeats), both rationales (a blank line
    between them) and each example from the first definition that has one."""
    rationale, added = first.rationale.strip(), other.rationale.strip()
    if added and added not in rationale:  # a rationale repeated word for word is kept once
        rationale = f"{rationale}\n\n{added}" if rationale else added
    return replace(
        first,
        cite=tuple(dict.fromkeys(first.cite + other.cite)),
        rationale=rationale,
        flagged_example=first.flagged_example or other.flagged_example,
        clean_example=first.clean_example or other.clean_example,
        defined_at=first.defined_at + ((other.ref,) if other.ref else ()),
    )


def _load_entry(place: _Place, index: int, raw: object, table: _Table) -> object | None:
    """The entry's dataclass, or None when it has mistakes (which are recorded)."""
    if not isinstance(raw, dict):
        place.error((), _expected("a table", raw))
        return None
    errors = place.file.session.errors
    before = len(errors)
    values = _fields(place, (), raw, table.keys)
    if table.check is not None:
        table.check(place, index, values, len(errors) == before)
    if len(errors) > before:
        return None
    return table.build(**values, ref=place.ref(index))


def _fields(place: _Place, prefix: KeyPath, raw: Mapping[str, object], keys: Mapping[str, _Key]) -> dict[str, object]:
    """Convert the keys of one table: unknown keys, missing required keys, each value's checks."""
    values: dict[str, object] = {}
    for name, value in raw.items():
        spec = keys.get(name)
        if spec is None:
            place.error((*prefix, name), _unknown("unknown key", name, list(keys)))
        else:
            values[spec.attr or name] = spec.convert(place, (*prefix, name), value)
    for name, spec in keys.items():
        if spec.required and name not in raw:
            place.error((*prefix, name), "missing required key")
    return values


# --- message helpers ---------------------------------------------------------------------------


def _unknown(what: str, got: str, choices: Sequence[str], listed: str = "") -> str:
    """`{what}; did you mean 'x'?` when a choice is close, else `{what}; expected one of ...`
    (or, when `listed` says where the many choices are listed, `{what}; none is close ({listed})`)."""
    close = difflib.get_close_matches(got, list(choices), n=1)
    if close:
        return f"{what}; did you mean {close[0]!r}?"
    if listed:
        return f"{what}; none is close ({listed})"
    return f"{what}; expected one of {', '.join(repr(choice) for choice in choices)}"


def _show(value: object) -> str:
    """A value as written in TOML-ish form for messages: true, 3, 'text'."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value) if isinstance(value, str) else str(value)


def _type_name(value: object) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a float"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array of tables" if value and all(isinstance(item, dict) for item in value) else "a list"
    if isinstance(value, dict):
        return "a table"
    return "a date/time"


def _expected(what: str, value: object) -> str:
    return f"expected {what}, got {_type_name(value)}"


# --- value converters: (place, key, raw value) -> converted value; mistakes go to place ---------

Converter = Callable[[_Place, KeyPath, object], object]


def _string(place: _Place, key: KeyPath, value: object) -> object:
    if not isinstance(value, str):
        place.error(key, _expected("a string", value))
    elif not value.strip():
        place.error(key, "must not be empty")
    return value


def _is_text(value: object) -> TypeGuard[str]:
    """A string with something in it."""
    return isinstance(value, str) and bool(value.strip())


def _checked(check: Callable[[_Place, str], str | None]) -> Converter:
    """A non-empty string that `check` accepts in its place (it returns the problem or None)."""

    def convert(place: _Place, key: KeyPath, value: object) -> object:
        problem = check(place, value) if _is_text(value) else None
        if problem:
            place.error(key, problem)
        else:
            _string(place, key, value)
        return value

    return convert


def _checked_string(check: Callable[[str], str | None]) -> Converter:
    """A non-empty string that `check` accepts (it returns the problem or None)."""
    return _checked(lambda place, value: check(value))


def _declared(key: str, glob: bool = False, syntax: Callable[[str], str | None] | None = None,
              what: str = "") -> Converter:
    """A value of the `key` vocabulary, or (`glob`) a glob that matches one, once `syntax` accepts
    its form (a problem with which reads `invalid {what} 'value': {problem}`)."""
    in_vocabulary = vocabulary.pattern_problem if glob else vocabulary.value_problem

    def check(place: _Place, value: str) -> str | None:
        problem = syntax(value) if syntax is not None else None
        if problem:
            return f"invalid {what} {value!r}: {problem}"
        return in_vocabulary(place.file.session.vocabulary, key, value)

    return _checked(check)


def _list_of(item: Converter, noun: str, non_empty: bool = False) -> Converter:
    """A list whose items `item` converts; becomes a tuple."""

    def convert(place: _Place, key: KeyPath, value: object) -> object:
        if not isinstance(value, list):
            place.error(key, _expected(f"a list of {noun}", value))
            return value
        if non_empty and not value:
            place.error(key, "must not be empty")
        return tuple(item(place, (*key, index), element) for index, element in enumerate(value))

    return convert


def _choice(choices: Sequence[str]) -> Converter:
    def convert(place: _Place, key: KeyPath, value: object) -> object:
        if isinstance(value, (list, dict)):
            place.error(key, _expected("a string", value))
        elif not (isinstance(value, str) and value in choices):
            got = value if isinstance(value, str) else _show(value)
            place.error(key, _unknown(f"invalid value {_show(value)}", got, choices))
        return value

    return convert


def _pattern(validate: Callable[[str], str | None], what: str) -> Converter:
    def check(value: str) -> str | None:
        problem = validate(value)
        return f"invalid {what} {value!r}: {problem}" if problem else None

    return _checked_string(check)


def _format_check(regex: re.Pattern[str], what: str, hint: str) -> Converter:
    return _checked_string(lambda value: None if regex.fullmatch(value) else f"invalid {what} {value!r}; {hint}")


def _lawful(place: _Place, key: KeyPath, value: object) -> object:
    if isinstance(value, bool) or value == "unknown":
        return value
    if isinstance(value, (list, dict)):
        place.error(key, _expected("true, false or 'unknown'", value))
        return value
    hint = f"; did you mean {value} (a boolean, without quotes)?" if value in ("true", "false") else ""
    place.error(key, f"invalid value {_show(value)}; expected true, false or 'unknown'{hint}")
    return value


def _boolean(place: _Place, key: KeyPath, value: object) -> object:
    if not isinstance(value, bool):
        place.error(key, _expected("a boolean (true or false)", value))
    return value


_URL_SCHEME = re.compile(r"[A-Za-z*?][A-Za-z0-9+.\-*?]*")
_URL_HOST = re.compile(r"[A-Za-z0-9\-._~%!$&'()+,;=:@\[\]*?]+")


def validate_url_pattern(pattern: str) -> str | None:
    """Problem with a `urls` pattern such as `https://api.vk.com/method/users.*`, or None.

    A pattern is `*` (any URL, resolved or not) or a glob on the full URL with a scheme and a
    host: `*` stands for any text (it crosses `/` and `.`), `?` for one character, everything
    else (`[` included: IPv6 hosts, query strings) for itself.
    """
    if any(char.isspace() for char in pattern):
        return "contains whitespace"
    if any(ord(char) < 32 or ord(char) == 127 for char in pattern):
        return "contains a control character"
    if pattern == "*":
        return None
    scheme, separator, rest = pattern.partition("://")
    if not separator:
        written = re.match(r"[A-Za-z][A-Za-z0-9+.\-]*:", pattern)
        if written:
            return f"expected '://' after the scheme {written.group()[:-1]!r}"
        return f"no scheme; write the whole URL, like {'https://' + pattern.lstrip('/:')!r}"
    if not _URL_SCHEME.fullmatch(scheme):
        return f"invalid scheme {scheme!r}; expected a scheme such as 'https' (globs allowed)"
    host = re.split(r"[/?#]", rest, maxsplit=1)[0]
    if not host:
        return "no host after '://'; use '*' for any host"
    if not _URL_HOST.fullmatch(host):
        bad = next(char for char in host if not _URL_HOST.fullmatch(char))
        return f"unexpected character {bad!r} in host {host!r}"
    return None


def _rule_id(place: _Place, value: str) -> str | None:
    """Shipped rules: `FL` and three digits. A project's own: `[A-Z][A-Z0-9_-]*` not starting with
    `FL` (those are reserved), or the id of a shipped rule it redefines."""
    if place.file.shipped:
        return None if _SHIPPED_RULE_ID.fullmatch(value) else (
            f"invalid rule id {value!r}; a shipped rule's id is 'FL' and three digits, like 'FL101'")
    if not _RULE_ID.fullmatch(value):
        hint = f"did you mean {value.upper()!r}?" if _RULE_ID.fullmatch(value.upper()) else (
            "expected a capital letter, then capital letters, digits, '-' and '_', like 'ACME-001'")
        return f"invalid rule id {value!r}; {hint}"
    if value.startswith(_RESERVED_PREFIX) and value not in shipped_rule_ids():
        number = re.sub(r"\D", "", value) or "001"
        return (f"invalid rule id {value!r}: ids starting with 'FL' are reserved for flowlint's shipped rules; "
                f"give a rule of your own an id with your own prefix, like 'ACME-{number}'")
    return None


def _origin_reference(place: _Place, key: KeyPath, value: object) -> object:
    """An origin id, checked against every loaded origin once all files are read."""
    if not _is_text(value):
        _string(place, key, value)
    elif not names.has_glob(value):
        place.file.session.origin_references.append((place, key, value))
    return value


def _arg_key(place: _Place, key: KeyPath, value: object) -> object:
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        place.error(key, _expected("an argument position (integer >= 0) or keyword name (string)", value))
    elif isinstance(value, int) and value < 0:
        place.error(key, f"invalid argument position {value}; positions start at 0")
    elif isinstance(value, str) and not value.isidentifier():
        place.error(key, f"invalid keyword name {value!r}; expected a Python identifier")
    return value


_arg_keys = _list_of(_arg_key, "argument positions and keyword names", non_empty=True)


def _endpoint(words: Sequence[str]) -> Converter:
    """A propagator end: one of `words`, or a list of argument positions and keyword names."""

    def convert(place: _Place, key: KeyPath, value: object) -> object:
        if isinstance(value, list):
            return _arg_keys(place, key, value)
        if isinstance(value, str) and value not in words:
            close = difflib.get_close_matches(value, list(words), n=1)
            hint = f"did you mean {close[0]!r}?" if close else f"expected {_or_list(words)} or {_ARG_NOUN}"
            place.error(key, f"invalid value {value!r}; {hint}")
        elif not isinstance(value, str):
            place.error(key, _expected(f"{_or_list(words)} or {_ARG_NOUN}", value))
        return value

    return convert


def _or_list(words: Sequence[str]) -> str:
    return ", ".join(repr(word) for word in words)


def _clears(place: _Place, key: KeyPath, value: object) -> object:
    if value == "all":
        return value
    if isinstance(value, str):
        place.error(key, f"invalid value {value!r}; expected 'all' or a list of category patterns")
        return value
    return _category_patterns(place, key, value)


def _message(value: str) -> str | None:
    try:
        fields = [name for _, name, _, _ in string.Formatter().parse(value) if name is not None]
    except ValueError as err:
        return f"invalid message template: {err}"
    for name in fields:
        if name not in MESSAGE_PLACEHOLDERS:
            return _unknown(f"unknown placeholder {{{name}}}", name, MESSAGE_PLACEHOLDERS)
    try:
        value.format(**{name: "" for name in MESSAGE_PLACEHOLDERS})
    except (ValueError, KeyError, IndexError, AttributeError) as err:
        return f"invalid message template: {err}"
    return None


_strings = _list_of(_string, "strings")
_urls = _list_of(_pattern(validate_url_pattern, "URL pattern"), "URL patterns")
_calls = _list_of(_pattern(names.validate_call_pattern, "name"), "names", non_empty=True)
_call_patterns = _list_of(_pattern(names.validate_call_pattern, "name"), "names")
_param_patterns = _list_of(_pattern(names.validate_param_pattern, "parameter pattern"), "parameter patterns")
_categories = _list_of(_declared("categories", syntax=names.validate_category, what="category"), "categories")
_category_patterns = _list_of(_declared("categories", glob=True, syntax=names.validate_category_pattern,
                                        what="category pattern"), "category patterns")
_marks = _list_of(_declared("marks", syntax=names.validate_category, what="mark"), "marks")
_mark_patterns = _list_of(_declared("marks", glob=True, syntax=names.validate_category_pattern, what="mark pattern"),
                          "mark patterns")
_sink_kind = _declared("sink_kinds")
_sink_kind_patterns = _list_of(_declared("sink_kinds", glob=True), "sink kinds")
_collection = _declared("collection")
_collection_patterns = _list_of(_declared("collection", glob=True), "collection methods")
_purpose = _declared("purposes")
_purposes = _list_of(_purpose, "purposes")


@dataclass(frozen=True)
class _Key:
    convert: Converter
    required: bool = False
    attr: str | None = None  # the dataclass field, when it differs from the TOML key


def _examples(place: _Place, key: KeyPath, value: object) -> object:
    """`[rules.examples]`: `flagged` and `clean` programs, as the Rule fields they fill."""
    if not isinstance(value, dict):
        place.error(key, _expected("a table", value))
        return {}
    return _fields(place, key, value, _EXAMPLE_KEYS)


_EXAMPLE_KEYS: dict[str, _Key] = {
    "flagged": _Key(_string, attr="flagged_example"),
    "clean": _Key(_string, attr="clean_example"),
}


def _build_rule(examples: object = None, **values: object) -> Rule:
    if isinstance(examples, dict):
        values.update(examples)
    return Rule(**values)  # type: ignore[arg-type]


def _source_fields(place: _Place, key: KeyPath, value: object) -> object:
    """`[sources.fields]`: the categories of each field of what a source yields, as (dotted path,
    categories) pairs. A field of a field is written `"photo.url"` or as a TOML dotted key or
    sub-table; `*` as the last segment is every other field at that level."""
    if not isinstance(value, dict):
        place.error(key, _expected("a table of fields", value))
        return value
    if not value:
        place.error(key, "must name at least one field")
    found: dict[str, tuple[str, ...]] = {}
    _field_entries(place, key, (), value, found)
    return tuple(found.items())


def _field_entries(place: _Place, key: KeyPath, prefix: tuple[str, ...], table: Mapping[str, object],
                   found: dict[str, tuple[str, ...]]) -> None:
    for name, item in table.items():
        path, where = (*prefix, *name.split(".")), (*key, name)
        problem = _field_problem(path, nested=isinstance(item, dict))
        if problem:
            place.error(where, f"invalid field {'.'.join(path)!r}: {problem}")
        elif isinstance(item, dict):
            _field_entries(place, where, path, item, found)
        elif isinstance(item, list):
            categories = _categories(place, where, item)
            dotted = ".".join(path)
            if dotted in found:
                place.error(where, f"duplicate field {dotted!r}")
            found[dotted] = categories  # type: ignore[assignment]
        else:
            hint = f'; did you mean ["{item}"]?' if _is_text(item) else ""
            place.error(where, _expected("a list of categories (or a table of fields)", item) + hint)


def _field_problem(path: tuple[str, ...], nested: bool) -> str | None:
    for position, segment in enumerate(path):
        if not segment:
            return "empty segment"
        if any(char.isspace() or ord(char) < 32 for char in segment):
            return "contains whitespace"
        if segment == "*":
            if position < len(path) - 1 or nested:
                return "'*' (every other field) must be the last segment"
        elif names.has_glob(segment):
            return "globs are not allowed in field names; '*' alone is every other field"
    return None


def _condition(place: _Place, key: KeyPath, value: object) -> object:
    if not isinstance(value, dict):
        place.error(key, _expected("a table", value))
        return value
    return Condition(**_fields(place, key, value, _CONDITION_KEYS))  # type: ignore[arg-type]


_CONDITION_KEYS: dict[str, _Key] = {
    "lawful": _Key(_list_of(_lawful, "lawful values (true, false, 'unknown')")),
    "sink_kind": _Key(_sink_kind_patterns),
    "categories": _Key(_category_patterns),
    "collection": _Key(_collection_patterns),
    "origin": _Key(_list_of(_origin_reference, "origin ids")),
    "marks": _Key(_mark_patterns),
    "purpose_incompatible": _Key(_list_of(_boolean, "booleans")),
}
_POLICY_KEYS: dict[str, _Key] = {
    "name": _Key(_string, required=True),
    "description": _Key(_string),
}
_VOCABULARY_KEYS: dict[str, _Key] = {
    "sink_kinds": _Key(_list_of(_pattern(names.validate_category, "sink kind"), "sink kinds")),
    "collection": _Key(_list_of(_pattern(names.validate_term, "collection method"), "collection methods")),
    "categories": _Key(_list_of(_pattern(names.validate_category, "category"), "categories")),
    "marks": _Key(_list_of(_pattern(names.validate_category, "mark"), "marks")),
    "purposes": _Key(_list_of(_pattern(names.validate_term, "purpose"), "purposes")),
}


# --- the tables --------------------------------------------------------------------------------

# (place, index, converted values, whether the entry's values had no mistakes) -> None
EntryCheck = Callable[[_Place, int, dict[str, object], bool], None]


@dataclass(frozen=True)
class _Table:
    build: Callable[..., object]
    keys: dict[str, _Key]
    check: EntryCheck | None = None


def _unique_key(key: str, what: str, registry: Callable[[_Session], dict[str, EntryRef]]) -> EntryCheck:
    """A check that the entry's `key` (an id or a name) is not already defined in a loaded file."""

    def check(place: _Place, index: int, values: dict[str, object], clean: bool = True) -> None:
        value = values.get(key)
        if not isinstance(value, str):
            return
        defined = registry(place.file.session)
        if value in defined:
            place.error((key,), f"duplicate {what} {value!r}; first defined at {defined[value]}")
        else:
            defined[value] = place.error_ref(index)

    return check


def _check_source(place: _Place, index: int, values: dict[str, object], clean: bool) -> None:
    if not any(values.get(key) for key in ("calls", "reads", "params", "urls")):
        place.error((), "needs at least one of 'calls', 'reads', 'params' or 'urls'")
    taints = values.get("taints", "return")
    if values.get("except_selectors") and not values.get("calls"):
        place.error(("except_selectors",), "applies to 'calls' only (the selector a call locates elements by)")
    if values.get("user_agents") and not values.get("urls"):
        place.error(("user_agents",), "applies to 'urls' only (the User-Agent of a matching HTTP request)")
    if values.get("urls") and isinstance(taints, str) and taints != "return":
        place.error(("taints",), f"{taints!r} does not apply to 'urls' (the response of a matching HTTP "
                                 "call is the source); put the 'urls' in an entry of their own")


def _check_sink(place: _Place, index: int, values: dict[str, object], clean: bool) -> None:
    if "calls" in values or values.get("urls") or values.get("stores"):
        return
    for key in ("urls", "stores"):
        if key in values:
            place.error((key,), "must not be empty when the entry has no 'calls'")
            return
    place.error(("calls",), "missing required key")


_check_origin_id = _unique_key("id", "origin id", lambda session: session.origin_ids)
_check_rule_id = _unique_key("id", "rule id", lambda session: session.rule_ids)
_check_rule_name = _unique_key("name", "rule name", lambda session: session.rule_names)


_MERGED_KEYS: tuple[str, ...] = ("name", "severity", "message", "when", "unless")


def _check_rule(place: _Place, index: int, values: dict[str, object], clean: bool) -> None:
    """Rule ids and names are unique within the loaded files, except that one rule may be defined
    in several files (each jurisdiction pack cites its own law for it): those definitions merge
    when their name, severity, message, when and unless are identical, and are reported by the
    first key that differs otherwise. A copy within one file is a duplicate."""
    session = place.file.session
    rule_id = values.get("id")
    first = session.rule_ids.get(rule_id) if isinstance(rule_id, str) else None
    if first is None:
        _check_rule_name(place, index, values)
        _check_rule_id(place, index, values)
        if isinstance(rule_id, str):
            session.rule_definitions[rule_id] = [place.error_ref(index)]
        return
    definitions = session.rule_definitions[rule_id]  # type: ignore[index]
    same_file = [ref for ref in definitions if ref.file == place.file.display]
    if same_file:
        place.error(("id",), f"duplicate rule id {rule_id!r}; first defined at {same_file[0]}")
        return
    definitions.append(place.error_ref(index))
    position = session.rule_positions.get(rule_id)  # type: ignore[arg-type]
    defined: Rule | None = session.entries["rules"][position] if position is not None else None  # type: ignore[assignment]
    if not clean or defined is None:  # this entry's or the first definition's mistakes are reported already
        return
    key = _rule_difference(defined, values)
    if key is not None:
        own = (f"; a rule of the project's own needs an id of its own, like 'ACME-{rule_id[2:]}'"  # type: ignore[index]
               if first.file in session.shipped_files and not place.file.shipped else "")
        place.error(key, f"rule {rule_id!r} differs from its definition at {first}; a rule defined in "
                         f"several files must have the same {', '.join(_MERGED_KEYS[:-1])} and {_MERGED_KEYS[-1]}{own}")


def _rule_difference(rule: Rule, values: Mapping[str, object]) -> KeyPath | None:
    """The first of name, severity, message, when and unless (a condition key, when the conditions
    differ in one) in which the converted `values` of a rule entry differ from `rule`."""
    for key in _MERGED_KEYS:
        mine, theirs = values.get(key), getattr(rule, key)
        if mine == theirs:
            continue
        if isinstance(mine, Condition) and isinstance(theirs, Condition):
            for condition_key in fields(Condition):
                if getattr(mine, condition_key.name) != getattr(theirs, condition_key.name):
                    return (key, condition_key.name)
        return (key,)
    return None


_TABLES: dict[str, _Table] = {
    "origins": _Table(Origin, {
        "id": _Key(_format_check(_ORIGIN_ID, "origin id", "use letters, digits, '_', '-' and '.'"), required=True),
        "provider": _Key(_string, required=True),
        "collection": _Key(_collection, required=True),
        "lawful": _Key(_lawful, required=True),
        "categories": _Key(_categories, required=True),
        "purposes": _Key(_purposes),
        "evidence": _Key(_strings),
    }, _check_origin_id),
    "sources": _Table(Source, {
        "origin": _Key(_origin_reference, required=True),
        "calls": _Key(_call_patterns),
        "reads": _Key(_call_patterns),
        "params": _Key(_param_patterns),
        "urls": _Key(_urls),
        "taints": _Key(_choice(("return", "arguments", "receiver"))),
        "categories": _Key(_categories),
        "fields": _Key(_source_fields),
        "user_agents": _Key(_strings),
        "except_selectors": _Key(_strings),
    }, _check_source),
    "sinks": _Table(Sink, {
        "kind": _Key(_sink_kind, required=True),
        "calls": _Key(_calls),
        "urls": _Key(_urls),
        "stores": _Key(_calls),
        "args": _Key(_arg_keys),
        "purpose": _Key(_purpose),
    }, _check_sink),
    "propagators": _Table(Propagator, {
        "calls": _Key(_calls, required=True),
        "from": _Key(_endpoint(("args", "receiver")), attr="from_"),
        "to": _Key(_endpoint(("return", "receiver"))),
    }),
    "transforms": _Table(Transform, {
        "calls": _Key(_calls, required=True),
        "adds": _Key(_categories),
    }),
    "sanitizers": _Table(Sanitizer, {
        "calls": _Key(_calls, required=True),
        "clears": _Key(_clears),
        "marks": _Key(_marks),
    }),
    "guards": _Table(Guard, {
        "calls": _Key(_calls, required=True),
        "when": _Key(_choice(("true", "false", "returns"))),
        "applies": _Key(_choice(("arguments", "branch"))),
        "clears": _Key(_clears),
        "marks": _Key(_marks),
    }),
    "rules": _Table(_build_rule, {
        "id": _Key(_checked(_rule_id), required=True),
        "name": _Key(_format_check(_RULE_NAME, "rule name", "expected lowercase words joined by '-', "
                                   "like 'unlawful-origin-collected'"), required=True),
        "severity": _Key(_choice(SEVERITIES), required=True),
        "message": _Key(_checked_string(_message), required=True),
        "cite": _Key(_strings),
        "rationale": _Key(_string),
        "when": _Key(_condition, required=True),
        "unless": _Key(_condition),
        "examples": _Key(_examples),
    }, _check_rule),
}
_TOP_LEVEL: tuple[str, ...] = ("policy", "vocabulary", *_TABLES)
