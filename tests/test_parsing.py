"""The parse stage: worker processes, and a parser that crashes its process on one file."""

from __future__ import annotations

import faulthandler
import os
import signal
from pathlib import Path

import pytest

from flowlint import ir, parsing
from flowlint.discover import SourceFile
from flowlint.frontend import parse_source


def inputs(tmp_path: Path, names: list[str]) -> list[parsing.Input]:
    files = []
    for name in names:
        path = tmp_path / name
        path.write_text(f"def {path.stem}():\n    return 1\n")
        files.append(SourceFile(path=path, relpath=name, module=path.stem, is_package=False))
    return parsing.read_inputs(files)


def crashing(source: bytes, module: str, path: str, is_package: bool) -> ir.Module | object:
    if path.startswith("crash"):
        faulthandler.disable()  # pytest's, inherited by the worker: no dump of the deliberate crash
        os.kill(os.getpid(), signal.SIGSEGV)  # what a native parser bug does to its process
    return parse_source(source, module, path, is_package)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="the patched parser reaches workers through fork")
def test_a_worker_crash_costs_only_its_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parsing, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(parsing, "parse_source", crashing)
    names = [f"m{n}.py" for n in range(12)] + ["crash_a.py"] + [f"n{n}.py" for n in range(12)] + ["crash_b.py"]
    parsed = parsing.parse_files(inputs(tmp_path, names), jobs=2)
    assert sorted(m.path for m in parsed.modules) == sorted(n for n in names if not n.startswith("crash"))
    assert [(d.path, d.code, d.message) for d in parsed.diagnostics] == [
        (name, "FL903", "file not analysed: the parser crashed on it") for name in ("crash_a.py", "crash_b.py")]


def test_workers_and_one_process_give_the_same_ir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parsing, "PARALLEL_MIN_BYTES", 0)
    items = inputs(tmp_path, [f"m{n}.py" for n in range(8)])
    assert parsing.parse_files(items, jobs=2).modules == parsing.parse_files(items, jobs=1).modules
