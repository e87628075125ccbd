"""The store contract, against SQLite and PostgreSQL: versions and events appended together, rules
enforced, nothing half-written."""

from __future__ import annotations

import sqlite3

import pytest

from registry.errors import Conflict, NotFound, RuleViolation
from registry.model import StandardVersion, Term
from registry.sqlite import MIGRATIONS, SQLiteStore
from registry.store import open_store
from tests.conftest import SCHEME, concept


def test_new_store_is_empty_with_its_schema_version(store):
    assert store.is_empty()
    assert store.revision() == 0
    assert store.schema_version() == len(MIGRATIONS)


def test_sqlite_runs_in_wal_with_foreign_keys(sqlite_store):
    assert sqlite_store._db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert sqlite_store._db.execute("PRAGMA foreign_keys").fetchone()[0] == 1


def test_append_writes_versions_and_one_event_each(store):
    revision = store.append([concept("a-1", "数字乡村"), concept("b-1", "智慧农业")], actor="alice", schemes=[SCHEME])
    assert revision == 3  # one scheme event, two concept events
    assert [c.id for c in store.current("concept")] == ["a-1", "b-1"]
    events = store.changes_since(0)
    assert [(e.revision, e.action, e.kind, e.entity_id) for e in events] == [
        (1, "scheme", "scheme", "test-scheme"),
        (2, "create", "concept", "a-1"),
        (3, "create", "concept", "b-1"),
    ]
    assert all(e.actor == "alice" for e in events)
    assert store.get("concept", "a-1").author == "alice"


def test_revision_keeps_old_versions_readable(store):
    store.append([concept("a-1", "数字乡村", definition="旧")], actor="alice", schemes=[SCHEME])
    store.append([concept("a-1", "数字乡村", version=2, definition="新")], actor="bob")
    assert store.get("concept", "a-1").definition == "新"
    assert store.get("concept", "a-1", 1).definition == "旧"
    assert [v.version for v in store.history("concept", "a-1")] == [1, 2]
    assert store.changes_since(2)[0].action == "revise"


def test_deprecation_is_recorded_as_such(store):
    store.append([concept("a-1", "旧词"), concept("b-1", "新词")], actor="alice", schemes=[SCHEME])
    store.append([concept("a-1", "旧词", version=2, status="deprecated", replaced_by=("b-1",))], actor="bob")
    assert store.changes_since(3)[0].action == "deprecate"


@pytest.mark.parametrize("version", [1, 3])
def test_a_version_out_of_sequence_is_a_conflict(store, version):
    store.append([concept("a-1", "数字乡村")], actor="alice", schemes=[SCHEME])
    with pytest.raises(Conflict, match="next version is 2"):
        store.append([concept("a-1", "数字乡村", version=version)], actor="bob")
    assert store.revision() == 2


def test_preferred_label_unique_after_traditional_folding(store):
    store.append([concept("a-1", "数字乡村")], actor="alice", schemes=[SCHEME])
    with pytest.raises(RuleViolation, match="already the preferred label of a-1"):
        store.append([concept("b-1", "數字鄉村")], actor="bob")
    with pytest.raises(RuleViolation):
        store.append([concept("b-1", "数字乡村 ")], actor="bob")  # width and space folding too


def test_same_preferred_label_in_another_scheme_is_allowed(store):
    other = SCHEME.__class__(id="other-scheme", title="另一方案")
    store.append([concept("a-1", "数字乡村")], actor="alice", schemes=[SCHEME, other])
    store.append([concept("b-1", "数字乡村", scheme="other-scheme")], actor="alice")
    assert len(store.current("concept")) == 2


def test_a_revision_may_keep_its_own_preferred_label(store):
    store.append([concept("a-1", "数字乡村")], actor="alice", schemes=[SCHEME])
    store.append([concept("a-1", "数字乡村", version=2, definition="更新")], actor="bob")
    assert store.revision() == 3
    with pytest.raises(RuleViolation):
        store.append([concept("b-1", "数字乡村")], actor="bob")  # the label is still a-1's


@pytest.mark.parametrize(
    "bad, message",
    [
        (dict(broader=("missing",)), "broader names unknown concept"),
        (dict(related=("missing",)), "related names unknown concept"),
        (dict(replaced_by=("missing",)), "replaced_by names unknown concept"),
        (dict(grade_factors=("missing",)), "grade_factors names unknown concept"),
        (dict(broader=("b-1",)), "points at itself"),
    ],
)
def test_relations_must_resolve(store, bad, message):
    with pytest.raises(RuleViolation, match=message):
        store.append([concept("b-1", "甲", **bad)], actor="alice", schemes=[SCHEME])
    assert store.is_empty() and store.revision() == 0  # nothing of the batch, not even the scheme


def test_broader_cycle_is_refused(store):
    store.append([concept("a-1", "甲"), concept("b-1", "乙", broader=("a-1",))], actor="alice", schemes=[SCHEME])
    with pytest.raises(RuleViolation, match="cycle"):
        store.append([concept("a-1", "甲", version=2, broader=("b-1",))], actor="bob")
    assert store.get("concept", "a-1").broader == ()


def test_exactly_one_preferred_chinese_term(store):
    two = concept("a-1", "甲", terms=(Term(text="乙", type="preferred"),))
    with pytest.raises(RuleViolation, match="exactly one preferred"):
        store.append([two], actor="alice", schemes=[SCHEME])


def test_unknown_scheme_is_refused(store):
    with pytest.raises(RuleViolation, match="unknown scheme"):
        store.append([concept("a-1", "甲", scheme="nope")], actor="alice")


def test_standard_links_must_resolve_and_standards_are_versioned(store):
    store.append([concept("a-1", "甲")], actor="alice", schemes=[SCHEME])
    with pytest.raises(RuleViolation, match="unknown concept"):
        store.append([StandardVersion(id="s-1", title="标准", concepts=("zz",))], actor="alice")
    store.append([StandardVersion(id="s-1", title="标准", status="drafting", concepts=("a-1",))], actor="alice")
    store.append([StandardVersion(id="s-1", version=2, title="标准", status="in_force")], actor="bob")
    assert store.get("standard", "s-1").status == "in_force"
    assert store.get("standard", "s-1", 1).status == "drafting"


def test_versions_and_events_cannot_be_changed_in_sqlite(sqlite_store):
    sqlite_store.append([concept("a-1", "甲")], actor="alice", schemes=[SCHEME])
    with pytest.raises(sqlite3.IntegrityError, match="immutable"):
        sqlite_store._db.execute("UPDATE versions SET body = x'00'")
    with pytest.raises(sqlite3.IntegrityError, match="never deleted"):
        sqlite_store._db.execute("DELETE FROM versions")
    with pytest.raises(sqlite3.IntegrityError, match="immutable"):
        sqlite_store._db.execute("UPDATE events SET actor = 'mallory'")


def test_versions_and_events_cannot_be_changed_in_postgres(postgres_store):
    import psycopg

    postgres_store.append([concept("a-1", "甲")], actor="alice", schemes=[SCHEME])
    for sql in ("UPDATE versions SET body = '\\x00'", "DELETE FROM versions", "UPDATE events SET actor = 'mallory'",
                "DELETE FROM events"):
        with pytest.raises(psycopg.errors.RaiseException, match="immutable"):
            postgres_store._db.execute(sql)
    assert postgres_store.get("concept", "a-1").author == "alice"


def test_postgres_tells_a_bad_url_in_one_line():
    from registry.errors import InvalidInput, StoreError
    from registry.store import open_store

    with pytest.raises(StoreError, match="cannot connect to PostgreSQL"):
        open_store("postgresql://nobody@127.0.0.1:1/none")
    with pytest.raises(InvalidInput, match="schema"):
        open_store("postgresql://postgres@127.0.0.1:5432/test?schema=Bad-Name")


def test_unknown_ids_raise_not_found(store):
    with pytest.raises(NotFound):
        store.get("concept", "nope")
    with pytest.raises(NotFound):
        store.history("concept", "nope")


def test_changes_since_pages_through_the_log(store):
    store.append([concept(f"c-{i}", f"词{i}") for i in range(5)], actor="alice", schemes=[SCHEME])
    first = store.changes_since(0, limit=2)
    rest = store.changes_since(first[-1].revision)
    assert [e.revision for e in first + rest] == [1, 2, 3, 4, 5, 6]


def test_reopening_keeps_everything_and_does_not_migrate_again(tmp_path):
    path = tmp_path / "r.db"
    first = open_store(f"sqlite:///{path}")
    first.append([concept("a-1", "甲")], actor="alice", schemes=[SCHEME])
    first.close()
    again = SQLiteStore(path)
    assert again.revision() == 2 and again.schema_version() == len(MIGRATIONS)
    again.close()


@pytest.mark.parametrize("size", [1, 2, 3, 5000])
def test_current_in_batches_is_current_in_order(store, size):
    store.append([concept(f"c-{n}", f"术语{n}") for n in (3, 1, 10, 2, 20)], actor="alice", schemes=[SCHEME])
    store.append([concept("c-2", "术语2", version=2, definition="新")], actor="bob")
    batches = list(store.current_batches("concept", size))
    assert all(0 < len(batch) <= size for batch in batches)
    assert [v for batch in batches for v in batch] == store.current("concept")
    assert [(v.id, v.version) for batch in batches for v in batch][:2] == [("c-1", 1), ("c-10", 1)]
    assert list(store.current_batches("standard", size)) == []
