"""Vocabularies nobody here wrote (tests/data/, sources and licences in its README) import cleanly and
are found by search; a second import of the same file changes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from registry.sqlite import SQLiteStore
from search.service import SearchService
from vocab.exchange import import_files

DATA = Path(__file__).parent.parent / "data"
BASE = "https://shuyu.test"


@pytest.fixture(scope="module")
def registry(tmp_path_factory):
    folder = tmp_path_factory.mktemp("real")
    store = SQLiteStore(folder / "r.db")
    files = [(str(path), path.read_bytes()) for path in sorted(DATA.glob("*.t*")) if path.suffix in (".ttl", ".tbx")]
    report = import_files(store, files, actor="importer", base_uri=BASE)
    service = SearchService(store, folder / "index")
    service.catch_up()
    yield store, service, report
    service.index.close()
    store.close()


def by_uri(store, uri: str):
    return next(c for c in store.current("concept") if c.uri == uri)


def test_yso_skos_keeps_uris_labels_and_the_hierarchy(registry):
    store, service, _ = registry
    root = by_uri(store, "http://www.yso.fi/onto/yso/p4740")
    corded = by_uri(store, "http://www.yso.fi/onto/yso/p13489")
    assert corded.broader == (root.id,) and root.english == "Stone Age cultures"
    assert corded.scheme == "yso-archaeology-stone-age"
    # labels in Finnish and Swedish are not held; the English one stands in as the preferred term
    assert corded.preferred == "Corded Ware culture"
    children = [c for c in store.current("concept") if root.id in c.broader]
    assert len(children) == 9  # stated as narrower on the parent and as broader on each child
    hits = service.search("corded ware").hits
    assert hits and hits[0].id == corded.id


def test_skos_xl_labels_and_a_definition_resource_are_read(registry):
    store, service, _ = registry
    concept = by_uri(store, "http://www.skosmos.skos/xl/c1")
    assert {(t.text, t.lang, t.type) for t in concept.terms} >= {
        ("Concept", "en", "preferred"), ("Conceptual entity", "en", "admitted")}
    assert concept.definition_en == "Unit of thought"
    assert service.search("conceptual entity").hits[0].id == concept.id


def test_the_tbx_basic_example_imports_with_statuses_definitions_and_sources(registry):
    store, service, report = registry
    concepts = {c.id: c for c in store.current("concept") if c.scheme == "tbx-basic-astronomy"}
    assert set(concepts) == {"tbx-basic-astronomy-c1", "tbx-basic-astronomy-c2", "tbx-basic-astronomy-c3"}
    open_cluster = concepts["tbx-basic-astronomy-c1"]
    assert ("galactic cluster", "en", "deprecated") in {(t.text, t.lang, t.type) for t in open_cluster.terms}
    assert open_cluster.definition_en == "A group of stars formed together in the spiral arms of a galaxy."
    assert any("es" in w for w in report.warnings)  # Spanish terms skipped, and said so
    hits = service.search("accretion disc").hits
    assert hits and hits[0].id == "tbx-basic-astronomy-c2"
    assert service.search("galactic cluster").hits[0].id == "tbx-basic-astronomy-c1"


def test_a_second_import_of_the_same_files_changes_nothing(registry):
    store, _, first = registry
    files = [(str(path), path.read_bytes()) for path in sorted(DATA.glob("*.t*")) if path.suffix in (".ttl", ".tbx")]
    revision = store.revision()
    again = import_files(store, files, actor="importer", base_uri=BASE)
    assert again.created == again.revised == [] and len(again.unchanged) == len(first.created)
    assert store.revision() == revision
