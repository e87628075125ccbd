"""Issue 24 and issue 20 (items 5 and 8): every problem at once, dry runs and --skip-invalid, language tags
kept through every format, mojibake and not-kept warnings, CSV cells never run as formulas, and hostile files
(deep nesting, too many triples, entities) refused as one line, never a crash."""

from __future__ import annotations

import csv
import io

import pytest
from click.testing import CliRunner

from api.cli import main
from registry.errors import VocabularyError
from registry.model import ConceptVersion, Definition, Scheme, Term
from vocab import formats
from vocab.exchange import export, import_files
from vocab.formats import Context, TooLarge, Vocabulary, read, write
from tests.vocab.conftest import BASE, imported



def cli(tmp_path, *args: str):
    return CliRunner().invoke(main, ["import", *args, "--data-dir", str(tmp_path / "data")])


# -- every problem at once -----------------------------------------------------------------------

NT_LINE = '<http://e.org/c{n}> <http://www.w3.org/2004/02/skos/core#prefLabel> "概念{n}"@zh .\n'


def test_an_n_triples_syntax_error_names_its_line(empty):
    lines = [NT_LINE.format(n=n) for n in range(1, 12)]
    lines[7] = '<http://e.org/c8> <http://www.w3.org/2004/02/skos/core#prefLabel> "概念8"@zh\n'  # no final dot
    lines[10] = "<http://e.org/c11> broken .\n"
    with pytest.raises(VocabularyError) as info:
        imported(empty, "t.nt", "".join(lines).encode())
    problems = info.value.problems
    assert [(p.line, p.field) for p in problems] == [(8, "syntax"), (11, "syntax")]
    assert str(info.value).splitlines()[1].startswith("t.nt:8: syntax: not valid N-Triples")
    assert empty.revision() == 0


def twenty_problems() -> str:
    rows = ["id,scheme,lang,term,broader"] + [f"c{n:02d},sx,zh-Hans,概念{n},nowhere-{n}" for n in range(20)]
    return "\n".join(rows + ["ok,sx,zh-Hans,好概念,"]) + "\n"


def test_a_file_with_twenty_problems_gets_twenty_lines(tmp_path):
    path = tmp_path / "twenty.csv"
    path.write_text(twenty_problems(), encoding="utf-8")
    result = cli(tmp_path, str(path))
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0] == "error: 20 problems; nothing was imported (--skip-invalid imports the rest):"
    assert len(lines) == 21 and all(line.startswith(f"{path}:") and "broader" in line for line in lines[1:])
    assert lines[1].startswith(f"{path}:2: broader:") and lines[20].startswith(f"{path}:21: broader:")


def test_a_dry_run_lists_the_problems_with_the_counts(tmp_path):
    path = tmp_path / "twenty.csv"
    path.write_text(twenty_problems(), encoding="utf-8")
    result = cli(tmp_path, str(path), "--dry-run")
    assert result.exit_code == 1
    assert result.output.startswith("would change: twenty.csv; created: 21, revised: 0, unchanged: 0, problems: 20")
    assert "nothing was imported" not in result.output
    assert result.output.count("\nproblem: ") == 20


def test_skip_invalid_imports_the_valid_entries_and_lists_the_others(tmp_path, empty):
    report = imported(empty, "twenty.csv", twenty_problems().encode(), skip_invalid=True)
    assert report.created == ["ok"] and len(report.skipped) == 20 and len(report.problems) == 20
    assert [c.id for c in empty.current("concept")] == ["ok"]
    # a concept that links to a skipped one is skipped too, and said so
    data = "id,scheme,lang,term,broader\nbad,sx,en,x,nowhere\nchild,sx,zh-Hans,子,bad\n"
    report = imported(empty, "chain.csv", data.encode(), skip_invalid=True)
    assert report.created == [] and report.skipped == ["bad", "child"]


# -- language tags ---------------------------------------------------------------------------------

def tagged_concept() -> ConceptVersion:
    return ConceptVersion(
        id="tagged", scheme="tags", terms=(
            Term(text="智慧农业", lang="zh-Hans", type="preferred"), Term(text="智慧農業", lang="zh-Hant"),
            Term(text="智慧農業", lang="zh-TW", type="admitted"), Term(text="smart farming", lang="en-US"),
            Term(text="agricultura inteligente", lang="es"), Term(text="ukulima okuhlakaniphile", lang="zu"),
            Term(text="smart agriculture", lang="en", type="preferred")),
        definition="用数字技术经营的农业。", definition_en="Farming run with digital technology.",
        definitions=(Definition(text="Agricultura gestionada con tecnología digital.", lang="es"),))


@pytest.mark.parametrize("fmt", ["ttl", "rdf", "jsonld", "nt", "tbx", "toml", "csv"])
def test_every_text_keeps_its_language_tag_through_a_format(fmt):
    concept = tagged_concept()
    vocabulary = Vocabulary(name="tags", schemes=[Scheme(id="tags", title="标签")], concepts=[concept])
    data = b"".join(write(vocabulary, fmt, Context(base_uri=BASE)))
    back = read(data, f"tags.{fmt}", fmt, Context(base_uri=BASE)).concepts[0]
    assert {(t.text, t.lang, t.type) for t in back.terms} == {(t.text, t.lang, t.type) for t in concept.terms}
    assert (back.definition, back.definition_en) == (concept.definition, concept.definition_en)
    if fmt != "csv":  # the CSV layout has no column for a third language's definition
        assert back.definitions == concept.definitions
    assert b'"smart farming"@zh' not in data and b'xml:lang="zh-Hans"><term>smart' not in data


def test_an_entry_in_zulu_only_imports_with_its_tag(empty):
    tbx = """<?xml version="1.0"?>
<tbx type="TBX-Basic" style="dca" xml:lang="en" xmlns="urn:iso:std:iso:30042:ed-2"><text><body>
<conceptEntry id="z1"><langSec xml:lang="zu"><termSec><term>umhlaba</term>
<termNote type="administrativeStatus">preferredTerm-admn-sts</termNote></termSec></langSec></conceptEntry>
<conceptEntry id="z2"><langSec xml:lang="zh-CN"><termSec><term>土地</term></termSec></langSec></conceptEntry>
</body></text></tbx>""".encode()
    report = imported(empty, "zulu.tbx", tbx)  # refused whole before issue 24
    assert sorted(report.created) == ["zulu-z1", "zulu-z2"]
    assert any("1 concept(s) have no Simplified Chinese preferred term" in w for w in report.warnings)
    zulu = empty.get("concept", "zulu-z1")
    assert zulu.terms == (Term(text="umhlaba", lang="zu", type="preferred"),) and zulu.preferred == "umhlaba"
    assert empty.get("concept", "zulu-z2").terms == (Term(text="土地", lang="zh-CN", type="preferred"),)  # never re-tagged
    _, parts = export(empty, "zulu", "tbx", base_uri=BASE)
    assert b'<langSec xml:lang="zu">' in b"".join(parts)


def test_mojibake_chinese_is_warned_about(empty):
    garbled = "数字乡村".encode().decode("latin-1")  # what a wrong code page makes of it
    data = f"id,scheme,lang,term\nok,sx,zh-Hans,数字乡村\nbad,sx,zh-Hans,{garbled}\n".encode()
    turtle = ('@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n<http://e.org/a> a skos:Concept ; '
              f'skos:prefLabel "{garbled}"@zh , "x\ufffdy"@zh-TW .\n').encode()
    report = imported(empty, "m.ttl", turtle)
    assert any("mojibake" in w and "2 Chinese" in w for w in report.warnings)
    csv_report = imported(empty, "m.csv", data)  # CSV: imported, and the garbled term warned about
    assert csv_report.created == ["bad", "ok"] or sorted(csv_report.created) == ["bad", "ok"]
    assert any("mojibake" in w and "1 Chinese" in w and garbled in w for w in csv_report.warnings)


def test_each_kind_of_data_not_kept_is_one_warning(empty):
    turtle = b"""@prefix skos: <http://www.w3.org/2004/02/skos/core#> . @prefix ex: <http://e.org/> .
ex:a a skos:Concept ; skos:prefLabel "A"@en ; ex:colour "red" ; skos:changeNote "n1" ; skos:broader ex:outside .
ex:b a skos:Concept ; skos:prefLabel "B"@en ; ex:colour "blue" ; skos:changeNote "n2" .
"""
    report = imported(empty, "k.ttl", turtle)
    kinds = [w for w in report.warnings if "not kept" in w]
    assert any("2 × <ex:colour>" in w or "2 × <http://e.org/colour>" in w for w in kinds)
    assert any("2 × <skos:changeNote>" in w for w in kinds)
    assert any("1 × skos:broader link to a concept neither in the files nor in the registry" in w for w in kinds)


def test_concepts_without_a_scheme_in_a_file_with_several_go_to_one_made_for_the_file(empty):
    turtle = b"""@prefix skos: <http://www.w3.org/2004/02/skos/core#> . @prefix ex: <http://e.org/> .
ex:s1 a skos:ConceptScheme ; skos:prefLabel "S1"@en . ex:s2 a skos:ConceptScheme ; skos:prefLabel "S2"@en .
ex:a a skos:Concept ; skos:prefLabel "A"@en ; skos:inScheme ex:s1 .
ex:b a skos:Concept ; skos:prefLabel "B"@en .
"""
    imported(empty, "several.ttl", turtle)  # refused before issue 24
    assert {c.preferred: c.scheme for c in empty.current("concept")} == {"A": "e-org-s1", "B": "several"}


# -- CSV cells never run as formulas (issue 20, item 5) --------------------------------------------

FORMULAS = ["=HYPERLINK(\"http://evil\",\"x\")", "+1+1", "-2+3", "@SUM(A1)", "\tTAB", "'=already quoted", "plain"]


def test_csv_cells_that_start_a_formula_are_written_quoted_and_read_back_exact(empty):
    concept = ConceptVersion(
        id="formulas", scheme="sx", terms=(Term(text="公式", lang="zh-Hans", type="preferred"),
                                           *(Term(text=f, lang="en", type="admitted") for f in FORMULAS if f != "\tTAB")),
        definition="-负号开头的定义", definition_en="\tTAB", notes=("@note", "\rreturn"))
    empty.append([concept], schemes=[Scheme(id="sx", title="sx")], actor="t")
    _, parts = export(empty, "sx", "csv", base_uri=BASE)
    data = b"".join(parts)
    cells = [cell for row in list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))[1:] for cell in row]
    assert not any(cell[:1] in ("=", "+", "-", "@", "\t", "\r") for cell in cells)  # public exports, in Excel
    assert "'=HYPERLINK(\"http://evil\",\"x\")" in cells and "''=already quoted" in cells and "plain" in cells
    assert "'-负号开头的定义" in cells and "'\tTAB" in cells
    back = read(data, "f.csv", "csv", Context(base_uri=BASE)).concepts[0]
    assert {(t.text, t.type) for t in back.terms} == {(t.text, t.type) for t in concept.terms}
    assert (back.definition, back.notes) == (concept.definition, ("@note", "return"))  # a cell's lines are stripped


# -- hostile files (issue 20, item 8) ---------------------------------------------------------------

def test_toml_nested_10000_deep_is_one_line(tmp_path):
    path = tmp_path / "deep.toml"
    path.write_text("x = " + "[" * 10_000 + "]" * 10_000 + "\n", encoding="utf-8")
    result = cli(tmp_path, str(path))
    assert result.exit_code == 1 and result.output.count("\n") == 1
    assert result.output.startswith(f"error: {path}:1: depth: nested more than 200 levels deep")


def test_json_ld_nested_100000_deep_is_one_line(tmp_path):
    path = tmp_path / "deep.jsonld"
    path.write_text('{"a": ' + "[" * 100_000 + "]" * 100_000 + "}", encoding="utf-8")
    for dry in ((), ("--dry-run",)):  # a hostile file is refused at once, by a dry run too
        result = cli(tmp_path, str(path), *dry)
        assert result.exit_code == 1 and result.output.count("\n") == 1 and "depth" in result.output


def test_a_deep_file_is_refused_even_when_the_scan_misses_it(empty, monkeypatch):
    monkeypatch.setitem(formats.LIMITS, "depth", 10**9)  # the parser's own recursion: still a problem, not a crash
    with pytest.raises(VocabularyError) as info:
        imported(empty, "deep.toml", b"x = " + b"[" * 10_000 + b"]" * 10_000)
    assert "nested too deeply" in str(info.value)


def test_too_many_triples_stop_the_parse(empty, monkeypatch):
    monkeypatch.setitem(formats.LIMITS, "triples", 100)
    data = "".join(NT_LINE.format(n=n) for n in range(1000)).encode()
    with pytest.raises(TooLarge) as info:
        imported(empty, "big.nt", data, dry_run=True)
    assert info.value.status == 413 and "more than 100 triples" in str(info.value)


def test_a_file_over_the_byte_limit_is_refused(empty, monkeypatch):
    monkeypatch.setitem(formats.LIMITS, "bytes", 1000)
    with pytest.raises(TooLarge):
        imported(empty, "big.csv", b"id,scheme,term\n" + b"a,b,c\n" * 500)


@pytest.mark.parametrize("doctype", [
    b'<!DOCTYPE martif [<!ENTITY x SYSTEM "file:///etc/passwd">]>',
    b'<!DOCTYPE martif SYSTEM "x.dtd" [<!ENTITY a "aaaa">]>',
    b'<!DOCTYPE martif SYSTEM "x.dtd" [ ]>',
])
def test_tbx_entities_and_internal_subsets_stay_refused(empty, doctype):
    data = b'<?xml version="1.0"?>\n' + doctype + b'\n<martif xml:lang="en"><text><body/></text></martif>'
    with pytest.raises(VocabularyError) as info:
        imported(empty, "x.tbx", data, dry_run=True)
    assert info.value.field == "DOCTYPE" and info.value.line == 2 and "passwd" not in str(info.value)


def test_a_plain_tbx_2008_doctype_is_read_without_loading_it(empty):
    data = """<?xml version="1.0"?>
<!DOCTYPE martif SYSTEM "http://127.0.0.1:9/never-fetched.dtd">
<martif type="TBX" xml:lang="en"><text><body><termEntry id="a"><langSet xml:lang="zh-CN"><tig><term>土地</term>
</tig></langSet></termEntry></body></text></martif>""".encode()
    assert imported(empty, "plain.tbx", data).created == ["plain-a"]


def test_homonyms_import_on_both_stores(store):
    """The store's own check inside the write transaction allows what the import allowed (SQLite, PostgreSQL)."""
    data = "id,scheme,lang,term,type\naa,sx,zh-Hans,农业,preferred\nbb,sx,zh-Hans,農業,preferred\n".encode()
    report = import_files(store, [("h.csv", data)], actor="importer", base_uri=BASE)
    assert sorted(report.created) == ["aa", "bb"] and report.revision
    assert {c.id for c in store.current("concept")} == {"aa", "bb"}
    again = import_files(store, [("h.csv", data)], actor="importer", base_uri=BASE)
    assert sorted(again.unchanged) == ["aa", "bb"]


# -- a syntax error on line 8 names line 8, in every format ---------------------------------------

TTL_HEAD = "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n@prefix e: <http://e.org/> .\n\n"
LINE_8 = {  # each file's line 8 is broken; lines 1-7 are fine
    "toml": ('[scheme]\nid = "sx"\ntitle = "示例"\n\n[[concepts]]\nid = "c-one"\nterms = [{ text = "一", type = "preferred" }]\n'
             'definition = "未闭合\n\n[[concepts]]\nid = "c-two"\n'),
    "csv": ("id,scheme,lang,term\n" + "".join(f"c{n},sx,zh-Hans,概念{n}\n" for n in range(2, 8))
            + 'c8,sx,zh-Hans,"概念8\n'),
    "tbx": ('<?xml version="1.0" encoding="UTF-8"?>\n<tbx xmlns="urn:iso:std:iso:30042:ed-2" type="TBX-Basic" style="dca" xml:lang="en">\n'
            "<text><body>\n"
            '<conceptEntry id="c1">\n<langSec xml:lang="zh-CN">\n<termSec><term>一</term></termSec>\n</langSec>\n'
            "</conceptEntryy>\n</body></text></tbx>\n"),
    "ttl": (TTL_HEAD + "e:c1 a skos:Concept ;\n  skos:prefLabel \"一\"@zh .\ne:c2 a skos:Concept ;\n"
            '  skos:prefLabel "二"@zh ;\n  skos:broader <http://e.org/c1 .\ne:c4 a skos:Concept .\n'),
    "nt": "".join(NT_LINE.format(n=n) for n in range(1, 8)) + "<http://e.org/c8> broken .\n" + NT_LINE.format(n=9),
    "rdf": ('<?xml version="1.0" encoding="UTF-8"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"\n'
            '  xmlns:skos="http://www.w3.org/2004/02/skos/core#">\n<skos:Concept rdf:about="http://e.org/c1">\n'
            '  <skos:prefLabel xml:lang="zh">一</skos:prefLabel>\n</skos:Concept>\n<skos:Concept rdf:about="http://e.org/c2">\n'
            '  <skos:prefLabel xml:lang="zh">二 & 三</skos:prefLabel>\n</skos:Concept>\n</rdf:RDF>\n'),
}


@pytest.mark.parametrize("fmt", sorted(LINE_8))
def test_a_syntax_error_on_line_8_names_line_8(empty, tmp_path, fmt):
    body = LINE_8[fmt]
    assert all(line for line in body.splitlines()[:7]) or fmt in ("toml", "ttl")  # line 8 is where it breaks
    with pytest.raises(VocabularyError) as info:
        imported(empty, f"f.{fmt}", body.encode())
    first = str(info.value).splitlines()[-1] if getattr(info.value, "problems", None) else str(info.value)
    assert first.startswith(f"f.{fmt}:8: "), str(info.value)
    assert empty.revision() == 0
    path = tmp_path / f"f.{fmt}"  # the CLI: one line naming file and line 8, no traceback
    path.write_bytes(body.encode())
    result = cli(tmp_path, str(path))
    assert result.exit_code == 1 and f"{path}:8: " in result.output and "Traceback" not in result.output


TWENTY = {  # twenty bad entries and one good one, per format
    "csv": twenty_problems(),
    "tbx": ('<?xml version="1.0" encoding="UTF-8"?>\n<tbx xmlns="urn:iso:std:iso:30042:ed-2" type="TBX-Basic" style="dca">\n'
            "<text><body>\n"
            + "".join(f'<conceptEntry id="c{n}"><langSec xml:lang="zh-CN"><termSec><term>概念{n}</term></termSec>'
                      f'</langSec><ref type="crossReference" target="nowhere-{n}">x</ref></conceptEntry>\n'
                      for n in range(20))
            + '<conceptEntry id="ok"><langSec xml:lang="zh-CN"><termSec><term>好概念</term></termSec></langSec></conceptEntry>\n'
            "</body></text></tbx>\n"),
    "nt": "".join(f"<http://e.org/c{n}> broken .\n" for n in range(20)) + NT_LINE.format(n=99),
}


@pytest.mark.parametrize("fmt", sorted(TWENTY))
def test_twenty_problems_are_twenty_lines_in_each_format(tmp_path, fmt):
    path = tmp_path / f"twenty.{fmt}"
    path.write_text(TWENTY[fmt], encoding="utf-8")
    result = cli(tmp_path, str(path))
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0] == "error: 20 problems; nothing was imported (--skip-invalid imports the rest):", result.output
    assert len(lines) == 21 and all(line.startswith(f"{path}:") for line in lines[1:])
    assert len({line.split(":")[1] for line in lines[1:]}) == 20  # each names its own line


ILL_TYPED = b"""@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<http://example.org/s> a skos:ConceptScheme ; skos:prefLabel "s"@en .
<http://example.org/c1> a skos:Concept ; skos:inScheme <http://example.org/s> ; skos:prefLabel "\xe6\x97\xa5\xe6\x9c\x9f"@zh-Hans ;
    dct:modified "1986-21-00"^^xsd:date .
"""


def test_a_literal_that_is_not_a_value_of_its_datatype_is_a_warning_not_a_logged_traceback(empty, caplog, tmp_path):
    """Skosmos's own test vocabulary holds "1986-21-00"^^xsd:date on purpose: rdflib logged a warning with a
    traceback for it, which ``shuyu import`` printed on the terminal (and a server into its log)."""
    with caplog.at_level("WARNING"):
        report = imported(empty, "dates.ttl", ILL_TYPED)
    assert not [r for r in caplog.records if r.exc_info or "Failed to convert" in r.getMessage()]
    assert report.created == ["c1"] and any("1 literal(s) whose text is not a value of its datatype" in w
                                            for w in report.warnings), report.warnings
    (tmp_path / "dates.ttl").write_bytes(ILL_TYPED)
    result = cli(tmp_path, str(tmp_path / "dates.ttl"), "--dry-run")
    assert result.exit_code == 0 and "Traceback" not in result.output and "xsd:date" in result.output, result.output


def test_a_turtle_syntax_error_deep_in_a_file_names_its_own_line(empty):
    """outside9: rdflib's own line count drifts in Turtle, a line more for each language-tagged literal that
    ends a line before a comma (a break on line 5000 of our own export was reported on line 5676): the line is
    counted from where the parser stopped."""
    entries = "".join(f'e:c{n} a skos:Concept ;\n  skos:prefLabel "concept {n}"@en,\n    "概念{n}"@zh .\n\n'
                      for n in range(200))
    lines = (TTL_HEAD + entries).splitlines(keepends=True)
    lines[399] = lines[399].rstrip("\n") + " @@@ broken\n"
    with pytest.raises(VocabularyError) as info:
        imported(empty, "deep.ttl", "".join(lines).encode())
    assert str(info.value).startswith("deep.ttl:400: syntax: not valid TTL"), str(info.value)
