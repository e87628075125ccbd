"""Near matches over real HTTP and in chromium: the web page lists them under 相近词语, the JSON marks them
``label-near``; bad input (one character, punctuation, 200 mixed characters, spaced pinyin) answers 200
with at most a page of near matches, never a 500 (issue 21)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from lxml import html

from api.settings import Settings
from registry.model import Scheme, Term
from search.near import MAX_HITS
from tests.conftest import LiveServer, concept

SCHEME = Scheme(id="near-test", title="相近词语测试")


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[LiveServer]:
    """The bundled vocabulary and a test vocabulary holding 公文包, 富营养化 and 玉米 (alt 包谷)."""
    with LiveServer(Settings(data_dir=str(tmp_path_factory.mktemp("near-site")), sync_interval=0.1)) as live:
        live.services.store.append([
            concept("briefcase", "公文包", scheme="near-test", definition="装公文的手提包。"),
            concept("eutrophication", "富营养化", scheme="near-test", definition="水体中氮磷等营养物质过多的现象。"),
            concept("maize", "玉米", scheme="near-test", terms=(Term(text="包谷", type="admitted"),),
                    definition="一种禾本科谷物。"),
        ], actor="test", schemes=[SCHEME])
        live.services.search.catch_up()
        yield live


@pytest.fixture()
def client(site) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=site.url, timeout=30) as c:
        yield c


def test_the_json_marks_a_near_match_and_ranks_it_in_the_first_five(client):
    body = client.get("/api/v1/search", params={"q": "優養化"}).json()
    top = [(h["id"], h["match"]) for h in body["hits"][:5]]
    assert ("eutrophication", "label-near") in top, top


def test_a_homophone_sharing_no_character_finds_no_maize(client):
    hits = client.get("/api/v1/search", params={"q": "保固", "limit": 100}).json()["hits"]
    assert "maize" not in [h["id"] for h in hits]


def test_the_page_lists_near_matches_under_their_heading(client):
    response = client.get("/", params={"q": "公事包"})
    assert response.status_code == 200
    doc = html.fromstring(response.text)
    assert doc.xpath("//h3[@class='near-heading']/text()") == ["相近词语"]
    near = doc.xpath("//ol[contains(@class, 'near')]/li/@data-id")
    assert near[0] == "briefcase", near
    assert "完全相符" in "".join(doc.xpath("//p[contains(@class, 'near-only')]//text()"))


def test_the_taiwan_page_quotes_the_matched_label_in_its_script(client):
    doc = html.fromstring(client.get("/", params={"q": "優養化", "script": "zh-TW"}).text)
    how = "".join(doc.xpath("//li[@data-id='eutrophication']//span[@class='how']//text()"))
    assert "富營養化" in how and "富营养化" not in how, how


def test_a_page_with_exact_hits_has_no_near_only_note(client):
    doc = html.fromstring(client.get("/", params={"q": "公文包"}).text)
    assert doc.xpath("//ol[@class='hits']/li/@data-id")[0] == "briefcase"
    assert doc.xpath("//p[contains(@class, 'near-only')]") == []


def test_chromium_shows_the_near_match_under_the_heading(browser, site):
    page = browser.new_page(locale="zh-CN")
    page.goto(site.url + "/?q=公事包")
    heading = page.locator("h3.near-heading")
    assert heading.inner_text() == "相近词语" and heading.is_visible()
    first = page.locator("ol.hits.near li.hit").first
    assert first.get_attribute("data-id") == "briefcase"
    assert "公文包" in first.locator("a.label").inner_text()
    assert "相近词语" in first.locator(".how").inner_text()
    # the list follows its heading on the page
    assert heading.bounding_box()["y"] < first.bounding_box()["y"]
    page.close()


BAD = ["包", "。，！？", "……——", "数字village乡村ＡＢＣ😀한국어" * 12 + "数据", "shu zi xiang cun", "gong shi bao",
       "<>&\"'", "   化   ",
       # letters that end unmatched after a character: the pinyin reading took 2^n steps on them (a worker held)
       "数" + "a" * 190 + ";", "关于推进数字乡村建设的若干意见 The digital village 數位鄉村 is important; 智慧农业 ok!" * 3]


@pytest.mark.parametrize("text", BAD)
def test_bad_input_answers_a_sensible_page(client, text):
    text = text[:200]
    page = client.get("/", params={"q": text})
    assert page.status_code == 200, page.text[:500]
    doc = html.fromstring(page.text)
    assert len(doc.xpath("//ol[contains(@class, 'near')]/li")) <= MAX_HITS
    body = client.get("/api/v1/search", params={"q": text, "limit": 100})
    assert body.status_code == 200, body.text[:500]
    assert sum(1 for h in body.json()["hits"] if h["match"] == "label-near") <= MAX_HITS
