"""`flowlint names FILE:LINE` (issue 15, item 3) on tests/fixtures/names: the names the engine
gives a line's calls and reads, and the policy entries that match each. shop/db.py names no
source, so `check` skips it: `names` still analyses it. The command line runs in a real process
where the exit status or the stream matters; the other cases call its entry point in this one
(the same code, without a second start-up each)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from test_no_silent_green import flowlint

from flowlint.cli import main

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "names"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("names") / "project"
    shutil.copytree(FIXTURE, root)
    return root


@pytest.mark.parametrize("location, expected", [
    # a chained DB call: each call of the chain has its name, the last one matches the sink
    ("shop/db.py:14", """\
shop/db.py:14:5: call `sqlite3.connect("shop.db").cursor().execute("INSERT INTO t …`
  sqlite3.connect().cursor().execute
    matches policy.toml:19: [[sinks]] #1 calls 'sqlite3.connect().cursor().execute'
  sqlite3.connect().cursor.execute
    (no policy entry matches)
"""),
    # a method of an annotated receiver: its class-based spelling matches
    ("shop/db.py:18", """\
shop/db.py:18:5: call `session.add(row)`
  sqlalchemy.orm.Session().add
    (no policy entry matches)
  sqlalchemy.orm.Session.add
    matches policy.toml:23: [[sinks]] #2 calls 'sqlalchemy.orm.Session.add'
"""),
    # an API path through subscripts
    ("shop/db.py:23", """\
shop/db.py:23:5: call `client["crm"]["people"].insert_one(doc)`
  pymongo.MongoClient()[][].insert_one
    matches policy.toml:27: [[sinks]] #3 calls 'pymongo.MongoClient()[][].insert_one'
"""),
    # the API object a project helper returns
    ("shop/db.py:27", """\
shop/db.py:27:5: call `connection().execute("INSERT INTO t VALUES (?)", (row,))`
  sqlite3.connect().execute
    matches policy.toml:19: [[sinks]] #1 calls 'sqlite3.connect().execute'
  sqlite3.connect.execute
    (no policy entry matches)
"""),
    # an assignment into a row loaded through an ORM session, which a `stores` pattern names
    ("shop/db.py:34", """\
shop/db.py:34:5: store `row.name = name`
  sqlalchemy.orm.Session().get().name
    matches policy.toml:31: [[sinks]] #4 stores 'sqlalchemy.*.get().*'
"""),
    # an attribute read that a `reads` source names
    ("shop/scrape.py:6", """\
shop/scrape.py:6:12: read `profile.profile_pic_url`
  instaloader.Profile.from_username().profile_pic_url
    matches policy.toml:15: [[sources]] #1 reads 'instaloader.Profile.from_username().profile_pic_url'
"""),
])
def test_names_and_the_entries_that_match_them(project: Path, location: str, expected: str,
                                               monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> None:
    monkeypatch.chdir(project)
    assert main(["names", location]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert out.endswith(expected), out
    # the calls that lead to the one shown come first, each with its own names
    if location == "shop/db.py:14":
        assert out.startswith("shop/db.py:14:5: read `sqlite3`\n  shop.db.sqlite3\n")
        assert "  sqlite3.connect().cursor\n    (no policy entry matches)\n" in out


def test_json_names_a_site_its_names_and_entries(project: Path) -> None:
    done = flowlint(project, "names", "shop/db.py:18", "--format", "json")
    assert (done.returncode, done.stderr) == (0, "")
    assert json.loads(done.stdout) == {"path": "shop/db.py", "line": 18, "sites": [{
        "kind": "call", "location": {"line": 18, "column": 5, "end_line": 18, "end_column": 21},
        "code": "session.add(row)",
        "names": [{"name": "sqlalchemy.orm.Session().add", "entries": []},
                  {"name": "sqlalchemy.orm.Session.add", "entries": [
                      {"file": "policy.toml", "table": "sinks", "index": 2, "line": 23, "key": "calls",
                       "pattern": "sqlalchemy.orm.Session.add"}]}]}]}


def test_a_line_without_calls_says_so(project: Path, monkeypatch: pytest.MonkeyPatch,
                                      capsys: pytest.CaptureFixture) -> None:
    monkeypatch.chdir(project)
    assert main(["names", "shop/db.py:11"]) == 0
    assert capsys.readouterr() == ("no calls or reads on line 11 of shop/db.py\n", "")


def test_a_bad_location_is_a_usage_error(project: Path) -> None:
    done = flowlint(project, "names", "shop/db.py:99")
    assert (done.returncode, done.stdout, done.stderr) == \
        (2, "", "flowlint: error: shop/db.py:99: line out of range (the file has 34 lines)\n")


@pytest.mark.parametrize("location, message", [
    ("shop/db.py", "'shop/db.py': expected FILE:LINE (a Python file and a line number from 1), e.g. app/store.py:12"),
    ("shop/db.py:0", "'shop/db.py:0': expected FILE:LINE (a Python file and a line number from 1), e.g. app/store.py:12"),
    ("shop/dbb.py:3", "shop/dbb.py: no such file or directory (did you mean shop/db.py?)"),
    ("policy.toml:3", "policy.toml: not a Python file of the project"),
])
def test_other_bad_locations(project: Path, location: str, message: str, monkeypatch: pytest.MonkeyPatch,
                             capsys: pytest.CaptureFixture) -> None:
    monkeypatch.chdir(project)
    assert main(["names", location]) == 2
    assert capsys.readouterr() == ("", f"flowlint: error: {message}\n")
