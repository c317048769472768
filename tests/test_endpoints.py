"""Unit tests of `flowlint.analysis.endpoints`: URL arithmetic on patterns with holes, which calls
are HTTP requests and to which URL, and the glob-versus-pattern matcher behind `urls`."""

from __future__ import annotations

import itertools
import random
import re
import urllib.parse

import pytest

from flowlint import ir
from flowlint.analysis import endpoints, strings
from flowlint.analysis.endpoints import display, http_call, httpx_join, url_matches, urljoin, with_query
from flowlint.analysis.models import Models
from flowlint.analysis.strings import HOLE
from flowlint.analysis.values import Value
from flowlint.policy.model import Policy, Sink, Source

H = HOLE


# --- matching ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("glob", "url"), [
    ("https://api.vk.com/method/users.get", "https://api.vk.com/method/users.get"),
    ("https://api.vk.com/method/users.*", "https://api.vk.com/method/users.get"),
    ("https://api.vk.com/*", "https://api.vk.com/method/users.get?user_ids=1"),  # `*` crosses `/` and `?`
    ("https://*.vk.com/*", "https://api.vk.com/method/users.get"),  # and `.`
    ("https://api.vk.com/method/users.ge?", "https://api.vk.com/method/users.get"),
    ("https://api.vk.com/method/users.*", f"https://api.vk.com/method/{H}"),  # the hole may be `users.get`
    ("https://api.vk.com/method/*.get", f"https://api.vk.com/method/{H}"),
    ("https://api.vk.com/method/users.get", f"https://api.vk.com/method/users.{H}"),
    ("https://api.vk.com/method/users.get?*", f"https://api.vk.com/method/users.get{H}"),
    ("https://api.vk.com/method/users.get*", f"https://api.vk.com/method/users.get?{H}"),
    ("https://api.vk.com/u/*/friends", f"https://api.vk.com/u/{H}/friends"),
    ("https://api.vk.com/u/?/friends", f"https://api.vk.com/u/{H}/friends"),  # the hole is one character
    ("https://api.vk.com/method/users.get", f"https://api.vk.com{H}"),  # a hole after the host: the path
    ("https://api.vk.com:443/x", f"https://api.vk.com{H}"),  # or the port
    ("https://api.vk.com:*/x", f"https://api.vk.com:{H}/x"),
    ("http://api.vk.com/*", "https://api.vk.com/x"),  # http and https are the same party
    ("https://api.vk.com/*", "http://api.vk.com/x"),
    ("https://API.vk.com/*", "https://api.VK.com/x"),  # hosts compare case-insensitively
    ("HTTPS://api.vk.com/*", "https://api.vk.com/x"),
    ("*://api.vk.com/*", "wss://api.vk.com/x"),
    ("*", ""),  # `*` matches an unresolved URL
    ("*", f"{H}/users"),
    ("https://[::1]:8080/*", "https://[::1]:8080/x"),  # `[` is no glob token
])
def test_matches(glob: str, url: str) -> None:
    assert url_matches(glob, url)


@pytest.mark.parametrize(("glob", "url"), [
    ("https://api.vk.com/method/users.*", "https://api.vk.com/method/wall.get"),
    ("https://api.vk.com/method/users.*", "https://api.ok.ru/method/users.get"),
    ("https://api.vk.com/method/users.*", "https://api.vk.com.mirror.example/method/users.get"),
    ("https://api.vk.com/method/users.*", "https://proxy.example/?u=https://api.vk.com/method/users.get"),
    ("https://api.vk.com/method/users.get", "https://api.vk.com/method/users.get/extra"),  # globs are anchored
    ("https://api.vk.com/method/users.get?*", "https://api.vk.com/method/users.get"),
    ("https://api.vk.com/method/users.ge?", f"https://api.vk.com/method/users.{H}xy"),
    ("https://api.vk.com/u/?/friends", "https://api.vk.com/u//friends"),
    ("https://api.vk.com/METHOD/*", "https://api.vk.com/method/x"),  # paths are case-sensitive
    ("ftp://api.vk.com/*", "https://api.vk.com/x"),
    ("https://api.vk.com/*", "ftp://api.vk.com/x"),
    # a host that is (partly) unknown matches no pattern but `*`, even one that would fit it
    ("https://*/method/users.get", f"https://{H}/method/users.get"),
    ("https://*.vk.com/*", f"https://{H}.vk.com/x"),
    ("https://api.vk.com/*", f"https://api.{H}/x"),
    ("https://api.vk.com/*", f"https://api.vk.{H}"),
    ("https://api.vk.com/*", f"https://{H}@api.vk.com/x"),
    ("https://*", f"{H}://api.vk.com/x"),
    ("https://api.vk.com.evil/*", f"https://api.vk.com{H}"),  # a hole after the host is no more host
    # text that is no URL, or no text at all
    ("https://api.vk.com/*", "/method/users.get"),
    ("https://api.vk.com/*", "api.vk.com/method/users.get"),
    ("https://api.vk.com/*", ""),
    ("https://*", ""),
    ("*://*", ""),
])
def test_does_not_match(glob: str, url: str) -> None:
    assert not url_matches(glob, url)


def _brute_force(glob: str, pattern: str, alphabet: str, longest: int) -> bool:
    """Some string of `alphabet` up to `longest` characters that both match (holes are `.*`)."""
    glob_regex = re.compile(".*".join(".".join(map(re.escape, p.split("?"))) for p in glob.split("*")), re.DOTALL)
    pattern_regex = re.compile(".*".join(map(re.escape, pattern.split(H))), re.DOTALL)
    return any(glob_regex.fullmatch(text) and pattern_regex.fullmatch(text)
               for size in range(longest + 1)
               for text in map("".join, itertools.product(alphabet, repeat=size)))


def test_matcher_agrees_with_brute_force() -> None:
    """On random paths of a known host: the matcher finds a common text exactly when there is one."""
    rng = random.Random(14)
    for _ in range(400):
        glob = "".join(rng.choice("ab/**?") for _ in range(rng.randint(0, 4)))
        pattern = "".join(rng.choice("ab/" + H) for _ in range(rng.randint(0, 4)))
        expected = _brute_force(glob, pattern, "ab/", 8)  # a common text needs at most 8
        assert url_matches("https://h.example/" + glob, "https://h.example/" + pattern) == expected, (glob, pattern)


def test_matching_entries_and_unresolved_urls() -> None:
    entries = [("https://api.vk.com/*", "vk"), ("*", "any"), ("https://api.ok.ru/*", "ok")]
    assert endpoints.matching(entries, ("https://api.vk.com/x", "https://api.ok.ru/y")) == ("vk", "any", "ok")
    assert endpoints.matching(entries, ()) == ("any",)


def test_models_index_url_entries() -> None:
    source = Source(origin="vk", urls=("https://api.vk.com/*",))
    sink = Sink(kind="disclosure.third_party", urls=("https://hooks.example/*",))
    models = Models(Policy(sources=(source,), sinks=(sink,)))
    assert models.has_urls and models.matches_any("requests.get") and models.matches_any("httpx.Client")
    assert not models.matches_any("requests.get().json")
    assert models.url_entries(("https://api.vk.com/x",)) == ((source,), ())
    assert models.url_entries(("https://hooks.example/x",)) == ((), (sink,))
    assert models.url_entries(()) == ((), ())
    plain = Models(Policy(sources=(Source(origin="vk", calls=("vk.users",)),)))
    assert not plain.has_urls and not plain.matches_any("requests.get")


# --- URL arithmetic ----------------------------------------------------------------------------


@pytest.mark.parametrize(("base", "ref"), [
    ("https://api.vk.com/method/", "users.get"),
    ("https://api.vk.com/method/wall.get", "users.get"),
    ("https://api.vk.com/method/", "/other/x"),
    ("https://api.vk.com", "users.get"),
    ("https://api.vk.com/method/", "https://api.ok.ru/x"),
    ("https://api.vk.com/method/", "//cdn.vk.com/x"),
    ("https://api.vk.com/method/users.get?a=1#f", "?b=2"),
    ("https://api.vk.com/method/users.get?a=1#f", "#g"),
    ("https://api.vk.com/method/users.get?a=1", ""),
    ("https://api.vk.com/a/b?q=/x", "c"),
])
def test_urljoin_agrees_with_the_library_on_known_text(base: str, ref: str) -> None:
    assert urljoin(base, ref) == urllib.parse.urljoin(base, ref)


@pytest.mark.parametrize(("base", "ref", "joined"), [
    ("https://api.vk.com/method/", H, f"https://api.vk.com/{H}"),  # an unknown path may replace the base path
    ("https://api.vk.com/method/", f"{H}/users", f"https://api.vk.com/{H}/users"),
    (f"https://api.vk.com/{H}/x", "users", f"https://api.vk.com/{H}/users"),
    (f"https://api.vk.com/method/{H}", "users.get", "https://api.vk.com/method/users.get"),
    (f"https://{H}/method/", "/x", f"{H}/x"),
    (H, "users.get", f"{H}users.get"),
    (H, "https://api.vk.com/x", "https://api.vk.com/x"),
])
def test_urljoin_with_holes(base: str, ref: str, joined: str) -> None:
    assert strings.kinds([urljoin(base, ref)]) == strings.kinds([joined])


@pytest.mark.parametrize(("base", "ref", "joined"), [
    ("https://api.vk.com", "/users.get", "https://api.vk.com/users.get"),
    ("https://api.vk.com/method", "users.get", "https://api.vk.com/method/users.get"),
    ("https://api.vk.com/method/", "/users.get", "https://api.vk.com/method/users.get"),
    ("https://api.vk.com/method", "https://api.ok.ru/x", "https://api.ok.ru/x"),
    (f"https://api.vk.com/{H}", "/users", f"https://api.vk.com/{H}users"),
])
def test_httpx_join(base: str, ref: str, joined: str) -> None:
    assert httpx_join(base, ref) == joined


def test_query_and_display() -> None:
    assert with_query("https://a.example/x") == f"https://a.example/x?{H}"
    assert with_query("https://a.example/x?v=1") == f"https://a.example/x?v=1{H}"
    assert display(f"https://a.example/u/{H}?{H}") == "https://a.example/u/{}?{}"


# --- recognising calls -------------------------------------------------------------------------


def _text(*texts: str) -> Value:
    return Value(kinds=strings.kinds(texts))


def _arg(keyword: str | None = None) -> ir.Arg:
    return ir.Arg(ir.Const(None, ir.NO_SPAN), keyword)


def test_module_function_positional_and_keyword_url() -> None:
    call = http_call(("requests.get",), None, [_arg()], [_text("https://api.vk.com/x")])
    assert call is not None and (call.name, call.urls, call.response) == ("requests.get", ("https://api.vk.com/x",),
                                                                           "return")
    call = http_call(("requests.request",), None, [_arg(), _arg("url")], [_text("GET"), _text("https://a.example/")])
    assert call is not None and call.urls == ("https://a.example/",)
    assert http_call(("requests.request",), None, [_arg(), _arg()], [_text("GET"), _text("https://a.example/")]) \
        .urls == ("https://a.example/",)  # type: ignore[union-attr]


def test_unresolved_and_missing_urls() -> None:
    call = http_call(("httpx.post",), None, [_arg()], [Value()])
    assert call is not None and call.urls == () and call.shown() == "(unresolved URL)"
    assert http_call(("requests.get",), None, [], []).urls == ()  # type: ignore[union-attr]


def test_params_add_a_query() -> None:
    call = http_call(("requests.get",), None, [_arg(), _arg("params")], [_text("https://a.example/x"), Value()])
    assert call is not None and call.urls == (f"https://a.example/x?{H}",)
    positional = http_call(("requests.get",), None, [_arg(), _arg()], [_text("https://a.example/x"), Value()])
    assert positional is not None and positional.urls == (f"https://a.example/x?{H}",)


def test_client_methods_join_the_client_text() -> None:
    client = _text("https://api.vk.com/method")
    call = http_call(("httpx.Client().get", "httpx.Client.get"), client, [_arg()], [_text("/users.get")])
    assert call is not None and call.urls == ("https://api.vk.com/method/users.get",)
    session = http_call(("aiohttp.ClientSession().get",), _text("https://api.vk.com/v1/"), [_arg()], [_text("x")])
    assert session is not None and session.urls == ("https://api.vk.com/v1/x",)
    conn = http_call(("http.client.HTTPSConnection().request",), _text("https://api.vk.com"), [_arg(), _arg()],
                     [_text("GET"), _text("/method/users.get")])
    assert conn is not None and (conn.urls, conn.response) == (("https://api.vk.com/method/users.get",), "receiver")
    # a requests session has no base URL: whatever text its value has is not joined
    plain = http_call(("requests.Session().get",), _text("https://x.example"), [_arg()], [_text("/users")])
    assert plain is not None and plain.urls == ("/users",)


def test_subclass_method_names_and_non_requests() -> None:
    assert http_call(("requests.Session.get", "myapp.VkSession.get"), None, [_arg()],
                     [_text("https://a.example/")]) is not None
    for name in ("requests.Session().mount", "requests.get().json", "json.loads", "httpx.Client", "myapp.get"):
        assert http_call((name,), None, [_arg()], [_text("https://a.example/")]) is None


def test_default_sink_arguments_are_the_url_and_the_body() -> None:
    call = http_call(("requests.post",), None, [_arg()], [_text("https://a.example/")])
    assert call is not None and call.data == (0, 1, 2, "url", "body", "content", "data", "fields", "files", "json",
                                              "params")


def test_constructors_keep_their_text() -> None:
    assert endpoints.construct("httpx.Client", [_arg("base_url")], [_text("https://a.example")]) \
        == strings.kinds(["https://a.example"])
    assert endpoints.construct("httpx.Client", [_arg()], [_text("https://a.example")]) == frozenset()
    assert endpoints.construct("http.client.HTTPSConnection", [_arg()], [_text("api.vk.com")]) \
        == strings.kinds(["https://api.vk.com"])
    assert endpoints.construct("urllib.request.Request", [_arg("url")], [_text("https://a.example/x")]) \
        == strings.kinds(["https://a.example/x"])
    assert endpoints.construct("urllib.parse.urljoin", [_arg(), _arg()],
                               [_text("https://a.example/v1/"), _text("users")]) \
        == strings.kinds(["https://a.example/v1/users"])
    assert endpoints.construct("requests.get", [_arg()], [_text("https://a.example")]) is None
