"""More vocabularies nobody here wrote (tests/data/, sources and licences in its README), each showing one
thing the registry did wrong with it: the whole UNESCO Thesaurus refused for one concept related to itself,
SKOS collections (UNESCO's micro-thesauri, iQvoc's groups) dropped without a word, AGROVOC Chinese labels
written as escaped UTF-8 bytes taken without a word, and LTAC's own TBX test files' usageStatus ignored."""

from __future__ import annotations

from pathlib import Path

import pytest

from registry.sqlite import SQLiteStore
from vocab.exchange import import_files

DATA = Path(__file__).parent.parent / "data"
BASE = "https://shuyu.test"


def imported(tmp_path, name: str, data: bytes | None = None):
    store = SQLiteStore(tmp_path / "r.db")
    report = import_files(store, [(name, data if data is not None else (DATA / name).read_bytes())],
                          actor="importer", base_uri=BASE)
    concepts = {c.uri or c.id: c for c in store.current("concept")}
    store.close()
    return report, concepts


def warnings_of(report) -> list[str]:
    return [str(w) for w in report.warnings]


# -- UNESCO Thesaurus: skos:related to itself --------------------------------------------------------

UNESCO = "http://vocabularies.unesco.org/thesaurus/"


def test_a_concept_related_to_itself_does_not_refuse_the_thesaurus(tmp_path):
    # concept11393 (Genocide) of the UNESCO Thesaurus says skos:related of itself; the whole thesaurus (4,482
    # concepts) was refused for it. The link says nothing and is not kept, with a warning
    report, concepts = imported(tmp_path, "unesco-thesaurus-genocide.nt")
    genocide = concepts[UNESCO + "concept11393"]
    holocaust = concepts[UNESCO + "concept17169"]
    assert genocide.related == (holocaust.id,)
    assert holocaust.related == (genocide.id,)
    assert genocide.broader == (concepts[UNESCO + "concept6849"].id,)
    assert any("1 × skos:related of a concept to itself" in w for w in warnings_of(report))
    assert {t.lang for t in genocide.terms} == {"en", "fr", "es", "ru", "ar"}


def test_a_micro_thesaurus_collection_is_counted_as_not_kept(tmp_path):
    report, concepts = imported(tmp_path, "unesco-thesaurus-genocide.nt")
    assert len(concepts) == 3  # the collection mt6.10 is not a concept
    assert any("1 × skos:Collection" in w and "2 × skos:member" in w for w in warnings_of(report)), \
        warnings_of(report)


def test_iqvoc_collections_are_counted_as_not_kept(tmp_path):
    # iQvoc's sample thesaurus groups its hobbies in two collections (Indoors, Outdoors) with 57 members
    report, concepts = imported(tmp_path, "iqvoc-hobbies.ttl")
    assert len(concepts) == 66
    assert any("2 × skos:Collection" in w and "57 × skos:member" in w for w in warnings_of(report)), \
        warnings_of(report)


# -- AGROVOC: Chinese labels as escaped bytes ---------------------------------------------------------

def test_chinese_written_as_escaped_utf8_bytes_is_warned_about(tmp_path):
    # a recorded AGROVOC answer whose labels hold "\xE9\x85\xAA\xE5\xA5\xB6" (酪奶 as escaped bytes): kept as
    # the file has it, and said
    report, concepts = imported(tmp_path, "agrovoc-buttermilk-escaped.rdf")
    buttermilk = concepts["http://aims.fao.org/aos/agrovoc/c_9513"]
    assert any(t.lang == "zh" and t.text == r"\xE9\x85\xAA\xE5\xA5\xB6" for t in buttermilk.terms)
    assert buttermilk.broader == (concepts["http://aims.fao.org/aos/agrovoc/c_4830"].id,)
    garbled = [w for w in warnings_of(report) if "mis-decoded" in w]
    assert garbled and r"\xE9\x85\xAA\xE5\xA5\xB6" in garbled[0] and "酪奶" in garbled[0]


# -- LTAC's TBX test files: usageStatus ---------------------------------------------------------------

# The shape of min_good.tbx and basic_good.tbx in LTAC-Global/TBX_test_files (commit ba0e7bc6; files the
# repository's README calls valid, "created via MultiTerm Export"; the repository states no licence, so this
# is written here): the term's status is a termNote of type usageStatus.
USAGE_STATUS = """<?xml version="1.0" encoding="utf-8"?>
<tbx type="TBX-Min" style="dca" xml:lang="en" xmlns="urn:iso:std:iso:30042:ed-2">
  <tbxHeader><fileDesc><sourceDesc><p>TBX file, created via MultiTerm Export</p></sourceDesc></fileDesc></tbxHeader>
  <text><body>
    <conceptEntry id="c1">
      <langSec xml:lang="en">
        <termSec><term>galactic cluster</term><termNote type="usageStatus">deprecated</termNote></termSec>
        <termSec><term>open cluster</term><termNote type="usageStatus">preferred</termNote></termSec>
        <termSec><term>open star cluster</term><termNote type="usageStatus">admitted</termNote></termSec>
      </langSec>
    </conceptEntry>
  </body></text>
</tbx>
"""


def test_a_usage_status_is_the_terms_status(tmp_path):
    report, concepts = imported(tmp_path, "usage-status.tbx", USAGE_STATUS.encode())
    (concept,) = concepts.values()
    assert {t.text: t.type for t in concept.terms} == {
        "open cluster": "preferred", "open star cluster": "admitted", "galactic cluster": "deprecated"}
    assert not any("usageStatus" in w or "mark no preferred term" in w for w in warnings_of(report))


# -- Lexvo: SKOS in the namespace of a 2008 draft -------------------------------------------------------

# The shape of `spec/fixtures/lexvo_snippet.rdf.xml` in samvera/questioning_authority (commit 9f533362), an
# excerpt of Lexvo (CC BY-SA 3.0): its labels are skos:prefLabel in http://www.w3.org/2008/05/skos#, the
# namespace of a SKOS draft of 2008, not the Recommendation's. It was refused as having no skos:prefLabel.
DRAFT_NAMESPACE = """<?xml version="1.0" encoding="UTF-8" ?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:skos="http://www.w3.org/2008/05/skos#">
<rdf:Description rdf:about="http://lexvo.org/id/iso639-3/aab">
  <rdf:type rdf:resource="lvont:Language" />
  <skos:prefLabel xml:lang="en">Alumu-Tesu</skos:prefLabel>
  <skos:altLabel xml:lang="en">Alumu</skos:altLabel>
</rdf:Description>
</rdf:RDF>
"""


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_skos_in_the_2008_draft_namespace_is_read_as_skos(tmp_path, encoding):
    data = DRAFT_NAMESPACE.replace('encoding="UTF-8"', f'encoding="{encoding.upper()}"').encode(encoding)
    report, concepts = imported(tmp_path, "lexvo.rdf", data)
    (language,) = concepts.values()
    assert {(t.text, t.lang, t.type) for t in language.terms} == {
        ("Alumu-Tesu", "en", "preferred"), ("Alumu", "en", "admitted")}
    assert any("http://www.w3.org/2008/05/skos#" in w for w in warnings_of(report)), warnings_of(report)


# -- a DDC record: its neighbours described, not typed ------------------------------------------------------

# The shape of `examples/ddc-612.112.concept.nt` in gbv/jskos (commit 69cc8556; the repository states no
# licence, so this is written here): one class typed skos:Concept, its broader and narrower classes described
# in the file by notation and label but not typed. SKOS gives skos:broader and skos:narrower a concept at
# each end (their domain and range), so they are concepts; the narrower links were dropped without a word.
DDC = """\
<http://dewey.info/class/612.11/e22/> <http://www.w3.org/2004/02/skos/core#notation> "612.11" .
<http://dewey.info/class/612.11/e22/> <http://www.w3.org/2004/02/skos/core#prefLabel> "Blut"@de .
<http://dewey.info/class/612.112/e22/> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://www.w3.org/2004/02/skos/core#Concept> .
<http://dewey.info/class/612.112/e22/> <http://www.w3.org/2004/02/skos/core#broader> <http://dewey.info/class/612.11/e22/> .
<http://dewey.info/class/612.112/e22/> <http://www.w3.org/2004/02/skos/core#inScheme> <http://dewey.info/scheme/ddc/> .
<http://dewey.info/class/612.112/e22/> <http://www.w3.org/2004/02/skos/core#inScheme> <http://dewey.info/scheme/edition/e22/> .
<http://dewey.info/class/612.112/e22/> <http://www.w3.org/2004/02/skos/core#narrower> <http://dewey.info/class/612.1121/e22/> .
<http://dewey.info/class/612.112/e22/> <http://www.w3.org/2004/02/skos/core#narrower> <http://dewey.info/class/612.1127/e22/> .
<http://dewey.info/class/612.112/e22/> <http://www.w3.org/2004/02/skos/core#notation> "612.112" .
<http://dewey.info/class/612.112/e22/> <http://www.w3.org/2004/02/skos/core#prefLabel> "Leukozyten (Weiße Blutkörperchen)"@de .
<http://dewey.info/class/612.1121/e22/> <http://www.w3.org/2004/02/skos/core#notation> "612.1121" .
<http://dewey.info/class/612.1121/e22/> <http://www.w3.org/2004/02/skos/core#prefLabel> "Biochemie"@de .
<http://dewey.info/class/612.1127/e22/> <http://www.w3.org/2004/02/skos/core#notation> "612.1127" .
<http://dewey.info/class/612.1127/e22/> <http://www.w3.org/2004/02/skos/core#prefLabel> "Anzahl und Auszählung"@de .
<http://dewey.info/class/612.1127/e22/> <http://www.w3.org/2004/02/skos/core#related> <http://dewey.info/class/000/e22/> .
"""


def test_described_neighbours_of_a_concept_are_concepts(tmp_path):
    report, concepts = imported(tmp_path, "ddc-612.112.nt", DDC.encode())
    ddc = "http://dewey.info/class/"
    assert set(concepts) == {f"{ddc}{n}/e22/" for n in ("612.11", "612.112", "612.1121", "612.1127")}
    leukocytes = concepts[f"{ddc}612.112/e22/"]
    assert leukocytes.broader == (concepts[f"{ddc}612.11/e22/"].id,)
    assert concepts[f"{ddc}612.1121/e22/"].broader == (leukocytes.id,)
    assert concepts[f"{ddc}612.1127/e22/"].notation == "612.1127"
    assert {c.scheme for c in concepts.values()} == {"dewey-info-scheme-ddc"}  # the scheme of the one it was reached from
    warnings = warnings_of(report)
    assert any("3 resource(s) not typed skos:Concept" in w for w in warnings), warnings
    assert any("1 × skos:related link to a concept neither in the files" in w for w in warnings), warnings


# -- Homosaurus: JSON-LD with rdfs:comment as the scope note ----------------------------------------------

# The shape of `homosaurus_json/v2.jsonld` in reeset/homosaurus_graph_conversion (commit 648c47c3), the
# Homosaurus v2 export (1,647 concepts, homosaurus.org): plain (untagged) labels, the concept's description in
# rdfs:comment (344 concepts), skos:hasTopConcept on concepts, and six concepts skos:related to themselves.
# Written here: the Homosaurus is licensed for non-commercial use only.
HOMOSAURUS = """{
  "@context": {"dc": "http://purl.org/dc/terms/", "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
               "skos": "http://www.w3.org/2004/02/skos/core#", "xsd": "http://www.w3.org/2001/XMLSchema#"},
  "@graph": [
    {"@id": "http://homosaurus.org/v2/amazons", "@type": "skos:Concept", "dc:identifier": "amazons",
     "dc:issued": {"@value": "2019-05-14", "@type": "xsd:date"},
     "rdfs:comment": "Nation of all-female warriors in Greek mythology and Classical antiquity",
     "skos:hasTopConcept": {"@id": "http://homosaurus.org/v2/gender"},
     "skos:inScheme": {"@id": "http://homosaurus.org/terms"}, "skos:prefLabel": "Amazons",
     "skos:related": [{"@id": "http://homosaurus.org/v2/amazons"}]}
  ]
}
"""


def test_an_rdfs_comment_on_a_concept_is_kept_as_a_note(tmp_path):
    report, concepts = imported(tmp_path, "homosaurus.jsonld", HOMOSAURUS.encode())
    (amazons,) = concepts.values()
    assert amazons.notes == ("Nation of all-female warriors in Greek mythology and Classical antiquity",)
    assert amazons.related == ()
    assert not any("rdfs:comment" in w for w in warnings_of(report))


# -- translation tools' CSV glossaries: another layout, said so -------------------------------------------

@pytest.mark.parametrize("name, data, first_row", [
    # the first lines of weblate/trans/tests/data/terms-header.csv in WeblateOrg/weblate (commit 5a2af335,
    # GPL-3.0-or-later): a glossary of English and Czech term pairs under "source,target"
    ("weblate-terms.csv", "source,target\n&About,O &aplikaci\nEdit,Upravit\n", "source, target"),
    # the first lines of test/data/glossaries/test.csv in omegat-org/omegat (commit 33dae696, GPL-3.0): no header
    ("omegat-test.csv", "kde,csv kde\nquestion,csv q\n", "kde, csv kde"),
])
def test_a_csv_glossary_of_term_pairs_is_told_apart_from_our_layout(tmp_path, name, data, first_row):
    from vocab.exchange import ImportProblems
    with pytest.raises(ImportProblems) as refused:
        imported(tmp_path, name, data.encode())
    message = str(refused.value)
    assert f"{name}:1:" in message and "missing column 'id'" in message
    assert f"the first row reads {first_row!r}" in message and "TBX" in message


# -- JSKOS: JSON, not JSON-LD without its context -------------------------------------------------------------

# The shape of `examples/ddc-612.112.concept.json` in gbv/jskos (commit 69cc8556; no licence stated, so written
# here): JSKOS, a JSON encoding of SKOS that is JSON-LD only with JSKOS's context, which the file does not name.
JSKOS = """{"uri": "http://dewey.info/class/612.112/e22/", "type": ["http://www.w3.org/2004/02/skos/core#Concept"],
 "notation": ["612.112"], "prefLabel": {"de": "Leukozyten (Weiße Blutkörperchen)"}}
"""


def test_json_without_a_context_is_said_to_be_no_json_ld(tmp_path):
    from vocab.exchange import ImportProblems
    with pytest.raises(ImportProblems) as refused:
        imported(tmp_path, "ddc.jsonld", JSKOS.encode())
    message = str(refused.value)
    assert message.startswith("ddc.jsonld: ") and '"@context"' in message and "JSKOS" in message
