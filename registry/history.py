"""Reading the past: which revision a time or a release names, and what changed between two revisions."""

from __future__ import annotations

from datetime import datetime, UTC

from msgspec import Struct

from .errors import InvalidInput
from .store import Store


class ChangeSummary(Struct, kw_only=True):
    from_revision: int
    to_revision: int
    added: list[str]
    changed: list[str]
    deprecated: list[str]
    standards_added: list[str]
    standards_changed: list[str]


def revision_of(store: Store, at: str | None = None, release: str | None = None) -> int | None:
    """The revision named by ``at`` (a revision number or an ISO date/time) or ``release`` (a tag)."""
    if at and release:
        raise InvalidInput("give at or release, not both", field="at")
    if release:
        return store.get_release(release).revision
    if not at:
        return None
    if at.isascii() and at.isdigit():  # not str.isdigit() alone: it accepts '²' and other digits int() refuses
        if len(at) > 18:
            raise InvalidInput("no such revision", field="at")
        return int(at)
    try:
        when = datetime.fromisoformat(at.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInput("at is a revision number or an ISO 8601 date or time", field="at") from None
    if len(at) == 10:  # a date means the end of that day
        when = when.replace(hour=23, minute=59, second=59)
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return store.revision_at(when.astimezone(UTC).isoformat(timespec="seconds"))


def summarize(store: Store, from_revision: int, to_revision: int) -> ChangeSummary:
    """Concepts added, changed and deprecated (and standards added or changed) in (from, to]."""
    if from_revision > to_revision:
        raise InvalidInput("the first revision must not be after the second", field="since")
    first: dict[tuple[str, str], str] = {}
    actions: dict[tuple[str, str], set[str]] = {}
    revision = from_revision
    while revision < to_revision:
        events = [e for e in store.changes_since(revision, limit=5000) if e.revision <= to_revision]
        if not events:
            break
        for e in events:
            if e.kind in ("concept", "standard"):
                first.setdefault((e.kind, e.entity_id), e.action)
                actions.setdefault((e.kind, e.entity_id), set()).add(e.action)
        revision = events[-1].revision
    def ids(kind: str, test) -> list[str]:
        return sorted(i for (k, i), acts in actions.items() if k == kind and test(first[(k, i)], acts))
    return ChangeSummary(
        from_revision=from_revision, to_revision=to_revision,
        added=ids("concept", lambda f, a: f == "create"),
        changed=ids("concept", lambda f, a: f != "create" and "deprecate" not in a),
        deprecated=ids("concept", lambda f, a: f != "create" and "deprecate" in a),
        standards_added=ids("standard", lambda f, a: f == "create"),
        standards_changed=ids("standard", lambda f, a: f != "create"),
    )
