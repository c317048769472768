"""Finding the project's Python files and the module name of each.

Walk: everything below ``config.root``, except directories named ``.git``, ``.hg``, ``.svn``,
``.tox``, ``.nox``, ``.venv``, ``venv``, ``__pycache__``, ``.mypy_cache``, ``.pytest_cache``,
``.ruff_cache``, ``.flowlint_cache``, ``node_modules``, ``build``, ``dist``, ``site-packages``,
``*.egg-info``, the configured cache directory, and any directory holding a ``pyvenv.cfg``
(a virtual environment). Only regular files are listed (a directory named ``x.py`` is walked
as a directory, never read as a file; FIFOs and devices are ignored).

Globs (``include`` and ``exclude``), gitignore-like, case-sensitive, on ``/``-separated paths
relative to the root:

* a pattern without ``/`` (other than a trailing one) matches a name at any depth:
  ``*_pb2.py``, ``migrations``;
* a pattern with a ``/`` inside is anchored at the root (a leading ``/`` is dropped):
  ``tests/fixtures``, ``src/gen/*.py``;
* ``*``, ``?`` and ``[...]`` match within one path segment; a ``**`` segment matches any
  number of segments, none included (``tests/fixtures/**``, ``**/generated/*.py``);
* a trailing ``/`` matches directories only (``build/``).

A file is listed when its path matches an ``include`` pattern (default ``*.py``, ``*.pyi``:
by name), and neither it nor any directory above it matches an ``exclude`` pattern. An
excluded directory is not walked. Exclusion also holds for paths given on the command line.

Symlinks are judged by their own path (skip names, include, exclude) and followed, after the
rest of the tree, in order of their paths, when their target lies inside the root and has not
been reached yet; so a link to a file or folder already in the tree (or to an ancestor: a loop)
is skipped silently and the real path is the one listed. A link whose target is outside the
root is skipped with a diagnostic FL904 (for a file link, only when its name is included);
a dangling link is skipped silently. An unreadable directory is skipped with FL904.

Module names: from the file's directory, go up through the directories holding an
``__init__.py`` (or ``__init__.pyi``), not above the root; the parent of the topmost one is the
import root and the module is the dotted path from there (``pkg/sub/mod.py`` gives
``pkg.sub.mod``, ``pkg/__init__.py`` gives ``pkg`` with ``is_package``). When the root itself
holds an ``__init__.py``, the root's own name is the first segment. A file in no regular
package is named from the source root: ``root/src`` when the file is below it, else ``root``
(``src/a/b/c.py`` gives ``a.b.c``, ``scripts/tool.py`` gives ``scripts.tool``). Segments are
used as written, identifiers or not (``my-script.py`` gives ``my-script``); the last one loses
its suffix. This name is the module's one identity; the code may import it under other names
(a script's sibling by its bare name, a package below another root): `flowlint.imports` maps
those to it.

Several files can share a module name (``mod.py`` and ``mod.pyi``, or the same package in two
folders): `discover` lists them all, sorted by relpath; the one to analyse is a ``.py`` file
before a ``.pyi`` stub, then the first by relpath.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fnmatch import translate
from pathlib import Path

from flowlint.config import Config
from flowlint.results import Diagnostic

SKIP_DIRS = frozenset({
    ".git", ".hg", ".svn", ".tox", ".nox", ".venv", "venv", "__pycache__", ".mypy_cache",
    ".pytest_cache", ".ruff_cache", ".flowlint_cache", "node_modules", "build", "dist", "site-packages",
})
SKIP_SUFFIX = ".egg-info"
VENV_MARKER = "pyvenv.cfg"
PACKAGE_MARKERS = frozenset({"__init__.py", "__init__.pyi"})
FILE_PROBLEM = "FL904"


@dataclass(frozen=True)
class SourceFile:
    """A project file to analyse."""

    path: Path  # absolute
    relpath: str  # relative to config.root, with "/" separators
    module: str  # dotted module name; "pkg" for pkg/__init__.py
    is_package: bool  # True for __init__.py / __init__.pyi


@dataclass(frozen=True)
class _Glob:
    """One compiled include/exclude pattern; a None segment stands for ``**``."""

    segments: tuple[re.Pattern[str] | None, ...]
    dir_only: bool

    @classmethod
    def compile(cls, pattern: str) -> _Glob:
        dir_only = pattern.endswith("/")
        body = pattern.rstrip("/")
        if "/" not in body:
            body = f"**/{body}"
        segments = tuple(None if part == "**" else re.compile(translate(part))
                         for part in body.lstrip("/").split("/"))
        return cls(segments, dir_only)

    def matches(self, parts: Sequence[str], is_dir: bool) -> bool:
        return (is_dir or not self.dir_only) and _match(self.segments, tuple(parts))


def _match(segments: tuple[re.Pattern[str] | None, ...], parts: tuple[str, ...]) -> bool:
    """Whether path segments ``parts`` match pattern ``segments`` exactly."""
    if not segments:
        return not parts
    head, rest = segments[0], segments[1:]
    if head is None and None not in rest:  # only one way to line the fixed segments up
        return len(parts) >= len(rest) and _match(rest, parts[len(parts) - len(rest):])
    if head is None:
        return any(_match(rest, parts[skip:]) for skip in range(len(parts) + 1))
    return bool(parts) and head.match(parts[0]) is not None and _match(rest, parts[1:])


@dataclass(frozen=True)
class _Filter:
    """The include and exclude globs of a configuration."""

    include: tuple[_Glob, ...]
    exclude: tuple[_Glob, ...]

    @classmethod
    def of(cls, config: Config) -> _Filter:
        return cls(tuple(map(_Glob.compile, config.include)), tuple(map(_Glob.compile, config.exclude)))

    def included(self, parts: Sequence[str]) -> bool:
        return any(glob.matches(parts, is_dir=False) for glob in self.include)

    def excluded(self, parts: Sequence[str], is_dir: bool) -> bool:
        return any(glob.matches(parts, is_dir) for glob in self.exclude)

    def excluded_path(self, relpath: str) -> bool:
        """Whether a file's relpath, or a directory above it, is excluded."""
        parts = relpath.split("/")
        return self.excluded(parts, is_dir=False) or any(
            self.excluded(parts[:depth], is_dir=True) for depth in range(1, len(parts)))


def _skipped_name(name: str) -> bool:
    return name in SKIP_DIRS or name.endswith(SKIP_SUFFIX)


def _join(relpath: str, name: str) -> str:
    return f"{relpath}/{name}" if relpath else name


def _inside(real: str, root_real: str) -> bool:
    return os.path.commonpath([real, root_real]) == root_real


class _Walker:
    """One walk of the project tree: the files found, the package folders, the problems."""

    def __init__(self, config: Config) -> None:
        self.root = str(config.root)
        self.root_real = os.path.realpath(config.root)
        self.cache_real = os.path.realpath(config.cache_dir)
        self.filter = _Filter.of(config)
        self.files: dict[str, str] = {}  # relpath -> absolute path
        self.package_dirs: set[str] = set()  # relpaths of folders with an __init__ ("" = root)
        self.diagnostics: list[Diagnostic] = []
        self.visited_dirs: set[str] = set()  # real paths
        self.seen_files: set[str] = set()  # real paths
        self.links: list[tuple[str, str]] = []  # (relpath, path) of symlinks still to follow

    def run(self) -> None:
        self._walk("", self.root, self.root_real)
        while self.links:
            batch, self.links = sorted(self.links), []
            for relpath, path in batch:
                self._follow(relpath, path)

    def _problem(self, relpath: str, message: str) -> None:
        self.diagnostics.append(Diagnostic(relpath or ".", 1, 1, FILE_PROBLEM, message))

    def _walk(self, relpath: str, path: str, real: str) -> None:
        stack = [(relpath, path, real)]
        while stack:
            relpath, path, real = stack.pop()
            if real in self.visited_dirs:
                continue
            self.visited_dirs.add(real)
            stack.extend(self._scan(relpath, path, real))

    def _scan(self, relpath: str, path: str, real: str) -> list[tuple[str, str, str]]:
        """Record one folder's files and links; return its subfolders to walk."""
        try:
            with os.scandir(path) as it:
                entries = list(it)
        except OSError as err:
            self._problem(relpath, f"cannot read directory ({err.strerror or err}): skipped")
            return []
        names = {entry.name for entry in entries}
        if relpath and VENV_MARKER in names:
            return []
        if names & PACKAGE_MARKERS:
            self.package_dirs.add(relpath)
        subfolders: list[tuple[str, str, str]] = []
        for entry in entries:
            child, child_real = _join(relpath, entry.name), os.path.join(real, entry.name)
            if entry.is_symlink():
                self.links.append((child, entry.path))
            elif entry.is_dir(follow_symlinks=False):
                if self._enters(child, child_real):
                    subfolders.append((child, entry.path, child_real))
            elif entry.is_file(follow_symlinks=False):
                self._add_file(child, entry.path, child_real)
        return subfolders

    def _enters(self, relpath: str, real: str) -> bool:
        parts = relpath.split("/")
        return not (_skipped_name(parts[-1]) or real == self.cache_real
                    or self.filter.excluded(parts, is_dir=True))

    def _wanted_file(self, relpath: str) -> bool:
        parts = relpath.split("/")
        return self.filter.included(parts) and not self.filter.excluded(parts, is_dir=False)

    def _add_file(self, relpath: str, path: str, real: str) -> None:
        if self._wanted_file(relpath) and real not in self.seen_files:
            self.seen_files.add(real)
            self.files[relpath] = path

    def _follow(self, relpath: str, path: str) -> None:
        """Follow one symlink found in the tree (see the module docstring)."""
        real = os.path.realpath(path)
        is_dir = os.path.isdir(real)
        if is_dir:
            wanted = self._enters(relpath, real)
        else:
            wanted = os.path.isfile(real) and self._wanted_file(relpath)
        if not wanted:
            return
        if not _inside(real, self.root_real):
            self._problem(relpath, "symlink points outside the project: skipped")
        elif is_dir:
            self._walk(relpath, path, real)
        else:
            self._add_file(relpath, path, real)


def discover(config: Config) -> tuple[list[SourceFile], list[Diagnostic]]:
    """The project's files (sorted by relpath) and the problems met finding them (sorted)."""
    walker = _Walker(config)
    walker.run()
    root_name = Path(walker.root_real).name
    files = [_source_file(relpath, Path(path), walker.package_dirs, root_name)
             for relpath, path in sorted(walker.files.items())]
    return files, sorted(walker.diagnostics)


def _source_file(relpath: str, path: Path, package_dirs: set[str], root_name: str) -> SourceFile:
    name = relpath.rpartition("/")[2]
    stem = name.rpartition(".")[0] or name
    names = _module_segments(relpath.split("/"), package_dirs, root_name)
    names = names[:-1] if stem == "__init__" else [*names[:-1], stem]
    return SourceFile(path=path, relpath=relpath, module=".".join(names), is_package=stem == "__init__")


def _module_segments(parts: list[str], package_dirs: set[str], root_name: str) -> list[str]:
    """The path segments that name a module, last one with its suffix (module docstring)."""
    top: int | None = None
    for depth in range(len(parts) - 1, -1, -1):
        if "/".join(parts[:depth]) not in package_dirs:
            break
        top = depth
    if top == 0:
        return [root_name, *parts]
    if top is not None:
        return parts[top - 1:]
    return parts[1:] if parts[0] == "src" and len(parts) > 1 else parts


def in_scope(config: Config, paths: Sequence[Path]) -> Callable[[str], bool]:
    """A predicate on relpaths: inside one of ``paths`` (files or folders, absolute or relative
    to the current directory) and not excluded by the configuration. No paths: every relpath
    that is not excluded. A path outside the root matches nothing."""
    exclusion = _Filter.of(config)
    targets = _scope_targets(config.root, paths) if paths else None

    def predicate(relpath: str) -> bool:
        if exclusion.excluded_path(relpath):
            return False
        return targets is None or any(_under(relpath, target) for target in targets)

    return predicate


def _under(relpath: str, target: str) -> bool:
    return not target or relpath == target or relpath.startswith(f"{target}/")


def _scope_targets(root: Path, paths: Sequence[Path]) -> frozenset[str]:
    """The relpaths of ``paths`` below the root, as written and with symlinks resolved."""
    roots = {root, root.resolve()}
    targets: set[str] = set()
    for path in paths:
        absolute = Path(os.path.abspath(path))
        for candidate in {absolute, absolute.resolve()}:
            for base in roots:
                if candidate == base or base in candidate.parents:
                    relative = candidate.relative_to(base).as_posix()
                    targets.add("" if relative == "." else relative)
    return frozenset(targets)
