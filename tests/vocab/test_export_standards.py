"""Exports follow the standards, not only our own reader: TBX-Basic v3 (DCA and DCT) checked against the rules of
the published dialect definition (LTAC Global, TBX-Basic_dialect: TBX-Basic_DCA.sch and TBX-Basic_DCT.sch,
written out here as XPath checks), TBX-Min and TBX-Core carrying only their own categories, and SKOS passing
Skosify-style checks (one prefLabel per language, no label in two of pref/alt/hidden, no cycles in broader)."""

from __future__ import annotations

import re

import msgspec
import pytest
from lxml import etree
from rdflib import Graph
from rdflib.namespace import SKOS

from registry.sqlite import SQLiteStore
from vocab.exchange import content_key, export
from vocab.formats import Context, read
from vocab.loader import load_bundled_if_empty

BASE = "https://shuyu.test"
TBX = "urn:iso:std:iso:30042:ed-2"
NS = {"tbx": TBX}
BASIC_NS = "http://www.tbxinfo.net/ns/basic"
MIN_NS = "http://www.tbxinfo.net/ns/min"

# TBX-Basic_DCA.sch, "dialectEnforcement": the permitted type values per element
PERMITTED = {
    "admin": {"customerSubset", "projectSubset", "source"},
    "descrip": {"subjectField", "context", "definition"},
    "ref": {"crossReference"},
    "termNote": {"administrativeStatus", "partOfSpeech", "geographicalUsage", "grammaticalGender", "termLocation",
                 "termType"},
    "transac": {"transactionType"},
    "transacNote": {"responsibility"},
    "xref": {"externalCrossReference", "xGraphic"},
}
# the module rules: where a category may stand (parent, or the parent of its *Grp)
LEVELS = {
    "subjectField": {"conceptEntry"}, "definition": {"conceptEntry", "langSec"}, "context": {"termSec"},
    "source": {"conceptEntry", "langSec", "termSec"}, "crossReference": {"conceptEntry", "termSec"},
    "administrativeStatus": {"termSec"}, "termType": {"termSec"},
}
VALUES = {
    "administrativeStatus": {"admittedTerm-admn-sts", "deprecatedTerm-admn-sts", "supersededTerm-admn-sts",
                             "preferredTerm-admn-sts"},
    "termType": {"fullForm", "acronym", "abbreviation", "shortForm", "variant", "phrase"},
}
MIN_CATEGORIES = {"subjectField", "administrativeStatus", "partOfSpeech", "customerSubset", "externalCrossReference"}


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    s = SQLiteStore(tmp_path_factory.mktemp("std") / "r.db")
    load_bundled_if_empty(s)
    yield s
    s.close()


def schemes(store) -> list[str]:
    return sorted({c.scheme for c in store.current("concept")})


def tbx(store, scheme: str, **kw) -> etree._Element:
    _, parts = export(store, scheme, "tbx", base_uri=BASE, **kw)
    return etree.fromstring(b"".join(parts))


def level(element) -> str:
    parent = element.getparent()
    name = etree.QName(parent).localname
    return etree.QName(parent.getparent()).localname if name.endswith("Grp") else name


def category_of(element) -> str:
    ns = etree.QName(element).namespace
    return etree.QName(element).localname if ns in (BASIC_NS, MIN_NS) else element.get("type", "")


def basic_problems(root, style: str) -> list[str]:
    """Every broken TBX-Basic rule, as TBX-Basic_DCA.sch / TBX-Basic_DCT.sch state them."""
    problems = []
    if (root.get("type"), root.get("style")) != ("TBX-Basic", style) or etree.QName(root).namespace != TBX:
        problems.append(f"root: {root.get('type')} {root.get('style')}")
    if not root.get("{http://www.w3.org/XML/1998/namespace}lang"):
        problems.append("root: xml:lang is required")
    ids = set(root.xpath("//@id"))
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        ns, name = etree.QName(element).namespace, etree.QName(element).localname
        if element.get("target") is not None:
            target = element.get("target")
            if not (re.match(r"https?://.+", target) or target in ids):
                problems.append(f"target {target!r}: neither an IDREF nor an http(s) URI")
        if name == "termNote" and level(element) != "termSec":
            problems.append("termNote outside termSec")
        if element.xpath("ancestor::tbx:tbxHeader", namespaces=NS):
            continue
        if style == "dca":
            if ns != TBX:
                problems.append(f"DCT element {name} in DCA")
            if name in PERMITTED and element.get("type") not in PERMITTED[name]:
                problems.append(f"{name} type={element.get('type')!r} is not TBX-Basic")
        elif ns == TBX and name in PERMITTED:
            problems.append(f"DCA element {name} type={element.get('type')!r} in DCT")
        elif ns not in (TBX, BASIC_NS, MIN_NS):
            problems.append(f"element {name} of namespace {ns}")
        category = category_of(element) if (name in PERMITTED or ns != TBX) else ""
        if category in LEVELS and level(element) not in LEVELS[category]:
            problems.append(f"{category} at {level(element)}")
        if category in VALUES and element.text not in VALUES[category]:
            problems.append(f"{category} {element.text!r}")
    return problems


@pytest.mark.parametrize("style", ["dca", "dct"])
def test_the_tbx_export_follows_tbx_basic(store, style):
    for scheme in schemes(store):
        root = tbx(store, scheme, tbx_style=style)
        assert basic_problems(root, style) == [], scheme
        assert root.xpath("//tbx:conceptEntry", namespaces=NS)


def test_the_checks_catch_what_the_old_export_wrote():
    """The checks can fail: the export before issue 24 used x- categories TBX-Basic does not define."""
    old = etree.fromstring(f"""<tbx type="TBX-Basic" style="dca" xml:lang="zh-Hans" xmlns="{TBX}"><text><body>
<conceptEntry id="a"><descrip type="x-grade">core</descrip><ref type="x-broader" target="nowhere">b</ref>
<langSec xml:lang="zh-Hans"><termSec><term>甲</term><termNote type="x-usage">hidden</termNote></termSec></langSec>
</conceptEntry></body></text></tbx>""".encode())
    assert len(basic_problems(old, "dca")) == 4


@pytest.mark.parametrize("dialect, allowed", [("min", MIN_CATEGORIES), ("core", set())])
def test_tbx_min_and_core_carry_only_their_categories(store, dialect, allowed):
    scheme = schemes(store)[0]
    for style in ("dca", "dct"):
        root = tbx(store, scheme, tbx_dialect=dialect, tbx_style=style)
        assert root.get("type") == {"min": "TBX-Min", "core": "TBX-Core"}[dialect]
        body = root.find("tbx:text", NS)
        used = {category_of(e) for e in body.iter() if isinstance(e.tag, str) and category_of(e)}
        assert used <= allowed and body.xpath("//tbx:term", namespaces=NS)


def test_a_dct_export_reads_back_as_the_dca_one(store):
    for scheme in schemes(store):
        read_back = []
        for style in ("dca", "dct"):
            _, parts = export(store, scheme, "tbx", base_uri=BASE, tbx_style=style)
            read_back.append(read(b"".join(parts), f"{scheme}.tbx", "tbx", Context(base_uri=BASE)).concepts)
        dca, dct = read_back
        assert dca == dct and [c.id for c in dca] == [c.id for c in store.current("concept") if c.scheme == scheme]
        current = {c.id: c for c in store.current("concept")}
        assert all(content_key(c) == content_key(msgspec.structs.replace(current[c.id], version=c.version))
                   for c in dct)  # nothing lost in TBX-Basic: shuyu's extra fields travel as notes


def skosify_problems(g: Graph) -> list[str]:
    """Skosify's checks (NatLibFi/Skosify): one prefLabel per language, a label in at most one of
    pref/alt/hidden, no cycle in skos:broader."""
    problems = []
    for concept in set(g.subjects(SKOS.prefLabel, None)):
        langs = [o.language for o in g.objects(concept, SKOS.prefLabel)]
        problems += [f"{concept}: two prefLabels @{lang}" for lang in {x for x in langs if langs.count(x) > 1}]
        kinds = [set(g.objects(concept, p)) for p in (SKOS.prefLabel, SKOS.altLabel, SKOS.hiddenLabel)]
        for i in range(3):
            for j in range(i + 1, 3):
                problems += [f"{concept}: {label!r} in two label kinds" for label in kinds[i] & kinds[j]]
    broader = {}
    for s, o in g.subject_objects(SKOS.broader):
        broader.setdefault(s, set()).add(o)
    for start in broader:
        seen, stack = set(), list(broader[start])
        while stack:
            node = stack.pop()
            if node == start:
                problems.append(f"{start}: broader cycle")
                break
            if node not in seen:
                seen.add(node)
                stack.extend(broader.get(node, ()))
    return problems


@pytest.mark.slow  # runs in CI, not in the fast subset (a second or more)
def test_the_skos_export_passes_skosify_checks(store):
    for scheme in schemes(store):
        _, parts = export(store, scheme, "ttl", base_uri=BASE)
        assert skosify_problems(Graph().parse(data=b"".join(parts), format="turtle")) == [], scheme


def test_the_skosify_checks_can_fail():
    g = Graph().parse(data="""@prefix skos: <http://www.w3.org/2004/02/skos/core#> . @prefix e: <http://e.org/> .
e:a skos:prefLabel "A"@en, "B"@en ; skos:altLabel "A"@en ; skos:broader e:b . e:b skos:prefLabel "C"@en ; skos:broader e:a .
""", format="turtle")
    assert len(skosify_problems(g)) == 4


@pytest.mark.slow  # runs in CI, not in the fast subset (a second or more)
def test_the_cli_exports_each_style_and_dialect(tmp_path):
    from click.testing import CliRunner

    from api.cli import main
    from api.services import Services
    from api.settings import Settings

    data = tmp_path / "data"
    Services(Settings(data_dir=str(data))).close()  # a registry with the bundled vocabulary
    seen = {}
    for style, dialect in (("dca", "basic"), ("dct", "basic"), ("dca", "min"), ("dct", "core")):
        out = tmp_path / f"{style}-{dialect}.tbx"
        result = CliRunner().invoke(main, ["export", "--scheme", "dv-terms", "--format", "tbx", "--tbx-style", style,
                                           "--tbx-dialect", dialect, "-o", str(out), "--data-dir", str(data)])
        assert result.exit_code == 0, result.output
        root = etree.parse(str(out)).getroot()
        seen[(style, dialect)] = (root.get("style"), root.get("type"))
        if dialect == "basic":
            assert basic_problems(root, style) == []
    assert seen == {("dca", "basic"): ("dca", "TBX-Basic"), ("dct", "basic"): ("dct", "TBX-Basic"),
                    ("dca", "min"): ("dca", "TBX-Min"), ("dct", "core"): ("dct", "TBX-Core")}


def test_an_exported_file_is_readable_as_the_umask_allows(tmp_path):
    """outside9: ``export -o`` wrote its temporary file's mode, 0600, where every other file the CLI writes gets
    the user's umask (0644 under the usual 022): a catalogue exported for a web server was unreadable there."""
    import os

    from click.testing import CliRunner

    from api.cli import main

    umask = os.umask(0o022)
    try:
        out = tmp_path / "standards.csv"
        result = CliRunner().invoke(main, ["export", "--scheme", "standards", "--format", "csv", "-o", str(out),
                                           "--data-dir", str(tmp_path / "data")])
    finally:
        os.umask(umask)
    assert result.exit_code == 0, result.output
    assert out.stat().st_mode & 0o777 == 0o644
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".standards.csv")]


def test_an_output_into_a_folder_that_is_not_there_names_that_folder(tmp_path):
    """outside9: export and clause named their temporary files (/nowhere/.x.csv.laqjhkz3, x.docx.part)."""
    from click.testing import CliRunner

    from api.cli import main

    missing = tmp_path / "nowhere"
    data = str(tmp_path / "data")
    for args in (["export", "--scheme", "standards", "--format", "csv", "-o", str(missing / "x.csv")],
                 ["clause", "--ids", "smart-agriculture", "--format", "docx", "-o", str(missing / "x.docx")]):
        result = CliRunner().invoke(main, [*args, "--data-dir", data])
        assert result.exit_code == 1, result.output
        assert f"no folder {missing}" in result.output, result.output
        assert ".part" not in result.output and "/.x." not in result.output and "Traceback" not in result.output
