"""Shipped policy packs: the `*.toml` files of the repository's `policies/` folder.

The folder is installed as the package `flowlint.packs` (see the package-dir mapping in
pyproject.toml; editable installs map it too) and found with `importlib.resources`. A pack's
name is its file name without `.toml` (`core`). One file there is not a pack: `vocabulary.toml`,
the base vocabulary loaded with every selection (see `flowlint.policy.vocabulary`).
"""

from __future__ import annotations

import difflib
import os
from functools import lru_cache
from importlib.resources import files
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python < 3.11
    import tomli as tomllib  # type: ignore[no-redef,import-not-found,unused-ignore]

from flowlint.errors import FlowlintError

PACKAGE = "flowlint.packs"
VOCABULARY = "vocabulary"


def pack_names() -> list[str]:
    """Names of every shipped pack, sorted."""
    return sorted(name for name in _pack_files() if name != VOCABULARY)


def pack_path(name: str) -> Path:
    """The file of the shipped pack `name`; FlowlintError (with a suggestion) when there is none."""
    found = _pack_files().get(name) if name != VOCABULARY else None
    if found is None:
        raise FlowlintError(unknown_pack_message(name))
    return found


def vocabulary_path() -> Path:
    """The shipped base vocabulary."""
    return _pack_files()[VOCABULARY]


def is_shipped(path: Path) -> bool:
    """Whether `path` is one of the shipped files (a pack or the base vocabulary), however named."""
    return os.path.abspath(path) in {os.path.abspath(shipped) for shipped in _pack_files().values()}


@lru_cache(maxsize=1)
def shipped_rule_ids() -> frozenset[str]:
    """The ids of the rules the shipped packs define (a project file may redefine these)."""
    ids: set[str] = set()
    for name in pack_names():
        try:
            with pack_path(name).open("rb") as handle:
                rules = tomllib.load(handle).get("rules", [])
        except (OSError, tomllib.TOMLDecodeError):  # reported when the pack itself is loaded
            continue
        ids.update(rule["id"] for rule in rules if isinstance(rule, dict) and isinstance(rule.get("id"), str))
    return frozenset(ids)


def unknown_pack_message(name: str) -> str:
    """`unknown policy pack 'gdpr'; available: core; did you mean 'core'?`"""
    names = pack_names()
    message = f"unknown policy pack {name!r}; available: {', '.join(names) or '(none)'}"
    close = difflib.get_close_matches(name, names, n=1)
    return f"{message}; did you mean {close[0]!r}?" if close else message


def _pack_files() -> dict[str, Path]:
    return {entry.name[: -len(".toml")]: entry for entry in _pack_entries()
            if entry.name.endswith(".toml") and entry.is_file()}


def _pack_entries() -> list[Path]:
    return [Path(str(entry)) for entry in files(PACKAGE).iterdir()]
