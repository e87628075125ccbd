"""What the index stores of a concept or a standard: folded text per field, only the id stored."""

from __future__ import annotations

import re

from registry.model import ConceptVersion, StandardVersion

from .analysis import fold_to_simplified, pinyin_keys
from .catalog import Catalog, code_keys

NUMBER = re.compile(r"\d{2,}")


def _lines(values) -> str:
    return "\n".join(dict.fromkeys(v for v in values if v))


def _label_fields(chinese: list[str], english: list[str]) -> dict[str, str]:
    pinyin = [key for label in chinese for key in pinyin_keys(label)]
    numbers = [n for label in chinese + english for n in NUMBER.findall(label)]
    return {
        "label": _lines(chinese + english),
        "words": _lines(chinese),
        "grams": _lines(chinese),
        "chars": _lines(chinese),
        "pinyin": _lines(pinyin),
        "en": _lines(english),
        "code": _lines(numbers),
    }


def concept_document(concept: ConceptVersion, catalog: Catalog) -> dict[str, str]:
    chinese = [fold_to_simplified(t.text) for t in concept.terms if t.lang != "en"]
    english = [fold_to_simplified(t.text) for t in concept.terms if t.lang == "en"]
    preferred = [fold_to_simplified(t.text) for t in concept.terms if t.type == "preferred"]
    fields = _label_fields(chinese, english)
    if concept.notation:
        fields["code"] = _lines([*fields["code"].split("\n"), *sorted(code_keys(concept.notation))])
    return {
        "id": concept.id,
        "kind": "concept",
        "scheme": concept.scheme,
        "status": concept.status,
        "grade": concept.grade or "",
        "standard": _lines(catalog.standards_of.get(concept.id, ())),
        "pref": _lines(preferred),
        **fields,
        "definition": fold_to_simplified(concept.definition),
        "definition_en": concept.definition_en,
    }


def standard_document(standard: StandardVersion) -> dict[str, str]:
    title = fold_to_simplified(standard.title)
    english = [fold_to_simplified(standard.title_en)] if standard.title_en else []
    fields = _label_fields([title], english)
    fields["code"] = _lines([*fields["code"].split("\n"), *sorted(code_keys(standard.code))])
    if standard.code:
        fields["label"] = _lines([fields["label"], fold_to_simplified(standard.code)])
    return {
        "id": standard.id,
        "kind": "standard",
        "scheme": "standards",
        "status": standard.status,
        "grade": "",
        "standard": standard.id,
        "pref": _lines([title, fold_to_simplified(standard.code)]),
        **fields,
        "definition": fold_to_simplified(" ".join(standard.notes)),
        "definition_en": "",
    }
