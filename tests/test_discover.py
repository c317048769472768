"""Finding the project's files: skipped folders, globs, symlinks, module names, scope."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import pytest

from flowlint.config import Config
from flowlint.discover import SourceFile, discover, in_scope
from flowlint.results import Diagnostic


def make(root: Path, *relpaths: str) -> None:
    """Create empty files (or folders, for names ending in "/")."""
    for relpath in relpaths:
        path = root / relpath
        if relpath.endswith("/"):
            path.mkdir(parents=True, exist_ok=True)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("", encoding="utf-8")


def relpaths(config: Config) -> list[str]:
    files, diagnostics = discover(config)
    assert diagnostics == []
    return [f.relpath for f in files]


def modules(config: Config) -> dict[str, tuple[str, bool]]:
    return {f.relpath: (f.module, f.is_package) for f in discover(config)[0]}


@pytest.fixture
def root(tmp_path: Path) -> Path:
    path = tmp_path / "project"
    path.mkdir()
    return path


@pytest.fixture
def config(root: Path) -> Config:
    return Config.defaults(root)


def test_files_are_absolute_and_sorted(root: Path, config: Config) -> None:
    make(root, "z.py", "b/a.py", "a.py", "b.pyi", "B.py", "notes.txt", "b/c/d.py")
    files, diagnostics = discover(config)
    assert [f.relpath for f in files] == ["B.py", "a.py", "b.pyi", "b/a.py", "b/c/d.py", "z.py"]
    assert files[0] == SourceFile(root / "B.py", "B.py", "B", False)
    assert diagnostics == []
    assert discover(config) == (files, diagnostics)


@pytest.mark.parametrize("folder", [
    ".git", ".hg", ".svn", ".tox", ".nox", ".venv", "venv", "__pycache__", ".mypy_cache",
    ".pytest_cache", ".ruff_cache", ".flowlint_cache", "node_modules", "build", "dist",
    "site-packages", "flowlint.egg-info",
])
def test_skipped_folders(root: Path, config: Config, folder: str) -> None:
    make(root, "keep.py", f"{folder}/skipped.py", f"sub/{folder}/skipped.py")
    assert relpaths(config) == ["keep.py"]


def test_skip_names_do_not_apply_to_the_root_itself(tmp_path: Path) -> None:
    make(tmp_path / "build", "mod.py")
    assert relpaths(Config.defaults(tmp_path / "build")) == ["mod.py"]


def test_virtualenv_detected_by_pyvenv_cfg(root: Path, config: Config) -> None:
    make(root, "app.py", "myenv/pyvenv.cfg", "myenv/lib/python3.11/site-packages/x.py", "myenv/bin/tool.py")
    assert relpaths(config) == ["app.py"]


def test_configured_cache_dir_is_skipped(root: Path, config: Config) -> None:
    make(root, "app.py", "tmp/cache/stale.py")
    assert relpaths(replace(config, cache_dir=root / "tmp" / "cache")) == ["app.py"]


def test_directory_named_like_a_module_is_not_a_file(root: Path, config: Config) -> None:
    make(root, "weird.py/inner.py", "ok.py")
    assert relpaths(config) == ["ok.py", "weird.py/inner.py"]


def test_special_files_are_ignored(root: Path, config: Config) -> None:
    make(root, "ok.py")
    os.mkfifo(root / "pipe.py")
    assert relpaths(config) == ["ok.py"]


def test_exclude_patterns(root: Path, config: Config) -> None:
    make(root, "app/main.py", "app/api_pb2.py", "app/out/gen.py", "out/top.py", "out.py",
         "tests/fixtures/a.py", "tests/fixtures/deep/b.py", "tests/test_a.py", "src/gen/x.py",
         "src/gen/sub/y.py", "docs/conf.py")
    config = replace(config, exclude=("*_pb2.py", "out/", "tests/fixtures/**", "src/gen/*.py", "/docs"))
    assert relpaths(config) == ["app/main.py", "out.py", "src/gen/sub/y.py", "tests/test_a.py"]


def test_double_star_in_the_middle(root: Path, config: Config) -> None:
    make(root, "a/migrations/1.py", "a/b/migrations/2.py", "migrations/3.py", "a/b/other/4.py")
    assert relpaths(replace(config, exclude=("**/migrations/*.py",))) == ["a/b/other/4.py"]


def test_character_classes_and_case(root: Path, config: Config) -> None:
    make(root, "v1.py", "v2.py", "vx.py", "V1.py")
    assert relpaths(replace(config, exclude=("v[0-9].py",))) == ["V1.py", "vx.py"]


def test_include_patterns(root: Path, config: Config) -> None:
    make(root, "a.py", "b.pyi", "scripts/tool", "scripts/sub/other", "c.txt")
    assert relpaths(replace(config, include=("*.py",))) == ["a.py"]
    assert relpaths(replace(config, include=("*.py", "scripts/*"))) == ["a.py", "scripts/tool"]
    assert modules(replace(config, include=("scripts/*",))) == {"scripts/tool": ("scripts.tool", False)}


def test_symlink_loop_terminates(root: Path, config: Config) -> None:
    make(root, "pkg/__init__.py", "pkg/mod.py")
    (root / "pkg" / "loop").symlink_to(root / "pkg", target_is_directory=True)
    (root / "up").symlink_to(root, target_is_directory=True)
    (root / "a").symlink_to(root / "b")
    (root / "b").symlink_to(root / "a")
    assert relpaths(config) == ["pkg/__init__.py", "pkg/mod.py"]


def test_symlinks_inside_the_project_do_not_duplicate_files(root: Path, config: Config) -> None:
    make(root, "real/mod.py", "one.py")
    (root / "alias").symlink_to(root / "real", target_is_directory=True)
    (root / "aaa.py").symlink_to(root / "one.py")
    assert relpaths(config) == ["one.py", "real/mod.py"]


def test_symlink_into_an_excluded_folder_is_followed_under_its_own_path(root: Path, config: Config) -> None:
    make(root, "vendor/lib/mod.py", "app/main.py")
    (root / "app" / "lib").symlink_to(root / "vendor" / "lib", target_is_directory=True)
    files, _ = discover(replace(config, exclude=("vendor/",)))
    assert [(f.relpath, f.path) for f in files] == [
        ("app/lib/mod.py", root / "app" / "lib" / "mod.py"), ("app/main.py", root / "app" / "main.py")]


def test_symlink_outside_the_project(tmp_path: Path, root: Path, config: Config) -> None:
    make(tmp_path, "outside/leak.py", "outside.py", "outside.txt")
    make(root, "app.py", "sub/")
    (root / "sub" / "linked").symlink_to(tmp_path / "outside", target_is_directory=True)
    (root / "linked.py").symlink_to(tmp_path / "outside.py")
    (root / "readme.txt").symlink_to(tmp_path / "outside.txt")
    (root / "dangling.py").symlink_to(tmp_path / "missing.py")
    files, diagnostics = discover(config)
    assert [f.relpath for f in files] == ["app.py"]
    message = "symlink points outside the project: skipped"
    assert diagnostics == [Diagnostic("linked.py", 1, 1, "FL904", message),
                           Diagnostic("sub/linked", 1, 1, "FL904", message)]


def test_excluded_symlink_outside_the_project_is_not_reported(tmp_path: Path, root: Path, config: Config) -> None:
    make(tmp_path, "outside/leak.py")
    (root / "ext").symlink_to(tmp_path / "outside", target_is_directory=True)
    assert relpaths(replace(config, exclude=("ext/",))) == []


def test_unreadable_directory(root: Path, config: Config, monkeypatch: pytest.MonkeyPatch) -> None:
    make(root, "ok.py", "locked/secret.py")
    real_scandir = os.scandir

    def scandir(path: str) -> object:
        if str(path).endswith("locked"):
            raise PermissionError(13, "Permission denied")
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    files, diagnostics = discover(config)
    assert [f.relpath for f in files] == ["ok.py"]
    assert diagnostics == [Diagnostic("locked", 1, 1, "FL904", "cannot read directory (Permission denied): skipped")]


def test_regular_packages(root: Path, config: Config) -> None:
    make(root, "pkg/__init__.py", "pkg/mod.py", "pkg/sub/__init__.py", "pkg/sub/deep.py", "pkg/__init__.pyi",
         "top.py")
    assert modules(config) == {
        "pkg/__init__.py": ("pkg", True), "pkg/__init__.pyi": ("pkg", True), "pkg/mod.py": ("pkg.mod", False),
        "pkg/sub/__init__.py": ("pkg.sub", True), "pkg/sub/deep.py": ("pkg.sub.deep", False),
        "top.py": ("top", False)}


def test_src_layout(root: Path, config: Config) -> None:
    make(root, "src/app/__init__.py", "src/app/core.py", "src/loose.py", "src/nsp/part.py", "tests/test_app.py")
    assert modules(config) == {
        "src/app/__init__.py": ("app", True), "src/app/core.py": ("app.core", False),
        "src/loose.py": ("loose", False), "src/nsp/part.py": ("nsp.part", False),
        "tests/test_app.py": ("tests.test_app", False)}


def test_regular_package_under_a_plain_folder(root: Path, config: Config) -> None:
    make(root, "services/api/app/__init__.py", "services/api/app/views.py", "services/api/manage.py")
    assert modules(config) == {
        "services/api/app/__init__.py": ("app", True), "services/api/app/views.py": ("app.views", False),
        "services/api/manage.py": ("services.api.manage", False)}


def test_namespace_packages(root: Path, config: Config) -> None:
    make(root, "a/b/c.py", "src/ns/inner/mod.py")
    assert modules(config) == {"a/b/c.py": ("a.b.c", False), "src/ns/inner/mod.py": ("ns.inner.mod", False)}


def test_package_missing_an_init_in_the_middle(root: Path, config: Config) -> None:
    make(root, "top/__init__.py", "top/gap/inner/__init__.py", "top/gap/inner/m.py")
    assert modules(config)["top/gap/inner/m.py"] == ("inner.m", False)


def test_root_that_is_itself_a_package(tmp_path: Path) -> None:
    root = tmp_path / "mypkg"
    make(root, "__init__.py", "mod.py")
    assert modules(Config.defaults(root)) == {"__init__.py": ("mypkg", True), "mod.py": ("mypkg.mod", False)}


def test_names_that_are_not_identifiers(root: Path, config: Config) -> None:
    make(root, "my-script.py", "tools/run.me.py")
    assert modules(config) == {"my-script.py": ("my-script", False), "tools/run.me.py": ("tools.run.me", False)}


def test_module_and_stub_share_a_name(root: Path, config: Config) -> None:
    make(root, "mod.pyi", "mod.py")
    assert modules(config) == {"mod.py": ("mod", False), "mod.pyi": ("mod", False)}


def test_in_scope_files_and_folders(root: Path, config: Config, monkeypatch: pytest.MonkeyPatch) -> None:
    make(root, "app/a.py", "app/sub/b.py", "apple.py", "lib/c.py")
    monkeypatch.chdir(root / "app")
    wanted = in_scope(config, [Path("sub"), root / "lib" / "c.py"])
    assert [p for p in ("app/a.py", "app/sub/b.py", "apple.py", "lib/c.py", "lib/c.pyi") if wanted(p)] == \
        ["app/sub/b.py", "lib/c.py"]
    assert in_scope(config, [Path("..")])("apple.py")
    assert not in_scope(config, [Path("../app")])("apple.py")


def test_in_scope_without_paths_is_everything_not_excluded(root: Path, config: Config) -> None:
    wanted = in_scope(replace(config, exclude=("gen/", "*_pb2.py")), [])
    assert wanted("a.py") and wanted("deep/er/b.py")
    assert not wanted("gen/x.py") and not wanted("a/gen/y.py") and not wanted("m_pb2.py")


def test_in_scope_honours_exclusion_for_explicit_files(root: Path, config: Config) -> None:
    make(root, "gen/x.py", "ok.py")
    wanted = in_scope(replace(config, exclude=("gen/",)), [root / "gen" / "x.py", root / "ok.py"])
    assert not wanted("gen/x.py")
    assert wanted("ok.py")


def test_in_scope_outside_the_root_matches_nothing(tmp_path: Path, root: Path, config: Config) -> None:
    make(tmp_path, "other/x.py")
    wanted = in_scope(config, [tmp_path / "other", tmp_path / "other" / "x.py"])
    assert not wanted("x.py") and not wanted("other/x.py")


def test_in_scope_through_a_symlink(root: Path, config: Config) -> None:
    make(root, "real/mod.py")
    (root / "alias").symlink_to(root / "real", target_is_directory=True)
    assert in_scope(config, [root / "alias"])("real/mod.py")
