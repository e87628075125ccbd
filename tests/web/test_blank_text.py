"""outside9: a comment or a review reason made only of zero-width spaces (or other invisible characters) is as
empty as one of spaces: the form says so (422, in Chinese) and nothing is kept."""

from __future__ import annotations

import lxml.html
import pytest

from tests.web.test_whole_version import post, revise_form, signed_in_client


def _csrf(page) -> str:
    return page.xpath("//input[@name='_csrf_token']/@value")[0]


@pytest.mark.parametrize("blank", ["\u200b\u200b", "\u3000\u200d", "\ufeff"])
def test_a_comment_of_invisible_characters_is_refused_on_the_page(site, blank):
    pid = site.seeded["proposal"]
    client = signed_in_client(site, "bob")
    before = len(site.services.store.get_proposal(pid).comments)
    page = lxml.html.fromstring(client.get(f"/editor/proposals/{pid}").text)
    answer = client.post(f"/editor/proposals/{pid}/comment", data={"_csrf_token": _csrf(page), "comment": blank})
    assert answer.status_code == 422 and "请填写意见" in answer.text
    answer = client.post(f"/editor/proposals/{pid}/review",
                         data={"_csrf_token": _csrf(page), "comment": blank, "decision": "reject",
                               "content_version": "1"})
    assert answer.status_code == 422 and "必须写明理由" in answer.text
    proposal = site.services.store.get_proposal(pid)
    assert len(proposal.comments) == before and proposal.state == "submitted"
    client.close()


def test_a_term_of_invisible_characters_is_named_on_the_form(site):
    client = signed_in_client(site, "emil")
    form = revise_form(client, "smart-agriculture")
    free = next(i for i in range(50) if form.inputs[f"term-{i}-text"].value == "")
    answer = post(client, form, {f"term-{free}-text": "\u200b\u200b"})
    assert answer.status_code == 422
    assert "术语不能为空" in lxml.html.fromstring(answer.text).text_content()
    client.close()


def test_two_tabs_saving_one_proposal_the_second_is_told_why_and_keeps_its_text(site):
    """outside9: the second save of a proposal edited in two tabs was a 422 saying "the form has errors, see the
    marked fields" with no field marked: the refusal (the content moved on, If-Match) had no place on the form."""
    first, second = signed_in_client(site, "emil"), signed_in_client(site, "emil")
    form = revise_form(first, "rural-road")
    created = post(first, form, {"definition": form.fields["definition"] + "一"})
    assert created.status_code == 303, created.text[:500]
    path = created.headers["location"]
    tab_a, tab_b = (lxml.html.fromstring(c.get(path + "/edit").text) for c in (first, second))
    edit_a, edit_b = (next(f for f in t.forms if f.get("class", "").startswith("form proposal-form")) for t in (tab_a, tab_b))
    assert post(first, edit_a, {"definition": edit_a.fields["definition"] + "甲"}).status_code == 303
    answer = post(second, edit_b, {"definition": edit_b.fields["definition"] + "乙"})
    assert answer.status_code == 412
    page = lxml.html.fromstring(answer.text)
    assert "不是最新的" in page.xpath("string(//*[@role='alert'])")
    assert page.xpath("string(//textarea[@name='definition'])").endswith("一乙")  # what was typed is kept
    for client in (first, second):
        client.close()


def test_a_field_error_reads_in_the_chosen_script(site):
    """outside9: under 台灣 the form's summary was Traditional but the field's error stayed Simplified."""
    client = signed_in_client(site, "emil")
    client.cookies.set("script", "zh-TW")
    form = revise_form(client, "smart-agriculture")
    answer = post(client, form, {"term-0-text": "数字乡村"})  # 数字乡村 is another concept's preferred label
    assert answer.status_code == 422
    error = lxml.html.fromstring(answer.text).xpath("string(//p[@id='err-terms'])")
    assert "規範術語" in error and "规范术语" not in error, error
    client.close()
