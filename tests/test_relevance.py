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
from flowlint.analysis.module_graph import import_graph, importers
from flowlint.analysis.relevance import StoreWriters, _literal_prefix, source_modules
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


def test_entry_modules_are_the_importers_not_what_they_import() -> None:
    graph = {"views": {"service", "forms"}, "service": {"vendor", "db"}, "vendor": set(), "db": {"util"},
             "forms": set(), "util": set(), "scripts": {"util"}, "unrelated": set()}
    assert importers(graph, {"vendor"}) == {"vendor", "service", "views"}
    assert importers(graph, set()) == set()


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


WRAPPED = ("def wrap(f):\n    def inner(*a):\n        return f(*a)\n    return inner\n\n\n"
           "@wrap\ndef helper(x):\n    return x\n\n\n@wrap\ndef unused(x):\n    return other(x)\n\n\n"
           "def other(x):\n    return x\n")


@pytest.mark.parametrize(("lib_imports_source", "analysed"), [(False, False), (True, True)])
def test_a_decorated_function_is_an_entry_point_only_in_an_entry_module(lib_imports_source: bool,
                                                                         analysed: bool) -> None:
    """Evaluating `lib`'s body (the client reads `lib.helper`, which its decorator computes) finds
    the wrappers of its decorated functions. In a module the analysis does not start from, they
    are analysed where they are called (`unused`, never called, is not: nor is what it calls);
    in an entry module (here `lib` names the source itself), they are entry points."""
    code = {"lib": ("import vendorx\n\n\n" if lib_imports_source else "") + WRAPPED,
            "client": "import lib\nimport taintlib\nimport vendorx\n\n\n"
                      "def go():\n    taintlib.sink(lib.helper(vendorx.fetch()))\n"}
    engine = engine_for(code, VENDOR_POLICY)
    assert [(f.sink.site.path, f.sink.site.line) for f in engine.run()] == [("client.py", 7)]
    functions = {context[0] for context in engine.analyses}
    assert {"lib.<module>", "lib.helper"} <= functions
    assert ("lib.other" in functions) is analysed and ("lib.unused" in functions) is analysed


def test_what_the_entry_points_import_is_analysed_only_where_they_call_it_or_read_its_state() -> None:
    """Entry points: the modules that name the source and their importers. A module they import is
    analysed only where they call it, and its body only when they read a global it computes."""
    helpers = "".join(f"def f{i}(x):\n    return [x]\n\n\n" for i in range(30))
    code = {
        "helpers": helpers + "def wrap(x):\n    return [x]\n",
        "config": "import sinkdb\n\nDB = sinkdb.open()\nNAME = 'static'\n\n\ndef unused():\n    return 0\n",
        "client": "import config\nimport helpers\nimport vendorx\n\n\ndef go():\n"
                  "    config.DB.save(helpers.wrap(vendorx.fetch()))\n",
    }
    policy = VENDOR_POLICY.replace('calls = ["taintlib.sink"]', 'calls = ["sinkdb.open().save"]')
    engine = engine_for(code, policy)
    assert [(f.sink.site.path, f.sink.site.line) for f in engine.run()] == [("client.py", 7)]
    assert sorted({context[0] for context in engine.analyses}) == [
        "client.<module>", "client.go", "config.<module>", "helpers.wrap"]


SETUP = {
    "state": "import os\n\nREGISTRY = {}\nDEFAULT = None\n\n\ndef define(x):\n    return x\n\n\n"
             "class Base:\n    conn = None\n    label = 'base'\n\n"
             "    def __init__(self):\n        self.db = open_db()\n\n"
             "    def rename(self, other):\n        other.title = 'x'\n\n"
             "    @classmethod\n    def configure(cls):\n        cls.conn = open_db()\n\n\n"
             "class Other:\n    def __init__(self):\n        self.db = None\n\n\n"
             "def make():\n    base = Base.__new__(Base)\n    base.db = open_db()\n    return base\n\n\n"
             "def reset():\n    global DEFAULT\n    DEFAULT = open_db()\n\n\n"
             "def setenv():\n    os.environ['Z'] = '0'\n\n\n"
             "def open_db():\n    return None\n",
    "plugins": "import state\nfrom state import REGISTRY\n\n\ndef setup():\n    state.REGISTRY['a'] = 1\n\n\n"
               "def more():\n    REGISTRY.update(b=2)\n\n\ndef local():\n    REGISTRY = {}\n    REGISTRY['c'] = 3\n",
    "elsewhere": "def setup():\n    REGISTRY = {}\n    REGISTRY['d'] = 4\n",
    "environment": "import os\nimport state\n\n\ndef configure():\n    os.environ['A'] = '1'\n\n\n"
                   "def through_state():\n    state.os.environ['B'] = '2'\n",
    "settings": "import os\n\n\ndef configure():\n    os.environ['C'] = '3'\n",
    "starred": "from state import *\n\n\ndef fill():\n    REGISTRY['e'] = 5\n",
}


@pytest.mark.parametrize(("key", "writers"), [
    # an instance field: methods of its class storing it, and functions of its module outside classes
    (("field", "state.Base", "db"), ["state.Base.__init__", "state.make"]),
    (("field", "state.Other", "db"), ["state.Other.__init__", "state.make"]),
    (("field", "state.Base", "title"), ["state.Base.rename"]),
    # a module global: the body that computes it, `global` writers, and stores through the
    # module's name in its importers (not a local of the same name, nor a module not importing it)
    (("global", ("state", "REGISTRY")), ["state.<module>", "plugins.more", "plugins.setup", "starred.fill"]),
    (("global", ("state", "DEFAULT")), ["state.<module>", "state.reset"]),
    (("global", ("state", "define")), []),  # an undecorated `def`: known without running anything
    # an importer's own `import os` is another object than `state.os`; `state.os` is not
    (("global", ("state", "os")), ["state.setenv", "environment.through_state"]),
    # a class attribute: the class body, and stores through `cls`
    (("global", ("state.Base", "conn")), ["state.Base.<body>", "state.Base.configure"]),
    (("global", ("state.Base", "__init__")), []),
    (("global", ("state.Base.configure", "x")), []),  # a closure cell: not found from the code
])
def test_store_writers(key: tuple, writers: list[str]) -> None:
    modules = [parse_source(text.encode(), name, f"{name}.py", False) for name, text in SETUP.items()]
    program = Program.build(modules)
    assert sorted(StoreWriters(program, import_graph(program)).of(key)) == sorted(writers)


def test_an_endpoint_source_is_named_by_a_request_method_not_by_anything_of_its_library() -> None:
    policy = VENDOR_POLICY.replace('calls = ["vendorx.fetch"]', 'urls = ["https://api.vendorx.example/*"]')
    code = {"paths": "from urllib.request import url2pathname\n", "fetcher": "import urllib.request\n",
            "opener": "from urllib.request import urlopen\n", "session": "from requests import Session\n",
            "errors": "from requests.exceptions import HTTPError\n"}
    modules = [parse_source(text.encode(), name, f"{name}.py", False) for name, text in code.items()]
    program = Program.build(modules)
    assert source_modules(program, Models(parse_policy(policy))) == {"fetcher", "opener", "session"}
