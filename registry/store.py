"""The storage interface, and ``open_store(url)`` that picks an implementation by URL."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Protocol

from .errors import InvalidInput
from .model import Comment, EntityKind, Event, Proposal, Release, Review, Scheme, Token, Version


class Store(Protocol):
    """The write model: append-only versions and the change log whose sequence is the revision."""

    def revision(self) -> int:
        """The sequence number of the newest event that changed published content: a version or a
        scheme (0 for an empty store). Comments, proposal steps, releases and token events do not move it."""

    def is_empty(self) -> bool:
        """Whether the store holds no entity, no scheme and no proposal (tokens do not count)."""

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
        """Write schemes and versions with one event each, in one transaction, after checking the rules.

        Each version must be the next one of its entity (1 for a new one), else ``Conflict``.
        Returns the new revision; with ``only_if_empty``, writes nothing and returns 0 if the store
        holds any entity, scheme or proposal when the transaction starts. ``imported``: the rules for
        files from outside (homonyms allowed, no Chinese preferred term needed; see ``rules.check_versions``).
        """

    def schemes(self) -> list[Scheme]: ...

    def current(self, kind: EntityKind) -> list[Version]:
        """The current version of every entity of ``kind``, ordered by id."""

    def current_batches(self, kind: EntityKind, size: int = 5000) -> Iterator[list[Version]]:
        """The current versions of ``current``, in the same order, read and decoded ``size`` at a time."""

    def get(self, kind: EntityKind, entity_id: str, version: int | None = None) -> Version:
        """One version (the current one by default); ``NotFound`` if there is none."""

    def history(self, kind: EntityKind, entity_id: str) -> list[Version]: ...

    def changes_since(self, revision: int, limit: int = 1000, *, include_admin: bool = False) -> list[Event]:
        """Events after ``revision``, oldest first, at most ``limit``; token events only with ``include_admin``."""

    def get_at(self, kind: EntityKind, entity_id: str, revision: int) -> Version:
        """The version that was current at ``revision``."""

    def revision_at(self, when: str) -> int:
        """The newest revision written at or before an ISO time."""

    # the editorial workflow: proposals change state, versions never do
    def save_proposal(self, proposal: Proposal, *, actor: str, action: str, note: str = "",
                      expect_state: str | None = None, expect_content: int | None = None) -> int:
        """Insert a new proposal, or replace one still in ``expect_state`` at content revision
        ``expect_content`` (else ``Conflict``, checked inside the write transaction)."""

    def propose_all(self, proposals: Sequence[Proposal], *, schemes: Sequence[Scheme] = (), actor: str,
                    note: str = "") -> int:
        """Write new ``schemes`` and insert new proposals in one transaction (an import ``--as-proposals``)."""

    def add_comment(self, proposal_id: str, comment: Comment, *, actor: str) -> None:
        """Append a comment as a row of its own."""

    def add_review(self, proposal_id: str, review: Review, *, state: str, actor: str) -> None:
        """Append a non-publishing review of a submitted proposal at ``review.content_version``; move to ``state``."""

    def publish(self, proposal: Proposal, version: Version, review: Review | None = None, *,
                actor: str, note: str = "") -> int:
        """Write the version, the review and the approved proposal in one transaction, if the proposal
        is still submitted at the reviewed content revision and its base is still current."""

    def get_proposal(self, proposal_id: str) -> Proposal:
        """The proposal with its comments and reviews (``NotFound`` if there is none)."""

    def list_proposals(self, *, state: str | None = None, target_id: str | None = None,
                       offset: int = 0, limit: int = 50) -> tuple[list[Proposal], int]: ...

    def add_release(self, tag: str, *, actor: str, note: str = "") -> Release: ...

    def releases(self) -> list[Release]: ...

    def get_release(self, tag: str) -> Release: ...

    def add_token(self, token: Token, *, actor: str) -> None: ...

    def tokens(self) -> list[Token]: ...

    def token_by_hash(self, digest: str) -> Token | None: ...

    def revoke_token(self, token_id: str, *, actor: str) -> Token: ...

    # web sessions: opaque keys and bodies with an expiry (seconds since the epoch), shared by every node
    def get_session(self, key: str, at: int) -> bytes | None: ...

    def put_session(self, key: str, body: bytes, expires: int) -> None: ...

    def delete_session(self, key: str) -> None: ...

    def delete_expired_sessions(self, at: int) -> int: ...

    def count_sessions(self, at: int) -> int: ...

    # the rules' view (registry.rules.State)
    def concept_exists(self, concept_id: str) -> bool: ...

    def scheme_exists(self, scheme_id: str) -> bool: ...

    def preferred_owner(self, scheme_id: str, folded_label: str) -> str | None: ...

    def broader_of(self, concept_id: str) -> Sequence[str]: ...

    def held_preferred(self, concept_id: str) -> set[str]: ...

    def wait_for_change(self, timeout: float) -> bool:
        """Block until another process commits a write (True) or ``timeout`` seconds pass (False)."""
        ...

    def close(self) -> None: ...


def open_store(url: str, *, create: bool = True) -> Store:
    """``sqlite:///path/to/file.db`` (or a bare path) opens the embedded store;
    ``postgresql://user@host:port/dbname[?schema=NAME]`` a PostgreSQL one. With ``create=False`` a
    store that does not exist yet is a ``StoreError`` instead of a new, empty one."""
    if url.startswith("sqlite:///") or "://" not in url:
        from .sqlite import SQLiteStore

        return SQLiteStore(url.removeprefix("sqlite:///") if "://" in url else url, create=create)
    if url.startswith(("postgresql://", "postgres://")):
        from .postgres import PostgresStore

        return PostgresStore(url, create=create)
    raise InvalidInput(f"unsupported store URL {url!r}; use sqlite:///PATH or postgresql://…", field="store")
