"""The search service: keeps the catalog snapshot and the index current from the change log, and
answers queries.

Ranking: the label tiers (exact, prefix, containing, partial, sound; see ``labels``) come from the
catalog snapshot in memory; the full-text index is asked for definitions and notes only when the
label tiers do not fill the page. Hits are sorted by (tier, score, id), so the order is explainable
and stable.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable
from operator import itemgetter
from pathlib import Path

from msgspec import Struct

from registry.conversion import query_patterns
from registry.model import StandardVersion, Version
from registry.store import Store

from .analysis import normalize, renderers_ready
from .build import build
from .catalog import Catalog, Suggestion, query_code_keys
from .documents import concept_document, standard_document
from .highlight import highlight_terms
from .index import SearchIndex
from .labels import DEFINITION, HAS_DIGIT, QUOTES, TIERS, Hit, QueryForms, keeps_breaks, label_hits, prepare
from .phrases import phrase_syllables

MAX_CANDIDATES = 300  # definition hits asked of the index per query, at most
DEFINITION_BATCH = 50  # definition hits asked at first: enough for the first pages; a later page asks for more
BULK_REBUILD = 1000  # documents (at a first start: revisions) above which an empty index is built whole rather than updated
CACHE_SIZE = 2048  # ranked results per (query, filters, revision); a new revision misses them all
SAVE_EVERY = 200  # revisions after which the catalog snapshot is saved again beside the index
FILTER_FIELDS = ("scheme", "status", "grade", "standard", "kind")
FACET_CACHE = 50_000  # entities whose facet pairs are kept for the current snapshot, at most
_second = itemgetter(1)


class SearchResults(Struct, frozen=True, kw_only=True):
    total: int
    hits: list[Hit]
    revision: int
    facets: dict[str, dict[str, int]] = {}
    highlight_terms: tuple[str, ...] = ()
    # False: definitions were not searched (the label tiers filled the page) or more matched than
    # were ranked; ``total`` and ``facets`` count the hits ranked
    total_exact: bool = True


class _Ranked(Struct, kw_only=True):
    hits: list[Hit]  # label hits (filtered), then definition hits once asked for
    with_definitions: bool
    generation: int  # the index generation the definition hits come from
    truncated: bool = False  # the index had more definition hits than were asked for
    asked: int = 0  # definition hits asked of the index
    facets: dict[str, dict[str, int]] | None = None  # counted once, on the first page asked of this list


class SearchService:
    def __init__(self, store: Store, index_folder: str | Path) -> None:
        self.store = store
        self.index = SearchIndex(index_folder)
        self.folder = Path(index_folder)
        self._sync_lock = threading.Lock()
        self._built: tuple[int, int] | None = None  # (revision, documents) of a one-pass build at start
        # the oldest dropped first: a dict's first key is found past every key deleted before it
        self._cache: OrderedDict[tuple, _Ranked] = OrderedDict()
        self._cache_lock = threading.Lock()
        # (revision, entity id -> its facet pairs) of the current snapshot; replaced whole for a new one
        self._pairs: tuple[int, dict[str, tuple[tuple[str, str], ...]]] = (-1, {})
        revision = store.revision()
        saved = Catalog.load(self.folder, revision)
        if saved is None and self.index.revision == 0 and revision > BULK_REBUILD:
            # a first start (or a new schema): catalog and index built in one pass (``build``)
            self._catalog, count = build(store, self.index)
            self._built = (self._catalog.revision, count)
            self._save()
        elif saved is None:
            self._catalog = Catalog.from_store(store)
            self._save()
        else:  # a restart: only what changed since the saved revision is applied
            self._catalog = saved.applied(self._changed_since(saved.revision), revision, store.schemes())
        prepare(self._catalog)  # what the near tier derives, before the first query
        query_patterns()  # and the patterns that tell which conversions a query needs (compiled once),
        phrase_syllables()  # and the readings phrases give characters (``analysis.possible_sounds``)
        renderers_ready()  # and the converters that render answers in Traditional
        self._saved_revision = self._catalog.revision if saved is None else saved.revision

    @property
    def catalog(self) -> Catalog:
        """The current snapshot. A request reads it once and uses that one throughout."""
        return self._catalog

    def _save(self) -> None:
        try:
            self._catalog.save(self.folder)
            self._saved_revision = self._catalog.revision
        except OSError:  # only a cache: the next start derives it again
            pass

    # -- following the change log ------------------------------------------------------------
    def catch_up(self) -> int:
        """Bring catalog and index up to the store's revision; returns how many documents were written."""
        with self._sync_lock:
            revision = self.store.revision()
            if self._catalog.revision < revision:
                # built off to the side (with what the near tier derives), then swapped in with one assignment
                schemes: set[str] = set()
                changed = self._changed_since(self._catalog.revision, schemes)
                # a scheme made or changed since (an import's) is the snapshot's too, as at start
                named = [s for s in self.store.schemes() if s.id in schemes] if schemes else []
                catalog = self._catalog.applied(changed, revision, named)
                prepare(catalog, self._catalog, changed)
                self._catalog = catalog
                if self._catalog.revision - self._saved_revision >= SAVE_EVERY:
                    self._save()
            if self.index.revision >= revision:
                self.index.refresh()
                return 0
            if self.index.revision == 0 and self.document_count() > BULK_REBUILD:
                # an empty (or new-schema) index: build it whole rather than update by update
                return self.index.rebuild(self.all_documents(), revision)
            docs = list(self._documents(self._affected(self._changed_since(self.index.revision))))
            if not self.index.apply(docs, revision, timeout=0.5):
                self.index.refresh()  # another process writes the index
                return 0
            return len(docs)

    def _changed_since(self, revision: int, schemes: set[str] | None = None) -> list[Version]:
        """The current versions of the concepts and standards changed after ``revision``; the ids of the
        schemes changed are added to ``schemes`` when it is given."""
        seen: dict[tuple[str, str], None] = {}
        while True:
            events = self.store.changes_since(revision, limit=10_000)
            if not events:
                break
            for event in events:
                if event.kind in ("concept", "standard"):
                    seen[(event.kind, event.entity_id)] = None
                elif event.kind == "scheme" and schemes is not None:
                    schemes.add(event.entity_id)
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
        catalog = self._catalog
        for kind, entity_id in sorted(ids):
            if kind == "concept" and entity_id in catalog.concepts:
                yield concept_document(catalog.concepts[entity_id], catalog.standards_of.get(entity_id, ()))
            elif kind == "standard" and entity_id in catalog.standards:
                yield standard_document(catalog.standards[entity_id])

    def all_documents(self):
        catalog = self._catalog
        standards_of = catalog.standards_of
        yield from (concept_document(c, standards_of.get(c.id, ())) for c in catalog.concepts.values())
        yield from (standard_document(s) for s in catalog.standards.values())

    def rebuild(self, progress=None) -> int:
        """Rebuild catalog and index from the store."""
        with self._sync_lock:
            built, self._built = self._built, None
            if built is not None and built[0] == self.store.revision() == self.index.revision:
                if progress:  # just built from the store at this revision, when this service started
                    progress(built[1])
                return built[1]
            catalog, count = build(self.store, self.index, progress)
            prepare(catalog)
            self._catalog = catalog
            self._save()
            return count

    def repair(self) -> bool:
        """After an index failure: reopen the index, or rebuild it from the catalog if it is unreadable."""
        with self._sync_lock:
            return self.index.repair(self.all_documents, self.catalog.revision)

    def document_count(self) -> int:
        return len(self._catalog.concepts) + len(self._catalog.standards)

    # -- answering ---------------------------------------------------------------------------
    def search(self, text: str, *, filters: dict[str, str] | None = None, offset: int = 0, limit: int = 20,
               catalog: Catalog | None = None) -> SearchResults:
        """Ranked hits of ``text``, read from one catalog snapshot (``catalog``, or the current one)."""
        catalog = catalog or self._catalog
        query = QueryForms.of(text)
        filters = {name: value for name, value in (filters or {}).items() if value}
        key = (query.forms, query.pinyin, tuple(sorted(filters.items())), catalog.revision)
        ranked = self._cache.get(key)
        if ranked is None:
            hits = label_hits(catalog, query)
            if filters:
                hits = [h for h in hits if self._passes(catalog, h.id, filters)]
            ranked = _Ranked(hits=hits, with_definitions=False, generation=-1)
        wanted = offset + limit
        stale = ranked.with_definitions and ranked.generation != self.index.generation
        short = len(ranked.hits) < wanted and (not ranked.with_definitions
                                                or (ranked.truncated and ranked.asked < MAX_CANDIDATES))
        if short or stale:  # a later page of a truncated list asks for twice as many as before
            asked = ranked.asked * 2 if short and ranked.with_definitions else ranked.asked
            ranked = self._with_definitions(catalog, query, filters, ranked, wanted, asked)
        with self._cache_lock:
            if len(self._cache) >= CACHE_SIZE:
                self._cache.popitem(last=False)
            self._cache[key] = ranked
        hits = ranked.hits
        if ranked.facets is None:  # the same for every page of this list: not counted again per request
            ranked.facets = self._facets(catalog, hits)
        return SearchResults(total=len(hits), hits=hits[offset:wanted], revision=catalog.revision,
                             facets=ranked.facets, highlight_terms=highlight_terms(query.marked_forms),
                             total_exact=ranked.with_definitions and not ranked.truncated)

    def _with_definitions(self, catalog: Catalog, query: QueryForms, filters: dict[str, str], ranked: _Ranked,
                          wanted: int, asked: int = 0) -> _Ranked:
        """The label hits followed by the definition and note hits the index finds for the query: as
        many as the pages up to ``wanted`` need (at least ``DEFINITION_BATCH``, at most ``MAX_CANDIDATES``);
        a common word's thousands of definitions are not all ranked to show the first page."""
        labels = [h for h in ranked.hits if h.tier < DEFINITION]
        placed = {h.id for h in labels}
        generation = self.index.generation
        asked = min(MAX_CANDIDATES, max(DEFINITION_BATCH, 2 * (wanted - len(labels)), asked))
        while True:
            found = self.index.search_text(query.forms, filters=filters, limit=asked)
            truncated = len(found) >= asked
            if truncated and asked < MAX_CANDIDATES:
                # which of the hits tied with the last one the index returned depends on its document
                # order (a live index and a rebuild differ): keep only those scored above it
                floor = round(found[-1][1], 6)
                found = [hit for hit in found if round(hit[1], 6) > floor]
                if len(labels) + sum(1 for entity_id, _ in found if entity_id not in placed) < wanted:
                    asked = min(MAX_CANDIDATES, asked * 2)
                    continue
            break
        extra = []
        for entity_id, score in found:
            if entity_id in placed:
                continue
            kind = "concept" if entity_id in catalog.concepts else "standard" if entity_id in catalog.standards else ""
            if kind:  # the index may be a moment ahead of or behind this snapshot
                extra.append(Hit(id=entity_id, kind=kind, tier=DEFINITION, score=score))
        extra.sort(key=lambda h: (-round(h.score, 6), h.id))
        return _Ranked(hits=labels + extra, with_definitions=True, generation=generation,
                       truncated=truncated, asked=asked)

    @staticmethod
    def _facet_pairs(catalog: Catalog, entity_id: str) -> tuple[tuple[str, str], ...]:
        """(facet, value) for each value an entity has of each facet (and filter)."""
        concepts = catalog.concepts
        if entity_id in concepts:  # the fields kept as columns: no concept decoded
            scheme, status, grade = concepts.facet_fields(entity_id)
            pairs: tuple[tuple[str, str], ...] = (("kind", "concept"), ("scheme", scheme), ("status", status))
            if grade:
                pairs += (("grade", grade),)
            standards = catalog.standards_of.get(entity_id)
            return pairs + tuple(("standard", s) for s in standards) if standards else pairs
        s = catalog.standards[entity_id]
        return ("kind", "standard"), ("scheme", "standards"), ("status", s.status), ("standard", s.id)

    def _pairs_of(self, catalog: Catalog) -> dict[str, tuple[tuple[str, str], ...]]:
        """The facet pairs of the entities seen so far in ``catalog`` (a snapshot: they never change in it);
        an empty dict to fill for a new snapshot, and a throwaway one for an older snapshot a request still reads."""
        revision, pairs = self._pairs
        if revision != catalog.revision:
            if catalog is not self._catalog:
                return {}
            pairs = {}
            self._pairs = (catalog.revision, pairs)
        elif len(pairs) >= FACET_CACHE:
            pairs.clear()
        return pairs

    def _facets(self, catalog: Catalog, hits: list[Hit]) -> dict[str, dict[str, int]]:
        """Counts per value of each facet over all hits (not only the page shown): most frequent first,
        ties in the order of the hits."""
        known = self._pairs_of(catalog)
        counts: dict[tuple[str, str], int] = {}  # in the order first counted
        count = counts.get
        counted = 0
        for hit in hits:
            found = known.get(hit.id)
            if found is None:
                found = known[hit.id] = self._facet_pairs(catalog, hit.id)
            for pair in found:
                counts[pair] = count(pair, 0) + 1
            counted += len(found)
        facets: dict[str, dict[str, int]] = {name: {} for name in FILTER_FIELDS}
        # most frequent first, by a stable sort (ties keep that order); every pair counted once (one hit, most
        # whole labels): that order already
        ordered = counts.items() if len(counts) == counted else sorted(counts.items(), key=_second, reverse=True)
        for (name, value), number in ordered:
            facets[name][value] = number
        return facets

    def _passes(self, catalog: Catalog, entity_id: str, filters: dict[str, str]) -> bool:
        """Whether a hit passes the facet filters."""
        if not filters:
            return True
        pairs = self._facet_pairs(catalog, entity_id)
        return all((name, wanted) in pairs for name, wanted in filters.items())

    def suggest(self, text: str, limit: int = 10, catalog: Catalog | None = None) -> list[Suggestion]:
        """Type-ahead from the catalog: label prefix in any script, pinyin, initials, English, codes."""
        query = QueryForms.of(text)
        compact = tuple(f.replace(" ", "") for f in query.forms)
        pinyin = (query.pinyin,) if query.pinyin else ()
        # as search reads them: pinyin with apostrophes (leng'lian), codes as printed (GB/T 43697—, GB 436),
        # a title typed with its marks (《数字乡村发展)
        latin = (query.latin,) if query.breaks else ()
        codes = query_code_keys(query.forms[0]) if query.forms and HAS_DIGIT.search(query.forms[0]) else ()
        unquoted = tuple(u for u in (QUOTES.sub("", f).strip() for f in query.forms) if u)
        found = (catalog or self._catalog).suggest((*query.forms, *compact, *pinyin, *latin, *codes, *unquoted),
                                                   limit if not query.breaks else 4 * limit)
        if query.breaks:
            found = [s for s in found if keeps_breaks(s.matched, query.breaks)][:limit]
        return found

    def close(self) -> None:
        """Save the catalog snapshot if it moved on, and close the index."""
        if self._catalog.revision != self._saved_revision:
            self._save()
        self.index.close()


__all__ = ["SearchService", "SearchResults", "Hit", "Suggestion", "TIERS", "FILTER_FIELDS", "normalize"]
