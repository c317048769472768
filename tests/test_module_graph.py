"""Which modules' code each module can run through its imports (flowlint.analysis.module_graph),
and that the entry points follow it: a package re-exporting a scraper does not make every module
importing the package a caller of the scraper."""

from __future__ import annotations

import pytest

from flowlint.analysis.engine import Engine
from flowlint.analysis.models import Models
from flowlint.analysis.module_graph import import_graph, importers
from flowlint.frontend import parse_source
from flowlint.program import Program
from test_relevance import VENDOR_POLICY, parse_policy

PACKAGE = {
    "pkg/__init__.py": "from .scraper import fetch\nfrom .util import helper\nfrom . import lazy\n"
                       "from .registry import handler\nDEBUG = False\n",
    "pkg/scraper.py": "import vendorx\n\n\ndef fetch():\n    return vendorx.fetch()\n",
    "pkg/util.py": "def helper(x):\n    return x\n",
    "pkg/lazy.py": "def later():\n    return 1\n",
    "pkg/registry.py": "from pkg.scraper import fetch\n\nhandler = fetch\n",
    "pkg/sub/__init__.py": "",
    "pkg/sub/deep.py": "def run():\n    return 2\n",
    "pkg/tools.py": "def lambdify():\n    return 3\n",
}


def program_of(files: dict[str, str]) -> Program:
    """``files``: path -> source."""
    return Program.build([parse_source(text.encode(), _module(path), path, path.endswith("__init__.py"))
                          for path, text in files.items()])


def graph_of(code: dict[str, str]) -> dict[str, set[str]]:
    """The package above, and ``code``: path -> source."""
    return import_graph(program_of({**PACKAGE, **code}))


def _module(path: str) -> str:
    name = path[: -len(".py")].replace("/", ".")
    return name[: -len(".__init__")] if name.endswith(".__init__") else name


@pytest.mark.parametrize(("code", "reached"), [
    # a re-exported name leads to the module defining it, not to all the package imports
    ("from pkg import helper\n\nhelper(1)\n", {"pkg.util"}),
    ("from pkg import fetch\n\nfetch()\n", {"pkg.scraper"}),
    # a name the package's module computes: the module that computes it
    ("from pkg import handler\n\nhandler()\n", {"pkg.registry"}),
    ("from pkg import DEBUG\n\nprint(DEBUG)\n", {"pkg"}),
    # a module object read through attributes: what each dotted path names
    ("import pkg\n\npkg.helper(1)\n", {"pkg", "pkg.util"}),
    ("import pkg\n\npkg.lazy.later()\n", {"pkg", "pkg.lazy"}),
    ("import pkg.sub.deep\n\npkg.sub.deep.run()\n", {"pkg", "pkg.sub", "pkg.sub.deep"}),
    ("import pkg\n\npkg.DEBUG = True\n", {"pkg"}),  # a store into the module: its own code
    # a module object used as a whole: every name it imports
    ("import pkg\n\nprint(pkg)\n", {"pkg", "pkg.scraper", "pkg.util", "pkg.lazy", "pkg.registry"}),
    ("from pkg import *\n", {"pkg", "pkg.scraper", "pkg.util", "pkg.lazy", "pkg.registry"}),
    # imported but never read by the code: no way in (who imports it from here gets there directly)
    ("from pkg import fetch\n", set()),
    # an import inside a function counts where it is read
    ("def go():\n    from pkg.scraper import fetch\n    return fetch()\n", {"pkg.scraper"}),
])
def test_what_a_module_can_run(code: str, reached: set[str]) -> None:
    assert graph_of({"app.py": code})["app"] == reached


def test_a_package_attribute_named_like_a_submodule_is_what_the_package_binds() -> None:
    """`from pkg import tools` gives the submodule; when the package binds the name itself
    (`from .tools import lambdify` as `lambdify`), importing it gives that function."""
    graph = graph_of({"pkg/__init__.py": "from .tools import lambdify\n",
                      "app.py": "from pkg import lambdify\n\nlambdify()\n",
                      "other.py": "from pkg import tools\n\ntools.lambdify()\n"})
    assert graph["app"] == {"pkg.tools"}
    assert graph["other"] == {"pkg.tools"}


def test_the_package_that_only_re_exports_a_source_module_is_not_its_caller() -> None:
    graph = graph_of({"app.py": "from pkg import helper\n\nhelper(1)\n",
                      "client.py": "from pkg import fetch\n\nfetch()\n"})
    assert importers(graph, {"pkg.scraper"}) == {"pkg.scraper", "pkg.registry", "client"}


def test_entry_points_follow_what_modules_run_not_what_they_import() -> None:
    """The flow through the re-exported scraper is found; a module that imports another name of
    the package is not analysed at all."""
    files = {
        "pkg/__init__.py": "from .scraper import fetch\nfrom .util import helper\n",
        "pkg/scraper.py": "import vendorx\n\n\ndef fetch():\n    return vendorx.fetch()\n",
        "pkg/util.py": "def helper(x):\n    return x\n",
        "client.py": "import taintlib\nfrom pkg import fetch\n\n\ndef go():\n    taintlib.sink(fetch())\n",
        "unrelated.py": "from pkg import helper\n\n\ndef work():\n    return helper(1)\n",
    }
    engine = Engine(program_of(files), Models(parse_policy(VENDOR_POLICY)))
    assert [(f.sink.site.path, f.sink.site.line) for f in engine.run()] == [("client.py", 6)]
    analysed = {context[0].split(".")[0] for context in engine.analyses}
    assert "client" in analysed and "unrelated" not in analysed
