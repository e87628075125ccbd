"""Every URL the registry stores is http(s) (registry/urls.py), whichever way it comes: the API, the web
form, an import, the bundled files; and a page links a stored URL only if it is http(s)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import msgspec
import pytest

from api.settings import Settings
from registry.errors import VocabularyError
from registry.model import Source, now
from registry.tokens import create_token
from tests.conftest import LiveServer
from tests.web.test_editorial_flow import _form_token
from vocab.loader import read_bundle

BAD = ["javascript:alert(1)", "data:text/html,<script>alert(1)</script>", "http://user:pass@example.cn/x",
       " javascript:alert(1)", "JAVASCRIPT:alert(1)"]
CONCEPT = "science-technology-backyard"


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[LiveServer]:
    with LiveServer(Settings(data_dir=str(tmp_path_factory.mktemp("urls")), sync_interval=0.1)) as live:
        store = live.services.store
        live.tokens = {name: create_token(store, name, role, actor="test")[1]
                       for name, role in [("alice", "editor"), ("ada", "admin")]}
        yield live


def client(server: LiveServer, name: str | None = None) -> httpx.Client:
    headers = {"authorization": f"Bearer {server.tokens[name]}"} if name else {}
    return httpx.Client(base_url=server.url, headers=headers, timeout=60)


def refused(answer: httpx.Response, field: str) -> dict:
    assert answer.status_code == 400, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    problem = answer.json()
    assert problem["type"] == "/problems/invalid-url" and problem["field"] == field, problem
    return problem


@pytest.mark.parametrize("url", BAD)
def test_the_api_refuses_a_url_that_is_not_http_everywhere_one_is_stored(server, url):
    with client(server, "alice") as alice:
        current = alice.get(f"/api/v1/concepts/{CONCEPT}").json()
        terms = [{"text": t["text"], "lang": t["lang"], "type": t["type"]} for t in current["terms"]]
        content = {"scheme": current["scheme"], "terms": terms, "definition": current["definition"],
                   "sources": [{"document": "原文", "url": url}]}
        revise = {"kind": "revise", "target_id": CONCEPT, "base_version": current["version"], "concept": content}
        refused(alice.post("/api/v1/proposals", json=revise), "sources[0].url")
        create = {"kind": "create", "target_id": "xss-test-concept",
                  "concept": {**content, "terms": [{"text": "跨站测试术语", "type": "preferred"}]}}
        refused(alice.post("/api/v1/proposals", json=create), "sources[0].url")
        with_uri = {**create, "concept": {**create["concept"], "sources": [], "uri": url}}
        refused(alice.post("/api/v1/proposals", json=with_uri), "uri")
        standard = alice.get("/api/v1/standards").json()
        standard = (standard["items"] if isinstance(standard, dict) else standard)[0]
        body = {"kind": "revise", "target_kind": "standard", "target_id": standard["id"],
                "standard": {"title": standard["title"], "sources": [{"document": "原文", "url": url}]}}
        refused(alice.post("/api/v1/proposals", json=body), "sources[0].url")
        # and a good proposal edited to carry the URL
        fine = {**revise, "concept": {**content, "sources": [{"document": "原文", "url": "https://www.gov.cn/x"}]}}
        proposal = alice.post("/api/v1/proposals", json=fine)
        assert proposal.status_code == 201, proposal.text
        edited = alice.patch(f"/api/v1/proposals/{proposal.json()['id']}", json={"concept": content})
        refused(edited, "sources[0].url")
        alice.post(f"/api/v1/proposals/{proposal.json()['id']}/withdraw")


def test_the_web_form_refuses_a_javascript_url(server):
    site = client(server)
    site.follow_redirects = False
    site.get("/signin")
    signed = site.post("/signin", data={"token": server.tokens["alice"], "next": "/editor",
                                        "_csrf_token": _form_token(site)})
    assert signed.status_code == 303, signed.text
    try:
        before = server.services.store.list_proposals()[1]
        form = {"kind": "create", "target_id": "xss-form-concept", "scheme": "digital-village-terms",
                "term-0-text": "跨站表单术语", "term-0-lang": "zh-Hans", "term-0-type": "preferred",
                "definition": "用于测试的术语。", "source-0-document": "原文", "source-0-locator": "",
                "source-0-url": "javascript:alert(1)", "_csrf_token": _form_token(site)}
        answer = site.post("/editor/proposals", data=form)
        assert answer.status_code == 422, answer.text[:2000]
        assert "网址无效" in answer.text and 'href="javascript:' not in answer.text
        assert server.services.store.list_proposals()[1] == before
    finally:
        site.close()


def _import(server: LiveServer, name: str, data: bytes) -> httpx.Response:
    with client(server, "ada") as ada:
        return ada.post("/api/v1/imports", files={"file": (name, data)})


TOML = '''[scheme]
id = "xss-terms"
title = "跨站测试"

[[concept]]
id = "xss-toml"
pref = "跨站导入术语"
definition = "用于测试导入的术语。"
sources = [{ document = "原文", url = "javascript:alert(1)" }]
'''
CSV = ('id,scheme,lang,term,type,definition,source\n'
       'xss-csv,xss-terms,zh-Hans,跨站表格术语,preferred,用于测试的术语。,"原文 |  | data:text/html,<script>alert(1)</script>"\n')
TTL = '''@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dct: <http://purl.org/dc/terms/> .
<https://example.cn/s> a skos:ConceptScheme ; skos:prefLabel "跨站测试"@zh-Hans .
<https://example.cn/c1> a skos:Concept ; skos:inScheme <https://example.cn/s> ;
    skos:prefLabel "跨站语义术语"@zh-Hans ; dct:source <javascript:alert(1)> .
'''


@pytest.mark.parametrize("name,data,line", [("x.toml", TOML, 5), ("x.csv", CSV, 2), ("x.ttl", TTL, None)])
def test_an_import_refuses_a_url_that_is_not_http_naming_file_and_field(server, name, data, line):
    revision = server.services.store.revision()
    answer = _import(server, name, data.encode())
    assert answer.status_code == 400, answer.text
    problem = answer.json()
    assert problem["type"] == "/problems/invalid-vocabulary" and problem["field"] == "sources[0].url", problem
    assert problem["detail"].startswith(f"{name}:{line}:" if line else name) and "only http and https" in problem["detail"]
    assert server.services.store.revision() == revision


def test_the_bundled_loader_refuses_a_bad_url_naming_file_line_and_field(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(TOML, encoding="utf-8")
    with pytest.raises(VocabularyError) as caught:
        read_bundle([bad])
    assert str(caught.value).startswith(f"{bad}:9: sources[0].url: concept xss-toml: only http and https")


def test_a_stored_bad_url_is_never_a_link(server):
    """Rows written before the rule (here: straight into the store, past the rules) are shown, not linked."""
    store = server.services.store
    current = store.get("concept", CONCEPT)
    bad = msgspec.structs.replace(current, version=current.version + 1, created=now(), author="old-data",
                                  sources=(Source(document="旧来源", url="javascript:alert(1)"),
                                           Source(document="好来源", url="https://www.gov.cn/ok")))
    with store._transaction() as db:
        store._append_version(db, bad, now(), "old-data", "written before the URL rule")
    deadline = time.monotonic() + 30
    with client(server) as anyone:
        while anyone.get(f"/api/v1/concepts/{CONCEPT}").json()["version"] != bad.version:
            assert time.monotonic() < deadline
            time.sleep(0.1)
        for script in ("zh-Hans", "zh-TW"):
            page = anyone.get(f"/concepts/{CONCEPT}", params={"script": script}).text
            assert "旧来源" in page or "舊來源" in page
            assert "javascript:" not in page and 'href="https://www.gov.cn/ok"' in page
        version_page = anyone.get(f"/concepts/{CONCEPT}/versions/{bad.version}")
        assert version_page.status_code == 200 and ("旧来源" in version_page.text or "舊來源" in version_page.text)
        assert "javascript:" not in version_page.text
