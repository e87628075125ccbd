"""An outside look at the search route's query reader (api/typed_query.py): generated raw query strings, the
way an attacker or a careless client writes them, answered with the plan on and with it off (litestar's kwargs
model and strict input) must give the same status, headers and bytes; never a 500 or a stack trace, and every
refusal RFC 9457 problem details. The bulk goes through the served app in process (on the server's own event
loop, raw query bytes as a client sends them), a sample over real HTTP. Pre-encoded answers sent to several
clients at once keep each their own headers."""

from __future__ import annotations

import asyncio
import dataclasses
import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.strict import MAX_QUERY_BYTES
from api.typed_query import plan_of
from search.index import IndexUnavailable

from .test_typed_query import route_handler as search_handler

IGNORED = (b"date", b"x-request-id")  # differ on every answer
DECLARED = ("q", "offset", "limit", "scheme", "status", "grade", "standard", "kind", "script")
INTEGERS = ("offset", "limit")
# names that are not declared, though close: case, a space or plus, percent-encoded letters, NUL, a byte not UTF-8
UNDECLARED = ("Q", "Limit", "OFFSET", "foo", "at", "release", "q ", "q+", "+q", "%71", "l%69mit", "%71%00", "q%00",
              "%FF", "q%FF", "%E6%95%B0", "query", "", "q;", "q[]", "q.0", "script%20", "limit%3D1")
WORDS = ("data", "digital", "数字乡村", "数位", "數位", "shuzi xiangcun", "szxc", "智慧农业", "土壤", "GB/T", "a+b",
         "null", "None", "true", "[]", "{}", "0", "1", "-1", "数据安全", "ｄａｔａ", "Ωμέγα", "مرحبا", "😀", "\u200b",
         "a\tb", "a\nb", "\na", "a\n", " ", "  x  ", "\u3000", "\u00a0data", "e\u0301", "ｑ", "\ufeffdata")
BROKEN = ("%", "%4", "%zz", "%%", "%E6%95", "%ED%A0%80", "%00", "%C0%80", "%F0%80%80%80", "%EF%BF%BD", "%FF",
          "%2B", "%25", "%7F", "%C2%85", "%E2%80%8B", "%0A", "%0D%0A", "%09", "%20", "%3D", "%26", "%3B", "%u6570",
          "%e6%95%b0", "%E6%95%B0%", "a%", "%C3%A9", "%F4%90%80%80", "%C2%A0", "%1F", "%C2%9F")
SCRIPTS = ("zh-Hans", "zh-Hant", "zh-TW", "zh-HK", "zh-tw", "ZH-HANS", "zh-Hans ", "zh%2DHK", "zh_TW", "zh-Hans%00",
           "zh", "zh-Hant%20", "null")
# characters to make values of: ASCII, CJK in both scripts, full-width and other digits, controls, marks
CHARS = st.sampled_from(list("adqz09 +=&;%#?/.-_~'\"<>\\") + list("数字乡村術語农业數據") +
                        list("０１９²³٣۳¹½ⅷ") + ["\x00", "\x01", "\x1f", "\x7f", "\x85", "\x9f", "\t", "\n", "\r",
                                               "\u200b", "\u2028", "\u3000", "\ufffd", "é", "\U0001f600", "Ω"])
# characters of a text the route accepts (mostly: only spaces and tabs it refuses)
READABLE = st.sampled_from(list("adqzGB09 -/.'") + list("数字乡村術語农业數據土壤") + list("０１９²٣") + ["é", "\U0001f600", "Ω", "\t"])


def _quoted(text: str, how: int) -> str:
    """``text`` as a client might put it in a query: percent-encoded wholly, with ``+`` for spaces, or raw."""
    if how == 0:
        return quote(text, safe="")
    if how == 1:
        return quote(text, safe="").replace("%20", "+")
    if how == 2:
        return quote(text, safe="+%=;&")  # a careless client: the reserved characters as they are
    return text  # raw: non-ASCII sent as UTF-8 bytes, read by litestar as latin-1


def integers() -> st.SearchStrategy[str]:
    number = st.one_of(st.integers(0, 120), st.integers(-10**25, 10**25), st.sampled_from((10_000, 10_001, 2**63 - 1, 2**63, 2**64)))

    @st.composite
    def written(draw) -> str:
        n = draw(number)
        form = draw(st.integers(0, 9))
        if form <= 4:
            return str(n)
        if form == 5:
            return draw(st.sampled_from(("+", "%2B", "-", "%2D", " ", "0", "00"))) + str(abs(n))
        if form == 6:
            return str(n) + draw(st.sampled_from(("e0", "e2", "E1", ".0", ".", "_0", " ", "%20", "%00", "x", "n")))
        if form == 7:  # the same digits in another script
            table = draw(st.sampled_from(("０１２３４５６７８９", "٠١٢٣٤٥٦٧٨٩", "०१२३४५६७८९", "⁰¹²³⁴⁵⁶⁷⁸⁹")))
            return quote(str(abs(n)).translate(str.maketrans("0123456789", table)))
        if form == 8:
            return draw(st.sampled_from(("1e2", "1E2", "0x10", "0o7", "0b1", "1_0", "inf", "nan", "-0", "+0", "0.5",
                                         "1,2", "٣", "%C2%B2", "5%20", "%205", "1" * 30, "0" * 20 + "5", "true", "")))
        return str(n).zfill(draw(st.integers(1, 22)))
    return written()


def texts() -> st.SearchStrategy[str]:
    """A value as written in the query: words, generated text, broken percent sequences, long ones."""
    word = st.sampled_from(WORDS)
    generated = st.text(CHARS, max_size=12)
    long = st.builds(lambda c, n: c * n, st.sampled_from(("术", "a", "數", "%E6%9C%AF", "x ")), st.integers(190, 215))
    plain = st.builds(_quoted, st.one_of(word, generated, long), st.integers(0, 3))
    return st.one_of(plain, plain, plain, st.sampled_from(BROKEN),
                     st.builds("".join, st.lists(st.one_of(plain, st.sampled_from(BROKEN)), min_size=2, max_size=4)))


# the facets whose values the domain fixes: some of each, mostly, else a near miss or any text
CHOICES = {"status": ("published", "deprecated", "in_force", "withdrawn"), "grade": ("core", "important", "general"),
           "kind": ("concept", "standard")}
NEAR_MISSES = ("Published", "in-force", "CORE", "concepts", "core%20", "%63ore")


def value_of(name: str) -> st.SearchStrategy[str]:
    if name in CHOICES:
        valid = st.sampled_from(CHOICES[name])
        return st.one_of(valid, valid, valid, valid, st.sampled_from(NEAR_MISSES), texts())
    if name in INTEGERS or name == "limit":
        return st.one_of(integers(), texts())
    if name == "script":
        return st.one_of(st.sampled_from(SCRIPTS), texts())
    return texts()


@st.composite
def pair(draw, names: st.SearchStrategy[str]) -> str:
    name = draw(names)
    form = draw(st.integers(0, 19))
    if form == 0:
        return name  # no "="
    if form == 1:
        return f"{name}="
    value = draw(value_of(name))
    if form == 2:
        value += "=" + draw(texts())
    return f"{name}={value}"


@st.composite
def good_query(draw, noisy: bool = True) -> str:
    """Every name declared, each once, the values readable (``noisy``: most of them): what the plan answers."""
    names = ["q", *draw(st.lists(st.sampled_from(DECLARED[1:]), unique=True, max_size=5))]
    names = draw(st.permutations(names))
    parts = []
    for name in names:
        if name == "q":
            clean = st.builds(_quoted, st.one_of(st.sampled_from(WORDS), st.text(READABLE, min_size=1, max_size=12)),
                              st.integers(0, 1))
        elif name == "offset":
            clean = st.integers(0, 10_001).map(str)
        elif name == "limit":
            clean = st.integers(0, 101).map(str)
        elif name == "script":
            clean = st.sampled_from(SCRIPTS[:4])
        elif name in CHOICES:
            clean = st.sampled_from(CHOICES[name])
        else:
            clean = st.sampled_from(("current", "deprecated", "agri", "s", "g", "ab", "%E6%95%B0", "null", "+"))
        parts.append(f"{name}={draw(st.one_of(clean, value_of(name)) if noisy else clean)}")
    return "&".join(parts)


@st.composite
def any_query(draw) -> str:
    """Names declared and not, repeated, empty parts and other separators, values good and bad."""
    names = st.one_of(st.sampled_from(DECLARED), st.sampled_from(DECLARED), st.sampled_from(UNDECLARED))
    parts = draw(st.lists(pair(names), max_size=6))
    separator = draw(st.sampled_from(("&", "&", "&", ";", "&&", "&;")))
    text = separator.join(parts)
    return draw(st.sampled_from(("", "&", "?"))) + text + draw(st.sampled_from(("", "", "&", "#x")))


QUERIES = st.one_of(good_query(noisy=False), good_query(), any_query(), st.text(CHARS, max_size=40))


def raw(query: str) -> bytes:
    """The bytes a client sends: the text as written, its non-ASCII characters in UTF-8."""
    return query.encode("utf-8", "surrogatepass")


def on_the_wire(query: str) -> str:
    """The query as an HTTP client must send it: percent-encoded where a request target allows no raw byte
    (space, controls, non-ASCII, ``#``); everything else as written, broken sequences included."""
    return "".join(c if 0x21 <= ord(c) < 0x7f and c != "#" else quote(c, safe="") for c in query)


# -- driving the served app ----------------------------------------------------------------------

Answer = tuple[int, list[tuple[bytes, bytes]], bytes]


class InProcess:
    """Requests sent to the live server's ASGI app on the server's own event loop, as uvicorn would pass them,
    with a raw query string."""

    def __init__(self, live_server) -> None:
        self.app = live_server.app
        self.loop = live_server.server.servers[0].get_loop()
        self.port = live_server.port

    async def _call(self, path: str, query: bytes, headers: list[tuple[bytes, bytes]], method: str = "GET") -> Answer:
        scope = {"type": "http", "asgi": {"version": "3.0", "spec_version": "2.3"}, "http_version": "1.1",
                 "method": method, "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": query,
                 "root_path": "", "headers": [(b"host", b"127.0.0.1:%d" % self.port), *headers],
                 "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", self.port), "state": {}}
        sent: list[dict] = []
        received: list[int] = []
        done = asyncio.Event()

        async def receive() -> dict:
            if received:  # as uvicorn: the client is gone once the whole answer is sent (a stream listens for it)
                await done.wait()
                return {"type": "http.disconnect"}
            received.append(1)
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message: dict) -> None:
            sent.append(message)
            if message["type"] == "http.response.body" and not message.get("more_body"):
                done.set()

        await self.app(scope, receive, send)
        start = next(m for m in sent if m["type"] == "http.response.start")
        body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
        kept = [(bytes(k).lower(), bytes(v)) for k, v in start["headers"] if bytes(k).lower() not in IGNORED]
        return start["status"], kept, body

    def get(self, query: bytes, path: str = "/api/v1/search", headers: list[tuple[bytes, bytes]] | None = None) -> Answer:
        return asyncio.run_coroutine_threadsafe(self._call(path, query, headers or []), self.loop).result(timeout=60)


def over_http(http: httpx.Client, query: str) -> Answer:
    url = httpx.URL(http.base_url, raw_path=b"/api/v1/search" + (b"?" + query.encode("ascii") if query else b""))
    response = http.send(http.build_request("GET", url))
    headers = [(k, v) for k, v in response.headers.raw if k.lower() not in IGNORED]
    return response.status_code, headers, response.content


@contextmanager
def plan_off(handler) -> Iterator[None]:
    plan = plan_of(handler)
    handler.opt["shuyu_typed_query"] = dataclasses.replace(plan, readers=None)
    try:
        yield
    finally:
        handler.opt["shuyu_typed_query"] = plan


@contextmanager
def counting(handler) -> Iterator[list[int]]:
    """The plan as it is, counting the answers it gives itself."""
    plan = plan_of(handler)
    answered: list[int] = []

    def counted(**kwargs):
        answered.append(1)
        return plan.call(**kwargs)

    handler.opt["shuyu_typed_query"] = dataclasses.replace(plan, call=counted)
    try:
        yield answered
    finally:
        handler.opt["shuyu_typed_query"] = plan


def assert_well_formed(answer: Answer, query: object) -> None:
    status, headers, body = answer
    raw = query.encode() if isinstance(query, str) else query
    too_long = isinstance(raw, bytes) and len(raw) > MAX_QUERY_BYTES
    assert status == (414 if too_long else status) and status in (200, 400, 414), (query, status, body[:300])
    assert b"Traceback" not in body and b'File "' not in body, (query, body[:300])
    content_type = dict(headers)[b"content-type"]
    if status == 200:
        assert content_type == b"application/json"
        assert json.loads(body)["query"]
    else:
        assert content_type == b"application/problem+json", (query, content_type)
        problem = json.loads(body)
        assert problem["status"] == status and problem["title"] and problem["type"].startswith("/problems/"), problem


def both_ways(handler, send, query) -> tuple[Answer, Answer, bool]:
    """The query with the plan on, then off; whether the plan answered it itself. Sent once before, since a
    search's total may be estimated the first time and exact from its kept results after."""
    send(query)
    with counting(handler) as answered:
        on = send(query)
    with plan_off(handler):
        off = send(query)
    return on, off, bool(answered)


@pytest.fixture(scope="module")
def served(live_server) -> tuple[InProcess, object]:
    return InProcess(live_server), search_handler(live_server)


READ = {"plan": 0, "litestar": 0, "ok": 0, "refused": 0}


def _check(served, query: str) -> None:
    client, handler = served
    on, off, answered = both_ways(handler, client.get, raw(query))
    assert on == off, (query, on[0], off[0], on[2][:200], off[2][:200])
    assert_well_formed(on, query)
    READ["plan" if answered else "litestar"] += 1
    READ["ok" if on[0] == 200 else "refused"] += 1


@pytest.mark.slow  # runs in CI, not in the fast subset (seconds)
@settings(max_examples=350, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(query=QUERIES)
def test_generated_queries_answer_the_same_with_the_plan_and_without(served, query):
    _check(served, query)


@pytest.mark.slow  # reads what the (slow) property test above counted
def test_the_generated_queries_reach_both_ways_and_both_answers():
    """Run after the property above (file order): the generator is not all refusals, nor all plain queries."""
    if sum(READ.values()) == 0:
        pytest.skip("runs after the property test")
    assert READ["plan"] >= 60 and READ["litestar"] >= 60 and READ["ok"] >= 60 and READ["refused"] >= 60, READ


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=st.one_of(st.binary(max_size=30), st.builds(bytes.__add__, st.sampled_from((b"q=", b"q=data&limit=", b"q=data&script=")),
                                                          st.binary(max_size=12))))
def test_raw_bytes_answer_the_same_with_the_plan_and_without(served, query):
    """Bytes no client should send (a request target is ASCII), as uvicorn passes them on."""
    client, handler = served
    on, off, _ = both_ways(handler, client.get, query)
    assert on == off, (query, on[0], off[0], on[2][:200], off[2][:200])
    assert_well_formed(on, query)


@pytest.mark.parametrize(("path", "query"), [
    ("/api/v1/search", b"\x80"), ("/api/v1/search", b"limit=1&\xc3"), ("/api/v1/search", b"q=data&scheme=\xff"),
    ("/api/v1/search", b"q=%E6%95%B0&grade=\xe6\x95"), ("/api/v1/lookup", b"\xff=1"), ("/api/v1/suggest", b"limit=\xed\xa0\x80"),
    ("/api/v1/schemes", b"x=\xfe"), ("/api/v1/concepts/nope", b"\xff"),
])
def test_a_query_string_that_is_not_utf8_is_a_problem_not_a_500(served, path, query):
    """uvicorn refuses a request target that is not ASCII, but an ASGI server may pass its bytes on: a query
    string that is not UTF-8 is a 400 (litestar decodes it as UTF-8 to name a missing parameter: a 500), with
    the plan as without it."""
    client, handler = served
    on, off, _ = both_ways(handler, lambda q: client.get(q, path=path), query)
    assert on == off
    assert on[0] == 400, on[2]
    assert_well_formed(on, query)


@pytest.mark.parametrize("path", ["/api/v1/search", "/api/v1/lookup", "/api/v1/schemes", "/api/v1/concepts/nope"])
def test_a_query_string_too_long_is_a_414_before_it_is_parsed(served, path):
    """A query string over ``MAX_QUERY_BYTES`` is refused before litestar parses it (it keeps the last 1,024 it
    parsed, whatever their length), with the plan as without it; one at the bound is read as usual."""
    client, handler = served
    padding = b"&x=" + b"a" * MAX_QUERY_BYTES
    on, off, _ = both_ways(handler, lambda q: client.get(q, path=path), (b"q=data" + padding)[:MAX_QUERY_BYTES + 1])
    assert on == off
    status, headers, body = on
    assert status == 414, body
    assert dict(headers)[b"content-type"] == b"application/problem+json"
    assert json.loads(body)["status"] == 414 and b"Traceback" not in body
    at_bound = (b"q=data&limit=5&x=" + b"a" * MAX_QUERY_BYTES)[:MAX_QUERY_BYTES]
    assert client.get(at_bound, path=path)[0] != 414


@pytest.mark.parametrize("failure", [IndexUnavailable("the search index is being rebuilt from the store; try again shortly"),
                                     RuntimeError("a bug's message, with /work/secret/path")])
def test_a_search_that_fails_answers_the_same_problem_with_the_plan_and_without(served, live_server, monkeypatch, failure):
    """A 503 while the index is rebuilt and a 500 from a bug are raised from the handler that the plan calls
    from its ``before_request`` as from the one litestar calls: the same problem, and no stack trace."""
    client, handler = served

    def failing(text, **options):
        raise failure

    monkeypatch.setattr(live_server.services, "search_results", failing)
    on, off, answered = both_ways(handler, client.get, b"q=data&limit=5")
    assert answered and on == off
    status, headers, body = on
    problem = json.loads(body)
    assert status == problem["status"] == (503 if isinstance(failure, IndexUnavailable) else 500)
    assert dict(headers)[b"content-type"] == b"application/problem+json"
    assert b"Traceback" not in body and b"secret" not in body and b"RuntimeError" not in body


LOOKUP_NAMES = st.sampled_from(("label", "label", "script", "Label", "q", "limit"))
SUGGEST_NAMES = st.sampled_from(("q", "q", "limit", "script", "Q", "label"))


@pytest.mark.slow  # runs in CI, not in the fast subset (seconds)
@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(route=st.sampled_from(("/api/v1/lookup", "/api/v1/suggest")), data=st.data())
def test_lookup_and_suggest_answer_generated_queries_with_problem_details(served, route, data):
    """lookup and suggest (through their plan or, for anything it does not read, litestar's kwargs model and
    strict input): what they answer to the same kinds of query is a 200, or a 400 (414 for a query string too long)
    in problem details, never a 500."""
    client, _ = served
    names = LOOKUP_NAMES if route.endswith("lookup") else SUGGEST_NAMES
    query = data.draw(st.builds("&".join, st.lists(pair(names), max_size=4)))
    status, headers, body = answer = client.get(raw(query), path=route)
    assert status in (200, 400, 414), (route, query, status, body[:300])
    assert b"Traceback" not in body, (route, query)
    if status != 200:
        assert_well_formed(answer, query)
    else:
        assert dict(headers)[b"content-type"] == b"application/json" and isinstance(json.loads(body), (dict, list))


# the other reads that take a query, with the names they declare (and a few they do not)
READS = {
    "/api/v1/concepts/agri-data-grade": ("script", "at", "release"), "/api/v1/concepts/agri-data-grade/diff": ("from", "to"),
    "/api/v1/concepts/agri-data-grade/versions/1": ("script",), "/api/v1/changes": ("since", "limit"),
    "/api/v1/concepts/agri-data-grade/export": ("format", "dialect", "style"), "/api/v1/standards": ("script",),
    "/api/v1/schemes/agri-data/concepts": ("offset", "limit", "script"), "/api/v1/schemes/agri-data": ("format",),
    "/api/v1/schemes/agri-data/export": ("format", "dialect", "style"), "/api/v1/releases/v1": ("since",),
    "/api/v1/proposals": ("status", "limit", "offset"), "/api/v1/clause": ("q", "id"), "/": ("q", "script"),
    "/check": ("q", "text"), "/healthz": ("x",), "/readyz": ("x",),
}


@pytest.mark.slow
@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(route=st.sampled_from(sorted(READS)), data=st.data())
def test_every_read_answers_generated_queries_without_a_500(served, route, data):
    client, _ = served
    names = st.sampled_from(READS[route] + ("limit", "offset", "q", "Q", "%71", ""))
    query = data.draw(st.builds("&".join, st.lists(pair(names), max_size=4)))
    status, headers, body = client.get(raw(query), path=route)
    assert status < 500 and b"Traceback" not in body, (route, query, status, body[:300])
    if status >= 400 and status != 404:
        assert dict(headers)[b"content-type"] in (b"application/problem+json", b"text/html; charset=utf-8"), (route, query)


@pytest.mark.slow
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=QUERIES.map(on_the_wire))
def test_a_sample_over_http_answers_the_same_with_the_plan_and_without(live_server, http, query):
    handler = search_handler(live_server)
    on, off, _ = both_ways(handler, lambda q: over_http(http, q), query)
    assert on == off, (query, on[0], off[0], on[2][:200], off[2][:200])
    assert_well_formed(on, query)


@pytest.mark.slow
@settings(max_examples=4000, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                    HealthCheck.too_slow])
@given(query=QUERIES)
def test_many_generated_queries_answer_the_same_with_the_plan_and_without(served, query):
    _check(served, query)


# -- pre-encoded answers at once -----------------------------------------------------------------

def _mixed_requests(http: httpx.Client) -> list[tuple[str, str, dict[str, str]]]:
    """Answers that differ in status, entity tag, cache headers, media type and body: search (the plan's and
    litestar's), lookup, suggest, a concept (its ETag, per script), a 304, a problem, a page, HEAD."""
    hits = [h for h in http.get("/api/v1/search?q=%E6%95%B0%E6%8D%AE&limit=10").json()["hits"] if h["kind"] == "concept"]
    first, second = hits[0]["id"], hits[1]["id"]
    etag = http.get(f"/api/v1/concepts/{first}").headers["etag"]
    label = quote(hits[0]["label"])
    return [
        ("GET", "/api/v1/search?q=data", {}), ("GET", "/api/v1/search?q=%E6%95%B0%E6%8D%AE&script=zh-TW&limit=3", {}),
        ("GET", "/api/v1/search?q=data&limit=0", {}), ("GET", "/api/v1/search?q=", {}), ("HEAD", "/api/v1/search?q=data", {}),
        ("GET", "/api/v1/search?q=data&foo=1", {}), ("GET", f"/api/v1/lookup?label={label}", {}),
        ("GET", "/api/v1/suggest?q=shu", {}), ("GET", "/api/v1/suggest?q=shu&limit=99", {}),
        ("GET", f"/api/v1/concepts/{first}", {}), ("GET", f"/api/v1/concepts/{first}?script=zh-HK", {}),
        ("GET", f"/api/v1/concepts/{second}", {}), ("GET", f"/api/v1/concepts/{first}", {"if-none-match": etag}),
        ("HEAD", f"/api/v1/concepts/{second}", {}), ("GET", "/api/v1/concepts/nope", {}), ("GET", "/", {}),
        ("GET", "/healthz", {}), ("GET", "/api/v1/schemes", {}),
    ]


def _answer(client: httpx.Client, method: str, url: str, headers: dict[str, str]) -> Answer:
    response = client.request(method, url, headers=headers)
    return response.status_code, [(k, v) for k, v in response.headers.raw if k.lower() not in IGNORED], response.content


@pytest.mark.slow
def test_answers_sent_at_once_keep_their_own_headers(live_server, http):
    """Pre-encoded answers share a cached header list per route (api/rendering.py, ``_listed``): answers sent to
    several clients at once, in every order, keep the headers and bytes each gets alone."""
    requests = _mixed_requests(http)
    for request in requests:  # a search's total is exact from the second time
        _answer(http, *request)
    alone = [_answer(http, *request) for request in requests]
    assert sorted({status for status, _, _ in alone}) == [200, 304, 400, 404]
    etags = [dict(headers).get(b"etag") for _, headers, _ in alone]
    assert len({e for e in etags if e}) == 3 and etags[0] is None and etags[6] is None  # search and lookup: none
    clients = [httpx.Client(base_url=live_server.url, timeout=30) for _ in range(6)]
    try:
        for client in clients:
            client.get("/")  # a page gives a client its CSRF cookie once: then as ``http`` has it
        with ThreadPoolExecutor(len(clients)) as pool:
            for turn in range(4):
                order = [(i, clients[(i + turn) % len(clients)]) for i in range(len(requests))][::1 if turn % 2 else -1]
                got = list(pool.map(lambda item: (item[0], _answer(item[1], *requests[item[0]])), order * 3))
                for i, answer in got:
                    assert answer == alone[i], (requests[i], answer[:2], alone[i][:2])
    finally:
        for client in clients:
            client.close()


def test_answers_interleaved_on_one_event_loop_keep_their_own_headers(served, http):
    """The same requests all at once on the server's loop, in process, many times over."""
    client, _ = served
    requests = [(m, *url.partition("?")[::2], h) for m, url, h in _mixed_requests(http)]

    async def one(method: str, path: str, query: str, headers: dict[str, str]) -> Answer:
        status, listed, body = await client._call(path, query.encode(), [(k.encode(), v.encode()) for k, v in headers.items()],
                                                  method=method)
        # a page gives a client without one a new CSRF token: its cookie compared by name
        return status, [(k, v.partition(b"=")[0] if k == b"set-cookie" else v) for k, v in listed], body

    async def all_at_once(times: int) -> list[Answer]:
        return await asyncio.gather(*(one(*r) for _ in range(times) for r in requests))

    def run(times: int) -> list[Answer]:
        return asyncio.run_coroutine_threadsafe(all_at_once(times), client.loop).result(timeout=60)

    run(1)
    alone = run(1)
    for _ in range(3):
        assert run(8) == alone * 8
