"""Every term and definition keeps the language tag its file gave it (issue 24: "never re-tagged"): a zh-CN
term from a TBX file is stored, shown, searched and exported as zh-CN, and is still the concept's Chinese
label because registry/languages.py says zh-CN is Simplified. What a tag means lives there alone; a scan of
the source refuses a comparison with a literal Chinese tag anywhere else."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from lxml import etree
from rdflib import Graph, Literal
from rdflib.namespace import SKOS

from api.views import concept_out
from registry.languages import (
    is_chinese,
    is_english,
    is_regional,
    is_simplified,
    is_traditional,
    lang_key,
    regional_set,
    shown_script,
)
from registry.sqlite import SQLiteStore
from search.service import SearchService
from vocab.exchange import content_key, export, import_files
from vocab.formats import language, untagged

ROOT = Path(__file__).parent.parent.parent
DATA = ROOT / "tests" / "data"
BASE = "https://shuyu.test"
SAFE = etree.XMLParser(load_dtd=False, no_network=True, resolve_entities=False)
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
SKOSXL = "http://www.w3.org/2008/05/skos-xl#"


# -- what a tag means ------------------------------------------------------------------------------

@pytest.mark.parametrize("tag, simplified, traditional, region", [
    ("zh-Hans", True, False, None), ("zh", True, False, None), ("zh-CN", True, False, None),
    ("zh-SG", True, False, None), ("zh-Hans-CN", True, False, None), ("zh-Hans-HK", True, False, None),
    ("cmn-Hans", True, False, None), ("zh-cn", True, False, None),
    ("zh-Hant", False, True, None), ("zh-TW", False, True, "zh-TW"), ("zh-Hant-TW", False, True, "zh-TW"),
    ("zh-HK", False, True, "zh-HK"), ("zh-Hant-HK", False, True, "zh-HK"), ("zh-MO", False, True, "zh-HK"),
    ("yue", False, True, None), ("en", False, False, None), ("en-US", False, False, None),
    ("ja", False, False, None), ("und", False, False, None),
])
def test_what_a_tag_means(tag, simplified, traditional, region):
    assert (is_simplified(tag), is_traditional(tag), regional_set(tag)) == (simplified, traditional, region)
    assert is_chinese(tag) == (simplified or traditional)
    assert is_regional(tag) == (region is not None)


def test_english_the_order_of_languages_and_the_script_a_reader_asks_for():
    assert is_english("en") and is_english("en-GB") and not is_english("eu")
    tags = ["es", "en-US", "zh-HK", "en", "zh-Hant", "zh-TW", "zh-CN", "zh-Hans"]
    assert sorted(tags, key=lang_key) == ["zh-Hans", "zh-CN", "zh-TW", "zh-HK", "zh-Hant", "en", "en-US", "es"]
    assert [shown_script(t) for t in ("zh-CN", "zh-hant-tw", "zh-MO", "zh-Hant", "fr")] == [
        "zh-Hans", "zh-TW", "zh-HK", "zh-Hant", None]


def test_pages_name_an_imported_tag_by_its_meaning_and_keep_the_tag():
    from api.web.labels import LANGS, shown_lang

    assert [LANGS[t] for t in ("zh-Hans", "zh-CN", "zh-Hant-TW", "zh-MO", "zh-Hant", "en-US", "es")] == [
        "简体", "简体（zh-CN）", "台湾（zh-Hant-TW）", "香港（zh-MO）", "繁体（zh-Hant）", "英文（en-US）", "es"]
    # a zh-CN term is rendered in the reader's script like the registry's own zh-Hans; others read as written
    assert (shown_lang("zh-CN", "zh-TW"), shown_lang("zh-Hant", "zh-TW"), shown_lang("es", "zh-Hans")) == (
        "zh-TW", "zh-Hant", "es")


def test_import_only_fixes_the_case_of_a_tag_and_guesses_untagged_chinese_by_its_characters():
    assert [language(t) for t in ("zh-cn", "zh_SG", "ZH", "zh-hant-tw", "en-us")] == [
        "zh-CN", "zh-SG", "zh", "zh-Hant-TW", "en-US"]
    assert (untagged("数据资源"), untagged("數據資源"), untagged("data")) == ("zh-Hans", "zh-Hant", "und")


# -- the real files: stored tags are the file's tags, and so are the exported ones ------------------

@pytest.fixture(scope="module")
def registry(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tags")
    store = SQLiteStore(folder / "r.db")
    files = [(str(p), p.read_bytes()) for p in sorted(DATA.iterdir()) if p.suffix in (".ttl", ".tbx", ".rdf")]
    import_files(store, files, actor="importer", base_uri=BASE)
    service = SearchService(store, folder / "index")
    service.catch_up()
    yield store, service
    service.index.close()
    store.close()


def stored_tags(concepts) -> set[str]:
    """The tags of every term and definition the registry holds for ``concepts``."""
    tags = {t.lang for c in concepts for t in c.terms} | {d.lang for c in concepts for d in c.definitions}
    tags |= {"zh-Hans" for c in concepts if c.definition} | {"en" for c in concepts if c.definition_en}
    return tags


def tbx_tags(root) -> set[str]:
    """The tags in force at every term and definition of a TBX file (xml:lang inherited)."""
    def lang_at(element) -> str:
        return next(a.get(XML_LANG) for a in (element, *element.iterancestors()) if a.get(XML_LANG))
    found = set()
    for element in root.iter():
        name = etree.QName(element).localname if isinstance(element.tag, str) else ""
        if name == "term" or name == "definition" or (name == "descrip" and element.get("type") == "definition"):
            found.add(lang_at(element))
    return found


def rdf_tags(g: Graph) -> set[str]:
    """The tags of every label (SKOS and SKOS-XL) and definition of the graph's concepts, as rdflib reads them."""
    from rdflib import URIRef
    from rdflib.namespace import RDF
    found = set()
    for concept in g.subjects(RDF.type, SKOS.Concept):
        values = [o for p in (SKOS.prefLabel, SKOS.altLabel, SKOS.hiddenLabel, SKOS.definition)
                  for o in g.objects(concept, p)]
        for p in ("prefLabel", "altLabel", "hiddenLabel"):
            for label in g.objects(concept, URIRef(SKOSXL + p)):
                values += list(g.objects(label, URIRef(SKOSXL + "literalForm")))
        found |= {o.language for o in values if isinstance(o, Literal) and o.language}
    return found


def lower(tags: set[str]) -> set[str]:
    return {t.lower() for t in tags}  # rdflib gives tags in lower case; BCP 47 tags compare without case


@pytest.mark.parametrize("name", ["tbx-basic-astronomy.tbx", "tbx-basic-astronomy-dct.tbx",
                                  "translate-toolkit-martif.tbx", "mozilla-pontoon-zh-CN.tbx"])
def test_a_termbase_is_stored_and_exported_with_its_own_tags(registry, name):
    store, _ = registry
    scheme = name.removesuffix(".tbx").lower()
    concepts = [c for c in store.current("concept") if c.scheme == scheme]
    in_file = tbx_tags(etree.parse(str(DATA / name), SAFE).getroot())
    assert stored_tags(concepts) == in_file
    _, parts = export(store, scheme, "tbx", base_uri=BASE)
    assert tbx_tags(etree.fromstring(b"".join(parts), SAFE)) == in_file


@pytest.mark.parametrize("names, fmt", [
    (["yso-archaeology-stone-age.ttl"], "turtle"), (["skosmos-xl.ttl"], "turtle"),
    (sorted(p.name for p in DATA.glob("nomisma-*.rdf")), "xml"),
])
def test_a_thesaurus_is_stored_and_exported_with_its_own_tags(registry, names, fmt):
    store, _ = registry
    g = Graph()
    for name in names:
        g.parse(DATA / name, format=fmt)
    uris = {str(u) for u in g.subjects(None, SKOS.Concept)}
    concepts = [c for c in store.current("concept") if c.uri in uris]
    assert concepts and lower(stored_tags(concepts)) == lower(rdf_tags(g))
    exported = Graph()
    for scheme in sorted({c.scheme for c in concepts}):
        _, parts = export(store, scheme, "ttl", base_uri=BASE)
        exported.parse(data=b"".join(parts), format="turtle")
    assert lower(rdf_tags(exported)) == lower(rdf_tags(g))


@pytest.mark.parametrize("fmt", ["toml", "csv", "tbx", "ttl", "rdf", "jsonld", "nt"])
def test_every_real_file_exported_and_imported_again_gives_the_same_registry_tags_and_all(registry, fmt, tmp_path):
    store, _ = registry
    # translate-toolkit-martif's entries mark every term deprecated: with no preferred term SKOS has no
    # prefLabel to write, and a SKOS concept without one is refused (TBX, TOML and CSV carry them)
    schemes = sorted({c.scheme for c in store.current("concept")
                      if fmt in ("toml", "csv", "tbx") or c.scheme != "translate-toolkit-martif"})
    fresh = SQLiteStore(tmp_path / "again.db")
    try:
        for scheme in schemes:
            _, parts = export(store, scheme, fmt, base_uri=BASE)
            import_files(fresh, [(f"{scheme}.{fmt}", b"".join(parts))], actor="importer", base_uri=BASE)
        before = {c.id: content_key(c) for c in store.current("concept") if c.scheme in schemes}
        assert {c.id: content_key(c) for c in fresh.current("concept")} == before
    finally:
        fresh.close()


def test_zh_cn_labels_name_the_concept_and_are_searched_and_shown_as_zh_cn(registry):
    store, service = registry
    root = etree.parse(str(DATA / "mozilla-pontoon-zh-CN.tbx"), SAFE).getroot()
    concepts = {c.id: c for c in store.current("concept") if c.scheme == "mozilla-pontoon-zh-cn"}
    checked = 0
    for entry in list(root.iter("termEntry"))[:40]:
        zh = next(ls.findtext(".//term") for ls in entry.iter("langSet") if ls.get(XML_LANG) == "zh-CN")
        concept = concepts["mozilla-pontoon-zh-cn-" + entry.get("id").lower()]
        assert concept.preferred == zh
        assert ("preferred", "zh-CN") in {(t.type, t.lang) for t in concept.terms if t.text == zh}
        assert concept.id in {h.id for h in service.search(zh, limit=50).hits}, zh
        shown = concept_out(service.catalog, concept)
        assert ("zh-CN", zh) in {(t.lang, t.text) for t in shown.terms}
        checked += 1
    assert checked == 40


def test_a_definition_under_another_simplified_tag_stays_tagged_and_is_the_chinese_definition(tmp_path):
    tbx = """<?xml version="1.0"?>
<martif type="TBX" xml:lang="en"><text><body>
<termEntry id="d1"><langSet xml:lang="zh-CN"><descrip type="definition">汇集各类农业生产经营信息的平台。</descrip>
<tig><term>农情平台</term></tig></langSet>
<langSet xml:lang="en-US"><descrip type="definition">A platform for farm data.</descrip><tig><term>farm data platform</term></tig></langSet>
</termEntry></body></text></martif>""".encode()
    store = SQLiteStore(tmp_path / "r.db")
    service = SearchService(store, tmp_path / "index")
    try:
        import_files(store, [("defs.tbx", tbx)], actor="importer", base_uri=BASE)
        service.catch_up()
        concept = store.get("concept", "defs-d1")
        assert concept.definition == "" and concept.definition_en == ""  # the registry's own fields stay empty
        assert {(d.lang, d.text) for d in concept.definitions} == {
            ("zh-CN", "汇集各类农业生产经营信息的平台。"), ("en-US", "A platform for farm data.")}
        assert concept.chinese_definition == "汇集各类农业生产经营信息的平台。"
        assert concept.english_definition == "A platform for farm data."
        shown = concept_out(service.catalog, concept)
        assert (shown.definition, shown.definition_en) == (concept.chinese_definition, concept.english_definition)
        assert "defs-d1" in {h.id for h in service.search("生产经营信息").hits}  # found by its definition
        _, parts = export(store, "defs", "tbx", base_uri=BASE)
        assert tbx_tags(etree.fromstring(b"".join(parts), SAFE)) == {"zh-CN", "en-US"}
    finally:
        service.index.close()
        store.close()


def test_untagged_chinese_is_zh_hans_or_zh_hant_by_its_characters(tmp_path):
    tbx = """<?xml version="1.0"?>
<tbx type="TBX-Basic" style="dca" xmlns="urn:iso:std:iso:30042:ed-2"><text><body>
<conceptEntry id="u1"><langSec><termSec><term>数据资源</term></termSec><termSec><term>數據資源</term></termSec>
<termSec><term>data resource</term></termSec></langSec></conceptEntry>
</body></text></tbx>""".encode()
    ttl = """@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
<http://example.org/c1> a skos:Concept ; skos:prefLabel "农业" ; skos:altLabel "農業" .""".encode()
    store = SQLiteStore(tmp_path / "r.db")
    try:
        import_files(store, [("untagged.tbx", tbx), ("untagged.ttl", ttl)], actor="importer", base_uri=BASE)
        tbx_terms = {(t.text, t.lang) for t in store.get("concept", "untagged-u1").terms}
        assert tbx_terms == {("数据资源", "zh-Hans"), ("數據資源", "zh-Hant"), ("data resource", "und")}
        skos = next(c for c in store.current("concept") if c.uri == "http://example.org/c1")
        assert {(t.text, t.lang) for t in skos.terms} == {("农业", "zh-Hans"), ("農業", "zh-Hant")}
    finally:
        store.close()


# -- one home for what a tag means -----------------------------------------------------------------

# A literal Chinese tag compared with something (==, !=, in) or a tag tested by its start or end: the
# question belongs to registry/languages.py. The TOML format maps its own fields (pref, tw, hk) to the
# registry's tags and must name them.
HOME = ROOT / "registry" / "languages.py"
ALLOWED = {ROOT / "vocab" / "formats" / "toml.py", ROOT / "vocab" / "format.py"}
ZH_TAG = re.compile(r"^(zh|cmn|yue)(-[a-z0-9]{1,8})*$", re.I)
ZH_PART = re.compile(r"^-?(zh|cmn|yue|hans|hant|cn|sg|tw|hk|mo)(-|$)", re.I)


def _strings(node) -> list[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return [s for element in node.elts for s in _strings(element)]
    return []


def tag_comparisons(source: str) -> list[int]:
    """The lines of ``source`` that compare with a literal Chinese tag or test a tag's start or end."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Compare) and any(isinstance(op, (ast.Eq, ast.NotEq, ast.In, ast.NotIn))
                                                 for op in node.ops):
            if any(ZH_TAG.match(s) for side in (node.left, *node.comparators) for s in _strings(side)):
                lines.append(node.lineno)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and \
                node.func.attr in ("startswith", "endswith", "removeprefix", "removesuffix"):
            if any(ZH_PART.match(s) for arg in node.args for s in _strings(arg)):
                lines.append(node.lineno)
    return lines


def test_the_scan_finds_what_it_forbids():
    assert tag_comparisons('x = lang == "zh-Hans"\ny = lang in ("zh-TW", "zh-HK")\nz = t.startswith("zh")\n'
                           'w = t.endswith(("-tw",))\nv = "zh-CN" != lang\n') == [1, 2, 3, 4, 5]
    assert tag_comparisons('x = lang == ZH_HANS\ny = Term(lang="zh-Hans")\nz = lang == "en"\n') == []


def test_no_module_but_languages_py_compares_with_a_literal_chinese_tag():
    found = []
    for top in ("registry", "search", "drafting", "vocab", "api"):
        for path in sorted((ROOT / top).rglob("*.py")):
            if path == HOME or path in ALLOWED:
                continue
            found += [f"{path.relative_to(ROOT)}:{line}" for line in tag_comparisons(path.read_text(encoding="utf-8"))]
    assert found == []
