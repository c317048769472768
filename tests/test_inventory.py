"""`flowlint sources`: the inventory of where data enters, run by the real CLI on
tests/fixtures/inventory (requests to a declared host and to an undeclared one, an unresolved
URL, an httpx client with a base URL, BeautifulSoup, Selenium, a Scrapy spider, a declared SDK,
and first-party code with look-alike names), compared with golden files for each format.

The project's policy is its own (`vendor-policy.toml`): the shipped packs are not selected, so
the scraping libraries are listed as undeclared, known to the `scrapers` pack.

To regenerate the golden files after a deliberate change (then review the diff):

    FLOWLINT_UPDATE_GOLDEN=1 python -m pytest tests/test_inventory.py
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import check_golden

REPO = Path(__file__).resolve().parents[1]
FIXTURE = REPO / "tests" / "fixtures" / "inventory"
GOLDEN = REPO / "tests" / "golden" / "inventory"
SUFFIX = {"text": "txt", "json": "json", "markdown": "md"}


def sources(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "flowlint", "sources", *args], cwd=project, capture_output=True,
                          text=True, timeout=120, env={**os.environ, "PYTHONIOENCODING": "utf-8"})


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the fixture project (the first run fills its cache; the others reuse it)."""
    copy = tmp_path_factory.mktemp("inventory") / "project"
    shutil.copytree(FIXTURE, copy, ignore=shutil.ignore_patterns(".flowlint_cache", "__pycache__"))
    return copy


@pytest.fixture(scope="module")
def document(project: Path) -> dict:
    result = sources(project, "--format", "json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize("fmt", sorted(SUFFIX))
def test_format_matches_golden(project: Path, document: dict, fmt: str) -> None:
    result = sources(project, "--format", fmt)
    assert result.returncode == 0, result.stderr
    check_golden(GOLDEN / f"expected.{SUFFIX[fmt]}", result.stdout)


def groups(document: dict) -> dict[tuple[str, str, bool], dict]:
    return {(g["kind"], g["name"], g["declared"]): g for g in document["groups"]}


def test_every_kind_of_entry_point_is_listed_and_grouped(document: dict) -> None:
    found = groups(document)
    assert set(found) == {
        ("http", "api.weather.example", False), ("http", "api.enrich.example", False),
        ("http", "people.example.org", False), ("http", "unresolved", False), ("http", "api.crm.example", True),
        ("scraping", "selenium", False), ("scraping", "bs4", False), ("scraping", "scrapy", False),
        ("sdk", "peoplefinder", True)}
    weather = found[("http", "api.weather.example", False)]
    assert weather["count"] == 4 and len(weather["entry_points"]) == 4  # JSON lists them all
    enrich = found[("http", "api.enrich.example", False)]["entry_points"]
    assert [e["urls"] for e in enrich] == [["https://api.enrich.example/v2/person?{}"]]  # base_url + path + params
    assert found[("http", "unresolved", False)]["entry_points"][0]["urls"] == []
    assert {k["policy"] for k in found[("scraping", "selenium", False)]["known"]} == {"<pack scrapers>"}
    assert found[("scraping", "scrapy", False)]["entry_points"][0]["symbol"] == "app.spider.PeopleSpider.parse:response"


def test_declared_entry_points_name_their_origin_and_count_sinks(document: dict) -> None:
    found = groups(document)
    crm, vendor = found[("http", "api.crm.example", True)], found[("sdk", "peoplefinder", True)]
    assert [(o["id"], o["lawful"]) for o in crm["origins"]] == [("crm", True)]
    assert [(o["id"], o["lawful"]) for o in vendor["origins"]] == [("peoplefinder", False)]
    assert crm["sources"] == ["vendor-policy.toml: [[sources]] #2 (line 24)"]
    assert crm["sinks"] == vendor["sinks"] == 1
    # undeclared data is not traced: no sink is counted for it
    assert {g["sinks"] for g in document["groups"] if not g["declared"]} == {0}


def test_undeclared_groups_come_first(document: dict) -> None:
    declared = [g["declared"] for g in document["groups"]]
    assert declared == sorted(declared) and declared[0] is False and declared[-1] is True
    assert document["summary"] == {"entry_points": 13, "undeclared": 11, "groups": 9, "files": 6}


def test_first_party_code_is_not_an_entry_point(document: dict) -> None:
    paths = {e["location"]["path"] for g in document["groups"] for e in g["entry_points"]}
    # the positive control: every other module of the project has its entry points listed
    assert paths == {"app/vendors.py", "app/enrich.py", "app/pages.py", "app/browser.py", "app/spider.py",
                     "app/search.py"}
    assert "app/helpers.py" not in paths  # `Cache.get`, `Cache.search`, `normalise`: project code
    assert not any(e["symbol"].startswith("app.helpers") for g in document["groups"] for e in g["entry_points"])


def test_paths_given_narrow_the_inventory_and_output_goes_to_a_file(project: Path, document: dict,
                                                                    tmp_path: Path) -> None:
    out = tmp_path / "inventory.json"
    result = sources(project, "app/browser.py", "--format", "json", "--output", str(out))
    assert result.returncode == 0 and result.stdout == ""
    assert "wrote" in result.stderr and "2 entry points, 2 not declared" in result.stderr
    narrowed = json.loads(out.read_text(encoding="utf-8"))
    assert [(g["name"], g["count"]) for g in narrowed["groups"]] == [("selenium", 2)]


def test_a_missing_path_is_a_usage_error(project: Path) -> None:
    result = sources(project, "app/nowhere.py")
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and "app/nowhere.py: no such file or directory" in result.stderr
