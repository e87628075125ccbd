"""Input no database keeps faithfully, and a store that cannot write, on both stores: 4xx or 503, never
a crash, never a half-written record."""

from __future__ import annotations

import pytest

from registry.errors import InvalidInput, StoreError
from registry.model import ConceptContent, Term
from registry.sqlite import SQLiteStore
from registry.workflow import Actor, Editorial
from tests.conftest import SCHEME, concept

BIG = 2**63


@pytest.fixture()
def loaded(store):
    store.append([concept("village", "数字乡村")], actor="loader", schemes=[SCHEME])
    return store


@pytest.mark.parametrize("read", [
    lambda s: s.get_proposal("p-\x00"),
    lambda s: s.list_proposals(target_id="a\x00"),
    lambda s: s.get_release("a\x00"),
    lambda s: s.get("concept", "village\x00"),
    lambda s: s.revision_at("2025\x00"),
    lambda s: s.changes_since(BIG),
    lambda s: s.get("concept", "village", BIG),
    lambda s: s.get_at("concept", "village", BIG),
    lambda s: s.list_proposals(offset=BIG),
])
def test_nul_and_huge_numbers_are_invalid_input(loaded, read):
    with pytest.raises(InvalidInput):
        read(loaded)


def test_nul_in_written_text_is_refused_and_nothing_is_written(loaded):
    revision = loaded.revision()
    with pytest.raises(InvalidInput, match="NUL"):
        loaded.append([concept("other", "别的\x00词")], actor="loader")
    with pytest.raises(InvalidInput, match="NUL"):
        loaded.append([concept("other", "别的词", definition="定义\x00")], actor="loader")
    assert loaded.revision() == revision and not loaded.concept_exists("other")
    editorial = Editorial(loaded)
    bad = ConceptContent(scheme="test-scheme", terms=(Term(text="数字\x00乡村", type="preferred"),))
    with pytest.raises(InvalidInput) as refused:
        editorial.propose(Actor("alice", "editor"), kind="revise", target_kind="concept", target_id="village",
                          concept=bad)
    assert refused.value.field == "concept.terms[0].text"
    p = editorial.propose(Actor("alice", "editor"), kind="revise", target_kind="concept", target_id="village",
                          concept=ConceptContent(scheme="test-scheme", terms=(Term(text="数字乡村", type="preferred"),)))
    for call in (lambda: editorial.comment(Actor("bob", "editor"), p.id, "评\x00论"),
                 lambda: editorial.edit(Actor("alice", "editor"), p.id, note="说明\x00"),
                 lambda: editorial.propose(Actor("alice", "editor"), kind="revise", target_kind="concept",
                                           target_id="village\x00", concept=bad)):
        with pytest.raises(InvalidInput, match="NUL"):
            call()
    assert loaded.get_proposal(p.id).comments == () and loaded.list_proposals()[1] == 1


def _make_unwritable(store, how: str) -> None:
    if isinstance(store, SQLiteStore):
        if how == "read-only":
            store._db.conn.execute("PRAGMA query_only = ON")
        else:  # a full disk: the file may not grow by one more page
            pages = store._db.conn.execute("PRAGMA page_count").fetchone()[0]
            store._db.conn.execute(f"PRAGMA max_page_count = {pages}")
    else:  # PostgreSQL: a read-only server (a full disk cannot be simulated there without root on its host)
        _pool_session(store, "-c default_transaction_read_only=on")


def _pool_session(store, options: str) -> None:
    """Every connection of the PostgreSQL store's pool from now on starts with these server options."""
    store._pool.kwargs["options"] = options
    store._pool.drain()


@pytest.mark.parametrize("which, how", [("sqlite", "read-only"), ("sqlite", "full"), ("postgres", "read-only")])
def test_a_store_that_cannot_write_is_unavailable_naming_the_cause(request, which, how):
    loaded = request.getfixturevalue(f"{which}_store")
    loaded.append([concept("village", "数字乡村")], actor="loader", schemes=[SCHEME])
    revision = loaded.revision()
    _make_unwritable(loaded, how)
    try:
        big = [concept(f"c-{i}", f"词{i}", definition="很长的定义。" * 300) for i in range(40)]
        with pytest.raises(StoreError, match="read-only|readonly|full") as refused:
            loaded.append(big, actor="loader")
        assert refused.value.status == 503
        assert loaded.revision() == revision and not loaded.concept_exists("c-0")  # nothing half-written
        assert loaded.get("concept", "village").version == 1  # reads still work
    finally:
        if not isinstance(loaded, SQLiteStore):
            _pool_session(loaded, "")


def test_two_first_loads_at_once_load_the_bundle_once(store):
    """Two `serve` first starts on one empty store: both see it empty, only one loads, neither fails."""
    import threading

    from vocab.loader import load_bundled_if_empty

    other = SQLiteStore(store.path) if isinstance(store, SQLiteStore) else type(store)(store.url)
    barrier = threading.Barrier(2)
    outcomes: list[object] = []

    def first_start(s) -> None:
        assert s.is_empty()
        barrier.wait()
        try:
            outcomes.append(load_bundled_if_empty(s))
        except Exception as exc:  # noqa: BLE001 - the failure is the finding
            outcomes.append(exc)

    threads = [threading.Thread(target=first_start, args=(s,)) for s in (store, other)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    other.close()
    assert sorted(map(str, outcomes)) == ["False", "True"]
    assert {v.version for v in store.current("concept")} == {1}
