"""The TOML vocabulary format: one file per scheme, decoded with msgspec, errors as ``path:line: field``.

A file holds an optional ``[scheme]`` table, any number of ``[[concept]]`` entries and any number of
``[[standard]]`` entries. Terms are written by role rather than as a list of records, because that is
how a term entry reads (GB/T 20001.1): ``pref``, ``alt``, ``abbr``, ``superseded``, ``deprecated``, ``hidden``, ``en``,
and curated regional labels ``tw`` / ``hk``. ``tasks = [27]`` is shorthand for a source in the 2024
work points: where the term is used (role ``usage``, locator 任务27).
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Annotated

import msgspec
from msgspec import Meta, Struct

from registry.errors import VocabularyError
from registry.model import (
    ConceptStatus,
    ConceptVersion,
    Date,
    Definition,
    Grade,
    Id,
    Scheme,
    SchemeStatus,
    ShortText,
    Source,
    StandardKind,
    StandardStatus,
    StandardVersion,
    Term,
)

WORK_POINTS = "2024年数字乡村发展工作要点"
WORK_POINTS_ISSUER = "中央网信办、农业农村部、国家发展改革委、工业和信息化部"
WORK_POINTS_DATE = "2024-05-16"
# No URL: the issuers' own page could not be checked here, and a reprint is not a source (registry/citation.py).
WORK_POINTS_URL = ""


class SchemeEntry(Struct, forbid_unknown_fields=True, kw_only=True):
    id: Id
    title: ShortText
    title_en: str = ""
    description: str = ""
    status: SchemeStatus = "published"
    sources: list[Source] = []
    top_concepts: list[Id] = []
    uri: str = ""


class ConceptEntry(Struct, forbid_unknown_fields=True, kw_only=True):
    id: Id
    pref: Annotated[str, Meta(max_length=300)] = ""  # empty only for a concept imported with no Chinese term
    alt: list[ShortText] = []
    abbr: list[ShortText] = []
    deprecated: list[ShortText] = []
    superseded: list[ShortText] = []
    hidden: list[ShortText] = []
    tw: list[ShortText] = []
    hk: list[ShortText] = []
    en: str = ""
    en_alt: list[ShortText] = []
    definition: str = ""
    definition_en: str = ""
    notes: list[str] = []
    examples: list[str] = []
    notation: str = ""
    grade: Grade | None = None
    grade_factors: list[Id] = []
    kind: str = ""
    broader: list[Id] = []
    related: list[Id] = []
    status: ConceptStatus = "published"
    replaced_by: list[Id] = []
    tasks: list[int] = []
    sources: list[Source] = []
    uri: str = ""
    terms: list[Term] = []  # terms in other languages or roles, each with its own tag (imported vocabularies)
    definitions: list[Definition] = []  # definitions in languages other than zh-Hans and en


class StandardEntry(Struct, forbid_unknown_fields=True, kw_only=True):
    id: Id
    code: str = ""
    title: ShortText
    title_en: str = ""
    kind: StandardKind = "national"
    status: StandardStatus
    status_date: Date | None = None
    issued: Date | None = None
    in_force: Date | None = None
    bodies: list[str] = []
    committee: str = ""
    replaces: list[str] = []
    replaced_by: list[str] = []
    concepts: list[Id] = []
    notes: list[str] = []
    tasks: list[int] = []
    sources: list[Source] = []
    uri: str = ""


class VocabFile(Struct, forbid_unknown_fields=True, kw_only=True):
    scheme: SchemeEntry | None = None
    concept: list[ConceptEntry] = []
    standard: list[StandardEntry] = []


class ParsedFile(Struct, kw_only=True):
    path: str
    text: str
    scheme: Scheme | None
    versions: list[ConceptVersion | StandardVersion]
    line_index: tuple[list[str], dict[str, int]] | None = None  # made on first use by _index

    def line_of(self, entity_id: str, field: str | None = None) -> int | None:
        """The line of ``field`` in the entry whose id is ``entity_id`` (or of the entry itself)."""
        lines, starts = self._index()
        start = starts.get(entity_id)
        if start is None:
            return None
        return _field_line(lines, start, field) or start + 1

    def _index(self) -> tuple[list[str], dict[str, int]]:
        """The file's lines and, per id, the 0-based line its entry starts on: made once (a 20,000-concept
        file asked line by line took minutes)."""
        cached = self.line_index
        if cached is None:
            lines = self.text.splitlines()
            starts: dict[str, int] = {}
            header = 0  # the entry an id line belongs to: the last ``[[`` line before it (or the first line)
            for number, line in enumerate(lines):  # one pass: walking back from each id line was quadratic
                if line.lstrip().startswith("[["):  # on id lines in a multi-line string (200 KB: 18 s)
                    header = number
                match = _ID_LINE.match(line)
                if match:
                    starts.setdefault(match.group(1), header)
            cached = self.line_index = (lines, starts)
        return cached


_ID_LINE = re.compile(r"""^\s*id\s*=\s*["']([^"']*)["']""")


def _field_line(lines: list[str], start: int, field: str | None) -> int | None:
    """1-based line of ``field = ...`` in the entry that starts at 0-based ``start``."""
    if not field:
        return None
    key = re.compile(rf"^\s*{re.escape(field)}\s*=")
    for number in range(start + 1, len(lines)):
        if lines[number].lstrip().startswith("[["):
            break
        if key.match(lines[number]):
            return number + 1
    return None


_PATH = re.compile(r"at `\$\.(\w+)(?:\[(\d+)\])?(?:\.(\w+))?")


def _locate(text: str, message: str) -> tuple[int | None, str | None]:
    """Map msgspec's ``at `$.concept[3].pref``` to a line number and a field name."""
    match = _PATH.search(message)
    if not match:
        return None, None
    table, index, field = match.group(1), match.group(2), match.group(3)
    unknown = re.search(r"unknown field `(\w+)`", message)
    if unknown and field is None:
        field = unknown.group(1)
    lines = text.splitlines()
    if index is None:  # a top-level table such as [scheme]
        header = re.compile(rf"^\s*\[{re.escape(table)}\]")
        start = next((n for n, line in enumerate(lines) if header.match(line)), None)
        if start is None:
            return None, table
        return _field_line(lines, start, field) or start + 1, f"{table}.{field}" if field else table
    header = re.compile(rf"^\s*\[\[{re.escape(table)}\]\]")
    starts = [n for n, line in enumerate(lines) if header.match(line)]
    if int(index) >= len(starts):
        return None, field
    start = starts[int(index)]
    return _field_line(lines, start, field) or start + 1, field or table


def parse_file(path: str | Path, text: str | None = None) -> ParsedFile:
    """Decode and validate one vocabulary file; raise ``VocabularyError`` naming file, line and field."""
    name = str(path)
    if text is None:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise VocabularyError(f"cannot read file: {exc}", path=name) from None
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"line (\d+)", str(exc))
        raise VocabularyError(
            f"not valid TOML: {re.sub(r' [(]at line.*', '', str(exc))}", path=name, line=int(found.group(1)) if found else None
        ) from None
    try:
        entries = msgspec.convert(raw, VocabFile)
    except msgspec.ValidationError as exc:
        line, field = _locate(text, str(exc))
        message = re.sub(r" - at `.*`$", "", str(exc))
        raise VocabularyError(message, path=name, line=line, field=field) from None
    scheme = _scheme(entries.scheme) if entries.scheme else None
    versions: list[ConceptVersion | StandardVersion] = []
    for entry in entries.concept:
        if scheme is None:
            raise VocabularyError("concepts need a [scheme] table in the same file", path=name, line=1, field="scheme")
        versions.append(_concept(entry, scheme.id))
    versions.extend(_standard(entry) for entry in entries.standard)
    return ParsedFile(path=name, text=text, scheme=scheme, versions=versions)


def _sources(tasks: list[int], sources: list[Source]) -> tuple[Source, ...]:
    from_tasks = [
        Source(document=WORK_POINTS, issuer=WORK_POINTS_ISSUER, date=WORK_POINTS_DATE, locator=f"任务{n}", url=WORK_POINTS_URL,
               role="usage")
        for n in tasks
    ]
    return (*from_tasks, *sources)


def _scheme(entry: SchemeEntry) -> Scheme:
    return Scheme(
        id=entry.id,
        title=entry.title,
        title_en=entry.title_en,
        description=entry.description,
        status=entry.status,
        sources=tuple(entry.sources),
        top_concepts=tuple(entry.top_concepts),
        uri=entry.uri,
    )


def _concept(entry: ConceptEntry, scheme: str) -> ConceptVersion:
    terms = [Term(text=entry.pref, lang="zh-Hans", type="preferred")] if entry.pref else []
    terms += [Term(text=t, lang="zh-Hans", type="admitted") for t in entry.alt]
    terms += [Term(text=t, lang="zh-Hans", type="abbreviation") for t in entry.abbr]
    terms += [Term(text=t, lang="zh-Hans", type="deprecated") for t in entry.deprecated]
    terms += [Term(text=t, lang="zh-Hans", type="superseded") for t in entry.superseded]
    terms += [Term(text=t, lang="zh-Hans", type="hidden") for t in entry.hidden]
    terms += [Term(text=t, lang="zh-TW", type="admitted") for t in entry.tw]
    terms += [Term(text=t, lang="zh-HK", type="admitted") for t in entry.hk]
    if entry.en:
        terms.append(Term(text=entry.en, lang="en", type="preferred"))
    terms += [Term(text=t, lang="en", type="admitted") for t in entry.en_alt]
    terms += entry.terms
    return ConceptVersion(
        id=entry.id,
        scheme=scheme,
        terms=tuple(terms),
        definition=entry.definition,
        definition_en=entry.definition_en,
        definitions=tuple(entry.definitions),
        notes=tuple(entry.notes),
        examples=tuple(entry.examples),
        notation=entry.notation,
        grade=entry.grade,
        grade_factors=tuple(entry.grade_factors),
        kind=entry.kind,
        broader=tuple(entry.broader),
        related=tuple(entry.related),
        status=entry.status,
        replaced_by=tuple(entry.replaced_by),
        sources=_sources(entry.tasks, entry.sources),
        change_note="loaded from the bundled vocabulary",
        uri=entry.uri,
    )


def _standard(entry: StandardEntry) -> StandardVersion:
    return StandardVersion(
        id=entry.id,
        code=entry.code,
        title=entry.title,
        title_en=entry.title_en,
        kind=entry.kind,
        status=entry.status,
        status_date=entry.status_date,
        issued=entry.issued,
        in_force=entry.in_force,
        bodies=tuple(entry.bodies),
        committee=entry.committee,
        replaces=tuple(entry.replaces),
        replaced_by=tuple(entry.replaced_by),
        concepts=tuple(entry.concepts),
        notes=tuple(entry.notes),
        sources=_sources(entry.tasks, entry.sources),
        change_note="loaded from the bundled vocabulary",
        uri=entry.uri,
    )
