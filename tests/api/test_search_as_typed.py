"""The search page and API over real HTTP for queries as people type them (tried by hand on 2026-12-06,
branch ``search10``): what each hit says about how it matched, in the page's script."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.conftest import LiveServer


@pytest.fixture(scope="module")
def site(live_server) -> LiveServer:
    return live_server  # the shared read-only server on the bundled vocabulary


@pytest.fixture()
def client(site) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=site.url, timeout=30) as c:
        yield c


def how(page: str, entity_id: str) -> str:
    hit = page.split(f'data-id="{entity_id}"', 1)[1].split("</li>", 1)[0]
    return hit.split('class="how">', 1)[1].split("</span>", 1)[0]


@pytest.mark.parametrize("script, quoted", [
    ("zh-Hans", "物联网 智慧农业数据传输技术应用指南"),
    ("zh-TW", "物聯網 智慧農業數據傳輸技術應用指南"),
    ("zh-HK", "物聯網 智慧農業數據傳輸技術應用指南"),
])
def test_a_standard_matched_in_part_is_quoted_in_the_pages_script(client, script, quoted):
    """Until 2026-12-06 a standard's matched title was quoted in Simplified on a Traditional page, beside
    its title in Traditional (a concept's matched label was rendered)."""
    page = client.get("/", params={"q": "物联网数据传输", "script": script}).text
    assert how(page, "gbt-43440-2023") == f"匹配:部分相符 <q>{quoted}</q>"


@pytest.mark.parametrize("query, standard, said", [
    ("lenglian", "gbt-28577-2021", "拼音"),  # its title's pinyin
    ("sjaq", "gbt-43697-2024", "拼音"),  # its title's initials
    ("gbt436", "gbt-43697-2024", "标准编号"),  # the beginning of its code
    ("易腐食品", "gbt-22918-2025", "标准名称"),  # the beginning of its title
    ("data security technology", "gbt-43697-2024", "英文"),  # the beginning of its English title
])
def test_a_standard_found_by_pinyin_code_or_title_says_how(client, query, standard, said):
    """Until 2026-12-06 these said 匹配: and nothing (the words for a concept's pinyin, a standard's code
    or title were given only to hits of other tiers)."""
    assert how(client.get("/", params={"q": query}).text, standard).startswith(f"匹配:{said}")


@pytest.mark.parametrize("query", ["data security technology", "Data security technology — Rules",
                                   "Data management capability", "guide for"])
def test_a_standard_offered_by_its_english_title_is_found_by_it(client, query):
    """Type-ahead offers a standard by the beginning of its English title; until 2026-12-06 searching for
    those words found no standard (kind=standard: 0 hits)."""
    offered = {s["id"] for s in client.get("/api/v1/suggest", params={"q": query}).json() if s["kind"] == "standard"}
    found = {h["id"] for h in client.get("/api/v1/search", params={"q": query, "kind": "standard"}).json()["hits"]}
    assert offered and offered <= found


@pytest.mark.parametrize("query, concept, said", [
    # each hit quotes the term of the list it matched, not the whole list
    ("行動支付 資通安全", "mobile-payment", "匹配:台湾用语 <q>行動支付</q>"),
    ("行動支付 資通安全", "cybersecurity", "匹配:台湾用语 <q>資通安全</q>"),
    ("數位鄉村 smart agriculture", "digital-village", "匹配:台湾用语 <q>數位鄉村</q>"),
    # a term of a list written alike in both scripts is not said to match as Traditional
    ("耕地，三務", "cropland", "匹配:规范术语"),
    ("耕地，三務", "three-affairs", "匹配:繁体 <q>三务</q>"),
])
def test_a_list_says_how_each_hit_matched_by_its_own_term(client, query, concept, said):
    """Until 2026-12-06 a list apart by spaces, or one term among Latin words, quoted the whole query as
    Taiwan wording; and every term of a list holding one Traditional character was said to match as 繁体."""
    assert how(client.get("/", params={"q": query}).text, concept) == said
