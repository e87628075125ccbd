"""The in-memory catalog: an immutable snapshot of the current versions, with what search derives.

A snapshot answers exact lookups, prefix suggestions and the label tiers of search without touching
the store or the index, and renders search hits. It is never changed once published: ``applied``
builds the next revision's snapshot off to the side (copying only the containers a change touches,
``catalog_build.py``) and the service swaps it in with one assignment, so a request that grabs
``service.catalog`` once reads one revision throughout. Its key tables are packed (``compact.py``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path

from msgspec import Struct

from registry.model import TYPE_RANK, Lang, Scheme, StandardVersion, Term, TermType, Version
from registry.store import Store

from .analysis import fold_to_simplified
from .compact import KeyTable, OneOrMany, PrefixTable
from .concept_table import ConceptTable

CODE_NUMBER = re.compile(r"\d+(?:\.\d+)?(?:-\d{4})?")
NUMBER = re.compile(r"\d{2,}")


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


DASHES = re.compile("[\u2010-\u2015\u2212\ufe58\ufe63]")  # ‐ ‑ ‒ – — ― − ﹘ ﹣ (NFKC leaves them)
RECOMMENDED = re.compile(r"^([a-z]{2})(?=\d)")  # GB 43697, NY 3500: the numbers of GB/T 43697, NY/T 3500


def query_code_keys(text: str) -> tuple[str, ...]:
    """The code keys a query may mean: as typed, folded, with any dash as a hyphen (standard numbers are
    printed GB/T 43697—2024); and, for a prefix without ``/T`` (GB 43697), the recommended standard's."""
    key = DASHES.sub("-", fold_to_simplified(text)).replace(" ", "")
    return (key, RECOMMENDED.sub(r"\1t", key)) if RECOMMENDED.match(key) else (key,)


class LabelMatch(Struct, frozen=True, gc=False):  # untracked: one per label, no cycles
    """A concept naming a folded label, and the term it names it by (the term's fields held flat: one
    object a label)."""

    id: str
    text: str
    lang: Lang
    type: TermType

    @classmethod
    def of(cls, concept_id: str, term: Term) -> LabelMatch:
        return cls(concept_id, term.text, term.lang, term.type)

    @property
    def term(self) -> Term:
        return Term(text=self.text, lang=self.lang, type=self.type)


class Suggestion(Struct, frozen=True, kw_only=True):
    id: str
    kind: str
    label: str
    matched: str


SUGGEST_SCAN = 400  # prefix entries looked at per form, at most


class Catalog:
    """One revision of the read model. Treat as read-only: ``applied`` returns a new snapshot."""

    def __init__(self) -> None:
        self.revision = 0
        self.schemes: dict[str, Scheme] = {}
        self.concepts = ConceptTable()  # id → version, kept encoded (concept_table.py)
        self.standards: dict[str, StandardVersion] = {}
        self.by_label = OneOrMany()  # folded label → concepts naming it (tuples of LabelMatch)
        self.by_title: dict[str, tuple[str, ...]] = {}  # folded standard title → standard ids
        self.by_code = KeyTable()  # code key (notation, standard code, number) → ids
        self.by_sound = KeyTable()  # full pinyin → folded Chinese labels and titles
        self.narrower: dict[str, tuple[str, ...]] = {}
        self.standards_of: dict[str, tuple[str, ...]] = {}
        # label postings for search: CJK bigram (or the one character of a one-character label) and
        # English word → the folded labels and titles holding it (sorted)
        self.postings = KeyTable()
        self.en_postings = KeyTable()
        # sorted (key, id, label) for prefix suggestions: folded labels, pinyin, initials, English, codes
        # (what a version's entries were is derived again from it when it is replaced)
        self.prefixes = PrefixTable()

    @classmethod
    def from_store(cls, store: Store) -> Catalog:
        from .catalog_build import from_store

        return from_store(store)

    def applied(self, versions: Iterable[Version], revision: int, schemes: Iterable[Scheme] = ()) -> Catalog:
        """The snapshot after replacing the versions given (new or newer), at ``revision``."""
        from .catalog_build import applied

        return applied(self, versions, revision, schemes)

    # -- persistence beside the index (catalog_build.py) -----------------------------------------
    def save(self, folder: str | Path) -> None:
        """Write the snapshot (atomically) so a restart skips the folding, pinyin and postings work."""
        from .catalog_build import save

        save(self, folder)

    @classmethod
    def load(cls, folder: str | Path, max_revision: int) -> Catalog | None:
        """The snapshot saved in ``folder`` if it is readable and not ahead of the store, else None."""
        from .catalog_build import load

        return load(folder, max_revision)

    # -- reading -----------------------------------------------------------------------------
    def lookup(self, label: str, forms: Iterable[str] = ()) -> list[LabelMatch]:
        """Concepts that have ``label`` (or one of its expanded ``forms``) as a label, one match each.

        The label as written (folded) wins over its expansions, so 數位鄉村 is reported as the Taiwan
        label it is; then preferred before admitted, abbreviation, hidden and deprecated terms.
        """
        rank = TYPE_RANK
        best: dict[str, tuple[tuple[int, int], LabelMatch]] = {}
        for order, form in enumerate(dict.fromkeys((fold_to_simplified(label), *forms))):
            for match in self.by_label.get(form, ()):
                key = (order, rank[match.type])
                if match.id not in best or key < best[match.id][0]:
                    best[match.id] = (key, match)
        return [m for _, m in sorted(best.values(), key=lambda item: (item[0][1], item[0][0], item[1].id))]

    def suggest(self, forms: Iterable[str], limit: int = 10) -> list[Suggestion]:
        """Concepts and standards with a label, pinyin, initials or code starting with one of ``forms``."""
        found: dict[str, tuple[tuple, Suggestion]] = {}
        for order, form in enumerate(dict.fromkeys(f for f in forms if f)):
            for exact, entity_id, label in self.prefixes.first(form, SUGGEST_SCAN):
                rank = self._suggest_rank(entity_id, exact, order, label)
                if entity_id not in found or rank < found[entity_id][0]:
                    kind = "concept" if entity_id in self.concepts else "standard"
                    display = self.concepts.preferred(entity_id) if kind == "concept" else self.standards[entity_id].title
                    found[entity_id] = (rank, Suggestion(id=entity_id, kind=kind, label=display, matched=label))
        return [s for _, s in sorted(found.values(), key=lambda item: item[0])[:limit]]

    def prefixed(self, prefix: str, limit: int) -> dict[str, tuple[bool, str]]:
        """Entities with a key (label, pinyin, initials, English, code) starting with ``prefix``:
        id → (whether a key equals it, the label of the best key)."""
        return self.prefixes.prefixed(prefix, limit)

    def _suggest_rank(self, entity_id: str, exact: bool, order: int, label: str) -> tuple:
        """Live before deprecated, whole key before prefix, the literal form before other expansions."""
        concepts = self.concepts
        concept = entity_id in concepts
        preferred = concept and label == concepts.preferred(entity_id)
        deprecated = concept and concepts.status(entity_id) == "deprecated"
        return (deprecated, not exact, order, not preferred, len(label), entity_id)

    def label_postings(self) -> list[tuple[str, list[LabelMatch]]]:
        """(folded label, the concepts and terms it names) for every label of the current versions:
        what the term checker builds its automaton from (``drafting/matching.py``)."""
        return [(key, list(matches)) for key, matches in self.by_label.items()]

    def folded_labels(self) -> Mapping[str, tuple[LabelMatch, ...]]:
        """Every folded label (Simplified, normalised) → the concepts naming it, with the term: what a
        term checker matches a text against. Read-only, like the whole snapshot."""
        return self.by_label
