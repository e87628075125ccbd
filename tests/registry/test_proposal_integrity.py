"""Issue 11: no lost update on proposals and no way around review, on both stores.

Comments and reviews are rows of their own; the content has a revision that every write checks inside
its transaction; any content change sends a submitted proposal back to draft; nobody who wrote any of
the content reviews it; a review records the content revision it saw.
"""

from __future__ import annotations

import threading

import msgspec
import pytest

from registry.errors import Conflict, Forbidden, NotFound, PreconditionFailed
from registry.model import Comment, ConceptContent, Term
from registry.postgres import PostgresStore
from registry.sqlite import SQLiteStore
from registry.workflow import Actor, Editorial
from tests.conftest import SCHEME, concept

ALICE = Actor("alice", "editor")
BOB = Actor("bob", "reviewer")
CAROL = Actor("carol", "reviewer")
ADA = Actor("ada", "admin")


def another_connection(store):
    """A second store on the same data, as another process or worker would have."""
    return SQLiteStore(store.path) if isinstance(store, SQLiteStore) else PostgresStore(store.url)


@pytest.fixture()
def editorial(store):
    store.append([concept("village", "数字乡村", definition="旧定义。")], actor="loader", schemes=[SCHEME])
    return Editorial(store)


def content(definition="新定义。") -> ConceptContent:
    return ConceptContent(scheme="test-scheme", terms=(Term(text="数字乡村", type="preferred"),), definition=definition)


def propose(editorial, actor=ALICE, submit=True):
    return editorial.propose(actor, kind="revise", target_kind="concept", target_id="village",
                             concept=content(), submit=submit)


def test_eight_concurrent_commenters_lose_nothing(editorial, store):
    p = propose(editorial)
    stores = [another_connection(store) for _ in range(8)]
    barrier = threading.Barrier(8)
    acknowledged: list[str] = []

    def comment(worker: int, s) -> None:
        barrier.wait()
        for n in range(10):
            text = f"评论 {worker}-{n}"
            Editorial(s).comment(Actor(f"c{worker}", "editor"), p.id, text)
            acknowledged.append(text)

    threads = [threading.Thread(target=comment, args=(i, s)) for i, s in enumerate(stores)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for s in stores:
        s.close()
    stored = [c.text for c in store.get_proposal(p.id).comments]
    assert len(acknowledged) == 80 and sorted(stored) == sorted(acknowledged)
    assert store.get_proposal(p.id).concept.definition == "新定义。"


def test_a_patch_racing_comments_is_kept_or_refused(editorial, store):
    p = propose(editorial, submit=False)
    others = [another_connection(store) for _ in range(4)]
    barrier = threading.Barrier(5)
    outcome: dict[str, object] = {}

    def commenter(i: int, s) -> None:
        barrier.wait()
        for n in range(5):
            Editorial(s).comment(BOB, p.id, f"并发 {i}-{n}")

    def patcher() -> None:
        barrier.wait()
        try:
            outcome["edited"] = Editorial(store).edit(ALICE, p.id, concept=content("改过的定义。"))
        except Conflict as exc:
            outcome["refused"] = exc

    threads = [threading.Thread(target=commenter, args=(i, s)) for i, s in enumerate(others)]
    threads.append(threading.Thread(target=patcher))
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for s in others:
        s.close()
    stored = store.get_proposal(p.id)
    assert len(stored.comments) == 20
    assert "edited" in outcome  # comments do not touch the content, so the edit never has to lose
    assert (stored.concept.definition, stored.content_version) == ("改过的定义。", 2)


def test_a_write_computed_from_stale_content_is_refused_inside_the_transaction(editorial, store):
    p = propose(editorial, submit=False)
    Editorial(store).edit(ALICE, p.id, concept=content("第二版。"))
    # a writer that read revision 1 before the edit committed: the store refuses, nothing is lost
    with pytest.raises(Conflict, match="changed meanwhile"):
        store.save_proposal(p, actor="alice", action="edit", expect_state="draft", expect_content=1)
    assert store.get_proposal(p.id).concept.definition == "第二版。"
    with pytest.raises(PreconditionFailed, match="content revision 2, not 1"):
        editorial.edit(ALICE, p.id, concept=content("第三版。"), if_match=1)
    assert editorial.edit(ALICE, p.id, concept=content("第三版。"), if_match=2).content_version == 3


def test_any_content_change_sends_a_submitted_proposal_back_to_draft(editorial, store):
    p = propose(editorial)
    edited = editorial.edit(ALICE, p.id, note="补充说明")
    assert (edited.state, edited.content_version) == ("draft", 2)
    with pytest.raises(Conflict, match="draft"):
        editorial.review(BOB, p.id, "approve")
    editorial.submit(ALICE, p.id)
    approved = editorial.review(BOB, p.id, "approve", if_match=2)
    assert approved.reviews[-1].content_version == 2
    assert store.get_proposal(p.id).reviews[-1].content_version == 2


def test_an_admin_who_changed_the_content_cannot_approve_it(editorial, store):
    p = propose(editorial)
    edited = editorial.edit(ADA, p.id, concept=content("管理员写的定义。"))
    assert edited.state == "draft" and edited.contributors == ("alice", "ada")
    editorial.submit(ALICE, p.id)
    with pytest.raises(Forbidden, match="may not review"):
        editorial.review(ADA, p.id, "approve")
    assert store.get_proposal(p.id).contributors == ("alice", "ada")
    editorial.review(BOB, p.id, "approve")
    assert store.get("concept", "village").definition == "管理员写的定义。"


def test_approving_a_stale_content_revision_is_refused(editorial, store):
    p = propose(editorial)
    seen = store.get_proposal(p.id).content_version  # what the reviewer looked at
    editorial.edit(ALICE, p.id, concept=content("悄悄改的定义。"))
    editorial.submit(ALICE, p.id)
    with pytest.raises(PreconditionFailed):
        editorial.review(BOB, p.id, "approve", if_match=seen)
    assert store.get("concept", "village").version == 1
    # and inside the transaction: a review computed from revision 1 never publishes revision 2
    from registry.model import Review
    stale = Review(reviewer="bob", at="2026-01-01T00:00:00+00:00", decision="request_changes", content_version=1)
    with pytest.raises(Conflict, match="changed meanwhile"):
        store.add_review(p.id, stale, state="changes_requested", actor="bob")


def test_comments_and_reviews_are_append_only_rows(editorial, store):
    p = propose(editorial)
    editorial.comment(BOB, p.id, "好")
    editorial.review(BOB, p.id, "request_changes", "再改改")
    for table in ("proposal_comments", "proposal_reviews"):
        for sql in (f"UPDATE {table} SET at = 'x'", f"DELETE FROM {table}"):
            with pytest.raises(Exception, match="immutable|never deleted"):
                _raw(store, sql)
    got = store.get_proposal(p.id)
    assert [c.text for c in got.comments] == ["好"] and [r.decision for r in got.reviews] == ["request_changes"]


def _raw(store, sql: str) -> None:
    if isinstance(store, SQLiteStore):
        store._db.conn.execute(sql)
    else:
        store._db.conn.execute(sql)


def test_comments_and_proposal_steps_do_not_move_the_revision(editorial, store):
    before = store.revision()
    p = propose(editorial)
    editorial.comment(BOB, p.id, "看过了")
    editorial.review(BOB, p.id, "request_changes")
    assert store.revision() == before
    assert [e.action for e in store.changes_since(before)] == ["propose", "comment", "request_changes"]
    editorial.submit(ALICE, p.id)
    editorial.review(BOB, p.id, "approve")
    assert store.revision() > before and store.get("concept", "village").version == 2


def test_a_comment_on_a_missing_proposal_is_not_found(editorial, store):
    from registry.errors import NotFound
    with pytest.raises(NotFound):
        store.add_comment("p-none", Comment(author="bob", at="2026-01-01", text="x"), actor="bob")


def test_propose_all_writes_schemes_and_proposals_together(store):
    from registry.model import Proposal, Scheme

    store.append([concept("village", "数字乡村")], actor="loader", schemes=[SCHEME])
    proposals = [Proposal(id=f"p-batch-{n}", kind="create", target_kind="concept", target_id=f"new-{n}",
                          base_version=0, concept=content(f"第{n}个。"), note="import", author="bob",
                          state="submitted", created="2026-01-01T00:00:00Z", updated="2026-01-01T00:00:00Z")
               for n in range(3)]
    before = store.revision()
    revision = store.propose_all(proposals, schemes=[Scheme(id="new-scheme", title="新方案")], actor="bob",
                                 note="import")
    assert revision == store.revision() > before  # the scheme's event
    assert {s.id for s in store.schemes()} >= {"new-scheme"}
    assert [store.get_proposal(p.id).state for p in proposals] == ["submitted"] * 3
    with pytest.raises(Conflict):  # an id taken: nothing of this batch is written
        store.propose_all([msgspec.structs.replace(proposals[0], id="p-batch-x"), proposals[1]], actor="bob")
    with pytest.raises(NotFound):
        store.get_proposal("p-batch-x")


def test_a_store_holding_only_proposals_and_their_scheme_is_not_empty(store):
    """As ``import --as-proposals`` leaves a new registry: the bundled vocabulary is not loaded over it."""
    from registry.model import Proposal, Scheme

    assert store.is_empty()
    proposal = Proposal(id="p-only", kind="create", target_kind="concept", target_id="new-0", base_version=0,
                        concept=content("第一个。"), note="import", author="bob", state="submitted",
                        created="2026-01-01T00:00:00Z", updated="2026-01-01T00:00:00Z")
    store.propose_all([proposal], schemes=[Scheme(id=SCHEME.id, title=SCHEME.title)], actor="bob", note="import")
    assert not store.is_empty()
    assert store.append([concept("village", "数字乡村")], actor="loader", only_if_empty=True) == 0
    assert not store.current("concept")
