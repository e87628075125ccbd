"""Our own source format (see ``vocab/format.py`` for the reader and ``docs/vocabulary.md``).

The writer emits what the reader reads, field by field in a fixed order, so that a scheme exported,
imported and exported again is the same bytes. Terms are written by role; a term whose language and
type have no role (an English abbreviation, say) is written as the nearest role (``en_alt``).
"""

from __future__ import annotations

from collections.abc import Iterator

import msgspec

from registry.model import ConceptVersion, Scheme, Source, StandardVersion, Term

from ..format import WORK_POINTS, WORK_POINTS_DATE, WORK_POINTS_ISSUER, WORK_POINTS_URL, parse_file
from . import Context, Vocabulary, chunks, decode_text


def read(data: bytes, name: str, context: Context, fmt: str = "toml") -> Vocabulary:
    parsed = parse_file(name, decode_text(data, name))
    concepts = [v for v in parsed.versions if isinstance(v, ConceptVersion)]
    if context.scheme:
        concepts = [msgspec.structs.replace(c, scheme=context.scheme) for c in concepts]
    where: dict[str, tuple[int | None, str | None]] = {v.id: (parsed.line_of(v.id), None) for v in parsed.versions}
    return Vocabulary(
        name=name,
        schemes=[parsed.scheme] if parsed.scheme else [],
        concepts=concepts,
        standards=[v for v in parsed.versions if isinstance(v, StandardVersion)],
        where=where,
    )


def write(vocabulary: Vocabulary, context: Context, fmt: str = "toml") -> Iterator[bytes]:
    def parts() -> Iterator[str]:
        for scheme in vocabulary.schemes:
            yield _scheme(scheme)
        for concept in vocabulary.concepts:
            yield "\n" + _concept(concept)
        for standard in vocabulary.standards:
            yield "\n" + _standard(standard)

    return chunks(parts)


def q(text: str) -> str:
    """A TOML basic string (JSON's escapes are TOML's, except that TOML also forbids a raw DEL)."""
    return msgspec.json.encode(text).decode("utf-8").replace("\x7f", "\\u007F")


def _list(values) -> str:
    return "[" + ", ".join(q(v) for v in values) + "]"


def _sources(sources: tuple[Source, ...]) -> str:
    items = []
    for s in sources:
        fields = [f"document = {q(s.document)}"]
        if s.issuer:
            fields.append(f"issuer = {q(s.issuer)}")
        if s.number:
            fields.append(f"number = {q(s.number)}")
        if s.date:
            fields.append(f"date = {q(s.date)}")
        if s.locator:
            fields.append(f"locator = {q(s.locator)}")
        if s.url:
            fields.append(f"url = {q(s.url)}")
        if s.role != "record":
            fields.append(f"role = {q(s.role)}")
        items.append("{ " + ", ".join(fields) + " }")
    return "[" + ", ".join(items) + "]"


def _split_tasks(sources: tuple[Source, ...]) -> tuple[list[int], tuple[Source, ...]]:
    """Leading work-point sources become the ``tasks`` shorthand, as the reader expands it."""
    tasks = []
    for index, s in enumerate(sources):
        number = s.locator.removeprefix("任务")
        canonical = (s.issuer, s.date, s.url, s.number, s.role) == (WORK_POINTS_ISSUER, WORK_POINTS_DATE, WORK_POINTS_URL, "", "usage")
        if s.document == WORK_POINTS and canonical and s.locator.startswith("任务") and number.isascii() \
                and number.isdigit() and str(int(number)) == number:
            tasks.append(int(number))
        else:
            return tasks, sources[index:]
    return tasks, ()


def _lines(pairs: list[tuple[str, object]]) -> list[str]:
    out = []
    for key, value in pairs:
        if value in ("", None, (), []):
            continue
        if isinstance(value, str):
            out.append(f"{key} = {q(value)}")
        elif isinstance(value, int):
            out.append(f"{key} = {value}")
        elif key == "sources":
            out.append(f"{key} = {_sources(value)}")  # type: ignore[arg-type]
        elif key in ("terms", "definitions"):
            out.append(f"{key} = {_tables(value)}")
        elif key == "tasks":
            out.append(f"{key} = [{', '.join(str(v) for v in value)}]")  # type: ignore[attr-defined]
        else:
            out.append(f"{key} = {_list(value)}")
    return out


def _scheme(s: Scheme) -> str:
    lines = ["[scheme]"] + _lines([
        ("id", s.id), ("title", s.title), ("title_en", s.title_en), ("description", s.description),
        ("status", s.status if s.status != "published" else ""), ("top_concepts", s.top_concepts),
        ("sources", s.sources), ("uri", s.uri),
    ])
    return "\n".join(lines) + "\n"


ROLES = {
    ("zh-Hans", "admitted"): "alt", ("zh-Hans", "abbreviation"): "abbr", ("zh-Hans", "deprecated"): "deprecated",
    ("zh-Hans", "superseded"): "superseded",
    ("zh-Hans", "hidden"): "hidden", ("en", "admitted"): "en_alt",
}


def _concept(c: ConceptVersion) -> str:
    roles: dict[str, list[str]] = {r: [] for r in ("alt", "abbr", "superseded", "deprecated", "hidden", "tw", "hk", "en_alt")}
    pref = next((t.text for t in c.terms if t.lang == "zh-Hans" and t.type == "preferred"), "")
    english = ""
    others: list[Term] = []  # terms in other languages or roles: written with their tag and type
    for term in c.terms:
        if term.lang == "zh-Hans" and term.type == "preferred" and term.text == pref:
            continue
        if term.lang == "en" and term.type == "preferred" and not english:
            english = term.text
        elif term.lang in ("zh-TW", "zh-HK") and term.type == "admitted":
            roles["tw" if term.lang == "zh-TW" else "hk"].append(term.text)
        elif (term.lang, term.type) in ROLES:
            roles[ROLES[(term.lang, term.type)]].append(term.text)
        else:
            others.append(term)
    tasks, sources = _split_tasks(c.sources)
    lines = ["[[concept]]"] + _lines([
        ("id", c.id), ("pref", pref), ("alt", roles["alt"]), ("abbr", roles["abbr"]),
        ("superseded", roles["superseded"]), ("deprecated", roles["deprecated"]), ("hidden", roles["hidden"]),
        ("tw", roles["tw"]), ("hk", roles["hk"]),
        ("en", english), ("en_alt", roles["en_alt"]), ("definition", c.definition),
        ("definition_en", c.definition_en), ("notes", c.notes), ("examples", c.examples), ("notation", c.notation),
        ("grade", c.grade), ("grade_factors", c.grade_factors), ("kind", c.kind), ("broader", c.broader), ("related", c.related),
        ("status", c.status if c.status != "published" else ""), ("replaced_by", c.replaced_by),
        ("tasks", tasks), ("sources", sources), ("uri", c.uri), ("terms", others), ("definitions", c.definitions),
    ])
    return "\n".join(lines) + "\n"


def _tables(items) -> str:
    """Terms or definitions as inline tables: ``[{ text = "…", lang = "es", type = "admitted" }]``."""
    out = []
    for item in items:
        fields = [f"text = {q(item.text)}", f"lang = {q(item.lang)}"]
        if isinstance(item, Term):
            fields.append(f"type = {q(item.type)}")
        out.append("{ " + ", ".join(fields) + " }")
    return "[" + ", ".join(out) + "]"


def _standard(s: StandardVersion) -> str:
    tasks, sources = _split_tasks(s.sources)
    lines = ["[[standard]]"] + _lines([
        ("id", s.id), ("code", s.code), ("title", s.title), ("title_en", s.title_en),
        ("kind", s.kind if s.kind != "national" else ""), ("status", s.status), ("status_date", s.status_date),
        ("issued", s.issued), ("in_force", s.in_force), ("bodies", s.bodies), ("committee", s.committee),
        ("replaces", s.replaces), ("replaced_by", s.replaced_by),
        ("concepts", s.concepts), ("notes", s.notes), ("tasks", tasks), ("sources", sources), ("uri", s.uri),
    ])
    return "\n".join(lines) + "\n"
