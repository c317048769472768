"""Module resolution (flowlint.imports): the order of the search, the names left to libraries,
the folders the code puts on sys.path, one identity per module, and what the run reports."""

from __future__ import annotations

import functools
import shutil
import textwrap
from pathlib import Path

import engine_fixtures
import pytest

from flowlint import ir, pipeline
from flowlint.cache import IRCache
from flowlint.config import load_config
from flowlint.discover import discover
from flowlint.frontend import parse_source
from flowlint.imports import Resolved, Resolver, UnresolvedImport, sys_path_roots
from flowlint.policy.load import load_policy
from flowlint.program import Program

ENGINE = Path(__file__).parent / "fixtures" / "engine"
IMPORTS = ENGINE / "imports"


def write(root: Path, files: dict[str, str]) -> None:
    for relpath, text in files.items():
        path = root / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")


def modules_of(root: Path) -> list[ir.Module]:
    files, _ = discover(load_config([root], isolated=True))
    modules = [parse_source(f.path.read_bytes(), f.module, f.relpath, f.is_package) for f in files]
    assert all(isinstance(m, ir.Module) for m in modules)
    return modules  # type: ignore[return-value]


class Project:
    """A project written to a folder, and its resolver."""

    def __init__(self, root: Path, files: dict[str, str], import_roots: tuple[str, ...] = ()) -> None:
        write(root, files)
        self.modules = {m.path: m for m in modules_of(root)}
        self.resolver = Resolver(self.modules.values(), import_roots)

    def resolve(self, importer: str, dotted: str, level: int = 0) -> str | None:
        found = self.resolver.resolve(self.modules[importer], dotted, level)
        return found.module if found is not None else None


def test_the_search_order(tmp_path: Path) -> None:
    """Absolute name, own folder, import-roots, sys.path additions, src/, root, top-level packages."""
    project = Project(tmp_path, {
        "boot.py": "import sys\nsys.path.append('added')\n",
        "db.py": "",
        "crawler/db.py": "", "crawler/util.py": "", "crawler/run.py": "",
        "configured/util.py": "", "configured/both.py": "",
        "added/both.py": "", "added/only.py": "",
        "app/__init__.py": "", "app/services/__init__.py": "", "app/services/base.py": "",
        "app/api/__init__.py": "", "app/api/routes.py": "",
    }, import_roots=("configured",))
    assert project.resolver.roots == ("configured", "added", "", "app")
    assert project.resolve("crawler/run.py", "db") == "db"  # 1. the absolute name
    assert project.resolve("crawler/run.py", "util") == "crawler.util"  # 2. the importer's folder
    assert project.resolve("app/api/routes.py", "util") == "configured.util"  # 3. import-roots
    assert project.resolve("crawler/run.py", "both") == "configured.both"
    assert project.resolve("crawler/run.py", "only") == "added.only"  # 4. sys.path additions
    assert project.resolve("crawler/run.py", "crawler.db") == "crawler.db"  # 6. the root (also absolute)
    assert project.resolve("crawler/run.py", "services.base") == "app.services.base"  # 7. a top-level package
    assert project.resolver.resolve(project.modules["crawler/run.py"], "services.base", 0) == \
        Resolved("app.services.base", "app.services")
    assert project.resolve("crawler/run.py", "nothing") is None
    assert project.resolve("crawler/run.py", "requests") is None


def test_src_layout_root_package_and_namespaces(tmp_path: Path) -> None:
    project = Project(tmp_path / "repo", {
        "__init__.py": "",
        "pkg/__init__.py": "", "pkg/mod.py": "",
        "src/company/analytics/__init__.py": "", "src/company/analytics/store.py": "",
        "plugins/vk/collector.py": "",
        "main.py": "",
    })
    assert project.resolve("main.py", "pkg.mod") == "repo.pkg.mod"  # root __init__: discover says repo.pkg.mod
    assert project.resolve("main.py", "repo.pkg.mod") == "repo.pkg.mod"
    assert project.resolve("main.py", "company.analytics.store") == "analytics.store"  # below src/
    assert project.resolve("main.py", "plugins.vk.collector") == "plugins.vk.collector"  # in no package
    assert project.resolve("main.py", "plugins.vk") == "plugins.vk"  # a namespace package
    resolver = project.resolver
    assert resolver.is_namespace("plugins.vk") and not resolver.is_namespace("repo.pkg")
    assert resolver.submodule("plugins.vk", "collector") == "plugins.vk.collector"
    assert resolver.submodule("repo.pkg", "mod") == "repo.pkg.mod"
    assert resolver.submodule("repo.pkg.mod", "x") is None


def test_relative_imports_and_init(tmp_path: Path) -> None:
    project = Project(tmp_path, {
        "pkg/__init__.py": "", "pkg/a/__init__.py": "", "pkg/a/b.py": "", "pkg/c.py": "",
        "app/__init__.py": "", "app/main.py": "",
        "top.py": "",
    })
    assert project.resolve("pkg/a/b.py", "", 1) == "pkg.a"
    assert project.resolve("pkg/a/b.py", "c", 2) == "pkg.c"
    assert project.resolve("pkg/a/__init__.py", "b", 1) == "pkg.a.b"
    assert project.resolve("pkg/a/b.py", "", 3) is None  # the root is no package
    assert project.resolve("top.py", "x", 2) is None  # above the root
    assert project.resolve("app/main.py", "__init__") == "app"  # `from __init__ import x`


def test_names_left_to_libraries(tmp_path: Path) -> None:
    project = Project(tmp_path, {
        "proj/__init__.py": "from .celery import app\n",
        "proj/celery.py": "from celery import Celery\n",  # itself: the library
        "proj/logging.py": "",
        "proj/tasks.py": "import celery\nimport logging\n",
        "redis.py": "import redis\n",  # a wrapper named after its library
        "cache.py": "import redis\n",
        "json/data.py": "",
    })
    assert project.resolve("proj/celery.py", "celery") is None
    assert project.resolve("proj/tasks.py", "celery") is None  # proj/celery.py imports `celery`: a wrapper
    assert project.resolve("proj/tasks.py", "logging") is None  # the standard library's
    assert project.resolve("proj/__init__.py", "celery", 1) == "proj.celery"
    assert project.resolve("cache.py", "redis") is None
    assert project.resolve("cache.py", "json") is None  # a namespace folder does not hide the standard library
    assert project.resolve("cache.py", "json.data") is None
    # none of these is reported: each was found, and left to the library
    assert project.resolver.unresolved() == ()


def test_unresolved_project_looking_imports(tmp_path: Path) -> None:
    project = Project(tmp_path, {
        "jobs/run.py": """
            import requests
            import helpers
            from . import missing
            from ..above import x
            from plugins import nothing, present
            import tools.gone
            from selenium.webdriver.common.by import By
        """,
        "lib/helpers.py": "",
        # a harness around the library of its name (Django's django/test/selenium.py): `selenium` is
        # the library's name, not a project folder missing from the roots
        "app/testing/selenium.py": "def driver():\n    from selenium import webdriver\n    return webdriver\n",
        "plugins/present.py": "",
        "tools/kept.py": "",
    })
    assert project.resolver.unresolved() == (
        UnresolvedImport("jobs/run.py", 3, "helpers"),
        UnresolvedImport("jobs/run.py", 4, ".missing"),
        UnresolvedImport("jobs/run.py", 5, "..above"),
        UnresolvedImport("jobs/run.py", 6, "plugins.nothing"),
        UnresolvedImport("jobs/run.py", 7, "tools.gone"),
    )


def roots_of(text: str, path: str = "scripts/job.py") -> tuple[str, ...]:
    module = parse_source(textwrap.dedent(text).encode(), path[:-3].replace("/", "."), path, False)
    assert isinstance(module, ir.Module)
    return sys_path_roots([module])


@pytest.mark.parametrize(("code", "roots"), [
    ("import os, sys\nsys.path.append(os.path.join(os.path.dirname(__file__), '..', 'lib'))", ("lib",)),
    ("import os, sys\nsys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), '..')))", ("",)),
    ("import sys, pathlib\nsys.path.insert(0, str(pathlib.Path(__file__).parent / 'lib'))", ("scripts/lib",)),
    ("import sys\nfrom pathlib import Path\nsys.path.append(str(Path(__file__).resolve().parent.parent))", ("",)),
    ("import sys\nfrom pathlib import Path\nsys.path.append(str(Path(__file__).parents[1] / 'lib'))", ("lib",)),
    ("import sys\nfrom pathlib import Path\nsys.path.append(str(Path(__file__).parent.joinpath('a', 'b')))",
     ("scripts/a/b",)),
    ("import os, sys\nsys.path.append(os.path.realpath(os.path.dirname(__file__) + '/../lib'))", ("lib",)),
    ("import os, sys\nsys.path.append(f'{os.path.dirname(__file__)}/vendor')", ("scripts/vendor",)),
    ("import os.path as osp, sys\nsys.path.append(osp.join(osp.dirname(__file__), osp.pardir, 'lib'))", ("lib",)),
    ("import sys\nsys.path.append('lib')", ("lib",)),
    ("import os, sys\nsys.path.append(os.path.join(os.getcwd(), 'lib'))", ("lib",)),
    ("import sys\nsys.path.extend(['a', 'b'])\nsys.path += ['c']", ("a", "b", "c")),
    ("import site\nsite.addsitedir('lib')", ("lib",)),
    ("import os, sys\nBASE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))\n"
     "sys.path.append(os.path.join(BASE, 'lib'))", ("lib",)),
    ("import sys\ndef main():\n    here = 'lib'\n    if True:\n        sys.path.insert(0, here)", ("lib",)),
    # cannot be computed, or outside the project: left out
    ("import os, sys\nsys.path.append(os.environ['X'])", ()),
    ("import sys\nsys.path.append('/opt/lib')", ()),
    ("import os, sys\nsys.path.append(os.path.join(os.path.dirname(__file__), '..', '..'))", ()),
    ("import sys\nBASE = 'a'\nBASE = 'b'\nsys.path.append(BASE)", ()),
    ("import sys\nsys.path.append(x.y())", ()),
    ("import sys\nsys.path.append(1)", ()),
    ("sys.path.append('lib')", ()),  # no `import sys`
    ("import sys\nfrom pathlib import Path\nsys.path.append(Path(__file__).stem)", ()),
])
def test_sys_path_additions(code: str, roots: tuple[str, ...]) -> None:
    assert roots_of(code) == roots


def test_one_module_one_identity(tmp_path: Path) -> None:
    write(tmp_path, {
        "app/__init__.py": "", "app/services/__init__.py": "",
        "app/services/base.py": "def fetch(x):\n    return x\n",
        "app/main.py": "import services.base\nfrom services import base\nfrom services.base import fetch\n",
        "app/api/__init__.py": "",
        "app/api/routes.py": "import app.services.base\nfrom app.services import base\n"
                             "from app.services.base import fetch\nimport services.base as short\n",
    })
    program = Program.build(modules_of(tmp_path))
    main, routes = program.modules["app.main"], program.modules["app.api.routes"]
    kinds = {program.import_kinds(m.name, name) - {"module"} for m in (main, routes) for name in m.imports}
    assert kinds == {frozenset({"mod:app.services"}), frozenset({"mod:app"}), frozenset({"mod:app.services.base"}),
                     frozenset({"fn:app.services.base.fetch"})}
    assert program.imported_names(main) == {"app.services.base", "app.services.base.fetch"}
    assert program.member_kinds("app.main", "services") == {"mod:app.services"}
    assert program.member_kinds("app.main", "base") == {"mod:app.services.base"}
    assert program.member_kinds("app.api.routes", "short") == {"mod:app.services.base"}
    assert program.resolve_module_name("app.main", "requests", 0) == "requests"


def test_namespace_packages_are_modules_of_the_program(tmp_path: Path) -> None:
    write(tmp_path, {"plugins/vk/collector.py": "def collect(x):\n    return x\n",
                     "main.py": "import plugins.vk.collector\nfrom plugins import vk\n"})
    program = Program.build(modules_of(tmp_path))
    main = program.modules["main"]
    assert [program.import_kinds("main", name) for name in main.imports] == [
        {"mod:plugins", "module"}, {"mod:plugins.vk"}]
    assert program.member_kinds("plugins", "vk") == {"mod:plugins.vk"}
    assert program.member_kinds("plugins.vk", "collector") == {"mod:plugins.vk.collector"}


def test_import_roots_from_the_configuration() -> None:
    """The `_import_roots` case, with its flowlint.toml: flows found; isolated, the imports that
    need the configuration are reported instead."""
    case = IMPORTS / "_import_roots"
    config = load_config([case])
    assert config.import_roots == ("app", "scripts")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(engine_fixtures, "analyse", functools.partial(pipeline.analyse, import_roots=config.import_roots))
        result = engine_fixtures.run_case(case)
    assert (result.missing(), result.unexpected()) == ([], [])
    assert result.expected and result.analysis is not None and result.analysis.unresolved_imports == ()
    isolated = engine_fixtures.run_case(case)
    assert isolated.analysis is not None and isolated.missing()
    assert isolated.analysis.unresolved_imports == (UnresolvedImport("app/handlers/views.py", 4, "services"),
                                                    UnresolvedImport("jobs/run.py", 2, "tool_helpers"))


POLICY = load_policy([ENGINE / "policy.toml"], base_dir=ENGINE)


def analyse(root: Path, cache: IRCache | None, import_roots: tuple[str, ...] = ()) -> pipeline.Analysis:
    files, _ = discover(load_config([root], isolated=True))
    return pipeline.analyse(files, POLICY, jobs=1, cache=cache, import_roots=import_roots)


def sinks(analysis: pipeline.Analysis) -> list[tuple[str, int]]:
    return sorted((f.sink.location.path, f.sink.location.line) for f in analysis.findings)


def test_import_roots_are_part_of_the_cached_run(tmp_path: Path) -> None:
    root = tmp_path / "project"
    write(root, {"app/services.py": "import taintlib\n\ndef save(x):\n    taintlib.sink(x)\n",
                 "jobs/run.py": "import taintlib\nimport services\n\ndef run():\n    services.save(taintlib.source())\n"})
    cache = IRCache(tmp_path / "cache")
    assert sinks(analyse(root, cache)) == []
    assert sinks(analyse(root, cache, ("app",))) == [("app/services.py", 4)]


def test_incremental_run_sees_a_module_reached_through_another_path(tmp_path: Path) -> None:
    """Only the file that sets sys.path changes: its importers' imports now denote other modules,
    so what was kept from the previous run for them is analysed again."""
    root = tmp_path / "project"
    write(root, {
        "boot.py": "import sys\nsys.path.append('lib')\n",
        "lib/store.py": "import taintlib\n\ndef put(x):\n    taintlib.sink(x)\n",
        "vendor/store.py": "def put(x):\n    return None\n",
        "main.py": "import taintlib\nimport store\n\ndef main():\n    store.put(taintlib.source())\n",
    })
    cache = IRCache(tmp_path / "cache")
    assert sinks(analyse(root, cache)) == [("lib/store.py", 4)]
    write(root, {"boot.py": "import sys\nsys.path.append('vendor')\n"})
    shutil.rmtree(cache.runs, ignore_errors=True)  # the engine runs again (not the whole-run result)
    incremental = analyse(root, cache)
    assert incremental.reused > 0
    assert sinks(incremental) == sinks(analyse(root, None)) == []


def test_the_cli_uses_import_roots_and_lists_unresolved_imports_under_timings(tmp_path: Path) -> None:
    import subprocess
    import sys

    policy = Path(__file__).parent / "fixtures" / "engine" / "policy.toml"
    (tmp_path / "lib").mkdir()
    (tmp_path / "jobs").mkdir()
    (tmp_path / "tools").mkdir()
    (tmp_path / "tools" / "other.py").write_text("X = 1\n", encoding="utf-8")
    (tmp_path / "lib" / "store.py").write_text("import taintlib\n\ndef save(x):\n    taintlib.sink(x)\n",
                                               encoding="utf-8")
    (tmp_path / "jobs" / "run.py").write_text(
        "import taintlib\nfrom store import save\nfrom tools.helper import y\n\nsave(taintlib.source())\n",
        encoding="utf-8")

    def run() -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "flowlint", "check", "--no-cache", "--timings", "--policy",
                               str(policy), str(tmp_path)], capture_output=True, text=True, cwd=tmp_path)

    without = run()
    assert without.returncode == 0, without.stdout + without.stderr  # `store` is on no path flowlint knows
    assert "jobs/run.py:2: store" in without.stderr
    (tmp_path / "flowlint.toml").write_text('import-roots = ["lib"]\n', encoding="utf-8")
    done = run()
    assert done.returncode == 1, done.stderr
    assert "lib/store.py:4:5: FL101" in done.stdout
    assert "flowlint: 1 unresolved project import" in done.stderr
    assert "  jobs/run.py:3: tools.helper" in done.stderr
