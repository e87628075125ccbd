"""The search service on the bundled vocabulary: ranking, following the change log, restarts."""

from __future__ import annotations

import pytest

from registry.sqlite import SQLiteStore
from search.labels import MAX_LABEL_HITS
from search.service import SearchService
from tests.conftest import SCHEME, concept
from vocab.loader import load_bundled_if_empty


def first(service, text, **kw):
    hits = service.search(text, **kw).hits
    return (hits[0].id, hits[0].match) if hits else None


@pytest.mark.parametrize(
    "text, expected, match",
    [
        ("数字乡村", "digital-village", "exact-preferred"),
        ("數位鄉村", "digital-village", "exact-preferred"),
        ("智慧農業", "smart-agriculture", "exact-preferred"),
        ("行動支付", "mobile-payment", "exact-label"),
        ("流動支付", "mobile-payment", "exact-label"),
        ("shuzixiangcun", "digital-village", "exact-label"),
        ("shuzi xiangcun", "digital-village", "exact-label"),
        ("szxc", "digital-village", "exact-label"),
        ("DCMM", "dcmm", "exact-label"),
        ("mobile payment", "mobile-payment", "exact-preferred"),
        ("GB/T 43697", "gbt-43697-2024", "exact-preferred"),
        ("43697", "gbt-43697-2024", "exact-preferred"),
        ("832", "platform-832", "label-prefix"),
        ("标准农田", "high-standard-farmland", "label-words"),
        ("数子乡村", "digital-village", "label-partial"),  # shares 数, 乡村 and the sound
        ("zhìhuì nóngyè", "smart-agriculture", "exact-label"),
        ("zhi4hui4 nong2ye4", "smart-agriculture", "exact-label"),
        ("zhihui农业", "smart-agriculture", "exact-label"),
        ("zhi hui nong ye", "smart-agriculture", "exact-label"),
    ],
)
def test_the_registered_concept_comes_first(service, text, expected, match):
    assert first(service, text) == (expected, match)


@pytest.mark.parametrize(
    "text, expected, within",
    [
        ("数据分级分类", "data-classification-grading", 3),  # words swapped
        ("冷链物流运输", "cold-chain-logistics", 3),  # the query is longer than the label
        ("高标准农田建设", "high-standard-farmland", 1),
        ("数字农村", "digital-village", 1),  # one word differs (a near synonym)
        ("數位農村", "digital-village", 3),
        ("高标农田", "high-standard-farmland", 3),  # a character dropped
        ("防止返贫监测系统", "return-to-poverty-monitoring", 3),
    ],
)
def test_search_forgives_near_variants(service, text, expected, within):
    hits = service.search(text, limit=within).hits
    assert expected in [h.id for h in hits], (text, [(h.id, h.match) for h in hits])


@pytest.mark.parametrize(
    "text, expected",
    [
        ("数字乡村，智慧农业，农村电商", {"digital-village", "smart-agriculture", "rural-e-commerce"}),  # a list of terms
        ("數位鄉村、智慧農業", {"digital-village", "smart-agriculture"}),
        ("数字乡村 is the digital village", {"digital-village"}),  # a term among English words
        ("关于推进数字乡村建设的若干意见：加强智慧农业和农村电商的发展，推动物联网应用。",  # a pasted sentence
         {"digital-village", "smart-agriculture", "rural-e-commerce", "internet-of-things"}),
    ],
)
def test_a_query_mixed_with_punctuation_or_latin_words_finds_each_term_it_holds(service, text, expected):
    """The partial tier reads each run of Chinese characters of a mixed query on its own: until
    2026-12-06 it read only queries of characters alone, and these found nothing."""
    hits = service.search(text, limit=10).hits
    top = [h.id for h in hits[: len(expected) + 2]]
    assert expected <= set(top), [(h.id, h.match, h.score) for h in hits]
    assert all(h.match != "label-near" for h in hits)  # every run is read by the tiers above near matches


def test_partial_hits_say_how_much_matched_and_mark_only_that(service):
    hit = next(h for h in service.search("数据分级分类").hits if h.id == "data-classification-grading")
    assert hit.match == "label-partial" and 0.5 <= hit.coverage <= 1
    longer = next(h for h in service.search("冷链物流运输").hits if h.id == "cold-chain-logistics")
    assert longer.marks == ("冷链物流",) and longer.coverage == pytest.approx(4 / 6, abs=0.01)


def test_a_short_label_holding_most_of_the_query_ranks_above_a_long_one_holding_it_scattered(service):
    """資訊安全: 资通安全 (网络安全's Taiwan label) holds 资, 安, 全; a 17-character platform name holds
    信息 and 安全 apart: the balance of query and label cover puts the short one first."""
    hits = [h for h in service.search("資訊安全", limit=10).hits if h.match == "label-partial"]
    ids = [h.id for h in hits]
    long_one = next(h.id for h in hits if len(h.matched) > 12)
    assert ids.index("cybersecurity") < ids.index(long_one)


def test_a_label_holding_a_long_run_of_the_query_ranks_above_a_shorter_label_inside_it(tmp_path):
    """流動互聯網 (Hong Kong: mobile internet): 移动互联网 holds 动互联网, four of its characters in a
    row; 互联网 lies wholly inside the query but holds only three. The longer run comes first."""
    store = SQLiteStore(tmp_path / "r.db")
    store.append([concept("mobile-internet", "移动互联网"), concept("internet", "互联网"),
                  concept("isp", "互联网内容提供商")], actor="test", schemes=[SCHEME])
    svc = SearchService(store, tmp_path / "index")
    svc.catch_up()
    try:
        hits = svc.search("流動互聯網", limit=10).hits
        ids = [h.id for h in hits]
        assert ids[:2] == ["mobile-internet", "internet"], [(h.id, h.match, h.score) for h in hits]
        assert hits[0].match == "label-partial"
        # 互联网内容提供商 holds 互联网内容, five of the query's characters in a row: above 互联网 inside it
        assert [h.id for h in svc.search("互聯網內容供應商", limit=10).hits][0] == "isp"
    finally:
        svc.close()
        store.close()


def test_one_shared_character_or_bigram_is_not_a_label_match(service):
    # 农村电商 shares only the bigram 农村 with 数字农村: not by label
    hits = {h.id: h.match for h in service.search("数字农村", limit=300).hits}
    assert "rural-e-commerce" not in hits or hits["rural-e-commerce"] == "definition"


def test_tiers_order_exact_before_prefix_before_words(service):
    tiers = [h.tier for h in service.search("数字乡村", limit=50).hits]
    assert tiers == sorted(tiers) and tiers[0] == 0 and max(tiers) > 0


def test_definition_only_matches_rank_last(service):
    hits = service.search("农田", limit=50).hits
    assert hits[-1].match == "definition" and hits[0].match != "definition"


def test_filters_and_pages(service):
    everything = service.search("数据", limit=100)
    standards = service.search("数据", filters={"kind": "standard"}, limit=100)
    assert 0 < standards.total < everything.total
    assert {h.kind for h in standards.hits} == {"standard"}
    page2 = service.search("数据", offset=2, limit=2)
    assert [h.id for h in page2.hits] == [h.id for h in everything.hits[2:4]]


def test_query_syntax_is_text_and_junk_finds_nothing(service):
    for text in ['"', "*", "(", ":", "OR", "数字*", "!!!", "、,。"]:
        service.search(text)  # must not raise
    assert service.search("!!!").total == 0


def test_index_follows_the_change_log_and_survives_restart(tmp_path):
    store = SQLiteStore(tmp_path / "r.db")
    load_bundled_if_empty(store)
    svc = SearchService(store, tmp_path / "index")
    assert svc.catch_up() > 0
    revision = svc.index.revision
    assert revision == store.revision()
    svc.index.close()

    again = SearchService(store, tmp_path / "index")  # a restart: nothing to apply
    assert again.index.revision == revision and again.catch_up() == 0
    assert first(again, "数字乡村") == ("digital-village", "exact-preferred")

    current = store.get("concept", "mobile-payment")
    store.append([concept("mobile-payment", "移动支付", version=2, scheme="dv-terms",
                          terms=current.terms[1:] + (current.terms[0].__class__(text="扫码支付", type="admitted"),),
                          definition=current.definition)], actor="editor")
    assert again.catch_up() == 1  # only the changed concept is written
    assert first(again, "扫码支付") == ("mobile-payment", "exact-label")
    again.index.close()
    store.close()


def test_facet_counts_follow_a_new_revision(tmp_path):
    """Facet values are kept per snapshot: a concept whose status changes is counted under its new one."""
    store = SQLiteStore(tmp_path / "r.db")
    load_bundled_if_empty(store)
    svc = SearchService(store, tmp_path / "index")
    svc.catch_up()
    before = svc.search("移动支付").facets["status"]
    assert before.get("published") and "deprecated" not in before
    current = store.get("concept", "mobile-payment")
    store.append([concept("mobile-payment", current.preferred, version=current.version + 1, scheme=current.scheme,
                          status="deprecated",
                          terms=current.terms[1:], definition=current.definition)], actor="editor")
    svc.catch_up()
    after = svc.search("移动支付").facets["status"]
    assert after.get("deprecated") == 1 and after.get("published", 0) == before["published"] - 1
    svc.index.close()
    store.close()


def test_facets_count_most_frequent_first_ties_in_the_order_of_the_hits(service):
    results = service.search("农业", limit=1000)
    assert len({len(values) for values in results.facets.values()}) > 1
    for name, values in results.facets.items():
        counts = list(values.values())
        assert counts == sorted(counts, reverse=True), name
    pairs = [pair for hit in results.hits for pair in service._facet_pairs(service.catalog, hit.id)]
    assert results.total == len(results.hits)  # every hit on the page: the order of first occurrence is known
    for name, values in results.facets.items():
        first_seen = list(dict.fromkeys(value for facet, value in pairs if facet == name))
        for count in set(values.values()):
            tied = [value for value, n in values.items() if n == count]
            assert tied == [value for value in first_seen if value in tied], name


def test_the_query_patterns_are_ready_before_the_first_query(tmp_path):
    from registry import conversion

    store = SQLiteStore(tmp_path / "r.db")
    conversion.query_patterns.cache_clear()
    svc = SearchService(store, tmp_path / "index")
    assert conversion.query_patterns.cache_info().currsize == 1
    svc.index.close()
    store.close()


def test_rebuild_gives_the_same_answers(service):
    before = [h.id for h in service.search("农业", limit=50).hits]
    assert service.rebuild() == service.document_count()
    assert [h.id for h in service.search("农业", limit=50).hits] == before


def test_concurrent_searches_give_the_same_answers_as_one_at_a_time(service):
    import threading

    queries = [c.preferred[i : i + 2] for c in list(service.catalog.concepts.values())[:120] for i in (0, 1)]
    expected = {}
    for text in queries:  # a page past the label hits: the index is asked for definitions too
        expected[text] = [h.id for h in service.search(text, limit=300).hits]
    service._cache.clear()
    results: dict[str, list[str]] = {}
    errors: list[Exception] = []

    def run(part):
        for text in part:
            try:
                results[text] = [h.id for h in service.search(text, limit=300).hits]
            except Exception as exc:  # noqa: BLE001 - the test collects them
                errors.append(exc)

    threads = [threading.Thread(target=run, args=(queries[k::6],)) for k in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert results == expected


def test_definitions_are_asked_for_only_when_the_labels_do_not_fill_the_page(service):
    service._cache.clear()
    generation_searches = []
    original = service.index.search_text
    service.index.search_text = lambda *a, **kw: generation_searches.append(a) or original(*a, **kw)
    try:
        page = service.search("数字乡村", limit=1)
        assert page.hits[0].match == "exact-preferred" and generation_searches == []
        assert page.total_exact is False  # definitions were not searched
        everything = service.search("数字乡村", limit=MAX_LABEL_HITS + 1)  # more than the label tiers can ever fill
        assert len(generation_searches) == 1 and everything.total_exact
        last = service.search("数字乡村", offset=everything.total - 1, limit=1)  # whatever the content's size
        assert last.hits[-1].match == "definition" and last.total == everything.total
    finally:
        service.index.search_text = original


def test_a_common_definition_word_is_ranked_in_batches_the_same_on_every_page(tmp_path):
    """Hundreds of definitions share a word: the first page asks the index for a batch, a far page for
    more; hits tied with the last one of a batch are left to the next, so every page equals the same
    slice of the whole ranked list, and a live index answers like a rebuild."""
    from search.service import DEFINITION_BATCH, MAX_CANDIDATES

    store = SQLiteStore(tmp_path / "r.db")
    load_bundled_if_empty(store)
    lengths = ["", "和服务", "和服务的平台", "和服务的平台与网络"]  # four scores, many ties in each
    store.append([concept(f"wide-{n:03d}", f"宽泛条目{n:03d}号", scheme="dv-terms",
                          definition=f"用于灌溉调度{lengths[n % 4]}的设施。") for n in range(260)], actor="test")
    svc = SearchService(store, tmp_path / "index")
    svc.catch_up()
    asked = []
    original = svc.index.search_text
    svc.index.search_text = lambda *a, **kw: asked.append(kw["limit"]) or original(*a, **kw)
    first_page = svc.search("灌溉调度", limit=20)
    # a batch, not everything: the first 50 all tie (65 share the best score), so it asks once more
    assert asked == [DEFINITION_BATCH, 2 * DEFINITION_BATCH]
    assert len(first_page.hits) == 20 and not first_page.total_exact
    far = svc.search("灌溉调度", offset=200, limit=20)
    assert asked[-1] == MAX_CANDIDATES and len(far.hits) == 20
    svc.index.search_text = original
    svc._cache.clear()
    whole = svc.search("灌溉调度", limit=300).hits
    definitions = [h for h in whole if h.match == "definition"]  # after a near match or two (灌溉用水数据)
    assert len(definitions) == 260 and {h.match for h in whole[: len(whole) - 260]} <= {"label-near"}
    assert [h.id for h in first_page.hits] == [h.id for h in whole[:20]]
    assert [h.id for h in far.hits] == [h.id for h in whole[200:220]]
    scores = [round(h.score, 6) for h in definitions]
    assert scores == sorted(scores, reverse=True) and len(set(scores)) == 4
    svc.index.close()
    store.close()
