"""The on-disk cache: module IR, so a warm run never parses, and whole-run results.

`.flowlint_cache/ir/` holds one file per module, named by a hash of everything the IR depends
on: the file's bytes, its path and module name, flowlint's version and the IR format. The IR
does not depend on the policy, so a policy change keeps it. `.flowlint_cache/runs/` holds the
analysis of a whole project, named by a hash of every file's IR key, the policy and the limits:
a run with nothing changed neither parses nor analyses. `.flowlint_cache/states/` holds what the
analysis of the latest runs leaves for the next, incremental one (named by the policy and the
limits). Writes are atomic (a temporary file renamed into place), so concurrent runs are safe; an
entry that cannot be read or unpickled is ignored and rebuilt; a cache directory that cannot be
written is left alone.

Entries are pickles, and the cache lives inside the analysed project, where a repository could
ship a crafted one. So every entry carries an HMAC made with a secret key kept outside the
project (`$XDG_CACHE_HOME/flowlint/secret`, created on first use, mode 0600): an entry this user's
flowlint did not write is never unpickled. Only regular files are opened (a named pipe planted
at an entry's path would block the run).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import pickle
import stat
import tempfile
from collections.abc import Iterable
from pathlib import Path

from flowlint import __version__, ir
from flowlint.results import Diagnostic

IR_FORMAT = "ir-7"
MAX_ENTRIES = 50_000  # oldest IR entries are pruned beyond this
MAX_RUNS = 16  # and oldest run results beyond this
MAX_STATES = 4  # and oldest analysis states beyond this
_TAG = "Signature: 8a477f597d28d172789f06886806bc55\n# This file is a cache directory tag created by flowlint.\n"

Entry = ir.Module | Diagnostic


def entry_key(source: bytes, relpath: str, module: str, is_package: bool) -> str:
    return _hash((IR_FORMAT, __version__, relpath, module, str(is_package)), source)


def run_key(entry_keys: Iterable[str], *settings: object) -> str:
    """The key of a whole run: every file's entry key (in order) and the settings that shape
    the analysis (the policy, the limits), by their reprs (dataclasses of tuples: stable)."""
    return _hash(("run", IR_FORMAT, __version__, *map(repr, settings), *entry_keys))


def _hash(parts: Iterable[str], data: bytes = b"") -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode("utf-8", "surrogatepass"))
        digest.update(b"\0")
    digest.update(data)
    return digest.hexdigest()


_MAGIC = b"flowlint-cache-1\n"
_MAC_SIZE = hashlib.sha256().digest_size


def _secret_path() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "flowlint" / "secret"


def _secret() -> bytes:
    """This user's key for signing cache entries; a per-run key when none can be kept (then
    entries from earlier runs are simply not trusted)."""
    path = _secret_path()
    try:
        key = path.read_bytes()
        if len(key) >= 32:
            return key
    except OSError:
        pass
    key = os.urandom(32)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        with os.fdopen(fd, "wb") as handle:  # mkstemp creates it 0600
            handle.write(key)
        os.replace(temporary, path)
        return path.read_bytes()  # a concurrent first run may have won the rename: use its key
    except OSError:
        return key


class IRCache:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.entries = directory / "ir"
        self.runs = directory / "runs"
        self.states = directory / "states"
        self.writable = True
        self.written = 0
        self._key = _secret()

    def _mac(self, blob: bytes) -> bytes:
        return hmac.new(self._key, blob, hashlib.sha256).digest()

    def get(self, key: str) -> Entry | None:
        value = self._load(self.entries / key[:2] / key)
        return value if isinstance(value, (ir.Module, Diagnostic)) else None

    def put(self, key: str, value: Entry) -> None:
        blob = _pickled(value)
        if blob is not None:
            self.put_pickled(key, blob)

    def put_pickled(self, key: str, blob: bytes) -> None:
        if self._store(self.entries / key[:2], key, blob):
            self.written += 1

    def get_run(self, key: str) -> object | None:
        """A whole run's result (the caller checks its type)."""
        return self._load(self.runs / key)

    def put_run(self, key: str, value: object) -> None:
        self._put_newest(self.runs, key, value, MAX_RUNS)

    def get_state(self, key: str) -> object | None:
        """The analysis state a run left (the caller checks its type)."""
        return self._load(self.states / key)

    def put_state(self, key: str, value: object) -> None:
        self._put_newest(self.states, key, value, MAX_STATES)

    def _put_newest(self, folder: Path, key: str, value: object, count: int) -> None:
        blob = _pickled(value)
        if blob is not None and self._store(folder, key, blob):
            _keep_newest(folder, count=count)

    def _load(self, path: Path) -> object | None:
        try:
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
            with os.fdopen(fd, "rb") as handle:
                if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                    return None
                data = handle.read()
        except OSError:
            return None
        header = len(_MAGIC) + _MAC_SIZE
        if not data.startswith(_MAGIC) or not hmac.compare_digest(data[len(_MAGIC):header], self._mac(data[header:])):
            return None  # truncated, corrupt, foreign or planted: never unpickled
        try:
            return pickle.loads(data[header:])
        except (EOFError, pickle.UnpicklingError, AttributeError, ImportError, IndexError, TypeError,
                ValueError, MemoryError, RecursionError):
            return None

    def _store(self, folder: Path, key: str, blob: bytes) -> bool:
        if not self.writable:
            return False
        try:
            self._prepare()
            folder.mkdir(parents=True, exist_ok=True)
            fd, temporary = tempfile.mkstemp(dir=folder, prefix=".tmp-")
            try:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(_MAGIC + self._mac(blob) + blob)
                os.replace(temporary, folder / key)
            finally:
                if os.path.exists(temporary):
                    os.unlink(temporary)
            return True
        except OSError:
            self.writable = False  # read-only or full: run without writing
            return False

    def _prepare(self) -> None:
        if (self.directory / "CACHEDIR.TAG").exists():
            return
        self.directory.mkdir(parents=True, exist_ok=True)
        (self.directory / "CACHEDIR.TAG").write_text(_TAG)
        (self.directory / ".gitignore").write_text("*\n")

    def prune(self) -> None:
        """Keep the newest MAX_ENTRIES IR entries (only when this run wrote some)."""
        if self.written and self.entries.is_dir():
            try:
                _keep_newest(*(folder for folder in self.entries.iterdir() if folder.is_dir()), count=MAX_ENTRIES)
            except OSError:
                return


def _pickled(value: object) -> bytes | None:
    try:
        return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, RecursionError):  # too deep to store: it is simply not cached
        return None


def _keep_newest(*folders: Path, count: int) -> None:
    """Delete all but the ``count`` most recently written files of ``folders``."""
    try:
        files = [p for folder in folders for p in folder.iterdir() if not p.name.startswith(".tmp-")]
        if len(files) <= count:
            return
        files.sort(key=lambda p: p.stat().st_mtime)
        for path in files[: len(files) - count]:
            path.unlink(missing_ok=True)
    except OSError:
        return
