"""Migrations keep existing data; the SQLite and PostgreSQL schemas define the same things."""

from __future__ import annotations

import secrets
import sqlite3

import msgspec
import psycopg
import pytest

from registry import postgres, sqlite
from registry.model import Comment, Proposal, Review
from registry.postgres import PostgresStore
from registry.sqlite import SQLiteStore, _statements
from tests.conftest import POSTGRES_URL

OLD = Proposal(
    id="p-old", kind="create", target_kind="concept", target_id="new-one", base_version=0, author="alice",
    state="changes_requested", created="2025-01-01T00:00:00+00:00", updated="2025-01-02T00:00:00+00:00",
    comments=(Comment(author="bob", at="2025-01-01T01:00:00+00:00", text="第一条"),
              Comment(author="carol", at="2025-01-01T02:00:00+00:00", text="第二条")),
    reviews=(Review(reviewer="bob", at="2025-01-02T00:00:00+00:00", decision="request_changes", comment="改"),),
)
ROW = ("p-old", "concept", "new-one", "changes_requested", "alice", OLD.updated, msgspec.json.encode(OLD))
INSERT = "INSERT INTO proposals (id, target_kind, target_id, state, author, updated, body) VALUES "


def _assert_migrated(store) -> None:
    got = store.get_proposal("p-old")
    assert [c.text for c in got.comments] == ["第一条", "第二条"]
    assert [(r.reviewer, r.decision) for r in got.reviews] == [("bob", "request_changes")]
    assert (got.state, got.content_version, got.author) == ("changes_requested", 1, "alice")
    assert not got.contributors and got.wrote("alice")  # an old proposal: its author wrote it


def test_sqlite_migration_moves_comments_and_reviews_into_rows(tmp_path):
    path = tmp_path / "old.db"
    db = sqlite3.connect(path, isolation_level=None)
    for script in sqlite.MIGRATIONS[:2]:
        for statement in _statements(script):
            db.execute(statement)
    db.execute("PRAGMA user_version=2")
    db.execute(INSERT + "(?, ?, ?, ?, ?, ?, ?)", ROW)
    db.close()
    store = SQLiteStore(path)
    try:
        assert store.schema_version() == len(sqlite.MIGRATIONS)
        _assert_migrated(store)
        body = store._db.execute("SELECT body FROM proposals").fetchone()[0]
        assert b"comments" not in body or msgspec.json.decode(body)["comments"] == []
    finally:
        store.close()


def test_postgres_migration_moves_comments_and_reviews_into_rows():
    schema = f"shuyu_test_{secrets.token_hex(6)}"
    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
        conn.execute(f'SET search_path TO "{schema}"')
        conn.execute("CREATE TABLE shuyu_schema (version INTEGER NOT NULL)")
        for number, script in enumerate(postgres.MIGRATIONS[:2], start=1):
            conn.execute(script)
            conn.execute("INSERT INTO shuyu_schema (version) VALUES (%s)", (number,))
        conn.execute(INSERT + "(%s, %s, %s, %s, %s, %s, %s)", ROW)
    store = PostgresStore(f"{POSTGRES_URL}?schema={schema}")
    try:
        _assert_migrated(store)
    finally:
        store._db.conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
        store.close()


def _sqlite_schema(store: SQLiteStore) -> tuple[dict, set]:
    db = store._db.conn
    tables = [r[0] for r in db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
    columns = {t: {(r[1], bool(r[3])) for r in db.execute(f"PRAGMA table_info({t})")} for t in tables}
    triggers = set()
    for table, sql in db.execute("SELECT tbl_name, sql FROM sqlite_master WHERE type = 'trigger'"):
        for event in ("UPDATE", "DELETE", "INSERT"):
            if f"BEFORE {event} ON" in sql.upper():
                triggers.add((table, event))
    return columns, triggers


def _postgres_schema(store: PostgresStore) -> tuple[dict, set]:
    db = store._db.conn
    columns: dict[str, set] = {}
    for table, column, nullable in db.execute(
        "SELECT table_name, column_name, is_nullable FROM information_schema.columns"
        " WHERE table_schema = %s AND table_name <> 'shuyu_schema'", (store.schema,)
    ):
        # a PRIMARY KEY column counts as NOT NULL in both; SQLite reports only the declared NOT NULL
        columns.setdefault(table, set()).add((column, nullable == "NO"))
    triggers = {(t, e) for t, e in db.execute(
        "SELECT event_object_table, event_manipulation FROM information_schema.triggers WHERE trigger_schema = %s",
        (store.schema,))}
    return columns, triggers


def test_sqlite_and_postgres_define_the_same_tables_columns_and_triggers(sqlite_store, postgres_store):
    sqlite_columns, sqlite_triggers = _sqlite_schema(sqlite_store)
    pg_columns, pg_triggers = _postgres_schema(postgres_store)
    names = lambda cols: {t: {c for c, _ in cs} for t, cs in cols.items()}  # noqa: E731
    assert names(sqlite_columns) == names(pg_columns)
    pk = {t: {c for c, _ in cs} for t, cs in pg_columns.items()}
    # NOT NULL agrees, apart from primary-key columns (implicitly NOT NULL on PostgreSQL)
    for table in pg_columns:
        pk_cols = _primary_key(sqlite_store, table)
        assert {(c, n) for c, n in sqlite_columns[table] if c not in pk_cols} == \
               {(c, n) for c, n in pg_columns[table] if c not in pk_cols}, table
        assert pk_cols <= pk[table]
    assert sqlite_triggers == pg_triggers
    assert {("events", "DELETE"), ("events", "UPDATE"), ("versions", "DELETE"), ("versions", "UPDATE")} <= pg_triggers


def _primary_key(store: SQLiteStore, table: str) -> set[str]:
    return {r[1] for r in store._db.conn.execute(f"PRAGMA table_info({table})") if r[5]}


@pytest.mark.parametrize("sql", ["DELETE FROM events", "UPDATE events SET actor = 'mallory'"])
def test_the_change_log_is_append_only_on_sqlite_too(sqlite_store, sql):
    from tests.conftest import SCHEME, concept

    sqlite_store.append([concept("a-1", "甲")], actor="t", schemes=[SCHEME])
    with pytest.raises(sqlite3.IntegrityError, match="never deleted|immutable"):
        sqlite_store._db.conn.execute(sql)
    assert len(sqlite_store.changes_since(0)) == 2
