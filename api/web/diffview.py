"""A version diff as readers see it: terms added and removed, the definition with changed characters
marked, relations by name, other fields before and after."""

from __future__ import annotations

import difflib
import html
from collections import Counter
from os.path import commonprefix
from typing import Any

from msgspec import Struct

from registry.diff import VersionDiff

from . import labels
from .script import curated_labels, ui


class TermLine(Struct, kw_only=True):
    text: str
    lang: str
    type: str


class RelationLine(Struct, kw_only=True):
    field: str
    added: list[tuple[str, str]]  # (id, label)
    removed: list[tuple[str, str]]


class FieldLine(Struct, kw_only=True):
    field: str
    before: str
    after: str
    before_links: list[str] = []  # the http(s) addresses in the value (a source's URL), shown as links
    after_links: list[str] = []


def _links(value: Any) -> list[str]:
    items = value if isinstance(value, (list, tuple)) else [value]
    return [str(v["url"]) for v in items if isinstance(v, dict) and str(v.get("url") or "").startswith(("http://", "https://"))]


class DiffView(Struct, kw_only=True):
    from_version: int
    to_version: int
    empty: bool
    terms_added: list[TermLine]
    terms_removed: list[TermLine]
    definition_before: str  # HTML, changed characters in <del>
    definition_after: str  # HTML, changed characters in <ins>
    definition_changed: bool
    relations: list[RelationLine]
    other: list[FieldLine]


# difflib's work on two texts grows with the pairs of equal characters across them: a few thousand for a
# definition as written (2,000 characters: 26,000 pairs, 12 ms), millions for one of few characters
# (random a/b: 2,000,000 pairs, 0.46 s); past this many, only the common start and end are marked equal
MAX_PAIRS = 400_000


def mark_changes(before: str, after: str) -> tuple[str, str]:
    """Both texts HTML-escaped, with the characters only one of them has wrapped in <del> / <ins>."""
    if len(before) * len(after) > MAX_PAIRS:
        counts = Counter(after)
        if sum(n * counts[ch] for ch, n in Counter(before).items()) > MAX_PAIRS:
            return _mark_ends(before, after)
    old, new = [], []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, before, after, autojunk=False).get_opcodes():
        a, b = html.escape(before[i1:i2]), html.escape(after[j1:j2])
        if op == "equal":
            old.append(a)
            new.append(b)
            continue
        if a:
            old.append(f"<del>{a}</del>")
        if b:
            new.append(f"<ins>{b}</ins>")
    return "".join(old), "".join(new)


def _mark_ends(before: str, after: str) -> tuple[str, str]:
    """``mark_changes`` by the common start and end alone: what lies between is marked changed."""
    start = len(commonprefix([before, after]))
    end = len(commonprefix([before[start:][::-1], after[start:][::-1]]))
    parts = []
    for text, tag in ((before, "del"), (after, "ins")):
        middle = text[start:len(text) - end]
        parts.append(html.escape(text[:start]) + (f"<{tag}>{html.escape(middle)}</{tag}>" if middle else "")
                     + html.escape(text[len(text) - end:]))
    return parts[0], parts[1]


def _plain(value: Any) -> str:
    if value is None or value == "" or value == [] or value == ():
        return "—"
    if isinstance(value, (list, tuple)):
        return "；".join(_plain(v) for v in value)
    if isinstance(value, dict):
        return "，".join(str(v) for v in value.values() if v)
    return str(value)


def _value(field: str, value: Any, catalog=None, name=None) -> str:
    if field == "scheme" and value and catalog is not None and value in catalog.schemes:
        return catalog.schemes[value].title
    if field in ("grade_factors", "replaced_by") and value and name is not None:
        return "；".join(name(v) for v in value)
    if field == "grade" and value:
        return labels.GRADES.get(value, value)
    if field == "status" and value:
        return labels.CONCEPT_STATUSES.get(value) or labels.STANDARD_STATUSES.get(value, value)
    if field == "kind" and value:
        return labels.STANDARD_KINDS.get(value, value)
    return _plain(value)


def diff_view(diff: VersionDiff, catalog, script: str) -> DiffView:
    def name(concept_id: str) -> str:
        c = catalog.concepts.get(concept_id)
        return ui(c.preferred, script, curated) if c else concept_id

    curated = curated_labels(catalog, script)

    definition_before = definition_after = ""
    if diff.definition is not None:
        definition_before, definition_after = mark_changes(ui(diff.definition.before or "", script),
                                                           ui(diff.definition.after or "", script))
    return DiffView(
        from_version=diff.from_version, to_version=diff.to_version, empty=not diff.changed_fields,
        terms_added=[TermLine(text=t.text, lang=t.lang, type=t.type) for t in diff.labels_added],
        terms_removed=[TermLine(text=t.text, lang=t.lang, type=t.type) for t in diff.labels_removed],
        definition_before=definition_before, definition_after=definition_after,
        definition_changed=diff.definition is not None,
        relations=[RelationLine(field=r.field, added=[(i, name(i)) for i in r.added],
                                removed=[(i, name(i)) for i in r.removed]) for r in diff.relations
                   if r.added or r.removed],
        other=[line for line in (FieldLine(field=f.field, before=ui(_value(f.field, f.before, catalog, name), script),
                                           after=ui(_value(f.field, f.after, catalog, name), script),
                                           before_links=_links(f.before), after_links=_links(f.after))
                                 for f in diff.other) if line.before != line.after],  # no "— → —"
    )
