"""The search page in a real browser (Debian's chromium driven by Playwright), with and without JavaScript."""

from __future__ import annotations


import pytest




@pytest.mark.parametrize("javascript", [True, False])
def test_search_and_open_a_concept(browser, live_server, javascript):
    context = browser.new_context(java_script_enabled=javascript, locale="zh-CN")
    page = context.new_page()
    page.goto(live_server.url + "/")
    page.fill("input[name=q]", "數位鄉村")
    page.press("input[name=q]", "Enter")
    page.wait_for_selector("li.hit")
    first = page.locator("li.hit").first
    assert first.get_attribute("data-id") == "digital-village"
    assert "应用网络、信息和数字技术" in first.locator(".definition").inner_text()
    first.locator("a.label").click()
    page.wait_for_selector("article.concept")
    assert page.locator("h1").inner_text().split()[-1] == "数字乡村"  # after its entry number (GB/T 20001.1)
    assert "digital village" in page.locator("table.terms").inner_text()
    context.close()


def test_no_results_says_so(browser, live_server):
    page = browser.new_page()
    page.goto(live_server.url + "/?q=" + "没有这个词语啊")
    assert "没有找到" in page.locator(".empty").inner_text()
    page.close()


def test_screenshot_of_the_results_page(browser, live_server, tmp_path):
    page = browser.new_page(viewport={"width": 1000, "height": 800})
    page.goto(live_server.url + "/?q=szxc")
    path = tmp_path / "search.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 10_000  # a rendered page with its styles, not a blank one
    page.close()


def test_typeahead_offers_suggestions_with_javascript(browser, live_server):
    page = browser.new_page()
    page.goto(live_server.url + "/")
    # the answer for the whole input (a loaded machine may also send one for a shorter prefix first)
    with page.expect_response(lambda r: "/api/v1/suggest" in r.url and "q=szxc" in r.url) as response:
        page.type("input[name=q]", "szxc", delay=20)
    assert response.value.ok
    page.wait_for_function("document.querySelector('#suggestions option')?.value === '数字乡村'")
    options = page.eval_on_selector_all("#suggestions option", "els => els.map(e => e.value)")
    assert options[0] == "数字乡村" and len(options) > 1
    page.close()


def test_typeahead_drops_an_answer_that_comes_after_the_user_typed_on(browser, live_server):
    """The answer for "sz" is held back until the answer for "szxc" is shown: arriving late, it is dropped."""
    page = browser.new_page()
    held = []
    page.route("**/api/v1/suggest?*", lambda route: held.append(route) if "q=sz&" in route.request.url else route.continue_())
    page.goto(live_server.url + "/")
    with page.expect_request(lambda r: "q=sz&" in r.url):
        page.type("input[name=q]", "sz")
    with page.expect_response(lambda r: "q=szxc&" in r.url):
        page.type("input[name=q]", "xc")
    page.wait_for_function("document.querySelector('#suggestions option')?.value === '数字乡村'")
    assert len(held) == 1
    with page.expect_response(lambda r: "q=sz&" in r.url):
        held[0].fulfill(json=[{"kind": "concept", "id": "stale", "label": "过时的回答", "matched": "过时的回答"}])
    page.evaluate("() => new Promise(done => setTimeout(done, 100))")  # the page's handler has run by then
    assert page.eval_on_selector("#suggestions option", "e => e.value") == "数字乡村"
    page.close()


def test_facets_filter_and_script_choice(browser, live_server):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + "/?q=数据")
    total = int(page.locator("#count").inner_text().split()[1])
    page.click("section.facet[data-facet=scheme] a:has-text('农业农村数据分类分级')")
    page.wait_for_selector("li.active")
    narrowed = int(page.locator("#count").inner_text().split()[1])
    assert 0 < narrowed < total
    assert "agri-data" in page.url
    page.select_option("#script-choice", "zh-TW")
    page.click("form.script-switch button[type=submit]")
    page.wait_for_selector("li.hit")
    assert "script=zh-TW" in page.url and "scheme=agri-data" in page.url
    assert "資料" in page.locator("li.hit").first.inner_text() or "數據" in page.locator("li.hit").first.inner_text()
    context.close()
