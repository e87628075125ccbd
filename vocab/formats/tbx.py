"""TBX (ISO 30042:2019, the TBX-Basic dialect), read and written; TBX v2 (``martif``) is read too.

A concept is a ``conceptEntry``; its terms sit in one ``langSec`` per language, each a ``termSec``
with its ``administrativeStatus`` (preferredTerm-admn-sts → 规范术语, admittedTerm-admn-sts → 许用术语,
deprecatedTerm-admn-sts / supersededTerm-admn-sts → 拒用术语) and ``termType`` (abbreviation). What
TBX-Basic has no category for (the grade, the notation, broader links) uses ``x-`` categories, listed
in ``docs/vocabulary.md``. A file with a DTD or an entity declaration is refused before it is parsed,
and the parser never resolves entities or reaches the network.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from xml.sax.saxutils import escape, quoteattr

from lxml import etree

from registry.model import SOURCE_ROLES, ConceptVersion, Scheme, Source, Term

from . import LANG_ORDER, Context, Vocabulary, chunks, id_from_uri, is_id, language, problem, slug

NS = "urn:iso:std:iso:30042:ed-2"
STATUS_OUT = {"preferred": "preferredTerm-admn-sts", "deprecated": "deprecatedTerm-admn-sts",
              "superseded": "supersededTerm-admn-sts"}
STATUS_IN = {"preferredterm-admn-sts": "preferred", "admittedterm-admn-sts": "admitted",
             "deprecatedterm-admn-sts": "deprecated", "supersededterm-admn-sts": "superseded",
             "preferred": "preferred", "admitted": "admitted", "deprecated": "deprecated", "forbidden": "deprecated",
             "obsolete": "deprecated"}
ABBREVIATIONS = {"abbreviation", "acronym", "shortform", "short form", "initialism"}
LANG_TAGS = {"zh-Hans": "zh-Hans", "zh-TW": "zh-TW", "zh-HK": "zh-HK", "en": "en"}
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


# -- writing ---------------------------------------------------------------------------------------

def write(vocabulary: Vocabulary, context: Context, fmt: str = "tbx") -> Iterator[bytes]:
    def parts() -> Iterator[str]:
        scheme = vocabulary.schemes[0] if vocabulary.schemes else Scheme(id=vocabulary.name or "shuyu",
                                                                         title=vocabulary.name or "shuyu")
        yield ('<?xml version="1.0" encoding="UTF-8"?>\n'
               f'<tbx type="TBX-Basic" style="dca" xml:lang="zh-Hans" xmlns="{NS}">\n'
               "  <tbxHeader>\n    <fileDesc>\n"
               f"      <titleStmt><title>{escape(scheme.title)}</title></titleStmt>\n"
               f"      <sourceDesc><p>{escape(scheme.description or scheme.title)}</p></sourceDesc>\n"
               "    </fileDesc>\n"
               f'    <encodingDesc><p type="x-scheme">{escape(scheme.id)}</p></encodingDesc>\n'
               "  </tbxHeader>\n  <text>\n    <body>\n")
        for concept in vocabulary.concepts:
            yield _entry(concept, scheme)
        yield "    </body>\n  </text>\n</tbx>\n"

    return chunks(parts)


def _el(indent: int, tag: str, text: str, **attrs: str) -> str:
    attributes = "".join(f" {k}={quoteattr(v)}" for k, v in attrs.items())
    return f"{' ' * indent}<{tag}{attributes}>{escape(text)}</{tag}>\n"


def _source_text(s: Source) -> str:
    fields = [s.document, s.locator, s.url, s.issuer, s.date, s.number, "" if s.role == "record" else s.role]
    while fields and not fields[-1]:
        fields.pop()
    return " | ".join(fields)


def _entry(c: ConceptVersion, scheme: Scheme) -> str:
    out = [f"      <conceptEntry id={quoteattr(c.id)}>\n", _el(8, "descrip", scheme.title, type="subjectField")]
    if c.status != "published":
        out.append(_el(8, "descrip", c.status, type="x-status"))
    if c.notation:
        out.append(_el(8, "descrip", c.notation, type="x-notation"))
    if c.grade:
        out.append(_el(8, "descrip", c.grade, type="x-grade"))
    if c.grade_factors:
        out.append(_el(8, "descrip", " ".join(c.grade_factors), type="x-grade-factors"))
    if c.kind:
        out.append(_el(8, "descrip", c.kind, type="x-kind"))
    for kind, targets in (("x-broader", c.broader), ("crossReference", c.related), ("x-replacedBy", c.replaced_by)):
        out += [_el(8, "ref", target, type=kind, target=target) for target in targets]
    out += [_el(8, "descrip", example, type="x-example") for example in c.examples]
    out += [_el(8, "note", note) for note in c.notes]
    out += [_el(8, "admin", _source_text(s), type="source") for s in c.sources]
    if c.uri:
        out.append(_el(8, "admin", c.uri, type="x-uri"))
    for lang in sorted({t.lang for t in c.terms} | ({"zh-Hans"} if c.definition else set())
                       | ({"en"} if c.definition_en else set()), key=LANG_ORDER.__getitem__):
        out.append(f'        <langSec xml:lang="{LANG_TAGS[lang]}">\n')
        definition = c.definition if lang == "zh-Hans" else (c.definition_en if lang == "en" else "")
        if definition:
            out.append(_el(10, "descrip", definition, type="definition"))
        for term in (t for t in c.terms if t.lang == lang):
            out.append("          <termSec>\n" + _el(12, "term", term.text))
            out.append(_el(12, "termNote", STATUS_OUT.get(term.type, "admittedTerm-admn-sts"),
                           type="administrativeStatus"))
            if term.type == "abbreviation":
                out.append(_el(12, "termNote", "abbreviation", type="termType"))
            if term.type == "hidden":
                out.append(_el(12, "termNote", "hidden", type="x-usage"))
            out.append("          </termSec>\n")
        out.append("        </langSec>\n")
    out.append("      </conceptEntry>\n")
    return "".join(out)


# -- reading ---------------------------------------------------------------------------------------

def parse(data: bytes, name: str):
    found = re.search(rb"<!(DOCTYPE|ENTITY)", data)
    if found:
        raise problem(name, "XML with a DTD or entity declarations is refused (they can read local files or blow "
                            "up memory); remove the DOCTYPE", line=data[: found.start()].count(b"\n") + 1,
                      field="DOCTYPE")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                             remove_comments=True, remove_pis=True)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise problem(name, f"not valid XML: {exc.msg}", line=exc.lineno, field="syntax") from None
    if root.getroottree().docinfo.doctype:  # belt and braces: never accept a DTD
        raise problem(name, "XML with a DTD is refused", line=1, field="DOCTYPE")
    return root


def clean(text: str | None) -> str:
    """Element text with the line breaks and indentation of pretty-printed XML folded to one space."""
    return re.sub(r"\s*\n\s*", " ", text or "").strip()


def local(element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def read(data: bytes, name: str, context: Context, fmt: str = "tbx") -> Vocabulary:
    root = parse(data, name)
    if local(root) not in ("tbx", "martif"):
        raise problem(name, f"not a TBX file: the root element is <{local(root)}>, not <tbx>", line=root.sourceline,
                      field="tbx")
    title = next((el.text or "" for el in root.iter() if local(el) == "title"), "").strip()
    declared = next(((el.text or "").strip() for el in root.iter()
                     if local(el) == "p" and el.get("type") == "x-scheme"), "")
    stem = slug(name.rsplit("/", 1)[-1].rsplit(".", 1)[0])
    scheme_id = context.scheme or (declared if is_id(declared) else "") or stem or "imported"
    description = next(((el.text or "").strip() for el in root.iter() if local(el) == "p" and local(el.getparent()) == "sourceDesc"), "")
    vocabulary = Vocabulary(name=name, scheme_complete=False)
    vocabulary.schemes.append(Scheme(id=scheme_id, title=(title or scheme_id)[:300],
                                     description=description if description != title else ""))
    skipped: set[str] = set()
    seen: dict[str, int] = {}
    # a termbase of ours names its scheme and uses registry ids; another one's ids (c1, c2 ...) are its own,
    # so they are kept apart by the scheme they are imported into
    prefix = "" if declared else f"{scheme_id}-"
    for entry in (el for el in root.iter() if local(el) in ("conceptEntry", "termEntry")):
        concept = _concept(entry, scheme_id, name, skipped, prefix)
        if concept.id in seen:
            raise problem(name, f"conceptEntry id {concept.id!r} is also used at line {seen[concept.id]}",
                          line=entry.sourceline, field="id")
        seen[concept.id] = entry.sourceline
        vocabulary.concepts.append(concept)
        vocabulary.where[concept.id] = (entry.sourceline, None)
    if skipped:
        vocabulary.warnings.append(f"terms in languages the registry does not hold were skipped: {', '.join(sorted(skipped))}")
    return vocabulary


def _local_id(raw: str, prefix: str) -> str:
    candidate = f"{prefix}{raw}".lower() if prefix else raw
    return candidate if is_id(candidate) else id_from_uri(f"{prefix}{raw}")


def _target(element, prefix: str) -> str:
    target = (element.get("target") or element.text or "").strip().lstrip("#")
    return _local_id(target, prefix) if target else ""


def _source(text: str) -> Source:
    parts = [p.strip() for p in text.split(" | ")] + ["", "", "", "", "", ""]
    return Source(document=parts[0][:300], locator=parts[1], url=parts[2], issuer=parts[3], date=parts[4],
                  number=parts[5], role=parts[6] if parts[6] in SOURCE_ROLES else "record")


def _concept(entry, scheme_id: str, name: str, skipped: set[str], prefix: str) -> ConceptVersion:
    raw_id = (entry.get("id") or "").strip()
    if not raw_id:
        raise problem(name, "a conceptEntry needs an id", line=entry.sourceline, field="id")
    concept_id = _local_id(raw_id, prefix)
    fields: dict[str, list[str]] = {k: [] for k in ("broader", "related", "replaced_by", "examples", "notes")}
    sources: list[Source] = []
    single: dict[str, str] = {}
    terms: list[Term] = []
    definitions: dict[str, str] = {}
    for element in entry.iter():
        kind, text = element.get("type", ""), clean(element.text)
        tag = local(element)
        if tag == "langSec" or tag == "langSet":
            _lang_section(element, name, terms, definitions, skipped)
        elif _inside_lang(element, entry):
            continue
        elif tag == "ref" or (tag == "descrip" and kind.startswith("superordinateConcept")):
            target = _target(element, prefix)
            key = {"crossReference": "related", "x-replacedBy": "replaced_by"}.get(kind, "broader")
            if target and (tag == "descrip" or kind in ("crossReference", "x-broader", "x-replacedBy")):
                fields[key].append(target)
        elif tag == "descrip" and kind in ("x-status", "x-notation", "x-grade", "x-grade-factors", "x-kind"):
            single[kind] = text
        elif tag == "descrip" and kind == "x-example" and text:
            fields["examples"].append(text)
        elif tag == "descrip" and kind == "definition" and text:
            definitions.setdefault("zh-Hans", text)
        elif tag == "note" and text:
            fields["notes"].append(text)
        elif tag == "admin" and kind == "source" and text:
            sources.append(_source(text))
        elif tag == "admin" and kind == "x-uri":
            single["x-uri"] = text
    if not any(t.type == "preferred" and t.lang == "zh-Hans" for t in terms):
        candidates = [t for t in terms if t.lang == "zh-Hans"] or [t for t in terms if t.type == "preferred"] or terms
        if not candidates:
            raise problem(name, "the conceptEntry has no term in Chinese or English", line=entry.sourceline,
                          field="term")
        first = candidates[0]
        terms = [Term(text=first.text, lang="zh-Hans", type="preferred"),
                 *(t for t in terms if not (t is first and t.lang == "zh-Hans"))]
    grade = single.get("x-grade") or None
    return ConceptVersion(
        id=concept_id, scheme=scheme_id, terms=tuple(terms), definition=definitions.get("zh-Hans", ""),
        definition_en=definitions.get("en", ""), notes=tuple(fields["notes"]), examples=tuple(fields["examples"]),
        notation=single.get("x-notation", ""), broader=tuple(fields["broader"]), related=tuple(fields["related"]),
        grade=grade, status=single.get("x-status") or "published",  # type: ignore[arg-type]
        grade_factors=tuple(single.get("x-grade-factors", "").split()), kind=single.get("x-kind", ""),
        replaced_by=tuple(fields["replaced_by"]), sources=tuple(sources), uri=single.get("x-uri", ""),
    )


def _inside_lang(element, entry) -> bool:
    parent = element.getparent()
    while parent is not None and parent is not entry:
        if local(parent) in ("langSec", "langSet"):
            return True
        parent = parent.getparent()
    return False


def _lang_section(section, name: str, terms: list[Term], definitions: dict[str, str], skipped: set[str]) -> None:
    tag = section.get(XML_LANG) or ""
    for element in section.iter():
        kind = local(element)
        if kind == "descrip" and element.get("type") == "definition" and clean(element.text):
            mapped = language(tag, clean(element.text)) if tag else None
            if mapped:
                definitions.setdefault("en" if mapped[0] == "en" else "zh-Hans", mapped[1])
        if kind not in ("termSec", "tig", "ntig"):
            continue
        text = next((clean(el.text) for el in element.iter() if local(el) == "term"), "")
        if not text:
            raise problem(name, "a termSec needs a term", line=element.sourceline, field="term")
        mapped = language(tag, text) if tag else None
        if mapped is None:
            skipped.add(tag or "(none)")
            continue
        notes = {el.get("type", ""): (el.text or "").strip().lower() for el in element.iter() if local(el) == "termNote"}
        status = STATUS_IN.get(notes.get("administrativeStatus", ""), "admitted")
        if notes.get("x-usage") == "hidden":
            status = "hidden"
        elif status == "admitted" and notes.get("termType", "") in ABBREVIATIONS:
            status = "abbreviation"
        if status == "preferred" and any(t.type == "preferred" and t.lang == mapped[0] for t in terms):
            status = "admitted"  # one preferred term per language
        terms.append(Term(text=mapped[1][:300], lang=mapped[0], type=status))  # type: ignore[arg-type]
