"""Finding registered labels (drafting/matching.py): matches at the right offsets of the original text,
the longest first, Latin labels as whole words, Taiwan wording read through OpenCC, one character folded
for one, and an automaton that follows the catalog's revision."""

from __future__ import annotations

import pytest

from drafting.checker import check
from drafting.matching import fold_aligned, matcher_for
from registry.model import Term
from tests.conftest import concept
from tests.drafting.conftest import at, registry, small


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
