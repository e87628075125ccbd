"""CSV, one row per term: the layout people fill in with Excel or WPS (see ``docs/vocabulary.md``).

The concept's own fields (definition, broader, notation ...) are given on its first row; later rows of
the same concept carry only a term. Lists inside a cell are separated by ``|`` (ids) or by line breaks
(notes, examples, sources; a source is ``document | locator | url | issuer | date``). Read as UTF-8 with or without a
byte-order mark; written with one (so that Excel opens it as UTF-8) and CRLF line ends.
A standards catalogue has its own layout, told apart by its ``code`` and ``title`` columns.

A cell that a spreadsheet would run as a formula (it starts with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return, after any apostrophes) is written with a leading ``'`` (OWASP's advice on CSV injection)
and read back without it, so that the round trip is exact.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator

from registry.errors import VocabularyError
from registry.languages import ZH_HANS, is_simplified, lang_key
from registry.model import LANG_PATTERN, SOURCE_ROLES, ConceptVersion, Definition, Source, StandardVersion, Term

from . import (
    TYPE_ORDER,
    Context,
    Vocabulary,
    chunks,
    decode_text,
    language,
    looks_mojibake,
    mojibake_shown,
    problem,
)

CONCEPT_COLUMNS = ["id", "scheme", "lang", "term", "type", "definition", "definition_en", "broader", "related",
                   "notation", "grade", "grade_factors", "kind", "status", "replaced_by", "notes", "examples", "source", "uri"]
STANDARD_COLUMNS = ["id", "code", "title", "title_en", "kind", "status", "status_date", "issued", "in_force",
                    "bodies", "replaces", "concepts", "notes", "source", "uri"]
REQUIRED = {"concepts": ("id", "term"), "standards": ("id", "title", "status")}
DEFINITION_IN = "definition@"  # a definition kept with its tag: ``definition@es``, ``definition@en-US`` ...
REPEAT = "#"  # the n-th column of one tag, as read (``definition@es#2``); never in a tag, never written
TYPES = {
    "preferred": "preferred", "admitted": "admitted", "deprecated": "deprecated", "superseded": "superseded",
    "abbreviation": "abbreviation",
    "hidden": "hidden", "规范术语": "preferred", "首选术语": "preferred", "许用术语": "admitted", "同义词": "admitted",
    "拒用术语": "deprecated", "被取代术语": "superseded", "缩略语": "abbreviation", "简称": "abbreviation",
    "隐藏": "hidden",
}
GRADES = {"core": "core", "important": "important", "general": "general",
          "核心数据": "core", "重要数据": "important", "一般数据": "general"}
ID_SEPARATOR = "|"
LANG_TAG = re.compile(LANG_PATTERN)
_FORMULA = re.compile(r"^'*[=+\-@\t\r]")
_ESCAPED = re.compile(r"^'+[=+\-@\t\r]")


def escape_formula(cell: str) -> str:
    """A cell a spreadsheet will show as text: ``=1+1`` → ``'=1+1`` (and ``'=x`` → ``''=x``, so reading is exact)."""
    return "'" + cell if _FORMULA.match(cell) else cell


def unescape_formula(cell: str) -> str:
    return cell[1:] if _ESCAPED.match(cell) else cell


# -- writing ---------------------------------------------------------------------------------------

def write(vocabulary: Vocabulary, context: Context, fmt: str = "csv") -> Iterator[bytes]:
    def parts() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        standards_only = bool(vocabulary.standards) and not vocabulary.concepts
        langs = _definition_slots(vocabulary.concepts)
        writer.writerow(STANDARD_COLUMNS if standards_only else CONCEPT_COLUMNS + [DEFINITION_IN + t for t in langs])
        yield "\ufeff" + buffer.getvalue()
        rows = (_standard_rows(vocabulary.standards) if standards_only
                else (row for c in vocabulary.concepts for row in _concept_rows(c, langs)))
        for row in rows:
            buffer.seek(0)
            buffer.truncate()
            writer.writerow([escape_formula(cell) for cell in row])
            yield buffer.getvalue()

    return chunks(parts)


def _source_cell(sources: tuple[Source, ...]) -> str:
    lines = []
    for s in sources:
        fields = [s.document, s.locator, s.url, s.issuer, s.date, s.number, "" if s.role == "record" else s.role]
        while fields and not fields[-1]:
            fields.pop()
        lines.append(" | ".join(fields))
    return "\n".join(lines)


def _definition_slots(concepts: list[ConceptVersion]) -> list[str]:
    """One ``definition@TAG`` column per definition a concept holds in that tag, at most: ``es, es`` when a
    concept has two Spanish definitions (a real termbase may); in the order of languages."""
    most: dict[str, int] = {}
    for c in concepts:
        counts: dict[str, int] = {}
        for d in c.definitions:
            counts[d.lang] = counts.get(d.lang, 0) + 1
        for lang, n in counts.items():
            most[lang] = max(most.get(lang, 0), n)
    return [lang for lang in sorted(most, key=lang_key) for _ in range(most[lang])]


def _concept_rows(c: ConceptVersion, langs: list[str]) -> Iterator[list[str]]:
    for index, term in enumerate(c.terms):
        row = [c.id, c.scheme, term.lang, term.text, term.type]
        if index == 0:
            texts: dict[str, list[str]] = {}
            for d in c.definitions:
                texts.setdefault(d.lang, []).append(d.text)
            row += [c.definition, c.definition_en, ID_SEPARATOR.join(c.broader), ID_SEPARATOR.join(c.related),
                    c.notation, c.grade or "", ID_SEPARATOR.join(c.grade_factors), c.kind,
                    c.status if c.status != "published" else "",
                    ID_SEPARATOR.join(c.replaced_by), "\n".join(c.notes), "\n".join(c.examples),
                    _source_cell(c.sources), c.uri] + [texts[lang].pop(0) if texts.get(lang) else "" for lang in langs]
        else:
            row += [""] * (len(CONCEPT_COLUMNS) + len(langs) - len(row))
        yield row


def _standard_rows(standards: list[StandardVersion]) -> Iterator[list[str]]:
    for s in standards:
        yield [s.id, s.code, s.title, s.title_en, s.kind, s.status, s.status_date or "", s.issued or "",
               s.in_force or "", "\n".join(s.bodies), "\n".join(s.replaces), ID_SEPARATOR.join(s.concepts),
               "\n".join(s.notes), _source_cell(s.sources), s.uri]


# -- reading ---------------------------------------------------------------------------------------

def _other_layout(first_row: list[str], known: tuple[str, ...] | list[str]) -> str:
    """A hint when the first row names none of our columns (``source`` aside, which a translation tool's glossary
    uses for its source-language term): the file is a glossary of term pairs (Weblate's ``source,target``,
    OmegaT's rows with no header), another layout."""
    cells = [c.strip() for c in first_row]
    if {c.lower() for c in cells} & (set(known) - {"source"}):
        return ""
    return (f"; the first row reads {', '.join(cells)[:120]!r}: a glossary of term pairs, as translation tools write "
            "CSV (source, target …), is another layout; export it from the tool as TBX, or write one row per term "
            "with id, lang and term")


def read(data: bytes, name: str, context: Context, fmt: str = "csv") -> Vocabulary:
    text = decode_text(data, name)
    rows: list[tuple[int, list[str]]] = []  # (the line a row starts on, its cells)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    start = 1
    try:
        for row in reader:
            rows.append((start, row))
            start = reader.line_num + 1
    except csv.Error as exc:
        if "unexpected end of data" in str(exc):  # a quote opened on the row's line and never closed
            raise problem(name, "not valid CSV: a quoted cell is never closed (a \" missing); the rest of the file "
                                "would be read into it", line=start, field="syntax") from None
        raise problem(name, f"not valid CSV: {exc}", line=reader.line_num, field="syntax") from None
    if not rows:
        raise problem(name, "the file is empty; the first row names the columns", line=1, field="header")
    header = [h.strip().lower() for h in rows[0][1]]
    kind = "standards" if "title" in header and "term" not in header else "concepts"
    known = CONCEPT_COLUMNS if kind == "concepts" else STANDARD_COLUMNS
    for column in REQUIRED[kind]:
        if column not in header:
            raise problem(name, f"missing column {column!r}; the first row names the columns "
                                f"({', '.join(known)}){_other_layout(rows[0][1], known)}", line=1, field=column)
    header = _numbered([_definition_column(h, name) if kind == "concepts" and h.startswith(DEFINITION_IN) else h
                        for h in header])
    unknown = [h for h in header if h and h not in known and not h.startswith(DEFINITION_IN)]
    if unknown:
        raise problem(name, f"unknown column {unknown[0]!r}; known columns: {', '.join(known)}"
                            f"{', definition@TAG' if kind == 'concepts' else ''}", line=1, field=unknown[0])
    if kind == "concepts" and "scheme" not in header and not context.scheme:
        raise problem(name, "missing column 'scheme'; add it or give --scheme", line=1, field="scheme")
    records = []
    vocabulary = Vocabulary(name=name)
    for number, row in rows[1:]:
        if not any(cell.strip() for cell in row):
            continue
        if len(row) > len(header):
            vocabulary.problems.append(problem(name, f"{len(row)} cells, but the header names {len(header)} columns",
                                               line=number, field="row"))
            continue
        records.append((number, dict(zip(header, [unescape_formula(cell.strip()) for cell in row]))))
    if kind == "standards":
        for number, record in records:
            vocabulary.standards.append(_standard(record))
            vocabulary.where[record["id"]] = (number, None)
        return vocabulary
    return _concepts(records, vocabulary, context)


def _definition_column(column: str, name: str) -> str:
    """``definition@es`` with its tag checked and in BCP 47 case (kept as written: ``definition@zh-CN`` and
    ``definition@en`` hold definitions besides the ``definition`` and ``definition_en`` columns)."""
    tag = column[len(DEFINITION_IN):]
    if not LANG_TAG.match(tag):
        raise problem(name, f"not a language tag in column {column!r}; write definition@ and a BCP 47 tag such as "
                            "definition@es", line=1, field=column)
    return DEFINITION_IN + language(tag)


def _numbered(header: list[str]) -> list[str]:
    """A repeated ``definition@TAG`` column (several definitions in one language) numbered apart: ``#2``, ``#3``."""
    seen: dict[str, int] = {}
    out = []
    for column in header:
        if column.startswith(DEFINITION_IN):
            seen[column] = seen.get(column, 0) + 1
            if seen[column] > 1:
                column = f"{column}{REPEAT}{seen[column]}"
        out.append(column)
    return out


def _ids(cell: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in cell.split(ID_SEPARATOR) if part.strip())


def _lines(cell: str) -> tuple[str, ...]:
    return tuple(line.strip() for line in cell.splitlines() if line.strip())


def _sources(cell: str) -> tuple[Source, ...]:
    sources = []
    for line in _lines(cell):
        parts = [p.strip() for p in line.split(" | ")] + ["", "", "", ""]
        parts += ["", ""]
        sources.append(Source(document=parts[0], locator=parts[1], url=parts[2], issuer=parts[3], date=parts[4],
                              number=parts[5], role=parts[6] if parts[6] in SOURCE_ROLES else "record"))  # type: ignore[arg-type]
    return tuple(sources)


def _concepts(records: list[tuple[int, dict[str, str]]], vocabulary: Vocabulary, context: Context) -> Vocabulary:
    """Concepts from their rows; a row or concept with a problem is left out and the problem kept (all at once)."""
    name = vocabulary.name
    groups: dict[str, list[tuple[int, dict[str, str]]]] = {}
    for number, record in records:
        if not record.get("id"):
            vocabulary.problems.append(problem(name, "every row needs the concept id", line=number, field="id"))
        elif not record.get("term"):
            vocabulary.problems.append(problem(name, "every row needs a term", line=number, field="term"))
        else:
            groups.setdefault(record["id"], []).append((number, record))
    for concept_id, rows in groups.items():
        try:
            vocabulary.concepts.append(_concept(concept_id, rows, vocabulary, context))
        except VocabularyError as exc:
            exc.entity = concept_id  # type: ignore[attr-defined]
            vocabulary.problems.append(exc)
    garbled = [mojibake_shown(t.text) for c in vocabulary.concepts for t in c.terms if looks_mojibake(t.text, t.lang)]
    if garbled:  # as the TBX and SKOS readers say it
        vocabulary.warnings.append(f"{len(garbled)} Chinese term(s) look mis-decoded (mojibake): {', '.join(garbled[:5])}")
    return vocabulary


def _concept(concept_id: str, rows: list[tuple[int, dict[str, str]]], vocabulary: Vocabulary,
             context: Context) -> ConceptVersion:
    name = vocabulary.name
    first_line, first = rows[0]
    vocabulary.where[concept_id] = (first_line, None)
    fields: dict[str, str] = {}
    terms = []
    extra = [c for c in first if c.startswith(DEFINITION_IN)]
    for number, record in rows:
        for column in CONCEPT_COLUMNS[5:] + ["scheme"] + extra:
            value = record.get(column, "")
            if value and column in fields and fields[column] != value:
                raise problem(name, f"{column} differs from the concept's row at line {first_line}", line=number,
                              field=column)
            if value:
                fields[column] = value
        terms.append(_term(record, number, name, first_row=number == first_line))
    grade = fields.get("grade", "")
    if grade and grade not in GRADES:
        raise problem(name, f"unknown grade {grade!r}; use core, important or general", line=first_line,
                      field="grade")
    concept = ConceptVersion(
        id=concept_id, scheme=context.scheme or fields.get("scheme", ""), terms=tuple(terms),
        definition=fields.get("definition", ""), definition_en=fields.get("definition_en", ""),
        definitions=tuple(Definition(text=fields[c], lang=c[len(DEFINITION_IN):].split(REPEAT)[0])
                          for c in extra if fields.get(c)),
        notes=_lines(fields.get("notes", "")), examples=_lines(fields.get("examples", "")),
        notation=fields.get("notation", ""), broader=_ids(fields.get("broader", "")),
        related=_ids(fields.get("related", "")), grade=GRADES[grade] if grade else None,  # type: ignore[arg-type]
        grade_factors=_ids(fields.get("grade_factors", "")), kind=fields.get("kind", ""),
        status=fields.get("status") or "published",  # type: ignore[arg-type]
        replaced_by=_ids(fields.get("replaced_by", "")), sources=_sources(fields.get("source", "")),
        uri=fields.get("uri", ""),
    )
    if not concept.scheme:
        raise problem(name, "the concept names no scheme; fill in the scheme column or give --scheme",
                      line=first_line, field="scheme")
    return concept


def _term(record: dict[str, str], number: int, name: str, *, first_row: bool) -> Term:
    tag = record.get("lang") or ZH_HANS  # the column's default (docs/vocabulary.md)
    if not LANG_TAG.match(tag):
        raise problem(name, f"not a language tag: {tag!r}; use a BCP 47 tag such as zh-Hans (or zh), zh-TW, zh-HK, "
                            "en, es", line=number, field="lang")
    lang = language(tag)
    given = record.get("type", "")
    if given and given not in TYPES:
        raise problem(name, f"unknown term type {given!r}; use {', '.join(list(TYPES)[:5])}", line=number,
                      field="type")
    term_type = TYPES[given] if given else ("preferred" if first_row and is_simplified(lang) else "admitted")
    return Term(text=record["term"], lang=lang, type=term_type)  # type: ignore[arg-type]


def _standard(record: dict[str, str]) -> StandardVersion:
    return StandardVersion(
        id=record["id"], code=record.get("code", ""), title=record["title"], title_en=record.get("title_en", ""),
        kind=record.get("kind") or "national", status=record["status"],  # type: ignore[arg-type]
        status_date=record.get("status_date") or None, issued=record.get("issued") or None,
        in_force=record.get("in_force") or None, bodies=_lines(record.get("bodies", "")),
        replaces=_lines(record.get("replaces", "")), concepts=_ids(record.get("concepts", "")),
        notes=_lines(record.get("notes", "")), sources=_sources(record.get("source", "")), uri=record.get("uri", ""),
    )


__all__ = ["read", "write", "TYPE_ORDER"]
