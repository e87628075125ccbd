"""The drafting pages in a real browser (Debian's chromium driven by Playwright), without JavaScript:
paste a draft and see it marked up; go from a concept page to its clause."""

from __future__ import annotations



from tests.drafting.conftest import admitted_pair



def test_paste_a_draft_and_see_it_marked_up(browser, live_server):
    context = browser.new_context(java_script_enabled=False, locale="zh-CN")
    page = context.new_page()
    page.goto(live_server.url + "/check")
    concept, admitted = admitted_pair(live_server.services.catalog)
    text = f"推进數位鄉村建设，发展{admitted}和{concept.preferred}。"
    page.fill("textarea[name=text]", text)
    page.click("form.checker button[type=submit]")
    page.wait_for_selector(".draft mark")
    marks = page.locator(".draft mark")
    found = {(marks.nth(i).get_attribute("data-start"), marks.nth(i).inner_text()) for i in range(marks.count())}
    assert (str(text.index("數位鄉村")), "數位鄉村") in found
    assert (str(text.rindex(concept.preferred)), concept.preferred) in found
    assert page.locator('.draft mark[data-concept="digital-village"]').get_attribute("class") == "problem regional"
    kinds = [page.locator("ol.problems li").nth(i).get_attribute("data-kind") for i in range(page.locator("ol.problems li").count())]
    assert {"regional", "non_preferred", "inconsistent"} <= set(kinds)
    assert page.locator("textarea[name=text]").input_value() == text  # the draft stays in the form
    # a screen reader hears each marked term's problems: its link is described by their list entries
    def heard(start: int) -> list[tuple[str, str]]:
        link = page.locator(f'.draft mark[data-start="{start}"] a')
        return [(page.locator(f"ol.problems li#{i}").get_attribute("data-kind"), page.locator(f"ol.problems li#{i}").inner_text())
                for i in link.get_attribute("aria-describedby").split()]

    [(kind, said)] = heard(text.index("數位鄉村"))
    assert kind == "regional" and "數位鄉村" in said
    [(kind, said)] = heard(text.rindex(concept.preferred))
    assert kind == "inconsistent" and admitted in said
    context.close()


def test_from_a_concept_page_to_its_clause(browser, live_server):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + "/concepts/smart-agriculture")
    page.click("text=加入条款篮")
    page.wait_for_selector("section.clause")
    assert page.locator("section.clause .number").first.inner_text() == "3.1"
    assert page.locator("section.clause .term strong").first.inner_text() == "智慧农业"
    assert page.locator("ul.basket li").count() == 1
    context.close()
