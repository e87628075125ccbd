"""Proposals as the editor pages list and show them, and rebasing a stale one.

Rebasing re-applies what the proposal changed (against the version it was written on) to the current
version: fields it changed take its value, the others the current one; terms, relations, notes and
sources are merged as additions and removals. The result is shown to the author in the edit form and
is saved and submitted only by them: a bare base-version bump is never offered.
"""

from __future__ import annotations

import msgspec

from registry.errors import NotFound
from registry.model import ConceptContent, Proposal, StandardContent

LISTED = ("terms", "broader", "related", "notes", "examples", "sources", "bodies", "replaces", "concepts")
MAX_LISTED = 2000


def all_proposals(store, state: str | None = None) -> list[Proposal]:
    out: list[Proposal] = []
    while len(out) < MAX_LISTED:
        items, total = store.list_proposals(state=state, offset=len(out), limit=100)
        out.extend(items)
        if not items or len(out) >= total:
            break
    return out


def mine(store, name: str) -> list[Proposal]:
    return [p for p in all_proposals(store) if p.author == name]


def review_queue(store, name: str) -> list[Proposal]:
    """Submitted proposals someone else wrote, oldest first (first come, first reviewed)."""
    return sorted((p for p in all_proposals(store, "submitted") if p.author != name), key=lambda p: p.updated)


def current_version(store, proposal: Proposal):
    try:
        return store.get(proposal.target_kind, proposal.target_id)
    except NotFound:
        return None


def is_stale(proposal: Proposal, current) -> bool:
    return proposal.kind != "create" and current is not None and current.version != proposal.base_version


def reapply(base, proposed: ConceptContent | StandardContent, current) -> ConceptContent | StandardContent:
    """``proposed`` (written against ``base``) re-applied to ``current``."""
    kind = type(proposed)
    merged = {}
    for name in kind.__struct_fields__:
        was, wanted, now = getattr(base, name), getattr(proposed, name), getattr(current, name)
        if name in LISTED:
            added = [x for x in wanted if x not in was]
            removed = [x for x in was if x not in wanted]
            merged[name] = tuple([x for x in now if x not in removed] + [x for x in added if x not in now])
        else:
            merged[name] = wanted if wanted != was else now
    return msgspec.convert(msgspec.to_builtins(merged), kind)
