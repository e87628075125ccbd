"""Forms edit a whole version (issue 22, item 1): every field of every bundled concept is either editable in the
revise form or carried through unchanged, so "open the form, save unchanged" proposes nothing; a real edit of
one field changes that field and nothing else; every term type can be chosen.

The HTTP walk posts what a browser would post for the form's real HTML (lxml's ``form_values``); the
chromium tests do the same in a browser for a few concepts, in 简体 and 台灣, at 1280 and 390 px.
"""

from __future__ import annotations

import typing
from urllib.parse import urlencode

import httpx
import lxml.html
import msgspec
import pytest

from api.web import forms, labels
from api.web.proposals import mine
from registry.workflow import Actor, Editorial
from registry.model import ConceptContent, TermType

NO_CHANGE = "没有修改"


def signed_in_client(site, name: str = "emil") -> httpx.Client:
    client = httpx.Client(base_url=site.url, timeout=60, headers={"accept": "text/html"})
    page = lxml.html.fromstring(client.get("/signin").text)
    token_form = next(f for f in page.forms if f.get("method") == "post" and f.get("action") == "/signin")
    values = dict(token_form.form_values())
    values["token"] = site.tokens[name]
    answer = client.post("/signin", data=values)
    assert answer.status_code == 303, answer.text[:500]
    return client


def revise_form(client: httpx.Client, concept_id: str):
    answer = client.get(f"/editor/propose/revise/{concept_id}")
    assert answer.status_code == 200, (concept_id, answer.status_code)
    page = lxml.html.fromstring(answer.text)
    return next(f for f in page.forms if f.get("class", "").startswith("form proposal-form"))


def post(client: httpx.Client, form, changes: dict[str, str] | None = None, action: str = "draft") -> httpx.Response:
    """What a browser posts for ``form`` (successful controls in document order) with ``changes`` typed in."""
    values = [(k, (changes or {}).get(k, v)) for k, v in form.form_values()]
    values.append(("action", action))
    return client.post(form.get("action"), content=urlencode(values),
                       headers={"content-type": "application/x-www-form-urlencoded"})


@pytest.mark.slow  # every bundled concept through the form: about 5 s
def test_every_bundled_concept_saved_unchanged_proposes_nothing(site):
    store = site.services.store
    catalog = site.services.catalog
    client = signed_in_client(site, "emil")
    before = _count(store)
    changed = []
    for concept_id in sorted(catalog.concepts):
        answer = post(client, revise_form(client, concept_id))
        if answer.status_code != 200 or NO_CHANGE not in answer.text:
            changed.append((concept_id, answer.status_code, answer.headers.get("location", "")))
    client.close()
    assert not changed, changed[:10]
    assert _count(store) == before  # not one proposal was made
    assert len(catalog.concepts) > 400


def _count(store) -> int:
    return len(mine(store, "emil"))


@pytest.mark.parametrize("label", ["科技小院", "消费帮扶"])
def test_changing_one_field_changes_only_that_field(site, label):
    """The issue's case: a new definition of 科技小院 kept its sources' issuer and date; 消费帮扶 kept its
    superseded term 消费扶贫."""
    concept_id = next(c.id for c in site.services.catalog.concepts.values() if c.preferred == label)
    client = signed_in_client(site, "emil")
    form = revise_form(client, concept_id)
    before = forms.content_of(site.services.store.get("concept", concept_id))
    answer = post(client, form, {"definition": before.definition + "(修订)"})
    assert answer.status_code == 303, answer.text[:2000]
    proposal = site.services.store.get_proposal(answer.headers["location"].rsplit("/", 1)[-1])
    assert proposal.concept == msgspec.structs.replace(before, definition=before.definition + "(修订)")
    Editorial(site.services.store).withdraw(Actor("emil", "editor"), proposal.id)
    client.close()


def test_every_term_type_and_language_can_be_chosen(site):
    client = signed_in_client(site, "emil")
    form = revise_form(client, "digital-village")
    types = {o.get("value") for o in form.xpath(".//select[@id='term-0-type']/option")}
    langs = {o.get("value") for o in form.xpath(".//select[@id='term-0-lang']/option")}
    assert types == set(typing.get_args(TermType))
    assert langs == set(labels.LANGS)  # every language the web names (an imported tag shows as itself)
    assert set(labels.TERM_TYPES) == set(typing.get_args(TermType))
    client.close()


def test_a_field_the_form_does_not_show_is_carried_through(site):
    """grade_factors and uri have no input; they ride along in the base content and come back unchanged."""
    catalog = site.services.catalog
    store = site.services.store
    graded = next(c for c in sorted(catalog.concepts) if store.get("concept", c).grade_factors)
    client = signed_in_client(site, "emil")
    form = revise_form(client, graded)
    assert "grade_factors" not in {k for k, _ in form.form_values()}
    before = forms.content_of(store.get("concept", graded))
    answer = post(client, form, {"notation": before.notation + "9"})
    assert answer.status_code == 303, answer.text[:2000]
    proposal = store.get_proposal(answer.headers["location"].rsplit("/", 1)[-1])
    assert proposal.concept.grade_factors == before.grade_factors
    assert proposal.concept == msgspec.structs.replace(before, notation=before.notation + "9")
    Editorial(store).withdraw(Actor("emil", "editor"), proposal.id)
    client.close()


def test_content_fields_are_all_accounted_for():
    """A field added to ConceptContent is either shown by the form or carried in its base JSON; both are generic,
    but a shown field must be one the model has."""
    assert set(forms.SHOWN) <= set(ConceptContent.__struct_fields__)
