"""Queries as people type them on the bundled vocabulary, beyond the registered wording: policy text
with its quotation marks, lists of terms, standard numbers as printed, pinyin with apostrophes (found
by trying 230 of them by hand on 2026-12-06, /tmp notes of branch ``search10``)."""

from __future__ import annotations

import pytest

from registry.sqlite import SQLiteStore
from search.labels import DEFINITION
from search.service import SearchService


def first(service, text):
    hits = service.search(text).hits
    return (hits[0].id, hits[0].match) if hits else None


@pytest.mark.parametrize("text, expected, match", [
    # the policy text quotes part of a term; the registered label does not
    ("自然资源三维立体“一张图”", "natural-resources-3d-one-map", "exact-preferred"),
    ("农业农村用地“一张图”", "agri-land-one-map", "exact-preferred"),
    ("农业农村用地「一张图」", "agri-land-one-map", "exact-preferred"),
    ("《数字乡村发展战略纲要》", "digital-village-strategy", "exact-preferred"),
])
def test_a_term_quoted_in_part_is_the_term(service, text, expected, match):
    """Until 2026-12-06 the quoted word (一张图, a label of its own) came first and the term second."""
    assert first(service, text) == (expected, match)


@pytest.mark.parametrize("text", ["GB/T 43697—2024", "43697—2024", "GB/T 43697–2024", "GB 43697", "gb43697-2024"])
def test_a_standard_number_as_printed_or_without_its_t(service, text):
    """Standards print their year after an em dash (GB/T 43697—2024), which NFKC keeps; a mandatory
    prefix (GB) numbers the same sequence as the recommended one (GB/T). Both found only definitions."""
    assert first(service, text) == ("gbt-43697-2024", "exact-preferred")


@pytest.mark.parametrize("text, expected", [
    ("耕地、高标准农田", ["cropland", "high-standard-farmland"]),  # a term of two characters in a list
    ("耕地 高标准农田", ["cropland", "high-standard-farmland"]),  # a list separated by spaces
    ("三务 一张图", ["three-affairs", "one-map"]),
    ("智慧农业 数字乡村", ["digital-village", "smart-agriculture"]),
])
def test_each_term_of_a_list_comes_first_however_it_is_separated(service, text, expected):
    """A list separated by spaces was read as one query (each term a partial match covering part of it,
    below nothing), and a run of two characters not at all: 耕地 and 三务 were missing from the page."""
    hits = service.search(text).hits
    assert sorted(h.id for h in hits[: len(expected)]) == sorted(expected), [(h.id, h.match) for h in hits[:5]]
    assert all(h.match == "label-prefix" and h.coverage == 1.0 for h in hits[: len(expected)])


def test_a_term_typed_with_a_space_inside_is_still_the_term(service):
    assert first(service, "数字 乡村")[0] == "digital-village"
    assert first(service, "高标准 农田")[0] == "high-standard-farmland"


@pytest.mark.parametrize("text, plain, expected", [
    ("leng'lian", "lenglian", "cold-chain-logistics"),  # the apostrophe of pinyin, between syllables
    ("leng'lian wu'liu", "lenglian wuliu", "cold-chain-logistics"),
    ("shu'zi'xiang'cun", "shuzixiangcun", "digital-village"),
    ("zhi’hui nong’ye", "zhihui nongye", "smart-agriculture"),  # a typographic apostrophe, as phones type it
])
def test_pinyin_with_apostrophes_between_syllables(service, text, plain, expected):
    """Until 2026-12-06 an apostrophe made the query neither pinyin nor a code: nothing was found."""
    hits = [h.id for h in service.search(text).hits]
    assert expected in hits[:5] and hits == [h.id for h in service.search(plain).hits]


def test_an_apostrophe_is_a_syllable_break(service):
    """xi'an is xi + an: no label read xian (县, 现, 线 ...) is found by it."""
    assert service.search("xian").hits  # 县域数字经济 ...
    assert not [h for h in service.search("xi'an").hits if h.tier < DEFINITION]


def test_the_renderers_of_every_script_are_ready_before_the_first_query(tmp_path):
    """The first answer in Traditional after a start took 0.3-0.4 s (suggest 數 on zh-TW: 416 ms, then
    3 ms): building OpenCC's s2twp reads the phrases the three converters share."""
    from registry import conversion
    from search.analysis import RENDER_CONVERSIONS

    store = SQLiteStore(tmp_path / "r.db")
    conversion.converter.cache_clear()
    svc = SearchService(store, tmp_path / "index")
    built = conversion.converter.cache_info().currsize
    for config in RENDER_CONVERSIONS.values():
        conversion.converter(config)
    assert conversion.converter.cache_info().currsize == built  # each was built at start
    svc.index.close()
    store.close()


@pytest.mark.parametrize("text, expected", [
    ("leng'lian", "cold-chain-logistics"),  # pinyin with an apostrophe, as search reads it
    ("GB 436", "gbt-43697-2024"),  # a code without its /T
    ("GB/T 43697—", "gbt-43697-2024"),  # the em dash standards are printed with
    ("《数字乡村发展战", "digital-village-strategy"),  # a title typed with its book-title mark
    ("“数字乡村发展战略", "digital-village-strategy"),
])
def test_type_ahead_reads_the_query_as_search_does(service, text, expected):
    """Until 2026-12-06 these offered nothing."""
    assert expected in [s.id for s in service.suggest(text)]


def test_type_ahead_keeps_an_apostrophe_a_syllable_break(service):
    assert service.suggest("xian") and not service.suggest("xi'an")
    # typed one syllable at a time: leng' is 冷 and what follows it
    assert [s.id for s in service.suggest("leng'")] == [s.id for s in service.suggest("leng")]
    assert not service.suggest("xia'")  # 县 is xian, not xia + n


@pytest.mark.parametrize("text, expected", [
    ("APEC数字乡村", "apec-digital-village-seminar"),
    ("apec数字乡村建设", "apec-digital-village-seminar"),
    ("“十四五”规", "fourteenth-five-year-plan"),
])
def test_a_label_starting_with_the_whole_mixed_query_leads_a_label_that_is_one_of_its_runs(service, text, expected):
    """Until 2026-12-06 数字乡村 (a label that is the query's run of characters) came before the APEC
    seminar, whose label starts with all the user typed."""
    assert first(service, text)[0] == expected


@pytest.mark.parametrize("text", ["GB 436", "GB/T 43697—20", "gb 43697-2", "ＧＢ　４３６"])
def test_the_beginning_of_a_code_as_printed_finds_the_standard_type_ahead_offers(service, text):
    """Type-ahead offered GB/T 43697-2024 for these; until 2026-12-06 searching them found no standard."""
    assert "gbt-43697-2024" in [s.id for s in service.suggest(text)]
    hit = service.search(text).hits[0]
    assert (hit.id, hit.match, hit.matched_type) == ("gbt-43697-2024", "label-prefix", "code")


@pytest.mark.parametrize("text, expected", [
    ("智慧农业、数字乡村、农村电商", ["smart-agriculture", "digital-village", "rural-e-commerce"]),
    ("农村电商，数字乡村", ["rural-e-commerce", "digital-village"]),
    ("智慧农业 数字乡村", ["smart-agriculture", "digital-village"]),
    ("高标准农田、耕地", ["high-standard-farmland", "cropland"]),
    ("智慧農業、數位鄉村", ["smart-agriculture", "digital-village"]),
])
def test_the_terms_of_a_list_come_in_the_order_typed(service, text, expected):
    """Each whole term of a list leads alike; until 2026-12-06 they came in id order (数字乡村 first for
    智慧农业、数字乡村)."""
    assert [h.id for h in service.search(text).hits[: len(expected)]] == expected
