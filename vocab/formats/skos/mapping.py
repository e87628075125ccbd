"""The SKOS mapping the reader and the writer share: namespaces, the predicates read, term marks."""

from __future__ import annotations


from rdflib import Namespace, URIRef
from rdflib.namespace import DCTERMS as DCT
from rdflib.namespace import OWL, RDF, RDFS, SKOS



SKOSXL = Namespace("http://www.w3.org/2008/05/skos-xl#")
SY = Namespace("urn:x-shuyu:")
RDFLIB_FORMATS = {"ttl": "turtle", "rdf": "xml", "jsonld": "json-ld", "nt": "nt"}
# what the reader reads on a concept; any other predicate is counted in a "not kept" warning
READ = {RDF.type, SKOS.prefLabel, SKOS.altLabel, SKOS.hiddenLabel, SKOS.definition, SKOS.note, SKOS.scopeNote, RDFS.comment,
        SKOS.example, SKOS.notation, SKOS.broader, SKOS.narrower, SKOS.related, SKOS.inScheme, SKOS.topConceptOf,
        SKOS.exactMatch, OWL.deprecated, DCT.isReplacedBy, DCT.source, DCT.modified,
        URIRef("http://www.w3.org/2008/05/skos-xl#prefLabel"), URIRef("http://www.w3.org/2008/05/skos-xl#altLabel"),
        URIRef("http://www.w3.org/2008/05/skos-xl#hiddenLabel")}
LABELS = {"preferred": SKOS.prefLabel, "hidden": SKOS.hiddenLabel}
TERM_MARKS = {"abbreviation": SY.abbreviation, "deprecated": SY.deprecatedLabel, "superseded": SY.supersededLabel}
STANDARD_FIELDS = {  # StandardVersion field → predicate, for the plain text fields
    "kind": SY.kind, "status": SY.status, "status_date": SY.statusDate, "issued": DCT.issued, "in_force": SY.inForce,
}

