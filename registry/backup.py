"""Backup and restore of the embedded store, with SQLite's online backup API.

A backup is a consistent copy taken page by page while the server keeps serving (readers and the
writer are not stopped). A restore checks the copy before anything is touched: it must open as
SQLite, pass ``PRAGMA integrity_check``, and hold a shuyu schema this version knows.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from pathlib import Path

from .errors import Conflict, InvalidInput, StoreError
from .sql import CONTENT_KINDS
from .sqlite import MIGRATIONS

Progress = Callable[[int, int], None]  # (pages copied, pages in all)
PAGES_PER_STEP = 256


def backup(store_path: str | Path, target: str | Path, progress: Progress | None = None) -> int:
    """Copy the store at ``store_path`` to ``target`` (written to a temporary name, then renamed).

    Returns the copy's revision.
    """
    store_path, target = Path(store_path), Path(target)
    if not store_path.is_file():
        raise StoreError(f"no store at {store_path}")
    if target.resolve() == store_path.resolve():
        raise InvalidInput("the backup file must not be the store itself", field="file")
    if not target.parent.is_dir():  # else SQLite's "unable to open database file", as if the store were at fault
        raise InvalidInput(f"no folder {target.parent} to write the backup file in", field="file")
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        source = sqlite3.connect(f"file:{store_path}?mode=ro", uri=True)
        copy = sqlite3.connect(partial)
        try:
            source.backup(copy, pages=PAGES_PER_STEP, progress=_pages(progress))
            copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
            revision = _revision(copy)
        finally:
            copy.close()
            source.close()
        os.replace(partial, target)
    except sqlite3.Error as exc:
        partial.unlink(missing_ok=True)
        raise StoreError(f"backup of {store_path} failed: {exc}") from None
    return revision


def restore(source: str | Path, store_path: str | Path, *, force: bool = False,
            progress: Progress | None = None) -> int:
    """Replace the store at ``store_path`` with the backup ``source``; returns the restored revision.

    Refuses a source that is not a sound shuyu store, and a non-empty target unless ``force``.
    Stop every server using the store first.
    """
    source, store_path = Path(source), Path(store_path)
    if not source.is_file():
        raise InvalidInput(f"no backup file at {source}", field="file")
    revision = verify(source)
    store_path.parent.mkdir(parents=True, exist_ok=True)
    try:
        target = sqlite3.connect(store_path, timeout=10)
        try:
            if not force and _has_events(target):
                raise Conflict(f"the store {store_path} is not empty (revision {_revision(target)}); "
                               "use --force to overwrite it")
            copy = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
            try:
                copy.backup(target, pages=PAGES_PER_STEP, progress=_pages(progress))
            finally:
                copy.close()
        finally:
            target.close()
    except sqlite3.Error as exc:
        raise StoreError(f"restore into {store_path} failed: {exc}") from None
    return revision


def verify(path: str | Path) -> int:
    """Check that ``path`` is a sound shuyu SQLite store; returns its revision."""
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            result = db.execute("PRAGMA integrity_check").fetchone()[0]
            if result != "ok":
                raise InvalidInput(f"{path} fails SQLite's integrity check: {result}", field="file")
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if not 1 <= version <= len(MIGRATIONS):
                raise InvalidInput(f"{path} is not a shuyu store this version can read "
                                   f"(schema version {version})", field="file")
            return _revision(db)
        finally:
            db.close()
    except sqlite3.DatabaseError as exc:
        raise InvalidInput(f"{path} is not a SQLite database: {exc}", field="file") from None


def _pages(progress: Progress | None):
    """sqlite3's backup callback (status, remaining, total) as our (copied, total)."""
    return (lambda _status, remaining, total: progress(total - remaining, total)) if progress else None


def _has_events(db: sqlite3.Connection) -> bool:
    exists = db.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name='events'").fetchone()
    return bool(exists) and db.execute("SELECT 1 FROM events LIMIT 1").fetchone() is not None


def _revision(db: sqlite3.Connection) -> int:
    """The registry's revision, as ``Store.revision()`` counts it: the newest content event."""
    return db.execute(f"SELECT coalesce(max(revision), 0) FROM events WHERE kind IN {CONTENT_KINDS}").fetchone()[0]
