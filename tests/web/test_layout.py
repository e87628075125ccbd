"""Easy to find and to read on a phone (issue 22, items 5-7): at 390 px no text is crushed to fewer than three
characters a line; tables become cards; the nav leads to the drafting tools; the scheme tree opens one level
with an A–Z jump bar at the top; pinyin reads with tone marks, syllable by syllable. In 简体 and 台灣."""

from __future__ import annotations

import httpx
import lxml.html
import pytest

from tests.web.conftest import sign_in
from tests.web.pages import DRAFTING_PAGES, READER_PAGES, editor_pages

# Every visible text node of three characters or more: how wide its box is against three of its characters
# (a CJK character is 1em wide, a Latin one about half). A node crushed into a narrow column fails.
CRUSHED = """() => {
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.textContent.trim();
    if ([...text].length < 3) continue;
    const el = node.parentElement;
    if (!el || el.closest('svg, .visually-hidden, script, style, option, datalist, select, textarea, table.stack thead')) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    const box = range.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;
    const size = parseFloat(getComputedStyle(el).fontSize);
    const cjk = /[\\u3400-\\u9fff]/.test(text);
    const lines = range.getClientRects().length;
    const least = 3 * size * (cjk ? 1 : 0.45) * 0.9;
    if (lines > 1 && box.width < least) out.push(text.slice(0, 20) + ' (' + Math.round(box.width) + 'px)');
  }
  return out;
}"""


def _pages(site):
    return READER_PAGES + DRAFTING_PAGES


@pytest.mark.parametrize("script", ["zh-Hans", "zh-TW"])
def test_no_text_is_crushed_at_390px(browser, site, script):
    context = browser.new_context(viewport={"width": 390, "height": 800})
    page = context.new_page()
    sign_in(page, site, "rose")
    problems = {}
    for name, path in _pages(site) + editor_pages(site):
        joiner = "&" if "?" in path else "?"
        page.goto(f"{site.url}{path}{joiner}script={script}")
        crushed = page.evaluate(CRUSHED)
        if crushed:
            problems[name] = crushed[:5]
    context.close()
    assert not problems, problems


@pytest.mark.parametrize("script", ["zh-Hans", "zh-TW"])
def test_tables_are_cards_on_a_phone(browser, site, script):
    context = browser.new_context(viewport={"width": 390, "height": 800})
    page = context.new_page()
    page.goto(f"{site.url}/concepts/digital-village/history?script={script}")
    row = page.locator("table.versions tbody tr").first
    cells = row.locator("td")
    assert cells.first.evaluate("el => getComputedStyle(el).display") == "block"
    label = cells.first.evaluate("el => getComputedStyle(el, '::before').content")
    assert "版本" in label
    assert cells.first.bounding_box()["width"] > 250
    context.close()
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.goto(f"{site.url}/concepts/digital-village/history?script={script}")
    assert page.locator("table.versions tbody td").first.evaluate("el => getComputedStyle(el).display") == "table-cell"
    context.close()


@pytest.mark.parametrize("width", [1280, 390])
def test_the_nav_leads_to_the_drafting_tools(browser, site, width):
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    page.goto(site.url + "/?script=zh-TW")
    page.click("nav.site-nav a[href='/check']")
    page.wait_for_url("**/check")
    assert page.locator("footer a[href='/reports/harmonisation']").count() == 1
    context.close()


def test_the_scheme_page_opens_one_level_with_a_jump_bar_at_the_top(site):
    answer = httpx.get(site.url + "/schemes/dv-terms", timeout=30)
    root = lxml.html.fromstring(answer.text)
    main = root.xpath("//main")[0]
    jump = main.xpath(".//nav[contains(@class, 'jump')]")[0]
    tree = main.xpath(".//section[contains(@class, 'tree')]")[0]
    order = list(main.iter())
    assert order.index(jump) < order.index(tree)  # the A–Z bar comes before the tree
    assert len(jump.xpath(".//a[starts-with(@href, '#letter-')]")) >= 15
    top = tree.xpath("./ul/li/details")
    deeper = tree.xpath("./ul/li/details//details")
    assert top and all(d.get("open") is not None for d in top)
    assert deeper and all(d.get("open") is None for d in deeper)


def test_pinyin_reads_with_tone_marks_and_u_umlaut_syllable_by_syllable(site):
    answer = httpx.get(site.url + "/schemes/dv-terms", timeout=30)
    root = lxml.html.fromstring(answer.text)
    readings = {a.text_content(): a.getnext().text_content()
                for a in root.xpath("//ul[@class='index']/li/a") if a.getnext() is not None}
    lawyer = next((r for label, r in readings.items() if label.startswith("法律明白")), None)
    assert lawyer is not None and lawyer.startswith("fǎ lǜ míng"), lawyer
    assert "v" not in lawyer
    assert readings.get("数字乡村") == "shù zì xiāng cūn"


def test_public_history_does_not_link_proposals_and_empty_threads_are_no_list(browser, site):
    answer = httpx.get(site.url + "/concepts/digital-village/history", timeout=30)
    assert "/editor/proposals/" not in answer.text
    context = browser.new_context()
    page = context.new_page()
    sign_in(page, site, "rose")
    page.goto(f"{site.url}/concepts/digital-village/history")
    assert page.locator("a[href^='/editor/proposals/']").count() >= 1  # an editor still finds them
    context.close()
