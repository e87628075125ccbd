"""The storage interface, and ``open_store(url)`` that picks an implementation by URL."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from .errors import InvalidInput
from .model import EntityKind, Event, Scheme, Version


class Store(Protocol):
    """The write model: append-only versions and the change log whose sequence is the revision."""

    def revision(self) -> int:
        """The sequence number of the newest event (0 for an empty store)."""

    def is_empty(self) -> bool: ...

    def append(
        self,
        versions: Sequence[Version],
        *,
        actor: str,
        note: str = "",
        schemes: Sequence[Scheme] = (),
    ) -> int:
        """Write schemes and versions with one event each, in one transaction, after checking the rules.

        Each version must be the next one of its entity (1 for a new one), else ``Conflict``.
        Returns the new revision.
        """

    def schemes(self) -> list[Scheme]: ...

    def current(self, kind: EntityKind) -> list[Version]:
        """The current version of every entity of ``kind``, ordered by id."""

    def get(self, kind: EntityKind, entity_id: str, version: int | None = None) -> Version:
        """One version (the current one by default); ``NotFound`` if there is none."""

    def history(self, kind: EntityKind, entity_id: str) -> list[Version]: ...

    def changes_since(self, revision: int, limit: int = 1000) -> list[Event]:
        """Events after ``revision``, oldest first, at most ``limit``."""

    def close(self) -> None: ...


def open_store(url: str) -> Store:
    """``sqlite:///path/to/file.db`` (or a bare path) opens the embedded store."""
    if url.startswith("sqlite:///") or "://" not in url:
        from .sqlite import SQLiteStore

        return SQLiteStore(url.removeprefix("sqlite:///") if "://" in url else url)
    raise InvalidInput(f"unsupported store URL {url!r}; use sqlite:///PATH", field="store")
