"""The whole editor → reviewer flow in headless chromium, with JavaScript and without, as a new user would."""

from __future__ import annotations

from urllib.parse import quote

import httpx
import pytest
from playwright.sync_api import Page

from tests.conftest import caught_up
from tests.web.conftest import shoot, sign_in

CONCEPT = "smart-agriculture"  # 智慧农业


def open_proposal_from_queue(page: Page, site, proposal_id: str) -> None:
    page.goto(site.url + "/editor/review")
    page.click(f"tr[data-id='{proposal_id}'] a")
    page.wait_for_selector("section.review")


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_editor_proposes_reviewer_requests_changes_then_approves(browser, site, javascript):
    new_term = "智慧農作" if javascript else "数智农业"
    editor = browser.new_context(java_script_enabled=javascript, locale="zh-CN")
    reviewer = browser.new_context(java_script_enabled=javascript, locale="zh-CN")
    a, r = editor.new_page(), reviewer.new_page()
    suffix = "js" if javascript else "nojs"
    try:
        # the editor signs in and proposes a revision of 智慧农业 that adds a term
        sign_in(a, site, "alice")
        assert "alice" in a.locator("form.who").inner_text()
        a.goto(site.url + f"/concepts/{CONCEPT}")
        before = int(a.locator("article.concept").get_attribute("data-version"))
        a.click("a[href='/editor/propose/revise/smart-agriculture']")
        a.wait_for_selector("form.proposal-form")
        assert a.input_value("#term-0-text") == "智慧农业"  # pre-filled from the current version
        empty = a.locator("tr.term-row input[name$='-text']").evaluate_all(
            "els => els.findIndex(e => !e.value)")
        a.fill(f"#term-{empty}-text", new_term)
        a.select_option(f"#term-{empty}-type", "admitted")
        a.fill("#note", "补充一个许用术语")
        shoot(a, f"propose-revision-{suffix}")
        a.click("button[name=action][value=submit]")
        a.wait_for_selector(".proposal-meta[data-state=submitted]")
        proposal_id = a.url.rstrip("/").split("/")[-1]
        assert new_term in a.locator("ul.term-changes li.added").inner_text()

        # a reviewer finds it in the queue with its diff and requests changes with a comment
        sign_in(r, site, "rose")
        open_proposal_from_queue(r, site, proposal_id)
        assert new_term in r.locator("section[aria-labelledby=diff-h] li.added").inner_text()
        shoot(r, f"review-{suffix}")
        r.fill("#review-comment", "请补充定义中的北斗二字说明")
        r.click("button[name=decision][value=request_changes]")
        r.wait_for_selector(".proposal-meta[data-state=changes_requested]")
        assert "请补充定义中的北斗二字说明" in r.locator("ol.comments").inner_text()

        # the editor sees the request, revises and resubmits
        a.goto(site.url + f"/editor/proposals/{proposal_id}")
        assert "请补充定义中的北斗二字说明" in a.locator("ol.comments").inner_text()
        a.click(f"a[href='/editor/proposals/{proposal_id}/edit']")
        a.wait_for_selector("form.proposal-form")
        definition = a.input_value("#definition")
        a.fill("#definition", definition.removesuffix("。") + ",含北斗卫星导航系统。")
        a.click("button[name=action][value=submit]")
        a.wait_for_selector(".proposal-meta[data-state=submitted]")
        assert a.locator(".def-diff ins").count() >= 1  # the changed characters are marked

        # the reviewer approves
        open_proposal_from_queue(r, site, proposal_id)
        r.click("button[name=decision][value=approve]")
        r.wait_for_selector(".proposal-meta[data-state=approved]")

        # once the server has followed the change log, the public search page finds the new term
        caught_up(site)
        reader = browser.new_context(java_script_enabled=javascript).new_page()
        reader.goto(site.url + "/?q=" + new_term)
        assert reader.locator(f"li.hit[data-id={CONCEPT}]").count() >= 1
        # and the history lists both versions and shows the diff
        reader.goto(site.url + f"/concepts/{CONCEPT}/history")
        versions = reader.locator("table.versions tbody tr").evaluate_all("rows => rows.map(r => +r.dataset.version)")
        assert {before, before + 1} <= set(versions)
        reader.click(f"tr[data-version='{before + 1}'] a:has-text('比较')")
        reader.wait_for_selector(".diff")
        assert new_term in reader.locator("li.added").inner_text()
        assert "卫星导航系统" in reader.locator(".def-diff .after ins").all_inner_texts()[0] + "".join(
            reader.locator(".def-diff .after ins").all_inner_texts())
        shoot(reader, f"diff-{suffix}")
        reader.context.close()
    finally:
        editor.close()
        reviewer.close()


def csrf_client(site, name: str) -> httpx.Client:
    """A client signed in through the form, as a browser would be (session and CSRF cookies)."""
    client = httpx.Client(base_url=site.url, timeout=30, follow_redirects=False)
    client.get("/signin")
    token = client.cookies.get("shuyu_csrf")
    answer = client.post("/signin", data={"token": site.tokens[name], "next": "/editor", "_csrf_token": _form_token(client)})
    assert answer.status_code == 303, answer.text
    assert token is not None
    return client


def _form_token(client: httpx.Client) -> str:
    html = client.get("/signin").text
    return html.split('name="_csrf_token" value="', 1)[1].split('"', 1)[0]


def test_a_cross_site_post_without_the_csrf_token_is_refused(site):
    client = csrf_client(site, "alice")
    try:
        assert client.get("/editor").status_code == 200
        forged = client.post("/editor/proposals", data={"kind": "deprecate", "target_id": "rural-broadband",
                                                        "note": "forged", "action": "submit"})
        assert forged.status_code == 403
        # the same post with the page's token goes through the form's checks
        ok = client.post("/editor/proposals", data={"kind": "deprecate", "target_id": "rural-broadband",
                                                    "note": "", "_csrf_token": _form_token(client)})
        assert ok.status_code == 422  # a deprecation needs a replacement or a reason: refused by the rules
        assert "replaced_by" in ok.text or "取代" in ok.text
    finally:
        client.close()


def test_a_form_field_that_is_not_utf8_is_refused_not_stored_as_replacement_characters(site):
    """An url-encoded field with bytes that are not UTF-8 (%FF%FE) was decoded with U+FFFD in their place
    and proposed as the term ``��`` with a 303; like the API's JSON and query texts, it is a 400."""
    client = csrf_client(site, "alice")
    try:
        before = site.services.store.list_proposals(target_id="rural-broadband", offset=0, limit=100)[1]
        fields = {"kind": "revise", "target_id": "rural-broadband", "term-0-text": "农村宽带", "term-0-type": "preferred",
                  "term-0-lang": "zh-Hans", "action": "draft", "_csrf_token": _form_token(client)}
        body = "&".join(f"{k}={quote(v)}" for k, v in fields.items()) + "&term-1-text=%FF%FE&term-1-type=admitted"
        headers = {"content-type": "application/x-www-form-urlencoded", "accept": "text/html"}
        answer = client.post("/editor/proposals", content=body.encode(), headers=headers)
        assert answer.status_code == 400 and "\ufffd" not in answer.text, answer.text[:300]
        assert site.services.store.list_proposals(target_id="rural-broadband", offset=0, limit=100)[1] == before
        pasted = client.post("/check", content=f"text=%FF&_csrf_token={_form_token(client)}".encode(), headers=headers)
        assert pasted.status_code == 400
    finally:
        client.close()


def test_another_editors_post_to_the_edit_form_is_403_before_the_form_is_read(site):
    """GET /editor/proposals/{id}/edit was a 403 for anyone but the author (or an admin), but a post to it
    was answered with the edit form itself: the proposal's content and the workflow's refusal as a form
    error, 422."""
    import re

    pid = site.seeded["proposal"]  # alice's
    alice, emil = csrf_client(site, "alice"), csrf_client(site, "emil")
    try:
        form = alice.get(f"/editor/proposals/{pid}/edit").text
        fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form))
        fields.update({"term-0-text": "北斗卫星导航系统", "term-0-type": "preferred", "term-0-lang": "zh-Hans",
                       "note": "别人的修改", "action": "draft", "_csrf_token": _form_token(emil)})
        before = site.services.store.get_proposal(pid).content_version
        assert emil.get(f"/editor/proposals/{pid}/edit").status_code == 403
        posted = emil.post(f"/editor/proposals/{pid}/edit", data=fields, headers={"accept": "text/html"})
        assert posted.status_code == 403 and "proposal-form" not in posted.text, posted.text[:300]
        assert site.services.store.get_proposal(pid).content_version == before
    finally:
        alice.close()
        emil.close()


def test_the_session_cookie_holds_no_token_and_is_strict(site):
    client = httpx.Client(base_url=site.url, timeout=30)
    client.get("/signin")
    answer = client.post("/signin", data={"token": site.tokens["alice"], "_csrf_token": _form_token(client)},
                         follow_redirects=False)
    cookies = [v for k, v in answer.headers.multi_items() if k == "set-cookie"]
    session = next(c for c in cookies if c.startswith("shuyu_session="))
    assert "httponly" in session.lower() and "samesite=strict" in session.lower()
    assert site.tokens["alice"] not in session
    # signing out ends the session
    assert client.get("/editor", follow_redirects=False).status_code == 200
    client.post("/signout", data={"_csrf_token": _form_token(client)})
    assert client.get("/editor", follow_redirects=False).status_code == 303
    client.close()


def test_a_reader_token_cannot_reach_the_editor_pages(browser, site):
    page = browser.new_page()
    page.goto(site.url + "/signin")
    page.fill("#token", site.tokens["rita"])
    page.click("form.form button[type=submit]")
    assert page.locator("#err-token").is_visible()
    page.goto(site.url + "/editor")
    assert "/signin" in page.url
    page.goto(site.url + "/editor/review")
    assert "/signin" in page.url
    page.close()


def test_nobody_approves_their_own_proposal(browser, site):
    page = browser.new_page()
    sign_in(page, site, "bob")  # a reviewer who also proposes
    page.goto(site.url + "/editor/propose/revise/rural-broadband")
    page.fill("#note", "自己的提案")
    page.fill("#definition", page.input_value("#definition") + "(试)")
    page.click("button[name=action][value=submit]")
    page.wait_for_selector(".proposal-meta[data-state=submitted]")
    proposal_id = page.url.rstrip("/").split("/")[-1]
    assert page.locator("button[name=decision]").count() == 0  # no approve button on one's own proposal
    assert page.locator(f"tr[data-id='{proposal_id}']").count() == 0
    page.goto(site.url + "/editor/review")
    assert page.locator(f"tr[data-id='{proposal_id}']").count() == 0  # not in one's own queue
    # and a hand-made post is refused by the workflow
    answer = page.request.post(site.url + f"/editor/proposals/{proposal_id}/review",
                                form={"decision": "approve", "_csrf_token": page.locator("input[name=_csrf_token]").first.get_attribute("value")})
    assert answer.status == 403
    page.goto(site.url + f"/editor/proposals/{proposal_id}")
    assert page.locator(".proposal-meta").get_attribute("data-state") == "submitted"
    page.close()


def test_sign_in_never_sends_you_to_another_site(site):
    with httpx.Client(base_url=site.url, timeout=30) as client:
        page = client.get("/signin", params={"next": "//evil.example/x"}).text
        assert 'name="next" value="/editor"' in page
        answer = client.post("/signin", data={"token": site.tokens["alice"], "next": "//evil.example/x",
                                              "_csrf_token": _form_token(client)}, follow_redirects=False)
        assert answer.status_code == 303 and answer.headers["location"] == "/editor"
