"""Shapes that real vocabularies written elsewhere take, and that an import once refused or lost without a word:
JSON-LD whose triples sit in a named graph (ISO/TC 211's Geolexica publishes each concept so), TBX 2008 entries
with no id (Translate Toolkit and Weblate write them), and the language tags Wikidata writes (``tokipona``).
Each file here is written for the test in the shape of the real one (docs/vocabulary.md, tests/data/README.md)."""

from __future__ import annotations

import json

import pytest
from lxml import etree
from rdflib import Dataset, Literal
from rdflib.namespace import RDF, SKOS

from registry.errors import VocabularyError
from search.service import SearchService
from vocab.exchange import export
from tests.vocab.conftest import BASE, imported



def labels(store) -> set[tuple[str, str, str]]:
    return {(c.id, t.lang, t.text) for c in store.current("concept") for t in c.terms}


# -- JSON-LD: a named graph ----------------------------------------------------------------------

GEO = "https://isotc211.geolexica.org/concepts/12/"
NAMED_GRAPH = [{
    "@id": GEO,
    "@graph": [
        {"@id": GEO, "@type": ["http://purl.org/dc/dcmitype/Dataset"]},
        {"@id": GEO + "altitude",
         "@type": ["http://www.w3.org/2002/07/owl#NamedIndividual", "http://www.w3.org/2004/02/skos/core#Concept"],
         "http://www.w3.org/2004/02/skos/core#prefLabel": [
             {"@language": "en", "@value": "altitude"}, {"@language": "zh", "@value": "海拔"},
             {"@language": "ja", "@value": "標高"}],
         "http://www.w3.org/2004/02/skos/core#definition": [
             {"@language": "zh", "@value": "沿重力方向到参考面的高度。"}],
         "http://www.w3.org/2004/02/skos/core#notation": [
             {"@type": "http://www.w3.org/2001/XMLSchema#integer", "@value": "12"}]},
    ],
}]


def test_json_ld_whose_triples_sit_in_a_named_graph_imports_them(empty):
    data = json.dumps(NAMED_GRAPH, ensure_ascii=False).encode()
    every = Dataset(default_union=True)
    every.parse(data=data, format="json-ld")
    concepts = set(every.subjects(RDF.type, SKOS.Concept))
    expected = {(o.language, str(o)) for c in concepts for o in every.objects(c, SKOS.prefLabel) if isinstance(o, Literal)}
    report = imported(empty, "12.jsonld", data)
    assert len(report.created) == len(concepts) == 1
    assert {(lang, text) for _, lang, text in labels(empty)} == expected
    concept = empty.current("concept")[0]
    assert concept.uri == GEO + "altitude" and concept.notation == "12"
    assert {(d.lang, d.text) for d in concept.definitions} | {("zh-Hans", concept.definition)} >= {
        ("zh", "沿重力方向到参考面的高度。")}


@pytest.mark.parametrize(("name", "data"), [
    ("empty.ttl", b"# nothing but a comment\n"),
    ("empty.jsonld", b"[]"),
    ("people.ttl", b'<http://e.org/a> <http://xmlns.com/foaf/0.1/name> "Ada" .\n'),
])
def test_an_rdf_file_with_nothing_to_import_is_a_problem_not_an_empty_success(empty, name, data):
    with pytest.raises(VocabularyError) as info:
        imported(empty, name, data)
    assert info.value.path.startswith(name) and "no concept" in str(info.value)
    assert empty.revision() == 0
    assert [p.split(": ")[0] for p in imported(empty, name, data, dry_run=True).problems] == [name]


# -- TBX 2008: termEntry without an id -----------------------------------------------------------

# Translate Toolkit's TBX writer (Weblate's glossaries) gives a termEntry no id: TBX 2008's DTD makes it optional
NO_IDS = """<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE martif PUBLIC "ISO 12200:1999A//DTD MARTIF core (DXFcdV04)//EN" "TBXcdv04.dtd">
<martif type="TBX" xml:lang="en">
  <martifHeader><fileDesc><sourceDesc><p>Translate Toolkit</p></sourceDesc></fileDesc></martifHeader>
  <text><body>
    <termEntry><langSet xml:lang="en"><tig><term>address bar</term></tig></langSet>
      <langSet xml:lang="zh-TW"><tig><term>網址列</term></tig></langSet></termEntry>
    <termEntry><langSet xml:lang="en"><tig><term>bank</term></tig></langSet>
      <langSet xml:lang="zh-CN"><tig><term>银行</term></tig></langSet></termEntry>
    <termEntry><langSet xml:lang="en"><tig><term>bank</term></tig></langSet>
      <langSet xml:lang="zh-CN"><tig><term>河岸</term></tig></langSet></termEntry>
    <termEntry><langSet xml:lang="zh-CN"><tig><term>数据要素</term></tig></langSet></termEntry>
  </body></text>
</martif>
""".encode()


def test_tbx_2008_entries_without_an_id_import_each_as_a_concept(empty):
    root = etree.fromstring(NO_IDS, etree.XMLParser(load_dtd=False, no_network=True, resolve_entities=False))
    terms = {(t.getparent().getparent().get("{http://www.w3.org/XML/1998/namespace}lang"), t.text)
             for t in root.iter("term")}
    report = imported(empty, "glossary.tbx", NO_IDS)
    assert len(report.created) == len(root.findall(".//termEntry")) == 4
    assert {(lang, text) for _, lang, text in labels(empty)} == terms
    assert any("no id" in w for w in report.warnings)
    # the same file again changes nothing: each entry keeps the id it was given
    again = imported(empty, "glossary.tbx", NO_IDS)
    assert again.created == [] and again.revised == [] and len(again.unchanged) == 4
    by_term = {t.text: c.id for c in empty.current("concept") for t in c.terms}
    assert by_term["银行"] != by_term["河岸"]  # homonyms in English stay two concepts


def test_a_tbx_v3_concept_entry_still_needs_its_id_and_the_problem_names_the_element(empty):
    data = b"""<?xml version="1.0"?>
<tbx type="TBX-Basic" style="dca" xml:lang="en" xmlns="urn:iso:std:iso:30042:ed-2"><text><body>
<conceptEntry><langSec xml:lang="en"><termSec><term>bank</term></termSec></langSec></conceptEntry>
</body></text></tbx>"""
    with pytest.raises(VocabularyError) as info:
        imported(empty, "v3.tbx", data)
    assert (info.value.line, info.value.field) == (3, "id") and "<conceptEntry>" in str(info.value)


# -- language tags Wikidata writes ---------------------------------------------------------------

# the shape of https://www.wikidata.org/wiki/Special:EntityData/Q36.ttl: labels in every Wikimedia language,
# among them ``tokipona`` (a primary subtag of 8 letters: well-formed BCP 47, RFC 5646 2.1) and zh-hant, zh-hk ...
WIKIDATA = """@prefix wd: <http://www.wikidata.org/entity/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
wd:Q36 rdfs:label "Poland"@en ;
    skos:prefLabel "Poland"@en, "波兰"@zh, "波蘭"@zh-hant, "波蘭"@zh-hk, "波兰"@zh-cn, "ma Posuka"@tokipona,
        "Pólland"@is, "Polska"@pl .
""".encode()


def test_a_well_formed_tag_of_eight_letters_is_kept_as_written(empty):
    report = imported(empty, "Q36.ttl", WIKIDATA)
    assert len(report.created) == 1
    tags = {lang for _, lang, _ in labels(empty)}
    assert tags == {"en", "zh", "zh-Hant", "zh-HK", "zh-CN", "tokipona", "is", "pl"}
    for fmt in ("ttl", "tbx", "csv"):
        assert "tokipona" in b"".join(export(empty, "q36", fmt, base_uri=BASE)[1]).decode()


# private-use (``x-``) and grandfathered ``i-`` tags are well-formed BCP 47 too (RFC 5646 2.1: privateuse,
# irregular): ``i-hak`` is Hakka; until 2026-12-06 the concept holding one was a problem and the file refused
PRIVATE_AND_GRANDFATHERED = """@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
<http://e.org/a> skos:prefLabel "数字乡村"@zh, "Su-vi hiong-tshun"@i-hak, "DV-01"@x-shuyu-code, "Dorf"@i-klingon .
""".encode()


def test_private_use_and_grandfathered_tags_are_kept_as_written(empty):
    report = imported(empty, "tags.ttl", PRIVATE_AND_GRANDFATHERED)
    assert len(report.created) == 1
    tags = {lang for _, lang, _ in labels(empty)}
    assert tags == {"zh", "i-hak", "x-shuyu-code", "i-klingon"}
    for fmt in ("ttl", "tbx", "csv"):
        written = b"".join(export(empty, "tags", fmt, base_uri=BASE)[1]).decode()
        assert "i-hak" in written and "x-shuyu-code" in written, fmt


@pytest.mark.parametrize("tag", ["en-abcdefghijk", "x", "q-abc", "i"])
def test_a_tag_that_is_not_bcp_47_is_a_problem_naming_the_tag_and_the_term(empty, tag):
    data = f'<http://e.org/a> <http://www.w3.org/2004/02/skos/core#prefLabel> "概念"@zh, "x"@{tag} .\n'
    with pytest.raises(VocabularyError) as info:
        imported(empty, "bad.ttl", data.encode())
    message = str(info.value)
    assert f"'{tag}'" in message and "terms[" in message and "<http://e.org/a>" in message, message


# -- encodings: XML in UTF-16 or GB18030, text formats that must be UTF-8 -----------------------------

SKOS_XML = """<?xml version="1.0" encoding="{encoding}"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:skos="http://www.w3.org/2004/02/skos/core#">
<skos:Concept rdf:about="http://e.org/a"><skos:prefLabel xml:lang="zh">数字乡村</skos:prefLabel>
<skos:prefLabel xml:lang="zh-TW">數位鄉村</skos:prefLabel></skos:Concept></rdf:RDF>
"""


@pytest.mark.parametrize("encoding", ["UTF-16", "GB18030"])
def test_rdf_xml_in_any_encoding_xml_allows_imports(empty, encoding):
    data = SKOS_XML.format(encoding=encoding).encode(encoding.lower())
    report = imported(empty, "a.rdf", data)
    assert len(report.created) == 1
    assert {(lang, text) for _, lang, text in labels(empty)} == {("zh", "数字乡村"), ("zh-TW", "數位鄉村")}


XXE_TBX = """<?xml version="1.0" encoding="UTF-16"?>
<!DOCTYPE martif [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<martif xml:lang="en"><text><body><termEntry id="a"><langSet xml:lang="zh"><tig><term>&x;</term></tig></langSet>
</termEntry></body></text></martif>
"""
XXE_RDF = """<?xml version="1.0" encoding="UTF-16"?>
<!DOCTYPE rdf:RDF [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:skos="http://www.w3.org/2004/02/skos/core#">
<skos:Concept rdf:about="http://e.org/a"><skos:prefLabel xml:lang="zh">&x;</skos:prefLabel></skos:Concept></rdf:RDF>
"""


@pytest.mark.parametrize(("name", "text"), [("x.tbx", XXE_TBX), ("x.rdf", XXE_RDF)])
def test_an_entity_declaration_in_utf_16_is_refused_as_in_utf_8(empty, name, text):
    with pytest.raises(VocabularyError) as info:
        imported(empty, name, text.encode("utf-16"))
    assert (info.value.line, info.value.field) == (2, "DOCTYPE") and "root:" not in str(info.value)
    assert empty.revision() == 0


@pytest.mark.parametrize("name", ["a.ttl", "a.nt", "a.jsonld"])
def test_rdf_text_in_utf_16_is_refused_naming_the_encoding(empty, name):
    text = {"a.ttl": '<http://e.org/a> a <http://www.w3.org/2004/02/skos/core#Concept> .\n',
            "a.nt": '<http://e.org/a> <http://www.w3.org/2004/02/skos/core#prefLabel> "数字"@zh .\n',
            "a.jsonld": '{"@id": "http://e.org/a", "http://www.w3.org/2004/02/skos/core#prefLabel": "数字"}'}[name]
    with pytest.raises(VocabularyError) as info:
        imported(empty, name, text.encode("utf-16"))
    assert (info.value.line, info.value.field) == (1, "encoding")
    assert "UTF-16" in str(info.value) and "codec" not in str(info.value) and "Excel" not in str(info.value)


def test_a_toml_file_in_gb18030_is_told_to_save_as_utf_8_without_an_excel_hint(empty):
    data = '[scheme]\nid = "gb"\ntitle = "数字"\n'.encode("gb18030")
    with pytest.raises(VocabularyError) as info:
        imported(empty, "a.toml", data)
    assert info.value.field == "encoding" and "UTF-8" in str(info.value) and "Excel" not in str(info.value)


# -- a truncated file ----------------------------------------------------------------------------


def test_a_turtle_file_cut_inside_a_string_names_the_line(empty):
    text = ('@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n\n<http://e.org/a> a skos:Concept ;\n'
            '    skos:prefLabel          "abstract test suite"@en , "抽象测试套件"@zh .\n')
    cut = text[: text.index("abstract") + 15]  # a download that stopped mid-way (rdflib says only: an assertion)
    with pytest.raises(VocabularyError) as info:
        imported(empty, "cut.ttl", cut.encode())
    assert (info.value.line, info.value.field) == (4, "syntax")


# -- Wikidata's labels in the other Chinese languages --------------------------------------------

# Wikidata's Q92212 (Opole) is labelled in Hakka and Min Nan too, in romanisation: "O-pô-lòi"@hak, "Opole"@nan
OPOLE = """@prefix wd: <http://www.wikidata.org/entity/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
wd:Q92212 skos:prefLabel "O-pô-lòi"@hak, "Opole"@nan, "奥波莱"@zh, "奧波萊"@zh-hant, "奧波萊"@yue, "Opole"@en .
""".encode()


def test_a_concepts_chinese_name_is_its_mandarin_label_not_a_romanised_hakka_one(empty, tmp_path):
    imported(empty, "opole.ttl", OPOLE)
    concept = empty.current("concept")[0]
    assert concept.preferred == "奥波莱"
    service = SearchService(empty, tmp_path / "index")
    service.catch_up()
    try:
        hits = service.search("奧波萊").hits
        assert [(h.id, empty.get("concept", h.id).preferred) for h in hits[:1]] == [("q92212", "奥波莱")]
    finally:
        service.index.close()


def test_romanised_hakka_and_min_nan_labels_are_not_called_mojibake(empty):
    report = imported(empty, "opole.ttl", OPOLE.replace(b'"Opole"@nan', '"Pô-làn"@nan'.encode()))
    assert not any("mojibake" in w for w in report.warnings)
    garbled = "奥波莱".encode().decode("cp1252", errors="replace")  # what a wrong code page makes of it: still found
    report = imported(empty, "garbled.ttl", OPOLE.replace("奥波莱".encode(), garbled.encode()))
    assert any("mojibake" in w and garbled in w for w in report.warnings)


def test_a_homonym_is_reported_under_the_label_the_concepts_share(empty):
    # Wikidata: Opole (Q92212) and another item (Q47497477) are both "Opolí" in Czech, nothing else in common
    data = OPOLE + b'<http://www.wikidata.org/entity/Q92212> <http://www.w3.org/2004/02/skos/core#prefLabel> "Opol\xc3\xad"@cs .\n' \
        + b'<http://www.wikidata.org/entity/Q47497477> <http://www.w3.org/2004/02/skos/core#prefLabel> "Opol\xc3\xad"@cs .\n'
    report = imported(empty, "opole.ttl", data)
    assert [h.split(" (")[0] for h in report.homonyms] == ["Opolí"]


# -- TBX-Min as published before ISO 30042:2019 --------------------------------------------------

# the shape of LTAC/BYU's TBX-Min 1.0 (2013; the sample of the TBX::Min Perl module, t/corpus/min.tbx): root <TBX
# dialect="TBX-Min">, a <header>, termEntry/langSet/tig, data categories as plain elements, <termStatus>
MIN_2013 = """<TBX dialect="TBX-Min">
    <header>
        <id>glossary</id>
        <description>a bilingual glossary</description>
        <languages source="en" target="zh-CN"/>
    </header>
    <body>
        <termEntry id="C002">
            <subjectField>agriculture</subjectField>
            <langSet xml:lang="en">
                <tig><term>smart agriculture</term><partOfSpeech>noun</partOfSpeech><termStatus>preferred</termStatus></tig>
                <tig><term>intelligent agriculture</term><termStatus>notRecommended</termStatus>
                    <note>a calque</note></tig>
            </langSet>
            <langSet xml:lang="zh-CN">
                <tig><term>智慧农业</term><customer>MOA</customer></tig>
            </langSet>
        </termEntry>
        <termEntry id="c008">
            <langSet xml:lang="zh-CN"><tig><term>数字乡村</term><termStatus>obsolete</termStatus></tig>
                <tig><term>数字化乡村</term><termStatus>admitted</termStatus></tig></langSet>
        </termEntry>
    </body>
</TBX>
""".encode()


def test_tbx_min_of_2013_imports_with_its_statuses(empty):
    report = imported(empty, "min.tbx", MIN_2013)
    assert len(report.created) == 2
    assert labels(empty) >= {("min-c002", "zh-CN", "智慧农业"), ("min-c008", "zh-CN", "数字乡村")}
    types = {(t.text, t.type) for c in empty.current("concept") for t in c.terms}
    assert types == {("smart agriculture", "preferred"), ("intelligent agriculture", "deprecated"),
                     ("智慧农业", "preferred"), ("数字乡村", "deprecated"), ("数字化乡村", "admitted")}
    assert any("subjectField" in w for w in report.warnings) and any("customer" in w for w in report.warnings)
    assert any("partOfSpeech" in w for w in report.warnings)
