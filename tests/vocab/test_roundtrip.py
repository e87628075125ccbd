"""Round trips: every bundled scheme exported in every format, imported into an empty registry and
exported again gives the same file (byte for byte for TOML, CSV and TBX; an isomorphic graph for RDF),
and both registries answer searches alike. Expectations come from exporting, never from fixed content."""

from __future__ import annotations

import pytest
from rdflib import Graph
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS

from registry.sqlite import SQLiteStore
from search.service import SearchService
from vocab.exchange import export, import_files
from vocab.formats import STANDARDS
from vocab.loader import load_bundled_if_empty

BASE = "https://shuyu.test"
RDF = {"ttl": "turtle", "rdf": "xml", "jsonld": "json-ld", "nt": "nt"}
FORMATS = ["toml", "csv", "tbx", "ttl", "rdf", "jsonld", "nt"]


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    folder = tmp_path_factory.mktemp("source")
    store = SQLiteStore(folder / "a.db")
    load_bundled_if_empty(store)
    service = SearchService(store, folder / "index")
    service.catch_up()
    yield store, service
    service.index.close()
    store.close()


def scheme_ids(store, fmt: str) -> list[str]:
    ids = [s.id for s in store.schemes()]
    return ids if fmt == "tbx" else [*ids, STANDARDS]  # TBX carries concepts, not the standards catalogue


def exported(store, scheme: str, fmt: str) -> bytes:
    _, parts = export(store, scheme, fmt, base_uri=BASE)
    return b"".join(parts)


def graph(data: bytes, fmt: str) -> Graph:
    g = Graph().parse(data=data, format=RDF[fmt])
    g.remove((None, DCTERMS.modified, None))  # the time each version was written, different by design
    return g


def queries(store) -> list[str]:
    """Labels of every 20th concept as people type them: preferred, Traditional, English, a part."""
    from registry.text import converter

    picked = store.current("concept")[::20]
    texts = []
    for c in picked:
        texts += [c.preferred, converter("s2twp").convert(c.preferred), c.preferred[:2]]
        if c.english:
            texts.append(c.english)
    return texts


@pytest.mark.parametrize("fmt", FORMATS)
def test_export_import_export_is_the_same_and_searches_alike(fmt, source, tmp_path):
    store, service = source
    files = [(f"{scheme}.{fmt}", exported(store, scheme, fmt)) for scheme in scheme_ids(store, fmt)]
    # TBX holds no standards: the catalogue comes along as TOML, so that both registries hold the same
    catalogue = [("standards.toml", exported(store, STANDARDS, "toml"))] if fmt == "tbx" else []
    target = SQLiteStore(tmp_path / "b.db")
    try:
        report = import_files(target, files + catalogue, actor="round-trip", base_uri=BASE)
        assert len(report.created) == len(store.current("concept"))
        for (name, first), scheme in zip(files, scheme_ids(store, fmt)):
            again = exported(target, scheme, fmt)
            if fmt in RDF:
                assert isomorphic(graph(first, fmt), graph(again, fmt)), name
            else:
                assert again == first, name
        # and field by field: what a format carries comes back (a column or element forgotten on both
        # the way out and the way in would leave the files equal and the content poorer)
        # terms and definitions compare with their language tags (Term.lang, Definition.lang)
        fields = ("scheme", "terms", "definition", "definition_en", "definitions", "broader", "related", "notation",
                  "grade", "grade_factors", "status", "replaced_by", "notes", "examples", "sources")
        def content(c):  # RDF holds sets of statements: the order of repeated values is not kept
            values = {f: getattr(c, f) for f in fields}
            if fmt in RDF:
                values = {f: tuple(sorted(v, key=repr)) if isinstance(v, tuple) else v for f, v in values.items()}
            return values

        for c in store.current("concept"):
            assert content(target.get("concept", c.id)) == content(c), c.id
        copy = SearchService(target, tmp_path / "index")
        copy.catch_up()
        for text in queries(store):
            expected = [(h.id, h.match) for h in service.search(text, limit=10).hits]
            assert [(h.id, h.match) for h in copy.search(text, limit=10).hits] == expected, text
        copy.index.close()
        # and importing the same files again changes nothing
        again = import_files(target, files + catalogue, actor="round-trip", base_uri=BASE)
        assert again.created == again.revised == [] and len(again.unchanged) == len(report.created)
    finally:
        target.close()
