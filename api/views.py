"""What the API answers: response Structs, rendered from the catalog in the script the client asks for.

Content is stored in Simplified Chinese. ``script`` (zh-Hans, zh-Hant, zh-TW, zh-HK) renders labels,
definitions and highlights with OpenCC (s2t, s2twp, s2hk); a curated Taiwan or Hong Kong label of a
concept takes precedence over the converted preferred label.
"""

from __future__ import annotations

from typing import NamedTuple

from msgspec import Struct, structs

from registry.languages import REGIONAL, ZH_HANS, ZH_HANT, is_regional, is_simplified
from registry.model import (
    GRADE_LABELS,
    STANDARD_STATUS_LABELS,
    ConceptVersion,
    Source,
    StandardVersion,
    Term,
)
from registry.text import fold_to_simplified, folded_and_simplified
from search.analysis import render
from search.catalog import Catalog, Suggestion
from search.highlight import highlight, prepared
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


class TermOut(Struct, frozen=True, kw_only=True):
    text: str
    lang: str
    type: str
    display: str  # the text in the script asked for


class ConceptOut(Struct, kw_only=True):
    id: str
    href: str
    scheme: str
    version: int
    status: str
    script: str
    preferred: str
    english: str
    terms: list[TermOut]
    definition: str
    definition_en: str
    notes: list[str]
    examples: list[str]
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


class LookupHead(Struct, kw_only=True):
    """The concept part of a lookup match, the same for every label that names the concept."""

    id: str
    href: str
    preferred: str
    definition: str
    status: str
    replaced_by: list[Ref]
    qualifier: str = ""  # a homonym's broader concept or scheme (docs/vocabulary.md, "Homonyms")


class LookupMatchOut(LookupHead, kw_only=True):
    label_status: str  # the matched label's type: preferred, admitted, abbreviation, deprecated, superseded, hidden
    matched: Term


class LookupOut(Struct, kw_only=True):
    label: str
    matches: list[LookupMatchOut]


class BatchLookupOut(Struct, kw_only=True):
    results: list[LookupOut]
    found: int
    not_found: int


class Highlight(Struct, kw_only=True, omit_defaults=True):
    label: str = ""
    definition: str = ""


class HitHead(Struct, kw_only=True):
    """The part of a search hit that is the same for every query that finds it."""

    id: str
    kind: str
    href: str
    label: str
    code: str
    definition: str
    scheme: str
    status: str
    grade: str | None


class HitMatch(Struct, kw_only=True):
    """The part of a search hit that depends on the query, in the order of ``HitOut``."""

    match: str
    matched_label: str
    matched_type: str
    highlight: Highlight


class HitOut(HitHead, kw_only=True):
    match: str
    matched_label: str
    matched_type: str
    highlight: Highlight
    replaced_by: list[Ref]
    coverage: float | None = None  # label-partial: the share of the query the matched label covers
    qualifier: str = ""  # a homonym's broader concept or scheme: tells two concepts with one label apart


class SearchOut(Struct, kw_only=True):
    query: str
    script: str
    total: int
    total_exact: bool  # false when more matched than the best hits ranked (see docs/search.md)
    offset: int
    limit: int
    revision: int
    hits: list[HitOut]
    facets: dict[str, dict[str, int]]


class SuggestionHead(Struct, kw_only=True):
    id: str
    kind: str
    href: str
    label: str


class SuggestionOut(SuggestionHead, kw_only=True):
    matched: str


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


def curated_label(c: ConceptVersion, script: str) -> str | None:
    """A label curated for the region of ``script`` (zh-TW, zh-HK), if the concept has one."""
    if script not in REGIONAL:
        return None
    return next((t.text for t in c.terms if is_regional(t.lang, script) and t.type not in ("deprecated", "superseded")),
                None)


def display_label(c: ConceptVersion, script: str = "zh-Hans") -> str:
    """The preferred label as read in ``script``: a curated regional label first, else OpenCC."""
    return curated_label(c, script) or render(c.preferred, script)


def _term_out(term: Term, script: str) -> TermOut:
    # only the registry's Simplified text is rendered in the reader's script; any other term reads as written
    display = render(term.text, script) if is_simplified(term.lang) else term.text
    return TermOut(text=term.text, lang=term.lang, type=term.type, display=display)


def _refs(catalog: Catalog, ids, script: str = "zh-Hans") -> list[Ref]:
    return [
        Ref(id=i, label=display_label(catalog.concepts[i], script), href=concept_href(i))
        for i in ids if i in catalog.concepts
    ]


def official_title(text: str, script: str) -> str:
    """An official title (a standard's) in ``script`` character by character (s2t), never with regional
    wording: GB/T 43697's 数据安全技术 must not become 資料安全技術 in zh-TW."""
    return render(text, ZH_HANT) if script != ZH_HANS else text


def _standard_ref(s: StandardVersion, script: str) -> StandardRef:
    return StandardRef(id=s.id, code=s.code, title=official_title(s.title, script), status=s.status, href=standard_href(s.id))


def concept_out(catalog: Catalog, c: ConceptVersion, script: str = "zh-Hans") -> ConceptOut:
    return ConceptOut(
        id=c.id, href=concept_href(c.id), scheme=c.scheme, version=c.version, status=c.status, script=script,
        preferred=display_label(c, script), english=c.english, terms=[_term_out(t, script) for t in c.terms],
        definition=render(c.chinese_definition, script), definition_en=c.english_definition,
        notes=[render(n, script) for n in c.notes], examples=[render(e, script) for e in c.examples],
        notation=c.notation, grade=c.grade,
        grade_label=render(GRADE_LABELS[c.grade], script) if c.grade else None,
        broader=_refs(catalog, c.broader, script),
        narrower=_refs(catalog, sorted(catalog.narrower.get(c.id, ())), script),
        related=_refs(catalog, c.related, script), replaced_by=_refs(catalog, c.replaced_by, script),
        standards=[_standard_ref(catalog.standards[s], script) for s in sorted(catalog.standards_of.get(c.id, ()))],
        sources=c.sources, author=c.author, created=c.created, change_note=c.change_note,
    )


def standard_out(catalog: Catalog, s: StandardVersion, script: str = "zh-Hans") -> StandardOut:
    return StandardOut(
        id=s.id, href=standard_href(s.id), version=s.version, code=s.code, title=official_title(s.title, script),
        title_en=s.title_en, kind=s.kind, status=s.status,
        status_label=render(STANDARD_STATUS_LABELS[s.status], script), issued=s.issued, in_force=s.in_force,
        bodies=s.bodies, replaces=s.replaces, concepts=_refs(catalog, s.concepts, script), notes=s.notes,
        sources=s.sources,
    )


def qualifier(catalog: Catalog, c: ConceptVersion, script: str = "zh-Hans", preferred: str = "",
              folded: str | None = None) -> str:
    """What tells a homonym apart (ISO 704: one label, several concepts, as imported thesauri have them): its
    broader concept's label, else its preferred term in another language (English first) that differs, else its
    scheme's title; empty when no other concept of the scheme shares its preferred label. ``preferred``:
    ``c.preferred`` when the caller has it, ``folded`` its ``fold_to_simplified``."""
    folded = fold_to_simplified(preferred or c.preferred) if folded is None else folded
    return distinction(catalog, c, script) if shares_label(catalog, c.id, c.scheme, folded) else ""


def shares_label(catalog: Catalog, concept_id: str, scheme: str, folded: str) -> bool:
    """Whether another concept of ``scheme`` has a preferred label folding to ``folded`` (a homonym)."""
    concepts = catalog.concepts
    return any(m.id != concept_id and m.term.type == "preferred" and m.id in concepts
               and concepts.scheme(m.id) == scheme for m in catalog.by_label.get(folded, ()))


def distinction(catalog: Catalog, c: ConceptVersion, script: str = "zh-Hans") -> str:
    """What tells a concept apart from another with its label: its broader concept's label, else its
    preferred term in another language, else its scheme's title."""
    broader = next((catalog.concepts[b] for b in c.broader if b in catalog.concepts), None)
    if broader is not None:
        return render(broader.preferred, script)
    if c.other_name:
        return c.other_name
    scheme = catalog.schemes.get(c.scheme)
    return render(scheme.title, script) if scheme else c.scheme


def lookup_head(catalog: Catalog, c: ConceptVersion, script: str = "zh-Hans") -> LookupHead:
    return LookupHead(id=c.id, href=concept_href(c.id), preferred=display_label(c, script),
                      definition=render(c.chinese_definition, script), status=c.status,
                      replaced_by=_refs(catalog, c.replaced_by, script), qualifier=qualifier(catalog, c, script))


class HitStatic(NamedTuple):
    """What a hit shows that does not depend on the query: its head, the texts highlights mark (with the
    script each is shown in), its replacements and its qualifier."""

    head: HitHead
    label: str  # the label text the label highlight marks
    label_script: str
    definition: str  # the text the definition highlight marks, in ``script``
    replaced_by: list[Ref]
    qualifier: str
    label_target: str  # search.highlight.prepared(label)


def hit_static(catalog: Catalog, kind: str, entity_id: str, script: str = "zh-Hans") -> HitStatic:
    if kind == "standard":
        s = catalog.standards[entity_id]
        notes = "; ".join(s.notes)
        head = HitHead(id=s.id, kind="standard", href=standard_href(s.id), label=official_title(s.title, script),
                       code=s.code, definition=render(notes, script), scheme="standards", status=s.status, grade=None)
        return HitStatic(head, s.title, ZH_HANT if script != ZH_HANS else script, notes, [], "", prepared(s.title))
    # the columns and an excerpt of the concept (ConceptTable.excerpt): the whole version is decoded only
    # for a regional script's curated label and a homonym's distinction
    concepts = catalog.concepts
    c = concepts.excerpt(entity_id)
    curated = curated_label(concepts[entity_id], script) if script in REGIONAL else None
    preferred, definition, scheme = concepts.preferred(entity_id), c.chinese_definition, concepts.scheme(entity_id)
    folded, simplified = folded_and_simplified(preferred)  # simplified: the t2s that prepared(preferred) reads
    head = HitHead(id=entity_id, kind="concept", href=concept_href(entity_id),
                   label=curated or render(preferred, script), code=c.notation, definition=render(definition, script),
                   scheme=scheme, status=concepts.status(entity_id), grade=concepts.grade(entity_id))
    shared = shares_label(catalog, entity_id, scheme, folded)
    return HitStatic(head, curated or preferred, ZH_HANS if curated else script, definition,
                     _refs(catalog, c.replaced_by, script),
                     distinction(catalog, concepts[entity_id], script) if shared else "",
                     prepared(curated) if curated else prepared(preferred, simplified))


def hit_out(catalog: Catalog, hit: Hit, terms: tuple[str, ...], script: str = "zh-Hans") -> HitOut:
    static = hit_static(catalog, hit.kind, hit.id, script)
    marks = hit.marks or terms  # a label match marks only what it shares with the query
    return HitOut(
        **structs.asdict(static.head), match=TIERS[hit.tier], matched_label=hit.matched,
        matched_type=hit.matched_type,
        highlight=Highlight(label=highlight(static.label, marks, static.label_script),
                            definition=highlight(static.definition, terms, script)),
        replaced_by=static.replaced_by, coverage=hit.coverage, qualifier=static.qualifier,
    )


def search_out(catalog: Catalog, query: str, results: SearchResults, offset: int, limit: int,
               script: str = "zh-Hans") -> SearchOut:
    hits = [
        hit_out(catalog, h, results.highlight_terms, script)
        for h in results.hits if h.id in catalog.concepts or h.id in catalog.standards
    ]
    return SearchOut(query=query, script=script, total=results.total, total_exact=results.total_exact,
                     offset=offset, limit=limit,
                     revision=results.revision, hits=hits, facets=results.facets)


def suggestion_head(catalog: Catalog, s: Suggestion, script: str = "zh-Hans") -> SuggestionHead:
    if s.kind == "concept":
        label, href = display_label(catalog.concepts[s.id], script), concept_href(s.id)
    else:
        label, href = render(s.label, script), standard_href(s.id)
    return SuggestionHead(id=s.id, kind=s.kind, href=href, label=label)
