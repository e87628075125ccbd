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
import msgspec.inspect
from msgspec import Struct

from registry.errors import ShuyuError
from registry.urls import InvalidURL

from .messages import code_of, detail
from registry.model import ConceptContent, ConceptVersion, Source, StandardContent, StandardVersion, Term


def _struct_info(struct: type) -> msgspec.inspect.StructType:
    """msgspec's description of a Struct class (``type_info`` is typed for any type)."""
    info = msgspec.inspect.type_info(struct)
    if not isinstance(info, msgspec.inspect.StructType):
        raise TypeError(f"{struct.__name__} is not a msgspec Struct")
    return info


EMPTY_TERM_ROWS = 3
EMPTY_REF_ROWS = 2
PATH = re.compile(r"\$\.(\w+)")
MAX_ROWS = 200
# the fields of a row the form shows as inputs; every other field of the row rides along in its hidden JSON
TERM_FIELDS = ("text", "lang", "type")
# every text field of a source is an input, whatever the model holds today (title, issuer, date, number ...)
SOURCE_FIELDS = tuple(f.name for f in _struct_info(Source).fields if isinstance(f.type, msgspec.inspect.StrType))
# the fields of ConceptContent the concept form shows; the others (grade_factors, uri, whatever comes later)
# are carried through unchanged from the version the form was opened on
SHOWN = ("scheme", "terms", "definition", "definition_en", "notes", "examples", "notation", "broader", "related",
         "grade", "sources")


class TermRow(Struct, kw_only=True):
    text: str = ""
    lang: str = "zh-Hans"
    type: str = "admitted"
    rest: str = ""  # the term's other fields as JSON, carried through


class SourceRow(Struct, kw_only=True):
    values: dict[str, str] = {}
    rest: str = ""  # the source's fields that are not text, as JSON, carried through


class ConceptForm(Struct, kw_only=True):
    """What the concept form shows: rows to edit, with a few empty ones to add, and the base it was opened on."""

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
    base: str = ""  # the whole content the form was opened on, as JSON: what the form does not show comes from here


def content_of(version) -> ConceptContent:
    """The proposable content of a version (or of proposed content): every field ConceptContent has."""
    if isinstance(version, ConceptContent):
        return version
    return ConceptContent(**{name: getattr(version, name) for name in ConceptContent.__struct_fields__})


def _json(value) -> str:
    return msgspec.json.encode(value).decode()


def _term_row(t: Term) -> TermRow:
    raw = msgspec.to_builtins(t)
    rest = {k: v for k, v in raw.items() if k not in TERM_FIELDS}
    return TermRow(text=t.text, lang=t.lang, type=t.type, rest=_json(rest) if rest else "")


def _source_row(s: Source) -> SourceRow:
    raw = msgspec.to_builtins(s)
    rest = {k: v for k, v in raw.items() if k not in SOURCE_FIELDS}
    return SourceRow(values={k: str(raw.get(k) or "") for k in SOURCE_FIELDS}, rest=_json(rest) if rest else "")


def _multiline(items) -> str:
    return "\n".join(items)


def concept_form(content: ConceptContent | ConceptVersion, *, note: str = "", replaced_by=()) -> ConceptForm:
    content = content_of(content)
    return ConceptForm(
        scheme=content.scheme,
        terms=[_term_row(t) for t in content.terms] + [TermRow() for _ in range(EMPTY_TERM_ROWS)],
        definition=content.definition, definition_en=content.definition_en, notes=_multiline(content.notes),
        examples=_multiline(content.examples), notation=content.notation,
        broader=[*content.broader, *[""] * EMPTY_REF_ROWS], related=[*content.related, *[""] * EMPTY_REF_ROWS],
        grade=content.grade or "",
        sources=[_source_row(s) for s in content.sources] + [SourceRow()],
        replaced_by=[*replaced_by, ""], note=note, base=_json(content),
    )


def blank_concept_form(scheme: str) -> ConceptForm:
    return ConceptForm(scheme=scheme, terms=[TermRow(type="preferred"), TermRow(lang="en", type="preferred"),
                                             *[TermRow() for _ in range(EMPTY_TERM_ROWS)]],
                       broader=[""] * EMPTY_REF_ROWS, related=[""] * EMPTY_REF_ROWS, sources=[SourceRow()],
                       replaced_by=[""])


def _rows(form, prefix: str, fields: tuple[str, ...]) -> list[dict[str, str]]:
    rows = []
    for i in range(MAX_ROWS):
        if not any(f"{prefix}-{i}-{f}" in form for f in (*fields, "rest")):
            break
        if form.get(f"{prefix}-{i}-remove"):
            continue
        row = {f: str(form.get(f"{prefix}-{i}-{f}", "")).strip() for f in fields}
        row["rest"] = str(form.get(f"{prefix}-{i}-rest", ""))
        rows.append(row)
    return rows


def _lines(text: str) -> list[str]:
    return [line.strip() for line in str(text or "").splitlines() if line.strip()]


def _refs(form, name: str, resolve) -> list[str]:
    values = form.getall(name, []) if hasattr(form, "getall") else form.get(name, [])
    return [resolve(v.strip()) for v in values if v and v.strip()]


def read_concept_form(form, resolve) -> ConceptForm:
    """The posted form as rows again (to show it back with errors)."""
    terms = [TermRow(**r) for r in _rows(form, "term", TERM_FIELDS)]
    sources = [SourceRow(values={k: v for k, v in r.items() if k != "rest"}, rest=r["rest"])
               for r in _rows(form, "source", SOURCE_FIELDS)]
    return ConceptForm(
        scheme=str(form.get("scheme", "")), terms=terms, definition=str(form.get("definition", "")).strip(),
        definition_en=str(form.get("definition_en", "")).strip(), notes=str(form.get("notes", "")),
        examples=str(form.get("examples", "")), notation=str(form.get("notation", "")).strip(),
        broader=_refs(form, "broader", resolve), related=_refs(form, "related", resolve),
        grade=str(form.get("grade", "")), sources=sources, replaced_by=_refs(form, "replaced_by", resolve),
        note=str(form.get("note", "")).strip(), base=str(form.get("base", "")),
    )


def with_empty_rows(f: ConceptForm) -> ConceptForm:
    return msgspec.structs.replace(
        f, terms=[*f.terms, *[TermRow() for _ in range(EMPTY_TERM_ROWS)]], broader=[*f.broader, ""],
        related=[*f.related, ""], sources=[*f.sources, SourceRow()], replaced_by=[*f.replaced_by, ""])


def _rest(text: str) -> dict[str, Any]:
    """A row's carried-through fields; what does not parse as a JSON object is nothing to carry."""
    try:
        value = msgspec.json.decode(text) if text else {}
    except msgspec.DecodeError:
        return {}
    return value if isinstance(value, dict) else {}


def base_of(f: ConceptForm) -> dict[str, Any]:
    """The content the form was opened on, limited to ConceptContent's fields (it came back from the browser)."""
    base = _rest(f.base)
    return {k: v for k, v in base.items() if k in ConceptContent.__struct_fields__ and k not in SHOWN}


def concept_content(f: ConceptForm) -> ConceptContent:
    """The Struct the API would decode from the same values; ``FieldError`` naming the field otherwise.

    Starts from the whole base content and puts the shown fields over it, so that a field the form does not
    show is carried through unchanged."""
    raw: dict[str, Any] = base_of(f)
    raw.update({
        "scheme": f.scheme,
        "terms": [{**_rest(t.rest), "text": t.text, "lang": t.lang, "type": t.type} for t in f.terms if t.text],
        "definition": f.definition, "definition_en": f.definition_en,
        "notes": _lines(f.notes), "examples": _lines(f.examples), "notation": f.notation,
        "broader": f.broader, "related": f.related, "grade": f.grade or None,
        "sources": [{**_rest(s.rest), **{k: v for k, v in s.values.items() if k in SOURCE_FIELDS}}
                    for s in f.sources if any(s.values.values())],
    })
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
        return {(exc.field or "form").split("[")[0]: detail(exc.detail, code_of(exc.type, exc.status), exc.field)}
    # If-Match names the content revision the form was opened on: a refusal of the whole form, not of a field
    field = "form" if exc.field in (None, "If-Match") else exc.field
    return {field: detail(exc.detail, code_of(exc.type, exc.status), exc.field)}


def status_of(exc: ShuyuError) -> int:
    """The status of a form shown again with its error: the conflict's own (409, 412), else 422."""
    return exc.status if exc.status in (409, 412) else 422


__all__ = ["ConceptForm", "TermRow", "SourceRow", "Term"]
