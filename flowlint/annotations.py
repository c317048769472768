"""Inline annotations: `# flowlint: source=ORIGIN` and friends on a `def` line become policy entries.

```python
def lookup(face):      # flowlint: source=clearview            (the return value is a source)
def store(row):        # flowlint: sink=collection.store       (every parameter is a sink)
def scrub(x):          # flowlint: sanitizer clears=all
def has_release(p):    # flowlint: guard when=true applies=branch marks=consent.written
def embed(img):        # flowlint: transform adds=user.biometric.face_template
```
A project can model its own wrappers without writing TOML. `ignore[...]` comments are
suppressions, handled after the rules. A malformed annotation is a diagnostic (FL905), never
an exception: that includes a value the policy's vocabulary does not declare (a sink kind,
category, mark or purpose; see `flowlint.policy.vocabulary`) and an unknown origin, each with
the closest declared value when one is close.
"""

from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Iterable

from flowlint import ir
from flowlint.policy import vocabulary
from flowlint.policy.model import EntryRef, Guard, Policy, Sanitizer, Sink, Source, Transform, Vocabulary
from flowlint.results import Diagnostic

BAD_ANNOTATION = "FL905"
_OPTIONS = {
    "source": {"categories"},
    "sink": {"purpose"},
    "sanitizer": {"clears", "marks"},
    "guard": {"when", "applies", "clears", "marks"},
    "transform": {"adds"},
}
_CHOICES = {"when": ("true", "false", "returns"), "applies": ("arguments", "branch")}


class _Bad(Exception):
    pass


def _list(value: str) -> tuple[str, ...]:
    return tuple(v for v in value.split(",") if v)


def _declared(vocab: Vocabulary, head: str, key: str, values: Iterable[str], glob: bool = False) -> None:
    """Each of `values` is a declared `key` value (`glob`: a glob matching one), else `_Bad`."""
    check = vocabulary.pattern_problem if glob else vocabulary.value_problem
    for value in values:
        problem = check(vocab, key, value)
        if problem:
            raise _Bad(f"{head}: {problem}")


def _clears(vocab: Vocabulary, head: str, clears: str, default: str) -> str | tuple[str, ...]:
    """`clears=all`, or a list of category globs (each matching a declared category)."""
    if (clears or default) == "all":
        return "all"
    patterns = _list(clears)
    _declared(vocab, head, "categories", patterns, glob=True)
    return patterns


def _parse(text: str) -> tuple[str, str | None, dict[str, str]]:
    """`sink=collection.store purpose=x` -> ("sink", "collection.store", {"purpose": "x"})."""
    words = text.split()
    head, _, value = words[0].partition("=")
    if head not in _OPTIONS:
        raise _Bad(f"unknown annotation {head!r}; expected one of {', '.join(sorted(_OPTIONS))} or ignore[...]")
    options: dict[str, str] = {}
    for word in words[1:]:
        key, sep, option = word.partition("=")
        if not sep or key not in _OPTIONS[head]:
            raise _Bad(f"{head}: unknown option {word!r}; expected {', '.join(sorted(_OPTIONS[head])) or 'none'}")
        if key in _CHOICES and option not in _CHOICES[key]:
            raise _Bad(f"{head}: {key} must be one of {', '.join(_CHOICES[key])}, not {option!r}")
        options[key] = option
    if head in ("source", "sink") and not value:
        raise _Bad(f"{head} needs a value: `{head}=...`")
    return head, value or None, options


def _entry(head: str, value: str | None, options: dict[str, str], qualname: str, ref: EntryRef,
           policy: Policy) -> object:
    vocab = policy.vocabulary
    clears = options.get("clears", "")
    marks = _list(options.get("marks", ""))
    _declared(vocab, head, "marks", marks)
    if head == "source":
        origins = [o.id for o in policy.origins]
        if value not in origins:
            close = difflib.get_close_matches(value or "", origins, n=1)
            raise _Bad(f"source: unknown origin {value!r}" + (f"; did you mean {close[0]!r}?" if close else ""))
        categories = _list(options["categories"]) if "categories" in options else None
        _declared(vocab, head, "categories", categories or ())
        return Source(value, calls=(qualname,), categories=categories, ref=ref)  # type: ignore[arg-type]
    if head == "sink":
        purpose = options.get("purpose")
        _declared(vocab, head, "sink_kinds", (value,))  # type: ignore[arg-type]
        _declared(vocab, head, "purposes", (purpose,) if purpose is not None else ())
        return Sink(value, calls=(qualname,), purpose=purpose, ref=ref)  # type: ignore[arg-type]
    if head == "sanitizer":
        return Sanitizer((qualname,), clears=_clears(vocab, head, clears, "all"), marks=marks, ref=ref)
    if head == "guard":
        return Guard((qualname,), when=options.get("when", "true"), applies=options.get("applies", "arguments"),  # type: ignore[arg-type]
                     clears=_clears(vocab, head, clears, ""), marks=marks, ref=ref)
    adds = _list(options.get("adds", ""))
    _declared(vocab, head, "categories", adds)
    return Transform((qualname,), adds=adds, ref=ref)


# the policy table each annotation adds to
_TABLES = {"source": "sources", "sink": "sinks", "sanitizer": "sanitizers", "guard": "guards", "transform": "transforms"}


def apply_annotations(modules: Iterable[ir.Module], policy: Policy) -> tuple[Policy, list[Diagnostic]]:
    """The policy plus an entry for every annotated function; diagnostics for bad annotations."""
    added: dict[str, list] = {table: [] for table in _TABLES.values()}
    diagnostics: list[Diagnostic] = []
    for module in modules:
        headers = [(f.header_lines, f.qualname) for f in module.functions if f.name != "<module>"]
        for directive in module.directives:
            if directive.text.startswith("ignore"):
                continue
            owner = next((q for (first, last), q in headers if first <= directive.line <= last), None)
            try:
                if owner is None:
                    raise _Bad("an annotation belongs on the line of a `def` (a suppression is `ignore[RULE] reason: ...`)")
                head, value, options = _parse(directive.text)
                table_entries = added[_TABLES[head]]
                ref = EntryRef(module.path, "annotation", len(table_entries) + 1, directive.line)
                table_entries.append(_entry(head, value, options, owner, ref, policy))
            except _Bad as err:
                diagnostics.append(Diagnostic(module.path, directive.line, directive.column, BAD_ANNOTATION,
                                              f"invalid annotation: {err}"))
    if not any(added.values()):
        return policy, diagnostics
    changes = {table: getattr(policy, table) + tuple(entries) for table, entries in added.items()}
    return dataclasses.replace(policy, **changes), diagnostics
