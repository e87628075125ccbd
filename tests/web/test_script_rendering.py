"""Script rendering from the registry first (issue 22, item 4): a concept's curated zh-TW / zh-HK label is its
name in that script on every page; OpenCC only for the rest, with a small table of words s2twp gets wrong here;
hits say 台灣 as the selector does; a 數位鄉村 query explains itself as Taiwan wording."""

from __future__ import annotations

from urllib.parse import quote

import httpx
import lxml.html
import pytest

from api.web.script import convert
from registry.text import converter
from search.analysis import OVERRIDES, RENDER_CONVERSIONS, render


@pytest.mark.parametrize(("text", "script", "expected"), [
    ("发布版本", "zh-TW", "發布版本"),
    ("发布日期", "zh-TW", "發布日期"),
    ("已发布", "zh-TW", "已發布"),
    ("批准并发布", "zh-TW", "批准並發布"),
    ("发布/归口单位", "zh-TW", "發布/歸口單位"),
    ("政策文件", "zh-TW", "政策文件"),
    ("术语类型", "zh-TW", "術語類型"),
    ("台湾用语", "zh-TW", "台灣用語"),
    ("台湾", "zh-Hant", "台灣"),
    ("发布日期", "zh-HK", "發布日期"),
    ("数据分类分级", "zh-TW", "資料分類分級"),  # what OpenCC gets right stays OpenCC's
    ("发布版本", "zh-Hans", "发布版本"),
    ("现代化发展与转型进程", "zh-TW", "現代化發展與轉型進程"),  # not 程序 (a computer's process)
    ("数字农业和数字技术", "zh-TW", "數位農業和數位技術"),  # Taiwan's digital, as the curated 數位鄉村 says
    ("数字农业", "zh-HK", "數字農業"),
])
def test_the_override_table(text, script, expected):
    assert convert(text, script) == render(text, script) == expected


@pytest.mark.parametrize(("text", "wrong", "right"), [
    ("部署当年“三农”重点工作的政策文件", "政策檔案", "政策文件"),
    ("由此推进的现代化发展与转型进程", "轉型程序", "轉型進程"),
    ("及时向公众发布气象灾害预警信息", "釋出", "發布"),
    ("赋予唯一、规范代码的规则", "程式碼", "代碼"),
])
def test_content_is_rendered_with_the_table_too_in_the_api_and_on_pages(site, text, wrong, right):
    """A definition is content, not interface text: it once went through OpenCC alone, so a zh-TW reader of
    the API and of the concept page read 政策檔案, 轉型程序 and 釋出 (issue 22, item 4)."""
    from search.highlight import highlight

    assert right in render(text, "zh-TW") and wrong not in render(text, "zh-TW")
    marked = highlight(text, ("公众", "现代化", "三农", "规则"), "zh-TW")
    assert "<mark>" in marked and right in marked and wrong not in marked
    concept = next(c for c in site.services.catalog.concepts.values() if text in c.chinese_definition)
    body = httpx.get(f"{site.url}/api/v1/concepts/{concept.id}", params={"script": "zh-TW"}, timeout=30).json()
    assert right in body["definition"] and wrong not in body["definition"]
    page = _text(site, f"/concepts/{concept.id}", "zh-TW")
    assert right in page and wrong not in page


def test_every_override_is_a_change_opencc_would_not_make():
    for script, words in OVERRIDES.items():
        for simplified, curated in words.items():
            assert converter(RENDER_CONVERSIONS[script]).convert(simplified) != curated or simplified == "台湾" and script == "zh-HK", \
                (script, simplified)


def _root(site, path: str, script: str):
    joiner = "&" if "?" in path else "?"
    answer = httpx.get(f"{site.url}{path}{joiner}script={script}", timeout=30)
    assert answer.status_code == 200, path
    return lxml.html.fromstring(answer.text)


def _text(site, path: str, script: str) -> str:
    return _root(site, path, script).text_content()


@pytest.mark.parametrize(("script", "curated", "opencc"), [("zh-TW", "行動支付", "移動支付"),
                                                          ("zh-HK", "流動支付", "移動支付")])
def test_a_curated_label_is_the_concepts_name_on_every_page(site, script, curated, opencc):
    """Wherever the concept is named (its page's heading, a link to it), the name is the curated one."""
    catalog = site.services.catalog
    payment = next(c for c in catalog.concepts.values() if c.preferred == "移动支付")
    pages = [f"/concepts/{payment.id}", f"/schemes/{payment.scheme}", "/?q=" + quote("移动支付"),
             f"/concepts/{payment.id}/history"]
    pages += [f"/concepts/{c}" for c in sorted(catalog.narrower.get(payment.id, ()))[:1]]
    pages += [f"/concepts/{c.id}" for c in catalog.concepts.values() if payment.id in c.related][:1]
    assert len(pages) >= 5
    for path in pages:
        root = _root(site, path, script)
        names = [a.text_content().strip() for a in root.xpath(f"//main//a[@href='/concepts/{payment.id}']")]
        if path == f"/concepts/{payment.id}" or path.startswith(f"/concepts/{payment.id}/"):
            names.append(root.xpath("//main//h1")[0].text_content())
        names = [n for n in names if n and not n.startswith(("v", "第"))]
        assert names, path
        for name in names:
            assert curated in name and opencc not in name, (path, name)


def test_the_nav_says_fabu_and_hits_say_taiwan_as_the_selector_does(site):
    text = _text(site, "/?q=" + quote("行動支付"), "zh-TW")
    assert "發布版本" in text and "釋出" not in text
    assert "台灣" in text and "臺灣" not in text


def test_the_digital_village_page_is_named_in_taiwan_wording(site):
    root = _root(site, "/concepts/digital-village", "zh-TW")
    assert root.find(".//h1").text_content().strip().endswith("數位鄉村")
    assert root.findtext(".//title").startswith("數位鄉村")


def test_a_taiwan_word_explains_itself_as_taiwan_wording(site):
    answer = httpx.get(f"{site.url}/", params={"q": "數位鄉村", "script": "zh-TW"}, timeout=30)
    page = lxml.html.fromstring(answer.text)
    first = page.xpath("//li[@class='hit']")[0]
    how = first.xpath(".//span[@class='how']")[0].text_content()
    assert "台灣用語" in how, how
    assert "繁體" not in how and "繁体" not in how
    assert "數位鄉村" in how and "数字乡村" not in how


def _bundled_catalog():
    from search.catalog import Catalog
    from vocab.loader import bundled_files, read_bundle

    bundle = read_bundle(bundled_files())
    return Catalog().applied(bundle.versions, 1, bundle.schemes)


def test_curated_labels_are_every_concepts_current_regional_name():
    from api.web.script import CURRENT_NAMES, curated_labels
    from registry.languages import is_regional
    from registry.model import TYPE_RANK

    catalog = _bundled_catalog()
    for script in ("zh-TW", "zh-HK"):
        expected: dict[str, str] = {}
        for c in catalog.concepts.values():  # every concept decoded: what the table is read from the labels for
            terms = sorted((TYPE_RANK[t.type], i, t.text) for i, t in enumerate(c.terms)
                           if is_regional(t.lang, script) and t.type in CURRENT_NAMES)
            if terms:
                expected.setdefault(c.preferred, terms[0][2])
        assert expected and curated_labels(catalog, script) == expected
    assert curated_labels(catalog, "zh-Hant") == {} and curated_labels(None, "zh-TW") == {}


def test_a_replaced_snapshot_is_not_kept_alive_by_its_curated_labels():
    import gc
    import weakref

    from api.web.script import curated_labels

    catalog = _bundled_catalog()
    assert curated_labels(catalog, "zh-TW") is curated_labels(catalog, "zh-TW")  # built once per snapshot
    gone = weakref.ref(catalog)
    del catalog
    gc.collect()
    assert gone() is None
