"""Inline suppressions and the two meta rules that keep them honest.

A suppression is a `# flowlint:` comment (read from comment tokens by the frontend, see
`ir.Directive`)::

    db.add(person)  # flowlint: ignore[FL101] reason: written release on file, ticket PRIV-12
    # flowlint: ignore[FL101, FL103] reason: ...   (several rules)

* It applies to the findings of the listed rules whose sink is in the same file and either on
  the directive's line, or in the statement that contains the sink (``Finding.sink_statement``,
  so a comment on any line of a multi-line call works), or in the sink's own span.
* The rule list is required: a bare ``ignore`` suppresses nothing and is reported (FL902) —
  a blanket switch would also hide the next, unrelated flow that reaches the same line.
* The reason is the text after ``reason:``. A suppression without one still suppresses, and is
  reported as **FL901 suppression-without-reason** (warning) at the directive.
* A suppression that suppresses nothing — no finding of a listed rule there, a rule that is not
  loaded, a malformed ``ignore`` (``ignore FL101``, ``ignore[fl101]``, ``ignored``) — is
  reported as **FL902 unused-suppression** (warning) at the directive.
* Every directive whose text starts with ``ignore`` is a suppression (or a malformed one); the
  others are inline annotations (``source=``, ``sink=``, ``sanitizer``, ...) read by
  `flowlint.annotations`, which reports unknown or misspelt ones (``ignor[FL101]``) as FL905
  diagnostics — so no directive is reported twice.
* FL901 and FL902 cannot themselves be suppressed inline (a baseline can absorb them).

FL901/FL902 are ordinary `Finding` records so that every reporter and the JSON contract stay
valid: the rule's id, name and severity; no citations; source = sink = the directive's position
with the directive as the symbol and ``flowlint.directive`` as the sink kind; a placeholder
origin ``flowlint``; no categories or marks; an **empty trace** (there is no flow to show); and
a line-independent fingerprint of (rule, path, directive text).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from flowlint.ir import Directive
from flowlint.policy.model import Rule
from flowlint.results import Endpoint, Finding, Location, OriginFacts, digest

SUPPRESSION_WITHOUT_REASON = Rule(
    id="FL901", name="suppression-without-reason", severity="warning",
    message="Suppression of {rules} has no reason; write it after `reason:`.",
    rationale="""
A suppression silences a finding for everyone who reads the code after you. Its reason is the
only record of why the flow was judged acceptable (a written release, a ticket, a lawful basis
that the policy does not know), so a suppression without one is reported until it has one:
`# flowlint: ignore[FL101] reason: written release on file, ticket PRIV-12`.
""",
)
UNUSED_SUPPRESSION = Rule(
    id="FL902", name="unused-suppression", severity="warning",
    message="Suppression suppresses nothing.",
    rationale="""
A suppression that no longer matches a finding (the flow was fixed, the code moved, the rule id
is wrong, the directive is misspelt) is noise at best; at worst it silently hides the next flow
that reaches the same line. Remove it, or correct the rule list or the directive.
""",
)
META_RULES: tuple[Rule, ...] = (SUPPRESSION_WITHOUT_REASON, UNUSED_SUPPRESSION)
META_RULE_IDS = frozenset(rule.id for rule in META_RULES)
META_ORIGIN = OriginFacts(id="flowlint", provider="flowlint", lawful=True, collection="none")
DIRECTIVE_SINK_KIND = "flowlint.directive"
# directives starting with this are suppressions; `flowlint.annotations` reads (and checks) the rest
IGNORE = "ignore"

# flowlint's rules: FL and three digits; a project's own: any other id of capitals, digits, - and _
# not starting with FL (ACME-001; see flowlint.policy.load)
_RULE_ID = re.compile(r"FL[0-9]{3}|(?!FL)[A-Z][A-Z0-9_-]*")
_IGNORE = re.compile(r"ignore(?![\w-])\s*(?P<rest>.*)", re.S)
_RULE_LIST = re.compile(r"\[(?P<rules>[^\]]*)\]\s*(?P<after>.*)", re.S)
_REASON = re.compile(r"reason\s*[:=]\s*(?P<reason>.*)", re.S | re.I)


@dataclass(frozen=True)
class Suppression:
    """A well-formed ``ignore[...]`` directive."""

    path: str
    directive: Directive
    rules: tuple[str, ...]
    reason: str  # "" when missing

    def covers(self, finding: Finding) -> bool:
        sink = finding.sink.location
        if finding.rule_id not in self.rules or sink.path != self.path:
            return False
        line = self.directive.line
        first, last = finding.sink_statement
        return (sink.line <= line <= (sink.end_line or sink.line)) or (0 < first <= line <= last)


@dataclass(frozen=True)
class Problem:
    """A directive that is not a usable suppression (malformed or unknown), and why."""

    message: str


@dataclass(frozen=True)
class Outcome:
    """Findings after suppression: the ones kept plus FL901/FL902 (sorted), and the ones
    suppressed."""

    findings: tuple[Finding, ...]
    suppressed: tuple[Finding, ...]


def parse(path: str, directive: Directive) -> Suppression | Problem | None:
    """The suppression a directive states, the problem with it, or None for an inline
    annotation (``source=...`` and the like: not ours)."""
    text = directive.text.strip()
    if not text.startswith(IGNORE):
        return None
    match = _IGNORE.fullmatch(text)
    rule_list = _RULE_LIST.fullmatch(match["rest"]) if match else None
    if rule_list is None:
        return Problem(f"Malformed suppression `{text}`: list the rules it suppresses, "
                       "as in `ignore[FL101] reason: ...`; it suppresses nothing.")
    rules = tuple(rule for rule in (part.strip() for part in rule_list["rules"].split(",")) if rule)
    if not rules:
        return Problem(f"Malformed suppression `{text}`: it lists no rule (as in `ignore[FL101] reason: ...`); "
                       "it suppresses nothing.")
    bad = [rule for rule in rules if not _RULE_ID.fullmatch(rule)]
    if bad:
        return Problem(f"Malformed suppression `{text}`: {', '.join(f'`{rule}`' for rule in bad)} is not a rule "
                       "id (rule ids look like FL101 or ACME-001); it suppresses nothing.")
    after = rule_list["after"].strip()
    reason = _REASON.fullmatch(after)
    return Suppression(path, directive, tuple(dict.fromkeys(rules)), reason["reason"].strip() if reason else "")


def meta_finding(rule: Rule, path: str, directive: Directive, message: str) -> Finding:
    """An FL901/FL902 finding at a directive (see the module docstring for its shape)."""
    location = Location(path, directive.line, directive.column)
    symbol = f"# flowlint: {directive.text}"
    return Finding(
        rule_id=rule.id, rule_name=rule.name, severity=rule.severity, message=message,
        fingerprint=digest(rule.id, META_ORIGIN.id, directive.text, path),
        citations=(), origin=META_ORIGIN, categories=(), marks=(),
        source=Endpoint(symbol, location), sink=Endpoint(symbol, location, DIRECTIVE_SINK_KIND),
        trace=(), sink_statement=(directive.line, directive.line),
    )


def _rule_list(rules: Iterable[str]) -> str:
    return f"ignore[{', '.join(rules)}]"


def apply(findings: Iterable[Finding], directives: Iterable[tuple[str, Directive]],
          loaded_rules: Collection[str] | None = None) -> Outcome:
    """Remove the findings that a suppression covers and add FL901/FL902 for the directives.

    ``loaded_rules``: the ids of the policy's rules, to say why a rule never matches.
    """
    findings = tuple(findings)
    kept: list[Finding] = []
    suppressed: list[Finding] = []
    meta: list[Finding] = []
    suppressions: list[Suppression] = []
    for path, directive in directives:
        parsed = parse(path, directive)
        if isinstance(parsed, Problem):
            meta.append(meta_finding(UNUSED_SUPPRESSION, path, directive, parsed.message))
        elif parsed is not None:
            suppressions.append(parsed)
    used: dict[Suppression, set[str]] = {s: set() for s in suppressions}
    for finding in findings:
        covering = [s for s in suppressions if s.covers(finding)]
        for suppression in covering:
            used[suppression].add(finding.rule_id)
        (suppressed if covering else kept).append(finding)
    for suppression in suppressions:
        meta.extend(_meta_for(suppression, used[suppression], loaded_rules))
    ordered = sorted((*kept, *meta), key=lambda f: f.sort_key)
    return Outcome(tuple(ordered), tuple(suppressed))


def _meta_for(suppression: Suppression, used: set[str], loaded_rules: Collection[str] | None) -> list[Finding]:
    out: list[Finding] = []
    path, directive, listed = suppression.path, suppression.directive, _rule_list(suppression.rules)
    if not suppression.reason:
        out.append(meta_finding(SUPPRESSION_WITHOUT_REASON, path, directive,
                                f"Suppression `{listed}` has no reason: write why after it, as in "
                                f"`{listed} reason: written release on file, ticket PRIV-12`."))
    unused = [rule for rule in suppression.rules if rule not in used]
    if unused:
        why = []
        for rule in unused:
            if rule in META_RULE_IDS:
                why.append(f"{rule} cannot be suppressed inline (baseline it instead)")
            elif loaded_rules is not None and rule not in loaded_rules:
                why.append(f"no rule {rule} is loaded")
            else:
                why.append(f"no {rule} finding has its sink on this line or statement")
        out.append(meta_finding(UNUSED_SUPPRESSION, path, directive,
                                f"Suppression `{listed}` suppresses nothing for {', '.join(unused)}: "
                                f"{'; '.join(why)}."))
    return out
