"""Unit tests of the policy loader, the name validators, the shipped packs and their listing."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from flowlint.errors import FlowlintError, PolicyError
from flowlint.policy.describe import describe_policy
from flowlint.policy.load import load_policy, validate_url_pattern
from flowlint.policy.model import Condition, EntryRef, Origin, Propagator, Sink
from flowlint.policy.names import (
    validate_call_pattern,
    validate_category,
    validate_category_pattern,
    validate_param_pattern,
)
from flowlint.policy.packs import pack_names, pack_path

ORIGINS = """\
[policy]
name = "origins"

[[origins]]
id = "clearview"
provider = "Clearview AI"
collection = "untargeted-scraping"
lawful = false
categories = ["user.biometric.face", "user.name"]
purposes = []
evidence = ["OPC Canada, PIPEDA Findings #2021-001 (2021-02-02)"]

[[sources]]
origin = "clearview"
calls = ["clearview.Client.search", "clearview.Client().search"]
reads = ["myapp.settings.SCRAPED_FACES"]
params = ["myapp.api.ingest:payload"]
"""

MODELS = """\
[policy]
name = "models"
description = "sinks and library models"

[[sinks]]
kind = "collection.store"
calls = ["sqlite3.connect().execute"]
args = [1, "parameters"]
purpose = "analytics"

[[propagators]]
calls = ["json.loads"]
from = [0, "s"]
to = "receiver"

[[propagators]]
calls = ["base64.b64encode"]

[[transforms]]
calls = ["face_recognition.face_encodings"]
adds = ["user.biometric.face_template"]

[[sanitizers]]
calls = ["myapp.privacy.anonymise"]
marks = ["anonymised"]

[[guards]]
calls = ["myapp.consent.has_written_release"]
when = "returns"
applies = "branch"
clears = "all"
marks = ["consent.written"]

[[rules]]
id = "ACME-901"
name = "scraped-stored"
severity = "warning"
message = "{provider} data reaches {sink_kind} ({categories})"
cite = ["Privacy Act (Canada) s. 4"]
rationale = "Because."
[rules.when]
lawful = [false, "unknown"]
sink_kind = ["collection.*"]
origin = ["clearview", "other*"]
purpose_incompatible = [true]
[rules.unless]
marks = ["consent.*"]
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def errors_of(refs: list[str], base_dir: Path) -> list[str]:
    with pytest.raises(PolicyError) as caught:
        load_policy(refs, base_dir)
    return caught.value.messages


@pytest.fixture()
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A temporary working directory, so display paths are short and relative."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


# --- loading and merging -----------------------------------------------------------------------


def test_two_files_merge_in_load_order(in_tmp: Path) -> None:
    write(in_tmp, "origins.toml", ORIGINS)
    models = write(in_tmp, "models.toml", MODELS)
    policy = load_policy(["models.toml", "origins.toml"], in_tmp)
    assert [f.name for f in policy.files] == ["models", "origins"]
    assert [f.path for f in policy.files] == ["models.toml", "origins.toml"]
    assert policy.files[0].sha256 == hashlib.sha256(models.read_bytes()).hexdigest()
    assert policy.origin("clearview") == Origin(
        id="clearview", provider="Clearview AI", collection="untargeted-scraping", lawful=False,
        categories=("user.biometric.face", "user.name"), purposes=(),
        evidence=("OPC Canada, PIPEDA Findings #2021-001 (2021-02-02)",))
    source = policy.sources[0]
    assert (source.calls, source.reads, source.params) == (
        ("clearview.Client.search", "clearview.Client().search"), ("myapp.settings.SCRAPED_FACES",),
        ("myapp.api.ingest:payload",))
    assert (source.taints, source.categories) == ("return", None)
    assert policy.sinks == (Sink(kind="collection.store", calls=("sqlite3.connect().execute",),
                                 args=(1, "parameters"), purpose="analytics"),)


def test_values_and_defaults(in_tmp: Path) -> None:
    write(in_tmp, "origins.toml", ORIGINS)
    write(in_tmp, "models.toml", MODELS)
    policy = load_policy(["origins.toml", "models.toml"], in_tmp)
    assert policy.propagators == (
        Propagator(calls=("json.loads",), from_=(0, "s"), to="receiver"),
        Propagator(calls=("base64.b64encode",), from_="args", to="return"),
    )
    assert policy.transforms[0].adds == ("user.biometric.face_template",)
    assert (policy.sanitizers[0].clears, policy.sanitizers[0].marks) == ("all", ("anonymised",))
    guard = policy.guards[0]
    assert (guard.when, guard.applies, guard.clears, guard.marks) == ("returns", "branch", "all", ("consent.written",))
    rule = policy.rules[0]
    assert (rule.id, rule.name, rule.severity, rule.cite, rule.rationale) == (
        "ACME-901", "scraped-stored", "warning", ("Privacy Act (Canada) s. 4",), "Because.")
    assert rule.when == Condition(lawful=(False, "unknown"), sink_kind=("collection.*",),
                                  origin=("clearview", "other*"), purpose_incompatible=(True,))
    assert rule.unless == Condition(marks=("consent.*",))


def test_entry_refs_carry_file_table_index_and_header_line(in_tmp: Path) -> None:
    write(in_tmp, "models.toml", MODELS)
    write(in_tmp, "origins.toml", ORIGINS)
    policy = load_policy(["models.toml", "origins.toml"], in_tmp)
    assert policy.sinks[0].ref == EntryRef("models.toml", "sinks", 1, 5)
    assert policy.propagators[1].ref == EntryRef("models.toml", "propagators", 2, 16)
    assert policy.rules[0].ref == EntryRef("models.toml", "rules", 1, 34)
    assert str(policy.origins[0].ref) == "origins.toml: [[origins]] #1 (line 4)"


def test_folder_loads_its_toml_files_sorted_and_not_recursively(in_tmp: Path) -> None:
    folder = in_tmp / "policies"
    (folder / "nested").mkdir(parents=True)
    write(folder, "b.toml", ORIGINS)
    write(folder, "a.toml", MODELS)
    write(folder, "notes.txt", "not a policy")
    write(folder / "nested", "c.toml", "this is not even TOML")
    policy = load_policy(["./policies"], in_tmp)
    assert [f.path for f in policy.files] == ["policies/a.toml", "policies/b.toml"]


def test_relative_paths_resolve_against_base_dir_and_absolute_paths_do_not(in_tmp: Path) -> None:
    base = in_tmp / "project"
    base.mkdir()
    write(base, "origins.toml", ORIGINS)
    elsewhere = write(in_tmp, "models.toml", MODELS)
    policy = load_policy(["origins.toml", str(elsewhere)], base)
    assert [f.path for f in policy.files] == ["project/origins.toml", "models.toml"]


def test_display_path_is_absolute_outside_the_working_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "cwd").mkdir()
    monkeypatch.chdir(tmp_path / "cwd")
    path = write(tmp_path, "origins.toml", ORIGINS)
    assert load_policy([path], tmp_path).files[0].path == str(path)


def test_the_same_file_named_twice_is_loaded_once(in_tmp: Path) -> None:
    write(in_tmp, "origins.toml", ORIGINS)
    policy = load_policy(["origins.toml", "./origins.toml", in_tmp / "origins.toml", "."], in_tmp)
    assert [f.path for f in policy.files] == ["origins.toml"]
    assert len(policy.origins) == 1


def test_no_refs_loads_every_shipped_pack(tmp_path: Path) -> None:
    policy = load_policy([], tmp_path)
    assert [f.name for f in policy.files] == pack_names()


def test_pack_name_and_pack_path_load_the_same_file(tmp_path: Path) -> None:
    by_name = load_policy(["core"], tmp_path)
    by_path = load_policy([pack_path("core")], tmp_path)
    assert by_name.rules == by_path.rules
    assert by_name.files[0].sha256 == by_path.files[0].sha256


def test_shipped_pack_display_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert load_policy(["core"], tmp_path).files[0].path == "<pack core>"
    monkeypatch.chdir(pack_path("core").parent.parent)
    assert load_policy(["core"], tmp_path).files[0].path == f"{pack_path('core').parent.name}/core.toml"


def test_bare_name_that_is_no_pack_but_an_existing_folder_is_a_path(in_tmp: Path) -> None:
    (in_tmp / "mypolicies").mkdir()
    write(in_tmp / "mypolicies", "origins.toml", ORIGINS)
    assert [f.path for f in load_policy(["mypolicies"], in_tmp).files] == ["mypolicies/origins.toml"]


def test_errors_of_all_files_are_collected(in_tmp: Path) -> None:
    write(in_tmp, "a.toml", '[policy]\nname = "a"\n[[sinks]]\nkind = "collection.file"\n')
    write(in_tmp, "b.toml", '[policy]\nname = 3\n')
    write(in_tmp, "c.toml", 'name = \n')
    assert errors_of(["a.toml", "b.toml", "c.toml", "missing.toml", "nopack"], in_tmp) == [
        "unknown policy pack 'nopack'; available: " + ", ".join(pack_names()),
        "a.toml: [[sinks]] #1 (line 3): calls: missing required key",
        "b.toml: [policy] (line 2): name: expected a string, got an integer",
        "c.toml: line 1, column 8: invalid TOML: Invalid value",
        "missing.toml: no such file or folder",
    ]


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root can read anything")
def test_unreadable_file(in_tmp: Path) -> None:
    path = write(in_tmp, "secret.toml", ORIGINS)
    path.chmod(0)
    assert errors_of(["secret.toml"], in_tmp) == ["secret.toml: cannot read: Permission denied"]


def test_empty_ref_is_an_error(in_tmp: Path) -> None:
    assert errors_of([""], in_tmp) == ["'': empty policy pack name or path"]


# --- line numbers ------------------------------------------------------------------------------


def test_headers_inside_multiline_strings_are_not_entries(in_tmp: Path) -> None:
    write(in_tmp, "p.toml", '''\
        [policy]
        name = "p"
        description = """
        [[sinks]]
        kind = "not a sink"
        """

        [[sinks]]
        kind = "collection.stor"
        calls = ["a.b"]
        ''')
    assert errors_of(["p.toml"], in_tmp) == [
        "p.toml: [[sinks]] #1 (line 9): kind: unknown sink kind 'collection.stor'; did you mean 'collection.store'? "
        "(or declare it in [vocabulary] sink_kinds)"]


def test_rule_subtable_after_other_tables_is_found(in_tmp: Path) -> None:
    write(in_tmp, "p.toml", '''\
        [policy]
        name = "p"

        [[rules]]
        id = "ACME-901"
        name = "a"
        severity = "note"
        message = "m"
        when = {}

        [[rules]]
        id = "ACME-902"
        name = "b"
        severity = "note"
        message = "m"

        [[sinks]]
        kind = "collection.file"
        calls = ["a.b"]

        [rules.when]
        sink_kinds = ["collection.*"]
        ''')
    assert errors_of(["p.toml"], in_tmp) == [
        "p.toml: [[rules]] #2 (line 22): when.sink_kinds: unknown key; did you mean 'sink_kind'?"]


def test_dotted_and_inline_keys_point_at_their_line(in_tmp: Path) -> None:
    write(in_tmp, "p.toml", '''\
        [policy]
        name = "p"

        [[rules]]
        id = "ACME-901"
        name = "a"
        severity = "note"
        message = "m"
        when.lawful = ["no"]
        unless = { marks = [1] }
        ''')
    assert errors_of(["p.toml"], in_tmp) == [
        "p.toml: [[rules]] #1 (line 9): when.lawful[0]: invalid value 'no'; expected true, false or 'unknown'",
        "p.toml: [[rules]] #1 (line 10): unless.marks[0]: expected a string, got an integer",
    ]


def test_entry_that_is_not_a_table(in_tmp: Path) -> None:
    write(in_tmp, "p.toml", 'sinks = ["a.b"]\n[policy]\nname = "p"\n')
    assert errors_of(["p.toml"], in_tmp) == ["p.toml: [[sinks]] #1 (line 1): expected a table, got a string"]


# --- name validators ---------------------------------------------------------------------------


@pytest.mark.parametrize("pattern", [
    "sqlite3.connect().cursor().execute", "open().write", "*", "requests.*", "a.*.b", "*.execute",
    "myapp.[a-z]*.save", "myapp.db.sav?", "myapp.[!_]*", "clearview.Client.search", "_private.__init__",
    "myapp.*()", "données.écrire", "pymongo.MongoClient()[][].insert_one", "sqlalchemy.*.all()[].*",
])
def test_valid_call_patterns(pattern: str) -> None:
    assert validate_call_pattern(pattern) is None


@pytest.mark.parametrize(("pattern", "problem"), [
    ("", "empty name"),
    ("a b", "contains whitespace"),
    (".a", "leading dot"),
    ("a.", "trailing dot"),
    ("a..b", "empty segment (double dot)"),
    ("a.[bc", "unbalanced '[' in segment '[bc'"),
    ("a.bc]", "unbalanced ']' in segment 'bc]'"),
    ("a.[]", "segment '[]' has no name before '()' or '[]'"),
    ("a.b[]c", "empty character class in segment 'b[]c'"),
    ("a.b(", "unbalanced parenthesis in segment 'b('"),
    ("a.b)", "unbalanced parenthesis in segment 'b)'"),
    ("a.b(x)", "calls are written '()' without arguments, in segment 'b(x)'"),
    ("a.b()c", "'()' may only end a segment, in segment 'b()c'"),
    ("a.().b", "segment '()' has no name before '()' or '[]'"),
    ("a.1b", "segment '1b' is not a Python identifier"),
    ("a-b.c", "unexpected character '-' in segment 'a-b'"),
    ("a.b/c", "unexpected character '/' in segment 'b/c'"),
    ("a.[.]", "unbalanced '[' in segment '['"),
])
def test_invalid_call_patterns(pattern: str, problem: str) -> None:
    assert validate_call_pattern(pattern) == problem


@pytest.mark.parametrize("pattern", ["myapp.api.ingest:payload", "myapp.*:payload", "myapp.Handler.post:*", "m.f:p?"])
def test_valid_param_patterns(pattern: str) -> None:
    assert validate_param_pattern(pattern) is None


@pytest.mark.parametrize(("pattern", "problem"), [
    ("myapp.ingest", "expected 'module.function:parameter' (exactly one ':')"),
    ("a:b:c", "expected 'module.function:parameter' (exactly one ':')"),
    (":p", "missing function before ':'"),
    ("m.f:", "missing parameter after ':'"),
    ("m.f():p", "the function part may not go through calls '()'"),
    ("m..f:p", "empty segment (double dot)"),
    ("m.f:1p", "segment '1p' is not a Python identifier"),
    ("m.f:p q", "contains whitespace"),
])
def test_invalid_param_patterns(pattern: str, problem: str) -> None:
    assert validate_param_pattern(pattern) == problem


@pytest.mark.parametrize("pattern", ["user.biometric*", "user.*", "*", "user.contact.email", "user.biometric.face_template"])
def test_valid_category_patterns(pattern: str) -> None:
    assert validate_category_pattern(pattern) is None


@pytest.mark.parametrize(("pattern", "problem"), [
    ("User.name", "segment 'User' must be lowercase letters, digits and '_'"),
    ("user..name", "empty segment (double dot)"),
    ("user.e-mail", "unexpected character '-' in segment 'e-mail'"),
    ("user.naïve", "unexpected character 'ï' in segment 'naïve'"),
    ("", "empty name"),
])
def test_invalid_category_patterns(pattern: str, problem: str) -> None:
    assert validate_category_pattern(pattern) == problem


def test_plain_category_has_no_globs() -> None:
    assert validate_category("user.biometric.face") is None
    assert validate_category("user.*") == "glob characters are not allowed here"


# --- shipped packs -----------------------------------------------------------------------------


def test_core_is_shipped() -> None:
    assert "core" in pack_names()
    assert pack_path("core").name == "core.toml"


def test_unknown_pack_suggests_the_closest() -> None:
    with pytest.raises(FlowlintError, match=r"^unknown policy pack 'cre'; available: .*core.*; did you mean 'core'\?$"):
        pack_path("cre")


@pytest.mark.parametrize("name", pack_names())
def test_every_shipped_pack_validates_and_is_listed(name: str, in_tmp: Path) -> None:
    policy = load_policy([name], in_tmp)
    assert [f.name for f in policy.files] == [name]
    result = subprocess.run([sys.executable, "-m", "flowlint", "policy", "list", "--isolated", name],
                            cwd=in_tmp, capture_output=True, text=True, timeout=120)
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == describe_policy(policy) + "\n"
    assert f"{name}  <pack {name}>  sha256:" in result.stdout
    for rule in policy.rules:
        assert f"{rule.id}  {rule.name}  {rule.severity}" in result.stdout


def test_core_rules_are_cited_and_explained(tmp_path: Path) -> None:
    rules = {rule.id: rule for rule in load_policy(["core"], tmp_path).rules}
    assert {"FL101", "FL102", "FL103"} <= set(rules)
    for rule in rules.values():
        assert rule.cite and rule.rationale.strip()
    assert rules["FL101"].when == Condition(lawful=(False,), sink_kind=("collection.*",))
    assert rules["FL102"].when == Condition(lawful=("unknown",), sink_kind=("collection.*",))
    assert rules["FL103"].when == Condition(lawful=(False,), sink_kind=("disclosure.*",))


# --- listing -----------------------------------------------------------------------------------


def test_describe_lists_every_section(in_tmp: Path) -> None:
    write(in_tmp, "origins.toml", ORIGINS)
    write(in_tmp, "models.toml", MODELS)
    text = describe_policy(load_policy(["origins.toml", "models.toml"], in_tmp))
    digest = hashlib.sha256((in_tmp / "origins.toml").read_bytes()).hexdigest()[:12]
    assert text.splitlines() == [
        "Policy files (2):",
        f"  origins  origins.toml  sha256:{digest}",
        f"  models  models.toml  sha256:{hashlib.sha256((in_tmp / 'models.toml').read_bytes()).hexdigest()[:12]}",
        "Origins (1):",
        "  clearview  provider='Clearview AI'  lawful=false  collection=untargeted-scraping",
        "      categories=user.biometric.face, user.name",
        "Sources (1):",
        "  clearview <- calls clearview.Client.search, clearview.Client().search; reads",
        "      myapp.settings.SCRAPED_FACES; params myapp.api.ingest:payload",
        "Sinks (1):",
        "  collection.store <- calls sqlite3.connect().execute  args=[1, parameters]  purpose=analytics",
        "Propagators (2):",
        "  json.loads: args [0, s] -> receiver",
        "  base64.b64encode: args -> return",
        "Transforms (1):",
        "  face_recognition.face_encodings: adds user.biometric.face_template",
        "Sanitizers (1):",
        "  myapp.privacy.anonymise: clears all, marks anonymised",
        "Guards (1):",
        "  myapp.consent.has_written_release: when returns, applies to branch, clears all, marks",
        "      consent.written",
        "Rules (1):",
        "  ACME-901  scraped-stored  warning",
    ]


def test_describe_empty_sections() -> None:
    from flowlint.policy.model import Policy

    assert describe_policy(Policy()).splitlines()[:2] == ["Policy files: none", "Origins: none"]


def test_duplicate_rule_names_and_conflicting_copies(in_tmp: Path) -> None:
    rule = '[[rules]]\nid = "{id}"\nname = "same-name"\nseverity = "{severity}"\nmessage = "m"\nwhen = {{}}\n'
    write(in_tmp, "a.toml", '[policy]\nname = "a"\n' + rule.format(id="ACME-901", severity="note")
          + rule.format(id="ACME-902", severity="note"))
    write(in_tmp, "b.toml", '[policy]\nname = "b"\n' + rule.format(id="ACME-901", severity="warning"))
    assert errors_of(["a.toml", "b.toml"], in_tmp) == [
        "a.toml: [[rules]] #2 (line 11): name: duplicate rule name 'same-name'; first defined at a.toml: [[rules]] #1 (line 3)",
        "b.toml: [[rules]] #1 (line 6): severity: rule 'ACME-901' differs from its definition at a.toml: [[rules]] #1 "
        "(line 3); a rule defined in several files must have the same name, severity, message, when and unless",
    ]


# --- one rule in several files (jurisdiction packs) ------------------------------------------------

MERGED_RULE = '''\
[policy]
name = "{name}"

[[rules]]
id = "ACME-901"
name = "scraped-stored"
severity = "error"
message = "{{provider}} data reaches {{sink_kind}}"
cite = {cite}
rationale = """
{rationale}
"""
[rules.when]
lawful = [false]
sink_kind = ["collection.*"]
[rules.unless]
marks = ["consent.written"]
{examples}'''


def merged_rule(name: str, cite: str, rationale: str, examples: str = "", **replace: str) -> str:
    text = MERGED_RULE.format(name=name, cite=cite, rationale=rationale, examples=examples)
    for old, new in replace.items():
        text = text.replace(old, new)
    return text


def test_identical_rules_in_several_files_merge(in_tmp: Path) -> None:
    write(in_tmp, "a.toml", merged_rule("a", '["Law A s. 1", "Shared"]', "Because of A."))
    write(in_tmp, "b.toml", merged_rule("b", '["Shared", "Law B art. 2"]', "Because of B.",
                                        '[rules.examples]\nflagged = "bad()"\nclean = "good()"\n'))
    write(in_tmp, "c.toml", merged_rule("c", '["Law C"]', "Because of A.",
                                        '[rules.examples]\nflagged = "other()"\n'))
    policy = load_policy(["a.toml", "b.toml", "c.toml"], in_tmp)
    [rule] = policy.rules
    assert rule.cite == ("Law A s. 1", "Shared", "Law B art. 2", "Law C")
    assert rule.rationale == "Because of A.\n\nBecause of B."
    assert (rule.flagged_example, rule.clean_example) == ("bad()", "good()")
    assert rule.ref == EntryRef("a.toml", "rules", 1, 4)
    assert [ref.file for ref in rule.defined_at] == ["a.toml", "b.toml", "c.toml"]
    assert rule.when == Condition(lawful=(False,), sink_kind=("collection.*",))
    assert describe_policy(policy).splitlines()[-1] == "  ACME-901  scraped-stored  error  (defined in a, b, c)"


@pytest.mark.parametrize(("old", "new", "key", "line"), [
    ('name = "scraped-stored"', 'name = "scraped-kept"', "name", 6),
    ('message = "{provider} data', 'message = "{provider} records', "message", 8),
    ('lawful = [false]', 'lawful = [false, "unknown"]', "when.lawful", 14),
    ('sink_kind = ["collection.*"]', 'sink_kind = ["collection.store"]', "when.sink_kind", 15),
    ('[rules.unless]\nmarks = ["consent.written"]', '', "unless", 4),
    ('marks = ["consent.written"]', 'marks = ["consent.*"]', "unless.marks", 17),
])
def test_differing_copies_are_reported_at_the_first_differing_key(in_tmp: Path, old: str, new: str, key: str,
                                                                   line: int) -> None:
    write(in_tmp, "a.toml", merged_rule("a", '["A"]', "A."))
    write(in_tmp, "b.toml", merged_rule("b", '["B"]', "B.", **{old: new}))
    assert errors_of(["a.toml", "b.toml"], in_tmp) == [
        f"b.toml: [[rules]] #1 (line {line}): {key}: rule 'ACME-901' differs from its definition at a.toml: [[rules]] #1 "
        "(line 4); a rule defined in several files must have the same name, severity, message, when and unless",
    ]


def test_the_same_rule_twice_in_one_file_is_a_duplicate(in_tmp: Path) -> None:
    write(in_tmp, "a.toml", merged_rule("a", '["A"]', "A."))
    twice = merged_rule("b", '["B"]', "B.")
    write(in_tmp, "b.toml", twice + twice[twice.index("[[rules]]"):])
    assert errors_of(["a.toml", "b.toml"], in_tmp) == [
        "b.toml: [[rules]] #2 (line 19): id: duplicate rule id 'ACME-901'; first defined at b.toml: [[rules]] #1 (line 4)",
    ]


def test_a_copy_with_mistakes_reports_only_its_mistakes(in_tmp: Path) -> None:
    write(in_tmp, "a.toml", merged_rule("a", '["A"]', "A."))
    write(in_tmp, "b.toml", merged_rule("b", '["B"]', "B.", **{"lawful = [false]": "lawfull = [false]"}))
    assert errors_of(["a.toml", "b.toml"], in_tmp) == [
        "b.toml: [[rules]] #1 (line 14): when.lawfull: unknown key; did you mean 'lawful'?",
    ]


def test_rule_examples(in_tmp: Path) -> None:
    examples = "[rules.examples]\nflagged = '''\nimport x\nx.bad()\n'''\nclean = \"x.good()\"\n"
    write(in_tmp, "a.toml", merged_rule("a", '["A"]', "A.", examples))
    rule = load_policy(["a.toml"], in_tmp).rules[0]
    assert (rule.flagged_example, rule.clean_example) == ("import x\nx.bad()\n", "x.good()")


def test_rule_examples_mistakes(in_tmp: Path) -> None:
    write(in_tmp, "a.toml", merged_rule("a", '["A"]', "A.", "[rules.examples]\nflaged = 'x'\nclean = 3\n"))
    write(in_tmp, "b.toml", merged_rule("b", '["A"]', "A.", **{"[rules.when]": "examples = 'x'\n[rules.when]"})
          .replace("ACME-901", "ACME-902").replace("scraped-stored", "other-rule"))
    assert errors_of(["a.toml", "b.toml"], in_tmp) == [
        "a.toml: [[rules]] #1 (line 19): examples.flaged: unknown key; did you mean 'flagged'?",
        "a.toml: [[rules]] #1 (line 20): examples.clean: expected a string, got an integer",
        "b.toml: [[rules]] #1 (line 13): examples: expected a table, got a string",
    ]


# --- endpoint sources and sinks (`urls`) ---------------------------------------------------------

URLS = """\
[policy]
name = "endpoints"

[[origins]]
id = "vk"
provider = "VK"
collection = "platform-api"
lawful = false
categories = ["user.name"]

[[sources]]
origin = "vk"
urls = ["https://api.vk.com/method/users.*", "*://*.vk.com/*"]

[[sinks]]
kind = "disclosure.third_party"
urls = ["https://hooks.example.com/*"]

[[sinks]]
kind = "disclosure.third_party"
calls = ["smtplib.SMTP().sendmail"]
urls = []
args = ["json"]
"""


def test_urls_on_sources_and_sinks(in_tmp: Path) -> None:
    write(in_tmp, "endpoints.toml", URLS)
    policy = load_policy(["endpoints.toml"], in_tmp)
    source = policy.sources[0]
    assert (source.urls, source.calls, source.taints) == (
        ("https://api.vk.com/method/users.*", "*://*.vk.com/*"), (), "return")
    assert policy.sinks[0] == Sink(kind="disclosure.third_party", urls=("https://hooks.example.com/*",))
    assert (policy.sinks[1].calls, policy.sinks[1].urls, policy.sinks[1].args) == (
        ("smtplib.SMTP().sendmail",), (), ("json",))


@pytest.mark.parametrize("pattern", [
    "*", "https://api.vk.com/method/users.*", "http://example.com", "*://*.vk.com/*", "https://*/graphql",
    "https://user@host:8443/path?q=[1]#frag", "http?://graph.facebook.com/v*/me", "https://[::1]:8080/x",
])
def test_valid_url_patterns(pattern: str) -> None:
    assert validate_url_pattern(pattern) is None


@pytest.mark.parametrize(("pattern", "problem"), [
    ("api.vk.com/method/*", "no scheme; write the whole URL, like 'https://api.vk.com/method/*'"),
    ("//api.vk.com/*", "no scheme; write the whole URL, like 'https://api.vk.com/*'"),
    ("https:api.vk.com", "expected '://' after the scheme 'https'"),
    ("https://", "no host after '://'; use '*' for any host"),
    ("https:///users", "no host after '://'; use '*' for any host"),
    ("1https://a", "invalid scheme '1https'; expected a scheme such as 'https' (globs allowed)"),
    ("://a/b", "invalid scheme ''; expected a scheme such as 'https' (globs allowed)"),
    ("https://a b/", "contains whitespace"),
    ("https://a\x01/", "contains a control character"),
    ("https://a^b/", "unexpected character '^' in host 'a^b'"),
])
def test_invalid_url_patterns(pattern: str, problem: str) -> None:
    assert validate_url_pattern(pattern) == problem


# --- field-level categories (`[sources.fields]`) -------------------------------------------------


def test_source_fields_flatten_to_dotted_paths(in_tmp: Path) -> None:
    write(in_tmp, "fields.toml", ORIGINS + """
[[sources]]
origin = "clearview"
calls = ["clearview.Client().match"]
[sources.fields]
name = ["user.name"]
score = []
"thumbnail.url" = ["user.biometric.face"]
owner.profile = ["user.name"]
"*" = ["user.name"]
[sources.fields.links]
"*" = []
""")
    source = load_policy(["fields.toml"], in_tmp).sources[1]
    assert source.fields == (
        ("name", ("user.name",)), ("score", ()), ("thumbnail.url", ("user.biometric.face",)),
        ("owner.profile", ("user.name",)), ("*", ("user.name",)), ("links.*", ()),
    )
    assert load_policy(["fields.toml"], in_tmp).sources[0].fields == ()


def test_empty_source_fields(in_tmp: Path) -> None:
    write(in_tmp, "fields.toml", ORIGINS + "fields = {}\n")
    assert errors_of(["fields.toml"], in_tmp) == [
        "fields.toml: [[sources]] #1 (line 18): fields: must name at least one field",
    ]


# --- vocabularies ------------------------------------------------------------------------------


def test_the_base_vocabulary_is_loaded_with_any_selection_and_not_listed(in_tmp: Path) -> None:
    policy = load_policy(["scrapers"], in_tmp)
    assert [f.name for f in policy.files] == ["scrapers"]
    assert "collection.store" in policy.vocabulary.sink_kinds
    assert "untargeted-scraping" in policy.vocabulary.collection
    assert "vocabulary" not in pack_names()
    with pytest.raises(FlowlintError, match="unknown policy pack 'vocabulary'"):
        pack_path("vocabulary")


def test_a_declared_category_declares_its_parents_not_its_children(in_tmp: Path) -> None:
    write(in_tmp, "v.toml", '''\
        [policy]
        name = "v"
        [vocabulary]
        categories = ["user.health.vaccination.dose"]
        collection = ["referral"]
        ''')
    write(in_tmp, "o.toml", '''\
        [policy]
        name = "o"
        [[origins]]
        id = "clinic"
        provider = "Clinic"
        collection = "referral"
        lawful = true
        categories = ["user.health", "user.health.vaccination", "user.health.vaccination.dose"]
        ''')
    policy = load_policy(["o.toml", "v.toml"], in_tmp)
    assert {"user.health", "user.health.vaccination", "user.health.vaccination.dose"} <= set(policy.vocabulary.categories)
    assert policy.vocabulary.collection[-1] == "referral"
    write(in_tmp, "child.toml", (in_tmp / "o.toml").read_text().replace('"user.health"', '"user.health.vaccination.dose.x"'))
    assert errors_of(["child.toml", "v.toml"], in_tmp) == [
        "child.toml: [[origins]] #1 (line 8): categories[0]: unknown category 'user.health.vaccination.dose.x'; "
        "did you mean 'user.health.vaccination.dose'? (or declare it in [vocabulary] categories)"]


@pytest.mark.parametrize(("pattern", "problem"), [
    ("user.biometric*", None),
    ("*", None),
    ("user.*.face", None),
    ("user.biometrics.*", "'user.biometrics.*' matches no category; did you mean 'user.biometric.*'?"),
    ("health.*", "'health.*' matches no category; nothing declared is close (a glob must match a declared category)"),
])
def test_category_globs_must_match_a_declared_category(pattern: str, problem: str | None) -> None:
    from flowlint.explain import base_vocabulary
    from flowlint.policy.vocabulary import pattern_problem

    assert pattern_problem(base_vocabulary(), "categories", pattern) == problem


# --- rule ids ----------------------------------------------------------------------------------

RULE = '''\
[policy]
name = "{name}"
[[rules]]
id = "{id}"
name = "{rule_name}"
severity = "error"
message = "Data from {{provider}} reaches {{sink_kind}}."
[rules.when]
lawful = [false]
'''


@pytest.mark.parametrize("rule_id", ["ACME-001", "A", "MY_ORG-7", "X9"])
def test_a_project_rule_takes_any_id_not_starting_with_fl(rule_id: str, in_tmp: Path) -> None:
    write(in_tmp, "p.toml", RULE.format(name="p", id=rule_id, rule_name="own-rule"))
    assert [rule.id for rule in load_policy(["p.toml"], in_tmp).rules] == [rule_id]


@pytest.mark.parametrize(("rule_id", "problem"), [
    ("FL777", "invalid rule id 'FL777': ids starting with 'FL' are reserved for flowlint's shipped rules; give a rule "
              "of your own an id with your own prefix, like 'ACME-777'"),
    ("FL901", "invalid rule id 'FL901': ids starting with 'FL' are reserved for flowlint's shipped rules; give a rule "
              "of your own an id with your own prefix, like 'ACME-901'"),
    ("acme-001", "invalid rule id 'acme-001'; did you mean 'ACME-001'?"),
    ("1ACME", "invalid rule id '1ACME'; expected a capital letter, then capital letters, digits, '-' and '_', "
              "like 'ACME-001'"),
])
def test_bad_project_rule_ids(rule_id: str, problem: str, in_tmp: Path) -> None:
    write(in_tmp, "p.toml", RULE.format(name="p", id=rule_id, rule_name="own-rule"))
    assert errors_of(["p.toml"], in_tmp) == [f"p.toml: [[rules]] #1 (line 4): id: {problem}"]


def test_a_project_file_may_redefine_a_shipped_rule_without_its_pack(in_tmp: Path) -> None:
    """As today: an FL id a pack defines may be used by a project file (alone, or merged)."""
    write(in_tmp, "p.toml", RULE.format(name="p", id="FL101", rule_name="my-fl101"))
    assert [rule.name for rule in load_policy(["p.toml"], in_tmp).rules] == ["my-fl101"]


def test_a_shipped_pack_keeps_fl_ids(in_tmp: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file among the packs is held to `FL` + three digits (here a file taken for one)."""
    monkeypatch.setattr("flowlint.policy.load.is_shipped", lambda path: path.name.startswith("shipped"))
    write(in_tmp, "shipped-own.toml", RULE.format(name="own", id="ACME-001", rule_name="own-rule"))
    write(in_tmp, "shipped-fl.toml", RULE.format(name="fl", id="FL777", rule_name="fl-rule"))
    assert [rule.id for rule in load_policy(["shipped-fl.toml"], in_tmp).rules] == ["FL777"]
    assert errors_of(["shipped-own.toml"], in_tmp) == [
        "shipped-own.toml: [[rules]] #1 (line 4): id: invalid rule id 'ACME-001'; a shipped rule's id is 'FL' and "
        "three digits, like 'FL101'"]


def test_errors_name_a_shipped_pack_by_its_real_path_and_the_policy_by_its_pack_name(in_tmp: Path) -> None:
    write(in_tmp, "p.toml", RULE.format(name="p", id="FL101", rule_name="my-fl101"))
    messages = errors_of(["core", "p.toml"], in_tmp)
    assert len(messages) == 1
    assert f"differs from its definition at {os.path.abspath(pack_path('core'))}: [[rules]] #1 (line " in messages[0]
    assert "<pack" not in messages[0]
    assert load_policy(["core"], in_tmp).rules[0].ref.file == "<pack core>"
