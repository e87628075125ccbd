"""The embedded store: one SQLite file in WAL mode (the default; nothing to set up)."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .errors import StoreError
from .sql import check_params, to_qmark
from .sql_editorial import SQLStore

# Forward migrations; the schema version is the number of scripts applied. Never edit a shipped one.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE schemes (id TEXT PRIMARY KEY, body BLOB NOT NULL);
    CREATE TABLE entities (
        kind TEXT NOT NULL, id TEXT NOT NULL, scheme TEXT, current INTEGER NOT NULL,
        PRIMARY KEY (kind, id)
    );
    CREATE TABLE versions (
        kind TEXT NOT NULL, id TEXT NOT NULL, version INTEGER NOT NULL,
        revision INTEGER NOT NULL REFERENCES events (revision), body BLOB NOT NULL,
        PRIMARY KEY (kind, id, version),
        FOREIGN KEY (kind, id) REFERENCES entities (kind, id)
    );
    CREATE TABLE events (
        revision INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, actor TEXT NOT NULL,
        action TEXT NOT NULL, kind TEXT NOT NULL, entity_id TEXT NOT NULL, version INTEGER NOT NULL,
        note TEXT NOT NULL DEFAULT ''
    );
    -- derived from current versions, kept in the same transaction, so rules are checked by query
    CREATE TABLE preferred_labels (
        scheme TEXT NOT NULL, folded TEXT NOT NULL, concept_id TEXT NOT NULL,
        PRIMARY KEY (scheme, folded)
    );
    CREATE TABLE broader (
        concept_id TEXT NOT NULL, broader_id TEXT NOT NULL, PRIMARY KEY (concept_id, broader_id)
    );
    CREATE TRIGGER versions_immutable BEFORE UPDATE ON versions
        BEGIN SELECT RAISE(ABORT, 'versions are immutable'); END;
    CREATE TRIGGER versions_kept BEFORE DELETE ON versions
        BEGIN SELECT RAISE(ABORT, 'versions are never deleted'); END;
    CREATE TRIGGER events_immutable BEFORE UPDATE ON events
        BEGIN SELECT RAISE(ABORT, 'events are immutable'); END;
    """,
    """
    CREATE TABLE proposals (
        id TEXT PRIMARY KEY, target_kind TEXT NOT NULL, target_id TEXT NOT NULL, state TEXT NOT NULL,
        author TEXT NOT NULL, updated TEXT NOT NULL, body BLOB NOT NULL
    );
    CREATE INDEX proposals_state ON proposals (state, updated);
    CREATE TABLE releases (tag TEXT PRIMARY KEY, revision INTEGER NOT NULL, body BLOB NOT NULL);
    CREATE TABLE tokens (
        id TEXT PRIMARY KEY, hash TEXT NOT NULL UNIQUE, revoked TEXT, body BLOB NOT NULL
    );
    CREATE INDEX versions_by_revision ON versions (kind, id, revision);
    CREATE INDEX events_by_time ON events (at);
    CREATE INDEX preferred_labels_by_concept ON preferred_labels (concept_id);
    """,
    # 3: comments and reviews become append-only rows (moved out of the proposal bodies by
    # sql_editorial.SQLStore._move_rows_out_of_bodies); the proposal's content revision; the change log refuses DELETE
    """
    ALTER TABLE proposals ADD COLUMN content_version INTEGER NOT NULL DEFAULT 1;
    CREATE TABLE proposal_comments (
        seq INTEGER PRIMARY KEY AUTOINCREMENT, proposal_id TEXT NOT NULL REFERENCES proposals (id),
        at TEXT NOT NULL, body BLOB NOT NULL
    );
    CREATE TABLE proposal_reviews (
        seq INTEGER PRIMARY KEY AUTOINCREMENT, proposal_id TEXT NOT NULL REFERENCES proposals (id),
        at TEXT NOT NULL, body BLOB NOT NULL
    );
    CREATE INDEX proposal_comments_by_proposal ON proposal_comments (proposal_id, seq);
    CREATE INDEX proposal_reviews_by_proposal ON proposal_reviews (proposal_id, seq);
    CREATE TRIGGER events_kept BEFORE DELETE ON events
        BEGIN SELECT RAISE(ABORT, 'events are never deleted'); END;
    CREATE TRIGGER proposal_comments_immutable BEFORE UPDATE ON proposal_comments
        BEGIN SELECT RAISE(ABORT, 'comments are immutable'); END;
    CREATE TRIGGER proposal_comments_kept BEFORE DELETE ON proposal_comments
        BEGIN SELECT RAISE(ABORT, 'comments are never deleted'); END;
    CREATE TRIGGER proposal_reviews_immutable BEFORE UPDATE ON proposal_reviews
        BEGIN SELECT RAISE(ABORT, 'reviews are immutable'); END;
    CREATE TRIGGER proposal_reviews_kept BEFORE DELETE ON proposal_reviews
        BEGIN SELECT RAISE(ABORT, 'reviews are never deleted'); END;
    """,
    # 4: the web sessions of signed-in people, in the store so that every node knows them
    """
    CREATE TABLE web_sessions (id TEXT PRIMARY KEY, expires BIGINT NOT NULL, body BLOB NOT NULL);
    CREATE INDEX web_sessions_by_expiry ON web_sessions (expires);
    """,
)
# Python steps that move data when a migration changes where it lives, by migration number
DATA_STEPS = {3: "_move_rows_out_of_bodies"}


class _Connection:
    """sqlite3's connection behind the store's checks: NUL and 64-bit bounds refused as InvalidInput,
    a database that cannot be written (read-only, disk full, I/O error) reported as StoreError."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def execute(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        check_params(params)
        try:
            return self.conn.execute(to_qmark(sql), params)
        except sqlite3.OperationalError as exc:
            raise StoreError(f"the SQLite store cannot be used: {exc}") from None

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        for row in rows:
            check_params(row)
        try:
            self.conn.executemany(to_qmark(sql), rows)
        except sqlite3.OperationalError as exc:
            raise StoreError(f"the SQLite store cannot be used: {exc}") from None

    def close(self) -> None:
        self.conn.close()



class SQLiteStore(SQLStore):
    BEGIN = "BEGIN IMMEDIATE"  # take the write lock at once: writers queue instead of failing later

    def __init__(self, path: str | Path, *, create: bool = True) -> None:
        super().__init__()
        self.path = Path(path)
        if not create and not self.path.is_file():
            raise StoreError(f"there is no store at {self.path}")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = _Connection(sqlite3.connect(self.path, check_same_thread=False, isolation_level=None))
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA foreign_keys=ON")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute("PRAGMA busy_timeout=10000")
            self._migrate()
        except (sqlite3.Error, StoreError) as exc:
            raise StoreError(f"cannot open SQLite store {self.path}: {exc}") from None

    # -- schema -------------------------------------------------------------------------------
    def schema_version(self) -> int:
        return self._db.execute("PRAGMA user_version").fetchone()[0]

    def _migrate(self) -> None:
        with self._transaction():
            current = self.schema_version()
            for number, script in enumerate(MIGRATIONS[current:], start=current + 1):
                for statement in _statements(script):
                    self._db.execute(statement)
                if number in DATA_STEPS:
                    getattr(self, DATA_STEPS[number])(self._db)
                self._db.execute(f"PRAGMA user_version={number}")


def _statements(script: str) -> list[str]:
    """Split a migration into statements, keeping trigger bodies whole."""
    statements, buffer = [], []
    for line in script.splitlines():
        if line.strip().startswith("--") or not line.strip():
            continue
        buffer.append(line)
        joined = "\n".join(buffer)
        if joined.rstrip().endswith(";") and sqlite3.complete_statement(joined):
            statements.append(joined)
            buffer = []
    return statements
