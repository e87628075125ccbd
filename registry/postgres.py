"""The PostgreSQL store: the same tables and queries as SQLite, for several API nodes on one database.

Chosen by URL: ``postgresql://user@host:port/dbname``; an extra ``schema=NAME`` query parameter keeps
shuyu's tables in their own schema (created if missing). Write transactions are serialized with a
transaction-level advisory lock, the equivalent of SQLite's BEGIN IMMEDIATE.
"""

from __future__ import annotations

import os
import re
import secrets
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import psycopg
from psycopg_pool import ConnectionPool, PoolTimeout

from .errors import InvalidInput, StoreError
from .sql import ContentStore, check_params
from .sql_editorial import SQLStore

POOL_SIZE = 40  # connections a node may open (one at rest; more only while requests wait on the store)
POOL_TIMEOUT = 5.0  # seconds a request waits for a connection before it is 503 store-unavailable
# seconds the pool keeps retrying one lost connection (backing off 1, 2, ... s) before it gives up and
# leaves the next request to start again: psycopg_pool's default (5 min) backs off to waits of 30 s and
# more, so a node came back half a minute after a 30 s database restart (tests/nodes/test_pg_restart.py)
RECONNECT_TIMEOUT = 3.0
WRITE_LOCK = 0x5368_7579  # "Shuy": the advisory lock every shuyu writer takes

MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE schemes (id TEXT PRIMARY KEY, body BYTEA NOT NULL);
    CREATE TABLE entities (
        kind TEXT NOT NULL, id TEXT NOT NULL, scheme TEXT, current INTEGER NOT NULL,
        PRIMARY KEY (kind, id)
    );
    CREATE TABLE events (
        revision BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, at TEXT NOT NULL, actor TEXT NOT NULL,
        action TEXT NOT NULL, kind TEXT NOT NULL, entity_id TEXT NOT NULL, version INTEGER NOT NULL,
        note TEXT NOT NULL DEFAULT ''
    );
    CREATE TABLE versions (
        kind TEXT NOT NULL, id TEXT NOT NULL, version INTEGER NOT NULL,
        revision BIGINT NOT NULL REFERENCES events (revision), body BYTEA NOT NULL,
        PRIMARY KEY (kind, id, version),
        FOREIGN KEY (kind, id) REFERENCES entities (kind, id)
    );
    CREATE TABLE preferred_labels (
        scheme TEXT NOT NULL, folded TEXT NOT NULL, concept_id TEXT NOT NULL,
        PRIMARY KEY (scheme, folded)
    );
    CREATE TABLE broader (
        concept_id TEXT NOT NULL, broader_id TEXT NOT NULL, PRIMARY KEY (concept_id, broader_id)
    );
    CREATE FUNCTION shuyu_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION '% are immutable and never deleted', TG_TABLE_NAME; END $$;
    CREATE TRIGGER versions_immutable BEFORE UPDATE OR DELETE ON versions
        FOR EACH ROW EXECUTE FUNCTION shuyu_refuse_change();
    CREATE TRIGGER events_immutable BEFORE UPDATE OR DELETE ON events
        FOR EACH ROW EXECUTE FUNCTION shuyu_refuse_change();
    """,
    """
    CREATE TABLE proposals (
        id TEXT PRIMARY KEY, target_kind TEXT NOT NULL, target_id TEXT NOT NULL, state TEXT NOT NULL,
        author TEXT NOT NULL, updated TEXT NOT NULL, body BYTEA NOT NULL
    );
    CREATE INDEX proposals_state ON proposals (state, updated);
    CREATE TABLE releases (tag TEXT PRIMARY KEY, revision BIGINT NOT NULL, body BYTEA NOT NULL);
    CREATE TABLE tokens (id TEXT PRIMARY KEY, hash TEXT NOT NULL UNIQUE, revoked TEXT, body BYTEA NOT NULL);
    CREATE INDEX versions_by_revision ON versions (kind, id, revision);
    CREATE INDEX events_by_time ON events (at);
    CREATE INDEX preferred_labels_by_concept ON preferred_labels (concept_id);
    """,
    # 3: as in SQLite (registry/sqlite.py); events already refuse DELETE here
    """
    ALTER TABLE proposals ADD COLUMN content_version INTEGER NOT NULL DEFAULT 1;
    CREATE TABLE proposal_comments (
        seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, proposal_id TEXT NOT NULL REFERENCES proposals (id),
        at TEXT NOT NULL, body BYTEA NOT NULL
    );
    CREATE TABLE proposal_reviews (
        seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, proposal_id TEXT NOT NULL REFERENCES proposals (id),
        at TEXT NOT NULL, body BYTEA NOT NULL
    );
    CREATE INDEX proposal_comments_by_proposal ON proposal_comments (proposal_id, seq);
    CREATE INDEX proposal_reviews_by_proposal ON proposal_reviews (proposal_id, seq);
    CREATE TRIGGER proposal_comments_immutable BEFORE UPDATE OR DELETE ON proposal_comments
        FOR EACH ROW EXECUTE FUNCTION shuyu_refuse_change();
    CREATE TRIGGER proposal_reviews_immutable BEFORE UPDATE OR DELETE ON proposal_reviews
        FOR EACH ROW EXECUTE FUNCTION shuyu_refuse_change();
    """,
    # 4: as in SQLite
    """
    CREATE TABLE web_sessions (id TEXT PRIMARY KEY, expires BIGINT NOT NULL, body BYTEA NOT NULL);
    CREATE INDEX web_sessions_by_expiry ON web_sessions (expires);
    """,
)
DATA_STEPS = {3: "_move_rows_out_of_bodies"}
# errors that say the database cannot be used now (gone, read-only, out of disk), not that a query is wrong
UNAVAILABLE = (psycopg.OperationalError, psycopg.errors.ReadOnlySqlTransaction,
               psycopg.errors.InsufficientResources)


class _Connection:
    """psycopg's connection, taking the store's SQL as it is (psycopg's ``%s`` format) and returning plain bytes for BYTEA.

    When the database drops it (a restart, ``pg_terminate_backend``) the statement fails with
    ``StoreError`` (503 store-unavailable), and the next statement connects again: the node recovers
    by itself once the database is back."""

    def __init__(self, conn: psycopg.Connection, reconnect: Callable[[], psycopg.Connection] | None = None) -> None:
        self.conn = conn
        self._connect = reconnect  # None for a pool's connection: the pool replaces broken ones

    def _live(self) -> psycopg.Connection:
        if self._connect is not None and (self.conn.closed or self.conn.broken):
            try:
                self.conn = self._connect()
            except psycopg.Error as exc:
                raise StoreError(f"cannot connect to PostgreSQL: {_first_line(exc)}") from None
        return self.conn

    def execute(self, sql: str, params: Sequence[Any] = ()) -> psycopg.Cursor:
        check_params(params)
        conn = self._live()
        try:
            return conn.execute(sql, params)
        except UNAVAILABLE as exc:
            raise StoreError(f"the PostgreSQL store cannot be used: {_first_line(exc)}") from None

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        for row in rows:
            check_params(row)
        if rows:
            conn = self._live()
            try:
                with conn.cursor() as cursor:
                    cursor.executemany(sql, rows)
            except UNAVAILABLE as exc:
                raise StoreError(f"the PostgreSQL store cannot be used: {_first_line(exc)}") from None

    def close(self) -> None:
        self.conn.close()


def _first_line(exc: Exception) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def _split_url(url: str) -> tuple[str, str | None]:
    """The connection URL without shuyu's ``schema`` parameter, and that schema."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query)
    schema = next((v for k, v in query if k == "schema"), None)
    rest = urlencode([(k, v) for k, v in query if k != "schema"])
    if schema is not None and not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", schema):
        raise InvalidInput(f"schema must be a lower-case SQL name, not {schema!r}", field="store_url")
    return urlunsplit(parts._replace(query=rest)), schema


class PostgresStore(SQLStore):
    def __init__(self, url: str, *, create: bool = True) -> None:
        super().__init__()
        self.url = url
        self._conninfo, self.schema = _split_url(url)
        # every committed write notifies this channel; nodes LISTEN on it (one channel per schema)
        self.channel = f"shuyu_changes_{self.schema or 'public'}"
        self._listener: psycopg.Connection | None = None
        self._listener_lock = threading.Lock()
        self._closing = False
        self.application_name = f"shuyu {os.getpid()} {secrets.token_hex(4)}"  # finds this store's connections
        try:
            # the housekeeping connection (migrations); reads and writes take one from the pool
            self._db = _Connection(self._connect(), self._connect)
        except psycopg.Error as exc:
            raise StoreError(f"cannot connect to PostgreSQL: {_first_line(exc)}") from None
        conn = self._db.conn
        try:
            if not create and conn.execute("SELECT to_regclass('shuyu_schema')").fetchone()[0] is None:  # type: ignore[index]
                raise StoreError(f"there is no store in PostgreSQL schema {self.schema or 'public'}")
            self._migrate()
        except StoreError:
            conn.close()
            raise
        except psycopg.Error as exc:
            conn.close()
            raise StoreError(f"cannot prepare the PostgreSQL store: {exc}") from None
        self._pool = ConnectionPool(
            self._conninfo, min_size=1, max_size=POOL_SIZE, timeout=POOL_TIMEOUT, max_idle=60,
            reconnect_timeout=RECONNECT_TIMEOUT,
            kwargs={"autocommit": True, "connect_timeout": 10, "application_name": self.application_name},
            configure=self._configure, check=ConnectionPool.check_connection, open=False,
            name=self.application_name,
        )
        try:
            self._pool.open(wait=True, timeout=POOL_TIMEOUT)
        except PoolTimeout:
            self._pool.close()
            conn.close()
            raise StoreError("cannot connect to PostgreSQL: no connection for the pool") from None

    def _configure(self, conn: psycopg.Connection) -> None:
        if self.schema:
            conn.execute(f'SET search_path TO "{self.schema}"')

    @contextmanager
    def _reading(self) -> Iterator[_Connection]:
        """A connection of the pool: reads run side by side, and beside a write. A connection the
        database dropped is found by the pool's check and replaced; while no connection can be made,
        the store answers ``StoreError`` (503) after ``POOL_TIMEOUT`` seconds."""
        try:
            with self._pool.connection() as conn:
                yield _Connection(conn)
        except PoolTimeout:
            raise StoreError(f"cannot connect to PostgreSQL within {POOL_TIMEOUT:g} s") from None

    @contextmanager
    def _transaction(self) -> Iterator[_Connection]:
        with self._reading() as db:
            try:
                with db.conn.transaction():
                    db.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK,))
                    yield db
                    self._before_commit(db)
            except UNAVAILABLE as exc:  # at COMMIT, or rolling back on a lost connection
                raise StoreError(f"the PostgreSQL store cannot be used: {_first_line(exc)}") from None

    def _connect(self) -> psycopg.Connection:
        conn = psycopg.connect(self._conninfo, autocommit=True, connect_timeout=10,
                               application_name=self.application_name)
        try:
            if self.schema:
                conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{self.schema}"')
                conn.execute(f'SET search_path TO "{self.schema}"')
        except BaseException:
            conn.close()
            raise
        return conn

    def _begin(self, db) -> None:
        db.execute("BEGIN")
        db.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK,))

    def _before_commit(self, db) -> None:
        # delivered at COMMIT, to sessions listening then; nothing is sent when the transaction rolls back
        db.execute("SELECT pg_notify(%s, '')", (self.channel,))

    def wait_for_change(self, timeout: float) -> bool:
        """Block until a write is committed by anyone (True) or ``timeout`` passes (False), on a connection
        of its own that LISTENs. When it cannot listen (the database is gone) it waits (a second at most)
        and returns False, so the caller falls back to polling; it connects again on the next call. Right after (re)connecting it
        returns True at once: changes committed while nobody listened must be looked for."""
        with self._listener_lock:
            try:
                if self._listener is None or self._listener.closed:
                    listener = psycopg.connect(self._conninfo, autocommit=True, connect_timeout=5,
                                               application_name=self.application_name)
                    listener.execute(f'LISTEN "{self.channel}"')
                    self._listener = listener
                    return True
                deadline = time.monotonic() + timeout
                while not self._closing:  # short waits, so close() need not wait out a long timeout
                    left = deadline - time.monotonic()
                    if list(self._listener.notifies(timeout=max(0.0, min(left, 0.25)), stop_after=1)):
                        while list(self._listener.notifies(timeout=0, stop_after=1)):
                            pass  # several commits since the last look need one catch-up
                        return True
                    if left <= 0.25:
                        return False
                return False
            except psycopg.Error:
                self._close_listener()
        time.sleep(min(timeout, 1.0))  # and try to listen again, at most a second later
        return False

    def _close_listener(self) -> None:
        if self._listener is not None:
            try:
                self._listener.close()
            except psycopg.Error:
                pass
            self._listener = None

    def close(self) -> None:
        self._closing = True
        with self._listener_lock:
            self._close_listener()
        self._pool.close()
        super().close()

    def schema_version(self) -> int:
        self._db.execute("CREATE TABLE IF NOT EXISTS shuyu_schema (version INTEGER NOT NULL)")
        row = self._db.execute("SELECT max(version) FROM shuyu_schema").fetchone()
        return row[0] or 0

    def _migrate(self) -> None:
        with ContentStore._transaction(self) as db:  # on the housekeeping connection, before the pool opens
            current = self.schema_version()
            for number, script in enumerate(MIGRATIONS[current:], start=current + 1):
                db.conn.execute(script)  # type: ignore[attr-defined]
                if number in DATA_STEPS:
                    getattr(self, DATA_STEPS[number])(db)
                db.execute("INSERT INTO shuyu_schema (version) VALUES (%s)", (number,))
