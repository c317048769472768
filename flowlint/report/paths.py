"""Paths as CI systems want them: relative to the repository, not to the flowlint project.

Findings carry paths relative to the project root (DESIGN.md). GitHub code scanning, workflow
annotations, GitLab Code Quality and JUnit viewers resolve paths against the repository
checkout, which is the project root only when the project is the whole repository. The CI
reporters therefore prefix every path with the project root's place in its repository: the
nearest directory at or above the root that holds `.git` (a folder, or a file for worktrees
and submodules). Outside a repository the prefix is empty.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path


def repository_root(root: Path) -> Path | None:
    """The nearest directory at or above ``root`` that holds a ``.git`` entry, or None."""
    for directory in (root, *root.parents):
        if (directory / ".git").exists():
            return directory
    return None


def repository_prefix(root: Path | None) -> str:
    """What to put before a project-relative path to make it repository-relative: ``""`` or
    ``"sub/project/"`` (always ``/``-separated, with a trailing ``/``)."""
    if root is None:
        return ""
    repository = repository_root(root)
    if repository is None or repository == root:
        return ""
    return root.relative_to(repository).as_posix() + "/"


def from_cwd(root: Path, cwd: Path) -> Callable[[str], str]:
    """How the text format names a project path (relative to ``root``): relative to ``cwd``
    when ``cwd`` is a folder inside the project (as ruff does: what one would type there,
    ``../`` included), else unchanged. JSON and SARIF always keep root-relative paths."""
    root, cwd = root.resolve(), cwd.resolve()
    if root not in cwd.parents:
        return lambda relpath: relpath
    return lambda relpath: Path(os.path.relpath(root / relpath, cwd)).as_posix()
