"""Which modules the analysis starts from (flowlint.analysis.relevance), and that skipping the
rest changes no finding: a project that never names a source is not analysed at all."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from flowlint.analysis.engine import Engine
from flowlint.analysis.models import Models
from flowlint.analysis.relevance import _literal_prefix, entry_modules
from flowlint.frontend import parse_source
from flowlint.policy.load import load_policy
from flowlint.policy.model import Policy
from flowlint.program import Program

REPO = Path(__file__).resolve().parents[1]
POLICY = REPO / "tests" / "fixtures" / "engine" / "policy.toml"


@pytest.mark.parametrize(("pattern", "prefix"), [
    ("taintlib.source", "taintlib.source"),
    ("taintlib.Client().search", "taintlib.Client"),
    ("facebook_scraper.get_*", "facebook_scraper"),
    ("instagram_private_api.*Client.username_info", "instagram_private_api"),
    ("snscrape.modules.*Scraper().entity", "snscrape.modules"),
    ("os.environ", "os.environ"),
    # could name anything: no module can be ruled out
    ("*.on_tweet:tweet", None),
    ("taint*.source", None),
    ("input", None),
    ("open().read", None),
    ("[ab]lib.source", None),
])
def test_literal_prefix(pattern: str, prefix: str | None) -> None:
    assert _literal_prefix(pattern) == prefix


def test_entry_modules_go_up_to_importers_then_down_to_what_they_import() -> None:
    graph = {"views": {"service", "forms"}, "service": {"vendor", "db"}, "vendor": set(), "db": {"util"},
             "forms": set(), "util": set(), "scripts": {"util"}, "unrelated": set()}
    assert entry_modules(graph, {"vendor"}) == {"vendor", "service", "views", "db", "forms", "util"}
    assert entry_modules(graph, set()) == set()


def run(project: Path, *extra: str) -> dict:
    done = subprocess.run([sys.executable, "-m", "flowlint", "check", "--isolated", "--no-cache", "--format", "json",
                           "--exit-zero", "--timings", "--policy", str(POLICY), *extra, str(project)],
                          capture_output=True, text=True, cwd=REPO, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_unrelated_modules_do_not_change_findings(tmp_path: Path) -> None:
    """The same flows with and without a large body of code that never touches a source."""
    (tmp_path / "app.py").write_text("import taintlib\nimport helpers\n\n\ndef main():\n"
                                     "    taintlib.sink(helpers.wrap(taintlib.source()))\n")
    (tmp_path / "helpers.py").write_text("def wrap(x):\n    return [x]\n")
    alone = run(tmp_path)
    for number in range(60):
        (tmp_path / f"lib{number}.py").write_text(
            "import helpers\n\n\n" + "".join(f"def f{i}(a, b):\n    c = helpers.wrap(a)\n    return c + [b]\n\n\n"
                                             for i in range(40)))
    bigger = run(tmp_path)
    key = [(f["rule_id"], f["sink"]["location"]["line"]) for f in alone["findings"]]
    assert key == [("FL101", 6)]
    assert [(f["rule_id"], f["sink"]["location"]["line"]) for f in bigger["findings"]] == key


def engine_for(sources: dict[str, str], policy_text: str) -> Engine:
    modules = [parse_source(text.encode(), name, f"{name}.py", False) for name, text in sources.items()]
    return Engine(Program.build(modules), Models(parse_policy(policy_text)))


def parse_policy(text: str) -> Policy:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "p.toml"
        path.write_text(text)
        return load_policy([str(path)], base_dir=Path(folder))


VENDOR_POLICY = """
[policy]
name = "vendor"

[[origins]]
id = "vendor"
provider = "VendorX"
collection = "untargeted-scraping"
lawful = false
categories = ["user.name"]

[[sources]]
origin = "vendor"
calls = ["vendorx.fetch"]

[[sinks]]
kind = "collection.store"
calls = ["taintlib.sink"]

[[rules]]
id = "FL101"
name = "unlawful-origin-collected"
severity = "error"
message = "Personal data from {provider} reaches {sink_kind}."
[rules.when]
lawful = [false]
"""


def test_a_project_that_never_names_a_source_is_not_analysed() -> None:
    code = {f"m{n}": "import taintlib\n\n\n" + "".join(f"def f{i}(x):\n    taintlib.sink(x)\n    return f{i}(x)\n\n\n"
                                                       for i in range(20)) for n in range(5)}
    engine = engine_for(code, VENDOR_POLICY)
    assert engine.run() == [] and not engine.analyses
    code["client"] = "import vendorx\nimport m0\n\n\ndef go():\n    m0.f1(vendorx.fetch())\n"
    engine = engine_for(code, VENDOR_POLICY)
    flows = engine.run()
    assert [(f.sink.site.path, f.sink.site.line) for f in flows] == [("m0.py", 10)]
    # only the modules on the way (client and what it imports) run their functions as entry points
    entry_functions = {context[0] for context in engine.analyses if "<" not in context[0]}
    assert entry_functions and all(name.startswith(("client.", "m0.")) for name in entry_functions)
