"""SKOS out: a vocabulary as an rdflib graph, serialised in chunks."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS as DCT
from rdflib.namespace import OWL, RDF, SKOS, XSD

from registry.model import (
    ConceptVersion,
    Scheme,
    Source,
    StandardVersion,
)

from .. import (
    STANDARDS,
    Context,
    Vocabulary,
)
from .mapping import LABELS, RDFLIB_FORMATS, STANDARD_FIELDS, SY, TERM_MARKS


def write(vocabulary: Vocabulary, context: Context, fmt: str = "ttl") -> Iterator[bytes]:
    graph = to_graph(vocabulary, context)
    data = graph.serialize(format=RDFLIB_FORMATS[fmt], encoding="utf-8")
    for start in range(0, len(data), 65536):
        yield data[start:start + 65536]


def to_graph(vocabulary: Vocabulary, context: Context) -> Graph:
    g = Graph(bind_namespaces="none")  # only our prefixes: rdflib looks a qname up across every bound one
    for prefix, ns in (("skos", SKOS), ("dct", DCT), ("owl", OWL), ("sy", SY), ("xsd", XSD),
                       ("concept", f"{context.base}/concepts/"), ("scheme", f"{context.base}/schemes/"),
                       ("standard", f"{context.base}/standards/"), ("source", f"{context.base}/sources/")):
        g.bind(prefix, ns)
    for scheme in vocabulary.schemes:
        _scheme(g, scheme, context)
    in_file = {c.id for c in vocabulary.concepts}
    for concept in vocabulary.concepts:
        _concept(g, concept, context, in_file)
    if vocabulary.standards:
        catalogue = URIRef(context.scheme_uri(STANDARDS))
        g.add((catalogue, RDF.type, SKOS.ConceptScheme))
        g.add((catalogue, SKOS.prefLabel, Literal("标准目录", lang="zh-Hans")))
        g.add((catalogue, SKOS.prefLabel, Literal("Standards catalogue", lang="en")))
        for standard in vocabulary.standards:
            _standard(g, standard, context, catalogue)
    return g


def _sources(g: Graph, subject: URIRef, sources: tuple[Source, ...], context: Context) -> None:
    """Each source a node named by its content, shared by every entry citing it (not a blank node:
    graphs without blank nodes compare quickly, and a source has the same name in every export)."""
    for s in sources:
        key = f"{s.document}\x1f{s.locator}\x1f{s.url}" + (f"\x1f{s.issuer}\x1f{s.date}" if s.issuer or s.date else "")
        if s.number or s.role != "record":
            key += f"\x1f{s.number}\x1f{s.role}"
        digest = hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]
        node = URIRef(f"{context.base}/sources/{digest}")
        g.add((subject, DCT.source, node))
        g.add((node, DCT.title, Literal(s.document)))
        if s.issuer:
            g.add((node, DCT.publisher, Literal(s.issuer)))
        if s.date:
            g.add((node, DCT.date, Literal(s.date)))
        if s.locator:
            g.add((node, SY.locator, Literal(s.locator)))
        if s.url:
            g.add((node, SY.url, Literal(s.url, datatype=XSD.anyURI)))
        if s.number:
            g.add((node, DCT.identifier, Literal(s.number)))
        if s.role != "record":
            g.add((node, SY.role, Literal(s.role)))
        if s.issuer:
            g.add((node, DCT.publisher, Literal(s.issuer)))
        if s.date:
            g.add((node, DCT.date, Literal(s.date)))


def _scheme(g: Graph, s: Scheme, context: Context) -> None:
    node = URIRef(context.scheme_uri(s.id))
    g.add((node, RDF.type, SKOS.ConceptScheme))
    # a title without Chinese characters (a scheme imported from outside) is not claimed to be Chinese
    g.add((node, SKOS.prefLabel, Literal(s.title, lang="zh-Hans") if re.search(r"[\u3400-\u9fff]", s.title)
           else Literal(s.title)))
    if s.title_en:
        g.add((node, SKOS.prefLabel, Literal(s.title_en, lang="en")))
    if s.description:
        g.add((node, DCT.description, Literal(s.description, lang="zh-Hans")))
    if s.status != "published":
        g.add((node, SY.status, Literal(s.status)))
    if s.uri:
        g.add((node, SKOS.exactMatch, URIRef(s.uri)))
    for top in s.top_concepts:  # the declared heads of the concept system (skos:topConceptOf marks every root)
        g.add((node, SY.topConcept, URIRef(context.concept_uri(top))))
    _sources(g, node, s.sources, context)


def _concept(g: Graph, c: ConceptVersion, context: Context, in_file: set[str]) -> None:
    node = URIRef(context.concept_uri(c.id))
    scheme = URIRef(context.scheme_uri(c.scheme))
    g.add((node, RDF.type, SKOS.Concept))
    g.add((node, SKOS.inScheme, scheme))
    if not any(b in in_file for b in c.broader):
        g.add((node, SKOS.topConceptOf, scheme))
        g.add((scheme, SKOS.hasTopConcept, node))
    for term in c.terms:
        literal = Literal(term.text, lang=term.lang)
        g.add((node, LABELS.get(term.type, SKOS.altLabel), literal))
        if term.type in TERM_MARKS:
            g.add((node, TERM_MARKS[term.type], literal))
    if c.definition:
        g.add((node, SKOS.definition, Literal(c.definition, lang="zh-Hans")))
    if c.definition_en:
        g.add((node, SKOS.definition, Literal(c.definition_en, lang="en")))
    for d in c.definitions:
        g.add((node, SKOS.definition, Literal(d.text, lang=d.lang)))
    for note in c.notes:
        g.add((node, SKOS.note, Literal(note)))
    for example in c.examples:
        g.add((node, SKOS.example, Literal(example)))
    if c.notation:
        g.add((node, SKOS.notation, Literal(c.notation)))
    if c.grade:
        g.add((node, SY.grade, Literal(c.grade)))
    for factor in c.grade_factors:
        g.add((node, SY.gradeFactor, URIRef(context.concept_uri(factor))))
    if c.kind:
        g.add((node, SY.conceptKind, URIRef(context.concept_uri(c.kind))))
    for b in c.broader:
        g.add((node, SKOS.broader, URIRef(context.concept_uri(b))))
        g.add((URIRef(context.concept_uri(b)), SKOS.narrower, node))
    for r in c.related:
        g.add((node, SKOS.related, URIRef(context.concept_uri(r))))
    if c.status == "deprecated":
        g.add((node, OWL.deprecated, Literal(True)))
    for r in c.replaced_by:
        g.add((node, DCT.isReplacedBy, URIRef(context.concept_uri(r))))
    if c.created:
        g.add((node, DCT.modified, Literal(c.created, datatype=XSD.dateTime)))
    if c.uri:
        g.add((node, SKOS.exactMatch, URIRef(c.uri)))
    _sources(g, node, c.sources, context)


def _standard(g: Graph, s: StandardVersion, context: Context, catalogue: URIRef) -> None:
    node = URIRef(context.standard_uri(s.id))
    g.add((node, RDF.type, SKOS.Concept))
    g.add((node, RDF.type, SY.Standard))
    g.add((node, SKOS.inScheme, catalogue))
    g.add((node, SKOS.topConceptOf, catalogue))
    # a title without Chinese characters (a scheme imported from outside) is not claimed to be Chinese
    g.add((node, SKOS.prefLabel, Literal(s.title, lang="zh-Hans") if re.search(r"[\u3400-\u9fff]", s.title)
           else Literal(s.title)))
    if s.title_en:
        g.add((node, SKOS.prefLabel, Literal(s.title_en, lang="en")))
    if s.code:
        g.add((node, DCT.identifier, Literal(s.code)))
    for field, predicate in STANDARD_FIELDS.items():
        value = getattr(s, field)
        if value:
            g.add((node, predicate, Literal(value)))
    for body in s.bodies:
        g.add((node, DCT.publisher, Literal(body)))
    for replaced in s.replaces:
        g.add((node, DCT.replaces, Literal(replaced)))
    for concept_id in s.concepts:
        g.add((node, DCT.subject, URIRef(context.concept_uri(concept_id))))
    for note in s.notes:
        g.add((node, SKOS.note, Literal(note)))
    if s.created:
        g.add((node, DCT.modified, Literal(s.created, datatype=XSD.dateTime)))
    if s.uri:
        g.add((node, SKOS.exactMatch, URIRef(s.uri)))
    _sources(g, node, s.sources, context)
