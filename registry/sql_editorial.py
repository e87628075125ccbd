"""The complete SQL store: the content and change log of ``sql.py`` (``ContentStore``) and the tables
around them: the editorial workflow (proposals, their comments and reviews, publishing an approved one),
releases, tokens and web sessions. ``SQLiteStore`` and ``PostgresStore`` subclass ``SQLStore``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import msgspec

from .errors import Conflict, NotFound
from .model import (
    Comment,
    Proposal,
    Release,
    Review,
    Scheme,
    Token,
    Version,
    comment_decoder,
    encoder,
    kind_of,
    now,
    proposal_decoder,
    review_decoder,
)
from .sql import Connection, ContentStore

_release_decoder = msgspec.json.Decoder(Release)
_token_decoder = msgspec.json.Decoder(Token)


class SQLStore(ContentStore):
    """The registry's every table and query; subclasses connect, migrate and begin write transactions."""

    # -- proposals ------------------------------------------------------------------------------
    # A proposal row holds its content (the JSON body) and its state; comments and reviews are rows of
    # their own, appended, never rewritten, so concurrent comments and reviews are all kept. A write of
    # the body checks, inside its transaction, that the state and the content revision are still the
    # ones it was computed from: a racing writer gets a Conflict instead of silently undoing the other.
    def save_proposal(self, proposal: Proposal, *, actor: str, action: str, note: str = "",
                      expect_state: str | None = None, expect_content: int | None = None) -> int:
        """Insert a new proposal (``expect_state`` None), or replace one whose state is still
        ``expect_state`` and whose content revision is still ``expect_content``; log ``action``."""
        with self._transaction() as db:
            if expect_state is None:
                self._insert_proposal(db, proposal, actor, action, note, now())
            else:
                self._expect(db, proposal.id, expect_state, expect_content)
                self._put_proposal(db, proposal)
                self._event(db, now(), actor, action, "proposal", proposal.id, proposal.base_version, note)
            return self._revision(db)

    def propose_all(self, proposals: Sequence[Proposal], *, schemes: Sequence[Scheme] = (), actor: str,
                    note: str = "") -> int:
        """Write new ``schemes`` and insert every proposal in one transaction: all of them or none."""
        at = now()
        with self._transaction() as db:
            self._append_all(db, (), schemes, actor, note, at)
            for proposal in proposals:
                self._insert_proposal(db, proposal, actor, "propose", note, at)
            return self._revision(db)

    def _insert_proposal(self, db: Connection, proposal: Proposal, actor: str, action: str, note: str,
                         at: str) -> None:
        """A new proposal row and its event; Conflict if the id is taken."""
        if db.execute("SELECT 1 FROM proposals WHERE id = %s", (proposal.id,)).fetchone():
            raise Conflict(f"proposal {proposal.id} exists already", field="id")
        self._put_proposal(db, proposal)
        self._event(db, at, actor, action, "proposal", proposal.id, proposal.base_version, note)

    def add_comment(self, proposal_id: str, comment: Comment, *, actor: str) -> None:
        """Append a comment (a row of its own: concurrent comments are all kept)."""
        with self._transaction() as db:
            self._expect(db, proposal_id, None, None)
            db.execute("INSERT INTO proposal_comments (proposal_id, at, body) VALUES (%s, %s, %s)",
                       (proposal_id, comment.at, encoder.encode(comment)))
            db.execute("UPDATE proposals SET updated = %s WHERE id = %s", (comment.at, proposal_id))
            self._event(db, comment.at, actor, "comment", "proposal", proposal_id, 0, comment.text[:200])

    def add_review(self, proposal_id: str, review: Review, *, state: str, actor: str) -> None:
        """Record a review that does not publish (reject, request changes) and move to ``state``.

        The proposal must still be submitted, with the content revision the review names."""
        with self._transaction() as db:
            self._expect(db, proposal_id, "submitted", review.content_version)
            self._put_review(db, proposal_id, review)
            db.execute("UPDATE proposals SET state = %s, updated = %s WHERE id = %s", (state, review.at, proposal_id))
            self._event(db, review.at, actor, review.decision, "proposal", proposal_id, 0, review.comment)

    def publish(self, proposal: Proposal, version: Version, review: Review | None = None, *,
                actor: str, note: str = "") -> int:
        """Approve: write ``version``, the approving ``review`` and the approved proposal in one transaction.

        The proposal must still be submitted with the content revision the review names, and its base
        version must still be current (else ``Conflict`` naming the current one), so two concurrent
        approvals make one version and nobody approves content they did not see.
        """
        at = now()
        with self._transaction() as db:
            self._expect(db, proposal.id, "submitted", review.content_version if review else None)
            kind = kind_of(version)
            row = db.execute("SELECT current FROM entities WHERE kind = %s AND id = %s", (kind, version.id)).fetchone()
            current = row[0] if row else 0
            if current != proposal.base_version:
                raise Conflict(
                    f"{kind} {version.id}: the proposal is based on version {proposal.base_version}, "
                    f"but the current version is {current}; revise the proposal against version {current}",
                    field="base_version",
                )
            self._append_all(db, [version], (), actor, note, at, imported=proposal.imported,
                             homonym_labels=set(proposal.imported_labels) if proposal.imported_labels else None)
            self._put_proposal(db, proposal)
            if review is not None:
                self._put_review(db, proposal.id, review)
            self._event(db, at, actor, "approve", "proposal", proposal.id, version.version, note)
            return self._revision(db)

    @staticmethod
    def _expect(db: Connection, proposal_id: str, state: str | None, content_version: int | None) -> None:
        row = db.execute("SELECT state, content_version FROM proposals WHERE id = %s", (proposal_id,)).fetchone()
        if row is None:
            raise NotFound(f"no proposal {proposal_id!r}")
        if state is not None and row[0] != state:
            raise Conflict(f"proposal {proposal_id} is {row[0]}, not {state}", field="state")
        if content_version is not None and row[1] != content_version:
            raise Conflict(
                f"proposal {proposal_id} was changed meanwhile: its content is at revision {row[1]}, "
                f"not {content_version}; reload it and try again",
                field="content_version",
            )

    @staticmethod
    def _put_proposal(db: Connection, p: Proposal) -> None:
        body = encoder.encode(msgspec.structs.replace(p, comments=(), reviews=()))
        db.execute(
            "INSERT INTO proposals (id, target_kind, target_id, state, author, updated, content_version, body)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s) ON CONFLICT (id) DO UPDATE SET state = excluded.state,"
            " updated = excluded.updated, content_version = excluded.content_version, body = excluded.body",
            (p.id, p.target_kind, p.target_id, p.state, p.author, p.updated, p.content_version, body),
        )

    @staticmethod
    def _put_review(db: Connection, proposal_id: str, review: Review) -> None:
        db.execute("INSERT INTO proposal_reviews (proposal_id, at, body) VALUES (%s, %s, %s)",
                   (proposal_id, review.at, encoder.encode(review)))

    def _move_rows_out_of_bodies(self, db: Connection) -> None:
        """Migration 3: comments and reviews leave the proposal body for rows of their own."""
        for proposal_id, body in db.execute("SELECT id, body FROM proposals ORDER BY id").fetchall():
            proposal = proposal_decoder.decode(bytes(body))
            for comment in proposal.comments:
                db.execute("INSERT INTO proposal_comments (proposal_id, at, body) VALUES (%s, %s, %s)",
                           (proposal_id, comment.at, encoder.encode(comment)))
            for review in proposal.reviews:
                self._put_review(db, proposal_id, review)
            db.execute("UPDATE proposals SET body = %s WHERE id = %s",
                       (encoder.encode(msgspec.structs.replace(proposal, comments=(), reviews=())), proposal_id))

    def get_proposal(self, proposal_id: str) -> Proposal:
        """One proposal with its comments and reviews, oldest first."""
        with self._reading() as db:
            row = db.execute("SELECT id, state, updated, content_version, body FROM proposals WHERE id = %s",
                                   (proposal_id,)).fetchone()
            if row is None:
                raise NotFound(f"no proposal {proposal_id!r}")
            return self._assemble(db, [row])[0]

    def _assemble(self, db: Connection, rows: Sequence[Sequence[Any]]) -> list[Proposal]:
        """Proposals from (id, state, updated, content_version, body) rows, with their comments and reviews."""
        if not rows:
            return []
        ids = [r[0] for r in rows]
        marks = ", ".join("%s" for _ in ids)
        comments: dict[str, list[Comment]] = {i: [] for i in ids}
        reviews: dict[str, list[Review]] = {i: [] for i in ids}
        for pid, body in db.execute(
            f"SELECT proposal_id, body FROM proposal_comments WHERE proposal_id IN ({marks}) ORDER BY seq", ids
        ).fetchall():
            comments[pid].append(comment_decoder.decode(bytes(body)))
        for pid, body in db.execute(
            f"SELECT proposal_id, body FROM proposal_reviews WHERE proposal_id IN ({marks}) ORDER BY seq", ids
        ).fetchall():
            reviews[pid].append(review_decoder.decode(bytes(body)))
        return [
            msgspec.structs.replace(
                proposal_decoder.decode(bytes(body)), state=state, updated=updated, content_version=content_version,
                comments=tuple(comments[pid]), reviews=tuple(reviews[pid]),
            )
            for pid, state, updated, content_version, body in rows
        ]

    def list_proposals(self, *, state: str | None = None, target_id: str | None = None,
                       offset: int = 0, limit: int = 50) -> tuple[list[Proposal], int]:
        where, params = [], []
        if state:
            where.append("state = %s")
            params.append(state)
        if target_id:
            where.append("target_id = %s")
            params.append(target_id)
        clause = f" WHERE {' AND '.join(where)}" if where else ""
        with self._reading() as db:
            total = db.execute(f"SELECT count(*) FROM proposals{clause}", params).fetchone()[0]
            rows = db.execute(
                f"SELECT id, state, updated, content_version, body FROM proposals{clause}"
                " ORDER BY updated DESC, id LIMIT %s OFFSET %s",
                (*params, limit, offset),
            ).fetchall()
            return self._assemble(db, rows), total

    # -- releases -------------------------------------------------------------------------------
    def add_release(self, tag: str, *, actor: str, note: str = "") -> Release:
        with self._transaction() as db:
            if db.execute("SELECT 1 FROM releases WHERE tag = %s", (tag,)).fetchone():
                raise Conflict(f"release {tag!r} exists already", field="tag")
            release = Release(tag=tag, revision=self._revision(db), created=now(), actor=actor, note=note)
            db.execute("INSERT INTO releases (tag, revision, body) VALUES (%s, %s, %s)",
                       (tag, release.revision, encoder.encode(release)))
            self._event(db, release.created, actor, "release", "release", tag, release.revision, note)
            return release

    def releases(self) -> list[Release]:
        with self._reading() as db:
            rows = db.execute("SELECT body FROM releases ORDER BY revision, tag").fetchall()
        return [_release_decoder.decode(r[0]) for r in rows]

    def get_release(self, tag: str) -> Release:
        with self._reading() as db:
            row = db.execute("SELECT body FROM releases WHERE tag = %s", (tag,)).fetchone()
        if row is None:
            raise NotFound(f"no release {tag!r}")
        return _release_decoder.decode(row[0])

    # -- tokens ---------------------------------------------------------------------------------
    def add_token(self, token: Token, *, actor: str) -> None:
        with self._transaction() as db:
            db.execute("INSERT INTO tokens (id, hash, revoked, body) VALUES (%s, %s, NULL, %s)",
                       (token.id, token.hash, encoder.encode(token)))
            self._event(db, token.created, actor, "token_create", "token", token.id, 1, f"{token.name} ({token.role})")

    def tokens(self) -> list[Token]:
        with self._reading() as db:
            rows = db.execute("SELECT body FROM tokens ORDER BY id").fetchall()
        return [_token_decoder.decode(r[0]) for r in rows]

    def token_by_hash(self, digest: str) -> Token | None:
        with self._reading() as db:
            row = db.execute("SELECT body FROM tokens WHERE hash = %s AND revoked IS NULL", (digest,)).fetchone()
        return _token_decoder.decode(row[0]) if row else None

    def revoke_token(self, token_id: str, *, actor: str) -> Token:
        at = now()
        with self._transaction() as db:
            row = db.execute("SELECT body FROM tokens WHERE id = %s", (token_id,)).fetchone()
            if row is None:
                raise NotFound(f"no token {token_id!r}")
            token = msgspec.structs.replace(_token_decoder.decode(row[0]), revoked=at)
            db.execute("UPDATE tokens SET revoked = %s, body = %s WHERE id = %s", (at, encoder.encode(token), token_id))
            self._event(db, at, actor, "token_revoke", "token", token_id, 1, token.name)
            return token

    # -- web sessions ---------------------------------------------------------------------------
    # Single statements outside the write lock: a session is not content, never joins a content
    # transaction and must not wake every node's follower (PostgreSQL's NOTIFY is sent by _transaction).
    def get_session(self, key: str, at: int) -> bytes | None:
        """The data of an unexpired session (``at``: seconds since the epoch), or None."""
        with self._reading() as db:
            row = db.execute("SELECT body FROM web_sessions WHERE id = %s AND expires > %s", (key, at)).fetchone()
        return bytes(row[0]) if row else None

    def put_session(self, key: str, body: bytes, expires: int) -> None:
        with self._reading() as db:
            db.execute("INSERT INTO web_sessions (id, expires, body) VALUES (%s, %s, %s)"
                       " ON CONFLICT (id) DO UPDATE SET expires = excluded.expires, body = excluded.body",
                       (key, expires, body))

    def delete_session(self, key: str) -> None:
        with self._reading() as db:
            db.execute("DELETE FROM web_sessions WHERE id = %s", (key,))

    def delete_expired_sessions(self, at: int) -> int:
        """Remove the sessions expired by ``at``; how many."""
        with self._reading() as db:
            return db.execute("DELETE FROM web_sessions WHERE expires <= %s", (at,)).rowcount

    def count_sessions(self, at: int) -> int:
        with self._reading() as db:
            return db.execute("SELECT count(*) FROM web_sessions WHERE expires > %s", (at,)).fetchone()[0]
