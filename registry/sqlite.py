"""The embedded store: one SQLite file in WAL mode, versions and events appended in one transaction."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

import msgspec

from .errors import Conflict, NotFound, StoreError
from .model import (
    ConceptVersion,
    EntityKind,
    Event,
    Scheme,
    Version,
    concept_decoder,
    encoder,
    kind_of,
    scheme_decoder,
    standard_decoder,
)
from .rules import BatchState, check_versions, preferred_keys

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
)

_DECODERS = {"concept": concept_decoder, "standard": standard_decoder}


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class SQLiteStore:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._lock = threading.RLock()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA foreign_keys=ON")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute("PRAGMA busy_timeout=10000")
            self._migrate()
        except sqlite3.Error as exc:
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
                self._db.execute(f"PRAGMA user_version={number}")

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            else:
                self._db.execute("COMMIT")

    # -- reads --------------------------------------------------------------------------------
    def revision(self) -> int:
        with self._lock:
            row = self._db.execute("SELECT max(revision) FROM events").fetchone()
        return row[0] or 0

    def is_empty(self) -> bool:
        with self._lock:
            return self._db.execute("SELECT 1 FROM entities LIMIT 1").fetchone() is None

    def schemes(self) -> list[Scheme]:
        with self._lock:
            rows = self._db.execute("SELECT body FROM schemes ORDER BY id").fetchall()
        return [scheme_decoder.decode(r[0]) for r in rows]

    def current(self, kind: EntityKind) -> list[Version]:
        with self._lock:
            rows = self._db.execute(
                "SELECT v.body FROM entities e JOIN versions v"
                " ON v.kind = e.kind AND v.id = e.id AND v.version = e.current"
                " WHERE e.kind = ? ORDER BY e.id",
                (kind,),
            ).fetchall()
        decode = _DECODERS[kind].decode
        return [decode(r[0]) for r in rows]

    def get(self, kind: EntityKind, entity_id: str, version: int | None = None) -> Version:
        with self._lock:
            if version is None:
                row = self._db.execute(
                    "SELECT v.body FROM entities e JOIN versions v"
                    " ON v.kind = e.kind AND v.id = e.id AND v.version = e.current"
                    " WHERE e.kind = ? AND e.id = ?",
                    (kind, entity_id),
                ).fetchone()
            else:
                row = self._db.execute(
                    "SELECT body FROM versions WHERE kind = ? AND id = ? AND version = ?",
                    (kind, entity_id, version),
                ).fetchone()
        if row is None:
            which = f" version {version}" if version is not None else ""
            raise NotFound(f"no {kind} {entity_id!r}{which}")
        return _DECODERS[kind].decode(row[0])

    def history(self, kind: EntityKind, entity_id: str) -> list[Version]:
        with self._lock:
            rows = self._db.execute(
                "SELECT body FROM versions WHERE kind = ? AND id = ? ORDER BY version",
                (kind, entity_id),
            ).fetchall()
        if not rows:
            raise NotFound(f"no {kind} {entity_id!r}")
        return [_DECODERS[kind].decode(r[0]) for r in rows]

    def changes_since(self, revision: int, limit: int = 1000) -> list[Event]:
        with self._lock:
            rows = self._db.execute(
                "SELECT revision, at, actor, action, kind, entity_id, version, note FROM events"
                " WHERE revision > ? ORDER BY revision LIMIT ?",
                (revision, limit),
            ).fetchall()
        return [
            Event(revision=r[0], at=r[1], actor=r[2], action=r[3], kind=r[4], entity_id=r[5], version=r[6], note=r[7])
            for r in rows
        ]

    # -- the State view the rules check against (call inside a transaction) ----------------------
    def concept_exists(self, concept_id: str) -> bool:
        return self._db.execute(
            "SELECT 1 FROM entities WHERE kind = 'concept' AND id = ?", (concept_id,)
        ).fetchone() is not None

    def scheme_exists(self, scheme_id: str) -> bool:
        return self._db.execute("SELECT 1 FROM schemes WHERE id = ?", (scheme_id,)).fetchone() is not None

    def preferred_owner(self, scheme_id: str, folded_label: str) -> str | None:
        row = self._db.execute(
            "SELECT concept_id FROM preferred_labels WHERE scheme = ? AND folded = ?", (scheme_id, folded_label)
        ).fetchone()
        return row[0] if row else None

    def broader_of(self, concept_id: str) -> Sequence[str]:
        rows = self._db.execute("SELECT broader_id FROM broader WHERE concept_id = ?", (concept_id,))
        return [r[0] for r in rows]

    # -- writes -------------------------------------------------------------------------------
    def append(
        self,
        versions: Sequence[Version],
        *,
        actor: str,
        note: str = "",
        schemes: Sequence[Scheme] = (),
    ) -> int:
        at = now()
        with self._transaction() as db:
            check_versions(versions, BatchState(versions, (s.id for s in schemes), base=self))
            for scheme in schemes:
                db.execute(
                    "INSERT INTO schemes (id, body) VALUES (?, ?)"
                    " ON CONFLICT (id) DO UPDATE SET body = excluded.body",
                    (scheme.id, encoder.encode(scheme)),
                )
                self._event(db, at, actor, "scheme", "scheme", scheme.id, 1, note)
            for version in versions:
                self._append_version(db, version, at, actor, note)
            return db.execute("SELECT max(revision) FROM events").fetchone()[0] or 0

    def _append_version(self, db: sqlite3.Connection, version: Version, at: str, actor: str, note: str) -> None:
        kind = kind_of(version)
        row = db.execute("SELECT current FROM entities WHERE kind = ? AND id = ?", (kind, version.id)).fetchone()
        expected = (row[0] if row else 0) + 1
        if version.version != expected:
            raise Conflict(
                f"{kind} {version.id}: version {version.version} given, but the next version is {expected}",
                field="version",
            )
        previous = self.get(kind, version.id) if row else None
        if not version.created or not version.author:
            version = msgspec.structs.replace(version, created=version.created or at, author=version.author or actor)
        action = "create" if previous is None else "revise"
        if isinstance(version, ConceptVersion) and version.status == "deprecated":
            if previous is not None and previous.status != "deprecated":
                action = "deprecate"
        revision = self._event(db, at, actor, action, kind, version.id, version.version, version.change_note or note)
        scheme = version.scheme if isinstance(version, ConceptVersion) else None
        if row:
            db.execute("UPDATE entities SET current = ? WHERE kind = ? AND id = ?", (version.version, kind, version.id))
        else:
            db.execute(
                "INSERT INTO entities (kind, id, scheme, current) VALUES (?, ?, ?, ?)",
                (kind, version.id, scheme, version.version),
            )
        db.execute(
            "INSERT INTO versions (kind, id, version, revision, body) VALUES (?, ?, ?, ?, ?)",
            (kind, version.id, version.version, revision, encoder.encode(version)),
        )
        if isinstance(version, ConceptVersion):
            db.execute("DELETE FROM preferred_labels WHERE concept_id = ?", (version.id,))
            db.executemany(
                "INSERT INTO preferred_labels (scheme, folded, concept_id) VALUES (?, ?, ?)",
                [(version.scheme, key, version.id) for key in preferred_keys(version)],
            )
            db.execute("DELETE FROM broader WHERE concept_id = ?", (version.id,))
            db.executemany(
                "INSERT INTO broader (concept_id, broader_id) VALUES (?, ?)",
                [(version.id, b) for b in version.broader],
            )

    @staticmethod
    def _event(db: sqlite3.Connection, at: str, actor: str, action: str, kind: str, entity_id: str,
               version: int, note: str) -> int:
        cursor = db.execute(
            "INSERT INTO events (at, actor, action, kind, entity_id, version, note) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (at, actor, action, kind, entity_id, version, note),
        )
        return cursor.lastrowid

    def close(self) -> None:
        with self._lock:
            self._db.close()


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
