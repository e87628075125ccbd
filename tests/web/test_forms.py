"""The editor forms: errors next to their field with the API's own messages; deprecation and a standard's
status change; drafts, submitting and withdrawing."""

from __future__ import annotations

import httpx

from api.web import messages
from tests.web.conftest import sign_in


def test_a_rule_broken_in_the_form_reads_as_the_api_says_it(browser, site):
    page = browser.new_context(java_script_enabled=False).new_page()
    sign_in(page, site, "emil")
    page.goto(site.url + "/editor/propose/new?scheme=dv-terms")
    page.fill("#term-0-text", "智慧农业")  # already the preferred label of smart-agriculture
    page.fill("#term-1-text", "clever farming")
    page.fill("#target_id", "clever-farming")
    page.click("button[name=action][value=draft]")
    error = page.locator("#err-terms")
    assert error.is_visible()
    assert page.locator("#term-0-text").get_attribute("aria-describedby") == "err-terms"
    assert page.input_value("#term-0-text") == "智慧农业"  # what was typed is kept
    body = {"kind": "create", "target_id": "clever-farming",
            "concept": {"scheme": "dv-terms", "terms": [{"text": "智慧农业", "type": "preferred"},
                                                         {"text": "clever farming", "lang": "en", "type": "preferred"}]}}
    api = httpx.post(site.url + "/api/v1/proposals", json=body, timeout=30,
                     headers={"authorization": f"Bearer {site.tokens['emil']}"})
    assert api.status_code == 422
    problem = api.json()  # the API's English detail, and its code; the page says it through the catalogue
    assert error.inner_text() == messages.detail(problem["detail"], problem["code"], problem.get("field"))
    assert "规范术语“智慧农业”" in error.inner_text()
    page.context.close()


def test_a_malformed_field_is_named(browser, site):
    page = browser.new_context(java_script_enabled=False).new_page()
    sign_in(page, site, "emil")
    page.goto(site.url + "/editor/propose/standard/t27-dv-terminology")
    page.fill("#issued", "next spring")
    page.click("button[name=action][value=draft]")
    assert "发布日期" in page.locator("#err-issued").inner_text()
    page.context.close()


def test_deprecation_and_status_change_drafts_submit_and_withdraw(browser, site):
    page = browser.new_context(java_script_enabled=False).new_page()
    sign_in(page, site, "emil")
    page.goto(site.url + "/concepts/three-affairs")
    page.click("a[href='/editor/propose/deprecate/three-affairs']")
    page.fill("#replaced_by-0", "乡村数字治理")  # a name is resolved to its concept
    page.fill("#note", "并入乡村数字治理")
    page.click("button[name=action][value=draft]")
    page.wait_for_selector(".proposal-meta[data-state=draft]")
    assert "乡村数字治理" in page.locator("p.deprecation").inner_text()
    page.click("button[value=submit]")
    page.wait_for_selector(".proposal-meta[data-state=submitted]")
    page.click("button[value=withdraw]")
    page.wait_for_selector(".proposal-meta[data-state=withdrawn]")

    page.goto(site.url + "/standards/t27-dv-terminology")
    page.click("a[href='/editor/propose/standard/t27-dv-terminology']")
    page.select_option("#status", "consultation")
    page.fill("#status_date", "2026-06-01")
    page.click("button[name=action][value=submit]")
    page.wait_for_selector(".proposal-meta[data-state=submitted]")
    changes = page.locator("table.fields").inner_text()
    assert "拟研制" in changes and "征求意见稿" in changes and "2026-06-01" in changes  # proposed (issue 23), not drafting
    page.goto(site.url + "/editor")
    assert page.locator("table.proposals tr[data-state=withdrawn]").count() >= 1
    page.context.close()
