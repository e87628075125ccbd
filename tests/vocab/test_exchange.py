"""Import and export: what changes on a re-import, time travel, proposals, and bad files that write nothing."""

from __future__ import annotations

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import SKOS

from registry.errors import VocabularyError
from registry.model import Definition
from drafting.harmonisation import harmonisation_report
from registry.sqlite import SQLiteStore
from vocab.exchange import export, import_files
from vocab.formats import Context, read
from vocab.loader import load_bundled_if_empty
from tests.vocab.conftest import BASE, imported



@pytest.fixture()
def store(tmp_path):
    s = SQLiteStore(tmp_path / "r.db")
    load_bundled_if_empty(s)
    yield s
    s.close()


def sample(store):
    """A concept of the bundled vocabulary with a definition (whatever the files hold today)."""
    return next(c for c in store.current("concept") if c.definition and c.status == "published")


def renamed(store, fmt: str = "csv") -> tuple[bytes, str, str]:
    """The concept's scheme exported as CSV with a new preferred label for it."""
    c = sample(store)
    needle = f"{c.id},{c.scheme},zh-Hans,{c.preferred},preferred".encode()
    data = exported(store, c.scheme, fmt)
    assert data.count(needle) == 1
    return data.replace(needle, needle.replace(c.preferred.encode(), (c.preferred + "体系").encode())), c.id, c.preferred + "体系"


def exported(store, scheme: str, fmt: str, **kw) -> bytes:
    _, parts = export(store, scheme, fmt, base_uri=BASE, **kw)
    return b"".join(parts)


def error_of(store, name: str, data: bytes, **kw) -> VocabularyError:
    revision = store.revision()
    with pytest.raises(VocabularyError) as info:
        imported(store, name, data, **kw)
    assert store.revision() == revision  # nothing written
    return info.value


# -- re-imports -------------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["ttl", "csv", "tbx", "toml"])
def test_reimport_of_an_unchanged_file_creates_no_version(store, fmt):
    scheme = sample(store).scheme
    data = exported(store, scheme, fmt)
    revision = store.revision()
    report = imported(store, f"{scheme}.{fmt}", data)
    assert report.created == report.revised == [] and len(report.unchanged) > 10
    assert store.revision() == revision


def test_a_changed_definition_creates_exactly_one_version_of_exactly_that_concept(store):
    concept = sample(store)
    data = exported(store, concept.scheme, "ttl")
    g = Graph().parse(data=data, format="turtle")
    node = URIRef(f"{BASE}/concepts/{concept.id}")
    g.remove((node, SKOS.definition, Literal(concept.definition, lang="zh-Hans")))
    g.add((node, SKOS.definition, Literal("以数字技术改造农业农村的发展方式。", lang="zh-Hans")))
    before = store.revision()
    report = imported(store, "changed.ttl", g.serialize(format="turtle").encode(), actor="alice")
    assert report.revised == [concept.id] and report.created == []
    events = store.changes_since(before)
    assert [(e.action, e.entity_id, e.version) for e in events] == [("revise", concept.id, concept.version + 1)]
    new = store.get("concept", concept.id)
    assert new.definition == "以数字技术改造农业农村的发展方式。"
    assert new.author == "alice" and new.change_note == "imported from changed.ttl"
    assert events[0].actor == "alice" and events[0].note == "imported from changed.ttl"


def test_dry_run_counts_and_writes_nothing(store):
    data, concept_id, _ = renamed(store)
    revision = store.revision()
    report = imported(store, "terms.csv", data, dry_run=True)
    assert report.dry_run and report.revised == [concept_id] and store.revision() == revision
    assert "would change" in report.summary()


def test_missing_concepts_are_reported_and_deprecated_only_when_asked(store):
    text = exported(store, max(store.schemes(), key=lambda s: s.id).id, "toml").decode()
    entries = text.split("\n[[concept]]\n")
    leaf = next(e for e in reversed(entries) if "broader" in e)  # a concept nothing else points at
    leaf_id = leaf.split('"')[1]
    shortened = "\n[[concept]]\n".join(e for e in entries if e is not leaf).encode()
    report = imported(store, "agri.toml", shortened)
    assert report.revised == []
    assert leaf_id in report.missing and store.get("concept", leaf_id).status == "published"
    report = imported(store, "agri.toml", shortened, deprecate_missing=True)
    assert report.deprecated == [leaf_id]
    gone = store.get("concept", leaf_id)
    assert gone.status == "deprecated" and "missing from agri.toml" in gone.change_note


def test_as_proposals_submits_every_change_for_review(store):
    from registry.workflow import Actor, Editorial

    data, concept_id, label = renamed(store)
    version_before = store.get("concept", concept_id).version
    report = imported(store, "terms.csv", data, as_proposals=True, actor="bob")
    assert len(report.proposals) == 1 and store.get("concept", concept_id).version == version_before
    proposal = store.get_proposal(report.proposals[0])
    assert proposal.state == "submitted" and proposal.author == "bob" and proposal.kind == "revise"
    Editorial(store).review(Actor("carol", "reviewer"), proposal.id, "approve")
    assert store.get("concept", concept_id).preferred == label


def test_as_proposals_writes_the_new_scheme_and_every_proposal_or_nothing(store, monkeypatch):
    """A failure while the proposals are written (the disk, the database going away) leaves neither
    the new scheme nor the first proposals behind: one transaction."""
    rows = "id,scheme,term,definition\n" + "".join(f"new-{n},brand-new,新概念{n},第{n}个新概念的定义。\n" for n in range(5))
    written = []
    original = type(store)._put_proposal

    def failing(db, proposal):
        if len(written) == 3:
            raise OSError("disk full")
        written.append(proposal.id)
        original(db, proposal)

    monkeypatch.setattr(type(store), "_put_proposal", staticmethod(failing))
    revision = store.revision()
    with pytest.raises(OSError):
        imported(store, "new.csv", rows.encode(), as_proposals=True, actor="bob")
    assert len(written) == 3  # three were written inside the transaction, then it failed
    assert store.revision() == revision and "brand-new" not in {s.id for s in store.schemes()}
    assert not [p for p in store.list_proposals(limit=1000)[0] if p.id in written]
    monkeypatch.setattr(type(store), "_put_proposal", staticmethod(original))
    report = imported(store, "new.csv", rows.encode(), as_proposals=True, actor="bob")
    assert len(report.proposals) == 5 and "brand-new" in {s.id for s in store.schemes()}
    assert {p.target_id for p in store.list_proposals(state="submitted")[0]} >= {f"new-{n}" for n in range(5)}


def test_proposals_imported_into_a_new_store_keep_the_bundled_vocabulary_out(empty):
    """A registry started with ``import --as-proposals`` holds schemes and proposals but no published
    entity yet: the first ``serve`` must not load the bundled vocabulary over it (its concepts would
    be published unreviewed, and a pending proposal for the same id could only conflict)."""
    from registry.workflow import Actor, Editorial

    rows = "id,scheme,term,definition\n" + "".join(f"new-{n},brand-new,新概念{n},第{n}个新概念的定义。\n" for n in range(3))
    report = imported(empty, "new.csv", rows.encode(), as_proposals=True, actor="bob")
    assert len(report.proposals) == 3 and not empty.current("concept")
    assert not empty.is_empty()
    assert load_bundled_if_empty(empty) is False
    assert not empty.current("concept") and {s.id for s in empty.schemes()} == {"brand-new"}
    Editorial(empty).review(Actor("carol", "reviewer"), report.proposals[0], "approve")
    assert [c.id for c in empty.current("concept")] == [empty.get_proposal(report.proposals[0]).target_id]


def test_export_of_an_old_release_gives_that_release(store):
    concept = sample(store)
    old = exported(store, concept.scheme, "toml")
    store.add_release("2024.1", actor="admin")
    g = Graph().parse(data=exported(store, concept.scheme, "ttl"), format="turtle")
    g.add((URIRef(f"{BASE}/concepts/{concept.id}"), SKOS.altLabel, Literal("发布后新增的同义词", lang="zh-Hans")))
    imported(store, "new.ttl", g.serialize(format="turtle").encode())
    assert exported(store, concept.scheme, "toml", release="2024.1") == old
    assert "发布后新增的同义词".encode() in exported(store, concept.scheme, "toml")


def test_imported_uris_are_kept_and_a_reimport_updates_the_same_concepts(empty):
    turtle = """@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
<http://example.org/v> a skos:ConceptScheme ; skos:prefLabel "示例词表"@zh .
<http://example.org/v/1> a skos:Concept ; skos:inScheme <http://example.org/v> ; skos:prefLabel "智慧农业"@zh-CN ;
    skos:altLabel "智能農業"@zh-Hant , "smart farming"@en ; skos:hiddenLabel "智农"@zh .
<http://example.org/v/2> a skos:Concept ; skos:prefLabel "農業"@zh-TW, "農業"@zh ; skos:narrower <http://example.org/v/1> .
"""
    imported(empty, "v.ttl", turtle.encode())
    one = next(c for c in empty.current("concept") if c.uri == "http://example.org/v/1")
    two = next(c for c in empty.current("concept") if c.uri == "http://example.org/v/2")
    assert one.broader == (two.id,)  # narrower stated on one side only
    assert {(t.text, t.lang, t.type) for t in one.terms} == {
        ("智慧农业", "zh-CN", "preferred"), ("智能農業", "zh-Hant", "admitted"),
        ("smart farming", "en", "admitted"), ("智农", "zh", "hidden")}  # every label keeps its own tag, never re-tagged
    assert one.preferred == "智慧农业"  # zh-CN is Simplified: the concept's Chinese name
    # a zh label in Traditional characters keeps its text and its tag (search folds it)
    assert {(t.text, t.lang) for t in two.terms if t.type == "preferred"} == {("農業", "zh-TW"), ("農業", "zh")}
    assert two.preferred == "農業"
    ttl = exported(empty, one.scheme, "ttl")
    g = Graph().parse(data=ttl, format="turtle")
    assert (URIRef(f"{BASE}/concepts/{one.id}"), SKOS.exactMatch, URIRef("http://example.org/v/1")) in g
    report = imported(empty, "v.ttl", turtle.replace("smart farming", "smart agriculture").encode())
    assert report.revised == [one.id] and report.created == []
    again = imported(empty, "ours.ttl", exported(empty, one.scheme, "ttl"))
    assert again.created == again.revised == []


def test_standards_travel_in_skos_and_csv(store, empty):
    for fmt in ("ttl", "csv"):
        standards = read(exported(store, "standards", fmt), f"s.{fmt}", fmt, Context(base_uri=BASE)).standards
        assert {s.id for s in standards} == {s.id for s in store.current("standard")}
        by_id = {s.id: s for s in standards}
        for s in store.current("standard"):
            got = by_id[s.id]
            assert (got.code, got.title, got.status, got.issued, set(got.concepts)) == \
                (s.code, s.title, s.status, s.issued, set(s.concepts))


# -- bad input --------------------------------------------------------------------------------------

def test_broken_turtle_names_file_and_line(empty):
    err = error_of(empty, "bad.ttl", b'@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n<a> skos:prefLabel "x .\n')
    assert str(err).startswith("bad.ttl:2: syntax:")


@pytest.mark.parametrize("fmt, body", [
    ("tbx", b'<?xml version="1.0"?>\n<!DOCTYPE tbx [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n<tbx>&x;</tbx>'),
    ("rdf", b'<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>\n<r>&b;</r>'),
])
def test_xml_with_a_dtd_or_an_entity_is_refused(empty, fmt, body):
    err = error_of(empty, f"evil.{fmt}", body)
    assert err.field == "DOCTYPE" and err.line == 2 and "passwd" not in str(err)


def test_a_remote_jsonld_context_is_never_fetched(empty):
    err = error_of(empty, "x.jsonld", b'{"@context": "http://schema.org/", "@id": "http://a/b"}')
    assert err.field == "@context"


def test_csv_with_a_missing_column(empty):
    err = error_of(empty, "x.csv", b"id,scheme,lang\nc-one,s,zh-Hans\n")
    assert str(err) == "x.csv:1: term: missing column 'term'; the first row names the columns " \
        "(id, scheme, lang, term, type, definition, definition_en, broader, related, notation, grade, grade_factors, kind, status, " \
        "replaced_by, notes, examples, source, uri)"


def test_csv_with_a_bad_encoding_names_the_line(empty):
    data = "id,scheme,term\nab,s,数字乡村\n".encode() + "cd,s,数字乡村\n".encode("gbk")
    err = error_of(empty, "x.csv", data)
    assert err.line == 3 and err.field == "encoding" and "UTF-8" in str(err)


def test_csv_with_and_without_bom_read_alike(empty):
    body = "id,scheme,lang,term,type,definition\nab,s1,zh-Hans,数字乡村,规范术语,定义。\nab,s1,en,digital village,,\n"
    plain = read(body.encode(), "a.csv", "csv")
    bom = read(b"\xef\xbb\xbf" + body.encode(), "a.csv", "csv")
    assert plain.concepts == bom.concepts and plain.concepts[0].terms[1].type == "admitted"


def test_a_cycle_in_broader_names_the_subject(empty):
    turtle = """@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
<http://e.org/a> skos:prefLabel "甲"@zh ; skos:broader <http://e.org/b> .
<http://e.org/b> skos:prefLabel "乙"@zh ; skos:broader <http://e.org/a> .
""".encode()
    err = error_of(empty, "cycle.ttl", turtle)
    assert "cycle" in str(err) and "<http://e.org/" in str(err) and err.field == "broader"


def test_homonyms_across_concepts_are_kept_warned_and_in_the_harmonisation_report(empty):
    body = "id,scheme,lang,term,type\naa,sx,zh-Hans,数字乡村,preferred\nbb,sx,zh-Hans,數字鄉村,preferred\n"
    report = imported(empty, "dup.csv", body.encode())  # refused before issue 24: thesauri hold homonyms
    assert report.created == ["aa", "bb"] and report.homonyms == ["數字鄉村 (sx): aa, bb"]
    assert any("homonym" in w for w in report.warnings)
    shared = harmonisation_report(empty.current("concept")).shared_labels
    assert {side.id for s in shared for side in s.concepts} >= {"aa", "bb"}
    # within one concept the rules stay: two preferred terms in one language are refused
    err = error_of(empty, "two.csv", b"id,scheme,lang,term,type\ncc,sx,en,a,preferred\ncc,sx,en,b,preferred\n")
    assert str(err).startswith("two.csv:2: terms:") and "two preferred en terms" in str(err)


def test_a_relation_to_nothing_names_the_line(empty):
    body = "id,scheme,term,broader\naa,sx,甲,nowhere\n"
    err = error_of(empty, "rel.csv", body.encode())
    assert str(err).startswith("rel.csv:2: broader:") and "nowhere" in str(err)


def test_tbx_reports_the_line_of_a_broken_element(empty):
    err = error_of(empty, "x.tbx", b'<?xml version="1.0"?>\n<tbx>\n<text><body>\n<conceptEntry id="a">\n</body></text></tbx>')
    assert err.field == "syntax" and err.line in (4, 5)


def test_csv_carries_definitions_in_other_languages_as_definition_at_tag_columns(empty, tmp_path):
    """A third language's definition has a column of its own (``definition@es``); the round trip is exact, also
    through the real termbase whose es and en-US definitions go nowhere else."""
    from pathlib import Path

    from vocab.exchange import content_key

    body = ("id,scheme,lang,term,type,definition,definition_en,definition@es,Definition@en-us\r\n"
            "c-cluster,sx,zh-Hans,疏散星团,preferred,由同一星云形成的一群恒星。,A group of stars.,Un grupo de estrellas.,"
            "A group of stars (US).\r\n"
            "c-cluster,sx,es,cúmulo abierto,preferred,,,,\r\n"
            "c-disk,sx,zh-Hans,吸积盘,preferred,,,,\r\n")
    imported(empty, "defs.csv", body.encode())
    concept = next(c for c in empty.current("concept") if c.id == "c-cluster")
    assert {(d.text, d.lang) for d in concept.definitions} == {("Un grupo de estrellas.", "es"),
                                                               ("A group of stars (US).", "en-US")}
    out = exported(empty, "sx", "csv")
    header = out.decode("utf-8-sig").splitlines()[0]
    assert header.endswith(",uri,definition@en-US,definition@es")
    again = SQLiteStore(tmp_path / "again.db")
    try:
        imported(again, "sx.csv", out)
        assert {c.id: content_key(c) for c in again.current("concept")} == \
            {c.id: content_key(c) for c in empty.current("concept")}
        # a real termbase: Spanish definitions (TBX-Basic example) travel through CSV and back
        data = Path(__file__).parent.parent / "data" / "tbx-basic-astronomy-dct.tbx"
        imported(again, data.name, data.read_bytes())
        before = {c.id: content_key(c) for c in again.current("concept") if c.scheme == "tbx-basic-astronomy-dct"}
        assert any(d.lang == "es" for c in again.current("concept") for d in c.definitions)
        third = SQLiteStore(tmp_path / "third.db")
        try:
            imported(third, "astro.csv", exported(again, "tbx-basic-astronomy-dct", "csv"))
            assert {c.id: content_key(c) for c in third.current("concept")} == before
        finally:
            third.close()
    finally:
        again.close()


def test_csv_keeps_several_definitions_per_language_and_any_tag(empty, tmp_path):
    """``definition@en`` and ``definition@zh-CN`` are read back with their tags (beside the ``definition`` and
    ``definition_en`` columns), and a language with two definitions has two ``definition@TAG`` columns."""
    from vocab.exchange import content_key

    body = ("id,scheme,lang,term,type,definition,definition_en,definition@zh-CN,definition@en,definition@es,"
            "definition@es\r\n"
            "c-bank,sx,zh-CN,银行,preferred,,A bank.,经营货币的机构。,A financial institution.,Un banco.,"
            "Una entidad financiera.\r\n"
            "c-shore,sx,zh-Hans,河岸,preferred,河流两边的陆地。,,,,La orilla.,\r\n")
    imported(empty, "defs.csv", body.encode())
    bank = empty.get("concept", "c-bank")
    assert (bank.definition, bank.definition_en) == ("", "A bank.")
    assert bank.definitions == (Definition(text="经营货币的机构。", lang="zh-CN"),
                                Definition(text="A financial institution.", lang="en"),
                                Definition(text="Un banco.", lang="es"), Definition(text="Una entidad financiera.", lang="es"))
    assert bank.chinese_definition == "经营货币的机构。" and bank.preferred == "银行"
    out = exported(empty, "sx", "csv")
    assert out.decode("utf-8-sig").splitlines()[0].endswith(",uri,definition@zh-CN,definition@en,definition@es,definition@es")
    again = SQLiteStore(tmp_path / "again.db")
    try:
        imported(again, "sx.csv", out)
        assert {c.id: content_key(c) for c in again.current("concept")} == \
            {c.id: content_key(c) for c in empty.current("concept")}
        assert exported(again, "sx", "csv") == out
    finally:
        again.close()


@pytest.mark.parametrize("column, message", [
    ("definition@", "not a language tag in column 'definition@'"),
    ("definition@zh-", "not a language tag in column 'definition@zh-'"),
])
def test_a_bad_definition_column_names_line_1(empty, column, message):
    err = error_of(empty, "x.csv", f"id,scheme,lang,term,{column}\nc-one,sx,zh-Hans,一,x\n".encode())
    assert str(err).startswith("x.csv:1: ") and message in str(err)


def test_an_import_reports_real_progress_stage_by_stage(empty):
    """The CLI's progress bar (rich) follows these calls: bytes read per file, each entity compared, the write."""
    calls = []
    files = [(f"p{n}.csv", b"id,scheme,lang,term\n" + "".join(
        f"c{n}-{i},sx,zh-Hans,概念{n}{i}\n" for i in range(5)).encode()) for n in range(2)]
    import_files(empty, files, actor="importer", base_uri=BASE, progress=lambda d, t, w: calls.append((d, t, w)))
    reading = [c for c in calls if c[2].startswith("reading")]
    assert [w for _, _, w in reading] == ["reading p0.csv", "reading p1.csv"]
    assert reading[0][0] == 0 and reading[1][0] == len(files[0][1]) and reading[1][1] == sum(len(d) for _, d in files)
    comparing = [c[:2] for c in calls if c[2] == "comparing with the registry"]
    assert comparing == [(n, 10) for n in range(1, 11)]
    assert calls[-2:] == [(0, None, "writing 10 versions in one transaction"), (10, 10, "written")]
