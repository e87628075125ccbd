"""The SQL shared by the SQLite and PostgreSQL stores: how it is written and run (parameters, transactions),
and the versioned content with its change log (``ContentStore``). The tables around the content (proposals,
releases, tokens, web sessions) are ``sql_editorial.py``'s, whose ``SQLStore`` the two stores subclass.

Versions and events are appended in one transaction with the rules checked inside it; write
transactions are serialized (SQLite: BEGIN IMMEDIATE, PostgreSQL: an exclusive lock on the events
table), so a base-version check and the write it guards cannot interleave with another writer.
SQL is written once in psycopg's format: ``%s`` for a parameter, ``%%`` for a literal ``%``; PostgreSQL
gets it as it is (so its own ``?`` operators mean what they say), SQLite's connection translates it with
``to_qmark``.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Protocol

import msgspec

from .errors import Conflict, InvalidInput, NotFound
from .model import (
    ConceptVersion,
    EntityKind,
    Event,
    Scheme,
    Version,
    concept_decoder,
    encoder,
    kind_of,
    now,
    scheme_decoder,
    standard_decoder,
)
from .rules import BatchState, Homonym, check_schemes, check_versions, preferred_keys

_DECODERS: dict[str, msgspec.json.Decoder[Any]] = {"concept": concept_decoder, "standard": standard_decoder}


INT64_MAX = 2**63 - 1
# a NUL in JSON text: \u0000 preceded by an even number of backslashes (not an escaped backslash)
_JSON_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")
# events that change what is published; the registry's revision is the newest of them, so comments,
# proposal steps, releases and token events do not move the revision that read models and caches key on
CONTENT_KINDS = "('concept', 'standard', 'scheme')"


_FORMAT_TOKEN = re.compile(r"%(.)|\?", re.DOTALL)


def to_qmark(sql: str) -> str:
    """The store's SQL (``%s`` parameters, ``%%`` a literal ``%``) in SQLite's ``?`` style. A ``?`` in the
    text or any other ``%`` sequence is refused: it would be read differently by the two databases."""

    def token(match: re.Match[str]) -> str:
        if match.group(0) == "%s":
            return "?"
        if match.group(0) == "%%":
            return "%"
        raise ValueError(f"SQL for the store must use %s and %%, not {match.group(0)!r}: {sql}")

    return _FORMAT_TOKEN.sub(token, sql)


def check_params(params: Sequence[Any]) -> None:
    """The store's last line against input no database keeps faithfully: NUL in text (PostgreSQL refuses
    it, SQLite would store it) and integers outside 64 bits (SQLite overflows)."""
    for value in params:
        if isinstance(value, str):
            if "\x00" in value:
                raise InvalidInput("text must not contain the NUL character (U+0000)")
        elif isinstance(value, int):
            if not -INT64_MAX - 1 <= value <= INT64_MAX:
                raise InvalidInput(f"the number {value} is out of range (at most 2^63-1)")
        elif isinstance(value, bytes) and b"\\u0000" in value and _JSON_NUL.search(value):
            raise InvalidInput("text must not contain the NUL character (U+0000)")


class Connection(Protocol):
    """What the store needs of a database connection (sqlite3's, or an adapter)."""

    def execute(self, sql: str, params: Sequence[Any] = ...) -> Any: ...

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> Any: ...

    def close(self) -> None: ...


class ContentStore:
    """Connections and transactions, and the versioned content: schemes, versions, the change log, the
    rules' view of them and time travel. ``sql_editorial.SQLStore`` adds the tables around them."""

    BEGIN = "BEGIN"

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._db: Connection

    def _begin(self, db: Connection) -> None:
        db.execute(self.BEGIN)

    def _before_commit(self, db: Connection) -> None:
        """Last step inside every write transaction (PostgreSQL: tell the other nodes)."""

    def wait_for_change(self, timeout: float) -> bool:
        """Block until another process commits a write (True) or ``timeout`` seconds pass (False).
        Without change notifications (SQLite) this just waits: the caller polls."""
        time.sleep(timeout)
        return False

    @contextmanager
    def _reading(self) -> Iterator[Connection]:
        """A connection for reads (SQLite: the one connection, under the lock)."""
        with self._lock:
            yield self._db

    @contextmanager
    def _transaction(self) -> Iterator[Connection]:
        with self._lock:
            self._begin(self._db)
            try:
                yield self._db
                self._before_commit(self._db)
                self._db.execute("COMMIT")
            except BaseException:
                try:
                    self._db.execute("ROLLBACK")
                except Exception:  # noqa: BLE001 - the database may have rolled back already (disk full)
                    pass
                raise

    # -- reads --------------------------------------------------------------------------------
    def revision(self) -> int:
        """The newest event that changed published content (a version or a scheme)."""
        with self._reading() as db:
            return self._revision(db)

    # a store is empty until it holds an entity, a scheme or a proposal: one begun with
    # ``import --as-proposals`` has only schemes and proposals, and must not get the bundled vocabulary
    _ANYTHING = "SELECT 1 FROM entities UNION ALL SELECT 1 FROM schemes UNION ALL SELECT 1 FROM proposals LIMIT 1"

    def is_empty(self) -> bool:
        with self._reading() as db:
            return db.execute(self._ANYTHING).fetchone() is None

    def schemes(self) -> list[Scheme]:
        with self._reading() as db:
            rows = db.execute("SELECT body FROM schemes ORDER BY id").fetchall()
        return [scheme_decoder.decode(r[0]) for r in rows]

    def current(self, kind: EntityKind) -> list[Version]:
        with self._reading() as db:
            rows = db.execute(
                "SELECT v.body FROM entities e JOIN versions v"
                " ON v.kind = e.kind AND v.id = e.id AND v.version = e.current"
                " WHERE e.kind = %s ORDER BY e.id",
                (kind,),
            ).fetchall()
        decode = _DECODERS[kind].decode
        return [decode(r[0]) for r in rows]

    def current_batches(self, kind: EntityKind, size: int = 5000) -> Iterator[list[Version]]:
        """``current`` in batches of ``size``, each its own short read (keyset paging by id): a rebuild
        decodes and uses one batch while the store stays free for requests between batches."""
        after = ""
        decode = _DECODERS[kind].decode
        while True:
            with self._reading() as db:
                rows = db.execute(
                    "SELECT e.id, v.body FROM entities e JOIN versions v"
                    " ON v.kind = e.kind AND v.id = e.id AND v.version = e.current"
                    " WHERE e.kind = %s AND e.id > %s ORDER BY e.id LIMIT %s",
                    (kind, after, size),
                ).fetchall()
            if not rows:
                return
            yield [decode(r[1]) for r in rows]
            if len(rows) < size:
                return
            after = rows[-1][0]

    def get(self, kind: EntityKind, entity_id: str, version: int | None = None) -> Version:
        with self._reading() as db:
            return self._get(db, kind, entity_id, version)

    @staticmethod
    def _get(db: Connection, kind: EntityKind, entity_id: str, version: int | None = None) -> Version:
        if version is None:
            row = db.execute(
                "SELECT v.body FROM entities e JOIN versions v"
                " ON v.kind = e.kind AND v.id = e.id AND v.version = e.current"
                " WHERE e.kind = %s AND e.id = %s",
                (kind, entity_id),
            ).fetchone()
        else:
            row = db.execute(
                "SELECT body FROM versions WHERE kind = %s AND id = %s AND version = %s",
                (kind, entity_id, version),
            ).fetchone()
        if row is None:
            which = f" version {version}" if version is not None else ""
            raise NotFound(f"no {kind} {entity_id!r}{which}")
        return _DECODERS[kind].decode(row[0])

    def history(self, kind: EntityKind, entity_id: str) -> list[Version]:
        with self._reading() as db:
            rows = db.execute(
                "SELECT body FROM versions WHERE kind = %s AND id = %s ORDER BY version",
                (kind, entity_id),
            ).fetchall()
        if not rows:
            raise NotFound(f"no {kind} {entity_id!r}")
        return [_DECODERS[kind].decode(r[0]) for r in rows]

    def changes_since(self, revision: int, limit: int = 1000, *, include_admin: bool = False) -> list[Event]:
        """Events after ``revision`` (an event's sequence number), oldest first; token events only
        with ``include_admin`` (they name people and roles)."""
        admin = "" if include_admin else " AND kind <> 'token'"
        with self._reading() as db:
            rows = db.execute(
                "SELECT revision, at, actor, action, kind, entity_id, version, note FROM events"
                f" WHERE revision > %s{admin} ORDER BY revision LIMIT %s",
                (revision, limit),
            ).fetchall()
        return [
            Event(revision=r[0], at=r[1], actor=r[2], action=r[3], kind=r[4], entity_id=r[5], version=r[6], note=r[7])
            for r in rows
        ]

    # -- the State view the rules check against (call inside a transaction) ----------------------
    def concept_exists(self, concept_id: str) -> bool:
        with self._reading() as db:
            return db.execute(
                "SELECT 1 FROM entities WHERE kind = 'concept' AND id = %s", (concept_id,)
            ).fetchone() is not None

    def scheme_exists(self, scheme_id: str) -> bool:
        with self._reading() as db:
            return db.execute("SELECT 1 FROM schemes WHERE id = %s", (scheme_id,)).fetchone() is not None

    def preferred_owner(self, scheme_id: str, folded_label: str) -> str | None:
        with self._reading() as db:
            row = db.execute(
                "SELECT concept_id FROM preferred_labels WHERE scheme = %s AND folded = %s", (scheme_id, folded_label)
            ).fetchone()
        return row[0] if row else None

    def held_preferred(self, concept_id: str) -> set[str]:
        with self._reading() as db:
            try:
                current = self._get(db, "concept", concept_id)
            except NotFound:
                return set()
        return preferred_keys(current) if isinstance(current, ConceptVersion) else set()

    def broader_of(self, concept_id: str) -> Sequence[str]:
        with self._reading() as db:
            rows = db.execute("SELECT broader_id FROM broader WHERE concept_id = %s", (concept_id,)).fetchall()
        return [r[0] for r in rows]

    # -- writes -------------------------------------------------------------------------------
    def append(
        self,
        versions: Sequence[Version],
        *,
        actor: str,
        note: str = "",
        schemes: Sequence[Scheme] = (),
        only_if_empty: bool = False,
        imported: bool = False,
    ) -> int:
        at = now()
        with self._transaction() as db:
            # checked inside the write transaction: two first starts at once load the bundle once
            if only_if_empty and db.execute(self._ANYTHING).fetchone() is not None:
                return 0
            self._append_all(db, versions, schemes, actor, note, at, imported=imported)
            return self._revision(db)

    def _append_all(self, db: Connection, versions: Sequence[Version], schemes: Sequence[Scheme],
                    actor: str, note: str, at: str, *, imported: bool = False,
                    homonym_labels: set[str] | None = None) -> None:
        check_schemes(schemes)
        homonyms: list[Homonym] = []  # kept: imported, or held already by the concept an editor revises
        check_versions(versions, BatchState(versions, (s.id for s in schemes), base=self), imported=imported,
                       homonyms=homonyms, homonym_labels=homonym_labels)
        kept = {h.concept for h in homonyms}
        for scheme in schemes:
            db.execute(
                "INSERT INTO schemes (id, body) VALUES (%s, %s)"
                " ON CONFLICT (id) DO UPDATE SET body = excluded.body",
                (scheme.id, encoder.encode(scheme)),
            )
            self._event(db, at, actor, "scheme", "scheme", scheme.id, 1, note)
        dropped: set[tuple[str, str]] = set()
        for version in versions:
            dropped |= self._append_version(db, version, at, actor, note, imported or version.id in kept)
        if dropped:
            self._hand_over(db, dropped)

    @staticmethod
    def _hand_over(db: Connection, dropped: set[tuple[str, str]]) -> None:
        """A preferred label its holder dropped (a revision, a deprecation) passes to a homonym that still has it
        (the first by id), so that the rule that no concept takes a label another one holds keeps guarding it.
        Read once per scheme and write, at the end of the write that dropped them."""
        for scheme in sorted({s for s, _ in dropped}):
            wanted = {key for s, key in dropped if s == scheme}
            free = {key for key in wanted if db.execute(
                "SELECT 1 FROM preferred_labels WHERE scheme = %s AND folded = %s", (scheme, key)).fetchone() is None}
            if not free:
                continue
            rows = db.execute(
                "SELECT e.id, v.body FROM entities e JOIN versions v ON v.kind = e.kind AND v.id = e.id"
                " AND v.version = e.current WHERE e.kind = 'concept' AND e.scheme = %s ORDER BY e.id", (scheme,),
            ).fetchall()
            for concept_id, body in rows:
                concept = concept_decoder.decode(body)
                for key in sorted(preferred_keys(concept) & free) if concept.scheme == scheme else ():
                    db.execute("INSERT INTO preferred_labels (scheme, folded, concept_id) VALUES (%s, %s, %s)",
                               (scheme, key, concept_id))
                    free.discard(key)
                if not free:
                    break

    @staticmethod
    def _revision(db: Connection) -> int:
        row = db.execute(
            f"SELECT revision FROM events WHERE kind IN {CONTENT_KINDS} ORDER BY revision DESC LIMIT 1"
        ).fetchone()
        return row[0] if row else 0

    def _append_version(self, db: Connection, version: Version, at: str, actor: str, note: str,
                        imported: bool = False) -> set[tuple[str, str]]:
        """Write one version; the (scheme, folded label) pairs the concept held and no longer claims."""
        kind = kind_of(version)
        row = db.execute("SELECT current FROM entities WHERE kind = %s AND id = %s", (kind, version.id)).fetchone()
        expected = (row[0] if row else 0) + 1
        if version.version != expected:
            raise Conflict(
                f"{kind} {version.id}: version {version.version} given, but the next version is {expected}",
                field="version",
            )
        previous = self._get(db, kind, version.id) if row else None
        if not version.created or not version.author:
            version = msgspec.structs.replace(version, created=version.created or at, author=version.author or actor)
        action = "create" if previous is None else "revise"
        if isinstance(version, ConceptVersion) and version.status == "deprecated":
            if previous is not None and previous.status != "deprecated":
                action = "deprecate"
        revision = self._event(db, at, actor, action, kind, version.id, version.version, version.change_note or note)
        scheme = version.scheme if isinstance(version, ConceptVersion) else None
        if row:
            db.execute("UPDATE entities SET current = %s, scheme = %s WHERE kind = %s AND id = %s",
                       (version.version, scheme, kind, version.id))
        else:
            db.execute(
                "INSERT INTO entities (kind, id, scheme, current) VALUES (%s, %s, %s, %s)",
                (kind, version.id, scheme, version.version),
            )
        db.execute(
            "INSERT INTO versions (kind, id, version, revision, body) VALUES (%s, %s, %s, %s, %s)",
            (kind, version.id, version.version, revision, encoder.encode(version)),
        )
        dropped: set[tuple[str, str]] = set()
        if isinstance(version, ConceptVersion):
            if row:  # a new concept holds nothing yet: a bulk import asks nothing more
                claims = {(version.scheme, key) for key in preferred_keys(version)}
                held = db.execute("SELECT scheme, folded FROM preferred_labels WHERE concept_id = %s", (version.id,))
                dropped = {(s, key) for s, key in held.fetchall()} - claims
                db.execute("DELETE FROM preferred_labels WHERE concept_id = %s", (version.id,))
            db.executemany(  # a kept homonym (imported, or kept by a revision) leaves the label to its holder
                "INSERT INTO preferred_labels (scheme, folded, concept_id) VALUES (%s, %s, %s)"
                + (" ON CONFLICT (scheme, folded) DO NOTHING" if imported else ""),
                [(version.scheme, key, version.id) for key in preferred_keys(version)],
            )
            db.execute("DELETE FROM broader WHERE concept_id = %s", (version.id,))
            db.executemany(
                "INSERT INTO broader (concept_id, broader_id) VALUES (%s, %s)",
                [(version.id, b) for b in version.broader],
            )
        return dropped

    @staticmethod
    def _event(db: Connection, at: str, actor: str, action: str, kind: str, entity_id: str,
               version: int, note: str) -> int:
        return db.execute(
            "INSERT INTO events (at, actor, action, kind, entity_id, version, note) VALUES (%s, %s, %s, %s, %s, %s, %s)"
            " RETURNING revision",
            (at, actor, action, kind, entity_id, version, note),
        ).fetchone()[0]

    # -- reading the past ---------------------------------------------------------------------
    def get_at(self, kind: EntityKind, entity_id: str, revision: int) -> Version:
        """The version of an entity that was current at ``revision``."""
        with self._reading() as db:
            row = db.execute(
                "SELECT body FROM versions WHERE kind = %s AND id = %s AND revision <= %s"
                " ORDER BY version DESC LIMIT 1",
                (kind, entity_id, revision),
            ).fetchone()
        if row is None:
            raise NotFound(f"no {kind} {entity_id!r} at revision {revision}")
        return _DECODERS[kind].decode(row[0])

    def revision_at(self, when: str) -> int:
        """The newest revision written at or before the ISO time ``when``."""
        with self._reading() as db:
            row = db.execute(
                f"SELECT max(revision) FROM events WHERE at <= %s AND kind IN {CONTENT_KINDS}", (when,)
            ).fetchone()
        return row[0] or 0

    def close(self) -> None:
        with self._lock:
            self._db.close()
