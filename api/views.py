"""What the API answers: response Structs, and rendering them from the catalog."""

from __future__ import annotations

from msgspec import Struct

from registry.model import (
    GRADE_LABELS,
    STANDARD_STATUS_LABELS,
    ConceptVersion,
    Source,
    StandardVersion,
    Term,
)
from search.catalog import Catalog, LabelMatch
from search.service import TIERS, Hit, SearchResults


class Ref(Struct, frozen=True, kw_only=True):
    id: str
    label: str
    href: str


class StandardRef(Struct, frozen=True, kw_only=True):
    id: str
    code: str
    title: str
    status: str
    href: str


class ConceptOut(Struct, kw_only=True):
    id: str
    href: str
    scheme: str
    version: int
    status: str
    preferred: str
    english: str
    terms: tuple[Term, ...]
    definition: str
    definition_en: str
    notes: tuple[str, ...]
    examples: tuple[str, ...]
    notation: str
    grade: str | None
    grade_label: str | None
    broader: list[Ref]
    narrower: list[Ref]
    related: list[Ref]
    replaced_by: list[Ref]
    standards: list[StandardRef]
    sources: tuple[Source, ...]
    author: str
    created: str
    change_note: str


class StandardOut(Struct, kw_only=True):
    id: str
    href: str
    version: int
    code: str
    title: str
    title_en: str
    kind: str
    status: str
    status_label: str
    issued: str | None
    in_force: str | None
    bodies: tuple[str, ...]
    replaces: tuple[str, ...]
    concepts: list[Ref]
    notes: tuple[str, ...]
    sources: tuple[Source, ...]


class LookupMatchOut(Struct, kw_only=True):
    id: str
    href: str
    preferred: str
    definition: str
    status: str
    matched: Term


class LookupOut(Struct, kw_only=True):
    label: str
    matches: list[LookupMatchOut]


class HitOut(Struct, kw_only=True):
    id: str
    kind: str
    href: str
    label: str
    code: str
    definition: str
    scheme: str
    status: str
    match: str
    matched_label: str
    matched_type: str
    replaced_by: list[Ref]


class SearchOut(Struct, kw_only=True):
    query: str
    total: int
    offset: int
    limit: int
    revision: int
    hits: list[HitOut]


class SchemeOut(Struct, kw_only=True):
    id: str
    title: str
    title_en: str
    description: str
    status: str
    concepts: int


def concept_href(concept_id: str) -> str:
    return f"/api/v1/concepts/{concept_id}"


def standard_href(standard_id: str) -> str:
    return f"/api/v1/standards/{standard_id}"


def _refs(catalog: Catalog, ids) -> list[Ref]:
    return [Ref(id=i, label=catalog.concepts[i].preferred, href=concept_href(i)) for i in ids if i in catalog.concepts]


def _standard_ref(s: StandardVersion) -> StandardRef:
    return StandardRef(id=s.id, code=s.code, title=s.title, status=s.status, href=standard_href(s.id))


def concept_out(catalog: Catalog, c: ConceptVersion) -> ConceptOut:
    return ConceptOut(
        id=c.id, href=concept_href(c.id), scheme=c.scheme, version=c.version, status=c.status,
        preferred=c.preferred, english=c.english, terms=c.terms, definition=c.definition,
        definition_en=c.definition_en, notes=c.notes, examples=c.examples, notation=c.notation,
        grade=c.grade, grade_label=GRADE_LABELS.get(c.grade) if c.grade else None,
        broader=_refs(catalog, c.broader), narrower=_refs(catalog, sorted(catalog.narrower.get(c.id, ()))),
        related=_refs(catalog, c.related), replaced_by=_refs(catalog, c.replaced_by),
        standards=[_standard_ref(catalog.standards[s]) for s in sorted(catalog.standards_of.get(c.id, ()))],
        sources=c.sources, author=c.author, created=c.created, change_note=c.change_note,
    )


def standard_out(catalog: Catalog, s: StandardVersion) -> StandardOut:
    return StandardOut(
        id=s.id, href=standard_href(s.id), version=s.version, code=s.code, title=s.title, title_en=s.title_en,
        kind=s.kind, status=s.status, status_label=STANDARD_STATUS_LABELS[s.status], issued=s.issued,
        in_force=s.in_force, bodies=s.bodies, replaces=s.replaces, concepts=_refs(catalog, s.concepts),
        notes=s.notes, sources=s.sources,
    )


def lookup_out(catalog: Catalog, label: str, matches: list[LabelMatch]) -> LookupOut:
    out = []
    for m in matches:
        c = catalog.concepts[m.id]
        out.append(LookupMatchOut(id=c.id, href=concept_href(c.id), preferred=c.preferred,
                                  definition=c.definition, status=c.status, matched=m.term))
    return LookupOut(label=label, matches=out)


def hit_out(catalog: Catalog, hit: Hit) -> HitOut:
    if hit.kind == "standard":
        s = catalog.standards[hit.id]
        return HitOut(id=s.id, kind="standard", href=standard_href(s.id), label=s.title, code=s.code,
                      definition="; ".join(s.notes), scheme="standards", status=s.status, match=TIERS[hit.tier],
                      matched_label=hit.matched, matched_type=hit.matched_type, replaced_by=[])
    c = catalog.concepts[hit.id]
    return HitOut(id=c.id, kind="concept", href=concept_href(c.id), label=c.preferred, code=c.notation,
                  definition=c.definition, scheme=c.scheme, status=c.status, match=TIERS[hit.tier],
                  matched_label=hit.matched, matched_type=hit.matched_type,
                  replaced_by=_refs(catalog, c.replaced_by))


def search_out(catalog: Catalog, query: str, results: SearchResults, offset: int, limit: int) -> SearchOut:
    hits = [hit_out(catalog, h) for h in results.hits if h.id in catalog.concepts or h.id in catalog.standards]
    return SearchOut(query=query, total=results.total, offset=offset, limit=limit, revision=results.revision, hits=hits)
