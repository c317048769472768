"""`flowlint explain RULE`: what a rule means, why it exists, the law it cites, and an example.

`explain(policy, rule)` renders one rule of the loaded policy, or one of the rules built into
flowlint (FL901/FL902 on suppressions; FL903-FL906, diagnostics about files that are not
analysed, skipped, or carry a malformed annotation), as plain text: its id, name and severity;
its `when`/`unless` conditions in words; its message template; its rationale; its citations; the
policy files that define it (a rule may be defined by several jurisdiction packs, merged by the
loader); and its flagged and clean examples.

The rule is named by its id (`FL101` or a project's own `ACME-001`, in any case) or its name
(`unlawful-origin-collected`); an unknown one raises `FlowlintError` with the closest known id
or name.
"""

from __future__ import annotations

import difflib
import textwrap
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

from flowlint.errors import FlowlintError
from flowlint.policy import vocabulary
from flowlint.policy.describe import defining_files
from flowlint.policy.load import load_policy
from flowlint.policy.model import Condition, Lawful, Policy, Rule, Vocabulary
from flowlint.policy.packs import vocabulary_path
from flowlint.suppressions import META_RULES

WIDTH = 96
INDENT = "  "

FILE_NOT_ANALYSED = Rule(
    id="FL903", name="file-not-analysed", severity="warning",
    message="file not analysed: {reason}",
    rationale="""
A file that cannot be parsed (a syntax error, an undecodable or binary file, nesting too deep
for the parser) is not analysed, so flows through it can be neither found nor ruled out. It is
reported as a diagnostic, so that a clean run never hides a file that was skipped; it counts as a
warning for --fail-on.
""",
)
FILE_SKIPPED = Rule(
    id="FL904", name="file-skipped", severity="warning",
    message="{reason}",
    rationale="""
A symbolic link that leads outside the project root, a directory that cannot be read, or a file
larger than `max-file-size` (default 1 MB: such files are nearly always generated, and the parser
needs about 0.8 GB and 8 s per MB) is skipped. What it holds is not analysed, so it is reported as
a diagnostic rather than passed over in silence.
""",
)
BAD_ANNOTATION = Rule(
    id="FL905", name="malformed-annotation", severity="warning",
    message="{reason}",
    rationale="""
An inline annotation (`# flowlint: source=...`, `sink=...`, `sanitizer ...`, `guard ...`,
`transform ...`) that cannot be read (an unknown directive or option, a misspelt sink kind or
category) would otherwise be ignored, and the source, sink or guard it meant to declare would be
missing from the analysis. It is reported as a diagnostic at the comment.
""",
)
ANALYSIS_INCOMPLETE = Rule(
    id="FL906", name="analysis-incomplete", severity="warning",
    message="{reason}",
    rationale="""
The interprocedural analysis has a step budget (a base plus a share per line of code) and a time
limit per file (`file-time-limit`, default 20 s) so that a pathological program cannot make a
pre-commit hook or a CI job hang. When the budget runs out before the call graph reaches its
fixpoint, or one file's functions take longer than the limit, the findings reported are real but
some flows may be missing; the run says so with this diagnostic (at the file, for the time limit)
rather than looking complete.
""",
)
PATTERN_UNMATCHED = Rule(
    id="FL907", name="policy-pattern-matches-nothing", severity="note",
    message="{reason}",
    rationale="""
A source, sink, guard, sanitizer, transform or propagator pattern that matches no name in the
project does nothing, so a typo in one (`facevault.Client.search_face` for the
`facevault.Client().search_face` the code calls) silently drops every finding it should have
produced. Each `calls`, `reads` and `params` pattern of the project's own policy files (not of a
shipped pack, which is written for every project) that matches no call, read or parameter is
reported at the pattern, with the closest name flowlint built. Where the analysis skipped the
modules that could hold a match, flowlint cannot tell, and says nothing.
`flowlint names FILE:LINE` shows the names flowlint gives the calls and reads of a line.
""",
)
# rules that are part of the tool, not of a policy pack (FL903-FL907 are diagnostics)
BUILTIN_RULES: tuple[Rule, ...] = (*META_RULES, FILE_NOT_ANALYSED, FILE_SKIPPED, BAD_ANNOTATION,
                                   ANALYSIS_INCOMPLETE, PATTERN_UNMATCHED)
_BUILTIN_MEANING = {
    "FL901": "Reported at a `# flowlint: ignore[...]` comment that has no `reason:`.",
    "FL902": "Reported at a `# flowlint: ignore[...]` comment that suppresses no finding (or is malformed).",
    "FL903": "Reported (as a diagnostic, not a finding) for a file flowlint could not parse or decode.",
    "FL904": "Reported (as a diagnostic) for a link out of the project root, an unreadable directory or a file over max-file-size, which is skipped.",
    "FL905": "Reported (as a diagnostic) at an inline `# flowlint:` annotation that cannot be read.",
    "FL906": "Reported (as a diagnostic) when the analysis stopped at its step budget before its fixpoint, or at a file's time limit.",
    "FL907": "Reported (as a note diagnostic) at a pattern of the project's own policy files that matches nothing in the project.",
}
_BUILTIN_EXAMPLES = {
    "FL901": ("db.add(person)  # flowlint: ignore[FL101]\n",
              "db.add(person)  # flowlint: ignore[FL101] reason: written release on file, ticket PRIV-12\n"),
    "FL902": ("db.add(\"static\")  # flowlint: ignore[FL101] reason: no personal data here\n",
              "db.add(\"static\")\n"),
    "FL903": ("def broken(:\n    pass\n", "def fixed():\n    pass\n"),
    "FL904": ("", ""),
    "FL906": ("", ""),
    "FL907": ("", ""),
    "FL905": ("def store(row):  # flowlint: sink=collection.stor\n    ...\n",
              "def store(row):  # flowlint: sink=collection.store\n    ...\n"),
}


def find_rule(policy: Policy, name: str) -> Rule:
    """The rule `name` (an id in any case, or a rule name) of `policy` or of the built-in rules."""
    rules = all_rules(policy)
    wanted = name.strip()
    for rule in rules:
        if rule.id == wanted.upper() or rule.name == wanted:
            return rule
    choices = [rule.id for rule in rules] + [rule.name for rule in rules]
    # ids are capitals, names lowercase: compare in the case of whichever the text is closer to
    close = difflib.get_close_matches(wanted.upper(), choices, n=1) or difflib.get_close_matches(wanted, choices, n=1)
    if not close:
        close = difflib.get_close_matches(wanted, choices, n=1, cutoff=0.5)
    message = f"unknown rule {name!r}"
    if close:
        return _raise(f"{message}; did you mean {close[0]!r}?")
    return _raise(f"{message}; known rules: {', '.join(rule.id for rule in rules)}")


def _raise(message: str) -> Rule:
    raise FlowlintError(message)


def all_rules(policy: Policy) -> list[Rule]:
    """The policy's rules and the built-in ones, by id."""
    loaded = {rule.id for rule in policy.rules}
    return sorted([*policy.rules, *(rule for rule in BUILTIN_RULES if rule.id not in loaded)], key=lambda r: r.id)


def explain(policy: Policy, rule_id: str) -> str:
    """The text `flowlint explain RULE` prints for `rule_id` (see the module docstring)."""
    rule = find_rule(policy, rule_id)
    builtin = rule.id in {r.id for r in BUILTIN_RULES} and rule not in policy.rules
    out = [f"{rule.id}  {rule.name}  ({rule.severity})", ""]
    out += _section("What it means", meaning(rule, policy.vocabulary) if not builtin else [_BUILTIN_MEANING[rule.id]])
    out += _section("Message", [rule.message])
    out += ["Why", *_spaced(_fill(text) for text in paragraphs(rule.rationale) or ["(no rationale given)"]), ""]
    if rule.cite:
        out += ["Citations"] + [_fill(cite, initial=f"{INDENT}- ", subsequent=INDENT * 2) for cite in rule.cite] + [""]
    where = "built into flowlint" if builtin else ", ".join(defining_files(rule, policy))
    out += _section("Defined in", [where])
    flagged, clean = (_BUILTIN_EXAMPLES[rule.id] if builtin else (rule.flagged_example, rule.clean_example))
    out += _example("Flagged example", flagged, f"reported by {rule.id}")
    out += _example("Clean example", clean, f"not reported by {rule.id}")
    while out and out[-1] == "":
        out.pop()
    return "\n".join(out) + "\n"


def _section(title: str, texts: Sequence[str]) -> list[str]:
    return [title, *(_fill(text) for text in texts), ""]


def _spaced(blocks) -> list[str]:
    """Blocks of text with a blank line between them."""
    out: list[str] = []
    for block in blocks:
        out += ([""] if out else []) + [block]
    return out


def _example(title: str, code: str, note: str) -> list[str]:
    if not code.strip():
        return []
    body = textwrap.indent(code.strip("\n"), INDENT * 2)
    return [f"{title} ({note})", body, ""]


def _fill(text: str, initial: str = INDENT, subsequent: str = INDENT) -> str:
    return textwrap.fill(text, width=WIDTH, initial_indent=initial, subsequent_indent=subsequent,
                         break_long_words=False, break_on_hyphens=False)


def paragraphs(text: str) -> list[str]:
    """A rationale's paragraphs (separated by blank lines), each on one line."""
    blocks = [" ".join(line.strip() for line in block.splitlines()) for block in text.strip().split("\n\n")]
    return [block for block in blocks if block]


# --- conditions in words ---------------------------------------------------------------------------


def meaning(rule: Rule, vocab: Vocabulary | None = None) -> list[str]:
    """The rule's `when` and `unless` in sentences; sink kind globs are spelt out from `vocab`
    (default: the shipped base vocabulary)."""
    when = condition_clauses(rule.when, vocab)
    lines = ["Reported when " + _join_all(when) + "." if when else "Reported on every flow from an origin to a sink."]
    if rule.unless is not None:
        unless = condition_clauses(rule.unless, vocab)
        lines.append("Not reported when " + (_join_all(unless) if unless else "anything flows") + ".")
    return lines


@lru_cache(maxsize=1)
def base_vocabulary() -> Vocabulary:
    """The shipped base vocabulary alone."""
    return load_policy([vocabulary_path()], Path.cwd()).vocabulary


def condition_clauses(condition: Condition, vocab: Vocabulary | None = None) -> list[str]:
    """One clause per key given in `condition`, in the order flowlint checks them (sink kind
    globs spelt out from `vocab`, default: the shipped base vocabulary)."""
    clauses = []
    if condition.lawful is not None:
        clauses.append(_lawful(condition.lawful))
    if condition.collection is not None:
        clauses.append(f"the origin obtained the data by {_or(condition.collection)} (its `collection`)")
    if condition.origin is not None:
        clauses.append(f"the data comes from the origin {_or(condition.origin)}")
    if condition.categories is not None:
        clauses.append(f"the data carries a category matching {_or(condition.categories)}")
    if condition.sink_kind is not None:
        clauses.append(_sink_kinds(condition.sink_kind, vocab if vocab is not None else base_vocabulary()))
    if condition.marks is not None:
        clauses.append(f"the flow passed a guard or sanitizer that set the mark {_or(condition.marks)}")
    if condition.purpose_incompatible is not None:
        clauses.append(_purpose(condition.purpose_incompatible))
    return clauses


def _lawful(values: tuple[Lawful, ...]) -> str:
    words = {False: "unlawful (lawful = false)", True: "lawful (lawful = true)", "unknown": 'of unknown lawfulness (lawful = "unknown")'}
    if not values:
        return "the origin's lawfulness is one of an empty list (never)"
    return "the data's origin is recorded as " + " or ".join(words[value] for value in values)


def _sink_kinds(patterns: tuple[str, ...], vocab: Vocabulary) -> str:
    if not patterns:
        return "it reaches a sink of one of an empty list of kinds (never)"
    parts = []
    for pattern in patterns:
        kinds = vocabulary.matching(vocab, "sink_kinds", pattern)
        parts.append(f"{pattern} ({', '.join(kinds)})" if kinds and kinds != [pattern] else pattern)
    return "it reaches a sink of kind " + " or ".join(parts)


def _purpose(values: tuple[bool, ...]) -> str:
    incompatible = "the sink declares a purpose that is not among the purposes the origin's data was obtained for"
    compatible = "the sink declares no purpose, or one the origin's data was obtained for"
    if set(values) == {True, False}:
        return "the sink's purpose is compatible or not (always)"
    if not values:
        return "the sink's purpose is one of an empty list (never)"
    return incompatible if values[0] else compatible


def _or(values: Sequence[str]) -> str:
    if not values:
        return "(nothing: an empty list never matches)"
    shown = [f"`{value}`" for value in values]
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " or " + shown[-1]


def _join_all(clauses: list[str]) -> str:
    return clauses[0] if len(clauses) == 1 else "; ".join(clauses[:-1]) + "; and " + clauses[-1]
