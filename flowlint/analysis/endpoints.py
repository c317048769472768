"""Endpoint sources and sinks: HTTP client calls, the URL each one requests, and `urls` patterns.

A policy's `urls = [...]` (on `[[sources]]` and `[[sinks]]`) names a party by the URLs of the
requests made to it. This module knows the HTTP clients — requests (functions and sessions),
httpx (functions, `Client`/`AsyncClient` with `base_url=`), aiohttp (`ClientSession`, with
`base_url`), urllib.request (`urlopen`, `Request`), http.client (`HTTP(S)Connection`), urllib3
and requests_oauthlib's OAuth sessions — and computes the URL of each call from the text the
engine knows of its arguments (`strings`): a pattern with holes where a part is unknown.

A client's base URL (httpx/aiohttp `base_url`, an http.client connection's `https://host`, a
urllib `Request`'s URL) is kept as the client value's own text (`str:` kinds), so it travels
wherever kinds travel: variables, instance fields (`self.client`), calling contexts.

`apply` is the engine's hook (called from `Calls.call_api` when the policy has `urls`): a call
whose URL matches a source's pattern returns that source's data (http.client: the connection
holds it, and `getresponse()` returns it); a call whose URL matches a sink's pattern is that
sink, for the URL and the body-like arguments unless the sink says `args`.

Matching (`url_matches`): a policy pattern is a glob on the whole URL (`*` any text, crossing `/`
and `.`; `?` one character); a URL pattern matches when some text its holes could stand for
makes the glob match — but only when its scheme and host are known: a URL whose host is (partly)
unknown, or that is not resolved at all, matches only the pattern `*`. A hole right after the
host stands for a port, path, query or fragment (it starts with `:`, `/`, `?` or `#`), never
for more of the host. Schemes and hosts compare case-insensitively, and `http` and `https` are
the same party: a pattern written with one matches URLs with either.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Literal, TypeVar

from flowlint import ir
from flowlint.analysis import strings
from flowlint.analysis.strings import HOLE
from flowlint.analysis.summary import SinkSpec
from flowlint.analysis.values import Label, Taint, Value, attr_key

if TYPE_CHECKING:
    from flowlint.analysis.interpret import FunctionRun, State
    from flowlint.policy.model import Sink, Source

# --- the catalogue -----------------------------------------------------------------------------

Signature = tuple[str, ...]  # the positional parameters of a call, in order
# how a client's text (its base URL) and a call's URL make the URL requested
Join = Literal["none", "httpx", "urljoin", "http.client"]

_VERBS = ("get", "post", "put", "patch", "delete", "head", "options")
_REQUESTS: dict[str, Signature] = {
    "get": ("url", "params"), "post": ("url", "data", "json"), "put": ("url", "data"), "patch": ("url", "data"),
    "delete": ("url",), "head": ("url",), "options": ("url",), "request": ("method", "url", "params", "data"),
}
_HTTPX: dict[str, Signature] = {**{verb: ("url",) for verb in _VERBS}, "request": ("method", "url"),
                                "stream": ("method", "url")}
_AIOHTTP: dict[str, Signature] = {**{verb: ("url",) for verb in _VERBS}, "request": ("method", "url")}
_URLLIB3: dict[str, Signature] = {"request": ("method", "url", "body", "fields", "headers"),
                                  "urlopen": ("method", "url", "body", "headers")}
_HTTP_CLIENT: dict[str, Signature] = {"request": ("method", "url", "body", "headers")}


@dataclass(frozen=True)
class _Owner:
    """A module or client class whose methods send requests, and how its base URL joins a URL."""

    methods: dict[str, Signature]
    join: Join = "none"


# the modules and client classes whose methods send requests (also what makes a module one
# that can name an endpoint source)
OWNERS: dict[str, _Owner] = {
    # module functions
    "requests": _Owner(_REQUESTS),
    "requests.api": _Owner(_REQUESTS),
    "httpx": _Owner(_HTTPX),
    "aiohttp": _Owner({"request": ("method", "url")}),
    "urllib.request": _Owner({"urlopen": ("url", "data")}),
    "urllib3": _Owner({"request": _URLLIB3["request"]}),
    # clients: `requests.Session().get` and `requests.Session.get` (a subclass's method)
    **{name: _Owner(_REQUESTS) for name in (
        "requests.Session", "requests.session", "requests.sessions.Session", "requests.sessions.session",
        "requests_oauthlib.OAuth1Session", "requests_oauthlib.OAuth2Session",
        "requests_oauthlib.oauth1_session.OAuth1Session", "requests_oauthlib.oauth2_session.OAuth2Session")},
    "httpx.Client": _Owner(_HTTPX, "httpx"),
    "httpx.AsyncClient": _Owner(_HTTPX, "httpx"),
    "aiohttp.ClientSession": _Owner(_AIOHTTP, "urljoin"),
    "urllib3.PoolManager": _Owner(_URLLIB3),
    "http.client.HTTPConnection": _Owner(_HTTP_CLIENT, "http.client"),
    "http.client.HTTPSConnection": _Owner(_HTTP_CLIENT, "http.client"),
}


@dataclass(frozen=True)
class _Constructor:
    """A call that makes a client or request whose text (base URL) the later calls resolve against."""

    signature: Signature
    parameter: str  # the argument that gives the text
    scheme: str = ""  # prefixed to the argument's text (http.client takes a host)


_CONSTRUCTORS: dict[str, _Constructor] = {
    "httpx.Client": _Constructor((), "base_url"),
    "httpx.AsyncClient": _Constructor((), "base_url"),
    "aiohttp.ClientSession": _Constructor(("base_url",), "base_url"),
    "urllib.request.Request": _Constructor(("url", "data"), "url"),
    "http.client.HTTPConnection": _Constructor(("host", "port"), "host", "http://"),
    "http.client.HTTPSConnection": _Constructor(("host", "port"), "host", "https://"),
}
_URLJOIN = frozenset({"urllib.parse.urljoin", "requests.compat.urljoin"})
# the arguments that carry data to the requested party, besides the URL
_BODY = frozenset({"data", "json", "params", "files", "content", "body", "fields"})


def modelled(name: str) -> bool:
    """Whether a call of the API name `name` is one this module models (an HTTP request, a
    client or request constructor, `urljoin`)."""
    return name in _CONSTRUCTORS or name in _URLJOIN or _request_signature(name) is not None


# attributes of a response that describe the exchange, not what the party sent about anyone
RESPONSE_METADATA = frozenset({"status_code", "status", "ok", "reason", "elapsed", "encoding", "apparent_encoding",
                               "is_redirect", "is_success", "is_error", "http_version"})


def is_response(kinds: frozenset[str]) -> bool:
    """Whether a value with these kinds is the response of an HTTP request."""
    return any(k.startswith("api:") and k.endswith("()") and _request_signature(k[4:-2]) is not None for k in kinds)


def _request_signature(name: str) -> tuple[Signature, Join] | None:
    owner, _, method = name.rpartition(".")
    found = OWNERS.get(owner.removesuffix("()"))
    if found is None or method not in found.methods:
        return None
    return found.methods[method], found.join


# --- one call ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class HttpCall:
    """An HTTP request made by a call: its URL patterns (() = unresolved) and its arguments."""

    name: str  # the API name it was recognised by
    urls: tuple[str, ...]
    user_agents: tuple[str, ...]  # the `User-Agent` header it sets, as known text patterns
    data: tuple[int | str, ...]  # the URL and body-like arguments: positions and keyword names
    response: Literal["return", "receiver"]  # where the response goes (http.client: the connection)
    # the data in the URL (and query): what it names is what comes back (a photo fetched by
    # its scraped address is that photo)
    addressed: frozenset[Label] = frozenset()

    def shown(self) -> str:
        return " | ".join(display(url) for url in self.urls) if self.urls else "(unresolved URL)"


def http_call(names: Sequence[str], receiver: Value | None, arg_nodes: list[ir.Arg],
              args: list[Value]) -> HttpCall | None:
    """The request a call of `names` makes, or None when it is no HTTP request."""
    for name in names:
        found = _request_signature(name)
        if found is None:
            continue
        signature, join = found
        url = _argument(signature, "url", arg_nodes, args)
        urls = strings.text_of(url.kinds) if url is not None else (HOLE,)
        if join != "none":
            bases = strings.text_of(receiver.kinds) if receiver is not None else (HOLE,)
            urls = tuple(_join(join, base, ref) for base in bases for ref in urls)
        if _argument(signature, "params", arg_nodes, args) is not None:
            urls = tuple(with_query(url) for url in urls)
        data = tuple(i for i, p in enumerate(signature) if p == "url" or p in _BODY) + ("url", *sorted(_BODY))
        addressed = frozenset().union(*(value.derived_labels() for value in (
            url, _argument(signature, "params", arg_nodes, args)) if value is not None))
        return HttpCall(name, strings.patterns(strings.kinds(urls)), _user_agents(receiver, arg_nodes, args),
                        data, "receiver" if join == "http.client" else "return", addressed)
    return None


def _user_agents(receiver: Value | None, arg_nodes: list[ir.Arg], args: list[Value]) -> tuple[str, ...]:
    """The known text of the `User-Agent` a request sends: in its `headers=` dict, or set on
    the session it is made with (`session.headers.update({...})`, `session.headers[...] = ...`)."""
    found = [_argument((), "headers", arg_nodes, args)]
    if receiver is not None:
        found.append(receiver.read(attr_key("headers")))
    return tuple(dict.fromkeys(text for headers in found if headers is not None
                               for key, value in headers.fields.items()
                               if key[0] == "i" and isinstance(key[1], str) and key[1].lower() == "user-agent"
                               for text in strings.patterns(value.kinds)))


def _argument(signature: Signature, parameter: str, arg_nodes: list[ir.Arg], args: list[Value]) -> Value | None:
    """The value passed for `parameter` (by keyword or position), or None when not passed."""
    position = 0
    for node, value in zip(arg_nodes, args):
        if node.star:
            continue
        if node.keyword is not None:
            if node.keyword == parameter:
                return value
            continue
        if position < len(signature) and signature[position] == parameter:
            return value
        position += 1
    return None


def _join(join: Join, base: str, ref: str) -> str:
    if join == "httpx":
        return httpx_join(base, ref)
    if join == "urljoin":
        return urljoin(base, ref)
    return ref if _absolute(ref) else base + ref  # http.client: the connection's `scheme://host` and a path


def construct(name: str, arg_nodes: list[ir.Arg], args: list[Value]) -> frozenset[str] | None:
    """The text kinds of what a constructor or `urljoin` call returns, or None when `name` is
    neither."""
    if name in _URLJOIN:
        base, ref = (_argument(("base", "url"), p, arg_nodes, args) for p in ("base", "url"))
        if base is None or ref is None:
            return None
        return strings.kinds(urljoin(b, r) for b in strings.text_of(base.kinds) for r in strings.text_of(ref.kinds))
    constructor = _CONSTRUCTORS.get(name)
    if constructor is None:
        return None
    value = _argument(constructor.signature, constructor.parameter, arg_nodes, args)
    if value is None:
        return frozenset()
    return strings.kinds(constructor.scheme + text for text in strings.text_of(value.kinds))


# --- URL arithmetic on patterns ----------------------------------------------------------------

_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*")


def _absolute(text: str) -> bool:
    """Whether a pattern starts with a known `scheme://`."""
    scheme, separator, _ = text.split(HOLE, 1)[0].partition("://")
    return bool(separator) and _SCHEME.fullmatch(scheme) is not None


def _origin(text: str) -> str | None:
    """`scheme://authority` of a pattern, when its host is known: the text up to the end of the
    authority has no hole, or a hole comes right after a host that does not end in `.`, `-`
    or `@` (such a hole is taken for a port, path, query or fragment)."""
    known, hole, _ = text.partition(HOLE)
    if not _absolute(known):
        return None
    start = known.index("://") + 3
    end = re.search(r"[/?#]", known[start:])
    authority = known[start:start + end.start()] if end else known[start:]
    if not authority or (hole and not end and authority[-1] in ".-@"):
        return None
    return known[:start + len(authority)]


def urljoin(base: str, ref: str) -> str:
    """`urllib.parse.urljoin(base, ref)` on patterns. A reference that starts with a hole is
    taken to be relative: it keeps the base's origin, and may replace the whole path."""
    if _absolute(ref):
        return ref
    origin = _origin(base)
    if ref.startswith("//"):
        return (base.partition("://")[0] + ":" + ref) if origin else HOLE + ref
    if ref.startswith("/") or ref.startswith(HOLE):
        return (origin if origin else HOLE) + ("/" if ref.startswith(HOLE) else "") + ref
    if not ref:
        return base
    if ref[0] == "?":
        return re.split(r"[?#]", base, maxsplit=1)[0] + ref
    if ref[0] == "#":
        return base.split("#", 1)[0] + ref
    path = re.split(r"[?#]", base, maxsplit=1)[0]
    if origin is not None and path == origin:
        return origin + "/" + ref
    return path[: path.rfind("/") + 1] + ref if "/" in path else HOLE + ref


def httpx_join(base: str, ref: str) -> str:
    """httpx's merge of `Client(base_url=...)` and a request URL: an absolute URL stays, a
    relative one is appended to the base path (httpx makes the base end with `/`)."""
    if _absolute(ref):
        return ref
    if base.endswith(HOLE):  # the hole may or may not end with `/`
        return base + ref.lstrip("/")
    return base.rstrip("/") + "/" + ref.lstrip("/")


def with_query(url: str) -> str:
    """The URL with a query string of unknown parameters (`params=` on the call)."""
    known = url.split("#", 1)[0]
    return url + HOLE if "?" in known else url + "?" + HOLE


def display(url: str) -> str:
    """A URL pattern as shown in reports: `{}` where a part is unknown."""
    return url.replace(HOLE, "{}")


def host(url: str) -> str | None:
    """The host (with its port) a URL pattern names, lower case; None when it is not known."""
    origin = _origin(url)
    return origin.partition("://")[2].rpartition("@")[2].lower() if origin is not None else None


# --- matching ----------------------------------------------------------------------------------

# pattern tokens: a character, a hole (any text) or a set of characters (one of them)
_ANY = object()
_STAR = object()  # glob `*`
_ONE = object()  # glob `?`
_AFTER_HOST = frozenset(":/?#")


def url_matches(glob: str, url: str) -> bool:
    """Whether the policy glob `glob` matches some URL the pattern `url` may stand for (see the
    module docstring); `url` may be "" for an unresolved URL, which only `*` matches."""
    if glob == "*":
        return True
    return any(_intersects(_glob_tokens(glob), variant) for variant in _url_variants(url))


@lru_cache(maxsize=1024)
def _glob_tokens(glob: str) -> tuple[object, ...]:
    scheme, separator, rest = glob.partition("://")
    if separator:
        host_end = re.search(r"[/?#]", rest)
        split = host_end.start() if host_end else len(rest)
        glob = scheme.lower() + separator + rest[:split].lower() + rest[split:]
    return tuple(_STAR if char == "*" else _ONE if char == "?" else char for char in glob)


@lru_cache(maxsize=4096)
def _url_variants(url: str) -> tuple[tuple[object, ...], ...]:
    """Token sequences for the texts `url` stands for whose host is known: none when it is not;
    one per scheme (`http` and `https`) otherwise, and per reading of a hole after the host."""
    origin = _origin(url)
    if origin is None:
        return ()
    scheme, _, authority = origin.lower().partition("://")
    rest = url[len(origin):]
    rest_tokens = tuple(_ANY if char == HOLE else char for char in rest)
    if rest.startswith(HOLE) and not authority.endswith(":"):
        # the hole is empty, or starts with what may follow a host
        rests = [rest_tokens[1:], (_AFTER_HOST, _ANY, *rest_tokens[1:])]
    else:
        rests = [rest_tokens]
    schemes = ("http", "https") if scheme in ("http", "https") else (scheme,)
    return tuple((*f"{name}://{authority}", *tail) for name in schemes for tail in rests)


def _intersects(glob: Sequence[object], text: Sequence[object]) -> bool:
    """Whether some string matches both the glob tokens and the pattern tokens: a search over
    (glob position, pattern position) pairs, O(len(glob) * len(text))."""
    size_glob, size_text = len(glob), len(text)
    seen: set[tuple[int, int]] = set()
    todo = [(0, 0)]
    while todo:
        state = todo.pop()
        if state in seen:
            continue
        seen.add(state)
        i, j = state
        if i == size_glob and j == size_text:
            return True
        g = glob[i] if i < size_glob else None
        t = text[j] if j < size_text else None
        if g is _STAR:
            todo.append((i + 1, j))  # the star matches nothing more
        if t is _ANY:
            todo.append((i, j + 1))  # the hole stands for nothing more
        if g is None or t is None or (g is _STAR and t is _ANY):
            continue
        if g is _STAR:
            todo.append((i, j + 1))  # the star takes the pattern's next character
        elif t is _ANY:
            todo.append((i + 1, j))  # the hole makes the glob's next character
        elif g is _ONE or (t == g if isinstance(t, str) else g in t):  # type: ignore[operator]
            todo.append((i + 1, j + 1))
    return False


E = TypeVar("E")


def matching(entries: Sequence[tuple[str, E]], urls: tuple[str, ...]) -> tuple[E, ...]:
    """The entries (`(glob, entry)` pairs) whose glob matches one of `urls` (() = unresolved)."""
    candidates = urls or ("",)
    return tuple(dict.fromkeys(entry for glob, entry in entries
                               if any(url_matches(glob, url) for url in candidates)))


# --- the engine hook ---------------------------------------------------------------------------


def apply(run: FunctionRun, names: tuple[str, ...], receiver: Value | None, receiver_expr: ir.Expr | None,
          arg_nodes: list[ir.Arg], args: list[Value], state: State, span: ir.Span, result: Value) -> Value:
    """The endpoint models of one external call: `result` with the text of a client, request or
    joined URL; or the call as the sinks and sources whose `urls` its URL matches."""
    text = construct(names[0], arg_nodes, args)
    if text is not None:
        return result.with_kinds(text)
    call = http_call(names, receiver, arg_nodes, args)
    if call is None:
        return result
    sources, sinks = run.models.url_entries(call.urls)
    sources = requested_by(sources, call)
    for sink in sinks:
        _report(run, sink, call, arg_nodes, args, state, span)
    taints = frozenset(_taint(run, source, call, span) for source in sources)
    if call.response == "return":
        # a response is the server's data about what the URL names, not the body the request
        # sent (an e-mail address posted to an enrichment API comes back as its record): a
        # source's data, or else what the URL carries (a photo fetched by its scraped address)
        result = Value(taints or call.addressed, result.kinds)
    elif taints and receiver_expr is not None:
        run.update_path(receiver_expr, Value(taints), state)
    return result


def requested_by(sources: Sequence[Source], call: HttpCall) -> tuple[Source, ...]:
    """Those of ``sources`` (whose `urls` match the call's URL) that the call's `User-Agent`
    satisfies: any, for a source without `user_agents`."""
    return tuple(s for s in sources if not s.user_agents or any(
        fnmatch.fnmatchcase(agent.replace(HOLE, ""), glob) for agent in call.user_agents for glob in s.user_agents))


def _taint(run: FunctionRun, source: Source, call: HttpCall, span: ir.Span) -> Taint:
    return run._source_taint(source, run._site(span, f"{call.name} {call.shown()}"),
                             f"`{call.name}()` {call.shown()}")


def _report(run: FunctionRun, sink: Sink, call: HttpCall, arg_nodes: list[ir.Arg], args: list[Value],
            state: State, span: ir.Span) -> None:
    keys = call.data if sink.args is None else sink.args
    symbol = f"{call.name} {call.shown()}"
    spec = SinkSpec(sink.kind, symbol, run._site(span, symbol), sink.purpose, run.statement)
    step = run._step(span, "sink", f"sent by `{call.name}()` to {call.shown()} ({sink.kind})")
    for i, node in enumerate(arg_nodes):
        if run._selected(keys, i, node, arg_nodes):
            for label in args[i].collapse_labels():
                run.report(label, spec, step, state)
