"""TBX (ISO 30042:2019, the TBX-Basic dialect), read and written; TBX v2 (``martif``) is read too.

A concept is a ``conceptEntry``; its terms sit in one ``langSec`` per language, each a ``termSec``
with its ``administrativeStatus`` (preferredTerm-admn-sts → 规范术语, admittedTerm-admn-sts → 许用术语,
deprecatedTerm-admn-sts / supersededTerm-admn-sts → 拒用术语) and ``termType`` (abbreviation). What
TBX-Basic has no category for (the grade, the notation, broader links) uses ``x-`` categories, listed
in ``docs/vocabulary.md``. A file with a DTD or an entity declaration is refused before it is parsed,
and the parser never resolves entities or reaches the network.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from xml.sax.saxutils import escape, quoteattr

import msgspec
from lxml import etree

from registry.errors import VocabularyError
from registry.languages import EN, ZH_HANS, is_simplified, lang_key
from registry.model import SOURCE_ROLES, ConceptVersion, Definition, Scheme, Source, Term

from . import (
    Context,
    Vocabulary,
    chunks,
    id_from_uri,
    is_id,
    language,
    looks_mojibake,
    mojibake_shown,
    problem,
    slug,
    untagged,
    xml_as_utf8,
)

NS = "urn:iso:std:iso:30042:ed-2"
STATUS_OUT = {"preferred": "preferredTerm-admn-sts", "deprecated": "deprecatedTerm-admn-sts",
              "superseded": "supersededTerm-admn-sts"}
STATUS_IN = {"preferredterm-admn-sts": "preferred", "admittedterm-admn-sts": "admitted",
             "deprecatedterm-admn-sts": "deprecated", "supersededterm-admn-sts": "superseded",
             "preferred": "preferred", "admitted": "admitted", "deprecated": "deprecated", "forbidden": "deprecated",
             "obsolete": "deprecated", "notrecommended": "deprecated"}
ABBREVIATIONS = {"abbreviation", "acronym", "shortform", "short form", "initialism"}
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


# -- writing ---------------------------------------------------------------------------------------

DIALECTS = {"core": "TBX-Core", "min": "TBX-Min", "basic": "TBX-Basic"}
MODULE_NS = {"min": "http://www.tbxinfo.net/ns/min", "basic": "http://www.tbxinfo.net/ns/basic"}
# data category → (DCA element, the module that defines it): TBX-Min holds the min module, TBX-Basic both,
# TBX-Core neither (ISO 30042:2019 and the TBX-Basic dialect definition, LTAC Global)
CATEGORIES = {
    "subjectField": ("descrip", "min"), "administrativeStatus": ("termNote", "min"),
    "definition": ("descrip", "basic"), "context": ("descrip", "basic"), "termType": ("termNote", "basic"),
    "source": ("admin", "basic"), "crossReference": ("ref", "basic"),
}
IN_DIALECT = {"core": set(), "min": {"min"}, "basic": {"min", "basic"}}
PREFIX = "shuyu:"  # what no TBX-Basic category holds travels in a <note>shuyu:key=value</note>, valid in every dialect


def write(vocabulary: Vocabulary, context: Context, fmt: str = "tbx") -> Iterator[bytes]:
    """TBX (ISO 30042:2019) in ``context.tbx_dialect`` (basic, min, core) and ``context.tbx_style`` (dca, dct)."""
    dialect, style = context.tbx_dialect, context.tbx_style
    writer = _Writer(dialect, style, context, {c.id for c in vocabulary.concepts})

    def parts() -> Iterator[str]:
        scheme = vocabulary.schemes[0] if vocabulary.schemes else Scheme(id=vocabulary.name or "shuyu",
                                                                         title=vocabulary.name or "shuyu")
        modules = "".join(f' xmlns:{m}="{MODULE_NS[m]}"' for m in sorted(IN_DIALECT[dialect])) if style == "dct" else ""
        yield ('<?xml version="1.0" encoding="UTF-8"?>\n'
               f'<tbx type="{DIALECTS[dialect]}" style="{style}" xml:lang="zh-Hans" xmlns="{NS}"{modules}>\n'
               "  <tbxHeader>\n    <fileDesc>\n"
               f"      <titleStmt><title>{escape(scheme.title)}</title></titleStmt>\n"
               f"      <sourceDesc><p>{escape(scheme.description or scheme.title)}</p></sourceDesc>\n"
               "    </fileDesc>\n"
               f'    <encodingDesc><p type="x-scheme">{escape(scheme.id)}</p></encodingDesc>\n'
               "  </tbxHeader>\n  <text>\n    <body>\n")
        for concept in vocabulary.concepts:
            yield writer.entry(concept, scheme)
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


class _Writer:
    def __init__(self, dialect: str, style: str, context: Context, in_file: set[str]) -> None:
        self.dialect, self.style, self.context, self.in_file = dialect, style, context, in_file

    def cat(self, indent: int, category: str, text: str, **attrs: str) -> str:
        """A data category as the style writes it, or nothing when the dialect has no such category."""
        element, module = CATEGORIES[category]
        if module not in IN_DIALECT[self.dialect]:
            return ""
        if self.style == "dct":
            return _el(indent, f"{module}:{category}", text, **attrs)
        return _el(indent, element, text, type=category, **attrs)

    def extra(self, indent: int, key: str, value: str) -> str:
        return _el(indent, "note", f"{PREFIX}{key}={value}")

    def target(self, concept_id: str) -> str:
        """An IDREF within the file, else the concept's http(s) URI (TBX: @target is one or the other)."""
        return concept_id if concept_id in self.in_file else self.context.concept_uri(concept_id)

    def entry(self, c: ConceptVersion, scheme: Scheme) -> str:
        out = [f"      <conceptEntry id={quoteattr(c.id)}>\n", self.cat(8, "subjectField", scheme.title)]
        if c.status != "published":
            out.append(self.extra(8, "status", c.status))
        if c.notation:
            out.append(self.extra(8, "notation", c.notation))
        if c.grade:
            out.append(self.extra(8, "grade", c.grade))
        if c.grade_factors:
            out.append(self.extra(8, "grade-factors", " ".join(c.grade_factors)))
        if c.kind:
            out.append(self.extra(8, "kind", c.kind))
        out += [self.extra(8, "broader", b) for b in c.broader]
        out += [self.cat(8, "crossReference", r, target=self.target(r)) for r in c.related]
        out += [self.extra(8, "replaced-by", r) for r in c.replaced_by]
        out += [_el(8, "note", note) for note in c.notes]
        out += [self.cat(8, "source", _source_text(s)) for s in c.sources]
        if c.uri:
            out.append(self.extra(8, "uri", c.uri))
        definitions = [pair for pair in ((ZH_HANS, c.definition), (EN, c.definition_en)) if pair[1]]
        definitions += [(d.lang, d.text) for d in c.definitions]
        examples_at = next((t for t in c.terms if t.type == "preferred" and is_simplified(t.lang)), c.terms[0])
        for lang in sorted({t.lang for t in c.terms} | {lang for lang, _ in definitions}, key=lang_key):
            out.append(f'        <langSec xml:lang={quoteattr(lang)}>\n')
            for _, definition in (d for d in definitions if d[0] == lang):
                out.append(self.cat(10, "definition", definition))
            for term in (t for t in c.terms if t.lang == lang):
                out.append("          <termSec>\n" + _el(12, "term", term.text))
                out.append(self.cat(12, "administrativeStatus", STATUS_OUT.get(term.type, "admittedTerm-admn-sts")))
                if term.type == "abbreviation":
                    out.append(self.cat(12, "termType", "abbreviation"))
                if term.type == "hidden":
                    out.append(self.extra(12, "usage", "hidden"))
                if term is examples_at:  # TBX-Basic: a context sits in a termSec
                    out += [self.cat(12, "context", example) for example in c.examples]
                out.append("          </termSec>\n")
            out.append("        </langSec>\n")
        out.append("      </conceptEntry>\n")
        return "".join(out)


# -- reading ---------------------------------------------------------------------------------------

# a plain DOCTYPE naming an external DTD is standard in TBX 2008 and is read without loading the DTD;
# an internal subset or any entity declaration (XXE, billion laughs) is refused before parsing
_UNSAFE = re.compile(rb"<!ENTITY|<!DOCTYPE[^>\[]*\[", re.IGNORECASE)


def parse(data: bytes, name: str):
    data = xml_as_utf8(data, name)  # a UTF-16 file's entity declaration is found as a UTF-8 one is
    found = _UNSAFE.search(data)
    if found:
        raise problem(name, "XML with entity declarations or an internal DTD subset is refused (they can read local "
                            "files or blow up memory); remove them", line=data[: found.start()].count(b"\n") + 1,
                      field="DOCTYPE")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                             huge_tree=False, remove_comments=True, remove_pis=True)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise problem(name, f"not valid XML: {exc.msg}", line=exc.lineno, field="syntax") from None
    return root


def clean(text: str | None) -> str:
    """Element text with the line breaks and indentation of pretty-printed XML folded to one space."""
    return re.sub(r"\s*\n\s*", " ", text or "").strip()


def local(element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def inner(element) -> str:
    """All text inside an element (TBX allows inline markup such as <hi> in terms and definitions)."""
    return clean("".join(element.itertext()))


# DCT style (TBX v3): a data category is an element of a dialect's namespace; here the DCA element it stands for
DCT_ELEMENT = {
    "definition": "descrip", "context": "descrip", "subjectField": "descrip", "superordinateConceptGeneric": "descrip",
    "superordinateConceptPartitive": "descrip", "administrativeStatus": "termNote", "termType": "termNote",
    "partOfSpeech": "termNote", "grammaticalGender": "termNote", "geographicalUsage": "termNote",
    "termLocation": "termNote", "usageStatus": "termNote", "source": "admin", "customerSubset": "admin", "projectSubset": "admin",
    "crossReference": "ref", "externalCrossReference": "xref", "xGraphic": "xref", "transactionType": "transac",
    "responsibility": "transacNote",
}
STRUCTURE = {"descripGrp", "adminGrp", "termNoteGrp", "termGrp", "langSec", "langSet", "termSec", "tig", "ntig"}
CORE = {"descrip", "termNote", "admin", "ref", "xref", "transac", "transacNote", "note", "date", "hi", "foreign"}


# TBX-Min as LTAC published it in 2013, before ISO 30042:2019 (root <TBX dialect="TBX-Min">): its elements
# named as that version names them
MIN_2013 = {"termStatus": "administrativeStatus", "customer": "customerSubset"}


def category(element) -> tuple[str, str]:
    """(DCA element, data category) of an element written in DCA or DCT style (or as TBX-Min 2013 writes it)."""
    tag = local(element)
    if tag in CORE or tag in STRUCTURE or tag in ("term", "transacGrp", "conceptEntry", "termEntry"):
        return tag, element.get("type", "")
    tag = MIN_2013.get(tag, tag)
    return DCT_ELEMENT.get(tag, "descrip"), tag


def lang_of(element, default: str) -> str:
    """The xml:lang in force at an element: its own, or the nearest ancestor's (TBX: <martif xml:lang="en">)."""
    while element is not None:
        tag = element.get(XML_LANG) if isinstance(element.tag, str) else None
        if tag:
            return tag
        element = element.getparent()
    return default


class Entry:
    """What one conceptEntry holds, as it is read."""

    def __init__(self) -> None:
        self.terms: list[Term] = []
        self.definitions: list[tuple[str, str]] = []  # (tag, text)
        self.fields: dict[str, list[str]] = {k: [] for k in ("broader", "related", "replaced_by", "examples", "notes")}
        self.sources: list[Source] = []
        self.single: dict[str, str] = {}
        self.unmarked: set[int] = set()  # the terms (by position) that carry no administrativeStatus


def read(data: bytes, name: str, context: Context, fmt: str = "tbx") -> Vocabulary:
    root = parse(data, name)
    if local(root) not in ("tbx", "martif") and not (local(root) == "TBX" and root.get("dialect") == "TBX-Min"):
        raise problem(name, f"not a TBX file: the root element is <{local(root)}>, not <tbx>", line=root.sourceline,
                      field="tbx")
    title = next((inner(el) for el in root.iter() if local(el) == "title"), "").strip()
    declared = next(((el.text or "").strip() for el in root.iter()
                     if local(el) == "p" and el.get("type") == "x-scheme"), "")
    stem = slug(name.rsplit("/", 1)[-1].rsplit(".", 1)[0])
    scheme_id = context.scheme or (declared if is_id(declared) else "") or stem or "imported"
    description = next((inner(el) for el in root.iter() if local(el) == "p" and local(el.getparent()) == "sourceDesc"), "")
    vocabulary = Vocabulary(name=name, scheme_complete=False)
    scheme = Scheme(id=scheme_id, title=(title or scheme_id)[:300], description=description if description != title else "")
    vocabulary.schemes.append(scheme)
    reading = Reading(name, scheme, root.get(XML_LANG) or "", "" if declared else f"{scheme_id}-")
    seen: dict[str, int] = {}
    for entry in (el for el in root.iter() if local(el) in ("conceptEntry", "termEntry")):
        try:
            concept = reading.concept(entry)
        except VocabularyError as exc:
            vocabulary.problems.append(exc)
            continue
        if concept.id in seen and not (entry.get("id") or "").strip():  # two entries named by one term: homonyms
            concept = msgspec.structs.replace(concept, id=next(
                f"{concept.id}-{n}" for n in range(2, len(seen) + 3) if f"{concept.id}-{n}" not in seen))
        if concept.id in seen:
            vocabulary.problems.append(problem(name, f"conceptEntry id {concept.id!r} is also used at line "
                                                     f"{seen[concept.id]}", line=entry.sourceline, field="id"))
            continue
        seen[concept.id] = entry.sourceline
        reading.no_chinese += not any(t.type == "preferred" and is_simplified(t.lang) for t in concept.terms)
        vocabulary.concepts.append(concept)
        vocabulary.where[concept.id] = (entry.sourceline, None)
    vocabulary.warnings += reading.warnings()
    return vocabulary


class Reading:
    """Reads conceptEntries; counts what the registry does not keep, one warning per kind."""

    def __init__(self, name: str, scheme: Scheme, file_lang: str, prefix: str) -> None:
        self.name, self.scheme, self.file_lang = name, scheme, file_lang
        # a termbase of ours names its scheme and uses registry ids; another one's ids (c1, c2 ...) are its own,
        # so they are kept apart by the scheme they are imported into
        self.prefix = prefix
        self.not_kept: dict[str, int] = {}
        self.untagged = 0
        self.no_preferred = 0
        self.no_chinese = 0
        self.without_id = 0
        self.mojibake: list[str] = []

    def warnings(self) -> list[str]:
        out = [f"not kept: {n} × {kind}" for kind, n in sorted(self.not_kept.items())]
        if self.no_chinese:  # as the SKOS reader says it
            out.append(f"{self.no_chinese} concept(s) have no Simplified Chinese preferred term: they are named by "
                       "their preferred term in another language (kept with its own tag)")
        if self.no_preferred:
            out.append(f"{self.no_preferred} entr(ies) mark no preferred term (administrativeStatus) in some "
                       "language: the first unmarked term of each such language is taken as its preferred term")
        if self.without_id:
            out.append(f"{self.without_id} termEntry(ies) carry no id (TBX 2008 allows it): each is identified by its "
                       "first term (in the file's xml:lang when it has one there); a later file whose such term "
                       "changed makes a new concept")
        if self.untagged:
            out.append(f"{self.untagged} text(s) carry no xml:lang, on them or on <tbx>/<martif>: read as zh-Hans or "
                       "zh-Hant (by their characters) when they hold Chinese characters, else as 'und' (undetermined)")
        if self.mojibake:
            out.append(f"{len(self.mojibake)} Chinese term(s) look mis-decoded (mojibake): {', '.join(self.mojibake[:5])}")
        return out

    def skip(self, kind: str) -> None:
        self.not_kept[kind] = self.not_kept.get(kind, 0) + 1

    def lang(self, element, text: str) -> str:
        tag = lang_of(element, self.file_lang)
        if not tag:
            self.untagged += 1
            return untagged(text)
        return language(tag)

    def concept(self, entry) -> ConceptVersion:
        raw_id = (entry.get("id") or "").strip()
        element = local(entry)
        # ISO 30042:2019 requires a conceptEntry's id; TBX 2008's DTD leaves a termEntry's optional (Translate
        # Toolkit and Weblate write none): such an entry is named by its first term, in the file's language if
        # it has one there, so that the same file imported again updates the same concepts
        if not raw_id and element != "termEntry":
            raise problem(self.name, f"a <{element}> needs an id", line=entry.sourceline, field="id")
        found = Entry()
        for child in entry:
            self.walk(child, found, None)
        if not found.terms:
            raise problem(self.name, f"the <{element}> has no term", line=entry.sourceline, field="term")
        if not raw_id:
            self.without_id += 1
            raw_id = _id_from_term(next((t for t in found.terms if t.lang == language(self.file_lang or "und")),
                                        found.terms[0]))
        concept_id = _local_id(raw_id, self.prefix)
        terms = _one_preferred_per_language(found.terms)
        # no administrativeStatus given: TBX leaves it open; a language whose terms say nothing is named by its
        # first term (a translation tool's termbase: one term per language, none marked)
        marked = {t.lang for t in terms if t.type == "preferred"}
        promoted = False
        for i, t in enumerate(terms):
            if i in found.unmarked and t.type == "admitted" and t.lang not in marked:
                terms[i] = Term(text=t.text, lang=t.lang, type="preferred")
                marked.add(t.lang)
                promoted = True
        self.no_preferred += promoted
        definitions = [Definition(text=t[:4000], lang=lang) for lang, t in found.definitions]
        # the registry's own two fields; every other tag (zh-CN, en-US ...) is kept as written in ``definitions``
        zh = next((d for d in definitions if d.lang == ZH_HANS), None)
        en = next((d for d in definitions if d.lang == EN), None)
        others = tuple(d for d in definitions if d is not zh and d is not en)
        single = found.single
        return ConceptVersion(
            id=concept_id, scheme=self.scheme.id, terms=tuple(terms), definition=zh.text if zh else "",
            definition_en=en.text if en else "", definitions=others,
            notes=tuple(dict.fromkeys(found.fields["notes"])), examples=tuple(dict.fromkeys(found.fields["examples"])),
            notation=single.get("x-notation", ""), broader=tuple(found.fields["broader"]),
            related=tuple(found.fields["related"]), grade=single.get("x-grade") or None,  # type: ignore[arg-type]
            status=single.get("x-status") or "published",  # type: ignore[arg-type]
            grade_factors=tuple(single.get("x-grade-factors", "").split()), kind=single.get("x-kind", ""),
            replaced_by=tuple(found.fields["replaced_by"]), sources=tuple(dict.fromkeys(found.sources)),
            uri=single.get("x-uri", ""),
        )

    def walk(self, element, found: Entry, term: dict | None) -> None:
        """One element of an entry (and its children): ``term`` is the termSec being read, if any."""
        if not isinstance(element.tag, str):
            return
        tag, kind = category(element)
        if tag in ("termSec", "tig", "ntig"):
            self.term(element, found)
            return
        if tag in STRUCTURE:
            for child in element:
                self.walk(child, found, term)
            return
        text = inner(element)  # (not a group's: its text is its children's, each read on its own)
        if tag == "transacGrp":
            self.skip("transaction (transacGrp: origination, modification, responsibility, date)")
        elif tag == "descrip" and kind == "definition" and text:
            found.definitions.append((self.lang(element, text), text))
        elif tag == "descrip" and kind in ("context", "x-example") and text:
            found.fields["examples"].append(text)
        elif tag == "descrip" and kind in ("x-status", "x-notation", "x-grade", "x-grade-factors", "x-kind"):
            found.single[kind] = text
        elif tag == "descrip" and kind == "subjectField":
            if text != self.scheme.title:  # our own files name the scheme there
                self.skip("subjectField (the registry files concepts by scheme)")
        elif (tag == "ref" and kind in ("crossReference", "x-broader", "x-replacedBy")) or \
                (tag == "descrip" and kind.startswith("superordinateConcept")):
            target = _target(element, self.prefix)
            key = {"crossReference": "related", "x-replacedBy": "replaced_by"}.get(kind, "broader")
            if target:
                found.fields[key].append(target)
        elif tag == "note" and text.startswith(PREFIX) and "=" in text:
            key, value = text[len(PREFIX):].split("=", 1)
            single_keys = {"status": "x-status", "notation": "x-notation", "grade": "x-grade",
                           "grade-factors": "x-grade-factors", "kind": "x-kind", "uri": "x-uri"}
            if key in single_keys:
                found.single[single_keys[key]] = value
            elif key in ("broader", "replaced-by"):
                found.fields["broader" if key == "broader" else "replaced_by"].append(value)
            else:
                self.skip(f"note {PREFIX}{key}")
        elif tag == "note" and text:
            found.fields["notes"].append(text)
        elif tag == "admin" and kind == "source" and text:
            found.sources.append(_source(text))
        elif tag == "admin" and kind == "x-uri":
            found.single["x-uri"] = text
        elif text or tag in ("xref", "ref"):
            self.skip(f"{tag} {kind}".strip() if tag != kind else tag)

    def term(self, section, found: Entry) -> None:
        term_element = next((el for el in section.iter() if local(el) == "term"), None)
        text = inner(term_element) if term_element is not None else ""
        if not text:
            raise problem(self.name, "a termSec needs a term", line=section.sourceline, field="term")
        lang = self.lang(term_element, text)
        if looks_mojibake(text, lang):
            self.mojibake.append(mojibake_shown(text))
        notes: dict[str, str] = {}
        for element in _read_whole(section):
            if element is term_element:
                continue
            tag, kind = category(element)
            value = inner(element)
            if tag == "termNote" and kind in ("administrativeStatus", "termType", "x-usage"):
                notes[kind] = value.lower()
            elif tag == "termNote" and kind == "usageStatus" and value.lower() in STATUS_IN:
                # LTAC's own TBX test files (MultiTerm exports) give a term's status so: read where no
                # administrativeStatus is given
                notes.setdefault("usageStatus", value.lower())
            elif tag == "note" and value == f"{PREFIX}usage=hidden":
                notes["x-usage"] = "hidden"
            elif tag == "transacGrp" or _inside(element, "transacGrp", section):
                if tag == "transacGrp":
                    self.skip("transaction (transacGrp: origination, modification, responsibility, date)")
            elif tag == "note" and value:
                found.fields["notes"].append(f"{text}: {value}")
            elif tag == "descrip" and kind == "context" and value:
                found.fields["examples"].append(value)
            elif tag == "descrip" and kind == "definition" and value:
                found.definitions.append((self.lang(element, value), value))
            elif tag == "admin" and kind == "source" and value:
                found.sources.append(_source(value))
            elif value:
                self.skip(f"{tag} {kind}".strip() if tag != kind else tag)
        marked = notes.get("administrativeStatus", notes.get("usageStatus"))
        status = STATUS_IN.get(marked or "", "admitted")
        if notes.get("x-usage") == "hidden":
            status = "hidden"
        elif status == "admitted" and notes.get("termType", "") in ABBREVIATIONS:
            status = "abbreviation"
        if marked is None and status == "admitted":
            found.unmarked.add(len(found.terms))
        found.terms.append(Term(text=text[:300], lang=lang, type=status))  # type: ignore[arg-type]


def _read_whole(section):
    """The elements of a term section read each with all the text inside it, in document order: those
    inside groups (``STRUCTURE``) only, never one inside another (its text is that one's already: inline
    markup, or a note nested in a note). Every element's text read at each level of 250 nested notes made
    a 2 MB file take 11 s and 1 GB."""
    stack = list(reversed(section))
    while stack:
        element = stack.pop()
        if not isinstance(element.tag, str):
            continue
        if local(element) in STRUCTURE:
            stack.extend(reversed(element))
        else:
            yield element


def _inside(element, tag: str, stop) -> bool:
    parent = element.getparent()
    while parent is not None and parent is not stop:
        if local(parent) == tag:
            return True
        parent = parent.getparent()
    return False


def _one_preferred_per_language(terms: list[Term]) -> list[Term]:
    """A second preferred term in a language is kept as admitted (SKOS and the registry: one per language)."""
    seen: set[str] = set()
    out = []
    for term in terms:
        if term.type == "preferred":
            if term.lang in seen:
                term = Term(text=term.text, lang=term.lang, type="admitted")
            seen.add(term.lang)
        out.append(term)
    return out


def _id_from_term(term: Term) -> str:
    """An id for an entry that has none: its term made an id (``address bar`` → ``address-bar``), else a hash
    of the term and its tag (Chinese terms)."""
    readable = slug(re.sub(r"[/#:]", " ", term.text))
    return readable or "t-" + hashlib.sha1(f"{term.lang} {term.text}".encode()).hexdigest()[:12]


def _local_id(raw: str, prefix: str) -> str:
    candidate = f"{prefix}{raw}".lower() if prefix else raw
    return candidate if is_id(candidate) else id_from_uri(f"{prefix}{raw}")


def _target(element, prefix: str) -> str:
    target = (element.get("target") or element.text or "").strip().lstrip("#")
    return _local_id(target, prefix) if target else ""


def _source(text: str) -> Source:
    parts = [p.strip() for p in text.split(" | ")] + ["", "", "", ""]
    parts += ["", ""]
    return Source(document=parts[0][:300], locator=parts[1], url=parts[2], issuer=parts[3], date=parts[4],
                  number=parts[5], role=parts[6] if parts[6] in SOURCE_ROLES else "record")  # type: ignore[arg-type]
