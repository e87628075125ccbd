"""Homonyms (ISO 704: one label, several concepts) imported from a thesaurus stay editable: an editor may revise
one keeping the label it holds, reviewers approve homonyms an import proposed, and nobody takes a label another
concept holds by editing. Against both stores."""

from __future__ import annotations

import pytest

from registry.errors import RuleViolation
from registry.model import ConceptContent, Term
from registry.workflow import Actor, Editorial
from vocab.exchange import import_files

ALICE = Actor("alice", "editor")
BOB = Actor("bob", "reviewer")
BASE = "https://shuyu.test"
HOMONYMS = ("id,scheme,lang,term,type,definition\n"
            "aa,sx,zh-Hans,农业,preferred,种植业。\n"
            "bb,sx,zh-Hans,農業,preferred,广义的农业。\n"
            "cc,sx,zh-Hans,林业,preferred,\n").encode()


def revision(concept_id: str, label: str, definition: str) -> ConceptContent:
    return ConceptContent(scheme="sx", terms=(Term(text=label, type="preferred"),), definition=definition)


def test_an_editor_revises_an_imported_homonym_keeping_its_label(store):
    report = import_files(store, [("h.csv", HOMONYMS)], actor="importer", base_uri=BASE)
    assert report.homonyms == ["農業 (sx): aa, bb"]
    editorial = Editorial(store)
    for concept_id, label in (("bb", "農業"), ("aa", "农业")):  # the second claimant and the holder
        p = editorial.propose(ALICE, kind="revise", target_kind="concept", target_id=concept_id,
                              concept=revision(concept_id, label, "新的定义。"), submit=True)
        editorial.review(BOB, p.id, "approve")
        current = store.get("concept", concept_id)
        assert (current.version, current.preferred, current.definition) == (2, label, "新的定义。")
    # the rule still stands for everyone else: no concept takes a label another one holds
    with pytest.raises(RuleViolation, match="already the preferred label"):
        editorial.propose(ALICE, kind="revise", target_kind="concept", target_id="cc",
                          concept=revision("cc", "农业", ""), submit=True)
    with pytest.raises(RuleViolation, match="already the preferred label"):
        editorial.propose(ALICE, kind="create", target_kind="concept", target_id="dd",
                          concept=revision("dd", "农业", ""), submit=True)


def test_homonyms_an_import_proposed_are_approved(store):
    report = import_files(store, [("h.csv", HOMONYMS)], actor="importer", base_uri=BASE, as_proposals=True)
    assert len(report.proposals) == 3
    editorial = Editorial(store)
    for proposal_id in report.proposals:
        assert editorial.review(BOB, proposal_id, "approve").state == "approved"
    assert {c.id: c.preferred for c in store.current("concept")} == {"aa": "农业", "bb": "農業", "cc": "林业"}


def test_a_homonym_takes_the_label_over_when_its_holder_drops_it(store):
    import_files(store, [("h.csv", HOMONYMS)], actor="importer", base_uri=BASE)
    assert store.preferred_owner("sx", "农业") == "aa"  # the first claimant holds it; bb is the kept homonym
    editorial = Editorial(store)
    p = editorial.propose(ALICE, kind="revise", target_kind="concept", target_id="aa",
                          concept=revision("aa", "种植业", "种植农作物的生产部门。"), submit=True)
    editorial.review(BOB, p.id, "approve")
    assert store.preferred_owner("sx", "农业") == "bb"  # before: nobody, and bb's label was anyone's to take
    with pytest.raises(RuleViolation, match="already the preferred label of bb"):
        editorial.propose(ALICE, kind="revise", target_kind="concept", target_id="cc",
                          concept=revision("cc", "农业", ""), submit=True)


def test_a_homonym_takes_the_label_over_when_its_holder_is_deprecated_by_an_import(store):
    import_files(store, [("h.csv", HOMONYMS)], actor="importer", base_uri=BASE)
    csv = ("id,scheme,lang,term,type,definition,status\n"
           "aa,sx,zh-Hans,农业,preferred,种植业。,deprecated\n").encode()
    import_files(store, [("d.csv", csv)], actor="importer", base_uri=BASE)
    assert store.get("concept", "aa").status == "deprecated"
    assert store.preferred_owner("sx", "农业") == "bb"


ADMIN = Actor("root", "admin")
HOLDER = "id,scheme,lang,term,type,definition\naa,sx,zh-Hans,农业,preferred,种植业。\n".encode()
PROPOSED = ("id,scheme,lang,term,type,definition\n"
            "bb,sx,zh-Hans,農業,preferred,广义的农业。\n"
            "cc,sx,zh-Hans,林业,preferred,\n").encode()


def test_an_edited_import_proposal_keeps_its_homonyms_but_takes_no_new_label(store):
    import_files(store, [("a.csv", HOLDER)], actor="importer", base_uri=BASE)
    report = import_files(store, [("p.csv", PROPOSED)], actor="importer", base_uri=BASE, as_proposals=True)
    editorial = Editorial(store)
    by_target = {store.get_proposal(p).target_id: p for p in report.proposals}
    # the homonym the import brought in is kept through an edit
    edited = editorial.edit(ADMIN, by_target["bb"], concept=revision("bb", "農業", "修改后的定义。"))
    assert edited.imported
    editorial.submit(ADMIN, by_target["bb"])
    assert editorial.review(BOB, by_target["bb"], "approve").state == "approved"
    assert store.get("concept", "bb").preferred == "農業"
    # a label the import did not bring in, which another concept holds, is refused as for any editor
    with pytest.raises(RuleViolation, match="already the preferred label of aa"):
        editorial.edit(ADMIN, by_target["cc"], concept=revision("cc", "农业", ""))
