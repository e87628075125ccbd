"""The harmonisation report: where the registry names or defines one thing in several ways.

Pure functions over concept and standard versions:

- ``shared_labels``: a label (after folding script and width) that names more than one concept;
- ``status_conflicts``: a label preferred in one concept and admitted, an abbreviation or deprecated in
  another (a subset of shared labels, worth its own list: the two schemes disagree on the term);
- ``near_duplicates``: two concepts whose definitions say nearly the same thing (character-bigram
  Jaccard similarity at or above a threshold, found by a prefix-filtered similarity join, not all pairs);
- ``standards_differ``: one label defined by concepts that different standards govern, with different
  definitions.
"""

from __future__ import annotations

import math
import re
import weakref
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence

from msgspec import Struct

from registry.model import TYPE_RANK, ConceptVersion, StandardVersion
from registry.text import fold_to_simplified
from search.catalog import Catalog

NEAR_DUPLICATE = 0.75  # bigram Jaccard similarity from which two definitions count as one written twice
_PUNCTUATION = re.compile(r"[\s\W_]+")


class ConceptSide(Struct, kw_only=True):
    id: str
    scheme: str
    preferred: str
    term: str  # the term that carries the shared label
    type: str  # its type in this concept
    definition: str
    standards: list[str]  # codes or titles of the standards that govern the concept


class SharedLabel(Struct, kw_only=True):
    label: str  # folded
    concepts: list[ConceptSide]
    schemes: list[str]


class NearDuplicate(Struct, kw_only=True):
    similarity: float
    concepts: list[ConceptSide]


class HarmonisationReport(Struct, kw_only=True):
    revision: int
    shared_labels: list[SharedLabel]
    status_conflicts: list[SharedLabel]
    near_duplicates: list[NearDuplicate]
    standards_differ: list[SharedLabel]
    summary: dict[str, int]


def _standards_of(standards: Iterable[StandardVersion]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = defaultdict(list)
    for s in sorted(standards, key=lambda s: s.id):
        for concept_id in s.concepts:
            found[concept_id].append(s.code or s.title)
    return found


def _side(c: ConceptVersion, term_text: str, term_type: str, governed: dict[str, list[str]]) -> ConceptSide:
    return ConceptSide(id=c.id, scheme=c.scheme, preferred=c.preferred, term=term_text, type=term_type,
                       definition=c.chinese_definition, standards=governed.get(c.id, []))


def shared_labels(concepts: Sequence[ConceptVersion], governed: dict[str, list[str]]) -> list[SharedLabel]:
    """Every folded label (hidden terms aside) that names two or more live concepts."""
    by_label: dict[str, dict[str, ConceptSide]] = defaultdict(dict)
    rank = TYPE_RANK
    for c in concepts:
        if c.status == "deprecated":
            continue
        for term in c.terms:
            if term.type == "hidden":
                continue
            key = fold_to_simplified(term.text)
            old = by_label[key].get(c.id)
            if old is None or rank[term.type] < rank[old.type]:
                by_label[key][c.id] = _side(c, term.text, term.type, governed)
    found = []
    for key, sides in sorted(by_label.items()):
        if len(sides) > 1:
            ordered = sorted(sides.values(), key=lambda s: (rank[s.type], s.scheme, s.id))
            found.append(SharedLabel(label=key, concepts=ordered, schemes=sorted({s.scheme for s in ordered})))
    return found


def status_conflicts(shared: Sequence[SharedLabel]) -> list[SharedLabel]:
    return [s for s in shared
            if any(c.type == "preferred" for c in s.concepts) and any(c.type != "preferred" for c in s.concepts)]


def standards_differ(shared: Sequence[SharedLabel]) -> list[SharedLabel]:
    """Shared labels whose concepts are governed by different standards and defined differently."""
    found = []
    for s in shared:
        governed = [c for c in s.concepts if c.standards]
        codes = {code for c in governed for code in c.standards}
        definitions = {_bare(c.definition) for c in governed}
        if len(governed) > 1 and len(codes) > 1 and len(definitions) > 1:
            found.append(s)
    return found


def _bare(text: str) -> str:
    return _PUNCTUATION.sub("", fold_to_simplified(text))


def _bigrams(text: str) -> set[str]:
    bare = _bare(text)
    return {bare[i:i + 2] for i in range(len(bare) - 1)}


def near_duplicates(concepts: Sequence[ConceptVersion], governed: dict[str, list[str]],
                    threshold: float = NEAR_DUPLICATE) -> list[NearDuplicate]:
    """Pairs of live concepts whose definitions share most of their character bigrams.

    A prefix-filtered similarity join: with each set's bigrams ordered rarest first, two sets whose
    Jaccard similarity reaches ``threshold`` share a bigram among their first ``n - ceil(t·n) + 1``, so
    only those are indexed and only pairs meeting there are compared."""
    grams = {c.id: _bigrams(c.chinese_definition) for c in concepts
             if c.status != "deprecated" and c.chinese_definition.strip()}
    frequency = Counter(g for bigrams in grams.values() for g in bigrams)
    index: dict[str, list[str]] = defaultdict(list)
    candidates: set[tuple[str, str]] = set()
    for concept_id, bigrams in grams.items():
        if not bigrams:
            continue
        ordered = sorted(bigrams, key=lambda g: (frequency[g], g))
        for gram in ordered[: len(ordered) - math.ceil(threshold * len(ordered)) + 1]:
            for other in index[gram]:
                candidates.add((other, concept_id) if other < concept_id else (concept_id, other))
            index[gram].append(concept_id)
    by_id = {c.id: c for c in concepts}
    found = []
    for a, b in candidates:
        similarity = len(grams[a] & grams[b]) / len(grams[a] | grams[b])
        if similarity >= threshold:
            sides = [_side(by_id[i], by_id[i].preferred, "preferred", governed) for i in (a, b)]
            found.append(NearDuplicate(similarity=round(similarity, 3), concepts=sides))
    found.sort(key=lambda d: (-d.similarity, d.concepts[0].id, d.concepts[1].id))
    return found


def harmonisation_report(concepts: Iterable[ConceptVersion], standards: Iterable[StandardVersion] = (), *,
                         revision: int = 0, threshold: float = NEAR_DUPLICATE) -> HarmonisationReport:
    concepts = sorted(concepts, key=lambda c: c.id)
    governed = _standards_of(standards)
    shared = shared_labels(concepts, governed)
    conflicts = status_conflicts(shared)
    duplicates = near_duplicates(concepts, governed, threshold)
    differ = standards_differ(shared)
    return HarmonisationReport(revision=revision, shared_labels=shared, status_conflicts=conflicts, near_duplicates=duplicates,
                  standards_differ=differ,
                  summary={"shared_labels": len(shared), "status_conflicts": len(conflicts),
                           "near_duplicates": len(duplicates), "standards_differ": len(differ)})


_reports: weakref.WeakKeyDictionary[Catalog, HarmonisationReport] = weakref.WeakKeyDictionary()


def report_for(catalog: Catalog) -> HarmonisationReport:
    """The report of the catalog's revision, made once per revision."""
    report = _reports.get(catalog)
    if report is None or report.revision != catalog.revision:
        report = harmonisation_report(list(catalog.concepts.values()), list(catalog.standards.values()),
                                      revision=catalog.revision)
        _reports[catalog] = report
    return report
