"""The in-memory catalog: current versions with dicts for id, label and code lookups.

It answers exact lookups without touching the store or the index, and renders search hits. It follows
the change log like the index does (``apply``), so every process holds its own current copy.
"""

from __future__ import annotations

import re
from bisect import bisect_left, insort
from collections import defaultdict
from collections.abc import Iterable

from msgspec import Struct

from registry.model import ConceptVersion, Scheme, StandardVersion, Term, Version
from registry.store import Store

from .analysis import fold_to_simplified, pinyin_keys, register_words

CODE_NUMBER = re.compile(r"\d+(?:\.\d+)?(?:-\d{4})?")


def code_keys(code: str) -> set[str]:
    """The forms a standard code is found by: ``GB/T 43697-2024``, ``gbt43697``, ``43697`` ..."""
    compact = fold_to_simplified(code).replace(" ", "")
    if not compact:
        return set()
    keys = {compact, compact.replace("/", "")}
    undated = re.sub(r"-\d{4}$", "", compact)
    keys |= {undated, undated.replace("/", "")}
    for number in CODE_NUMBER.findall(compact):
        keys |= {number, re.sub(r"-\d{4}$", "", number)}
    return keys


def query_code_key(text: str) -> str:
    return fold_to_simplified(text).replace(" ", "")


class LabelMatch(Struct, frozen=True):
    id: str
    term: Term


class Suggestion(Struct, frozen=True, kw_only=True):
    id: str
    kind: str
    label: str
    matched: str


SUGGEST_SCAN = 400  # prefix entries looked at per form, at most
BULK = 1000  # versions applied at once above which the prefix list is rebuilt rather than updated


class Catalog:
    def __init__(self) -> None:
        self.revision = 0
        self.schemes: dict[str, Scheme] = {}
        self.concepts: dict[str, ConceptVersion] = {}
        self.standards: dict[str, StandardVersion] = {}
        self.by_label: dict[str, list[LabelMatch]] = defaultdict(list)
        self.narrower: dict[str, list[str]] = defaultdict(list)
        self.standards_of: dict[str, list[str]] = defaultdict(list)
        # sorted (key, id, label) for prefix suggestions: folded labels, pinyin, initials, English, codes
        self.prefixes: list[tuple[str, str, str]] = []
        self._prefix_keys: dict[str, list[tuple[str, str, str]]] = {}
        self._folded: dict[str, list[tuple[str, Term]]] = {}  # id → (folded text, term), per current version
        self._bulk: tuple[set[str], list[tuple[str, str, str]]] | None = None

    @classmethod
    def from_store(cls, store: Store) -> "Catalog":
        catalog = cls()
        revision = store.revision()
        catalog.schemes = {s.id: s for s in store.schemes()}
        catalog.apply([*store.current("concept"), *store.current("standard")], revision)
        return catalog

    # -- keeping current ---------------------------------------------------------------------
    def apply(self, versions: Iterable[Version], revision: int) -> None:
        """Replace the versions given (new or newer) and move to ``revision``."""
        versions = list(versions)
        # a big batch (a start, a reload) re-sorts the prefix list once instead of inserting one by one
        self._bulk = (set(), []) if len(versions) > BULK else None
        words = []
        for version in versions:
            if isinstance(version, ConceptVersion):
                self._forget_concept(version.id)
                self._add_concept(version)
                words.extend(t.text for t in version.terms if t.lang != "en")
            else:
                self._forget_standard(version.id)
                self._add_standard(version)
        if self._bulk is not None:
            stale, pending = self._bulk
            self.prefixes = sorted([e for e in self.prefixes if e[1] not in stale] + pending)
            self._bulk = None
        register_words(words)
        self.revision = max(self.revision, revision)

    def _add_concept(self, c: ConceptVersion) -> None:
        self.concepts[c.id] = c
        folded = self._folded[c.id] = [(fold_to_simplified(term.text), term) for term in c.terms]
        for key, term in folded:
            self.by_label[key].append(LabelMatch(c.id, term))
        for parent in c.broader:
            self.narrower[parent].append(c.id)
        self._add_prefixes(c.id, _concept_prefixes(folded))

    def _forget_concept(self, concept_id: str) -> None:
        old = self.concepts.pop(concept_id, None)
        if old is None:
            return
        for key, _ in self._folded.pop(concept_id):
            self.by_label[key] = [m for m in self.by_label[key] if m.id != concept_id]
            if not self.by_label[key]:
                del self.by_label[key]
        for parent in old.broader:
            self.narrower[parent] = [n for n in self.narrower[parent] if n != concept_id]
        self._forget_prefixes(concept_id)

    def _add_standard(self, s: StandardVersion) -> None:
        self.standards[s.id] = s
        for concept_id in s.concepts:
            self.standards_of[concept_id].append(s.id)
        title = fold_to_simplified(s.title)
        keys = {title: s.title, **{k: s.code for k in code_keys(s.code)}}
        keys.update(dict.fromkeys(pinyin_keys(title), s.title))
        self._add_prefixes(s.id, keys)

    def _forget_standard(self, standard_id: str) -> None:
        old = self.standards.pop(standard_id, None)
        if old is None:
            return
        for concept_id in old.concepts:
            self.standards_of[concept_id] = [i for i in self.standards_of[concept_id] if i != standard_id]
        self._forget_prefixes(standard_id)

    # -- prefix entries ----------------------------------------------------------------------
    def _add_prefixes(self, entity_id: str, keys: dict[str, str]) -> None:
        entries = [(key, entity_id, label) for key, label in keys.items() if key]
        if self._bulk is not None:
            self._bulk[1].extend(entries)
        else:
            for entry in entries:
                insort(self.prefixes, entry)
        self._prefix_keys[entity_id] = entries

    def _forget_prefixes(self, entity_id: str) -> None:
        if self._bulk is not None:
            if self._prefix_keys.pop(entity_id, None):
                self._bulk[0].add(entity_id)  # its sorted entries are dropped when the batch ends
            return
        for entry in self._prefix_keys.pop(entity_id, ()):
            at = bisect_left(self.prefixes, entry)
            if at < len(self.prefixes) and self.prefixes[at] == entry:
                del self.prefixes[at]

    # -- reading -----------------------------------------------------------------------------
    def lookup(self, label: str, forms: Iterable[str] = ()) -> list[LabelMatch]:
        """Concepts that have ``label`` (or one of its expanded ``forms``) as a label, one match each.

        The label as written (folded) wins over its expansions, so 數位鄉村 is reported as the Taiwan
        label it is; then preferred before admitted, abbreviation, hidden and deprecated terms.
        """
        rank = {"preferred": 0, "admitted": 1, "abbreviation": 2, "hidden": 3, "deprecated": 4, "superseded": 4}
        best: dict[str, tuple[tuple[int, int], LabelMatch]] = {}
        for order, form in enumerate(dict.fromkeys((fold_to_simplified(label), *forms))):
            for match in self.by_label.get(form, ()):
                key = (order, rank[match.term.type])
                if match.id not in best or key < best[match.id][0]:
                    best[match.id] = (key, match)
        return [m for _, m in sorted(best.values(), key=lambda item: (item[0][1], item[0][0], item[1].id))]

    def suggest(self, forms: Iterable[str], limit: int = 10) -> list[Suggestion]:
        """Concepts and standards with a label, pinyin, initials or code starting with one of ``forms``."""
        found: dict[str, tuple[tuple, Suggestion]] = {}
        for order, form in enumerate(dict.fromkeys(f for f in forms if f)):
            start = bisect_left(self.prefixes, (form,))
            for key, entity_id, label in self.prefixes[start : start + SUGGEST_SCAN]:
                if not key.startswith(form):
                    break
                rank = self._suggest_rank(entity_id, key == form, order, label)
                if entity_id not in found or rank < found[entity_id][0]:
                    kind = "concept" if entity_id in self.concepts else "standard"
                    display = self.concepts[entity_id].preferred if kind == "concept" else self.standards[entity_id].title
                    found[entity_id] = (rank, Suggestion(id=entity_id, kind=kind, label=display, matched=label))
        return [s for _, s in sorted(found.values(), key=lambda item: item[0])[:limit]]

    def prefixed(self, prefix: str, limit: int) -> dict[str, tuple[bool, str]]:
        """Entities with a key (label, pinyin, initials, English, code) starting with ``prefix``:
        id → (whether a key equals it, the label of the best key)."""
        start = bisect_left(self.prefixes, (prefix,))
        found: dict[str, tuple[bool, str]] = {}
        prefixes = self.prefixes
        for position in range(start, len(prefixes)):  # by index: a slice would copy the whole tail
            key, entity_id, label = prefixes[position]
            if not key.startswith(prefix):
                break
            exact = key == prefix
            if entity_id not in found:
                if len(found) >= limit:
                    break
                found[entity_id] = (exact, label)
            elif exact and not found[entity_id][0]:
                found[entity_id] = (True, label)
        return found

    def _suggest_rank(self, entity_id: str, exact: bool, order: int, label: str) -> tuple:
        """Live before deprecated, whole key before prefix, the literal form before other expansions."""
        concept = self.concepts.get(entity_id)
        preferred = concept is not None and label == concept.preferred
        deprecated = concept is not None and concept.status == "deprecated"
        return (deprecated, not exact, order, not preferred, len(label), entity_id)

    def label_postings(self) -> list[tuple[str, list[LabelMatch]]]:
        """(folded label, the concepts and terms it names) for every label of the current versions:
        what the term checker builds its automaton from (``search/checker.py``)."""
        return [(key, list(matches)) for key, matches in list(self.by_label.items())]

    def folded_terms(self, concept_id: str) -> list[tuple[str, Term]]:
        """(folded text, term) for each term of a concept's current version."""
        return self._folded[concept_id]


def _concept_prefixes(folded: list[tuple[str, Term]]) -> dict[str, str]:
    """A concept's prefix keys — folded labels, full pinyin and initials — each with its label."""
    keys: dict[str, str] = {}
    for key, term in folded:
        keys.setdefault(key, term.text)
        if term.lang != "en":
            for sound in pinyin_keys(key):
                keys.setdefault(sound, term.text)
    return keys
