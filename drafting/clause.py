"""The "术语和定义" clause of a standard (GB/T 1.1-2020), written from concept versions.

Pure functions over versions: choose the concepts (``select``), lay them out as numbered entries in the
order of the concept system (``build_clause``), and write the clause as Markdown, HTML or Word (.docx).
Which rules of GB/T 1.1-2020 this follows, and which it leaves to the drafter: docs/drafting.md.
"""

from __future__ import annotations

import html
import io
import re
from collections.abc import Iterable, Mapping, Sequence

from msgspec import Struct

from registry.errors import InvalidInput, NotFound
from registry.languages import is_simplified
from registry.model import ConceptVersion, Source, StandardVersion
from registry.store import Store

CLAUSE_NUMBER = 3  # GB/T 1.1-2020: clause 3 is 术语和定义, after 1 范围 and 2 规范性引用文件
MAX_ENTRIES = 1000
# a code and its year; an association's ``T/`` name (letters and digits) and its number are told apart in one
# way only (its last letter, or a space, ends the name): letting both take the digits between them split a
# run of digits every way, quadratic on a code that ends unmatched
CODE = re.compile(r"^(?P<prefix>(?:GB|GB/T|GB/Z|[A-Z]{2}/T|[A-Z]{2}|ISO(?:/IEC)?|IEC)\s*[\d.]+"
                  r"|T/(?:[A-Z0-9]+\s+[\d.]+|[A-Z0-9]*[A-Z][\d.]+|\d[\d.]+))\s*[-—–]\s*(?P<year>\d{4})$")
MODIFIED = ("有修改", "adapted", "modified")


class ClauseEntry(Struct, kw_only=True):
    number: str  # 3.1, 3.2 …
    concept: str
    preferred: str
    english: str
    admitted: list[str]
    abbreviations: list[str]
    definition: str
    notes: list[str]
    examples: list[str]
    source: str  # ``[来源:…]``, or empty when the concept has no source


class Clause(Struct, kw_only=True):
    title: str
    lead_in: str
    entries: list[ClauseEntry]
    referenced: list[str]  # documents whose terms the draft cites instead of repeating
    revision: int


# -- choosing concepts -------------------------------------------------------------------------

def narrower_map(concepts: Iterable[ConceptVersion]) -> dict[str, list[str]]:
    children: dict[str, list[str]] = {}
    for c in concepts:
        for parent in c.broader:
            children.setdefault(parent, []).append(c.id)
    return children


def select(concepts: Mapping[str, ConceptVersion], *, ids: Sequence[str] = (), scheme: str | None = None,
           broader: str | None = None) -> list[ConceptVersion]:
    """The concepts a clause covers: the ``ids`` given, or a concept of ``scheme`` and everything under it
    (``broader``), or the whole ``scheme``; deprecated concepts are left out of the last two."""
    if ids:
        missing = [i for i in ids if i not in concepts]
        if missing:
            raise NotFound(f"no concept {', '.join(missing)}", field="ids")
        chosen = [concepts[i] for i in dict.fromkeys(ids)]
    elif broader:
        root = concepts.get(broader)
        if root is None:
            raise NotFound(f"no concept {broader}", field="broader")
        if scheme and root.scheme != scheme:
            raise NotFound(f"no concept {broader} in scheme {scheme} (it is in {root.scheme})", field="broader")
        children = narrower_map(c for c in concepts.values() if c.status != "deprecated")
        chosen, seen, stack = [], set(), [root.id]
        while stack:
            current = stack.pop()
            if current in seen or current not in concepts:
                continue
            seen.add(current)
            chosen.append(concepts[current])
            stack.extend(children.get(current, ()))
    elif scheme:
        chosen = [c for c in concepts.values() if c.scheme == scheme and c.status != "deprecated"]
        if not chosen:
            raise NotFound(f"no concepts in scheme {scheme}", field="scheme")
    else:
        chosen = []  # nothing chosen: the clause says the document defines no terms
    if len(chosen) > MAX_ENTRIES:
        raise InvalidInput(f"{len(chosen)} concepts; a clause holds at most {MAX_ENTRIES}", field="ids")
    return chosen


def system_order(chosen: Sequence[ConceptVersion]) -> list[ConceptVersion]:
    """Broader before narrower, depth first: each chosen concept whose broader concepts are not chosen
    starts a branch (in the order given); children follow their parent by notation, then as given."""
    position = {c.id: n for n, c in enumerate(chosen)}
    by_id = {c.id: c for c in chosen}
    children: dict[str, list[ConceptVersion]] = {}
    roots = []
    for c in chosen:
        parents = [p for p in c.broader if p in by_id and p != c.id]
        if parents:
            children.setdefault(parents[0], []).append(c)
        else:
            roots.append(c)
    ordered: list[ConceptVersion] = []
    seen: set[str] = set()

    def visit(c: ConceptVersion) -> None:
        """``c`` and what is under it, depth first, without recursion (a chain of a thousand concepts
        overflowed the stack)."""
        if c.id in seen:
            return
        seen.add(c.id)
        ordered.append(c)
        stack = [iter(sorted(children.get(c.id, ()), key=lambda x: (x.notation, position[x.id])))]
        while stack:
            child = next(stack[-1], None)
            if child is None:
                stack.pop()
            elif child.id not in seen:
                seen.add(child.id)
                ordered.append(child)
                stack.append(iter(sorted(children.get(child.id, ()), key=lambda x: (x.notation, position[x.id]))))

    for c in roots:
        visit(c)
    for c in chosen:  # a broader cycle among the chosen (the registry forbids one) still lists everyone
        visit(c)
    return ordered


# -- sources -----------------------------------------------------------------------------------

def standard_code(code: str) -> str:
    """A code as standards cite it: the year after an em dash (``GB/T 43697—2024``)."""
    match = CODE.match(code.strip())
    return f"{match['prefix']}—{match['year']}" if match else code.strip()


def document_name(document: str, standards: Iterable[StandardVersion] = ()) -> str:
    """A standard by its code; another document by its title in 《》."""
    document = document.strip()
    if CODE.match(document) or re.match(r"^(GB|GB/T|GB/Z|[A-Z]{2}/T|T/[A-Z0-9]+|ISO|IEC)\s*\d", document):
        return standard_code(document)
    for s in standards:
        if s.code and s.title == document.strip("《》"):
            return standard_code(s.code)
    return document if document.startswith("《") else f"《{document}》"


def _modified(source: Source) -> tuple[str, bool]:
    locator = source.locator.strip()
    modified = bool(getattr(source, "modified", False))
    for mark in MODIFIED:
        if mark in locator:
            modified = True
            locator = locator.replace(mark, "")
    return locator.strip(" ,，;；()（）"), modified


def citation(sources: Sequence[Source], standards: Iterable[StandardVersion] = ()) -> str:
    """``[来源:GB/T 43697—2024,3.1,有修改]`` in the full-width punctuation the standards print, one
    document after another (``;``); empty when there is no source."""
    standards = list(standards)
    grouped: dict[str, tuple[list[str], bool]] = {}
    for source in sources:
        if not source.document.strip():
            continue
        name = document_name(source.document, standards)
        locator, modified = _modified(source)
        locators, was_modified = grouped.get(name, ([], False))
        if locator and locator not in locators:
            locators.append(locator)
        grouped[name] = (locators, was_modified or modified)
    parts = []
    for name, (locators, modified) in grouped.items():
        parts.append("，".join([name, *(["、".join(locators)] if locators else []), *(["有修改"] if modified else [])]))
    return f"[来源：{'；'.join(parts)}]" if parts else ""


# -- the clause --------------------------------------------------------------------------------

def lead_in(referenced: Sequence[str], own_entries: bool) -> str:
    """The sentence GB/T 1.1-2020 prescribes to open clause 3."""
    if referenced:
        names = "和".join(referenced)
        return f"{names}界定的以及下列术语和定义适用于本文件。" if own_entries else f"{names}界定的术语和定义适用于本文件。"
    return "下列术语和定义适用于本文件。" if own_entries else "本文件没有需要界定的术语和定义。"


def build_clause(chosen: Sequence[ConceptVersion], standards: Iterable[StandardVersion] = (), *,
                 cite: Sequence[StandardVersion] = (), revision: int = 0) -> Clause:
    """The clause for the chosen concepts; a concept defined by a standard in ``cite`` (one the draft
    will cite normatively) is referenced in the lead-in rather than repeated."""
    standards = list(standards)
    cited_concepts = {cid for s in cite for cid in s.concepts}
    referenced = list(dict.fromkeys(
        document_name(s.code, standards) if s.code else f"《{s.title}》"
        for s in cite if any(c.id in s.concepts for c in chosen)
    ))
    entries: list[ClauseEntry] = []
    for c in system_order([c for c in chosen if c.id not in cited_concepts]):
        number = f"{CLAUSE_NUMBER}.{len(entries) + 1}"
        entries.append(ClauseEntry(
            number=number, concept=c.id, preferred=c.preferred, english=c.english,
            admitted=[t.text for t in c.terms if is_simplified(t.lang) and t.type == "admitted"],
            abbreviations=[t.text for t in c.terms if t.type == "abbreviation"],
            definition=_sentence(c.chinese_definition), notes=list(c.notes), examples=list(c.examples),
            source=citation(c.sources, standards),
        ))
    return Clause(title="术语和定义", lead_in=lead_in(referenced, bool(entries)), entries=entries,
                  referenced=referenced, revision=revision)


def clause_for(concepts: Mapping[str, ConceptVersion], standards: Sequence[StandardVersion], *,
               ids: Sequence[str] = (), scheme: str | None = None, broader: str | None = None,
               cite: Sequence[str] = (), revision: int = 0) -> Clause:
    """The clause for the concepts ``select`` chooses among ``concepts``; ``cite`` names the standards (by
    id or code) the draft cites, each of which must be among ``standards``."""
    chosen = select(concepts, ids=ids, scheme=scheme, broader=broader)
    by_key = {s.id: s for s in standards} | {s.code: s for s in standards if s.code}
    missing = [c for c in cite if c not in by_key]
    if missing:
        raise NotFound(f"no standard {', '.join(missing)}", field="cite")
    return build_clause(chosen, standards, cite=[by_key[c] for c in cite], revision=revision)


def versions_at(store: Store, revision: int, concept_ids: Iterable[str], standard_ids: Iterable[str],
                ) -> tuple[dict[str, ConceptVersion], list[StandardVersion]]:
    """The concepts (by id) and standards of these ids as they stood at ``revision``; one created after
    it is left out."""
    concepts: dict[str, ConceptVersion] = {}
    for concept_id in sorted(concept_ids):
        try:
            concept = store.get_at("concept", concept_id, revision)
        except NotFound:
            continue  # created after that revision
        if isinstance(concept, ConceptVersion):
            concepts[concept_id] = concept
    standards: list[StandardVersion] = []
    for standard_id in sorted(standard_ids):
        try:
            standard = store.get_at("standard", standard_id, revision)
        except NotFound:
            continue
        if isinstance(standard, StandardVersion):
            standards.append(standard)
    return concepts, standards


def _sentence(definition: str) -> str:
    text = definition.strip()
    return text if not text or text.endswith(("。", ".", "!", "?")) else text + "。"


def _numbered(label: str, items: Sequence[str], always_number: bool) -> list[str]:
    if len(items) == 1 and not always_number:
        return [f"{label}：{items[0]}"]
    return [f"{label}{n}：{item}" for n, item in enumerate(items, 1)]


def entry_lines(entry: ClauseEntry) -> list[tuple[str, str]]:
    """An entry as (role, text) lines: number, term, admitted, definition, note, example, source."""
    lines = [("number", entry.number), ("term", entry.preferred)]
    lines += [("admitted", t) for t in entry.admitted]
    lines += [("admitted", t) for t in entry.abbreviations]
    if entry.definition:
        lines.append(("definition", entry.definition))
    lines += [("example", e) for e in _numbered("示例", entry.examples, False)]
    lines += [("note", n) for n in _numbered("注", entry.notes, True)]
    if entry.source:
        lines.append(("source", entry.source))
    return lines


def to_markdown(clause: Clause) -> str:
    out = [f"## {CLAUSE_NUMBER} {clause.title}", "", clause.lead_in, ""]
    for entry in clause.entries:
        for role, text in entry_lines(entry):
            if role == "number":
                out.append(f"### {text}")
            elif role == "term":
                out.append(f"**{_md(text)}**" + (f"　{_md(entry.english)}" if entry.english else ""))
            else:
                out.append(_md(text))
            out.append("")
    return "\n".join(out).rstrip() + "\n"


def _md(text: str) -> str:
    return re.sub(r"([\\`*_<])", r"\\\1", text)


def to_html(clause: Clause) -> str:
    """The clause as an HTML fragment (a ``section``), every text escaped."""
    e = html.escape
    out = [f'<section class="clause" lang="zh-Hans"><h2>{CLAUSE_NUMBER} {e(clause.title)}</h2>',
           f'<p class="lead-in">{e(clause.lead_in)}</p>']
    for entry in clause.entries:
        out.append(f'<div class="entry" id="entry-{e(entry.number)}">')
        for role, text in entry_lines(entry):
            if role == "number":
                out.append(f'<p class="number"><strong>{e(text)}</strong></p>')
            elif role == "term":
                english = f' <span lang="en">{e(entry.english)}</span>' if entry.english else ""
                out.append(f'<p class="term"><strong>{e(text)}</strong>{english}</p>')
            else:
                out.append(f'<p class="{role}">{e(text)}</p>')
        out.append("</div>")
    out.append("</section>")
    return "\n".join(out)


def to_docx(clause: Clause) -> bytes:
    """The clause as a Word document (python-docx): heading, lead-in, entries in the layout above."""
    from docx import Document
    from docx.oxml.ns import qn
    from docx.shared import Pt

    document = Document()
    style = document.styles["Normal"]
    style.font.name = "SimSun"
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")
    style.font.size = Pt(10.5)
    document.add_heading(f"{CLAUSE_NUMBER} {clause.title}", level=1)
    document.add_paragraph(clause.lead_in)
    for entry in clause.entries:
        for role, text in entry_lines(entry):
            paragraph = document.add_paragraph()
            if role == "number":
                paragraph.add_run(text).bold = True
            elif role == "term":
                run = paragraph.add_run(text)
                run.bold = True
                run.font.name = "SimHei"
                run._element.rPr.rFonts.set(qn("w:eastAsia"), "黑体")  # type: ignore[union-attr]  # rPr exists: font.name made it
                if entry.english:
                    paragraph.add_run(f"　{entry.english}")
            else:
                run = paragraph.add_run(text)
                if role in ("note", "example", "source"):
                    run.font.size = Pt(9)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
