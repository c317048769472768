"""Configuration discovery and validation, ruff-style.

Which file is used:

* `--config FILE` (``config_file``) wins; a file named ``pyproject.toml`` is read from its
  ``[tool.flowlint]`` table (which must exist), any other file from its top level.
* ``isolated=True`` ignores every configuration file (it cannot be combined with ``--config``).
* Otherwise the search starts at the analysed path (the first of ``paths``, its directory when it
  is a file, the current directory when there are no paths) and goes up to the filesystem root.
  The closest directory with a ``flowlint.toml`` (keys at its top level) or a ``pyproject.toml``
  that has a ``[tool.flowlint]`` table wins; a ``pyproject.toml`` without that table is skipped.
  In one directory ``flowlint.toml`` wins over ``pyproject.toml``.

The project root is the directory of the configuration file used. Without one it is the
directory passed, when exactly one path was passed and it is a directory; the current directory
when no path was passed; otherwise the nearest folder above the paths holding `.git`, `.hg` or
`.svn`, else the current directory when the paths are inside it, else their common folder (so a
cache is never made above the paths' own folder). Relative paths (and ``paths``) are resolved against the current directory; paths
written in a configuration file are resolved against that file's directory.

Keys (kebab-case): ``policies``, ``include``, ``exclude``, ``extend-exclude``, ``fail-on``,
``baseline``, ``cache-dir``, ``max-file-size`` (bytes, 0 for no limit), ``file-time-limit``
(seconds, 0 for no limit), ``import-roots`` (folders of the project that are on ``sys.path`` when
it runs, like ruff's ``src``; each must exist below the project root). Unknown keys and wrong types are errors, one line each:
``{path}: [tool.flowlint] {key}: {problem}`` (``{path}: {key}: {problem}`` for ``flowlint.toml``);
invalid TOML is ``{path}: line L, column C: invalid TOML: {problem}``. ``{path}`` is shown
relative to the current directory when it lies below it, else absolute.

The glob semantics of ``include`` and ``exclude`` are those of ``flowlint.discover``.
"""

from __future__ import annotations

import difflib
import os
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

from flowlint.errors import FlowlintError
from flowlint.limits import DEFAULT_FILE_TIME_LIMIT, DEFAULT_MAX_FILE_SIZE, Limits

FLOWLINT_TOML = "flowlint.toml"
PYPROJECT_TOML = "pyproject.toml"
FAIL_ON = ("error", "warning", "note", "never")
DEFAULT_INCLUDE = ("*.py", "*.pyi")
CACHE_DIR_NAME = ".flowlint_cache"


@dataclass(frozen=True)
class Config:
    """The settings of one run; every path is absolute.

    ``policies`` holds shipped pack names as written (``"core"``) and policy files or folders as
    absolute paths (an entry is a path when it contains ``/`` or ends in ``.toml``); ``()`` means
    every shipped pack. ``exclude`` already includes ``extend-exclude``. ``import_roots`` are
    relative to ``root`` (``/``-separated, ``""`` for the root itself), as module resolution
    (flowlint.imports) uses them.
    """

    root: Path
    path: Path | None
    policies: tuple[str, ...]
    include: tuple[str, ...]
    exclude: tuple[str, ...]
    fail_on: str
    baseline: Path | None
    cache_dir: Path
    limits: Limits = Limits()
    import_roots: tuple[str, ...] = ()

    @classmethod
    def defaults(cls, root: Path) -> Config:
        """The settings used without a configuration file (vary them with `dataclasses.replace`)."""
        return cls(root=root, path=None, policies=(), include=DEFAULT_INCLUDE, exclude=(),
                   fail_on="error", baseline=None, cache_dir=root / CACHE_DIR_NAME)


@dataclass(frozen=True)
class _Settings:
    """The settings table of one configuration file, and how to name it in messages."""

    path: Path
    table: Mapping[str, Any]
    prefix: str  # "{path}: [tool.flowlint] " or "{path}: "

    def error(self, key: str, problem: str) -> FlowlintError:
        return FlowlintError(f"{self.prefix}{key}: {problem}")


def load_config(paths: Sequence[Path], config_file: Path | None = None, isolated: bool = False) -> Config:
    """The configuration for analysing ``paths``; raises `FlowlintError` on any mistake."""
    cwd = Path.cwd()
    if config_file is not None and isolated:
        raise FlowlintError("--config and --isolated cannot be used together")
    if config_file is not None:
        settings: _Settings | None = _explicit_settings(_absolute(cwd, config_file))
    elif isolated:
        settings = None
    else:
        settings = _find_settings(_search_start(cwd, paths))
    if settings is None:
        return Config.defaults(_default_root(cwd, paths))
    return _build(settings)


def _absolute(cwd: Path, path: Path) -> Path:
    """``path`` made absolute against ``cwd``, with its directory's symlinks resolved."""
    full = cwd / path.expanduser()
    return full.parent.resolve() / full.name


def _search_start(cwd: Path, paths: Sequence[Path]) -> Path:
    if not paths:
        return cwd.resolve()
    first = Path(os.path.abspath(cwd / paths[0]))
    return (first.parent if first.is_file() else first).resolve()


def _default_root(cwd: Path, paths: Sequence[Path]) -> Path:
    """The project root without a configuration file: the directory passed, when it is the only
    path; else the current directory when no path is passed. Else, from the deepest folder that
    holds every path: the nearest folder at or above it with a VCS marker (``.git``, ``.hg``,
    ``.svn``), else the current directory when that folder is inside it, else that folder. So
    the root (and the cache in it) is never a folder above the paths that is neither a
    repository nor the current directory (an absolute path into a shared temporary folder must
    not make the whole folder the project)."""
    here = cwd.resolve()
    if not paths:
        return here
    if len(paths) == 1 and (cwd / paths[0]).is_dir():
        return (cwd / paths[0]).resolve()
    # a file's folder as written (a symlinked file belongs where its link is)
    folders = [(full if full.is_dir() else full.parent).resolve()
               for full in (Path(os.path.abspath(cwd / path)) for path in paths)]
    common = Path(os.path.commonpath(folders))
    marked = next((folder for folder in (common, *common.parents)
                   if any((folder / marker).exists() for marker in (".git", ".hg", ".svn"))), None)
    if marked is not None:
        return marked
    return here if common == here or here in common.parents else common


def _display(path: Path) -> str:
    """``path`` relative to the current directory when it lies below it, else absolute."""
    try:
        return str(path.relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _explicit_settings(path: Path) -> _Settings:
    if not path.exists():
        raise FlowlintError(f"--config {_display(path)}: no such file")
    if path.is_dir():
        raise FlowlintError(f"--config {_display(path)}: is a directory, not a configuration file")
    if path.name == PYPROJECT_TOML:
        settings = _pyproject_settings(path)
        if settings is None:
            raise FlowlintError(f"{_display(path)}: has no [tool.flowlint] table")
        return settings
    return _Settings(path, _read_toml(path), f"{_display(path)}: ")


def _find_settings(start: Path) -> _Settings | None:
    """The closest configuration at or above ``start``, or None."""
    for directory in (start, *start.parents):
        flowlint_toml = directory / FLOWLINT_TOML
        if flowlint_toml.is_file():
            return _Settings(flowlint_toml, _read_toml(flowlint_toml), f"{_display(flowlint_toml)}: ")
        pyproject = directory / PYPROJECT_TOML
        settings = _pyproject_settings(pyproject) if pyproject.is_file() else None
        if settings is not None:
            return settings
    return None


def _pyproject_settings(path: Path) -> _Settings | None:
    """The ``[tool.flowlint]`` table of a pyproject.toml, or None when it has none."""
    tool = _read_toml(path).get("tool")
    if not isinstance(tool, dict) or "flowlint" not in tool:
        return None
    table = tool["flowlint"]
    if not isinstance(table, dict):
        raise FlowlintError(f"{_display(path)}: [tool.flowlint]: expected a table, got {_toml_type(table)}")
    return _Settings(path, table, f"{_display(path)}: [tool.flowlint] ")


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        data = path.read_bytes()
    except OSError as err:
        raise FlowlintError(f"{_display(path)}: cannot read: {err.strerror or err}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        line, column = _position(data[: err.start].decode("utf-8", "replace"))
        raise FlowlintError(f"{_display(path)}: line {line}, column {column}: invalid TOML: not UTF-8") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise _toml_error(path, text, err) from None


_TOML_MESSAGE = re.compile(r"(?P<problem>.*) \(at (?:line (?P<line>\d+), column (?P<column>\d+)|end of document)\)", re.S)


def _toml_error(path: Path, text: str, err: tomllib.TOMLDecodeError) -> FlowlintError:
    """``{path}: line L, column C: invalid TOML: {problem}`` from tomllib's message."""
    match = _TOML_MESSAGE.fullmatch(str(err))
    if match is None:
        return FlowlintError(f"{_display(path)}: invalid TOML: {err}")
    if match["line"]:
        line, column = int(match["line"]), int(match["column"])
    else:
        line, column = _position(text)
    problem = match["problem"]
    return FlowlintError(f"{_display(path)}: line {line}, column {column}: invalid TOML: "
                         f"{problem[:1].lower()}{problem[1:]}")


def _position(text: str) -> tuple[int, int]:
    """1-based line and column of the position just after ``text``."""
    line = text.count("\n") + 1
    return line, len(text) - (text.rfind("\n") + 1) + 1


def _toml_type(value: object) -> str:
    """The TOML name of a parsed value's type, for messages."""
    if isinstance(value, bool):
        return "boolean"
    names: tuple[tuple[type | tuple[type, ...], str], ...] = (
        (int, "integer"), (float, "float"), (str, "string"), (list, "array"), (dict, "table"),
        ((datetime, date, time), "date/time"))
    return next((name for kind, name in names if isinstance(value, kind)), type(value).__name__)


def _string_list(value: object) -> str | None:
    """The problem with a value that must be an array of non-empty strings, or None."""
    if not isinstance(value, list):
        return f"expected an array of strings, got {_toml_type(value)}"
    for number, item in enumerate(value, start=1):
        if not isinstance(item, str):
            return f"item {number}: expected a string, got {_toml_type(item)}"
        if not item:
            return f"item {number}: must not be empty"
    return None


def _string(value: object) -> str | None:
    """The problem with a value that must be a non-empty string, or None."""
    if not isinstance(value, str):
        return f"expected a string, got {_toml_type(value)}"
    return None if value else "must not be empty"


def _non_negative_int(value: object) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return f"expected an integer, got {_toml_type(value)}"
    return None if value >= 0 else "must not be negative"


def _non_negative_number(value: object) -> str | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return f"expected a number, got {_toml_type(value)}"
    return None if value >= 0 else "must not be negative"


def _fail_on(value: object) -> str | None:
    problem = _string(value)
    if problem is None and value not in FAIL_ON:
        choices = ", ".join(f'"{choice}"' for choice in FAIL_ON)
        return f'expected one of {choices}, got "{value}"'
    return problem


_KEYS: dict[str, Callable[[object], str | None]] = {
    "policies": _string_list,
    "include": _string_list,
    "exclude": _string_list,
    "extend-exclude": _string_list,
    "fail-on": _fail_on,
    "baseline": _string,
    "cache-dir": _string,
    "max-file-size": _non_negative_int,
    "file-time-limit": _non_negative_number,
    "import-roots": _string_list,
}


def _validate(settings: _Settings) -> None:
    """Raise for the first unknown key or badly typed value, in file order."""
    for key, value in settings.table.items():
        check = _KEYS.get(key)
        if check is None:
            raise settings.error(key, _unknown_key(key))
        problem = check(value)
        if problem is not None:
            raise settings.error(key, problem)


def _unknown_key(key: str) -> str:
    close = difflib.get_close_matches(key, list(_KEYS), n=1, cutoff=0.6)
    if close:
        return f'unknown key (did you mean "{close[0]}"?)'
    return f"unknown key (valid keys: {', '.join(sorted(_KEYS))})"


def _build(settings: _Settings) -> Config:
    _validate(settings)
    table, base = settings.table, settings.path.parent
    cache_dir = table.get("cache-dir")
    baseline = table.get("baseline")
    return Config(
        root=base,
        path=settings.path,
        policies=tuple(_policy_entry(base, entry) for entry in table.get("policies", ())),
        include=tuple(table.get("include", DEFAULT_INCLUDE)),
        exclude=(*table.get("exclude", ()), *table.get("extend-exclude", ())),
        fail_on=table.get("fail-on", "error"),
        baseline=_relative_to(base, baseline) if baseline is not None else None,
        cache_dir=_relative_to(base, cache_dir) if cache_dir is not None else base / CACHE_DIR_NAME,
        limits=Limits(max_file_size=table.get("max-file-size", DEFAULT_MAX_FILE_SIZE),
                      file_time_limit=float(table.get("file-time-limit", DEFAULT_FILE_TIME_LIMIT))),
        import_roots=tuple(_import_root(settings, number, entry)
                           for number, entry in enumerate(table.get("import-roots", ()), start=1)),
    )


def _relative_to(base: Path, value: str) -> Path:
    """A path written in a configuration file, made absolute against the file's directory."""
    return Path(os.path.normpath(base / os.path.expanduser(value)))


def _import_root(settings: _Settings, number: int, entry: str) -> str:
    """Item ``number`` of ``import-roots`` as a relpath from the project root: a folder in it."""
    base = settings.path.parent
    folder = _relative_to(base, entry)
    try:
        relative = folder.relative_to(base).as_posix()
    except ValueError:
        raise settings.error("import-roots", f'item {number}: outside the project root: "{entry}"') from None
    if not folder.is_dir():
        problem = "not a folder" if folder.exists() else "no such folder"
        raise settings.error("import-roots", f'item {number}: {problem}: "{entry}"')
    return "" if relative == "." else relative


def _policy_entry(base: Path, entry: str) -> str:
    """A shipped pack name as written, or a policy path made absolute."""
    if "/" in entry or os.sep in entry or entry.endswith(".toml"):
        return str(_relative_to(base, entry))
    return entry
