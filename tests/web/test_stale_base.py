"""A proposal whose concept moved on: the review page says so and shows what changed in between; the
author re-applies the proposal to the current version, looks at it and submits it again."""

from __future__ import annotations

import msgspec

from registry.model import Term
from registry.workflow import Actor, Editorial
from tests.web.conftest import _content, shoot, sign_in

CONCEPT = "emergency-broadcast"  # 应急广播


def test_stale_proposal_is_shown_and_rebased_by_its_author(browser, site):
    store = site.services.store
    editorial = Editorial(store)
    alice, emil, rose = Actor("alice", "editor"), Actor("emil", "editor"), Actor("rose", "reviewer")
    v1 = store.get("concept", CONCEPT)
    mine = editorial.propose(alice, kind="revise", target_kind="concept", target_id=CONCEPT, submit=True,
                             concept=msgspec.structs.replace(_content(v1), terms=(*v1.terms, Term(text="应急广播体系"))),
                             note="加一个许用术语")
    theirs = editorial.propose(emil, kind="revise", target_kind="concept", target_id=CONCEPT, submit=True,
                               concept=msgspec.structs.replace(_content(v1), definition=v1.definition + "(已修订)"),
                               note="修订定义")
    editorial.review(rose, theirs.id, "approve")
    site.services.search.catch_up()

    reviewer = browser.new_context().new_page()
    sign_in(reviewer, site, "rose")
    reviewer.goto(site.url + f"/editor/proposals/{mine.id}")
    stale = reviewer.locator("section.stale")
    assert "基础版本已过时" in stale.inner_text()
    assert "(已修订)" in stale.locator(".def-diff .after").inner_text()  # what changed in between
    shoot(reviewer, "review-stale")
    reviewer.click("button[name=decision][value=approve]")  # approving a stale proposal is a conflict
    assert reviewer.locator("#err-review").is_visible()
    assert store.get("concept", CONCEPT).version == v1.version + 1

    author = browser.new_context(java_script_enabled=False).new_page()
    sign_in(author, site, "alice")
    author.goto(site.url + f"/editor/proposals/{mine.id}")
    author.click(f"a[href='/editor/proposals/{mine.id}/rebase']")
    author.wait_for_selector("form.proposal-form")
    assert "重新套用" in author.locator("p.notice").inner_text()
    assert author.input_value("#definition").endswith("(已修订)")  # the current version's change is kept
    texts = author.locator("tr.term-row input[name$='-text']").evaluate_all("els => els.map(e => e.value)")
    assert "应急广播体系" in texts  # and the proposal's own change re-applied
    assert store.get_proposal(mine.id).base_version == v1.version  # nothing saved before the author looks
    shoot(author, "rebase-form")
    author.click("button[name=action][value=submit]")
    author.wait_for_selector(".proposal-meta[data-state=submitted]")
    assert store.get_proposal(mine.id).base_version == v1.version + 1
    assert author.locator("section.stale").count() == 0

    reviewer.goto(site.url + f"/editor/proposals/{mine.id}")
    reviewer.click("button[name=decision][value=approve]")
    reviewer.wait_for_selector(".proposal-meta[data-state=approved]")
    published = store.get("concept", CONCEPT)
    assert published.definition.endswith("(已修订)") and "应急广播体系" in {t.text for t in published.terms}
    reviewer.context.close()
    author.context.close()
