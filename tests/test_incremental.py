"""Incremental analysis: a run builds on the state the previous one left in the cache.

Each test analyses a small project, edits it, and analyses it again with the same cache (the
whole-run results are cleared first, so the engine does run). It checks what was analysed again
(the engine's analyses are recorded by function) and that the result is the result of an
analysis from scratch. Generated edits are covered by property 7 of tests/test_metamorphic.py,
scenarios through the CLI by tests/test_incremental_fixtures.py.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from flowlint import pipeline
from flowlint.analysis.engine import Engine
from flowlint.cache import IRCache
from flowlint.discover import SourceFile
from flowlint.policy.load import load_policy

ROOT = Path(__file__).parent / "fixtures" / "engine"
POLICY = load_policy([ROOT / "policy.toml"], base_dir=ROOT)


class Project:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.cache = IRCache(folder / ".flowlint_cache")
        self.analysed: list[str] = []  # qualnames, one per analysis, in the last run

    def write(self, **files: str) -> None:
        for name, text in files.items():
            path = self.folder / f"{name}.py"
            if text is None:
                path.unlink()
            else:
                path.write_text(textwrap.dedent(text))

    def files(self) -> list[SourceFile]:
        return [SourceFile(p, p.name, p.stem, False) for p in sorted(self.folder.glob("*.py"))]

    def run(self, cache: bool = True) -> pipeline.Analysis:
        shutil.rmtree(self.cache.runs, ignore_errors=True)
        analysed = self.analysed = []
        original = Engine._analyse

        def record(engine: Engine, context, *asker) -> None:
            analysed.append(context[0])
            original(engine, context, *asker)

        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(Engine, "_analyse", record)
            return pipeline.analyse(self.files(), POLICY, jobs=1, cache=self.cache if cache else None)

    def check(self) -> pipeline.Analysis:
        """Analyse with the cache and from scratch: the same result; the incremental one."""
        incremental = self.run()
        reanalysed = self.analysed
        scratch = self.run(cache=False)
        assert (incremental.findings, incremental.flows) == (scratch.findings, scratch.flows)
        self.analysed = reanalysed
        return incremental


def sinks(analysis: pipeline.Analysis) -> list[tuple[str, int]]:
    return sorted((f.sink.location.path, f.sink.location.line) for f in analysis.findings)


CHAIN = """
import taintlib
from b import middle

def top():
    taintlib.sink(middle(taintlib.source()))

def unrelated():
    taintlib.sink(taintlib.source())
"""
MIDDLE = """
from c import bottom

def middle(x):
    return bottom(x)
"""


def test_only_the_edited_function_and_its_callers_are_analysed_again(tmp_path: Path) -> None:
    project = Project(tmp_path)
    project.write(a=CHAIN, b=MIDDLE, c="def bottom(x):\n    return x\n")
    assert sinks(project.check()) == [("a.py", 6), ("a.py", 9)]
    # each function once: a callee analysed on demand does not send its caller round again
    assert sorted(project.analysed) == ["a.<module>", "a.top", "a.unrelated", "b.middle", "c.bottom"]

    project.write(c="def bottom(x):\n    return 1\n")  # same lines: only `bottom` differs
    edited = project.check()
    assert sinks(edited) == [("a.py", 9)]
    assert sorted(set(project.analysed)) == ["a.top", "b.middle", "c.bottom"]
    assert edited.reused > 0

    project.write(c="def bottom(x):\n    return x\n")  # and back
    assert sinks(project.check()) == [("a.py", 6), ("a.py", 9)]
    assert sorted(set(project.analysed)) == ["a.top", "b.middle", "c.bottom"]


def test_a_removed_global_write_leaves_no_trace_in_its_readers_summaries(tmp_path: Path) -> None:
    project = Project(tmp_path)
    project.write(
        a="""
        import taintlib
        import b

        def main():
            b.remember(taintlib.source())
            taintlib.sink(b.recall())
        """,
        b="""
        SAVED = None

        def remember(value):
            global SAVED
            SAVED = value

        def recall():
            return SAVED
        """,
    )
    assert sinks(project.check()) == [("a.py", 7)]
    project.write(b=(tmp_path / "b.py").read_text().replace("SAVED = value", "SAVED = 2    "))
    assert sinks(project.check()) == []
    assert "b.recall" in project.analysed  # it read what `remember` wrote: analysed again


def test_a_removed_field_write_leaves_no_trace(tmp_path: Path) -> None:
    project = Project(tmp_path)
    project.write(
        a="""
        import taintlib
        from b import Box

        def fill(box):
            box.item = taintlib.source()

        def main():
            box = Box()
            fill(box)
            taintlib.sink(box.read())
        """,
        b="""
        class Box:
            def __init__(self):
                self.item = None

            def read(self):
                return self.item
        """,
    )
    assert sinks(project.check()) == [("a.py", 11)]
    project.write(a=(tmp_path / "a.py").read_text().replace("taintlib.source()", "'constant'       "))
    assert sinks(project.check()) == []


def test_contexts_no_call_reaches_any_more_are_dropped(tmp_path: Path) -> None:
    project = Project(tmp_path)
    helper = textwrap.dedent("""
        import taintlib

        class Leaky:
            def emit(self):
                return taintlib.source()

        class Quiet:
            def emit(self):
                return None

        def use(thing):
            taintlib.sink(thing.emit())
        """)
    project.write(a=helper + "\ndef main():\n    use(Leaky())\n")
    assert sinks(project.check()) == [("a.py", 13)]
    # `use` in the context "thing is a Leaky" is called no more; its flows must go with it
    project.write(a=helper + "\ndef main():\n    use(Quiet())\n")
    assert sinks(project.check()) == []


def test_an_edit_beyond_function_bodies_analyses_the_importers_again(tmp_path: Path) -> None:
    project = Project(tmp_path)
    project.write(a=CHAIN, b=MIDDLE, c="def bottom(x):\n    return x\n", d="def alone():\n    return 0\n")
    project.check()
    project.write(c="def bottom(x):\n    return x\n\ndef spare():\n    return 0\n")  # a new top-level name
    project.check()
    assert sorted(set(project.analysed)) == [
        "a.<module>", "a.top", "a.unrelated", "b.middle", "c.bottom"]


def test_a_new_subclass_reanalyses_the_users_of_its_base_class(tmp_path: Path) -> None:
    project = Project(tmp_path)
    project.write(
        base="""
        import taintlib

        class Job:
            def payload(self):
                return None

            def run(self):
                taintlib.sink(self.payload())
        """,
        user="""
        from base import Job

        def start(job: Job):
            job.run()
        """,
        other="def unrelated():\n    return 0\n",
    )
    assert sinks(project.check()) == []
    project.write(scraper="""
    import taintlib
    from base import Job

    class Scrape(Job):
        def payload(self):
            return taintlib.source()
    """)
    assert sinks(project.check()) == [("base.py", 9)]
    assert "other.unrelated" not in project.analysed


def test_a_nested_function_edit_reanalyses_the_enclosing_function(tmp_path: Path) -> None:
    project = Project(tmp_path)
    project.write(a="""
    import taintlib

    def outer():
        data = taintlib.source()
        def inner():
            return data
        taintlib.sink(inner())

    def other():
        return 1
    """)
    assert sinks(project.check()) == [("a.py", 8)]
    project.write(a=(tmp_path / "a.py").read_text().replace("return data", "return None"))
    assert sinks(project.check()) == []
    assert {"a.outer", "a.outer.<locals>.inner"} <= set(project.analysed)
    assert "a.other" not in project.analysed


def test_a_scrambled_state_is_ignored(tmp_path: Path) -> None:
    project = Project(tmp_path)
    project.write(a=CHAIN, b=MIDDLE, c="def bottom(x):\n    return x\n")
    project.check()
    for entry in project.cache.states.iterdir():
        entry.write_bytes(entry.read_bytes()[:-40] + b"\0" * 40)
    project.write(c="def bottom(x):\n    return 1\n")
    edited = project.check()
    assert edited.reused == 0 and sinks(edited) == [("a.py", 9)]


def test_check_timings_says_how_much_was_reused(tmp_path: Path) -> None:
    project = Project(tmp_path)
    project.write(a=CHAIN, b=MIDDLE, c="def bottom(x):\n    return x\n")

    def timings() -> tuple[int, int]:
        done = subprocess.run([sys.executable, "-m", "flowlint", "check", "--isolated", "--exit-zero", "--timings",
                               "--policy", str(ROOT / "policy.toml"), "."], cwd=tmp_path, capture_output=True,
                              text=True, timeout=120)
        match = re.search(r"(\d+) function analyses, (\d+) summaries reused", done.stderr)
        assert match, done.stderr
        return int(match[1]), int(match[2])

    analysed, reused = timings()
    assert analysed > 0 and reused == 0
    project.write(c="def bottom(x):\n    return 1\n")
    again, reused = timings()
    assert 0 < again < analysed and reused > 0


def test_entry_points_found_while_analysing_are_kept_by_an_unrelated_edit(tmp_path: Path) -> None:
    """A decorator's wrapper and the owner of a captured cell become entry points when the code
    that reveals them is analysed. A run that does not analyse that code again (nothing it
    depends on changed) keeps them, and analyses nothing again but the edited function (if even that)."""
    project = Project(tmp_path)
    project.write(
        a="""
        import taintlib

        def inject_db(f):
            def wrapper(*args):
                return f(taintlib.DB(), *args)
            return wrapper

        @inject_db
        def handler(db, name):
            db.insert(taintlib.source(name))

        def outer():
            data = taintlib.source()
            def inner():
                taintlib.sink(data)
            return inner
        """,
        b="def unrelated():\n    return 1\n",
    )
    first = project.check()
    assert sinks(first) == [("a.py", 11), ("a.py", 16)]
    project.write(b="def unrelated():\n    return 2\n")  # same lines, another body
    edited = project.check()
    assert sinks(edited) == [("a.py", 11), ("a.py", 16)]
    assert set(project.analysed) <= {"b.unrelated"} and edited.reused > 0
