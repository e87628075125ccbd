"""The editorial workflow: every rule and state transition, against SQLite."""

from __future__ import annotations

import threading

import pytest

from registry.errors import Conflict, Forbidden, InvalidInput, NotFound, RuleViolation, Unauthorized
from registry.history import revision_of, summarize
from registry.model import ConceptContent, StandardContent, StandardVersion, Term
from registry.tokens import authenticate, create_token
from registry.workflow import Actor, Editorial
from tests.conftest import SCHEME, concept

ALICE = Actor("alice", "editor")
ROSE = Actor("rose", "reviewer")  # a reviewer who also writes proposals
BOB = Actor("bob", "reviewer")
CAROL = Actor("carol", "reviewer")
READER = Actor("rita", "reader")
ADMIN = Actor("ada", "admin")


@pytest.fixture()
def editorial(store):
    store.append(
        [concept("village", "数字乡村", definition="旧定义。"), concept("farm", "智慧农业", broader=("village",)),
         StandardVersion(id="std-1", title="数字乡村 术语", status="drafting", concepts=("village",))],
        actor="loader", schemes=[SCHEME],
    )
    return Editorial(store)


def content(pref="数字乡村", definition="新定义。", **extra) -> ConceptContent:
    terms = (Term(text=pref, type="preferred"), *extra.pop("terms", ()))
    return ConceptContent(scheme="test-scheme", terms=terms, definition=definition, **extra)


def propose_revision(editorial, actor=ALICE, submit=True, **kw):
    return editorial.propose(actor, kind="revise", target_kind="concept", target_id="village",
                             concept=content(**kw), submit=submit)


def test_a_reader_cannot_propose(editorial):
    with pytest.raises(Forbidden, match="editor role"):
        propose_revision(editorial, actor=READER)


def test_propose_submit_approve_publishes_the_next_version(editorial, store):
    p = propose_revision(editorial, submit=False)
    assert p.state == "draft" and p.base_version == 1
    assert editorial.submit(ALICE, p.id).state == "submitted"
    approved = editorial.review(BOB, p.id, "approve", "好")
    assert approved.state == "approved" and approved.published_version == 2
    current = store.get("concept", "village")
    assert (current.version, current.definition, current.proposal_id, current.author) == (2, "新定义。", p.id, "alice")
    assert store.get("concept", "village", 1).definition == "旧定义。"
    events = store.changes_since(0)
    assert [(e.action, e.actor) for e in events[-2:]] == [("revise", "bob"), ("approve", "bob")]


def test_nobody_reviews_their_own_proposal(editorial):
    p = propose_revision(editorial, actor=ROSE)
    for decision in ("approve", "reject", "request_changes"):
        with pytest.raises(Forbidden, match="may not review"):
            editorial.review(ROSE, p.id, decision)
    with pytest.raises(Forbidden, match="reviewer role"):
        editorial.review(ALICE, p.id, "approve")  # an editor does not review at all


def test_changes_requested_then_edited_and_resubmitted(editorial, store):
    p = propose_revision(editorial)
    assert editorial.review(BOB, p.id, "request_changes", "定义太短").state == "changes_requested"
    with pytest.raises(Conflict, match="changes_requested"):
        editorial.review(CAROL, p.id, "approve")
    edited = editorial.edit(ALICE, p.id, concept=content(definition="更完整的新定义。"))
    assert edited.state == "changes_requested"
    assert editorial.submit(ALICE, p.id).state == "submitted"
    editorial.review(CAROL, p.id, "approve")
    assert store.get("concept", "village").definition == "更完整的新定义。"
    assert [r.decision for r in store.get_proposal(p.id).reviews] == ["request_changes", "approve"]


def test_rejected_and_withdrawn_are_final(editorial):
    rejected = propose_revision(editorial)
    editorial.review(BOB, rejected.id, "reject", "不需要")
    with pytest.raises(Conflict):
        editorial.submit(ALICE, rejected.id)
    with pytest.raises(Conflict):
        editorial.edit(ALICE, rejected.id, note="再试")
    withdrawn = propose_revision(editorial)
    with pytest.raises(Forbidden, match="only the author"):
        editorial.withdraw(Actor("eve", "editor"), withdrawn.id)
    assert editorial.withdraw(ALICE, withdrawn.id).state == "withdrawn"
    with pytest.raises(Conflict):
        editorial.review(BOB, withdrawn.id, "approve")


def test_a_draft_is_not_reviewed(editorial):
    p = propose_revision(editorial, submit=False)
    with pytest.raises(Conflict, match="draft"):
        editorial.review(BOB, p.id, "approve")


def test_stale_base_is_a_conflict_naming_the_current_version_then_rebase(editorial, store):
    first = propose_revision(editorial, definition="甲定义。")
    second = propose_revision(editorial, definition="乙定义。")
    editorial.review(BOB, first.id, "approve")
    with pytest.raises(Conflict, match="current version is 2"):
        editorial.review(BOB, second.id, "approve")
    assert store.get_proposal(second.id).state == "submitted"  # nothing of the failed approval is kept
    rebased = editorial.edit(ALICE, second.id, base_version=2)
    assert (rebased.state, rebased.content_version) == ("draft", 2)  # a rebase is a content change
    editorial.submit(ALICE, second.id)
    editorial.review(BOB, second.id, "approve")
    assert store.get("concept", "village").version == 3


def test_two_concurrent_approvals_make_exactly_one_version(editorial, store):
    proposals = [propose_revision(editorial, definition=f"并发{i}。") for i in range(2)]
    outcomes: list[str] = []
    barrier = threading.Barrier(2)

    def approve(p, reviewer):
        barrier.wait()
        try:
            editorial.review(reviewer, p.id, "approve")
            outcomes.append("approved")
        except Conflict:
            outcomes.append("conflict")

    threads = [threading.Thread(target=approve, args=(p, r)) for p, r in zip(proposals, (BOB, CAROL))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["approved", "conflict"]
    assert [v.version for v in store.history("concept", "village")] == [1, 2]


def test_create_and_deprecate(editorial, store):
    with pytest.raises(Conflict, match="exists already"):
        editorial.propose(ALICE, kind="create", target_kind="concept", target_id="village", concept=content())
    new = editorial.propose(ALICE, kind="create", target_kind="concept", target_id="village-2",
                            concept=content(pref="数字村庄", definition="新概念。"), submit=True)
    assert new.base_version == 0
    editorial.review(BOB, new.id, "approve")
    assert store.get("concept", "village-2").version == 1
    with pytest.raises(InvalidInput, match="replaced_by"):
        editorial.propose(ALICE, kind="deprecate", target_kind="concept", target_id="farm")
    dep = editorial.propose(ALICE, kind="deprecate", target_kind="concept", target_id="farm",
                            replaced_by=("village-2",), note="合并", submit=True)
    editorial.review(BOB, dep.id, "approve")
    farm = store.get("concept", "farm")
    assert farm.status == "deprecated" and farm.replaced_by == ("village-2",) and farm.preferred == "智慧农业"
    assert store.changes_since(0)[-2].action == "deprecate"


@pytest.mark.parametrize(
    "bad, message",
    [
        (dict(pref="智慧農業"), "already the preferred label of farm"),
        (dict(related=("nowhere",)), "unknown concept"),
        (dict(broader=("farm",)), "cycle"),
    ],
)
def test_rule_violations_are_refused_when_proposed(editorial, store, bad, message):
    bad = dict(bad)  # the parameter is shared between the two stores' runs
    pref = bad.pop("pref", "数字乡村")
    with pytest.raises(RuleViolation, match=message):
        propose_revision(editorial, pref=pref, **bad)
    assert store.list_proposals()[1] == 0  # no trace


def test_comments_and_diff(editorial):
    p = propose_revision(editorial, terms=(Term(text="数字化乡村"),), related=("farm",))
    commented = editorial.comment(BOB, p.id, "请补充来源")
    assert commented.comments[0].author == "bob" and commented.comments[0].text == "请补充来源"
    with pytest.raises(Forbidden):
        editorial.comment(READER, p.id, "路过")
    diff = editorial.diff(p.id)
    assert diff.from_version == 1 and diff.to_version == 2
    assert {"definition", "terms", "related"} <= set(diff.changed_fields)
    assert [t.text for t in diff.labels_added] == ["数字化乡村"]
    assert diff.definition.before == "旧定义。" and diff.definition.after == "新定义。"
    assert diff.relations[0].field == "related" and diff.relations[0].added == ["farm"]


def test_standard_lifecycle_is_a_reviewed_change(editorial, store):
    p = editorial.propose(ALICE, kind="revise", target_kind="standard", target_id="std-1", submit=True,
                          standard=StandardContent(title="数字乡村 术语", status="consultation",
                                                   status_date="2025-03-01", concepts=("village",)))
    editorial.review(BOB, p.id, "approve")
    versions = store.history("standard", "std-1")
    assert [(v.status, v.status_date) for v in versions] == [("drafting", None), ("consultation", "2025-03-01")]
    with pytest.raises(InvalidInput):
        editorial.propose(ALICE, kind="revise", target_kind="standard", target_id="std-1", concept=content())


def test_unknown_targets_and_proposals(editorial):
    with pytest.raises(NotFound):
        editorial.propose(ALICE, kind="revise", target_kind="concept", target_id="nope", concept=content())
    with pytest.raises(NotFound):
        editorial.submit(ALICE, "p-nothing")
    with pytest.raises(InvalidInput, match="base version 7"):
        editorial.propose(ALICE, kind="revise", target_kind="concept", target_id="village", base_version=7,
                          concept=content())


def test_tokens_are_stored_as_hashes_and_revocable(store, tmp_path):
    token, secret = create_token(store, "bob", "reviewer", actor="cli")
    assert authenticate(store, f"Bearer {secret}") == Actor("bob", "reviewer")
    files = [tmp_path / f"registry.db{suffix}" for suffix in ("", "-wal")]
    if files[0].exists():  # SQLite: the secret is nowhere in the files (in WAL mode new rows are in -wal)
        data = b"".join(f.read_bytes() for f in files if f.exists())
        assert token.hash.encode() in data  # the token is there, so this looks where the data is
        assert secret.encode() not in data
    assert all(t.hash != secret for t in store.tokens())
    for header in (None, "", "Bearer", "Basic abc", f"Bearer {secret}x"):
        with pytest.raises(Unauthorized):
            authenticate(store, header)
    store.revoke_token(token.id, actor="cli")
    with pytest.raises(Unauthorized):
        authenticate(store, f"Bearer {secret}")
    assert [e.action for e in store.changes_since(0, include_admin=True)] == ["token_create", "token_revoke"]
    assert store.changes_since(0) == [] and store.revision() == 0  # admin events: not public, no new revision
    with pytest.raises(InvalidInput):
        create_token(store, " ", "editor", actor="cli")


def test_releases_and_reading_the_past(editorial, store):
    r1 = store.add_release("2025.1", actor="ada")
    with pytest.raises(Conflict):
        store.add_release("2025.1", actor="ada")
    p = propose_revision(editorial)
    editorial.review(BOB, p.id, "approve")
    new = editorial.propose(ALICE, kind="create", target_kind="concept", target_id="v3", concept=content(pref="新词"), submit=True)
    editorial.review(BOB, new.id, "approve")
    r2 = store.add_release("2025.2", actor="ada")
    assert store.get_at("concept", "village", r1.revision).definition == "旧定义。"
    assert store.get_at("concept", "village", revision_of(store, release="2025.2")).definition == "新定义。"
    assert revision_of(store, at="2000-01-01") == 0
    assert revision_of(store, at=str(r1.revision)) == r1.revision
    with pytest.raises(NotFound):
        store.get_at("concept", "v3", r1.revision)
    summary = summarize(store, r1.revision, r2.revision)
    assert (summary.added, summary.changed, summary.deprecated) == (["v3"], ["village"], [])
    with pytest.raises(InvalidInput):
        revision_of(store, at="yesterday")


@pytest.mark.parametrize("blank", [" ", "\u3000", "\u200b", "\u200b\u200b\u200b", "\u2060\ufeff\u200d", "\u200e \u3164"])
def test_a_comment_of_spaces_or_invisible_characters_is_refused(editorial, blank):
    p = propose_revision(editorial)
    with pytest.raises(InvalidInput, match="needs text"):
        editorial.comment(BOB, p.id, blank)
    assert editorial.store.get_proposal(p.id).comments == ()


@pytest.mark.parametrize("where, change", [
    ("terms", {"terms": (Term(text="\u200b\u200b"),)}),
    ("notes", {"notes": ("\u2060\ufeff",)}),
    ("examples", {"examples": ("\u3000\u200b",)}),
])
def test_a_blank_text_in_a_field_that_must_say_something_is_refused(editorial, store, where, change):
    with pytest.raises(RuleViolation, match=f"{where} holds a blank text") as info:
        propose_revision(editorial, **change)
    assert info.value.field == where
    assert store.list_proposals()[1] == 0


def test_a_blank_preferred_term_is_refused(editorial, store):
    with pytest.raises(RuleViolation, match="blank"):
        propose_revision(editorial, pref="\u200b")
    assert store.list_proposals()[1] == 0


def test_a_blank_standard_title_is_refused(editorial, store):
    with pytest.raises(RuleViolation, match="title holds a blank text"):
        editorial.propose(ALICE, kind="revise", target_kind="standard", target_id="std-1",
                          standard=StandardContent(title="\u200b", status="drafting", concepts=("village",)))


def test_a_review_comment_of_invisible_characters_is_no_comment(editorial, store):
    p = propose_revision(editorial)
    editorial.review(BOB, p.id, "approve", "\u200b\u200b")
    assert store.get_proposal(p.id).reviews[-1].comment == ""
    assert store.get("concept", "village").change_note == p.note


@pytest.mark.parametrize("pref", ["数字\u200b乡村", "数字乡村\u200d", "\u202e数字乡村", "数字\u00ad乡村", "数\ufe0f字乡村",
                                  "\ufeff數字鄉村\u2060"])
def test_a_preferred_label_that_differs_only_by_invisible_characters_is_taken(editorial, store, pref):
    """outside9: 数字\u200b乡村 looks like 数字乡村 on every page and was a second concept's preferred label."""
    with pytest.raises(RuleViolation, match="already the preferred label of village"):
        editorial.propose(ALICE, kind="create", target_kind="concept", target_id="village-two", concept=content(pref=pref))
    assert store.list_proposals()[1] == 0
