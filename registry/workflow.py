"""The editorial workflow: editors propose, reviewers approve, nothing is overwritten.

States: draft → submitted → (changes_requested ⇄ submitted) → approved | rejected | withdrawn.
Roles: reader < editor < reviewer < admin, each including the rights of the ones before it.

Review integrity:

- A proposal's content (what it would publish: content, replaced_by, note, base version) has a
  **content revision** (``Proposal.content_version``, 1 when proposed). Every edit, a rebase included,
  makes the next one, records its writer in ``Proposal.contributors`` and sends a *submitted* proposal
  back to *draft*: earlier reviews were of other content, so it must be submitted again.
- Nobody who wrote any content revision (the author, an admin who edited it) reviews it, whatever their role.
- Each review records the content revision it reviewed; approval publishes only if the proposal is
  still submitted at that revision, its base version is still current, all checked in the write transaction.
- Every method that changes a proposal takes ``if_match``: the content revision the caller saw (the
  API's ``If-Match``; a list of them holds if any is current); if the content moved on, ``PreconditionFailed`` (412). Without it, a write
  that raced another is refused with ``Conflict`` (409): never silently lost.
- Comments and reviews are appended as rows of their own, so concurrent ones are all kept.

Every method returns the proposal as written (with its comments and reviews); errors are the
registry's (``Forbidden``, ``Conflict``, ``PreconditionFailed``, ``InvalidInput``, ``NotFound`` ...).
"""

from __future__ import annotations

import secrets
from typing import TypedDict

import msgspec
from msgspec import Struct

from .diff import VersionDiff, diff_versions
from .errors import Conflict, Forbidden, InvalidInput, NotFound, PreconditionFailed
from .model import (
    Comment,
    ConceptContent,
    ConceptVersion,
    Decision,
    EntityKind,
    Proposal,
    ProposalKind,
    Review,
    Role,
    StandardContent,
    StandardVersion,
    Version,
    find_nul,
    now,
)
from .rules import BatchState, check_versions
from .store import Store
from .text import is_blank

RANK: dict[Role, int] = {"reader": 0, "editor": 1, "reviewer": 2, "admin": 3}
OPEN_STATES = ("draft", "submitted", "changes_requested")
EDITABLE_STATES = ("draft", "changes_requested", "submitted")
# the content revision(s) a caller saw: one, or every one an If-Match list names (any may be current); None: unchecked
IfMatch = int | frozenset[int] | None


class Actor(Struct, frozen=True):
    name: str
    role: Role


def require(actor: Actor, role: Role, doing: str) -> None:
    if RANK[actor.role] < RANK[role]:
        raise Forbidden(f"{doing} needs the {role} role; {actor.name} is {actor.role}")


class Editorial:
    def __init__(self, store: Store) -> None:
        self.store = store

    # -- proposing --------------------------------------------------------------------------------
    def propose(
        self,
        actor: Actor,
        *,
        kind: ProposalKind,
        target_kind: EntityKind,
        target_id: str,
        base_version: int | None = None,
        concept: ConceptContent | None = None,
        standard: StandardContent | None = None,
        replaced_by: tuple[str, ...] = (),
        note: str = "",
        submit: bool = False,
    ) -> Proposal:
        require(actor, "editor", "proposing a change")
        _refuse_nul(target_id=target_id, concept=concept, standard=standard, replaced_by=replaced_by, note=note)
        current = self._current(target_kind, target_id)
        if kind == "create":
            if current is not None:
                raise Conflict(f"{target_kind} {target_id} exists already; propose a revision", field="target_id")
            base = 0
        else:
            if current is None:
                raise NotFound(f"no {target_kind} {target_id!r}")
            base = current.version if base_version is None else base_version
            if base > current.version or base < 1:
                raise InvalidInput(f"base version {base} does not exist; the current version is {current.version}",
                                   field="base_version")
        if kind == "deprecate":
            if target_kind != "concept":
                raise InvalidInput("only concepts are deprecated; withdraw a standard by revising its status",
                                   field="kind")
            assert current is not None  # a deprecation is of a concept that exists: refused above otherwise
            concept = concept or _content_of(current)
        at = now()
        proposal = Proposal(
            id=f"p-{secrets.token_hex(5)}", kind=kind, target_kind=target_kind, target_id=target_id,
            base_version=base, concept=concept, standard=standard, replaced_by=tuple(replaced_by), note=note,
            author=actor.name, state="submitted" if submit else "draft", created=at, updated=at,
            content_version=1, contributors=(actor.name,),
        )
        self._check_content(proposal)
        self.store.save_proposal(proposal, actor=actor.name, action="propose", note=note)
        return proposal

    def edit(
        self,
        actor: Actor,
        proposal_id: str,
        *,
        base_version: int | None = None,
        concept: ConceptContent | None = None,
        standard: StandardContent | None = None,
        replaced_by: tuple[str, ...] | None = None,
        note: str | None = None,
        if_match: IfMatch = None,
    ) -> Proposal:
        """Revise a proposal's content or rebase it on a newer version (its author, or an admin).

        Makes the next content revision, adds ``actor`` to the contributors (who may then not review
        it) and sends a submitted proposal back to draft, to be submitted again.
        """
        _refuse_nul(concept=concept, standard=standard, replaced_by=replaced_by, note=note)
        proposal = self._own_open(actor, proposal_id, "edit", EDITABLE_STATES)
        _check_if_match(proposal, if_match)
        changes: dict = {}
        if base_version is not None:
            current = self._current(proposal.target_kind, proposal.target_id)
            if proposal.kind == "create" or current is None or not 1 <= base_version <= current.version:
                raise InvalidInput(f"base version {base_version} does not exist", field="base_version")
            changes["base_version"] = base_version
        for name, value in (("concept", concept), ("standard", standard), ("note", note)):
            if value is not None:
                changes[name] = value
        if replaced_by is not None:
            changes["replaced_by"] = tuple(replaced_by)
        if not changes:
            raise InvalidInput("nothing to change: give base_version, concept, standard, replaced_by or note")
        contributors = proposal.contributors or (proposal.author,)
        edited = msgspec.structs.replace(
            proposal, **changes, updated=now(), content_version=proposal.content_version + 1,
            contributors=contributors if actor.name in contributors else (*contributors, actor.name),
            state="draft" if proposal.state == "submitted" else proposal.state,
        )
        self._check_content(edited)
        _guarded(if_match, lambda: self.store.save_proposal(
            edited, actor=actor.name, action="edit", expect_state=proposal.state,
            expect_content=proposal.content_version))
        return edited

    def submit(self, actor: Actor, proposal_id: str, *, if_match: IfMatch = None) -> Proposal:
        """Send a draft (or a proposal with changes requested) for review."""
        proposal = self._own_open(actor, proposal_id, "submit", ("draft", "changes_requested"))
        return self._move(actor, proposal, "submitted", "submit", if_match=if_match)

    def withdraw(self, actor: Actor, proposal_id: str, *, if_match: IfMatch = None) -> Proposal:
        """Withdraw an open proposal (its author, or an admin); final."""
        proposal = self._own_open(actor, proposal_id, "withdraw", OPEN_STATES)
        return self._move(actor, proposal, "withdrawn", "withdraw", if_match=if_match)

    def comment(self, actor: Actor, proposal_id: str, text: str) -> Proposal:
        """Append a comment (an editor or above, in any state); concurrent comments are all kept."""
        require(actor, "editor", "commenting on a proposal")
        _refuse_nul(text=text)
        if is_blank(text):  # spaces or zero-width characters alone are no comment
            raise InvalidInput("a comment needs text", field="text")
        self.store.add_comment(proposal_id, Comment(author=actor.name, at=now(), text=text), actor=actor.name)
        return self.store.get_proposal(proposal_id)

    # -- reviewing --------------------------------------------------------------------------------
    def review(self, actor: Actor, proposal_id: str, decision: Decision, comment: str = "", *,
               if_match: IfMatch = None) -> Proposal:
        """Approve (publish), reject or request changes, as a reviewer who wrote none of the content.

        The review records the content revision reviewed: ``if_match`` if given (else the current one),
        and the decision stands only if the proposal is still submitted at that revision.
        """
        require(actor, "reviewer", "reviewing a proposal")
        _refuse_nul(comment=comment)
        if is_blank(comment):  # nothing said: no comment (never an invisible change note)
            comment = ""
        proposal = self.store.get_proposal(proposal_id)
        if proposal.wrote(actor.name):
            raise Forbidden(f"{actor.name} wrote (part of) proposal {proposal_id} and may not review it; "
                            "another reviewer must")
        if proposal.state != "submitted":
            raise Conflict(f"proposal {proposal_id} is {proposal.state}; only a submitted proposal is reviewed",
                           field="state")
        _check_if_match(proposal, if_match)
        at = now()
        review = Review(reviewer=actor.name, at=at, decision=decision, comment=comment,
                        content_version=proposal.content_version)
        reviewed = msgspec.structs.replace(proposal, reviews=(*proposal.reviews, review), updated=at)
        if decision == "approve":
            version = self.proposed_version(reviewed, author=proposal.author)
            approved = msgspec.structs.replace(reviewed, state="approved", published_version=version.version)
            _guarded(if_match, lambda: self.store.publish(approved, version, review, actor=actor.name,
                                                          note=comment or proposal.note))
            return approved
        state = "rejected" if decision == "reject" else "changes_requested"
        _guarded(if_match, lambda: self.store.add_review(proposal_id, review, state=state, actor=actor.name))
        return msgspec.structs.replace(reviewed, state=state)

    # -- reading ----------------------------------------------------------------------------------
    def diff(self, proposal_id: str) -> VersionDiff:
        """What the proposal changes, field by field, against its base version."""
        proposal = self.store.get_proposal(proposal_id)
        base = self.store.get(proposal.target_kind, proposal.target_id, proposal.base_version) if proposal.base_version else None
        return diff_versions(base, self.proposed_version(proposal, author=proposal.author))

    def proposed_version(self, proposal: Proposal, *, author: str) -> Version:
        """The version the proposal would publish."""
        common = _Stamp(id=proposal.target_id, version=proposal.base_version + 1, author=author,
                        change_note=proposal.note, proposal_id=proposal.id)
        if proposal.target_kind == "concept":
            if proposal.concept is None:
                raise InvalidInput("a concept proposal needs concept content", field="concept")
            deprecated = proposal.kind == "deprecate"
            return ConceptVersion(
                **msgspec.structs.asdict(proposal.concept), **common,
                status="deprecated" if deprecated else "published",
                replaced_by=proposal.replaced_by if deprecated else (),
            )
        if proposal.standard is None:
            raise InvalidInput("a standard proposal needs standard content", field="standard")
        return StandardVersion(**msgspec.structs.asdict(proposal.standard), **common)

    # -- helpers ----------------------------------------------------------------------------------
    def _current(self, kind: EntityKind, entity_id: str) -> Version | None:
        try:
            return self.store.get(kind, entity_id)
        except NotFound:
            return None

    def _check_content(self, proposal: Proposal) -> None:
        """Apply the registry's rules to what the proposal would publish, now (and again at approval)."""
        if proposal.target_kind == "concept" and proposal.standard is not None:
            raise InvalidInput("a concept proposal carries concept content, not standard content", field="standard")
        if proposal.target_kind == "standard" and proposal.concept is not None:
            raise InvalidInput("a standard proposal carries standard content, not concept content", field="concept")
        if proposal.kind == "deprecate" and not proposal.replaced_by and not proposal.note:
            raise InvalidInput("a deprecation names what replaces the concept (replaced_by) or says why (note)",
                               field="replaced_by")
        version = self.proposed_version(proposal, author=proposal.author)
        check_versions([version], BatchState([version], (), base=self.store),
                       imported=proposal.imported, homonym_labels=homonym_labels(proposal))

    def _own_open(self, actor: Actor, proposal_id: str, doing: str, states: tuple[str, ...]) -> Proposal:
        require(actor, "editor", f"to {doing} a proposal")
        proposal = self.store.get_proposal(proposal_id)
        if not may_change(actor, proposal):
            raise Forbidden(f"only the author of proposal {proposal_id} ({proposal.author}) may {doing} it")
        if proposal.state not in states:
            raise Conflict(f"proposal {proposal_id} is {proposal.state}; cannot {doing} it", field="state")
        return proposal

    def _move(self, actor: Actor, proposal: Proposal, state: str, action: str, *, if_match: IfMatch) -> Proposal:
        _check_if_match(proposal, if_match)
        moved = msgspec.structs.replace(proposal, state=state, updated=now())
        _guarded(if_match, lambda: self.store.save_proposal(
            moved, actor=actor.name, action=action, expect_state=proposal.state,
            expect_content=proposal.content_version))
        return moved


def homonym_labels(proposal: Proposal) -> set[str] | None:
    """The labels an import proposal may share with another concept: those its import brought in (None: any,
    for a proposal made before they were recorded)."""
    return set(proposal.imported_labels) if proposal.imported and proposal.imported_labels else None


def may_change(actor: Actor, proposal: Proposal) -> bool:
    """Whether ``actor`` may edit, submit or withdraw ``proposal``: its author, or an admin."""
    return proposal.author == actor.name or actor.role == "admin"


def _check_if_match(proposal: Proposal, if_match: IfMatch) -> None:
    # an If-Match list holds when any revision it names is the current one (RFC 9110, 13.1.1)
    named = (if_match,) if isinstance(if_match, int) else if_match
    if named is not None and proposal.content_version not in named:
        said = ", ".join(str(n) for n in sorted(named)) or "none of its revisions"
        raise PreconditionFailed(
            f"proposal {proposal.id} is at content revision {proposal.content_version}, not {said}; "
            "reload it (its ETag names the current revision) and try again",
            field="If-Match",
        )


def _guarded(if_match: IfMatch, write):
    """Run a store write; a content revision that moved on meanwhile is 412 for an ``If-Match``
    caller, else the store's 409."""
    try:
        return write()
    except Conflict as exc:
        if if_match is not None and exc.field == "content_version":
            raise PreconditionFailed(exc.detail, field="If-Match") from None
        raise


def _refuse_nul(**fields: object) -> None:
    """The workflow's boundary check: no text may hold NUL (PostgreSQL cannot store it)."""
    for name, value in fields.items():
        if (where := find_nul(value, name)) is not None:
            raise InvalidInput("text must not contain the NUL character (U+0000)", field=where)


class _Stamp(TypedDict):
    """What a proposal adds to its content to make the version it publishes."""

    id: str
    version: int
    author: str
    change_note: str
    proposal_id: str


def _content_of(version: Version) -> ConceptContent:
    fields = {name: getattr(version, name) for name in ConceptContent.__struct_fields__}
    return ConceptContent(**fields)
