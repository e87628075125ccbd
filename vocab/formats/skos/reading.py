"""SKOS in: a file parsed safely (bounded, no remote contexts, no DTD) and read into concepts, schemes, standards."""

from __future__ import annotations

import json
import logging
import re
import threading
from typing import Literal as OneOf

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS as DCT
from rdflib.namespace import OWL, RDF, RDFS, SKOS
from rdflib.plugins.stores.memory import Memory

from registry.errors import VocabularyError
from registry.languages import EN, ZH_HANS, is_english, is_simplified, lang_key
from registry.model import (
    SOURCE_ROLES,
    ConceptVersion,
    Definition,
    Scheme,
    Source,
    StandardVersion,
    Term,
)

from .. import (
    LIMITS,
    STANDARDS,
    TYPE_ORDER,
    Context,
    TooLarge,
    Vocabulary,
    decode_text,
    dedupe_terms,
    hashed_id,
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
from .mapping import RDFLIB_FORMATS, READ, SKOSXL, STANDARD_FIELDS, SY, TERM_MARKS


class _IllTyped(logging.Filter):
    """rdflib logs a literal whose text is not a value of its datatype (``"1986-21-00"^^xsd:date``) as a
    warning with a traceback, once per literal: on a terminal or in the server's log, a stack trace for a
    date in a file. The reader keeps such a literal as written; this counts them (per thread: imports run
    in worker threads) for one warning in the report instead."""

    local = threading.local()

    def filter(self, record: logging.LogRecord) -> bool:
        if record.getMessage().startswith("Failed to convert Literal lexical form"):
            self.local.count = getattr(self.local, "count", 0) + 1
            return False
        return True


_ILL_TYPED = _IllTyped()
logging.getLogger("rdflib.term").addFilter(_ILL_TYPED)


def read(data: bytes, name: str, context: Context, fmt: str = "ttl") -> Vocabulary:
    _ILL_TYPED.local.count = 0
    graph = parse(data, name, fmt)
    ill_typed = _ILL_TYPED.local.count
    if fmt == "jsonld" and not len(graph) and b'"@context"' not in data:
        raise problem(name, 'no concept to import: the JSON names no "@context", so it holds no RDF triples (JSON-LD '
                            "needs one; JSKOS, for one, is JSON-LD only with JSKOS's context)", field="@context")
    drafted = _from_draft_namespace(graph) if any(SKOS_DRAFT.encode(e) in data for e in DRAFT_ENCODINGS) else 0
    vocabulary = Reader(graph, name, context).vocabulary()
    if drafted:
        vocabulary.warnings.append(f"{drafted} triple(s) use the SKOS namespace of a 2008 draft ({SKOS_DRAFT}): "
                                   f"read as SKOS ({SKOS})")
    if ill_typed:
        vocabulary.warnings.append(f"{ill_typed} literal(s) whose text is not a value of its datatype (such as "
                                   "\"1986-21-00\"^^xsd:date): read as written")
    return vocabulary


SKOS_DRAFT = "http://www.w3.org/2008/05/skos#"  # a working draft's namespace, still in Lexvo's data
DRAFT_ENCODINGS = ("ascii", "utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be")  # looked for before parsing


def _from_draft_namespace(graph: Graph) -> int:
    """Rewrite the SKOS draft namespace's terms (as predicates and as classes) into SKOS's own; how many triples."""
    def moved(term):
        return URIRef(str(SKOS) + str(term)[len(SKOS_DRAFT):]) \
            if isinstance(term, URIRef) and str(term).startswith(SKOS_DRAFT) else term
    drafted = [(s, p, o) for s, p, o in graph.triples((None, None, None))
               if moved(p) is not p or (p == RDF.type and moved(o) is not o)]
    for s, p, o in drafted:
        graph.remove((s, p, o))
        graph.add((s, moved(p), moved(o) if p == RDF.type else o))
    return len(drafted)


def parse(data: bytes, name: str, fmt: str) -> Graph:
    if fmt == "rdf":  # XML may come in UTF-16 or GB18030: checked and parsed as UTF-8 (rdflib decodes bytes so)
        data = xml_as_utf8(data, name)
    else:  # Turtle, N-Triples and JSON-LD are UTF-8 by their specifications: anything else is named
        decode_text(data, name)
    if fmt == "rdf" and re.search(rb"<!(DOCTYPE|ENTITY)", data):
        raise problem(name, "XML with a DTD or entity declarations is refused (they can read local files or "
                            "blow up memory); remove the DOCTYPE", line=_line_of(data, rb"<!(DOCTYPE|ENTITY)"),
                      field="DOCTYPE")
    if fmt == "jsonld":
        _refuse_remote_contexts(data, name)
    # JSON-LD may put its triples in named graphs (a top-level {"@id": …, "@graph": […]}, as ISO/TC 211's
    # Geolexica publishes each concept): a plain Graph keeps only the default graph and would drop them all,
    # so JSON-LD is read into a dataset whose default graph is the union of every graph in the file.
    store = BoundedMemory(LIMITS["triples"])
    graph = Dataset(store=store, default_union=True) if fmt == "jsonld" else Graph(store=store)
    try:
        graph.parse(data=data, format=RDFLIB_FORMATS[fmt])
    except TooManyTriples:
        raise TooLarge(f"more than {LIMITS['triples']:,} triples; an import reads at most {LIMITS['triples']:,} "
                       "per file (split it)", path=name, field="triples") from None
    except RecursionError:
        raise problem(name, "nested too deeply", field="depth") from None
    except Exception as exc:  # rdflib raises many kinds (BadSyntax, SAX errors, JSON errors ...)
        if fmt == "nt":
            every = _bad_lines(data, name)
            if every:
                raise every[0] if len(every) == 1 else _Several(every) from None
        message = str(getattr(exc, "_why", "") or exc).strip().splitlines()[0][:300] or type(exc).__name__
        line = re.search(r"line (\d+)", str(exc)) or re.search(r":(\d+):\d+:", str(exc))
        number = (_stopped_at(exc) or (int(line.group(1)) if line else getattr(exc, "lineno", None))
                  or _line_of_caret(data, str(exc)))
        raise problem(name, f"not valid {fmt.upper()}: {message}", line=number, field="syntax") from None
    return graph


def _stopped_at(exc: Exception) -> int | None:
    """The line a Turtle or N3 parse stopped at, counted in the text it read: rdflib's own count (``lines``,
    in its message) gains a line at each language-tagged literal that ends a line before a comma."""
    text, offset = getattr(exc, "_str", None), getattr(exc, "_i", None)  # BadSyntax: the text (UTF-8), an index
    if not isinstance(text, bytes) or not isinstance(offset, int) or offset < 0:  # -1: not known
        return None
    return text.decode("utf-8", "replace").count("\n", 0, offset) + 1


def _line_of_caret(data: bytes, message: str) -> int | None:
    """The line of an rdflib message that shows where it stopped but gives no line (``Quote expected in string
    at ^ in prefLabel "^abstract test s``, a Turtle file cut inside a string): the text around ``^`` found in
    the file."""
    shown = re.search(r"at \^ in:?\s*(.*)$", message, re.DOTALL)
    if not shown or shown.group(1).count("^") != 1:
        return None
    before, after = shown.group(1).strip().strip('"').split("^")
    text = data.decode("utf-8", errors="replace")
    at = text.find(before + after)
    if at < 0 or not (before + after).strip():
        return None
    return text.count("\n", 0, at + len(before)) + 1


class TooManyTriples(Exception):
    pass


class BoundedMemory(Memory):
    """rdflib's memory store that stops a parse at ``limit`` triples (bounds an import's time and memory)."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit, self.added = limit, 0

    def add(self, triple, context, quoted=False):
        self.added += 1
        if self.added > self.limit:
            raise TooManyTriples
        return super().add(triple, context, quoted)


def _bad_lines(data: bytes, name: str) -> list[VocabularyError]:
    """Every N-Triples line that does not parse, each named by its number (each line stands alone)."""
    bad = []
    for number, line in enumerate(data.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith(b"#"):
            continue
        try:
            Graph().parse(data=line + b"\n", format="nt")
        except Exception as exc:
            message = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else type(exc).__name__
            bad.append(problem(name, f"not valid N-Triples: {message}", line=number, field="syntax"))
            if len(bad) >= 1000:
                break
    return bad


class _Several(VocabularyError):
    """Several syntax errors of one file (N-Triples), reported together."""

    def __init__(self, problems: list[VocabularyError]) -> None:
        super().__init__(problems[0].detail, path=problems[0].path, line=problems[0].line, field="syntax")
        self.problems = problems


def _line_of(data: bytes, pattern: bytes) -> int | None:
    match = re.search(pattern, data)
    return data[: match.start()].count(b"\n") + 1 if match else None


def _refuse_remote_contexts(data: bytes, name: str) -> None:
    """JSON-LD may name a remote @context; we never fetch one (no network from an import)."""
    try:
        document = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise problem(name, f"not valid JSON: {exc}", line=getattr(exc, "lineno", None), field="syntax") from None
    stack = [document]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            for key, value in item.items():
                if key in ("@context", "@import") and _names_remote(value):
                    raise problem(name, "a remote JSON-LD @context is not fetched; put the context in the file",
                                  field="@context")
                stack.append(value)
        elif isinstance(item, list):
            stack.extend(item)


def _names_remote(value) -> bool:
    if isinstance(value, str):
        return True
    if isinstance(value, list):
        return any(isinstance(v, str) for v in value)
    return isinstance(value, dict) and isinstance(value.get("@import"), str)


class Reader:
    """Builds a ``Vocabulary`` from a parsed graph: schemes, concepts, standards, ids from URIs."""

    def __init__(self, graph: Graph, name: str, context: Context) -> None:
        self.g = graph
        self.name = name
        self.context = context
        self.warnings: list[str] = []
        self.own_concepts = f"{context.base}/concepts/"
        self.own_standards = f"{context.base}/standards/"
        self.own_schemes = f"{context.base}/schemes/"
        self.scheme_ids: dict[URIRef, str] = {}
        self.ids: dict[URIRef, str] = {}
        self.in_file: set = set()
        self.not_kept: dict[str, int] = {}
        self.mojibake: list[str] = []
        self.no_preferred = 0
        self.reached_from: dict = {}  # an untyped neighbour read as a concept → the concept it was reached from

    # ids ------------------------------------------------------------------------------------------
    def _own_id(self, uri: str, prefix: str) -> str | None:
        if uri.startswith(prefix) and is_id(uri[len(prefix):]):
            return uri[len(prefix):]
        return None

    def id_of(self, node) -> str:
        """The registry id a concept URI stands for (in this file, in the registry, or made from the URI)."""
        if node in self.ids:
            return self.ids[node]
        uri = str(node)
        return (self._own_id(uri, self.own_concepts) or self._own_id(uri, self.own_standards)
                or self.context.ids_by_uri.get(uri) or id_from_uri(uri))

    def _assign_ids(self, nodes: list) -> None:
        taken: dict[str, URIRef] = {}
        for node in nodes:
            uri = str(node)
            given = self._own_id(uri, self.own_concepts) or self._own_id(uri, self.own_standards) \
                or self.context.ids_by_uri.get(uri)
            candidate = given or id_from_uri(uri)
            if candidate in taken or (not given and candidate in self.context.known_ids):
                candidate = hashed_id(uri)
            taken[candidate] = node
            self.ids[node] = candidate

    # the whole file ---------------------------------------------------------------------------------
    def vocabulary(self) -> Vocabulary:
        g = self.g
        concept_types = {SKOS.Concept} | {c for c in g.transitive_subjects(RDFS.subClassOf, SKOS.Concept)
                                          if isinstance(c, URIRef)}
        standards = sorted({s for s in g.subjects(RDF.type, SY.Standard) if isinstance(s, URIRef)})
        concept_nodes = {n for t in concept_types for n in g.subjects(RDF.type, t)} \
            | set(g.subjects(SKOS.inScheme, None)) | set(g.subjects(SKOS.topConceptOf, None))
        if not concept_nodes:  # a loose file that types nothing: whatever has a preferred label, said so
            concept_nodes = set(g.subjects(SKOS.prefLabel, None)) | set(g.subjects(SKOSXL.prefLabel, None))
            if concept_nodes:
                self.warnings.append("no resource is typed skos:Concept: every resource with a skos:prefLabel "
                                     "is read as a concept")
        else:
            concept_nodes |= self._described_neighbours(concept_nodes)
        concept_nodes -= set(g.subjects(RDF.type, SKOS.ConceptScheme))
        collections = set(g.subjects(RDF.type, SKOS.Collection)) | set(g.subjects(RDF.type, SKOS.OrderedCollection))
        concept_nodes -= collections
        if collections:  # groups of concepts (UNESCO's micro-thesauri, iQvoc's groups): the registry has none
            members = sum(1 for c in collections for _ in g.objects(c, SKOS.member))
            self.skip(f"skos:Collection (groups of concepts, with their labels and {members} × skos:member links)",
                      len(collections))
        concept_nodes -= set(g.subjects(RDF.type, SKOSXL.Label))  # SKOS-XL label resources are labels, not concepts
        concept_nodes -= set(standards)
        concepts = sorted(n for n in concept_nodes if isinstance(n, URIRef))
        declared = {s for s in g.subjects(RDF.type, SKOS.ConceptScheme) if isinstance(s, URIRef)}
        if not concepts and not standards and not declared:
            raise problem(self.name, "no concept to import: no resource is typed skos:Concept, names a scheme or "
                                     "has a skos:prefLabel" if len(g) else "no concept to import: the file holds no "
                                     "RDF triples", field="concepts")
        named = {o for c in concepts for p in (SKOS.inScheme, SKOS.topConceptOf) for o in g.objects(c, p)
                 if isinstance(o, URIRef)}  # a scheme a concept names but the file does not describe (an excerpt)
        schemes = sorted(s for s in declared | named if str(s) != self.context.scheme_uri(STANDARDS))
        self._assign_ids([*concepts, *standards])
        self.in_file = set(concepts) | set(standards)
        vocabulary = Vocabulary(name=self.name)
        for node in schemes:
            vocabulary.schemes.append(self._scheme(node, len(schemes)) if node in declared
                                      else self._named_scheme(node, len(schemes)))
        fallback = self.context.scheme or slug(self.name.rsplit("/", 1)[-1].rsplit(".", 1)[0]) or "imported"
        no_chinese = 0
        for node in concepts:
            try:
                concept = self._concept(node, fallback)
            except VocabularyError as exc:
                vocabulary.problems.append(exc)
                continue
            no_chinese += not any(t.type == "preferred" and is_simplified(t.lang) for t in concept.terms)
            vocabulary.concepts.append(concept)
            vocabulary.where[concept.id] = (None, str(node))
        if any(c.scheme == fallback for c in vocabulary.concepts) and fallback not in {s.id for s in vocabulary.schemes}:
            vocabulary.schemes.append(Scheme(id=fallback, title=fallback))
        for node in standards:
            try:
                standard = self._standard(node)
            except VocabularyError as exc:
                vocabulary.problems.append(exc)
                continue
            vocabulary.standards.append(standard)
            vocabulary.where[standard.id] = (None, str(node))
        if no_chinese:
            self.warnings.append(f"{no_chinese} concept(s) have no Simplified Chinese preferred label: they are named "
                                 "by their preferred label in another language (kept with its own tag)")
        if self.no_preferred:
            self.warnings.append(f"{self.no_preferred} concept(s) have no skos:prefLabel: they are named by their "
                                 "first label (kept with its own type and tag)")
        self._count_not_kept(concepts)
        vocabulary.warnings = self.warnings + [f"not kept: {n} × {kind}" for kind, n in sorted(self.not_kept.items())]
        if self.mojibake:
            vocabulary.warnings.append(f"{len(self.mojibake)} Chinese label(s) look mis-decoded (mojibake): "
                                       f"{', '.join(self.mojibake[:5])}")
        return vocabulary

    def _described_neighbours(self, concepts: set) -> set:
        """Resources the file labels but does not type, linked to a concept by skos:broader, skos:narrower or
        skos:related: concepts, since SKOS gives those links a concept at each end (a DDC record describes its
        broader and narrower classes so), and so on from them."""
        g = self.g
        labelled = set(g.subjects(SKOS.prefLabel, None)) | set(g.subjects(SKOSXL.prefLabel, None))
        not_concepts = set(g.subjects(RDF.type, None)) - concepts  # typed as something else: a scheme, a label …
        found: set = set()
        frontier = sorted(concepts)
        links = (SKOS.broader, SKOS.narrower, SKOS.related)
        while frontier:
            reached = [(o, n) for n in frontier for p in links for o in sorted(g.objects(n, p), key=str)]
            reached += [(s, n) for n in frontier for p in links for s in sorted(g.subjects(p, n), key=str)]
            frontier = []
            for neighbour, origin in reached:
                if isinstance(neighbour, URIRef) and neighbour in labelled and neighbour not in not_concepts \
                        and neighbour not in concepts and neighbour not in found:
                    found.add(neighbour)
                    frontier.append(neighbour)
                    self.reached_from[neighbour] = origin
        if found:
            self.warnings.append(f"{len(found)} resource(s) not typed skos:Concept but labelled and linked to a concept "
                                 "by skos:broader, skos:narrower or skos:related: read as concepts (SKOS gives those "
                                 "links a concept at each end)")
        return found

    def _count_not_kept(self, concepts: list) -> None:
        for node in concepts:
            for predicate in set(self.g.predicates(node, None)):
                if predicate not in READ and not str(predicate).startswith(str(SY)):
                    self.skip(f"<{self.g.namespace_manager.normalizeUri(str(predicate))}> on concepts")

    def skip(self, kind: str, n: int = 1) -> None:
        self.not_kept[kind] = self.not_kept.get(kind, 0) + n

    # pieces -----------------------------------------------------------------------------------------
    def _texts(self, node, predicate) -> list[tuple[str | None, str]]:
        """(language, text) of every literal value, XL labels included, in a stable order."""
        values = list(self.g.objects(node, predicate))
        values += [v for r in values if not isinstance(r, Literal) for v in self.g.objects(r, RDF.value)]
        xl = {SKOS.prefLabel: SKOSXL.prefLabel, SKOS.altLabel: SKOSXL.altLabel, SKOS.hiddenLabel: SKOSXL.hiddenLabel}
        if predicate in xl:
            for label in self.g.objects(node, xl[predicate]):
                values.extend(self.g.objects(label, SKOSXL.literalForm))
        return sorted({(v.language, str(v)) for v in values if isinstance(v, Literal)}, key=lambda p: (p[0] or "", p[1]))

    def _plain(self, node, predicate) -> list[str]:
        return sorted({str(v) for v in self.g.objects(node, predicate) if isinstance(v, Literal)})

    def _tag(self, lang: str | None, text: str) -> str:
        """The tag a literal is kept with: its own; untagged Chinese text as zh-Hans or zh-Hant by its characters,
        other untagged text 'und'."""
        return language(lang) if lang else untagged(text)

    def _scheme_id(self, node, count: int) -> str:
        if node not in self.scheme_ids:
            uri = str(node)
            forced = self.context.scheme if count == 1 else None
            own = self._own_id(uri, self.own_schemes)
            self.scheme_ids[node] = forced or own or slug(re.sub(r"^[a-z]+://", "", uri).replace("/", "-")) \
                or id_from_uri(uri)
        return self.scheme_ids[node]

    def _named_scheme(self, node, count: int) -> Scheme:
        """A scheme the file's concepts name (skos:inScheme) without describing it: titled by its URI."""
        scheme_id = self._scheme_id(node, count)
        return Scheme(id=scheme_id, title=str(node)[:300], uri=str(node))

    def _scheme(self, node, count: int) -> Scheme:
        scheme_id = self._scheme_id(node, count)
        titles = self._texts(node, SKOS.prefLabel) + [(lang, t) for lang, t in self._texts(node, DCT.title)] \
            + self._texts(node, RDFS.label)
        zh = [t for lang, t in titles if lang and is_simplified(lang)]
        en = [t for lang, t in titles if lang and is_english(lang)]
        title = (zh or en or [t for _, t in titles] or [scheme_id])[0]
        descriptions = [t for _, t in self._texts(node, DCT.description)]
        status: OneOf["draft", "published"] = "draft" if "draft" in self._plain(node, SY.status) else "published"
        uri = str(node)
        own = self._own_id(uri, self.own_schemes)
        exact = [str(o) for o in self.g.objects(node, SKOS.exactMatch)]
        return Scheme(id=scheme_id, title=title[:300], title_en=(en[0] if en and en[0] != title else ""),
                      description=descriptions[0] if descriptions else "", status=status,
                      sources=self._sources(node), uri=(sorted(exact)[0] if own and exact else ("" if own else uri)),
                      top_concepts=self._refs(self.g.objects(node, SY.topConcept)))

    def _sources(self, node) -> tuple[Source, ...]:
        sources = []
        for value in self.g.objects(node, DCT.source):
            if isinstance(value, Literal):
                sources.append(Source(document=str(value)[:300]))
            elif isinstance(value, URIRef) and not self._plain(value, DCT.title):
                sources.append(Source(document=str(value)[:300], url=str(value)))
            else:
                titles = self._plain(value, DCT.title) or self._plain(value, RDFS.label) or ["(source)"]
                locator = self._plain(value, SY.locator)
                url = self._plain(value, SY.url)
                issuer, date = self._plain(value, DCT.publisher), self._plain(value, DCT.date)
                number, role = self._plain(value, DCT.identifier), self._plain(value, SY.role)
                sources.append(Source(document=titles[0], locator=locator[0] if locator else "", url=url[0] if url else "",
                                      issuer=issuer[0] if issuer else "", date=date[0] if date else "",
                                      number=number[0] if number else "",
                                      role=role[0] if role and role[0] in SOURCE_ROLES else "record"))  # type: ignore[arg-type]
        return tuple(sorted(sources, key=lambda s: (s.document, s.locator, s.url, s.issuer, s.date, s.number, s.role)))

    def _concept_scheme(self, node, fallback: str) -> str:
        """The concept's scheme: --scheme, its skos:inScheme, the file's only scheme, else one made for the file."""
        if self.context.scheme:
            return self.context.scheme
        for predicate in (SKOS.inScheme, SKOS.topConceptOf):
            for scheme in sorted(o for o in self.g.objects(node, predicate) if isinstance(o, URIRef)):
                if scheme in self.scheme_ids:
                    return self.scheme_ids[scheme]
        if node in self.reached_from:  # an untyped neighbour: in the scheme of the concept that reached it
            return self._concept_scheme(self.reached_from[node], fallback)
        if len(self.scheme_ids) == 1:
            return next(iter(self.scheme_ids.values()))
        return fallback

    def _terms(self, node) -> list[Term]:
        terms: list[Term] = []
        marks = {(lang, t): kind for kind, predicate in TERM_MARKS.items() for lang, t in self._texts(node, predicate)}
        for kind, predicate in (("preferred", SKOS.prefLabel), ("admitted", SKOS.altLabel), ("hidden", SKOS.hiddenLabel)):
            for lang, text in self._texts(node, predicate):
                tag = self._tag(lang, text)
                if looks_mojibake(text, tag):
                    self.mojibake.append(mojibake_shown(text))
                term_type = marks.get((lang, text), kind) if kind == "admitted" else kind
                terms.append(Term(text=text.strip()[:300], lang=tag, type=term_type))  # type: ignore[arg-type]
        if not terms:
            raise problem(self.name, "the concept has no label", subject=str(node), field="prefLabel")
        if not any(t.type == "preferred" for t in terms):
            # SKOS makes prefLabel optional, and the registry keeps an imported concept with no preferred term
            # (a termbase entry whose terms are all deprecated, as our own SKOS export writes it): its first
            # label names it, as the TBX reader does
            self.no_preferred += 1
        seen: set[str] = set()
        kept = []
        for term in sorted(terms, key=lambda t: (TYPE_ORDER[t.type], lang_key(t.lang), t.text)):
            if term.type == "preferred":  # a second prefLabel with the same tag: the first stays preferred
                if term.lang in seen:
                    self.skip("second skos:prefLabel in one language (kept as altLabel)")
                    term = Term(text=term.text, lang=term.lang, type="admitted")
                seen.add(term.lang)
            kept.append(term)
        kept.sort(key=lambda t: (t.type != "preferred" or not is_simplified(t.lang), lang_key(t.lang), TYPE_ORDER[t.type], t.text))
        return list(dedupe_terms(kept))

    def _definitions(self, node) -> tuple[str, str, tuple[Definition, ...]]:
        zh, en, others = "", "", []
        for lang, text in self._texts(node, SKOS.definition):
            tag = self._tag(lang, text)
            if tag == ZH_HANS and not zh:  # the registry's own two fields; every other tag kept as written
                zh = text
            elif tag == EN and not en:
                en = text
            else:
                others.append(Definition(text=text[:4000], lang=tag))
        return zh, en, tuple(others)

    def _refs(self, values) -> tuple[str, ...]:
        return tuple(sorted({self.id_of(v) for v in values if isinstance(v, URIRef)}))

    def _links(self, values, kind: str, node=None) -> tuple[str, ...]:
        """Links to concepts in the file or the registry; one to anything else (an excerpt's edge) is not kept,
        nor one of the concept ``node`` to itself (it says nothing; the UNESCO Thesaurus has one)."""
        kept = []
        for value in values:
            if not isinstance(value, URIRef):
                continue
            if value == node:
                self.skip(f"{kind} of a concept to itself")
                continue
            uri = str(value)
            if value in self.in_file or uri in self.context.ids_by_uri or self._own_id(uri, self.own_concepts) \
                    or self._own_id(uri, self.own_standards):
                kept.append(value)
            else:
                self.skip(f"{kind} link to a concept neither in the files nor in the registry")
        return self._refs(kept)

    def _concept(self, node, fallback: str) -> ConceptVersion:
        g = self.g
        terms = self._terms(node)
        definition, definition_en, definitions = self._definitions(node)
        notes: list[str] = []
        examples: list[str] = []
        for target, predicates in ((notes, (SKOS.scopeNote, SKOS.note, RDFS.comment)), (examples, (SKOS.example,))):
            for predicate in predicates:
                for lang, text in self._texts(node, predicate):
                    target.append(text)
                    if lang and self._tag(lang, text) not in (ZH_HANS, EN):
                        self.skip("language tag of a note or example (notes are kept as text)")
        broader = [*g.objects(node, SKOS.broader), *g.subjects(SKOS.narrower, node)]
        deprecated = any(bool(v.toPython()) is True for v in g.objects(node, OWL.deprecated) if isinstance(v, Literal))
        grades = [v for v in self._plain(node, SY.grade) if v in ("core", "important", "general")]
        uri = str(node)
        own = self._own_id(uri, self.own_concepts)
        exact = sorted(str(o) for o in g.objects(node, SKOS.exactMatch))
        if not own and exact:
            self.skip("skos:exactMatch of a concept from outside (its own URI is kept)", len(exact))
        return ConceptVersion(
            id=self.ids[node], scheme=self._concept_scheme(node, fallback), terms=tuple(terms),
            definition=definition, definition_en=definition_en, definitions=definitions,
            notes=tuple(dict.fromkeys(notes)), examples=tuple(dict.fromkeys(examples)),
            notation=(self._plain(node, SKOS.notation) or [""])[0],
            broader=self._links(broader, "skos:broader", node),
            related=self._links(g.objects(node, SKOS.related), "skos:related", node),
            grade=grades[0] if grades else None, sources=self._sources(node),  # type: ignore[arg-type]
            grade_factors=self._refs(g.objects(node, SY.gradeFactor)),
            kind=next(iter(self._refs(g.objects(node, SY.conceptKind))), ""),
            status="deprecated" if deprecated else "published",
            replaced_by=self._links(g.objects(node, DCT.isReplacedBy), "dct:isReplacedBy"),
            uri=(exact[0] if own and len(exact) == 1 else ("" if own else uri)),
        )

    def _standard(self, node) -> StandardVersion:
        titles = self._texts(node, SKOS.prefLabel)
        zh = [t for lang, t in titles if lang and is_simplified(lang)]
        en = [t for lang, t in titles if lang and is_english(lang)]
        if not (zh or en):
            raise problem(self.name, "the standard has no skos:prefLabel", subject=str(node), field="prefLabel")
        fields = {}
        for field, predicate in STANDARD_FIELDS.items():
            values = self._plain(node, predicate)
            if values:
                fields[field] = values[0]
        code = self._plain(node, DCT.identifier)
        uri = str(node)
        own = self._own_id(uri, self.own_standards)
        exact = sorted(str(o) for o in self.g.objects(node, SKOS.exactMatch))
        return StandardVersion(
            id=self.ids[node], code=code[0] if code else "", title=(zh or en)[0],
            title_en=en[0] if zh and en else "", bodies=tuple(self._plain(node, DCT.publisher)),
            replaces=tuple(self._plain(node, DCT.replaces)), concepts=self._refs(self.g.objects(node, DCT.subject)),
            notes=tuple(self._plain(node, SKOS.note)), sources=self._sources(node),
            uri=(exact[0] if own and len(exact) == 1 else ("" if own else uri)), **fields,  # type: ignore[arg-type]
        )  # the fields are the plain text ones; msgspec checks their values when the version is validated
