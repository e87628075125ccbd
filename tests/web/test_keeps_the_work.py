"""Work is not lost at sign-out or expiry (issue 22, item 2), and the revise form saved unchanged in a browser
proposes nothing (item 1): Playwright at 1280 and 390 px, in 简体 and 台灣.

Signed out in another tab, a comment posted on the open proposal page leads to sign-in with the text kept;
signing in posts it, and the proposal page shows it; editor pages are never cached (``no-store``).
"""

from __future__ import annotations

import secrets

import pytest

from tests.web.conftest import sign_in
from tests.web.test_whole_version import signed_in_client

WIDTHS = [1280, 390]
SCRIPTS = ["zh-Hans", "zh-TW"]


def _context(browser, width: int, script: str, *, javascript: bool = True):
    context = browser.new_context(viewport={"width": width, "height": 900}, java_script_enabled=javascript)
    context.new_page()
    return context


@pytest.mark.parametrize("script", SCRIPTS)
@pytest.mark.parametrize("width", WIDTHS)
def test_a_comment_posted_after_signing_out_elsewhere_is_posted_after_signing_in(browser, site, width, script):
    context = _context(browser, width, script)
    page = context.pages[0]
    sign_in(page, site, "emil")
    proposal = site.seeded["proposal"]
    page.goto(f"{site.url}/editor/proposals/{proposal}?script={script}")
    other = context.new_page()  # another tab of the same browser signs out
    other.goto(f"{site.url}/editor")
    other.click("form.who button[type=submit]")
    other.wait_for_url(site.url + "/")
    text = f"请补充来源的发布日期 {secrets.randbelow(10**6):06d}"  # digits: the page-wide English scan shares this proposal
    page.fill("#comment", text)
    page.click("form[action$='/comment'] button[type=submit]")
    page.wait_for_selector("#token")
    assert page.locator("section.problem").count() == 0  # no "405 · Method not allowed"
    assert page.locator("input[name='carried:comment']").get_attribute("value") == text
    assert page.locator("p.notice").is_visible()
    page.fill("#token", site.tokens["emil"])
    page.click("form.form button[type=submit]")
    page.wait_for_url(f"**/editor/proposals/{proposal}")
    assert text in page.locator("ol.comments").inner_text()
    assert page.locator("html").get_attribute("lang") == script
    context.close()


def test_without_javascript_the_resumed_form_is_one_click(browser, site):
    context = _context(browser, 390, "zh-Hans", javascript=False)
    page = context.pages[0]
    sign_in(page, site, "emil")
    page.goto(f"{site.url}/editor/propose/revise/beidou")
    context.clear_cookies(name="shuyu_session")  # the session ran out (the CSRF cookie stays)
    page.fill("#definition", page.input_value("#definition") + "(补)")
    page.click("button[name=action][value=draft]")
    page.wait_for_selector("#token")
    page.fill("#token", site.tokens["emil"])
    page.click("form.form button[type=submit]")
    page.wait_for_selector("form[data-resume]")
    page.click("form[data-resume] button[type=submit]")
    page.wait_for_selector(".proposal-meta[data-state=draft]")
    assert "(补)" in page.locator("main").inner_text()
    page.click("button[value=withdraw]")
    page.wait_for_selector(".proposal-meta[data-state=withdrawn]")
    context.close()


@pytest.mark.parametrize("script", SCRIPTS)
@pytest.mark.parametrize("width", WIDTHS)
def test_the_revise_form_saved_unchanged_in_a_browser_says_nothing_changed(browser, site, width, script):
    context = _context(browser, width, script)
    page = context.pages[0]
    sign_in(page, site, "emil")
    for concept_id in ("consumption-assistance", "science-technology-backyard", "smart-agriculture"):
        page.goto(f"{site.url}/editor/propose/revise/{concept_id}?script={script}")
        page.click("button[name=action][value=draft]")
        page.wait_for_selector(".error-summary")
        summary = page.locator(".error-summary").inner_text()
        assert "没有修改" in summary or "沒有修改" in summary, summary
    context.close()


def test_editor_pages_are_never_cached(site):
    client = signed_in_client(site, "emil")
    for path in ("/signin", "/editor", f"/editor/proposals/{site.seeded['proposal']}",
                 "/editor/propose/revise/beidou"):
        answer = client.get(path)
        assert answer.status_code == 200, path
        assert "no-store" in answer.headers.get("cache-control", ""), path
    client.close()
