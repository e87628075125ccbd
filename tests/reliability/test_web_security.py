"""Issue 20, the web half: security headers and CSP on every page, sessions that cannot be fixed by the
client and are stored only for people who sign in, throttled sign-ins, bearer tokens and drafts, and the
5xx an outside test found (a Host header with a bad port, an undecodable session cookie, a 256+ byte
static file name). Real servers over real HTTP, Debian's chromium for the CSP."""

from __future__ import annotations

import logging
import time
import re
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import httpx
import pytest

from api.settings import Settings
from registry.tokens import create_token
from tests.conftest import LiveServer

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
       "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
HEADERS = {"content-security-policy": CSP, "x-content-type-options": "nosniff",
           "referrer-policy": "same-origin", "x-frame-options": "DENY"}
CHOSEN = "ab" * 32  # a well-formed session id a client made up


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[LiveServer]:
    data = tmp_path_factory.mktemp("sec-web")
    with LiveServer(Settings(data_dir=str(data), sync_interval=0.1)) as live:
        store = live.services.store
        live.tokens = {name: create_token(store, name, role, actor="test")[1]
                       for name, role in [("alice", "editor"), ("rose", "reviewer"), ("rita", "reader")]}
        yield live


def form_token(client: httpx.Client) -> str:
    html = client.get("/signin").text
    return html.split('name="_csrf_token" value="', 1)[1].split('"', 1)[0]


def sign_in(client: httpx.Client, token: str, **headers: str) -> httpx.Response:
    return client.post("/signin", data={"token": token, "next": "/editor", "_csrf_token": form_token(client)},
                       headers=headers)


def signed_in_client(site: LiveServer, name: str) -> httpx.Client:
    client = httpx.Client(base_url=site.url, timeout=30)
    answer = sign_in(client, site.tokens[name])
    assert answer.status_code == 303, answer.text
    return client


def session_cookies(response: httpx.Response) -> list[str]:
    return [v for v in response.headers.get_list("set-cookie") if v.startswith("shuyu_session=")]


def session_rows(site: LiveServer) -> int:
    """Sessions in the store (the SQLite file, read through a connection of our own: WAL included)."""
    path = site.services.settings.store.removeprefix("sqlite:///")
    with sqlite3.connect(path) as db:
        return db.execute("SELECT count(*) FROM web_sessions").fetchone()[0]


def is_signed_in(client: httpx.Client) -> bool:
    answer = client.get("/editor", follow_redirects=False)
    return answer.status_code == 200


# -- headers ------------------------------------------------------------------------------------------
def fill(path: str, site: LiveServer, proposal_id: str) -> str:
    catalog = site.services.catalog
    values = {"concept_id": "digital-village", "version": "1", "tag": "2026.1",
              "scheme_id": next(iter(catalog.schemes)), "standard_id": next(iter(catalog.standards)),
              "proposal_id": proposal_id, "file_path": "shuyu.css", "path": "swagger", "step": "comment"}
    return re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: values[m.group(1)], path)


def test_every_page_and_every_response_sends_the_security_headers(site):
    site.services.store.add_release("2026.1", actor="test", note="")
    alice = signed_in_client(site, "alice")
    with closing(alice):
        made = alice.post("/editor/proposals", data={"kind": "deprecate", "target_kind": "concept",
                                                      "target_id": "beidou", "replaced_by": "digital-village",
                                                      "note": "测试", "_csrf_token": form_token(alice)})
        assert made.status_code == 303, made.text
        proposal_id = made.headers["location"].rsplit("/", 1)[1]
        checked = 0
        for route in site.app.routes:
            if "GET" not in getattr(route, "methods", ()):
                continue
            path = fill(route.path, site, proposal_id)
            for client in (alice, httpx.Client(base_url=site.url, timeout=30)):
                answer = client.get(path, headers={"accept": "text/html"}, follow_redirects=False)
                assert answer.status_code < 500, (path, answer.status_code, answer.text[:300])
                for name, value in HEADERS.items():
                    assert answer.headers.get(name) == value, (path, name, answer.headers.get(name))
                checked += 1
        assert checked > 60
        # and an answer no route gives (404), a problem, a redirect, a POST
        for answer in (alice.get("/no/such/page"), alice.get("/api/v1/concepts/none-such"),
                       httpx.get(site.url + "/editor"), alice.post("/check", data={"text": "数字乡村"})):
            assert all(answer.headers.get(name) == value for name, value in HEADERS.items()), answer.url


def test_no_page_breaks_its_content_security_policy_in_chromium(site, browser):
    pages = ["/", "/search?q=数字乡村", "/concepts/digital-village", "/concepts/digital-village/history",
             "/standards", "/changes", "/check", "/signin", "/schema", "/reports/harmonisation",
             "/clause?concept=digital-village", f"/schemes/{next(iter(site.services.catalog.schemes))}"]
    editor_pages = ["/editor", "/editor/propose/new", "/editor/propose/revise/digital-village",
                    "/editor/propose/deprecate/beidou", "/editor/review"]
    context = browser.new_context()
    try:
        page = context.new_page()
        violations: list[str] = []
        page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
        page.add_init_script("document.addEventListener('securitypolicyviolation', e => "
                             "console.error('Content Security Policy violated: ' + e.violatedDirective + ' ' + e.blockedURI))")
        for path in pages:
            answer = page.goto(site.url + path, wait_until="networkidle")
            assert answer.headers.get("content-security-policy") == CSP, path
        page.goto(site.url + "/signin")
        page.fill("#token", site.tokens["rose"])
        page.click("form.form button[type=submit]")
        page.wait_for_url("**/editor")
        for path in editor_pages:
            answer = page.goto(site.url + path, wait_until="networkidle")
            assert answer.status == 200 and answer.headers.get("content-security-policy") == CSP, path
        page.goto(site.url + "/schema", wait_until="networkidle")
        page.wait_for_selector(".swagger-ui .opblock", timeout=20_000)  # the viewer ran: its script was allowed
        assert violations == []
    finally:
        context.close()


# -- sessions -----------------------------------------------------------------------------------------
def test_a_session_id_chosen_by_the_client_is_never_adopted(site):
    attacker = httpx.Client(base_url=site.url, timeout=30, cookies={"shuyu_session": CHOSEN})
    victim = httpx.Client(base_url=site.url, timeout=30, cookies={"shuyu_session": CHOSEN})
    with attacker, victim:
        answer = sign_in(victim, site.tokens["rose"])
        assert answer.status_code == 303, answer.text
        issued = [c.split(";", 1)[0].split("=", 1)[1] for c in session_cookies(answer)]
        assert issued and issued[-1] not in (CHOSEN, "null") and len(issued[-1]) >= 43
        assert is_signed_in(victim)
        assert not is_signed_in(attacker)


def test_sign_in_and_sign_out_give_new_ids_and_the_old_one_is_dead(site):
    first = signed_in_client(site, "alice")
    with closing(first):
        old = first.cookies["shuyu_session"]
        again = sign_in(first, site.tokens["alice"])  # signing in again, already signed in
        new = again.cookies["shuyu_session"]
        assert new != old
        stolen = httpx.Client(base_url=site.url, timeout=30, cookies={"shuyu_session": old})
        with stolen:
            assert not is_signed_in(stolen)
            assert is_signed_in(first)
            out = first.post("/signout", data={"_csrf_token": form_token(first)}, follow_redirects=False)
            assert out.status_code == 303
            assert not is_signed_in(first)
        replay = httpx.Client(base_url=site.url, timeout=30, cookies={"shuyu_session": new})
        with replay:
            assert not is_signed_in(replay)


def test_anonymous_page_views_write_no_session(site):
    before = session_rows(site)
    for cookies in ({}, {"shuyu_session": CHOSEN}):
        with httpx.Client(base_url=site.url, timeout=30, cookies=cookies) as reader:
            for path in ("/", "/concepts/digital-village", "/search?q=数字", "/signin", "/editor", "/check",
                         "/standards", "/no/such/page"):
                answer = reader.get(path, headers={"accept": "text/html"}, follow_redirects=False)
                assert answer.status_code < 500, path
                for cookie in session_cookies(answer):  # at most: forget a cookie we do not know
                    assert cookie.startswith("shuyu_session=null;") or cookie.startswith('shuyu_session="";'), cookie
            checked = reader.post("/check", data={"text": "数字乡村与智慧农业", "_csrf_token": form_token(reader)})
            assert checked.status_code == 200
            assert all(c.startswith("shuyu_session=null;") for c in session_cookies(checked))
    assert session_rows(site) == before
    assert not (Path(site.services.settings.data_dir) / "sessions").exists()  # the old file store


# -- throttling ----------------------------------------------------------------------------------------
@pytest.fixture()
def strict_site(tmp_path) -> Iterator[LiveServer]:
    """A server of its own: its throttles count this test's failures only."""
    with LiveServer(Settings(data_dir=str(tmp_path), sync_interval=0.1, check_per_minute=5)) as live:
        store = live.services.store
        live.tokens = {"alice": create_token(store, "alice", "editor", actor="test")[1]}
        yield live


def assert_throttled(answer: httpx.Response) -> None:
    assert answer.status_code == 429, answer.text
    assert int(answer.headers["retry-after"]) >= 1
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert answer.json()["status"] == 429 and answer.json()["type"].endswith("/problems/too-many-requests")


def test_failed_sign_ins_and_bad_bearer_tokens_are_throttled_and_successes_are_not(strict_site):
    site = strict_site
    with httpx.Client(base_url=site.url, timeout=30) as client:
        for _ in range(15):  # successes do not count
            assert sign_in(client, site.tokens["alice"]).status_code == 303
        for _ in range(10):
            assert sign_in(client, "shuyu_wrong-" + "x" * 20).status_code == 401
        assert_throttled(sign_in(client, "shuyu_wrong-" + "y" * 20, accept="application/json"))
        assert_throttled(sign_in(client, site.tokens["alice"], accept="application/json"))  # even the right one now
        assert sign_in(client, site.tokens["alice"]).status_code != 303
        # bearer tokens of the API, from the same address: already over the limit
        bad = client.post("/api/v1/proposals", json={}, headers={"authorization": "Bearer shuyu_guess"})
        assert_throttled(bad)


def test_bad_bearer_tokens_alone_are_throttled(strict_site):
    with httpx.Client(base_url=strict_site.url, timeout=30) as client:
        for i in range(10):
            answer = client.post("/api/v1/proposals", json={}, headers={"authorization": f"Bearer shuyu_guess{i}"})
            assert answer.status_code == 401, answer.text
        assert_throttled(client.post("/api/v1/proposals", json={}, headers={"authorization": "Bearer shuyu_guess"}))


def test_the_public_draft_checker_is_rate_limited_per_client(strict_site):
    with httpx.Client(base_url=strict_site.url, timeout=30) as client:
        for _ in range(5):
            assert client.post("/api/v1/check", content="数字乡村".encode(),
                               headers={"content-type": "text/plain"}).status_code == 200
        assert_throttled(client.post("/api/v1/check", content="数字乡村".encode(), headers={"content-type": "text/plain"}))
        page = client.post("/check", data={"text": "数字乡村"}, headers={"accept": "text/html"})
        assert page.status_code == 429 and int(page.headers["retry-after"]) >= 1


# -- the 5xx found by the outside test ---------------------------------------------------------------------
@pytest.mark.parametrize("host", ["127.0.0.1:abc", "127.0.0.1:70000", "127.0.0.1:-1", "[::1]:x"])
def test_a_host_header_with_a_bad_port_is_no_server_error(site, host):
    for path, accept in (("/api/v1/concepts/none-such", "application/json"), ("/no/such/page", "text/html"),
                         ("/concepts/none-such", "text/html"), ("/", "text/html"), ("/api/v1/concepts/beidou", "*/*"),
                         ("/editor", "text/html")):
        answer = httpx.get(site.url + path, headers={"host": host, "accept": accept}, timeout=30)
        assert answer.status_code < 500, (path, answer.status_code, answer.text[:300])


def test_an_undecodable_session_cookie_is_a_signed_out_visit(site):
    for value in ("%E4%BD%A0", "你", "%ZZ", "x" * 5000):
        with httpx.Client(base_url=site.url, timeout=30) as client:
            client.headers["cookie"] = f"shuyu_session={value}"
            answer = client.get("/editor", headers={"accept": "text/html"}, follow_redirects=False)
            assert answer.status_code == 303 and answer.headers["location"].startswith("/signin"), answer.text[:300]
            home = client.get("/", headers={"accept": "text/html"})
            assert home.status_code == 200 and "/signin" in home.text


def test_a_long_static_file_name_is_a_logged_404(site, caplog):
    with caplog.at_level(logging.INFO):
        for name in ("a" * 256, "a" * 300, "子" * 100, "a/" * 200 + "b"):
            answer = httpx.get(f"{site.url}/static/{name}", timeout=30)
            assert answer.status_code == 404, answer.text[:300]
            assert answer.headers["content-type"].startswith("application/problem+json")
        for _ in range(100):  # the request log writes its lines in batches (at most 0.2 s late): wait for them
            access = [line for r in caplog.records if r.name == "shuyu.access"
                      for line in r.getMessage().split("\n") if '"/static/aaaa' in line]
            if len(access) >= 2:
                break
            time.sleep(0.05)
    assert len(access) >= 2 and all('"status":404' in line for line in access)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


# -- cookies over https behind a trusted proxy ----------------------------------------------------------
def test_cookies_are_secure_behind_a_trusted_proxy_saying_https(tmp_path, monkeypatch):
    from tests.reliability.conftest import Served

    monkeypatch.setenv("SHUYU_TRUST_PROXY", "127.0.0.1")
    (tmp_path / "data").mkdir()
    server = Served(tmp_path / "data", f"sqlite:///{tmp_path / 'data' / 'shuyu.db'}").start()
    try:
        token = server.token("alice", "editor")
        for proto, secure in (("https", True), (None, False)):
            headers = {"x-forwarded-proto": proto} if proto else {}
            with httpx.Client(base_url=server.url, timeout=30, headers=headers) as client:
                form = client.get("/signin")
                csrf = [c for c in form.headers.get_list("set-cookie") if c.startswith("shuyu_csrf=")]
                assert csrf and all(("; Secure" in c) is secure for c in csrf), csrf
                # an http client does not send Secure cookies back: hand it over as a browser on https would
                value = csrf[0].split(";", 1)[0].split("=", 1)[1]
                field = form.text.split('name="_csrf_token" value="', 1)[1].split('"', 1)[0]
                answer = client.post("/signin", data={"token": token, "next": "/editor", "_csrf_token": field},
                                     headers={"cookie": f"shuyu_csrf={value}"})
                assert answer.status_code == 303, answer.text
                assert session_cookies(answer)
                for cookie in answer.headers.get_list("set-cookie"):
                    assert ("; Secure" in cookie) is secure, cookie
    finally:
        server.stop()
    # and without the setting the header is not believed
    monkeypatch.delenv("SHUYU_TRUST_PROXY")
    server = Served(tmp_path / "data", f"sqlite:///{tmp_path / 'data' / 'shuyu.db'}").start()
    try:
        with httpx.Client(base_url=server.url, timeout=30, headers={"x-forwarded-proto": "https"}) as client:
            answer = sign_in(client, token)
            assert answer.status_code == 303 and all("; Secure" not in c for c in answer.headers.get_list("set-cookie"))
    finally:
        server.stop()


def test_failures_count_per_client_and_per_token_prefix():
    from api.security import Throttle

    throttle = Throttle(3)
    for address in ("198.51.100.1", "198.51.100.2", "198.51.100.3"):  # one token tried from three addresses
        throttle.note([f"client:{address}", "token:shuyu_abcdefghij"])
    assert throttle.retry_after(["client:198.51.100.9", "token:shuyu_abcdefghij"]) is not None
    assert throttle.retry_after(["client:198.51.100.9", "token:shuyu_zzzzzzzzzz"]) is None
    assert throttle.retry_after(["client:198.51.100.1", "token:shuyu_zzzzzzzzzz"]) is None  # one failure there
    assert 1 <= throttle.retry_after(["token:shuyu_abcdefghij"]) <= 60
    assert Throttle(0).retry_after(["anything"]) is None  # 0: no limit
