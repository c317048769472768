"""A readable listing of a loaded `Policy`, printed by `flowlint policy list`.

Sections come in a fixed order (files, origins, sources, sinks, propagators, transforms,
sanitizers, guards, rules) and entries in load order, so the output is deterministic. A rule
defined in several files (merged by the loader) names them.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Sequence
from typing import TypeVar

from flowlint.policy.model import (
    ArgKey,
    Endpoint,
    Guard,
    Lawful,
    Origin,
    Policy,
    PolicyFile,
    Propagator,
    Rule,
    Sanitizer,
    Sink,
    Source,
    Transform,
)

T = TypeVar("T")
INDENT = "  "
WIDTH = 100


def describe_policy(policy: Policy) -> str:
    """Every loaded file and entry, one line each, grouped by table."""
    sections = [
        _section("Policy files", policy.files, _file),
        _section("Origins", policy.origins, _origin),
        _section("Sources", policy.sources, _source),
        _section("Sinks", policy.sinks, _sink),
        _section("Propagators", policy.propagators, _propagator),
        _section("Transforms", policy.transforms, _transform),
        _section("Sanitizers", policy.sanitizers, _sanitizer),
        _section("Guards", policy.guards, _guard),
        _section("Rules", policy.rules, lambda rule: _rule(rule, policy)),
    ]
    return "\n".join(sections)


def _section(title: str, entries: Sequence[T], line: Callable[[T], str]) -> str:
    lines = [f"{title} ({len(entries)}):" if entries else f"{title}: none"]
    lines.extend(textwrap.fill(line(entry), width=WIDTH, initial_indent=INDENT, subsequent_indent=INDENT * 3,
                               break_long_words=False, break_on_hyphens=False) for entry in entries)
    return "\n".join(lines)


def _file(file: PolicyFile) -> str:
    return f"{file.name}  {file.path}  sha256:{file.sha256[:12]}"


def _origin(origin: Origin) -> str:
    return (f"{origin.id}  provider={origin.provider!r}  lawful={_lawful(origin.lawful)}  "
            f"collection={origin.collection}  categories={_join(origin.categories)}")


def _source(source: Source) -> str:
    parts = [f"{label} {_join(names)}" for label, names in
             (("calls", source.calls), ("reads", source.reads), ("params", source.params), ("urls", source.urls))
             if names]
    extra = f"  taints={source.taints}" if source.taints != "return" else ""
    if source.categories is not None:
        extra += f"  categories={_join(source.categories)}"
    return f"{source.origin} <- {'; '.join(parts)}{extra}"


def _sink(sink: Sink) -> str:
    args = f"  args={_args(sink.args)}" if sink.args is not None else ""
    purpose = f"  purpose={sink.purpose}" if sink.purpose else ""
    parts = [f"{label} {_join(names)}" for label, names in (("calls", sink.calls), ("urls", sink.urls)) if names]
    return f"{sink.kind} <- {'; '.join(parts)}{args}{purpose}"


def _propagator(propagator: Propagator) -> str:
    return f"{_join(propagator.calls)}: {_endpoint(propagator.from_)} -> {_endpoint(propagator.to)}"


def _transform(transform: Transform) -> str:
    return f"{_join(transform.calls)}: adds {_join(transform.adds)}"


def _sanitizer(sanitizer: Sanitizer) -> str:
    return f"{_join(sanitizer.calls)}: clears {_clears(sanitizer.clears)}{_marks(sanitizer.marks)}"


def _guard(guard: Guard) -> str:
    return (f"{_join(guard.calls)}: when {guard.when}, applies to {guard.applies}, "
            f"clears {_clears(guard.clears)}{_marks(guard.marks)}")


def _rule(rule: Rule, policy: Policy) -> str:
    line = f"{rule.id}  {rule.name}  {rule.severity}"
    if len(rule.defined_at) > 1:  # one rule merged from several files: name them
        line += f"  (defined in {', '.join(defining_files(rule, policy))})"
    return line


def defining_files(rule: Rule, policy: Policy) -> list[str]:
    """The `[policy] name` of every file that defines `rule` (its path when it has no name), in load order."""
    names = {file.path: file.name or file.path for file in policy.files}
    refs = rule.defined_at or ((rule.ref,) if rule.ref else ())
    return list(dict.fromkeys(names.get(ref.file, ref.file) for ref in refs))


def _join(items: Sequence[str]) -> str:
    return ", ".join(items) if items else "-"


def _lawful(lawful: Lawful) -> str:
    return lawful if isinstance(lawful, str) else str(lawful).lower()


def _args(args: Sequence[ArgKey]) -> str:
    return "[" + ", ".join(str(arg) for arg in args) + "]"


def _endpoint(endpoint: Endpoint) -> str:
    return endpoint if isinstance(endpoint, str) else f"args {_args(endpoint)}"


def _clears(clears: str | Sequence[str]) -> str:
    if isinstance(clears, str):
        return clears
    return _join(clears) if clears else "nothing"


def _marks(marks: Sequence[str]) -> str:
    return f", marks {_join(marks)}" if marks else ""
