"""Configuration discovery (closest file wins, ruff-style), keys, paths and error messages."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from flowlint.config import Config, load_config
from flowlint.errors import FlowlintError


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty project folder that is also the current directory."""
    root = tmp_path / "project"
    root.mkdir()
    monkeypatch.chdir(root)
    return root


def error_of(*args: object, **kwargs: object) -> str:
    with pytest.raises(FlowlintError) as caught:
        load_config(*args, **kwargs)  # type: ignore[arg-type]
    return str(caught.value)


def test_defaults_without_any_config(project: Path) -> None:
    assert load_config([]) == Config.defaults(project)
    config = load_config([])
    assert config.path is None
    assert config.policies == ()
    assert config.include == ("*.py", "*.pyi")
    assert config.exclude == ()
    assert config.fail_on == "error"
    assert config.baseline is None
    assert config.cache_dir == project / ".flowlint_cache"


def test_all_keys_in_pyproject(project: Path) -> None:
    write(project / "pyproject.toml", """
[project]
name = "x"
[tool.flowlint]
policies = ["core", "privacy/ours.toml"]
include = ["*.py"]
exclude = ["build/"]
extend-exclude = ["*_pb2.py"]
fail-on = "warning"
baseline = "ci/baseline.json"
cache-dir = "../cache"
""")
    config = load_config([])
    assert config.root == project
    assert config.path == project / "pyproject.toml"
    assert config.policies == ("core", str(project / "privacy" / "ours.toml"))
    assert config.include == ("*.py",)
    assert config.exclude == ("build/", "*_pb2.py")
    assert config.fail_on == "warning"
    assert config.baseline == project / "ci" / "baseline.json"
    assert config.cache_dir == project.parent / "cache"


def test_closest_config_wins(project: Path) -> None:
    write(project / "pyproject.toml", "[tool.flowlint]\nfail-on = 'note'\n")
    write(project / "sub" / "flowlint.toml", "fail-on = 'warning'\n")
    write(project / "sub" / "deeper" / "pyproject.toml", "[tool.flowlint]\nfail-on = 'never'\n")
    (project / "other").mkdir()
    assert load_config([Path("sub/deeper/mod.py")]).fail_on == "never"
    assert load_config([Path("sub/deeper")]).root == project / "sub" / "deeper"
    assert load_config([Path("sub")]).path == project / "sub" / "flowlint.toml"
    assert load_config([Path("sub")]).root == project / "sub"
    assert load_config([Path("other")]).path == project / "pyproject.toml"
    assert load_config([]).fail_on == "note"


def test_search_starts_at_the_directory_of_a_file(project: Path) -> None:
    write(project / "pyproject.toml", "[tool.flowlint]\n")
    write(project / "pkg" / "flowlint.toml", "fail-on = 'never'\n")
    module = write(project / "pkg" / "mod.py", "")
    assert load_config([module]).path == project / "pkg" / "flowlint.toml"


def test_flowlint_toml_wins_over_pyproject_in_one_directory(project: Path) -> None:
    write(project / "pyproject.toml", "[tool.flowlint]\nfail-on = 'note'\n")
    write(project / "flowlint.toml", "fail-on = 'never'\n")
    config = load_config([])
    assert config.path == project / "flowlint.toml"
    assert config.fail_on == "never"


def test_pyproject_without_tool_flowlint_is_skipped(project: Path) -> None:
    write(project / "pyproject.toml", "[tool.flowlint]\nfail-on = 'note'\n")
    write(project / "sub" / "pyproject.toml", "[project]\nname = 'sub'\n[tool.ruff]\nline-length = 100\n")
    config = load_config([Path("sub")])
    assert config.path == project / "pyproject.toml"
    assert config.root == project


def test_an_empty_tool_flowlint_table_marks_the_root(project: Path) -> None:
    write(project / "sub" / "pyproject.toml", "[tool.flowlint]\n")
    config = load_config([Path("sub")])
    assert config == replace(Config.defaults(project / "sub"), path=project / "sub" / "pyproject.toml")


def test_explicit_config_wins_and_may_be_either_kind(project: Path) -> None:
    write(project / "flowlint.toml", "fail-on = 'note'\n")
    custom = write(project / "ci" / "strict.toml", "fail-on = 'warning'\npolicies = ['local.toml']\n")
    config = load_config([], config_file=Path("ci/strict.toml"))
    assert config.path == custom
    assert config.root == project / "ci"
    assert config.fail_on == "warning"
    assert config.policies == (str(project / "ci" / "local.toml"),)
    write(project / "elsewhere" / "pyproject.toml", "[tool.flowlint]\nfail-on = 'never'\n")
    assert load_config([], config_file=project / "elsewhere" / "pyproject.toml").fail_on == "never"


def test_explicit_pyproject_needs_the_table(project: Path) -> None:
    write(project / "pyproject.toml", "[project]\nname = 'x'\n")
    assert error_of([], config_file=Path("pyproject.toml")) == "pyproject.toml: has no [tool.flowlint] table"


def test_missing_explicit_config(project: Path) -> None:
    assert error_of([], config_file=Path("nope.toml")) == "--config nope.toml: no such file"
    (project / "adir").mkdir()
    assert error_of([], config_file=Path("adir")) == "--config adir: is a directory, not a configuration file"


def test_isolated_ignores_config_files(project: Path) -> None:
    write(project / "flowlint.toml", "fail-on = 'never'\nbogus = 1\n")
    (project / "src").mkdir()
    assert load_config([], isolated=True) == Config.defaults(project)
    assert load_config([Path("src")], isolated=True).root == project / "src"


def test_isolated_and_config_conflict(project: Path) -> None:
    assert error_of([], config_file=Path("x.toml"), isolated=True) == \
        "--config and --isolated cannot be used together"


def test_root_without_config(project: Path) -> None:
    (project / "a").mkdir()
    (project / "b").mkdir()
    module = write(project / "a" / "m.py", "")
    assert load_config([Path("a")]).root == project / "a"
    assert load_config([Path("a"), Path("b")]).root == project
    assert load_config([module]).root == project


def test_policy_entries_paths_resolved_names_kept(project: Path) -> None:
    write(project / "conf" / "flowlint.toml",
          "policies = ['core', 'clearview', './mine', '../shared/p.toml', 'extra.toml', '/abs/q.toml']\n")
    config = load_config([], config_file=Path("conf/flowlint.toml"))
    assert config.policies == (
        "core", "clearview", str(project / "conf" / "mine"), str(project / "shared" / "p.toml"),
        str(project / "conf" / "extra.toml"), "/abs/q.toml")


def test_unknown_key_with_suggestion(project: Path) -> None:
    write(project / "pyproject.toml", "[tool.flowlint]\npolices = ['core']\n")
    assert error_of([]) == 'pyproject.toml: [tool.flowlint] polices: unknown key (did you mean "policies"?)'


def test_unknown_key_in_flowlint_toml(project: Path) -> None:
    write(project / "flowlint.toml", "fail_on = 'note'\n")
    assert error_of([]) == 'flowlint.toml: fail_on: unknown key (did you mean "fail-on"?)'


def test_unknown_key_without_close_match(project: Path) -> None:
    write(project / "flowlint.toml", "zzz = 1\n")
    assert error_of([]) == ("flowlint.toml: zzz: unknown key (valid keys: baseline, cache-dir, exclude, "
                            "extend-exclude, fail-on, file-time-limit, import-roots, include, max-file-size, "
                            "policies)")


def test_limits_from_the_file(project: Path) -> None:
    write(project / "flowlint.toml", "max-file-size = 2_000_000\nfile-time-limit = 5\n")
    limits = load_config([]).limits
    assert (limits.max_file_size, limits.file_time_limit) == (2_000_000, 5.0)
    assert isinstance(limits.file_time_limit, float)


@pytest.mark.parametrize(("line", "message"), [
    ("max-file-size = -1", "max-file-size: must not be negative"),
    ("max-file-size = 1.5", "max-file-size: expected an integer, got float"),
    ("max-file-size = '1MB'", "max-file-size: expected an integer, got string"),
    ("file-time-limit = true", "file-time-limit: expected a number, got boolean"),
    ("file-time-limit = -0.5", "file-time-limit: must not be negative"),
])
def test_bad_limits(project: Path, line: str, message: str) -> None:
    write(project / "flowlint.toml", line + "\n")
    assert error_of([]) == f"flowlint.toml: {message}"


@pytest.mark.parametrize(("line", "problem"), [
    ("policies = 'core'", "policies: expected an array of strings, got string"),
    ("include = ['*.py', 3]", "include: item 2: expected a string, got integer"),
    ("exclude = ['']", "exclude: item 1: must not be empty"),
    ("extend-exclude = {a = 1}", "extend-exclude: expected an array of strings, got table"),
    ("fail-on = true", "fail-on: expected a string, got boolean"),
    ("fail-on = 'fatal'", 'fail-on: expected one of "error", "warning", "note", "never", got "fatal"'),
    ("baseline = 1.5", "baseline: expected a string, got float"),
    ("cache-dir = ''", "cache-dir: must not be empty"),
    ("import-roots = 'app'", "import-roots: expected an array of strings, got string"),
    ("import-roots = ['app', 1]", "import-roots: item 2: expected a string, got integer"),
])
def test_wrong_types(project: Path, line: str, problem: str) -> None:
    write(project / "pyproject.toml", f"[tool.flowlint]\n{line}\n")
    assert error_of([]) == f"pyproject.toml: [tool.flowlint] {problem}"


def test_import_roots_are_folders_relative_to_the_config_file(project: Path) -> None:
    for folder in ("app", "scripts/lib", "conf"):
        (project / folder).mkdir(parents=True)
    write(project / "pyproject.toml", "[tool.flowlint]\nimport-roots = ['app', 'scripts/lib/', '.', 'conf/..']\n")
    assert load_config([]).import_roots == ("app", "scripts/lib", "", "")
    assert Config.defaults(project).import_roots == ()
    write(project / "conf" / "flowlint.toml", "import-roots = ['../app']\n")
    assert error_of([], config_file=Path("conf/flowlint.toml")) == (
        'conf/flowlint.toml: import-roots: item 1: outside the project root: "../app"')


@pytest.mark.parametrize(("entry", "problem"), [
    ("lib", 'item 2: no such folder: "lib"'),
    ("main.py", 'item 2: not a folder: "main.py"'),
    ("..", 'item 2: outside the project root: ".."'),
    ("/tmp", 'item 2: outside the project root: "/tmp"'),
])
def test_bad_import_roots(project: Path, entry: str, problem: str) -> None:
    (project / "app").mkdir()
    write(project / "main.py", "")
    write(project / "pyproject.toml", f"[tool.flowlint]\nimport-roots = ['app', '{entry}']\n")
    assert error_of([]) == f"pyproject.toml: [tool.flowlint] import-roots: {problem}"


def test_tool_flowlint_must_be_a_table(project: Path) -> None:
    write(project / "pyproject.toml", "[tool]\nflowlint = 1\n")
    assert error_of([]) == "pyproject.toml: [tool.flowlint]: expected a table, got integer"


def test_invalid_toml(project: Path) -> None:
    write(project / "flowlint.toml", "fail-on = 'note'\npolicies = [\n  'core'\n  'x'\n]\n")
    message = error_of([])  # the problem's wording is tomllib's and varies between versions
    assert message.startswith("flowlint.toml: line 4, column 3: invalid TOML: ")
    assert "\n" not in message and "(at line" not in message


def test_invalid_toml_at_end_of_document(project: Path) -> None:
    write(project / "pyproject.toml", "[tool.flowlint]\nfail-on = ")
    message = error_of([])
    assert message.startswith("pyproject.toml: line 2, column 11: invalid TOML: ")
    assert "end of document" not in message


def test_invalid_toml_in_a_skipped_pyproject_is_still_an_error(project: Path) -> None:
    write(project / "sub" / "pyproject.toml", "[project\n")
    assert error_of([Path("sub")]).startswith("sub/pyproject.toml: line 1, column 9: invalid TOML: ")


def test_not_utf8(project: Path) -> None:
    (project / "flowlint.toml").write_bytes(b"fail-on = 'note'\n# caf\xe9\n")
    assert error_of([]) == "flowlint.toml: line 2, column 6: invalid TOML: not UTF-8"


def test_config_outside_cwd_is_shown_absolute(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = write(tmp_path / "conf" / "flowlint.toml", "polcies = []\n")
    (tmp_path / "work").mkdir()
    monkeypatch.chdir(tmp_path / "work")
    assert error_of([], config_file=config) == f'{config}: polcies: unknown key (did you mean "policies"?)'


def test_search_starts_beside_a_symlinked_file(tmp_path: Path, project: Path) -> None:
    write(project / "flowlint.toml", "fail-on = 'note'\n")
    write(tmp_path / "shared" / "flowlint.toml", "fail-on = 'never'\n")
    write(tmp_path / "shared" / "real.py", "")
    (project / "link.py").symlink_to(tmp_path / "shared" / "real.py")
    assert load_config([Path("link.py")]).path == project / "flowlint.toml"
