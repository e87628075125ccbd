"""Vocabularies nobody here wrote (tests/data/, sources and licences in its README) import whole: the concepts
and labels the registry holds are the ones the file holds (counted here independently with lxml and rdflib),
every text keeps its language tag, homonyms are kept, an export imported again gives the same registry, and
a second import of the same files changes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SKOS

from api.views import qualifier
from api.web.clashes import label_clashes
from registry.languages import is_chinese
from registry.sqlite import SQLiteStore
from search.service import SearchService
from vocab.exchange import content_key, export, import_files

DATA = Path(__file__).parent.parent / "data"
BASE = "https://shuyu.test"
SKOSXL = "http://www.w3.org/2008/05/skos-xl#"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def real_files() -> list[tuple[str, bytes]]:
    return [(str(path), path.read_bytes()) for path in sorted(DATA.iterdir()) if path.suffix in (".ttl", ".tbx", ".rdf", ".nt")]


@pytest.fixture(scope="module")
def registry(tmp_path_factory):
    folder = tmp_path_factory.mktemp("real")
    store = SQLiteStore(folder / "r.db")
    report = import_files(store, real_files(), actor="importer", base_uri=BASE)
    service = SearchService(store, folder / "index")
    service.catch_up()
    yield store, service, report
    service.index.close()
    store.close()


def by_uri(store, uri: str):
    return next(c for c in store.current("concept") if c.uri == uri)


def in_scheme(store, scheme: str) -> list:
    return [c for c in store.current("concept") if c.scheme == scheme]


# -- counted independently -----------------------------------------------------------------------

def tbx_counts(path: Path) -> tuple[int, int, set[str]]:
    """(entries, terms, language tags of the terms) as lxml sees them, xml:lang inherited."""
    root = etree.parse(str(path), etree.XMLParser(load_dtd=False, no_network=True, resolve_entities=False)).getroot()
    entries = [e for e in root.iter() if etree.QName(e).localname in ("conceptEntry", "termEntry")]
    terms = [t for e in entries for t in e.iter() if etree.QName(t).localname == "term"]
    tags = {next(a.get(XML_LANG) for a in t.iterancestors() if a.get(XML_LANG)) for t in terms}
    return len(entries), len(terms), tags


def skos_counts(paths: list[Path], fmt: str) -> tuple[set[URIRef], int]:
    """(concept URIs, distinct labels per concept) as rdflib sees them, SKOS-XL literal forms included."""
    g = Graph()
    for path in paths:
        g.parse(path, format=fmt)
    concepts = set(g.subjects(RDF.type, SKOS.Concept))
    labels = 0
    for concept in concepts:
        values = {(o.language, str(o)) for p in (SKOS.prefLabel, SKOS.altLabel, SKOS.hiddenLabel)
                  for o in g.objects(concept, p) if isinstance(o, Literal)}
        for p in ("prefLabel", "altLabel", "hiddenLabel"):
            for label in g.objects(concept, URIRef(SKOSXL + p)):
                values |= {(o.language, str(o)) for o in g.objects(label, URIRef(SKOSXL + "literalForm"))}
        labels += len(values)
    return concepts, labels


@pytest.mark.parametrize("name", ["tbx-basic-astronomy.tbx", "tbx-basic-astronomy-dct.tbx",
                                  "translate-toolkit-martif.tbx", "mozilla-pontoon-zh-CN.tbx", "weblate-cs.tbx"])
def test_a_termbase_imports_whole(registry, name):
    store, _, _ = registry
    entries, terms, tags = tbx_counts(DATA / name)
    concepts = in_scheme(store, name.removesuffix(".tbx").lower())
    assert len(concepts) == entries
    assert sum(len(c.terms) for c in concepts) == terms
    # every language kept with its own tag, as written (zh-CN stays zh-CN)
    assert {t.lang for c in concepts for t in c.terms} == tags


def test_a_translation_tools_zh_cn_termbase_names_each_concept_in_chinese(registry):
    """Pontoon's TBX 2008 export: en-US and zh-CN, no administrativeStatus, definitions and contexts in en-US."""
    store, service, report = registry
    concepts = {c.id.removeprefix("mozilla-pontoon-zh-cn-"): c for c in in_scheme(store, "mozilla-pontoon-zh-cn")}
    root = etree.parse(str(DATA / "mozilla-pontoon-zh-CN.tbx"),
                       etree.XMLParser(load_dtd=False, no_network=True, resolve_entities=False)).getroot()
    for entry in root.iter("termEntry"):
        by_lang = {ls.get(XML_LANG): ls.findtext(".//term") for ls in entry.iter("langSet")}
        concept = concepts[entry.get("id")]
        # each language's only term is that language's preferred term: the concept is named by its zh-CN term
        assert concept.preferred == by_lang["zh-CN"]
        assert ("preferred", "en-US") in {(t.type, t.lang) for t in concept.terms if t.text == by_lang["en-US"]}
        definition = " ".join(entry.findtext(".//descrip[@type='definition']").split())  # white space folded
        assert [(d.text, d.lang) for d in concept.definitions] == [(definition, "en-US")]
        context = entry.findtext("descrip[@type='context']")
        assert concept.examples == ((context,) if context else ())
    warnings = [w for w in report.warnings if "mozilla-pontoon-zh-CN.tbx" in w]
    assert any("not kept: 96 × termNote partOfSpeech" in w for w in warnings)
    # real homonyms of a localisation termbase: 登录 translates "sign in", "sign-in" and another entry
    logins = [c for c in concepts.values() if c.preferred == "登录"]
    assert len(logins) == 3
    qualifiers = {qualifier(service.catalog, c) for c in logins}
    assert len(qualifiers) == 3 and all(qualifiers)  # each told apart by its English name
    assert service.search("首选项").hits[0].id == concepts["c441"].id


def test_the_nomisma_thesaurus_in_rdf_xml_imports_whole_with_every_language(registry):
    store, _, _ = registry
    uris, labels = skos_counts(sorted(DATA.glob("nomisma-*.rdf")), "xml")
    concepts = [by_uri(store, str(u)) for u in uris]
    assert len(concepts) == 5 and sum(len(c.terms) for c in concepts) == labels
    denarius = by_uri(store, "http://nomisma.org/id/denarius")
    tags = {t.lang for t in denarius.terms}
    # 迪纳厄斯 is tagged zh and stays zh (never re-tagged); zh means Simplified, so it names the concept
    assert {"zh", "en", "ar", "ja", "ru", "he"} <= tags and len(tags) >= 40
    assert denarius.preferred == "迪纳厄斯"
    # a concept with no Chinese label is named by its English one, which stays English
    medieval = by_uri(store, "http://nomisma.org/id/medieval_denarius")
    assert not any(is_chinese(t.lang) for t in medieval.terms)
    assert ("Denarius", "en", "preferred") in {(t.text, t.lang, t.type) for t in medieval.terms}


def test_skos_files_import_whole(registry):
    store, _, _ = registry
    for name in ("yso-archaeology-stone-age.ttl", "skosmos-xl.ttl"):
        uris, labels = skos_counts([DATA / name], "turtle")
        concepts = [by_uri(store, str(u)) for u in uris]
        assert sum(len(c.terms) for c in concepts) == labels, name


def test_a_wikidata_excerpt_in_n_triples_imports_whole_with_every_tag(registry):
    """Wikidata's own RDF (Special:EntityData): items typed wikibase:Item, not skos:Concept, labelled with
    skos:prefLabel in some 300 Wikimedia languages: zh, zh-hans, zh-hant, zh-hk, zh-tw, zh-mo, zh-sg, zh-my,
    yue, romanised Hakka and Min Nan, and tags such as ``tokipona`` and ``be-tarask``."""
    store, service, report = registry
    g = Graph()
    g.parse(DATA / "wikidata-opole-excerpt.nt", format="nt")
    items = set(g.subjects(SKOS.prefLabel, None))
    concepts = [by_uri(store, str(u)) for u in items]
    for item, concept in zip(items, concepts, strict=True):
        labels = {(o.language, str(o)) for p in (SKOS.prefLabel, SKOS.altLabel) for o in g.objects(item, p)}
        # every label kept, its tag as written (only its case: zh-hant → zh-Hant, pt-br → pt-BR)
        assert {(t.lang.lower(), t.text) for t in concept.terms} == labels, item
    opole = by_uri(store, "http://www.wikidata.org/entity/Q92212")
    poland = by_uri(store, "http://www.wikidata.org/entity/Q36")
    assert opole.preferred == "奥波莱"  # its Mandarin label, not "O-pô-lòi"@hak
    assert {"zh", "zh-Hans", "zh-Hant", "zh-HK", "zh-TW", "yue", "hak", "nan", "tokipona"} <= {t.lang for t in poland.terms}
    warnings = [w for w in report.warnings if "wikidata-opole-excerpt.nt" in w]
    assert not any("mojibake" in w for w in warnings)
    # Opole and another item are both "Opolí" in Czech: a homonym, reported under that label
    assert any(h.startswith("Opolí (") for h in report.homonyms)
    assert service.search("奧波萊").hits[0].id == opole.id


# -- what each file says, kept -------------------------------------------------------------------

def test_yso_keeps_finnish_and_swedish_labels_and_the_hierarchy(registry):
    store, service, _ = registry
    root = by_uri(store, "http://www.yso.fi/onto/yso/p4740")
    corded = by_uri(store, "http://www.yso.fi/onto/yso/p13489")
    assert corded.broader == (root.id,) and root.english == "Stone Age cultures"
    assert {t.lang for t in corded.terms} == {"fi", "sv", "en"}  # dropped without a word before issue 24
    assert corded.preferred == "Corded Ware culture"
    assert len([c for c in store.current("concept") if root.id in c.broader]) == 9
    assert service.search("corded ware").hits[0].id == corded.id


def test_skos_xl_labels_are_labels_not_concepts(registry):
    store, service, _ = registry
    concept = by_uri(store, "http://www.skosmos.skos/xl/c1")
    assert {(t.text, t.lang, t.type) for t in concept.terms} >= {
        ("Concept", "en", "preferred"), ("Conceptual entity", "en", "admitted")}
    assert concept.definition_en == "Unit of thought"
    assert len(in_scheme(store, concept.scheme)) == 1  # the skosxl:Label resources are not concepts
    assert service.search("conceptual entity").hits[0].id == concept.id


def terms_and_definitions(concept) -> tuple:
    return ({(t.text, t.lang, t.type) for t in concept.terms}, concept.definition_en,
            {(d.text, d.lang) for d in concept.definitions})


def test_tbx_basic_dct_reads_as_its_dca_twin(registry):
    store, service, _ = registry
    dca = {c.id.removeprefix("tbx-basic-astronomy-"): c for c in in_scheme(store, "tbx-basic-astronomy")}
    dct = {c.id.removeprefix("tbx-basic-astronomy-dct-"): c for c in in_scheme(store, "tbx-basic-astronomy-dct")}
    c1 = dct["c1"]
    # before issue 24: every DCT definition dropped and every term "admitted"
    assert ("galactic cluster", "en", "superseded") in terms_and_definitions(c1)[0]
    assert ("open cluster", "en", "preferred") in terms_and_definitions(c1)[0]
    assert c1.definition_en == dca["c1"].definition_en == "A group of stars formed together in the spiral arms of a galaxy."
    # the Spanish term carries no administrativeStatus: the only Spanish term names the concept in Spanish
    assert ("cúmulo abierto", "es", "preferred") in terms_and_definitions(c1)[0]
    assert any(d.lang == "es" and d.text.startswith("Una acumulación") for d in c1.definitions)
    for key in ("c1", "c2", "c3"):  # the twins hold the same terms (the DCA excerpt leaves some es out)
        assert terms_and_definitions(dca[key])[0] <= terms_and_definitions(dct[key])[0]
    # the term-level context, notes and sources are kept (examples, notes, sources)
    assert any(e.startswith("In contrast, the galactic cluster") for e in c1.examples)
    assert any(n.startswith("galactic cluster: Another name") for n in c1.notes)
    assert any(s.document == "Oxford2007" for s in c1.sources)
    assert service.search("disco de acreción").hits[0].id.startswith("tbx-basic-astronomy")


def test_tbx_2008_with_a_doctype_inherits_the_martif_language(registry):
    store, _, report = registry
    concepts = {c.id: c for c in in_scheme(store, "translate-toolkit-martif")}
    data_bus = concepts["translate-toolkit-martif-e001"]
    # the entry-level definition has no xml:lang of its own: it is <martif xml:lang="en">'s, not Chinese
    assert data_bus.definition_en == "Superseded but still found in older manuals." and data_bus.definition == ""
    assert {(t.text, t.lang, t.type) for t in data_bus.terms} == {
        ("data bus", "en", "deprecated"), ("bus de données", "fr", "deprecated")}
    warnings = [w for w in report.warnings if w.startswith(str(DATA / "translate-toolkit-martif.tbx"))]
    assert any("not kept: 2 × descrip Translation needed" in w for w in warnings)  # one warning per kind


def test_homonyms_of_a_real_thesaurus_are_kept(registry):
    store, service, report = registry
    tyre, sur = by_uri(store, "http://nomisma.org/id/tyre"), by_uri(store, "http://nomisma.org/id/sur")
    assert tyre.preferred == sur.preferred == "泰尔" and tyre.scheme == sur.scheme
    assert any(h.startswith("泰尔 (") and "sur" in h and "tyre" in h for h in report.homonyms)
    assert {h.id for h in service.search("泰尔").hits[:2]} == {tyre.id, sur.id}
    # the API and the web show a qualifier beside the shared label: here each one's English name
    assert (qualifier(service.catalog, tyre), qualifier(service.catalog, sur)) == ("Tyre", "Sur")
    aureus = by_uri(store, "http://nomisma.org/id/aureus")
    assert qualifier(service.catalog, aureus) == ""  # no homonym, no qualifier
    # the import's notice and an editor's clash hint name each homonym with its qualifier: 泰尔（Tyre）
    line = next(h for h in report.homonyms if h.startswith("泰尔 ("))
    assert f"{tyre.id} 泰尔（Tyre）" in line and f"{sur.id} 泰尔（Sur）" in line
    clashes = label_clashes(service.catalog, [("泰尔", "preferred")], own_id="new-concept")
    assert {(c.other_id, c.other_label, c.other_qualifier) for c in clashes} == {
        (tyre.id, "泰尔", "Tyre"), (sur.id, "泰尔", "Sur")}


@pytest.mark.parametrize("across", [False, True], ids=["own-format", "other-format"])
def test_an_export_imported_again_gives_the_same_registry(registry, tmp_path, across):
    # across: a termbase written out as SKOS and a thesaurus as TBX (a termbase entry whose terms are all
    # deprecated has no skos:prefLabel, and once made SKOS refuse its own export)
    store, _, _ = registry
    schemes = sorted({c.scheme for c in store.current("concept")})
    fresh = SQLiteStore(tmp_path / "again.db")
    try:
        for scheme in schemes:
            termbase = scheme.startswith(("tbx-", "translate-", "mozilla-", "weblate-"))
            fmt = "tbx" if termbase != across else "ttl"
            _, parts = export(store, scheme, fmt, base_uri=BASE)
            import_files(fresh, [(f"{scheme}.{fmt}", b"".join(parts))], actor="importer", base_uri=BASE)
        before = {c.id: content_key(c) for c in store.current("concept")}
        after = {c.id: content_key(c) for c in fresh.current("concept")}
        assert after == before
    finally:
        fresh.close()


def test_a_second_import_of_the_same_files_changes_nothing(registry):
    store, _, first = registry
    revision = store.revision()
    again = import_files(store, real_files(), actor="importer", base_uri=BASE)
    assert again.created == again.revised == [] and len(again.unchanged) == len(first.created)
    assert store.revision() == revision
