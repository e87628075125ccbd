"""Pinyin noise: a homophone alone ranks below matches sharing characters, and two syllables of
sound are not a match on their own (保固 is not 包谷, 詭計 is not 柜机)."""

from __future__ import annotations

import pytest

from registry.model import Term
from registry.sqlite import SQLiteStore
from search.service import SearchService
from tests.conftest import SCHEME, concept


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    folder = tmp_path_factory.mktemp("homophones")
    store = SQLiteStore(folder / "r.db")
    store.append([
        concept("maize", "玉米", terms=(Term(text="包谷", type="admitted"),), definition="一种禾本科谷物。"),
        concept("upright-ac", "立式空调", terms=(Term(text="柜机", type="admitted"),), definition="落地放置的空调。"),
        concept("warranty", "保修", definition="在约定期限内免费修理的承诺。"),
        concept("village", "数字乡村", definition="乡村的数字化。"),
        concept("village-pilot", "数字乡村试点", definition="试点。"),
        concept("homophone", "树紫香存", definition="一个读音相同的名称。"),
        concept("rural-governance", "乡村治理", definition="治理。"),
    ], actor="test", schemes=[SCHEME])
    svc = SearchService(store, folder / "index")
    svc.catch_up()
    yield svc
    svc.close()
    store.close()


@pytest.mark.parametrize(("text", "sounding"), [("保固", "maize"), ("詭計", "upright-ac")])
def test_two_syllables_of_sound_alone_are_not_a_label_match(service, text, sounding):
    hits = [(h.id, h.match) for h in service.search(text).hits if h.match != "definition"]
    assert sounding not in [cid for cid, _ in hits]
    assert all(match == "label-near" for _, match in hits)  # at most a near match by a shared character


def test_a_common_character_at_its_place_is_a_near_match_not_a_sound_one(service):
    """保固 (Taiwan) is 保修: 保, a common character but not one of the most frequent, at its place in
    a word of two characters (since regional4); never 包谷 by its sound. 包固 shares 包 with 包谷 the
    same way, and 固 sounds as 谷."""
    assert [(h.id, h.match) for h in service.search("保固").hits if h.match != "definition"] == [
        ("warranty", "label-near")]
    assert [(h.id, h.match) for h in service.search("包固").hits if h.match != "definition"] == [
        ("maize", "label-near")]


def test_a_shared_rare_character_is_a_near_match_not_a_sound_one(service):
    """柜计 shares 柜 (no common character) at the same place with 柜机: a near match since issue 21,
    never by its sound."""
    assert [(h.id, h.match) for h in service.search("柜计").hits if h.match != "definition"] == [
        ("upright-ac", "label-near")]


def test_typed_pinyin_still_finds_by_sound(service):
    assert [h.id for h in service.search("baogu").hits][:1] == ["maize"]
    assert [h.id for h in service.search("guiji").hits][:1] == ["upright-ac"]


def test_a_homophone_ranks_below_every_match_sharing_characters(service):
    hits = service.search("数子乡村", limit=50).hits
    order = [(h.id, h.match) for h in hits]
    assert order[0] == ("village", "label-partial"), order  # shares 数, 乡村 and the sound
    sound_only = [i for i, h in enumerate(hits) if h.id == "homophone"]
    sharing = [i for i, h in enumerate(hits) if h.match in ("label-partial", "label-words", "label-prefix")]
    assert sound_only and hits[sound_only[0]].match == "label-sound"
    assert max(sharing) < sound_only[0]


def test_a_form_no_label_may_sound_like_is_not_read_as_pinyin(service, monkeypatch):
    """The sound tiers compute a query's pinyin only when one of its ``possible_sounds`` is a label's:
    数字乡 (an infix, no label sounds like it) is answered without it; 书自想存 (sounds like two labels) with it."""
    import search.labels as labels

    read = []
    monkeypatch.setattr(labels, "pinyin_keys", lambda form: read.append(form) or ("", ""))
    assert [h.id for h in service.search("数字乡").hits][:2] == ["village", "village-pilot"]
    assert read == []
    service.search("书自想存")
    assert read == ["书自想存"]


def test_the_partial_tier_counts_alike_in_a_plain_loop_and_in_counter(tmp_path, monkeypatch):
    """Past ``FEW_POSTED`` labels the partial tier counts shared bigrams with ``Counter``, below in a
    plain loop: the same hits in the same order either way, on labels sharing the query's bigrams."""
    import search.labels as labels

    store = SQLiteStore(tmp_path / "r.db")
    store.append([concept(f"c{i}", label, definition="试点。")
                  for i, label in enumerate(f"{a}{b}乡村{c}" for a in "数字智慧" for b in "乡村农业平台" for c in "试点示范区县")],
                 actor="test", schemes=[SCHEME])
    svc = SearchService(store, tmp_path / "index")
    svc.catch_up()
    query = labels.QueryForms.of("数字乡村振兴")
    assert sum(len(found) for _, found in labels._Ranker(svc.catalog, query).postings_of(query.forms[0])) > labels.FEW_POSTED
    in_counter = labels.label_hits(svc.catalog, query)
    monkeypatch.setattr(labels, "FEW_POSTED", 1 << 30)
    assert labels.label_hits(svc.catalog, query) == in_counter and len(in_counter) > 20
    svc.close()
    store.close()


@pytest.mark.slow  # runs in CI, not in the fast subset (seconds)
def test_a_label_holding_the_query_is_not_scored_again_as_a_partial_match(live_server, monkeypatch):
    """The partial tier skips a label ``containing`` offered (every entity holding it is at the words tier or
    above, and a partial match that is not a prefix is below it): the same hits in the same order as when
    every candidate is scored, on the bundled labels, their infixes and their Traditional forms; and the
    skip is taken."""
    import search.labels as labels
    from search.analysis import render

    catalog = live_server.services.catalog
    texts = sorted({t.text for c in catalog.concepts.values() for t in c.terms if t.lang.startswith("zh")})
    queries = [q for text in texts for q in (text, text[1:4], text[:3], render(text, "zh-TW"))]
    scored: list[str] = []
    real = labels._Ranker._partial_candidate
    monkeypatch.setattr(labels._Ranker, "_partial_candidate",
                        lambda self, form, gram_set, label, *rest: scored.append(label) or real(self, form, gram_set,
                                                                                               label, *rest))
    queries = list(dict.fromkeys(q for q in queries if q.strip()))
    skipping = [labels.label_hits(catalog, labels.QueryForms.of(q)) for q in queries]
    with_skip = len(scored)

    class _Nothing(set):
        def __contains__(self, item: object) -> bool:
            return False

    class _Scoring(labels._Ranker):  # every candidate scored
        def __init__(self, *args) -> None:
            super().__init__(*args)
            self._worded = _Nothing()

    monkeypatch.setattr(labels, "_Ranker", _Scoring)
    assert [labels.label_hits(catalog, labels.QueryForms.of(q)) for q in queries] == skipping
    assert len(scored) - with_skip > with_skip > 0  # fewer scored with the skip
