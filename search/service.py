"""The search service: keeps catalog and index current from the change log, and answers queries.

Ranking: whoosh finds candidates with a query built in code; each candidate is then placed in a tier
(exact preferred label, exact other label, label prefix, label words, definition) and sorted by
(tier, score, id), so the order is explainable and stable.
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from msgspec import Struct
from whoosh import query as q

from registry.model import ConceptVersion, StandardVersion, Version
from registry.store import Store

from .analysis import bigrams, expand_query, fold_to_simplified, normalize, pinyin_keys, segment
from .catalog import Catalog, Suggestion, code_keys, query_code_key
from .documents import concept_document, standard_document
from .highlight import highlight_terms
from .index import SearchIndex

PREFIX_CANDIDATES = 100  # pinyin / English prefix candidates taken from the catalog per query
MAX_CANDIDATES = 300  # hits ranked per query: the reachable result set; `total_exact` says if there were more
BULK_REBUILD = 1000  # documents above which an empty index is built whole rather than updated
CACHE_SIZE = 2048  # ranked results per (forms, filters, revision); a new revision misses them all
ASCII_LETTERS = re.compile(r"^[a-z ]+$")
HAS_DIGIT = re.compile(r"\d")
LATIN_WORD = re.compile(r"[a-z0-9]+")
HAS_CODE_CHAR = re.compile(r"[0-9a-z]")
TIERS = ("exact-preferred", "exact-label", "label-prefix", "label-words", "definition")
FILTER_FIELDS = ("scheme", "status", "grade", "standard", "kind")


class Hit(Struct, frozen=True, kw_only=True):
    id: str
    kind: str
    tier: int
    score: float
    matched: str = ""
    matched_type: str = ""
    matched_lang: str = ""

    @property
    def match(self) -> str:
        return TIERS[self.tier]


class SearchResults(Struct, frozen=True, kw_only=True):
    total: int
    hits: list[Hit]
    revision: int
    facets: dict[str, dict[str, int]] = {}
    highlight_terms: tuple[str, ...] = ()
    total_exact: bool = True  # False: more matched than the MAX_CANDIDATES ranked; total counts those


class SearchService:
    def __init__(self, store: Store, index_folder: str | Path) -> None:
        self.store = store
        self.catalog = Catalog.from_store(store)
        self.index = SearchIndex(index_folder)
        self._sync_lock = threading.Lock()
        self._cache: dict[tuple, tuple[list[Hit], dict[str, dict[str, int]], bool]] = {}
        self._cache_lock = threading.Lock()

    # -- following the change log ------------------------------------------------------------
    def catch_up(self) -> int:
        """Bring catalog and index up to the store's revision; returns how many documents were written."""
        with self._sync_lock:
            revision = self.store.revision()
            if self.catalog.revision < revision:
                self.catalog.apply(self._changed_since(self.catalog.revision), revision)
            if self.index.revision >= revision:
                self.index.refresh()
                return 0
            if self.index.revision == 0 and self.document_count() > BULK_REBUILD:
                # an empty (or new-schema) index: build it whole, in parallel, rather than update by update
                return self.index.rebuild(self.all_documents(), revision)
            docs = list(self._documents(self._affected(self._changed_since(self.index.revision))))
            if not self.index.apply(docs, revision, timeout=0.5):
                self.index.refresh()  # another process writes the index
                return 0
            return len(docs)

    def _changed_since(self, revision: int) -> list[Version]:
        seen: dict[tuple[str, str], None] = {}
        while True:
            events = self.store.changes_since(revision, limit=10_000)
            if not events:
                break
            for event in events:
                if event.kind in ("concept", "standard"):
                    seen[(event.kind, event.entity_id)] = None
            revision = events[-1].revision
        return [self.store.get(kind, entity_id) for kind, entity_id in seen]  # type: ignore[arg-type]

    def _affected(self, versions: Iterable[Version]) -> set[tuple[str, str]]:
        ids: set[tuple[str, str]] = set()
        for version in versions:
            if isinstance(version, StandardVersion):
                ids.add(("standard", version.id))
                ids.update(("concept", c) for c in version.concepts)  # its concepts carry its facet
            else:
                ids.add(("concept", version.id))
        return ids

    def _documents(self, ids: Iterable[tuple[str, str]]):
        for kind, entity_id in sorted(ids):
            if kind == "concept" and entity_id in self.catalog.concepts:
                yield concept_document(self.catalog.concepts[entity_id], self.catalog)
            elif kind == "standard" and entity_id in self.catalog.standards:
                yield standard_document(self.catalog.standards[entity_id])

    def all_documents(self):
        yield from (concept_document(c, self.catalog) for c in self.catalog.concepts.values())
        yield from (standard_document(s) for s in self.catalog.standards.values())

    def rebuild(self, progress=None) -> int:
        """Rebuild the index from the catalog (itself read from the store)."""
        with self._sync_lock:
            self.catalog = Catalog.from_store(self.store)
            return self.index.rebuild(self.all_documents(), self.catalog.revision, progress)

    def repair(self) -> bool:
        """After an index failure: reopen the index, or rebuild it from the catalog if it is unreadable."""
        with self._sync_lock:
            return self.index.repair(self.all_documents, self.catalog.revision)

    def document_count(self) -> int:
        return len(self.catalog.concepts) + len(self.catalog.standards)

    # -- answering ---------------------------------------------------------------------------
    def search(self, text: str, *, filters: dict[str, str] | None = None, offset: int = 0, limit: int = 20) -> SearchResults:
        forms = expand_query(text)
        key = (forms, tuple(sorted((filters or {}).items())), self.catalog.revision, self.index.generation)
        ranked = self._cache.get(key)
        if ranked is None:  # only a miss builds and runs the whoosh query
            ranked = self._ranked(forms, filters)
            with self._cache_lock:
                if len(self._cache) >= CACHE_SIZE:
                    self._cache.pop(next(iter(self._cache)))
                self._cache[key] = ranked
        hits, facets, exact = ranked
        return SearchResults(total=len(hits), hits=hits[offset : offset + limit], revision=self.catalog.revision,
                             facets=facets, highlight_terms=highlight_terms(forms), total_exact=exact)

    def _ranked(self, forms: tuple[str, ...], filters: dict[str, str] | None):
        query = build_query(forms, self.index)
        if query is None:  # nothing searchable left, e.g. only punctuation
            return [], {}, True
        filter_query = None
        if filters:
            filter_query = q.And([q.Term(name, value) for name, value in sorted(filters.items()) if value])
        found = self.index.search(query, filters=filter_query, limit=MAX_CANDIDATES)
        signs = LabelSigns.of(forms, self.catalog)
        if ASCII_LETTERS.match(forms[0]):
            # pinyin, initials and English prefixes come from the catalog's sorted keys: a whoosh Prefix
            # query walks the term list of every segment and costs more than the rest of the query
            seen = {entity_id for entity_id, _ in found}
            found += [(entity_id, 0.0) for entity_id in signs.prefixed if entity_id not in seen
                      and self._passes(entity_id, filters)]
        hits = [hit for hit in (self._place(entity_id, score, forms, signs) for entity_id, score in found) if hit]
        hits.sort(key=lambda h: (h.tier, -round(h.score, 6), h.id))
        return hits, self._facets(hits), len(found) < MAX_CANDIDATES

    def _facet_values(self, entity_id: str) -> dict[str, tuple[str, ...]]:
        """The values an entity has for each facet (and filter)."""
        c = self.catalog.concepts.get(entity_id)
        if c is not None:
            return {"kind": ("concept",), "scheme": (c.scheme,), "status": (c.status,),
                    "grade": (c.grade,) if c.grade else (), "standard": tuple(self.catalog.standards_of.get(c.id, ()))}
        s = self.catalog.standards[entity_id]
        return {"kind": ("standard",), "scheme": ("standards",), "status": (s.status,), "grade": (), "standard": (s.id,)}

    def _facets(self, hits: list[Hit]) -> dict[str, dict[str, int]]:
        """Counts per value of each facet over all hits (not only the page shown)."""
        facets: dict[str, Counter] = {name: Counter() for name in FILTER_FIELDS}
        for hit in hits:
            for name, values in self._facet_values(hit.id).items():
                facets[name].update(values)
        return {name: dict(counter.most_common()) for name, counter in facets.items()}

    def suggest(self, text: str, limit: int = 10) -> list[Suggestion]:
        """Type-ahead from the catalog: label prefix in any script, pinyin, initials, English, codes."""
        forms = expand_query(text)
        compact = tuple(f.replace(" ", "") for f in forms)
        return self.catalog.suggest((*forms, *compact), limit)

    def _passes(self, entity_id: str, filters: dict[str, str] | None) -> bool:
        """Whether a catalog-found candidate passes the facet filters (whoosh applies them to its own)."""
        if not filters:
            return True
        values = self._facet_values(entity_id)
        return all(wanted in values[name] for name, wanted in filters.items())

    def _place(self, entity_id: str, score: float, forms: tuple[str, ...], signs: "LabelSigns") -> Hit | None:
        if entity_id in self.catalog.concepts:
            return _place_concept(self.catalog.concepts[entity_id], score, forms, self.catalog, signs)
        if entity_id in self.catalog.standards:
            return _place_standard(self.catalog.standards[entity_id], score, forms)
        return None  # the index is ahead of or behind the catalog for a moment


class LabelSigns(Struct, frozen=True, kw_only=True):
    """What tells, for a query, that a candidate matched through a label and not only its definition."""

    prefixed: dict[str, tuple[bool, str]]  # id → (a pinyin / initials / English / code key equals the query, label)
    sounds_like: frozenset[str]  # ids with a label whose full pinyin is the query's (near-homophones)
    grams: tuple[str, ...]  # the query's CJK bigrams and single characters
    words: tuple[str, ...]  # the query's Latin words, cut to a stem-like prefix

    @classmethod
    def of(cls, forms: tuple[str, ...], catalog: Catalog) -> "LabelSigns":
        compact = forms[0].replace(" ", "")
        prefixed = catalog.prefixed(compact, PREFIX_CANDIDATES) if ASCII_LETTERS.match(forms[0]) else {}
        sounds_like: frozenset[str] = frozenset()
        if not ASCII_LETTERS.match(forms[0]):
            full = pinyin_keys(forms[0])[0]
            if full and full != compact:
                sounds_like = frozenset(i for i, (exact, _) in catalog.prefixed(full, PREFIX_CANDIDATES).items() if exact)
        grams = tuple(dict.fromkeys(g for form in forms for g in bigrams(form)))
        words = tuple(dict.fromkeys(w[:5] for form in forms for w in LATIN_WORD.findall(form) if len(w) >= 2))
        return cls(prefixed=prefixed, sounds_like=sounds_like, grams=grams, words=words)

    def in_label(self, entity_id: str, keys: list) -> bool:
        if entity_id in self.sounds_like:
            return True
        return any(g in key for g in self.grams for key, _ in keys) or any(
            w in key for w in self.words for key, _ in keys
        )


def _place_concept(c: ConceptVersion, score: float, forms: tuple[str, ...], catalog: Catalog,
                   signs: LabelSigns) -> Hit:
    """The tier of a candidate, from its folded labels (kept per version) and the query's label signs."""
    keys = catalog.folded_terms(c.id)
    prefixed = signs.prefixed.get(c.id)

    def hit(tier: int, term=None, label: str = "") -> Hit:
        return Hit(
            id=c.id, kind="concept", tier=tier, score=score,
            matched=term.text if term else label, matched_type=term.type if term else "",
            matched_lang=term.lang if term else "",
        )

    for key, term in keys:
        if key in forms:
            return hit(0 if term.type == "preferred" else 1, term)
    if prefixed and prefixed[0]:  # its full pinyin, initials or a code is the query
        return hit(1, label=prefixed[1])
    if c.notation and HAS_DIGIT.search(forms[0]) and query_code_key(forms[0]) in code_keys(c.notation):
        return hit(1, label=c.notation)
    for key, term in keys:
        if any(key.startswith(form) for form in forms):
            return hit(2, term)
    if prefixed:
        return hit(2, label=prefixed[1])
    for key, term in keys:
        if any(form in key for form in forms):
            return hit(3, term)
    if signs.in_label(c.id, keys):  # bigrams, English words or the sound (a near-homophone) of a label
        return hit(3, keys[0][1])
    return hit(4)


def _place_standard(s: StandardVersion, score: float, forms: tuple[str, ...]) -> Hit:
    title = fold_to_simplified(s.title)
    if s.code and query_code_key(forms[0]) in code_keys(s.code):
        return Hit(id=s.id, kind="standard", tier=0, score=score, matched=s.code, matched_type="code")
    tier = 0 if title in forms else 2 if any(title.startswith(f) for f in forms) else 3 if any(f in title for f in forms) else 4
    return Hit(id=s.id, kind="standard", tier=tier, score=score, matched=s.title if tier < 4 else "", matched_type="title")


def build_query(forms: tuple[str, ...], index: SearchIndex) -> q.Query | None:
    """One whoosh query object for all forms of a query; None when nothing searchable is left."""
    parts: list[q.Query] = []
    for form in forms:
        if not form.strip():
            continue
        compact = form.replace(" ", "")
        parts += [q.Term("pref", form, boost=8.0), q.Term("label", form, boost=6.0)]
        words = [w for w in segment(form)]
        if words:
            parts.append(q.And([q.Term("words", w) for w in dict.fromkeys(words)], boost=2.0))
            parts.append(q.And([q.Term("definition", w) for w in dict.fromkeys(words)], boost=0.5))
        grams = list(bigrams(form))
        if len(grams) == 1 and len(grams[0]) == 1:
            parts.append(q.Term("chars", grams[0], boost=1.5))
        elif grams:
            parts.append(q.And([q.Term("grams", g) for g in dict.fromkeys(grams)], boost=1.5))
        if HAS_CODE_CHAR.search(form):  # codes and numbers: GB/T 43697, 832, 010501, DV-3.2
            parts.append(q.Term("code", query_code_key(form), boost=6.0))
        if ASCII_LETTERS.match(form):
            parts.append(q.Term("pinyin", compact, boost=4.0))
            stems = index.analyze("en", form)
            if stems:
                parts.append(q.And([q.Term("en", s) for s in stems], boost=2.0))
                parts.append(q.And([q.Term("definition_en", s) for s in stems], boost=0.3))
        else:
            full, _ = pinyin_keys(form)
            if full and full != compact:
                parts.append(q.Term("pinyin", full, boost=1.0))  # near-homophones: 数子乡村 → shuzixiangcun
    return q.Or(parts) if parts else None


__all__ = ["SearchService", "SearchResults", "Hit", "Suggestion", "TIERS", "FILTER_FIELDS", "normalize"]
