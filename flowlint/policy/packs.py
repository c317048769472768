"""Shipped policy packs: the `*.toml` files of the repository's `policies/` folder.

The folder is installed as the package `flowlint.packs` (see the package-dir mapping in
pyproject.toml; editable installs map it too) and found with `importlib.resources`. A pack's
name is its file name without `.toml` (`core`).
"""

from __future__ import annotations

import difflib
from importlib.resources import files
from pathlib import Path

from flowlint.errors import FlowlintError

PACKAGE = "flowlint.packs"


def pack_names() -> list[str]:
    """Names of every shipped pack, sorted."""
    return sorted(_pack_files())


def pack_path(name: str) -> Path:
    """The file of the shipped pack `name`; FlowlintError (with a suggestion) when there is none."""
    found = _pack_files().get(name)
    if found is None:
        raise FlowlintError(unknown_pack_message(name))
    return found


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
