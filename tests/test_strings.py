"""Known text on abstract values (flowlint/analysis/strings.py): building, bounding, matching."""

from __future__ import annotations

import pytest

from flowlint.analysis import strings
from flowlint.analysis.strings import HOLE


def texts(kinds: frozenset[str]) -> tuple[str, ...]:
    return strings.patterns(kinds)


def test_constant_and_concatenation() -> None:
    base = strings.kinds(["https://api.example.com/"])
    assert texts(base) == ("https://api.example.com/",)
    joined = strings.concat([strings.text_of(base), (HOLE,), ("/profile",)])
    assert joined == (f"https://api.example.com/{HOLE}/profile",)
    assert strings.text_of(frozenset()) == (HOLE,)


def test_a_bare_hole_says_nothing_and_long_text_is_dropped() -> None:
    assert strings.kinds([HOLE]) == frozenset()
    assert strings.kinds([HOLE + HOLE]) == frozenset()
    assert strings.kinds(["x" * (strings.MAX_LENGTH + 1)]) == frozenset()


def test_too_many_texts_generalise_around_a_hole() -> None:
    urls = [f"https://a.example/users/{n}/feed" for n in range(strings.MAX_STRINGS + 1)]
    assert texts(strings.kinds(urls)) == (f"https://a.example/users/{HOLE}/feed",)
    assert len(texts(strings.kinds(urls[: strings.MAX_STRINGS]))) == strings.MAX_STRINGS


def test_a_covered_text_is_left_out() -> None:
    assert texts(strings.kinds([f"https://a.example/{HOLE}", "https://a.example/x"])) == (f"https://a.example/{HOLE}",)
    assert strings.covers(f"a{HOLE}c", "abbc")
    assert strings.covers(f"a{HOLE}", f"a{HOLE}/x")
    assert not strings.covers(f"a{HOLE}c", "abd")
    assert not strings.covers("abc", f"a{HOLE}c")


def test_joins_of_a_growing_string_reach_a_fixpoint() -> None:
    kinds = strings.kinds(["/root"])
    for _ in range(10):
        grown = strings.kinds(t + "/x" for t in texts(kinds))
        joined = strings.join_kinds(kinds, grown)
        if joined == kinds:
            break
        kinds = joined
    else:
        pytest.fail(f"no fixpoint: {texts(kinds)}")
    assert all(t.startswith("/root") for t in texts(kinds))


@pytest.mark.parametrize(("template", "args", "expected"), [
    ("https://x.example/%s/posts", [("alice",)], "https://x.example/alice/posts"),
    ("https://x.example/%s?page=%d", [(HOLE,), ("2",)], f"https://x.example/{HOLE}?page={HOLE}"),
    ("100%% of %s", [("it",)], "100% of it"),
    ("%(name)s", [("a",)], HOLE),
])
def test_percent_format(template: str, args: list, expected: str) -> None:
    assert strings.percent_format(template, args) == (expected,)


@pytest.mark.parametrize(("template", "positional", "keywords", "expected"), [
    ("https://x.example/{}/{}", [("a",), ("b",)], {}, "https://x.example/a/b"),
    ("https://x.example/{1}/{0}", [("a",), ("b",)], {}, "https://x.example/b/a"),
    ("https://x.example/{user}", [], {"user": ("bob",)}, "https://x.example/bob"),
    ("{{literal}} {0!r} {0:>4}", [("a",)], {}, f"{{literal}} {HOLE} {HOLE}"),
    ("{missing}", [], {}, HOLE),
])
def test_brace_format(template: str, positional: list, keywords: dict, expected: str) -> None:
    assert strings.brace_format(template, positional, keywords) == (expected,)


@pytest.mark.parametrize(("method", "text", "args", "expected"), [
    ("rstrip", "https://x.example/", ("/",), "https://x.example"),
    ("rstrip", f"https://x.example/{HOLE}", ("/",), f"https://x.example/{HOLE}"),
    ("lower", f"HTTPS://X.EXAMPLE/{HOLE}", (), f"https://x.example/{HOLE}"),
    ("replace", "http://x.example", ("http:", "https:"), "https://x.example"),
    ("removesuffix", "a.example/api/", ("/",), "a.example/api"),
])
def test_text_methods(method: str, text: str, args: tuple, expected: str) -> None:
    assert strings.text_method(method, text, *args) == expected


@pytest.mark.parametrize(("sql", "stores_nothing"), [
    ("SELECT * FROM people WHERE id = %s", True),
    ("  with recent as (select 1) select * from recent", True),
    (f"ALTER TABLE people ADD COLUMN {HOLE} TEXT", True),
    ("DELETE FROM people WHERE id = ?", True),
    ("INSERT INTO people VALUES (?)", False),
    ("UPDATE people SET name = ?", False),
    ("SELECT name INTO archive FROM people", False),
    ("CREATE TABLE copy AS SELECT * FROM people", False),
    ("WITH x AS (SELECT 1) INSERT INTO y SELECT * FROM x", False),
    ("select_key", False),
    (f"{HOLE}", False),
])
def test_sql_that_stores_no_row(sql: str, stores_nothing: bool) -> None:
    assert strings.is_non_collecting_sql([sql]) is stores_nothing
    assert strings.is_non_collecting_sql([]) is False
