"""The term checker (drafting/checker.py, drafting/matching.py): matches at the right offsets of the original text, and every
problem named with its fix — on the bundled content and on small registries built here."""

from __future__ import annotations

import re

import pytest

from registry.model import ConceptVersion, Term
from registry.text import converter
from search.analysis import expand_query
from search.catalog import Catalog
from drafting.checker import check, memo_for
from drafting.drafts import MAX_TEXT_BYTES, decode_text
from drafting.matching import fold_aligned, matcher_for
from registry.errors import InvalidInput
from tests.conftest import concept


def only_concept(catalog: Catalog, label: str) -> ConceptVersion:
    matches = catalog.lookup(label, expand_query(label))
    assert len({m.id for m in matches}) == 1, f"{label} should name one concept: {matches}"
    return catalog.concepts[matches[0].id]


def unique_term(catalog: Catalog, wanted) -> tuple[ConceptVersion, Term]:
    """The first term of the content (by concept id) that ``wanted`` accepts and that names only its concept."""
    for c in sorted(catalog.concepts.values(), key=lambda c: c.id):
        for term in c.terms:
            if wanted(c, term) and {m.id for m in catalog.lookup(term.text)} == {c.id}:
                return c, term
    pytest.fail("the bundled content has no such term")


def at(result, start: int):
    found = [m for m in result.matches if m.start == start]
    assert found, f"nothing found at {start}: {[(m.start, m.text) for m in result.matches]}"
    return found[0]


def test_sample_draft_paragraph_is_marked_up_with_every_problem_and_fix(bundled_catalog):
    """Must show: 數位鄉村, 行動支付, a deprecated term, an abbreviation, an English term and one concept
    written two ways, each found at its offset, each problem named with its fix."""
    catalog = bundled_catalog
    village = only_concept(catalog, "數位鄉村")
    payment = only_concept(catalog, "行動支付")
    smart = only_concept(catalog, "农村电商")  # a concept with an English term and an admitted synonym
    used = {village.id, payment.id, smart.id}
    old_concept, old_term = unique_term(catalog, lambda c, t: t.type in ("deprecated", "superseded") and c.status == "published"
                                        and t.lang == "zh-Hans" and c.id not in used)
    abbr_concept, abbr = unique_term(catalog, lambda c, t: t.type == "abbreviation" and re.fullmatch(r"[A-Za-z0-9]+", t.text)
                                     and c.status == "published" and c.id not in used)
    admitted = next(t.text for t in smart.terms if t.type == "admitted" and t.lang == "zh-Hans")
    pieces = [
        ("各地推进", None), ("數位鄉村", village), ("建设，推广", None), ("行動支付", payment), ("，不再提", None),
        (old_term.text, old_concept), ("；按照 ", None), (abbr.text, abbr_concept), (" 评估；发展", None),
        (smart.english, smart), ("（", None), (smart.preferred, smart), ("），又称", None), (admitted, smart),
        ("。", None),
    ]
    text, offsets = "", []
    for piece, owner in pieces:
        if owner is not None:
            offsets.append((len(text), piece, owner))
        text += piece
    result = check(catalog, text)

    for start, piece, owner in offsets:
        match = at(result, start)
        assert (match.end, match.text, match.concept) == (start + len(piece), piece, owner.id)
        assert text[match.start:match.end] == piece
    forms = {m.text: m.form for m in result.matches}
    assert forms["數位鄉村"] == forms["行動支付"] == "regional"
    assert forms[old_term.text] == "deprecated"
    assert forms[abbr.text] == "abbreviation"
    assert forms[smart.english] == "preferred" and at(result, text.index(smart.english)).english
    assert forms[admitted] == "admitted"

    problems = {(p.kind, p.text): p for p in result.problems}
    assert problems[("regional", "數位鄉村")].fix == village.preferred
    assert problems[("regional", "行動支付")].fix == payment.preferred
    assert problems[("deprecated", old_term.text)].fix == old_concept.preferred
    assert problems[("non_preferred", admitted)].fix == smart.preferred
    inconsistent = problems[("inconsistent", smart.preferred)]
    assert inconsistent.fix == smart.preferred and len(inconsistent.occurrences) == 2
    assert not any(p.text in (abbr.text, smart.english) for p in result.problems)  # legitimate forms
    assert all(p.fix and p.fix in p.message for p in result.problems)
    assert result.summary["regional"] == 2 and result.summary["deprecated"] == 1
    assert result.summary["non_preferred"] == 1 and result.summary["inconsistent"] == 1
    assert result.summary["problems"] == len(result.problems) == 5


def registry(*versions: ConceptVersion, revision: int = 1) -> Catalog:
    return Catalog().applied(versions, revision)  # snapshots are immutable: applying makes a new one


def small() -> Catalog:
    return registry(
        concept("village", "数字乡村"),
        concept("governance", "数字乡村治理", terms=(Term(text="乡村数字治理", type="admitted"),)),
        concept("rural-gov", "乡村治理"),
        concept("dcmm", "数据管理能力成熟度评估模型", terms=(Term(text="DCMM", type="abbreviation"),
                                                             Term(text="data management capability maturity model", lang="en"))),
        concept("pay", "移动支付", terms=(Term(text="行動支付", lang="zh-TW"), Term(text="手机支付", type="deprecated"))),
        concept("old", "消费扶贫", status="deprecated", replaced_by=("new",)),
        concept("new", "消费帮扶"),
    )


def test_longest_match_first_with_offsets_into_the_original_text():
    text = "推進數字鄉村治理與ＤＣＭＭ，Data  Management"
    result = check(small(), text)
    first = at(result, 2)
    assert (first.end, first.text, first.concept) == (8, "數字鄉村治理", "governance")
    dcmm = at(result, text.index("ＤＣＭＭ"))
    assert dcmm.text == "ＤＣＭＭ" and dcmm.form == "abbreviation"
    assert not any(m.concept in ("village", "rural-gov") for m in result.matches)  # inside the longer match
    assert [p.kind for p in result.problems] == ["script"]  # 數字鄉村治理 in a mainland text
    assert result.problems[0].fix == "数字乡村治理"


def test_latin_labels_match_whole_words_only():
    text = "DCMMX and xDCMM are not it; DCMM is; so is Data Management Capability Maturity Model."
    result = check(small(), text)
    assert [m.text for m in result.matches] == ["DCMM", "Data Management Capability Maturity Model"]
    assert at(result, text.index("DCMM is")).concept == "dcmm"


def test_opencc_regional_wording_is_found_without_a_curated_term():
    text = "各地推動數位鄉村。"
    result = check(small(), text)
    match = at(result, 4)
    assert (match.text, match.concept, match.form, match.lang) == ("數位鄉村", "village", "regional", "zh-TW")
    assert result.problems[0].kind == "regional" and result.problems[0].fix == "数字乡村"


def test_deprecated_terms_and_deprecated_concepts_name_their_replacement():
    result = check(small(), "手机支付和消费扶贫")
    fixes = {p.text: (p.kind, p.fix) for p in result.problems}
    assert fixes == {"手机支付": ("deprecated", "移动支付"), "消费扶贫": ("deprecated", "消费帮扶")}


def test_taiwan_text_wants_taiwan_wording():
    result = check(small(), "行動支付與移动支付、數位鄉村", script="zh-TW")
    kinds = {(p.kind, p.text, p.fix) for p in result.problems}
    assert ("regional", "移动支付", "行動支付") in kinds
    assert not any(p.text in ("行動支付", "數位鄉村") and p.kind != "inconsistent" for p in result.problems)
    assert ("inconsistent", "行動支付", "行動支付") in kinds


def test_a_clean_text_has_no_problems():
    result = check(small(), "数字乡村治理与移动支付(DCMM)。")
    assert result.problems == [] and result.summary["matches"] == 3 and result.ok


def test_the_automaton_follows_the_catalog_to_a_new_revision():
    catalog = small()
    assert check(catalog, "高标准农田").matches == []
    before = matcher_for(catalog)
    catalog = catalog.applied([concept("farmland", "高标准农田"),
                               concept("village", "数字村庄", version=2)], 2)
    after = check(catalog, "高标准农田与数字乡村、数字村庄")
    assert matcher_for(catalog) is not before
    assert [(m.text, m.concept) for m in after.matches] == [("高标准农田", "farmland"), ("数字村庄", "village")]


@pytest.mark.parametrize("text", ["㎡ﬁ½數位鄉村", "ǅ\u3000ß數位鄉村", "e\u0301數位鄉村", "乾隆數位鄉村", "\U0001F600數位鄉村"])
def test_folding_keeps_one_character_for_one(text):
    folded = fold_aligned(text)
    assert len(folded) == len(text)
    result = check(small(), text)
    assert at(result, text.index("數位鄉村")).text == "數位鄉村"


def test_a_conversion_that_changes_length_falls_back_to_characters(monkeypatch):
    """Only the line whose phrase conversion changes length is converted character by character; the
    other lines keep the phrase-level result (乾隆 stays 乾隆 there, while 乾 alone would become 干)."""
    import drafting.matching as matching

    class Lengthening:
        def convert(self, text: str) -> str:
            if len(text) == 1:
                return {"鄉": "乡", "數": "数", "乾": "干"}.get(text, text)
            return text.replace("數", "数").replace("鄉", "乡乡")

    monkeypatch.setattr(matching, "converter", lambda config: Lengthening())
    monkeypatch.setattr(matching, "_T2S", matching._CharT2S())
    text = "乾隆數字\n乾數字鄉村\n"
    folded = matching.fold_aligned(text)
    assert folded == "乾隆数字 干数字乡村 "  # newlines are folded to spaces, one for one


def test_bad_texts_are_refused():
    with pytest.raises(InvalidInput, match="empty"):
        decode_text(b"  \n ")
    with pytest.raises(InvalidInput, match="UTF-8"):
        decode_text("数字乡村".encode("gb18030"))
    with pytest.raises(InvalidInput, match="binary"):
        decode_text(b"PK\x03\x04\x00\x00binary")
    with pytest.raises(InvalidInput) as too_large:
        decode_text(b"a" * (MAX_TEXT_BYTES + 1))
    assert too_large.value.status == 413
    assert decode_text("\ufeff数字乡村".encode()) == "数字乡村"  # a BOM is not part of the text


def test_a_long_draft_gives_what_its_paragraphs_give_one_by_one(bundled_catalog, bundled_store):
    """The checker remembers per revision what each label and each way of writing it says: a dense
    draft (the benchmark's, from the content's own labels, a fifth in Traditional characters, English
    among them, every third paragraph in Taiwan wording) checked whole finds exactly the matches and problems of its paragraphs checked one by
    one in reverse order against a second snapshot of the same content (so with nothing remembered in
    common), offsets shifted, and the same in a Taiwan text; only ``inconsistent`` looks across
    paragraphs."""
    from tests.bench.bench_checker import draft

    sentences = draft(bundled_catalog, size=30_000, seed=5).split("。")
    paragraphs = ["。".join(sentences[i:i + 7]) + "。" for i in range(0, len(sentences), 7)]
    taiwan = converter("s2twp").convert
    paragraphs = [taiwan(p) if i % 3 == 2 else p for i, p in enumerate(paragraphs)]
    text = "\n\n".join(paragraphs)
    starts = [sum(len(p) + 2 for p in paragraphs[:i]) for i in range(len(paragraphs))]
    fresh = Catalog.from_store(bundled_store)
    for script in ("zh-Hans", "zh-TW"):
        whole = check(bundled_catalog, text, script)
        matches, problems = [], []
        for at_, paragraph in reversed(list(zip(starts, paragraphs))):
            part = check(fresh, paragraph, script)
            matches += [(m.start + at_, m.end + at_, m.text, m.concept, m.form, m.use, m.others) for m in part.matches]
            problems += [(p.kind, p.start + at_, p.end + at_, p.text, p.message, p.fix) for p in part.problems
                         if p.kind != "inconsistent"]
        assert len(matches) > 300 and {m[4] for m in matches} >= {"preferred", "admitted", "regional", "deprecated"}
        assert {p[0] for p in problems} >= {"deprecated", "non_preferred", "regional", "script"}
        assert all(p[3] in p[4] for p in problems)  # each message quotes the text as written there
        assert [(m.start, m.end, m.text, m.concept, m.form, m.use, m.others) for m in whole.matches] == sorted(matches)
        assert [(p.kind, p.start, p.end, p.text, p.message, p.fix) for p in whole.problems
                if p.kind != "inconsistent"] == sorted(problems, key=lambda p: (p[1], p[0]))
        assert check(bundled_catalog, text, script) == whole  # what was remembered changes nothing


def test_the_remembered_verdicts_are_bounded(monkeypatch):
    """Past ``MAX_VERDICTS`` ways of writing labels the memo starts again, and answers stay the same."""
    import drafting.checker as checker

    text = "數字鄉村、手机支付、消费扶贫、乡村数字治理、行動支付、數位鄉村"
    expected = check(small(), text)
    monkeypatch.setattr(checker._Memo, "MAX_VERDICTS", 2)
    catalog = small()
    first, again = check(catalog, text), check(catalog, text)
    assert first == again == expected and len(expected.problems) >= 5
    assert len(memo_for(matcher_for(catalog), "zh-Hans").verdicts) <= 2


def test_a_refused_latin_match_gives_way_to_the_labels_inside_it_that_stand_as_words():
    catalog = registry(
        concept("dm", "数据管理", terms=(Term(text="data management", lang="en"),)),
        concept("data", "数据", terms=(Term(text="data", lang="en"),)),
        concept("ment", "管理", terms=(Term(text="ment", lang="en"),)),
        concept("net", "网络"),
        concept("fiveg", "5G网络"),
    )

    def found(text: str) -> list[tuple[str, str]]:
        return [(m.text, m.concept) for m in check(catalog, text).matches]

    assert found("data managementx; x5G网络") == [("data", "data"), ("网络", "net")]
    assert found("xdata management; 5G网络x") == [("5G网络", "fiveg")]  # nothing inside stands alone
    assert found("data management data5G网络") == [("data management", "dm"), ("网络", "net")]
