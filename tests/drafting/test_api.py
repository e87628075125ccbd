"""The drafting tools over real HTTP: /api/v1/check, /api/v1/clause, /api/v1/reports/harmonisation and
their web pages, with bad input answered by 4xx problem details."""

from __future__ import annotations

import io
import time

import pytest
from docx import Document

from registry.model import ConceptVersion, Scheme, Term
from registry.text import fold_to_simplified
from drafting.drafts import MAX_TEXT_BYTES
from tests.drafting.conftest import admitted_pair

PROBLEM = "application/problem+json"


def problem(response, status: int) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body = response.json()
    assert body["status"] == status and body["detail"]
    return body


def wait_for_revision(server, revision: int) -> None:
    deadline = time.monotonic() + 30
    while server.services.catalog.revision < revision:
        assert time.monotonic() < deadline, "the catalog did not catch up"
        time.sleep(0.05)


def test_check_plain_text_and_json(client):
    text = "推进數位鄉村建设,推广行動支付。"
    plain = client.post("/api/v1/check", content=text.encode(), headers={"content-type": "text/plain; charset=utf-8"})
    assert plain.status_code == 200
    body = plain.json()
    for m in body["matches"]:
        assert text[m["start"]:m["end"]] == m["text"]
    assert {m["text"] for m in body["matches"]} >= {"數位鄉村", "行動支付"}
    assert body["summary"]["regional"] == 2 and body["summary"]["problems"] == len(body["problems"])
    taiwan = client.post("/api/v1/check", json={"text": text, "script": "zh-TW"}).json()
    assert taiwan["script"] == "zh-TW" and taiwan["summary"]["regional"] == 0
    query = client.post("/api/v1/check?script=zh-TW", content=text.encode()).json()
    assert query["summary"] == taiwan["summary"]


def test_check_bad_input_is_a_problem(client):
    problem(client.post("/api/v1/check", content=b""), 400)
    problem(client.post("/api/v1/check", content=b"  \n\t "), 400)
    assert "UTF-8" in problem(client.post("/api/v1/check", content="数字乡村".encode("gbk")), 400)["detail"]
    assert "binary" in problem(client.post("/api/v1/check", content=b"\x00\x01\x02abc" * 10), 400)["detail"]
    problem(client.post("/api/v1/check", content="数".encode() * (MAX_TEXT_BYTES // 3 + 1)), 413)
    problem(client.post("/api/v1/check", content=b"a" * (MAX_TEXT_BYTES + 5000)), 413)
    problem(client.post("/api/v1/check", json={"txt": "x"}), 400)
    problem(client.post("/api/v1/check", content=b"{not json", headers={"content-type": "application/json"}), 400)
    problem(client.post("/api/v1/check", json={"text": "数字乡村", "script": "zh-XX"}), 400)
    problem(client.post("/api/v1/check?script=xx", content="数字乡村".encode()), 400)
    exactly = client.post("/api/v1/check", content=b"a" * MAX_TEXT_BYTES)  # the bound itself is accepted
    assert exactly.status_code == 200 and exactly.json()["length"] == MAX_TEXT_BYTES


def test_clause_in_every_format(client):
    markdown = client.get("/api/v1/clause", params={"ids": "smart-agriculture,digital-village", "format": "markdown"})
    assert markdown.status_code == 200 and markdown.headers["content-type"].startswith("text/markdown")
    assert markdown.text.startswith("## 3 术语和定义") and "### 3.2" in markdown.text
    data = client.get("/api/v1/clause", params={"ids": "smart-agriculture"}).json()
    assert data["entries"][0]["number"] == "3.1" and data["entries"][0]["concept"] == "smart-agriculture"
    html = client.get("/api/v1/clause", params={"ids": "smart-agriculture", "format": "html"})
    assert html.headers["content-type"].startswith("text/html") and '<section class="clause"' in html.text
    docx = client.get("/api/v1/clause", params={"scheme": "dv-terms", "broader": "smart-agriculture", "format": "docx"})
    assert docx.status_code == 200 and "attachment" in docx.headers["content-disposition"]
    paragraphs = [p.text for p in Document(io.BytesIO(docx.content)).paragraphs]
    assert "3.1" in paragraphs and paragraphs[0] == "3 术语和定义"


def test_clause_bad_requests_are_problems(client):
    assert "no-such-concept" in problem(client.get("/api/v1/clause", params={"ids": "no-such-concept"}), 404)["detail"]
    empty = client.get("/api/v1/clause")  # nothing chosen: the clause says so (GB/T 1.1-2020's wording)
    assert empty.status_code == 200 and empty.json()["entries"] == [], empty.text
    assert empty.json()["lead_in"] == "本文件没有需要界定的术语和定义。"
    problem(client.get("/api/v1/clause", params={"scheme": "dv-terms", "broader": "nope"}), 404)
    problem(client.get("/api/v1/clause", params={"scheme": "no-scheme"}), 404)
    problem(client.get("/api/v1/clause", params={"ids": "smart-agriculture", "format": "pdf"}), 400)
    problem(client.get("/api/v1/clause", params={"ids": "smart-agriculture", "cite": "no-standard"}), 404)
    problem(client.get("/api/v1/clause", params={"ids": "smart-agriculture", "release": "no-release"}), 404)
    problem(client.get("/api/v1/clause", params={"ids": "smart-agriculture", "at": "yesterday"}), 400)
    problem(client.get("/api/v1/clause", params={"ids": "smart-agriculture", "at": "999999999"}), 404)


def test_clause_is_regenerated_as_it_stood_at_a_revision(client, drafting_server):
    store = drafting_server.services.store
    before = store.revision()
    old = store.get("concept", "smart-agriculture")
    revised = ConceptVersion(**{**{f: getattr(old, f) for f in old.__struct_fields__},
                                "version": old.version + 1, "definition": "修订后的定义文字。"})
    after = store.append([revised], actor="test", note="revise for the clause test")
    wait_for_revision(drafting_server, after)
    now = client.get("/api/v1/clause", params={"ids": "smart-agriculture"}).json()
    then = client.get("/api/v1/clause", params={"ids": "smart-agriculture", "at": str(before)}).json()
    assert now["entries"][0]["definition"] == "修订后的定义文字。" and now["revision"] == after
    assert then["entries"][0]["definition"] == old.definition and then["revision"] == before


def test_harmonisation_report_lists_every_shared_label(client, drafting_server):
    """Must show: a label given on purpose to a second concept in another scheme (written in Traditional,
    full width) is found, and every label shared by two live concepts is listed."""
    services = drafting_server.services
    catalog = services.catalog
    target = catalog.concepts["smart-agriculture"]
    shared_text = "智慧農業"  # 智慧农业 in Traditional: the same label after folding
    newcomer = ConceptVersion(id="harmonisation-probe", scheme="probe-scheme", terms=(
        Term(text="农业智慧化", type="preferred"), Term(text=shared_text, type="admitted")),
        definition="为检验协调性报告而建的概念。")
    revision = services.store.append([newcomer], actor="test", schemes=[Scheme(id="probe-scheme", title="探针方案")])
    wait_for_revision(drafting_server, revision)
    report = client.get("/api/v1/reports/harmonisation").json()
    labels = {f["label"]: f for f in report["shared_labels"]}
    finding = labels[fold_to_simplified(target.preferred)]
    assert {c["id"] for c in finding["concepts"]} == {target.id, newcomer.id}
    assert {c["definition"] for c in finding["concepts"]} == {target.definition, newcomer.definition}
    assert finding["schemes"] == sorted({target.scheme, "probe-scheme"})
    assert fold_to_simplified(target.preferred) in {f["label"] for f in report["status_conflicts"]}

    catalog = services.catalog  # the snapshot of the new revision (snapshots are never changed in place)
    expected = set()  # every folded label of two or more live concepts, from the catalog itself
    for key, matches in catalog.label_postings():
        live = {m.id for m in matches if m.term.type != "hidden" and catalog.concepts[m.id].status != "deprecated"}
        if len(live) > 1:
            expected.add(key)
    assert set(labels) == expected
    assert report["summary"]["shared_labels"] == len(expected)

    page = client.get("/reports/harmonisation")
    assert page.status_code == 200
    assert f'data-label="{fold_to_simplified(target.preferred)}"' in page.text
    assert f'href="/concepts/{newcomer.id}"' in page.text and "提议修改" in page.text


def test_drafting_pages_follow_the_readers_script(client):
    """The site's script choice (here 繁體) holds on the drafting pages; the draft's own script is a
    separate choice of the checker."""
    page = client.get("/check", params={"script": "zh-Hant"})
    assert '<html lang="zh-Hant">' in page.text and 'name="draft_script"' in page.text
    checked = client.post("/check", data={"text": "數位鄉村", "draft_script": "zh-TW"})
    assert '<html lang="zh-Hant">' in checked.text  # the script cookie set by the first page
    assert 'data-count="regional">0<' in checked.text


def test_check_page_marks_up_a_pasted_draft(client, drafting_server):
    page = client.get("/check")
    assert page.status_code == 200 and "<textarea" in page.text
    concept, admitted = admitted_pair(drafting_server.services.catalog)
    text = f"发展{admitted}和{concept.preferred}。"  # an admitted synonym and the preferred term of one concept
    result = client.post("/check", data={"text": text, "draft_script": "zh-Hans"})
    assert result.status_code == 200
    end = 2 + len(admitted)
    assert f'data-start="2" data-end="{end}" data-concept="{concept.id}" data-form="admitted"' in result.text
    assert 'data-count="non_preferred">1<' in result.text and 'data-count="inconsistent">1<' in result.text


def docx_bytes(*paragraphs: str) -> bytes:
    document = Document()
    for p in paragraphs:
        document.add_paragraph(p)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("name,content", [
    ("draft.txt", "推进數位鄉村。".encode()),
    ("draft.md", "# 草案\n\n推进**數位鄉村**。".encode()),
    ("draft.docx", docx_bytes("草案", "推进數位鄉村。")),
])
def test_check_page_reads_an_upload(client, name, content):
    result = client.post("/check", files={"file": (name, content)}, data={"draft_script": "zh-Hans"})
    assert result.status_code == 200, result.text
    assert 'data-concept="digital-village" data-form="regional"' in result.text


@pytest.mark.parametrize("name,content,words,chinese", [
    ("draft.docx", b"this is not a zip", "not a .docx", "不是 .docx"),
    ("draft.docx", b"PK\x05\x06" + b"\x00" * 18, "not a Word document", "不是 Word 文档"),
    ("draft.txt", "数字乡村".encode("gb18030"), "UTF-8", "UTF-8"),
    ("draft.txt", b"\x00\x01\x02\x03" * 100, "binary", "二进制"),
    ("draft.pdf", b"%PDF-1.4", ".txt, .md or .docx", ".txt、.md 或 .docx"),
    ("draft.txt", b"", "empty", "为空"),
])
def test_check_page_refuses_bad_uploads(client, name, content, words, chinese):
    """The page says it in Chinese (api/web/messages.py), the JSON API in English."""
    html = client.post("/check", files={"file": (name, content)}, data={"draft_script": "zh-Hans"},
                       headers={"accept": "text/html"})
    assert html.status_code == 400 and chinese in html.text
    api = client.post("/check", files={"file": (name, content)})
    assert words in problem(api, 400)["detail"]


def test_empty_form_is_refused(client):
    problem(client.post("/check", data={"text": "   "}), 400)


def test_clause_page_and_basket(client):
    first = client.get("/clause", params={"add": "smart-agriculture"})
    assert first.status_code == 200 and '<section class="clause"' in first.text
    client.get("/clause", params={"add": "digital-village"})
    both = client.get("/clause")
    assert both.text.count('class="entry"') == 2 and "format=docx" in both.text
    removed = client.get("/clause", params={"remove": "smart-agriculture"})
    assert removed.text.count('class="entry"') == 1
    assert client.get("/clause", params={"clear": "true"}).text.count('class="entry"') == 0
    assert client.get("/clause", params={"add": "no-such"}).status_code == 404
    concept_page = client.get("/concepts/smart-agriculture")
    assert 'href="/clause?add=smart-agriculture"' in concept_page.text
    assert 'href="/clause?scheme=dv-terms"' in client.get("/schemes/dv-terms").text


def test_check_page_names_a_few_forms_of_an_inconsistent_concept_on_each_use(client, drafting_server):
    # every use of the concept carries the problem's message in its title: with every form named, a 1 MB
    # draft of one label written in thousands of script mixes made an 8 GB page (88 s)
    from tests.drafting.test_checker import _every_script_mix

    catalog = drafting_server.services.catalog
    concept = max((c for c in catalog.concepts.values()
                   if c.status == "published" and not set(c.preferred) & set("“”、，。 ")),
                  key=lambda c: (len(_every_script_mix(c.preferred)), c.id))
    forms = _every_script_mix(concept.preferred)[:300]
    page = client.post("/check", data={"text": "，".join(forms), "draft_script": "zh-Hans"})
    assert page.status_code == 200 and 'data-count="inconsistent">1<' in page.text
    assert page.text.count(f'data-concept="{concept.id}"') == 300
    # the last form: in the draft and in its own script problem (mark title, list), never once per use (305)
    assert page.text.count(forms[-1]) <= 5
