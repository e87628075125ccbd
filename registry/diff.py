"""Field-level differences between two versions of a concept or standard."""

from __future__ import annotations

from typing import Any

import msgspec
from msgspec import Struct

from .model import ConceptVersion, Term, Version

# bookkeeping that changes with every version and says nothing about the content
IGNORED = {"id", "version", "author", "created", "change_note", "proposal_id"}
RELATIONS = ("broader", "related", "replaced_by", "concepts")


class FieldChange(Struct, frozen=True, kw_only=True):
    field: str
    before: Any
    after: Any


class RelationChange(Struct, frozen=True, kw_only=True):
    field: str
    added: list[str]
    removed: list[str]


class VersionDiff(Struct, frozen=True, kw_only=True):
    id: str
    from_version: int  # 0: nothing before
    to_version: int
    changed_fields: list[str]
    labels_added: list[Term]
    labels_removed: list[Term]
    definition: FieldChange | None
    relations: list[RelationChange]
    other: list[FieldChange]


def diff_versions(before: Version | None, after: Version) -> VersionDiff:
    old = msgspec.structs.asdict(before) if before is not None else {}
    new = msgspec.structs.asdict(after)
    changed = sorted(k for k in new if k not in IGNORED and old.get(k) != new[k])
    labels_added: list[Term] = []
    labels_removed: list[Term] = []
    if isinstance(after, ConceptVersion):
        old_terms = set(old.get("terms", ()))
        labels_added = [t for t in after.terms if t not in old_terms]
        labels_removed = [t for t in old.get("terms", ()) if t not in set(after.terms)]
    definition = None
    if "definition" in changed:
        definition = FieldChange(field="definition", before=old.get("definition", ""), after=new["definition"])
    relations = [
        RelationChange(
            field=name,
            added=[x for x in new[name] if x not in old.get(name, ())],
            removed=[x for x in old.get(name, ()) if x not in new[name]],
        )
        for name in RELATIONS if name in changed
    ]
    other = [
        FieldChange(field=name, before=_plain(old.get(name)), after=_plain(new[name]))
        for name in changed if name not in ("terms", "definition", *RELATIONS)
    ]
    return VersionDiff(
        id=after.id, from_version=before.version if before is not None else 0, to_version=after.version,
        changed_fields=changed, labels_added=labels_added, labels_removed=labels_removed,
        definition=definition, relations=relations, other=other,
    )


def _plain(value: Any) -> Any:
    return msgspec.to_builtins(value)
