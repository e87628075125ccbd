"""Editor forms: proposal content to form rows and back, checked by the same types and rules as the API.

A form posts plain fields (``term-3-text``, ``broader`` repeated, ``source-0-document`` ...). They are
turned into the dict the API would receive and decoded with ``msgspec.convert`` into the same
``ConceptContent`` / ``StandardContent`` Structs, so a form gets the messages of the API's 422 answers;
registry rules (duplicate labels, unknown relations, cycles) come from the workflow itself.
"""

from __future__ import annotations

import re
from typing import Any

import msgspec
from msgspec import Struct

from registry.errors import ShuyuError
from registry.urls import InvalidURL
from registry.model import ConceptContent, ConceptVersion, StandardContent, StandardVersion, Term

EMPTY_TERM_ROWS = 3
EMPTY_REF_ROWS = 2
PATH = re.compile(r"\$\.(\w+)")
MAX_ROWS = 200


class TermRow(Struct, kw_only=True):
    text: str = ""
    lang: str = "zh-Hans"
    type: str = "admitted"


class SourceRow(Struct, kw_only=True):
    document: str = ""
    locator: str = ""
    url: str = ""


class ConceptForm(Struct, kw_only=True):
    """What the concept form shows: rows to edit, with a few empty ones to add."""

    scheme: str
    terms: list[TermRow]
    definition: str = ""
    definition_en: str = ""
    notes: str = ""  # one per line
    examples: str = ""
    notation: str = ""
    broader: list[str]
    related: list[str]
    grade: str = ""
    sources: list[SourceRow]
    replaced_by: list[str]
    note: str = ""


def concept_form(content: ConceptContent | ConceptVersion, *, note: str = "", replaced_by=()) -> ConceptForm:
    return ConceptForm(
        scheme=content.scheme,
        terms=[TermRow(text=t.text, lang=t.lang, type=t.type) for t in content.terms]
        + [TermRow() for _ in range(EMPTY_TERM_ROWS)],
        definition=content.definition, definition_en=content.definition_en, notes="\n".join(content.notes),
        examples="\n".join(content.examples), notation=content.notation,
        broader=[*content.broader, *[""] * EMPTY_REF_ROWS], related=[*content.related, *[""] * EMPTY_REF_ROWS],
        grade=content.grade or "",
        sources=[SourceRow(document=s.document, locator=s.locator, url=s.url) for s in content.sources] + [SourceRow()],
        replaced_by=[*replaced_by, ""], note=note,
    )


def blank_concept_form(scheme: str) -> ConceptForm:
    return ConceptForm(scheme=scheme, terms=[TermRow(type="preferred"), TermRow(lang="en", type="preferred"),
                                             *[TermRow() for _ in range(EMPTY_TERM_ROWS)]],
                       broader=[""] * EMPTY_REF_ROWS, related=[""] * EMPTY_REF_ROWS, sources=[SourceRow()],
                       replaced_by=[""])


def _rows(form, prefix: str, fields: tuple[str, ...]) -> list[dict[str, str]]:
    rows = []
    for i in range(MAX_ROWS):
        if not any(f"{prefix}-{i}-{f}" in form for f in fields):
            break
        if form.get(f"{prefix}-{i}-remove"):
            continue
        rows.append({f: str(form.get(f"{prefix}-{i}-{f}", "")).strip() for f in fields})
    return rows


def _lines(text: str) -> list[str]:
    return [line.strip() for line in str(text or "").splitlines() if line.strip()]


def _refs(form, name: str, resolve) -> list[str]:
    values = form.getall(name, []) if hasattr(form, "getall") else form.get(name, [])
    return [resolve(v.strip()) for v in values if v and v.strip()]


def read_concept_form(form, resolve) -> ConceptForm:
    """The posted form as rows again (to show it back with errors)."""
    terms = [TermRow(**r) for r in _rows(form, "term", ("text", "lang", "type"))]
    sources = [SourceRow(**r) for r in _rows(form, "source", ("document", "locator", "url"))]
    return ConceptForm(
        scheme=str(form.get("scheme", "")), terms=terms, definition=str(form.get("definition", "")).strip(),
        definition_en=str(form.get("definition_en", "")).strip(), notes=str(form.get("notes", "")),
        examples=str(form.get("examples", "")), notation=str(form.get("notation", "")).strip(),
        broader=_refs(form, "broader", resolve), related=_refs(form, "related", resolve),
        grade=str(form.get("grade", "")), sources=sources, replaced_by=_refs(form, "replaced_by", resolve),
        note=str(form.get("note", "")).strip(),
    )


def with_empty_rows(f: ConceptForm) -> ConceptForm:
    return msgspec.structs.replace(
        f, terms=[*f.terms, *[TermRow() for _ in range(EMPTY_TERM_ROWS)]], broader=[*f.broader, ""],
        related=[*f.related, ""], sources=[*f.sources, SourceRow()], replaced_by=[*f.replaced_by, ""])


def concept_content(f: ConceptForm) -> ConceptContent:
    """The Struct the API would decode from the same values; ``FieldError`` naming the field otherwise."""
    raw: dict[str, Any] = {
        "scheme": f.scheme,
        "terms": [{"text": t.text, "lang": t.lang, "type": t.type} for t in f.terms if t.text],
        "definition": f.definition, "definition_en": f.definition_en,
        "notes": _lines(f.notes), "examples": _lines(f.examples), "notation": f.notation,
        "broader": f.broader, "related": f.related, "grade": f.grade or None,
        "sources": [{k: v for k, v in msgspec.structs.asdict(s).items()} for s in f.sources if s.document],
    }
    return decode(raw, ConceptContent)


def standard_content(current: StandardVersion, form) -> StandardContent:
    """The standard's current content with the status fields of the form."""
    raw = {name: msgspec.to_builtins(getattr(current, name)) for name in StandardContent.__struct_fields__}
    raw["status"] = str(form.get("status", ""))
    for name in ("status_date", "issued", "in_force"):
        value = str(form.get(name, "")).strip()
        raw[name] = value or None
    return decode(raw, StandardContent)


class FieldError(ShuyuError):
    status = 422
    type = "/problems/invalid-body"
    title = "Unprocessable content"


def decode(raw: dict, kind):
    try:
        return msgspec.convert(raw, kind)
    except msgspec.ValidationError as exc:
        message = str(exc)
        match = PATH.search(message)
        raise FieldError(message, field=match.group(1) if match else None) from None


def errors_of(exc: ShuyuError) -> dict[str, str]:
    """Field → message, for showing an error next to the field it concerns ("form" when it names none)."""
    if isinstance(exc, InvalidURL):  # sources[0].url is shown at the sources
        return {(exc.field or "form").split("[")[0]: f"网址无效:只接受以 http:// 或 https:// 开头、有主机名、"
                                                      f"不含用户名和密码及空白的网址。({exc.detail})"}
    return {exc.field or "form": exc.detail}


__all__ = ["ConceptForm", "TermRow", "SourceRow", "Term"]
