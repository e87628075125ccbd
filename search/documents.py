"""What the full-text index stores of a concept or a standard: its definition and notes (folded),
and the facets to filter them by. Labels are searched in memory (``labels``), not in the index."""

from __future__ import annotations

from collections.abc import Iterable

from registry.model import ConceptVersion, StandardVersion

from .analysis import fold_to_simplified


def _lines(values) -> str:
    return "\n".join(dict.fromkeys(v for v in values if v))


def concept_document(concept: ConceptVersion, standards: Iterable[str]) -> dict[str, str]:
    """``standards``: the ids of the standards that name the concept (``Catalog.standards_of``)."""
    return {
        "id": concept.id,
        "kind": "concept",
        "scheme": concept.scheme,
        "status": concept.status,
        "grade": concept.grade or "",
        "standard": _lines(standards),
        "definition": fold_to_simplified(_lines([concept.chinese_definition, *concept.notes, *concept.examples])),
        "definition_en": concept.definition_en,
    }


def standard_document(standard: StandardVersion) -> dict[str, str]:
    return {
        "id": standard.id,
        "kind": "standard",
        "scheme": "standards",
        "status": standard.status,
        "grade": "",
        "standard": standard.id,
        "definition": fold_to_simplified(_lines(standard.notes)),
        "definition_en": "",
    }
