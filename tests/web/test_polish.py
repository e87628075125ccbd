"""Web polish (issue 22, item 8 and "what to build"): HEAD on every GET page, a favicon, /schema/swagger and
/schema/redoc, a styled 404 with links, a label-clash hint on the forms and the proposal page (qualifiers for
homonyms came with the import work: tests/api/test_exchange_api.py)."""

from __future__ import annotations

import httpx
import lxml.html
import pytest

from tests.web.pages import DRAFTING_PAGES, READER_PAGES
from tests.web.test_whole_version import post, revise_form, signed_in_client


@pytest.mark.slow  # runs in CI, not in the fast subset (seconds)
def test_head_answers_every_get_page_without_a_body(site):
    for name, path in READER_PAGES + DRAFTING_PAGES + [("schema", "/schema"), ("favicon", "/static/favicon.svg")]:
        get = httpx.get(site.url + path, timeout=30)
        head = httpx.head(site.url + path, timeout=30)
        assert head.status_code == get.status_code == 200, (name, head.status_code)
        assert head.content == b""
        assert head.headers["content-type"] == get.headers["content-type"]


def test_every_page_links_a_favicon_that_is_there(site):
    root = lxml.html.fromstring(httpx.get(site.url + "/", timeout=30).text)
    icon = root.xpath("//link[@rel='icon']/@href")[0]
    answer = httpx.get(site.url + icon, timeout=30)
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("image/svg")


def test_the_schema_aliases_answer(site):
    for path in ("/schema/swagger", "/schema/redoc"):
        answer = httpx.get(site.url + path, timeout=30)
        assert answer.status_code == 200 and "swagger-ui" in answer.text, path


def test_a_missing_page_is_a_styled_404_with_links(site):
    answer = httpx.get(site.url + "/no/such/page", headers={"accept": "text/html"}, timeout=30)
    assert answer.status_code == 404
    root = lxml.html.fromstring(answer.text)
    assert root.xpath("//link[@rel='stylesheet']")
    links = set(root.xpath("//section[@class='problem']//a/@href"))
    assert {"/", "/check", "/schema"} <= links


def test_a_label_of_another_concept_is_flagged_on_the_form_and_the_proposal(site):
    """数字化乡村 is a hidden term of 数字乡村: proposing it as a term of 智慧农业 is allowed, with a hint."""
    client = signed_in_client(site, "emil")
    form = revise_form(client, "smart-agriculture")
    free = next(i for i in range(50) if form.inputs[f"term-{i}-text"].value == "")
    answer = post(client, form, {f"term-{free}-text": "数字化乡村"})
    assert answer.status_code == 303, answer.text[:1000]
    proposal_path = answer.headers["location"]
    page = lxml.html.fromstring(client.get(proposal_path).text)
    notice = page.xpath("//section[contains(@class, 'clashes')]")
    assert notice and notice[0].xpath(".//li[@data-other='digital-village']")
    edit = lxml.html.fromstring(client.get(proposal_path + "/edit").text)
    assert edit.xpath("//section[contains(@class, 'clashes')]//li[@data-other='digital-village']")
    untouched = lxml.html.fromstring(client.get("/editor/propose/revise/beidou").text)
    assert not untouched.xpath("//section[contains(@class, 'clashes')]")
    client.post(proposal_path + "/withdraw", data={"_csrf_token": page.xpath("//input[@name='_csrf_token']/@value")[0]})
    client.close()


def test_choosing_a_script_switches_at_once_with_javascript(browser, site):
    page = browser.new_page()
    page.goto(site.url + "/standards")
    page.select_option("#script-choice", "zh-TW")
    page.wait_for_url("**script=zh-TW**")
    assert page.locator("html").get_attribute("lang") == "zh-TW"
    page.close()


def test_the_new_pages_are_accessible(browser, site):
    """axe-core on what this issue added: the error page, sign-in carrying a form, the resume page, the
    clash notice."""
    from tests.web.conftest import sign_in
    from tests.web.test_quality import check

    problems: list[str] = []
    for script in ("zh-Hans", "zh-TW"):
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.route("**/static/resume.js", lambda route: route.abort())  # stay on the resume page to look at it
        page.goto(f"{site.url}/no/such/page?script={script}")
        problems += check(page, f"404-{script}")
        sign_in(page, site, "emil")
        page.goto(f"{site.url}/editor/propose/revise/smart-agriculture?script={script}")
        page.fill("#term-3-text", "数字化乡村")
        page.click("button[name=action][value=draft]")
        page.wait_for_selector(".proposal-meta")
        problems += check(page, f"proposal-with-clash-{script}")
        page.click("button[value=withdraw]")
        page.wait_for_selector(".proposal-meta[data-state=withdrawn]")
        page.goto(f"{site.url}/editor/proposals/{site.seeded['proposal']}")
        context.clear_cookies(name="shuyu_session")
        page.fill("#comment", "无障碍检查")
        page.click("form[action$='/comment'] button[type=submit]")
        page.wait_for_selector("#token")
        problems += check(page, f"signin-carrying-{script}")
        page.fill("#token", site.tokens["emil"])
        page.click("form.form button[type=submit]")
        page.wait_for_selector("form[data-resume]")
        problems += check(page, f"resume-{script}")
        context.close()
    assert not problems, problems
