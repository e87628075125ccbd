"""The reader pages: each answers in the four scripts, the script holds on every page, labels read in
Chinese, official titles keep their wording, and the search page's old bugs stay fixed."""

from __future__ import annotations

import re
from urllib.parse import quote, quote_from_bytes

import httpx
import pytest

from tests.web.pages import DRAFTING_PAGES, READER_PAGES

SCRIPTS = ["zh-Hans", "zh-Hant", "zh-TW", "zh-HK"]


@pytest.fixture()
def http(site):
    with httpx.Client(base_url=site.url, timeout=30) as client:
        yield client


def html_lang(text: str) -> str:
    return re.search(r'<html lang="([^"]+)"', text).group(1)


@pytest.mark.parametrize("script", SCRIPTS)
def test_every_reader_page_answers_in_each_script(http, script):
    for name, path in READER_PAGES:
        sep = "&" if "?" in path else "?"
        page = http.get(f"{path}{sep}script={script}")
        assert page.status_code == 200, (name, page.status_code)
        assert html_lang(page.text) == script, name
        assert page.text.count("<h1") == 1, name


def test_the_script_is_kept_on_every_page_and_in_labels(browser, site):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(site.url + "/")
    page.select_option("#script-choice", "zh-TW")
    page.click("form.script-switch button")
    page.wait_for_url("**script=zh-TW*")
    for link in ["/standards", "/changes", "/schemes/dv-terms", "/concepts/smart-agriculture"]:
        page.goto(site.url + link)  # a plain link: no parameter, the cookie keeps the choice
        assert page.locator("html").get_attribute("lang") == "zh-TW", link
        assert "標準目錄" in page.locator("nav.site-nav").inner_text()
    page.goto(site.url + "/concepts/smart-agriculture")
    assert "規範術語" in page.locator("table.terms").inner_text()  # term types in the reader's script
    page.goto(site.url + "/?q=" + quote("數據"))
    assert "狀態" in page.locator("details.facets").inner_text()  # facet names too
    context.close()


@pytest.mark.parametrize("header, expected", [("zh-TW,zh;q=0.9", "zh-TW"), ("zh-HK", "zh-HK"),
                                               ("en-US,zh-Hant;q=0.8", "zh-Hant"), ("zh-CN,en;q=0.5", "zh-Hans"),
                                               ("fr", "zh-Hans")])
def test_the_first_visit_follows_accept_language(http, header, expected):
    page = http.get("/", headers={"accept-language": header})
    assert html_lang(page.text) == expected


def test_official_titles_are_converted_by_character_only(http):
    for script in ("zh-TW", "zh-HK", "zh-Hant"):
        page = http.get("/standards/gbt-43697-2024", params={"script": script}).text
        assert "數據安全技術" in page and "資料安全技術" not in page, script
        concept_page = http.get("/standards", params={"script": script}).text
        assert "資料安全技術" not in concept_page
    api = http.get("/api/v1/standards/gbt-43697-2024", params={"script": "zh-TW"}).json()
    assert api["title"].startswith("數據安全技術")


def test_labels_read_in_chinese_not_codes(http):
    concept = http.get("/concepts/smart-agriculture").text
    assert "规范术语" in concept and "许用术语" in concept and "英文" in concept
    assert ">preferred<" not in concept and ">admitted<" not in concept
    standards = http.get("/standards").text
    assert "国家标准" in standards and ">national<" not in standards


def test_status_facet_names_each_status_once(http):
    page = http.get("/", params={"q": "数据"}).text
    facet = page.split('data-facet="status"', 1)[1].split("</section>", 1)[0]
    names = re.findall(r'<a href="[^"]*"[^>]*>([^<]+)</a>', facet)
    assert names and len(names) == len(set(names)), names


def test_the_next_page_link_keeps_the_filters(http):
    page = http.get("/", params={"q": "数据", "scheme": "agri-data"}).text
    link = re.search(r'<a rel="next" href="([^"]+)"', page)
    assert link, "expected more than one page of agri-data hits for 数据"
    href = link.group(1).replace("&amp;", "&")
    assert "scheme=agri-data" in href and "page=2" in href
    second = http.get(href).text
    assert 'class="active"' in second


@pytest.mark.parametrize("q", ["a\x00b", "\x01\x7f", "\udc80数字"])
def test_a_search_for_control_characters_or_broken_text_is_a_400_page(live_server, q):
    raw = q.encode("utf-8", "surrogatepass")  # a lone surrogate: bytes that are not UTF-8
    response = httpx.get(f"{live_server.url}/?q={quote_from_bytes(raw)}", headers={"accept": "text/html"})
    assert response.status_code == 400 and response.headers["content-type"].startswith("text/html")
    assert "Traceback" not in response.text and "<mark>" not in response.text


def test_searching_smart_agriculture_does_not_mark_intelligent(http):
    page = http.get("/", params={"q": "智慧农业"}).text
    marked = re.findall(r"<mark>([^<]+)</mark>", page)
    assert "智慧农业" in marked
    assert "智能" not in marked
    traditional = http.get("/", params={"q": "智慧農業"}).text
    assert "<mark>智慧农业</mark>" in traditional


@pytest.mark.parametrize("query, concept, how", [("行動支付", "mobile-payment", "台湾用语"),
                                                 ("szxc", "digital-village", "拼音"),
                                                 ("mobile payment", "mobile-payment", "英文"),
                                                 ("冷链物流运输", "ad-cold-chain-data", "部分相符")])
def test_hits_show_english_and_regional_terms_and_how_they_matched(http, query, concept, how):
    page = http.get("/", params={"q": query}).text
    hit = page.split(f'data-id="{concept}"', 1)[1].split("</li>", 1)[0]
    assert f'data-how="{how}"' in page.split(f'data-id="{concept}"', 1)[0][-40:] + f'data-id="{concept}"' + hit[:60] \
        or f"匹配:{how}" in hit
    if concept == "mobile-payment":
        assert "mobile payment" in hit and "行動支付" in hit and "台湾" in hit and "香港" in hit


@pytest.mark.parametrize("query, concept, how", [
    # each hit of a list of terms matched by its own term, not as Taiwan wording quoting the whole list
    ("数字乡村，智慧农业，农村电商", "digital-village", "匹配:规范术语"),
    ("数字乡村，智慧农业，农村电商", "smart-agriculture", "匹配:规范术语"),
    ("數位鄉村、智慧農業", "digital-village", "匹配:台湾用语 <q>數位鄉村</q>"),  # the Taiwan term as typed
])
def test_a_list_of_terms_says_how_each_hit_matched(http, query, concept, how):
    page = http.get("/", params={"q": query}).text
    hit = page.split(f'data-id="{concept}"', 1)[1].split("</li>", 1)[0]
    assert f'<span class="how">{how}</span>' in hit, hit


def test_a_search_without_hits_shows_no_empty_filter_panel_but_keeps_a_filter_to_clear(http):
    nothing = http.get("/", params={"q": "瓦斯桶"}).text
    assert "没有找到" in nothing and 'class="facets"' not in nothing  # an empty 筛选 panel was shown
    filtered = http.get("/", params={"q": "瓦斯桶", "kind": "standard"}).text
    assert 'class="facets"' in filtered and 'class="clear"' in filtered  # the filter can still be cleared
    some = http.get("/", params={"q": "数字乡村"}).text
    assert 'class="facets"' in some


def test_scheme_page_has_a_tree_a_pinyin_index_and_a_grade_chart(http):
    terms = http.get("/schemes/dv-terms").text
    assert "<details" in terms.split('class="tree"', 1)[1]  # nested lists, open without JavaScript
    assert 'id="letter-S"' in terms and 'href="/concepts/digital-village"' in terms
    grades = http.get("/schemes/agri-data").text
    assert '<svg class="picture"' in grades and "<title" in grades
    assert "核心数据" in grades.split("<figcaption>", 1)[1]  # the chart's text equivalent


def test_concept_page_has_breadcrumb_graph_uri_and_downloads(http):
    page = http.get("/concepts/smart-agriculture").text
    assert 'href="/schemes/dv-terms"' in page.split('class="crumbs"', 1)[1].split("</nav>", 1)[0]
    assert 'role="img"' in page and "概念关系图" in page
    assert "/concepts/smart-agriculture</code>" in page
    assert 'id="downloads"' in page and 'href="/api/v1/concepts/smart-agriculture"' in page


def test_standard_page_shows_its_lifecycle(http):
    page = http.get("/standards/gbt-43697-2024").text
    stages = page.split('class="stages"', 1)[1].split("</ol>", 1)[0]
    assert "发布" in stages and "实施" in stages and "2024" in stages
    assert '<svg class="picture"' in page


def test_history_and_old_versions(http):
    history = http.get("/concepts/digital-village/history").text
    assert 'data-version="1"' in history and 'data-version="2"' in history and "补充许用术语" in history
    old = http.get("/concepts/digital-village/versions/1").text
    assert "不是当前版本" in old and "数码乡村" not in old
    diff = http.get("/concepts/digital-village/diff", params={"from": 1, "to": 2}).text
    assert "数码乡村" in diff.split('class="added"', 1)[1]
    assert "".join(re.findall(r"<ins>(.*?)</ins>", diff)) in ("与智能化", "化与智能")  # only the new characters


def test_changes_and_release_pages(http):
    changes = http.get("/changes").text
    assert 'data-id="digital-village"' in changes and "2026.1" in changes
    release = http.get("/releases/2026.1").text
    assert "digital-village" in release


# -- Vary (outside9): a page depends on what its script is chosen from, a concept's URL on Accept too ------
def _vary(response: httpx.Response) -> set[str]:
    return {v.strip().lower() for v in response.headers.get("vary", "").split(",") if v.strip()}


def test_every_page_names_what_its_script_is_chosen_from_in_vary(http):
    for name, path in READER_PAGES + DRAFTING_PAGES:
        answer = http.get(path, headers={"accept": "text/html"})
        assert answer.status_code == 200, name
        assert {"accept-language", "cookie"} <= _vary(answer), (name, answer.headers.get("vary"))


def test_a_concept_url_varies_on_accept_as_a_page_and_as_a_download(http):
    path = "/concepts/smart-agriculture"
    page = http.get(path, headers={"accept": "text/html"})
    download = http.get(path, headers={"accept": "text/turtle"})
    assert page.headers["content-type"].startswith("text/html") and download.headers["content-type"].startswith("text/turtle")
    assert {"accept", "accept-language", "cookie"} <= _vary(page)
    assert "accept" in _vary(download)
    assert _vary(http.head(path, headers={"accept": "text/html"})) == _vary(page)


def test_a_missing_page_varies_on_accept_and_the_script(http):
    html = http.get("/concepts/no-such-thing", headers={"accept": "text/html"})
    problem = http.get("/concepts/no-such-thing", headers={"accept": "application/json"})
    assert html.status_code == problem.status_code == 404
    assert html.headers["content-type"].startswith("text/html")
    assert problem.headers["content-type"].startswith("application/problem+json")
    assert {"accept", "accept-language", "cookie"} <= _vary(html) and "accept" in _vary(problem)


@pytest.mark.parametrize("blank", ["\u200b", "\u3000\u200b\ufeff"])
def test_a_search_for_invisible_characters_alone_is_the_home_page(http, blank):
    def title(response: httpx.Response) -> str:
        return re.search(r"<title>(.*?)</title>", response.text).group(1)

    answer = http.get("/", params={"q": blank})
    assert answer.status_code == 200 and title(answer) == title(http.get("/"))
