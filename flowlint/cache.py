"""The on-disk cache of module IR, so a warm run never parses.

One file per module under `.flowlint_cache/ir/`, named by a hash of everything the IR depends
on: the file's bytes, its path and module name, flowlint's version and the IR format. The IR
does not depend on the policy, so a policy change keeps the cache. Writes are atomic (a
temporary file renamed into place), so concurrent runs are safe; an entry that cannot be read
or unpickled is ignored and rebuilt; a cache directory that cannot be written is left alone.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from pathlib import Path

from flowlint import __version__, ir
from flowlint.results import Diagnostic

IR_FORMAT = "ir-1"
MAX_ENTRIES = 50_000  # oldest entries are pruned beyond this
_TAG = "Signature: 8a477f597d28d172789f06886806bc55\n# This file is a cache directory tag created by flowlint.\n"

Entry = ir.Module | Diagnostic


def entry_key(source: bytes, relpath: str, module: str, is_package: bool) -> str:
    digest = hashlib.sha256()
    for part in (IR_FORMAT, __version__, relpath, module, str(is_package)):
        digest.update(part.encode())
        digest.update(b"\0")
    digest.update(source)
    return digest.hexdigest()


class IRCache:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.entries = directory / "ir"
        self.writable = True
        self.written = 0

    def get(self, key: str) -> Entry | None:
        try:
            with open(self.entries / key[:2] / key, "rb") as handle:
                value = pickle.load(handle)
        except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, IndexError, TypeError,
                ValueError, MemoryError):
            return None
        return value if isinstance(value, (ir.Module, Diagnostic)) else None

    def put(self, key: str, value: Entry) -> None:
        if not self.writable:
            return
        folder = self.entries / key[:2]
        try:
            self._prepare()
            folder.mkdir(parents=True, exist_ok=True)
            fd, temporary = tempfile.mkstemp(dir=folder, prefix=".tmp-")
            with os.fdopen(fd, "wb") as handle:
                pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, folder / key)
            self.written += 1
        except (OSError, pickle.PicklingError, RecursionError):
            self.writable = False  # read-only or full: run without writing

    def _prepare(self) -> None:
        if (self.directory / "CACHEDIR.TAG").exists():
            return
        self.directory.mkdir(parents=True, exist_ok=True)
        (self.directory / "CACHEDIR.TAG").write_text(_TAG)
        (self.directory / ".gitignore").write_text("*\n")

    def prune(self) -> None:
        """Keep the newest MAX_ENTRIES entries (only when this run wrote some)."""
        if not self.written or not self.entries.is_dir():
            return
        try:
            files = [p for folder in self.entries.iterdir() if folder.is_dir() for p in folder.iterdir()]
            if len(files) <= MAX_ENTRIES:
                return
            files.sort(key=lambda p: p.stat().st_mtime)
            for path in files[: len(files) - MAX_ENTRIES]:
                path.unlink(missing_ok=True)
        except OSError:
            return
