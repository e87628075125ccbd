"""SKOS in Turtle, RDF/XML, JSON-LD and N-Triples, through rdflib.

Concepts are ``{base_uri}/concepts/{id}``; an imported concept keeps its original URI (written back as
``skos:exactMatch``), so re-importing a file updates the same concepts. What SKOS has no word for
(term types beyond pref/alt/hidden, the grade, a standard's lifecycle) uses the small ``sy:`` namespace
documented in ``docs/vocabulary.md``.

The reader (``reading``) and the writer (``writing``) share the namespaces and the mapping (``mapping``).
"""

from __future__ import annotations

from .mapping import RDFLIB_FORMATS, SKOSXL, SY
from .reading import parse, read
from .writing import to_graph, write

__all__ = ["read", "write", "parse", "to_graph", "RDFLIB_FORMATS", "SKOSXL", "SY"]
