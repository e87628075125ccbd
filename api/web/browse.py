"""What the reader pages show, assembled from the catalog and the store: scheme trees, the pinyin index,
breadcrumbs, lifecycles, version lists and the recent changes."""

from __future__ import annotations

from collections import Counter

from msgspec import Struct

from registry.model import ConceptVersion, Release, StandardVersion
from search.analysis import marked_pinyin, pinyin_keys
from registry.text import fold_to_simplified

from . import labels

CHANGE_ACTIONS = ("create", "revise", "deprecate")
MAX_TREE_DEPTH = 24  # levels of a scheme's tree nested in its page; a concept at the deepest holds all below it, flat


class Node(Struct, kw_only=True):
    id: str
    label: str
    notation: str
    grade: str | None
    deprecated: bool
    children: list["Node"]


class IndexEntry(Struct, kw_only=True):
    id: str
    label: str
    pinyin: str  # the sort key: toneless, run together
    reading: str = ""  # as people read it: tone marks and ü, one syllable at a time (fǎ lǜ míng bai rén)


def reading(text: str) -> str:
    """Pinyin with tone marks, syllable by syllable; what is not Chinese stays as written."""
    return " ".join(part.strip() for part in marked_pinyin(text) if part.strip())


class ChangeRow(Struct, kw_only=True):
    revision: int
    at: str
    actor: str
    action: str
    kind: str
    id: str
    version: int
    label: str
    note: str
    release: str | None


class VersionRow(Struct, kw_only=True):
    version: int
    author: str
    created: str
    change_note: str
    proposal_id: str | None
    status: str
    release: str | None


def _sort_key(c: ConceptVersion) -> tuple:
    return (c.notation or "~", pinyin_keys(fold_to_simplified(c.preferred))[0])


def scheme_tree(catalog, scheme_id: str) -> list[Node]:
    """The scheme's concepts as nested lists: top concepts first, narrower ones inside."""
    members = {cid: catalog.concepts[cid] for cid in catalog.concepts.ids_where(scheme_id)}  # the scheme's only decoded
    children: dict[str, list[ConceptVersion]] = {}
    tops = []
    for c in members.values():
        parents = [b for b in c.broader if b in members]
        if not parents:
            tops.append(c)
        for parent in parents[:1]:  # shown once, under its first broader concept
            children.setdefault(parent, []).append(c)

    def node(c: ConceptVersion) -> Node:
        return Node(id=c.id, label=c.preferred, notation=c.notation, grade=c.grade,
                    deprecated=c.status == "deprecated", children=[])

    def below(c: ConceptVersion) -> list[ConceptVersion]:
        return sorted(children.get(c.id, []), key=_sort_key)

    # made without recursion (an imported chain of thousands of concepts, each under the one before, overflowed
    # the stack: the scheme's page was a 500); each concept has one place (under its first broader concept), so
    # what hangs below a top concept is a tree: no concept is met twice
    roots = sorted(tops, key=_sort_key)
    tree = [node(c) for c in roots]
    stack = [(n, c, 0) for n, c in zip(tree, roots)]
    while stack:
        parent, c, depth = stack.pop()
        if depth < MAX_TREE_DEPTH - 1:
            kids = below(c)
            parent.children = [node(k) for k in kids]
            stack.extend((n, k, depth + 1) for n, k in zip(parent.children, kids))
        else:  # the deepest level shown: everything below it, flat, in the tree's order
            walk = list(reversed(below(c)))
            while walk:
                k = walk.pop()
                parent.children.append(node(k))
                walk.extend(reversed(below(k)))
    return tree


def pinyin_index(catalog, scheme_id: str) -> dict[str, list[IndexEntry]]:
    """Preferred terms by the first letter of their pinyin, A to Z (others under #)."""
    index: dict[str, list[IndexEntry]] = {}
    for c in (catalog.concepts[i] for i in catalog.concepts.ids_where(scheme_id)):
        if c.status != "published":
            continue
        full = pinyin_keys(fold_to_simplified(c.preferred))[0]
        letter = full[:1].upper() if full[:1].isascii() and full[:1].isalpha() else "#"
        index.setdefault(letter, []).append(IndexEntry(id=c.id, label=c.preferred, pinyin=full,
                                                            reading=reading(fold_to_simplified(c.preferred))))
    return {k: sorted(v, key=lambda e: e.pinyin) for k, v in sorted(index.items(), key=lambda kv: (kv[0] == "#", kv[0]))}


def grade_counts(catalog, scheme_id: str) -> list[tuple[str, int]]:
    concepts = catalog.concepts
    counts = Counter(concepts.grade(i) for i in concepts.ids_where(scheme_id) if concepts.grade(i))
    return [(grade, counts.get(grade, 0)) for grade in labels.GRADES]


def breadcrumb(catalog, concept: ConceptVersion) -> list[ConceptVersion]:
    """Broader concepts from the top down to the concept's parent (following the first broader link)."""
    chain: list[ConceptVersion] = []
    seen = {concept.id}
    current = concept
    while current.broader and len(chain) < 20:
        parent = catalog.concepts.get(current.broader[0])
        if parent is None or parent.id in seen:
            break
        chain.append(parent)
        seen.add(parent.id)
        current = parent
    return list(reversed(chain))


def release_of(releases: list[Release], revision: int) -> str | None:
    """The first release that includes ``revision``."""
    return next((r.tag for r in releases if r.revision >= revision), None)


def versions(store, kind: str, entity_id: str) -> list[VersionRow]:
    releases = store.releases()
    return [
        VersionRow(version=v.version, author=v.author, created=v.created, change_note=v.change_note,
                   proposal_id=v.proposal_id, status=v.status,
                   release=release_of(releases, store.revision_at(v.created)) if v.created else None)
        for v in store.history(kind, entity_id)
    ]


def lifecycle(history: list[StandardVersion]) -> list[tuple[str, str, str | None, bool]]:
    """The stages of the lifecycle with the date each was reached, from a standard's versions."""
    dates: dict[str, str | None] = {}
    current = history[-1]
    for v in history:
        stage = labels.STAGE_OF.get(v.status, v.status)
        dates.setdefault(stage, v.status_date or (v.created or "")[:10] or None)
    if current.issued:
        dates["published"] = current.issued
    if current.in_force:
        dates["in_force"] = current.in_force
    order = [code for code, _ in labels.LIFECYCLE]
    now_stage = labels.STAGE_OF.get(current.status, current.status)
    reached = order.index(now_stage) if now_stage in order else -1
    if now_stage != "withdrawn" and "withdrawn" in dates:
        del dates["withdrawn"]
    return [(code, name, dates.get(code) if i <= reached else None, i <= reached)
            for i, (code, name) in enumerate(labels.LIFECYCLE)
            if code != "withdrawn" or now_stage == "withdrawn" or i <= reached]


def recent_changes(store, catalog, before: int | None, limit: int) -> tuple[list[ChangeRow], int | None]:
    """Published versions, newest first, at or before revision ``before``; and where the next page starts."""
    top = store.revision() if before is None else min(before, store.revision())
    releases = store.releases()
    rows: list[ChangeRow] = []
    end = top
    window = 200
    while end > 0 and len(rows) <= limit:
        start = max(0, end - window)
        events = [e for e in store.changes_since(start, limit=window) if e.revision <= end]
        for e in reversed(events):
            if e.kind in ("concept", "standard") and e.action in CHANGE_ACTIONS:
                rows.append(ChangeRow(revision=e.revision, at=e.at, actor=e.actor, action=e.action, kind=e.kind,
                                      id=e.entity_id, version=e.version, label=_label(catalog, e.kind, e.entity_id),
                                      note=e.note, release=release_of(releases, e.revision)))
        end = start
    more = rows[limit:] if len(rows) > limit else []
    rows = rows[:limit]
    return rows, (rows[-1].revision - 1 if more else None)


def _label(catalog, kind: str, entity_id: str) -> str:
    if kind == "concept":
        c = catalog.concepts.get(entity_id)
        return c.preferred if c else entity_id
    s = catalog.standards.get(entity_id)
    return (s.code + " " + s.title).strip() if s else entity_id


def replaced_by(catalog, standard: StandardVersion) -> list[StandardVersion]:
    """Standards in the catalogue that name this one (by code) among those they replace."""
    if not standard.code:
        return []
    return [s for s in catalog.standards.values() if standard.code in s.replaces or
            any(r.startswith(standard.code.split("-")[0]) and r == standard.code for r in s.replaces)]


def scheme_counts(catalog) -> Counter:
    return catalog.concepts.scheme_counts()
