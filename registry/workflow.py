"""The editorial workflow: editors propose, reviewers approve, nothing is overwritten.

States: draft → submitted → (changes_requested ⇄ submitted) → approved | rejected | withdrawn.
Roles: reader < editor < reviewer < admin, each including the rights of the ones before it. A reviewer
never approves (or otherwise reviews) their own proposal. Approval publishes the proposed content as the
next version, in the same transaction that checks the proposal's base version is still current.
"""

from __future__ import annotations

import secrets

import msgspec
from msgspec import Struct

from .diff import VersionDiff, diff_versions
from .errors import Conflict, Forbidden, InvalidInput, NotFound
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
    now,
)
from .rules import BatchState, check_versions
from .store import Store

RANK: dict[Role, int] = {"reader": 0, "editor": 1, "reviewer": 2, "admin": 3}
OPEN_STATES = ("draft", "submitted", "changes_requested")
EDITABLE_STATES = ("draft", "changes_requested", "submitted")


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
            concept = concept or _content_of(current)
        at = now()
        proposal = Proposal(
            id=f"p-{secrets.token_hex(5)}", kind=kind, target_kind=target_kind, target_id=target_id,
            base_version=base, concept=concept, standard=standard, replaced_by=tuple(replaced_by), note=note,
            author=actor.name, state="submitted" if submit else "draft", created=at, updated=at,
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
    ) -> Proposal:
        """Revise a proposal's content or rebase it on a newer version (its author only)."""
        proposal = self._own_open(actor, proposal_id, "edit", EDITABLE_STATES)
        changes: dict = {"updated": now()}
        if base_version is not None:
            current = self._current(proposal.target_kind, proposal.target_id)
            if proposal.kind == "create" or current is None or not 1 <= base_version <= current.version:
                raise InvalidInput(f"base version {base_version} does not exist", field="base_version")
            changes["base_version"] = base_version
        for name, value in (("concept", concept), ("standard", standard), ("replaced_by", replaced_by), ("note", note)):
            if value is not None:
                changes[name] = tuple(value) if name == "replaced_by" else value
        edited = msgspec.structs.replace(proposal, **changes)
        self._check_content(edited)
        self.store.save_proposal(edited, actor=actor.name, action="edit", expect_state=proposal.state)
        return edited

    def submit(self, actor: Actor, proposal_id: str) -> Proposal:
        proposal = self._own_open(actor, proposal_id, "submit", ("draft", "changes_requested"))
        return self._move(actor, proposal, "submitted", "submit")

    def withdraw(self, actor: Actor, proposal_id: str) -> Proposal:
        proposal = self._own_open(actor, proposal_id, "withdraw", OPEN_STATES)
        return self._move(actor, proposal, "withdrawn", "withdraw")

    def comment(self, actor: Actor, proposal_id: str, text: str) -> Proposal:
        require(actor, "editor", "commenting on a proposal")
        proposal = self.store.get_proposal(proposal_id)
        at = now()
        commented = msgspec.structs.replace(
            proposal, comments=(*proposal.comments, Comment(author=actor.name, at=at, text=text)), updated=at
        )
        self.store.save_proposal(commented, actor=actor.name, action="comment", note=text[:200],
                                 expect_state=proposal.state)
        return commented

    # -- reviewing --------------------------------------------------------------------------------
    def review(self, actor: Actor, proposal_id: str, decision: Decision, comment: str = "") -> Proposal:
        require(actor, "reviewer", "reviewing a proposal")
        proposal = self.store.get_proposal(proposal_id)
        if proposal.author == actor.name:
            raise Forbidden(f"{actor.name} wrote proposal {proposal_id} and may not review it; another reviewer must")
        if proposal.state != "submitted":
            raise Conflict(f"proposal {proposal_id} is {proposal.state}; only a submitted proposal is reviewed",
                           field="state")
        at = now()
        review = Review(reviewer=actor.name, at=at, decision=decision, comment=comment)
        reviewed = msgspec.structs.replace(proposal, reviews=(*proposal.reviews, review), updated=at)
        if decision == "approve":
            version = self.proposed_version(reviewed, author=proposal.author)
            approved = msgspec.structs.replace(reviewed, state="approved", published_version=version.version)
            self.store.publish(approved, version, actor=actor.name, note=comment or proposal.note)
            return approved
        state = "rejected" if decision == "reject" else "changes_requested"
        return self._move(actor, reviewed, state, decision, note=comment)

    # -- reading ----------------------------------------------------------------------------------
    def diff(self, proposal_id: str) -> VersionDiff:
        """What the proposal changes, field by field, against its base version."""
        proposal = self.store.get_proposal(proposal_id)
        base = self.store.get(proposal.target_kind, proposal.target_id, proposal.base_version) if proposal.base_version else None
        return diff_versions(base, self.proposed_version(proposal, author=proposal.author))

    def proposed_version(self, proposal: Proposal, *, author: str) -> Version:
        """The version the proposal would publish."""
        common = dict(id=proposal.target_id, version=proposal.base_version + 1, author=author,
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
        check_versions([version], BatchState([version], (), base=self.store))  # type: ignore[arg-type]

    def _own_open(self, actor: Actor, proposal_id: str, doing: str, states: tuple[str, ...]) -> Proposal:
        require(actor, "editor", f"to {doing} a proposal")
        proposal = self.store.get_proposal(proposal_id)
        if proposal.author != actor.name and actor.role != "admin":
            raise Forbidden(f"only the author of proposal {proposal_id} ({proposal.author}) may {doing} it")
        if proposal.state not in states:
            raise Conflict(f"proposal {proposal_id} is {proposal.state}; cannot {doing} it", field="state")
        return proposal

    def _move(self, actor: Actor, proposal: Proposal, state: str, action: str, note: str = "") -> Proposal:
        moved = msgspec.structs.replace(proposal, state=state, updated=now())
        self.store.save_proposal(moved, actor=actor.name, action=action, note=note, expect_state=proposal.state)
        return moved


def _content_of(version: Version) -> ConceptContent:
    fields = {name: getattr(version, name) for name in ConceptContent.__struct_fields__}
    return ConceptContent(**fields)
