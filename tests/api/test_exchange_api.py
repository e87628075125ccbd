"""Exchange over real HTTP and the real CLI: downloads, content negotiation, the paged list, uploads."""

from __future__ import annotations

import csv
import io

import httpx
import pytest
from click.testing import CliRunner
from rdflib import Graph, URIRef
from rdflib.namespace import SKOS

from api.cli import main
from api.settings import Settings
from registry.tokens import create_token
from tests.conftest import LiveServer

LIMIT = 300_000
BASE = "https://terms.example.cn"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    data = tmp_path_factory.mktemp("exchange-data")
    settings = Settings(data_dir=str(data), sync_interval=0.1, import_max_bytes=LIMIT, base_uri=BASE)
    with LiveServer(settings) as live:
        yield live


@pytest.fixture(scope="module")
def client(server):
    with httpx.Client(base_url=server.url, timeout=60) as c:
        yield c


@pytest.fixture(scope="module")
def tokens(server):
    store = server.services.store
    return {role: create_token(store, f"{role}-1", role, actor="test")[1] for role in ("editor", "admin")}


def some_concept(server):
    return next(c for c in server.services.catalog.concepts.values() if c.definition)


def test_scheme_export_is_streamed_with_a_file_name_and_an_etag(server, client):
    scheme = some_concept(server).scheme
    answer = client.get(f"/api/v1/schemes/{scheme}/export", params={"format": "ttl"})
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/turtle")
    revision = server.services.store.revision()
    assert answer.headers["content-disposition"] == f'attachment; filename="{scheme}-r{revision}.ttl"'
    g = Graph().parse(data=answer.content, format="turtle")
    assert (URIRef(f"{BASE}/schemes/{scheme}"), None, None) in g
    again = client.get(f"/api/v1/schemes/{scheme}/export", params={"format": "ttl"},
                       headers={"If-None-Match": answer.headers["etag"]})
    assert again.status_code == 304
    other = client.get(f"/api/v1/schemes/{scheme}/export", params={"format": "csv"})
    assert other.headers["etag"] != answer.headers["etag"] and other.content.startswith(b"\xef\xbb\xbfid,")


def test_export_at_a_release_names_the_release(server, client):
    server.services.store.add_release("x-1.0", actor="test")
    scheme = some_concept(server).scheme
    answer = client.get(f"/api/v1/schemes/{scheme}/export", params={"format": "tbx", "release": "x-1.0"})
    assert answer.status_code == 200 and f'filename="{scheme}-x-1.0.tbx"' in answer.headers["content-disposition"]
    assert client.get(f"/api/v1/schemes/{scheme}/export", params={"release": "nope"}).status_code == 404


def test_bad_export_parameters_are_problems(client, server):
    scheme = some_concept(server).scheme
    answer = client.get(f"/api/v1/schemes/{scheme}/export", params={"format": "docx"})
    assert answer.status_code == 400 and answer.headers["content-type"] == "application/problem+json"
    assert client.get("/api/v1/schemes/no-such/export").status_code == 404


@pytest.mark.parametrize("accept, parse", [("text/turtle", "turtle"), ("application/ld+json", "json-ld"),
                                           ("application/rdf+xml", "xml")])
def test_concept_urls_answer_by_content_negotiation(server, client, accept, parse):
    concept = some_concept(server)
    for path in (f"/api/v1/concepts/{concept.id}", f"/concepts/{concept.id}"):
        answer = client.get(path, headers={"Accept": accept})
        assert answer.status_code == 200 and answer.headers["content-type"].startswith(accept), path
        g = Graph().parse(data=answer.content, format=parse)
        assert (URIRef(f"{BASE}/concepts/{concept.id}"), SKOS.prefLabel, None) in g
    assert client.get(f"/api/v1/concepts/{concept.id}").json()["id"] == concept.id  # JSON stays the default
    assert "text/html" in client.get(f"/concepts/{concept.id}", headers={"Accept": "text/html"}).headers["content-type"]


@pytest.mark.parametrize("accept, expected", [
    ("text/turtle;q=0, application/json", "application/json"),  # q=0: "not turtle" (it was turtle)
    ("application/rdf+xml;q=0.5, text/csv", "text/csv"),  # the higher quality, not the first listed
    ("text/csv;q=0.2, application/json;q=0.9", "application/json"),
    ("application/json;q=0.1, text/turtle", "text/turtle"),
    ("text/turtle;q=0.5, application/ld+json;q=0.5", "text/turtle"),  # equals: the first listed
    ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "application/json"),  # a browser
    ("text/turtle;q=abc", "text/turtle"),  # a malformed quality is as if not given
    ("image/png", "application/json"),
])
def test_content_negotiation_weighs_the_qualities(server, client, accept, expected):
    concept = some_concept(server)
    answer = client.get(f"/api/v1/concepts/{concept.id}", headers={"Accept": accept})
    assert answer.status_code == 200 and answer.headers["content-type"].startswith(expected), answer.headers
    assert answer.headers["vary"] == "Accept"  # a shared cache keeps one answer per Accept
    scheme = client.get(f"/api/v1/schemes/{concept.scheme}", headers={"Accept": accept})
    assert scheme.status_code == 200 and scheme.headers["vary"] == "Accept"


def test_scheme_url_negotiates_and_describes(server, client):
    scheme = some_concept(server).scheme
    info = client.get(f"/api/v1/schemes/{scheme}").json()
    assert info["uri"] == f"{BASE}/schemes/{scheme}" and info["exports"]["tbx"].endswith("format=tbx")
    rows = list(csv.reader(io.StringIO(client.get(f"/api/v1/schemes/{scheme}", headers={"Accept": "text/csv"}).text)))
    assert rows[0][:4] == ["\ufeffid", "scheme", "lang", "term"] and len(rows) > info["concepts"]


def test_the_concept_page_links_to_its_downloads(server, client):
    concept = some_concept(server)
    page = client.get(f"/concepts/{concept.id}").text
    assert f"/api/v1/concepts/{concept.id}/export?format=tbx" in page
    assert client.get(f"/api/v1/concepts/{concept.id}/export", params={"format": "tbx"}).status_code == 200


def test_paged_concept_list_walks_a_scheme(server, client):
    scheme = some_concept(server).scheme
    seen, url = [], f"/api/v1/schemes/{scheme}/concepts?limit=7"
    while url:
        page = client.get(url).json()
        seen += [item["id"] for item in page["items"]]
        url = page["next"]
    expected = sorted(c.id for c in server.services.catalog.concepts.values() if c.scheme == scheme)
    assert seen == expected and page["total"] == len(expected)
    assert client.get(f"/api/v1/schemes/{scheme}/concepts", params={"limit": 501}).status_code == 400
    assert client.get("/api/v1/schemes/no-such/concepts").status_code == 404


def upload(client, data: bytes, name: str = "new.csv", token: str | None = None, **fields):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.post("/api/v1/imports", files={"file": (name, data)}, data=fields, headers=headers)


NEW = "id,scheme,lang,term,type,definition\nsoil-moisture-sensor,iot-devices,zh-Hans,土壤墒情传感器,preferred,测量土壤含水量的传感器。\n"


def test_imports_need_an_admin_token(client, tokens):
    assert upload(client, NEW.encode()).status_code == 401
    answer = upload(client, NEW.encode(), token=tokens["editor"])
    assert answer.status_code == 403 and answer.json()["type"] == "/problems/forbidden"


def test_an_upload_over_the_bound_gets_413(client, tokens):
    answer = upload(client, b"x" * (LIMIT + 1), token=tokens["admin"])
    assert answer.status_code == 413 and answer.headers["content-type"] == "application/problem+json"
    # the detail says the bound, not litestar's bare "Request Entity Too Large"
    assert f"{LIMIT:,} bytes" in answer.json()["detail"] and "import_max_bytes" in answer.json()["detail"]


def test_a_bad_file_is_a_problem_listing_every_problem_and_writes_nothing(server, client, tokens):
    revision = server.services.store.revision()
    bad = "id,scheme,lang,term,broader\n" + "".join(f"c{n},iot-devices,zh-Hans,概念{n},nowhere\n" for n in range(3))
    answer = upload(client, bad.encode(), name="sensors.csv", token=tokens["admin"])
    assert answer.status_code == 400
    problem = answer.json()
    assert problem["type"] == "/problems/invalid-vocabulary" and problem["detail"].startswith("3 problems")
    assert [(e["file"], e["line"], e["field"]) for e in problem["errors"]] == [
        ("sensors.csv", 2, "broader"), ("sensors.csv", 3, "broader"), ("sensors.csv", 4, "broader")]
    assert server.services.store.revision() == revision
    dry = upload(client, bad.encode(), name="sensors.csv", token=tokens["admin"], dry_run="true")
    assert dry.status_code == 200 and len(dry.json()["problems"]) == 3 and dry.json()["totals"]["problems"] == 3
    skipped = upload(client, (bad + "fine,iot-devices,zh-Hans,好,\n").encode(), name="sensors.csv",
                     token=tokens["admin"], skip_invalid="true", dry_run="true")
    assert skipped.status_code == 200 and skipped.json()["created"] == ["fine"]
    assert skipped.json()["totals"]["created"] == 1 and skipped.json()["totals"]["skipped"] == 3
    assert skipped.json()["skipped"] == ["c0", "c1", "c2"]


@pytest.mark.parametrize("name, data, status", [
    ("deep.toml", b"x = " + b"[" * 10_000 + b"]" * 10_000, 400),
    ("deep.jsonld", b'{"a": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", 400),
    ("bomb.tbx", b'<?xml version="1.0"?><!DOCTYPE t [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;">]><tbx>&b;</tbx>', 400),
])
def test_hostile_imports_are_problems_never_a_crash(server, client, tokens, name, data, status):
    for dry in ("false", "true"):
        answer = upload(client, data, name=name, token=tokens["admin"], dry_run=dry)
        assert answer.status_code == status and answer.headers["content-type"] == "application/problem+json"


def test_too_many_triples_get_413(server, client, tokens, monkeypatch):
    from vocab import formats

    monkeypatch.setitem(formats.LIMITS, "triples", 50)
    data = "".join(f'<http://e.org/c{n}> <http://www.w3.org/2004/02/skos/core#prefLabel> "c{n}" .\n' for n in range(60))
    answer = upload(client, data.encode(), name="many.nt", token=tokens["admin"], dry_run="true")
    assert answer.status_code == 413 and answer.json()["type"] == "/problems/too-large"


def test_an_import_is_published_and_searchable_at_once(server, client, tokens):
    dry = upload(client, NEW.encode(), token=tokens["admin"], dry_run="true")
    assert dry.status_code == 200 and dry.json()["created"] == ["soil-moisture-sensor"]
    assert client.get("/api/v1/concepts/soil-moisture-sensor").status_code == 404
    answer = upload(client, NEW.encode(), token=tokens["admin"])
    assert answer.status_code == 201, answer.text
    report = answer.json()
    assert report["created"] == ["soil-moisture-sensor"] and report["schemes_created"] == ["iot-devices"]
    concept = client.get("/api/v1/concepts/soil-moisture-sensor").json()
    assert concept["author"] == "admin-1" and concept["preferred"] == "土壤墒情传感器"
    hits = client.get("/api/v1/search", params={"q": "土壤墒情傳感器"}).json()["hits"]
    assert hits[0]["id"] == "soil-moisture-sensor"
    # the scheme the import made is in the catalog at once too (the follower applied only concepts and
    # standards: the scheme was a 404, missing from the list and the home page until a restart)
    assert "iot-devices" in {s["id"] for s in client.get("/api/v1/schemes").json()}
    assert client.get("/api/v1/schemes/iot-devices").json()["concepts"] == 1
    assert client.get("/schemes/iot-devices", headers={"Accept": "text/html"}).status_code == 200
    assert 'href="/schemes/iot-devices"' in client.get("/", headers={"Accept": "text/html"}).text
    again = upload(client, NEW.encode(), token=tokens["admin"]).json()
    assert again["unchanged"] == ["soil-moisture-sensor"] and again["created"] == []


# -- the CLI ----------------------------------------------------------------------------------------

def test_import_and_export_commands_have_help():
    for command in ("import", "export"):
        result = CliRunner().invoke(main, [command, "--help"])
        assert result.exit_code == 0 and "Usage" in result.output and len(result.output) > 300


def test_cli_export_then_import_into_an_empty_registry(tmp_path, server):
    from api.services import Services

    source, target = tmp_path / "source", tmp_path / "target"
    Services(Settings(data_dir=str(source))).close()
    scheme = some_concept(server).scheme
    out = tmp_path / "scheme.tbx"
    result = CliRunner().invoke(main, ["export", "--scheme", scheme, "--format", "tbx", "-o", str(out),
                                       "--data-dir", str(source)])
    assert result.exit_code == 0, result.output
    result = CliRunner().invoke(main, ["import", str(out), "--dry-run", "--data-dir", str(target)])
    assert result.exit_code == 0 and result.output.startswith("would change: scheme.tbx; created: ")
    result = CliRunner().invoke(main, ["import", str(out), "--data-dir", str(target)])
    assert result.exit_code == 0 and "revision" in result.output, result.output
    again = tmp_path / "again.tbx"
    CliRunner().invoke(main, ["export", "--scheme", scheme, "--format", "tbx", "-o", str(again), "--data-dir", str(target)])
    assert again.read_bytes() == out.read_bytes()


def test_cli_import_problem_is_one_line(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("id,scheme,lang\nab,cd,zh\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["import", str(bad), "--data-dir", str(tmp_path / "d")])
    assert result.exit_code == 1 and result.output.count("\n") == 1
    assert result.output.startswith(f"error: {bad}:1: term: missing column 'term'")


def test_an_imported_concept_in_other_languages_is_shown_and_a_homonym_qualified(server, client, tokens):
    tbx = """<?xml version="1.0"?>
<tbx type="TBX-Basic" style="dca" xml:lang="en" xmlns="urn:iso:std:iso:30042:ed-2"><text><body>
<conceptEntry id="h1"><ref type="crossReference" target="h2">h2</ref><langSec xml:lang="zh-CN"><termSec><term>银行</term>
<termNote type="administrativeStatus">preferredTerm-admn-sts</termNote></termSec></langSec>
<langSec xml:lang="es"><termSec><term>banco</term></termSec></langSec><langSec xml:lang="en"><termSec><term>bank</term>
<termNote type="administrativeStatus">preferredTerm-admn-sts</termNote></termSec></langSec></conceptEntry>
<conceptEntry id="h2"><langSec xml:lang="zh-CN"><termSec><term>银行</term>
<termNote type="administrativeStatus">preferredTerm-admn-sts</termNote></termSec></langSec>
<langSec xml:lang="en"><termSec><term>riverbank</term>
<termNote type="administrativeStatus">preferredTerm-admn-sts</termNote></termSec></langSec></conceptEntry>
</body></text></tbx>""".encode()
    answer = upload(client, tbx, name="homonyms.tbx", token=tokens["admin"])
    assert answer.status_code == 201, answer.text
    assert answer.json()["homonyms"] == ["银行 (homonyms): homonyms-h1 银行（bank）, homonyms-h2 银行（riverbank）"]
    page = client.get("/concepts/homonyms-h1")
    # shown by its tag; the only Spanish term, with no administrativeStatus, names the concept in Spanish
    assert page.status_code == 200 and "banco</td><td>规范术语</td><td>es</td>" in page.text
    hits = client.get("/api/v1/search", params={"q": "银行"}).json()["hits"]
    assert {(h["id"], h["qualifier"]) for h in hits[:2]} == {("homonyms-h1", "bank"), ("homonyms-h2", "riverbank")}
    html = client.get("/", params={"q": "银行"}).text
    assert "（bank）" in html and "（riverbank）" in html
    # an editor revises the second homonym keeping its label, a reviewer approves: the label stays shared
    store = server.services.store
    editor = create_token(store, "homonym-editor", "editor", actor="test")[1]
    reviewer = create_token(store, "homonym-reviewer", "reviewer", actor="test")[1]
    current = client.get("/api/v1/concepts/homonyms-h2").json()
    body = {"kind": "revise", "target_id": "homonyms-h2", "base_version": current["version"], "submit": True,
            "concept": {"scheme": current["scheme"], "definition": "河流两岸的陆地。",
                        "terms": [{"text": t["text"], "lang": t["lang"], "type": t["type"]} for t in current["terms"]]}}
    proposed = client.post("/api/v1/proposals", json=body, headers={"authorization": f"Bearer {editor}"})
    assert proposed.status_code == 201, proposed.text
    approved = client.post(f"/api/v1/proposals/{proposed.json()['id']}/approve",
                           headers={"authorization": f"Bearer {reviewer}"})
    assert approved.status_code == 200, approved.text
    revised = client.get("/api/v1/concepts/homonyms-h2").json()
    assert revised["version"] == current["version"] + 1 and revised["definition"] == "河流两岸的陆地。"
    hits = client.get("/api/v1/search", params={"q": "银行"}).json()["hits"]
    assert {(h["id"], h["qualifier"]) for h in hits[:2]} == {("homonyms-h1", "bank"), ("homonyms-h2", "riverbank")}


def test_the_tbx_export_takes_the_clis_dialect_and_style_over_http(server, client):
    """``tbx_dialect`` and ``tbx_style`` mirror ``shuyu export --tbx-dialect/--tbx-style``; the ETag tells them apart."""
    from lxml import etree

    from tests.vocab.test_export_standards import basic_problems

    concept = some_concept(server)
    seen, etags = {}, set()
    for style, dialect in (("dca", "basic"), ("dct", "basic"), ("dca", "min"), ("dct", "core")):
        answer = client.get(f"/api/v1/schemes/{concept.scheme}/export",
                            params={"format": "tbx", "tbx_style": style, "tbx_dialect": dialect})
        assert answer.status_code == 200, answer.text
        root = etree.fromstring(answer.content)
        seen[(style, dialect)] = (root.get("style"), root.get("type"))
        if dialect == "basic":
            assert basic_problems(root, style) == []
        etags.add(answer.headers["etag"])
        again = client.get(f"/api/v1/schemes/{concept.scheme}/export",
                           params={"format": "tbx", "tbx_style": style, "tbx_dialect": dialect},
                           headers={"If-None-Match": answer.headers["etag"]})
        assert again.status_code == 304
    assert seen == {("dca", "basic"): ("dca", "TBX-Basic"), ("dct", "basic"): ("dct", "TBX-Basic"),
                    ("dca", "min"): ("dca", "TBX-Min"), ("dct", "core"): ("dct", "TBX-Core")}
    assert len(etags) == 4  # a cached DCA file never answers for a DCT one
    default = client.get(f"/api/v1/schemes/{concept.scheme}/export", params={"format": "tbx"})
    assert etree.fromstring(default.content).get("style") == "dca"
    one = client.get(f"/api/v1/concepts/{concept.id}/export", params={"format": "tbx", "tbx_style": "dct"})
    assert one.status_code == 200 and etree.fromstring(one.content).get("style") == "dct"
    for bad in ({"tbx_style": "xml"}, {"tbx_dialect": "max"}):
        wrong = client.get(f"/api/v1/schemes/{concept.scheme}/export", params={"format": "tbx", **bad})
        assert wrong.status_code == 400 and wrong.headers["content-type"].startswith("application/problem+json")


def test_the_openapi_names_the_tbx_parameters(client):
    spec = client.get("/schema/openapi.json").json()
    for path in ("/api/v1/schemes/{scheme_id}/export", "/api/v1/concepts/{concept_id}/export"):
        params = {p["name"]: p for p in spec["paths"][path]["get"]["parameters"]}
        assert params["tbx_dialect"]["schema"]["enum"] == ["basic", "min", "core"]
        assert params["tbx_style"]["schema"]["enum"] == ["dca", "dct"]
