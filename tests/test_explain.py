"""`flowlint.explain`: the text `flowlint explain RULE` prints, and its errors."""

from __future__ import annotations

import re
import textwrap
from functools import cache
from pathlib import Path

import pytest

from flowlint.errors import FlowlintError
from flowlint.explain import BUILTIN_RULES, condition_clauses, explain, find_rule, meaning
from flowlint.policy.load import load_policy
from flowlint.policy.model import Condition, EntryRef, Policy, PolicyFile, Rule
from flowlint.policy.packs import pack_names

CATALOGUE = ("FL101", "FL102", "FL103", "FL104", "FL201", "FL202", "FL203", "FL301")


@cache
def shipped() -> Policy:
    return load_policy([], Path.cwd())


def squashed(text: str) -> str:
    """Whitespace runs made single spaces (explain wraps long lines)."""
    return re.sub(r"\s+", " ", text)


def test_golden_text_of_a_small_rule() -> None:
    rule = Rule(
        id="FL950", name="broker-data-logged", severity="warning",
        message="Data from {provider} is logged by {sink}.",
        cite=("Example Act s. 4 (2020-01-01)",), rationale="Because logs are kept.\n\nAnd copied.\n",
        flagged_example="log(broker())\n", clean_example="log('static')\n",
        when=Condition(lawful=("unknown",), sink_kind=("collection.log",)),
        unless=Condition(marks=("anonymised",)),
        ref=EntryRef("mine.toml", "rules", 1, 3), defined_at=(EntryRef("mine.toml", "rules", 1, 3),),
    )
    policy = Policy(files=(PolicyFile("mine.toml", "mine", "0" * 64),), rules=(rule,))
    assert explain(policy, "FL950") == textwrap.dedent('''\
        FL950  broker-data-logged  (warning)

        What it means
          Reported when the data's origin is recorded as of unknown lawfulness (lawful = "unknown"); and
          it reaches a sink of kind collection.log.
          Not reported when the flow passed a guard or sanitizer that set the mark `anonymised`.

        Message
          Data from {provider} is logged by {sink}.

        Why
          Because logs are kept.

          And copied.

        Citations
          - Example Act s. 4 (2020-01-01)

        Defined in
          mine

        Flagged example (reported by FL950)
            log(broker())

        Clean example (not reported by FL950)
            log('static')
        ''')


@pytest.mark.parametrize("rule_id", CATALOGUE)
def test_every_catalogue_rule_is_explained(rule_id: str) -> None:
    policy = shipped()
    rule = find_rule(policy, rule_id)
    text = explain(policy, rule_id)
    assert text.startswith(f"{rule_id}  {rule.name}  ({rule.severity})\n")
    flat = squashed(text)
    for cite in rule.cite:
        assert squashed(cite) in flat
    for paragraph in rule.rationale.split("\n\n"):
        assert squashed(paragraph.strip()) in flat
    for line in rule.flagged_example.strip().splitlines() + rule.clean_example.strip().splitlines():
        assert ("    " + line).rstrip() in text.splitlines()
    packs = [name for name in pack_names() if rule_id in {r.id for r in load_policy([name], Path.cwd()).rules}]
    assert f"Defined in\n  {', '.join(sorted(packs))}\n" in text


def test_a_rule_merged_from_several_packs_names_them_all() -> None:
    text = explain(shipped(), "FL202")
    assert "Defined in\n  ca-privacy, eu-ai-act, eu-gdpr, us-il-bipa\n" in text
    flat = squashed(text)
    assert "Art. 5(1)(e)" in flat and "740 ILCS 14/15(b)" in flat and "PIPEDA Findings #2021-001" in flat
    assert "Reported when the origin obtained the data by `untargeted-scraping` or `scraping`" in flat


def test_conditions_in_words() -> None:
    rule = find_rule(shipped(), "FL201")
    assert meaning(rule) == [
        "Reported when the data carries a category matching `user.biometric*`; and it reaches a sink of kind "
        "collection.* (collection.store, collection.file, collection.index, collection.cache, "
        "collection.object_store, collection.log) or processing.biometric.",
        "Not reported when the flow passed a guard or sanitizer that set the mark `consent.written`.",
    ]
    assert meaning(find_rule(shipped(), "FL301")) == [
        "Reported when the sink declares a purpose that is not among the purposes the origin's data was obtained for."]


def test_every_condition_key_has_words() -> None:
    condition = Condition(lawful=(False, "unknown"), sink_kind=("disclosure.*",), categories=("user.name",),
                          collection=("purchase",), origin=("broker", "other"), marks=("m",),
                          purpose_incompatible=(False,))
    assert condition_clauses(condition) == [
        'the data\'s origin is recorded as unlawful (lawful = false) or of unknown lawfulness (lawful = "unknown")',
        "the origin obtained the data by `purchase` (its `collection`)",
        "the data comes from the origin `broker` or `other`",
        "the data carries a category matching `user.name`",
        "it reaches a sink of kind disclosure.* (disclosure.third_party)",
        "the flow passed a guard or sanitizer that set the mark `m`",
        "the sink declares no purpose, or one the origin's data was obtained for",
    ]
    assert condition_clauses(Condition()) == []
    assert condition_clauses(Condition(lawful=(), categories=())) == [
        "the origin's lawfulness is one of an empty list (never)",
        "the data carries a category matching (nothing: an empty list never matches)",
    ]
    assert meaning(Rule(id="FL999", name="x", severity="note", message="m")) == [
        "Reported on every flow from an origin to a sink."]


def test_rule_by_lowercase_id_or_by_name() -> None:
    policy = shipped()
    assert explain(policy, "fl101") == explain(policy, "FL101") == explain(policy, "unlawful-origin-collected")


@pytest.mark.parametrize(("asked", "suggestion"), [
    ("FL21", "FL201"),
    ("FL1O1", "FL101"),
    ("scraped-faces", "scraped-faces-into-recognition-database"),
    ("unlawful-origin-colected", "unlawful-origin-collected"),
])
def test_unknown_rule_suggests_the_closest(asked: str, suggestion: str) -> None:
    with pytest.raises(FlowlintError, match=re.escape(f"unknown rule {asked!r}; did you mean {suggestion!r}?")):
        explain(shipped(), asked)


def test_unknown_rule_without_a_close_one_lists_the_rules() -> None:
    with pytest.raises(FlowlintError) as caught:
        explain(shipped(), "zzzzzzzzzzzz")
    assert str(caught.value) == ("unknown rule 'zzzzzzzzzzzz'; known rules: FL101, FL102, FL103, FL104, FL201, FL202, "
                                 "FL203, FL301, FL901, FL902, FL903, FL904, FL905, FL906, FL907")


def test_a_rule_of_a_pack_that_is_not_loaded_is_unknown() -> None:
    core = load_policy(["core"], Path.cwd())
    with pytest.raises(FlowlintError, match="unknown rule 'FL202'"):
        explain(core, "FL202")
    assert "Defined in\n  core\n" in explain(core, "FL101")


@pytest.mark.parametrize("rule", BUILTIN_RULES, ids=lambda rule: rule.id)
def test_builtin_rules_are_explained_without_a_policy(rule: Rule) -> None:
    text = explain(Policy(), rule.id)
    assert text.startswith(f"{rule.id}  {rule.name}  ({rule.severity})\n")
    assert "Defined in\n  built into flowlint\n" in text
    assert ("Flagged example" in text and "Clean example" in text) or rule.id in ("FL904", "FL906", "FL907")  # no small program shows these


def test_rule_without_examples_or_citations(tmp_path: Path) -> None:
    (tmp_path / "mine.toml").write_text(
        '[policy]\nname = "mine"\n[[rules]]\nid = "ACME-950"\nname = "my-rule"\nseverity = "note"\n'
        'message = "m"\n[rules.when]\nsink_kind = ["collection.log"]\n', encoding="utf-8")
    text = explain(load_policy(["mine.toml"], tmp_path), "ACME-950")
    assert "Citations" not in text and "example" not in text
    assert "Why\n  (no rationale given)\n" in text
    assert text.endswith("Defined in\n  mine\n")
