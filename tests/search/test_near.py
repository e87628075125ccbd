"""Near matches: short regional wording that shares one or two characters with the registered term
finds it, in a tier of its own after every other label hit; one common character, a nonsense query or
a homophone sharing nothing finds nothing (issue 21)."""

from __future__ import annotations

import pytest

from registry.model import Term
from registry.sqlite import SQLiteStore
from search.near import MAX_HITS
from search.service import SearchService
from tests.conftest import SCHEME, concept

WORDS = {  # id → preferred label: the real pairs of issue 21 and neighbours that share a character
    "briefcase": "公文包", "eutrophication": "富营养化", "top-up-card": "充值卡", "ring-pull-can": "易拉罐",
    "rom": "只读存储器", "salad-oil": "色拉油", "genome": "基因组", "nutrition": "营养", "culture": "文化",
    "industry": "工业", "office": "办公室", "memory": "存储器", "gas-cylinder": "煤气罐", "card": "银行卡",
}


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    folder = tmp_path_factory.mktemp("near")
    store = SQLiteStore(folder / "r.db")
    many = [concept(f"bag-{i}", f"公{ch}包") for i, ch in enumerate("甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥")]
    store.append([
        *(concept(cid, label, definition=f"{label}的定义。") for cid, label in WORDS.items()),
        concept("maize", "玉米", terms=(Term(text="包谷", type="admitted"),), definition="一种禾本科谷物。"),
        *many,
    ], actor="test", schemes=[SCHEME])
    svc = SearchService(store, folder / "index")
    svc.catch_up()
    yield svc
    svc.close()
    store.close()


def ranked(service, text, limit=20):
    return [(h.id, h.match) for h in service.search(text, limit=limit).hits]


@pytest.mark.parametrize(("text", "expected"), [
    ("公事包", "briefcase"),  # shares 公 and 包 at the same places, no bigram
    ("優養化", "eutrophication"),  # shares the bigram 养化, fewer than three characters
    ("儲值卡", "top-up-card"),
    ("易開罐", "ring-pull-can"),
    ("沙拉油", "salad-oil"),
    ("基因體", "genome"),
    ("唯讀儲存器", "rom"),  # 读, 存, 储, 器 in another order
])
def test_regional_wording_finds_the_term_as_a_near_match(service, text, expected):
    hits = ranked(service, text)
    assert (expected, "label-near") in hits[:5], hits


@pytest.mark.parametrize("text", ["公事包、易開罐", "公事包，易開罐。", "公事包 and 易開罐"])
def test_each_term_of_a_list_of_regional_wording_finds_its_near_match(service, text):
    """A list of regional words (or one among Latin words) is read run by run by the near tier too: until
    2026-12-06 a query that was not characters alone had no near matches, and this list found nothing."""
    found = ranked(service, text)
    assert ("briefcase", "label-near") in found and ("ring-pull-can", "label-near") in found, found


def test_the_best_near_match_comes_first(service):
    assert ranked(service, "公事包")[0] == ("briefcase", "label-near")
    assert ranked(service, "優養化")[0] == ("eutrophication", "label-near")


def test_near_matches_come_after_every_other_label_hit(service):
    hits = service.search("存储卡", limit=50).hits  # 存储器 and every 卡 by near; nothing else shares a bigram
    tiers = [h.tier for h in hits]
    assert tiers == sorted(tiers)
    near = [h for h in hits if h.match == "label-near"]
    assert near and all(a.score >= b.score for a, b in zip(near, near[1:]))  # best first


def test_at_most_a_page_of_near_matches(service):
    near = [h for h in service.search("公事包", limit=100).hits if h.match == "label-near"]
    assert 1 < len(near) <= MAX_HITS  # twenty-odd 公?包 share two characters: a page of them, ranked


@pytest.mark.parametrize("text", ["保固", "詭計"])
def test_a_homophone_sharing_no_character_is_not_a_match(service, text):
    assert [h for h in ranked(service, text) if h[1] != "definition"] == []


def test_a_common_character_at_its_place_in_two_characters_is_a_near_match(service):
    # 包 is a common character but not a filler: at its place in a word of two characters, with 固 sounding
    # as 谷, it finds 包谷; a filler at its place never does (化肥, 业主, 的话 below; 公事 finds no 公文包)
    assert ranked(service, "包固") == [("maize", "label-near")]
    assert [h for h in ranked(service, "公事") if h[1] == "label-near"] == []


@pytest.mark.parametrize("text", ["化肥", "业主", "的话"])
def test_one_shared_common_character_alone_is_not_a_match(service, text):
    assert [h for h in ranked(service, text) if h[1] == "label-near"] == []


@pytest.mark.parametrize("text", ["是了", "和这", "我们要"])
def test_nonsense_finds_nothing(service, text):
    assert [h for h in ranked(service, text) if h[1] != "definition"] == []


def test_an_exact_hit_is_not_repeated_as_a_near_match(service):
    hits = ranked(service, "公文包")
    assert hits[0] == ("briefcase", "exact-preferred") and hits.count(("briefcase", "label-near")) == 0


def _tables(labels: list[str]):
    """(postings, character weights, sound table) of ``labels``, as a catalog snapshot's near tier reads them."""
    from search.near import CharWeights, sound_table

    postings = _postings(labels)
    return postings, CharWeights(postings, len(labels)), sound_table(labels)


def _postings(labels: list[str]) -> dict[str, tuple[str, ...]]:
    """Character and bigram postings of ``labels``, as the catalog keeps them."""
    out: dict[str, list[str]] = {}
    for label in labels:
        keys = set(label) | {label[i : i + 2] for i in range(len(label) - 1)}
        for key in keys:
            out.setdefault(key, []).append(label)
    return {key: tuple(found) for key, found in out.items()}


@pytest.mark.parametrize(("query", "expected", "other"), [
    ("易辛", "伊辛", "丁辛"),  # the same syllable (yi) where the characters differ
    ("坦米爾", "泰米尔", "伊米尔"),  # the same initial (t)
])  # (the other label would come first on a tie: it sorts first)
def test_a_transliteration_sounding_alike_at_the_same_place_ranks_first(query, expected, other):
    from search.analysis import expand_query
    from search.near import near_labels

    labels = [expected, other, "数字乡村", "信息系统"]
    forms = [f for f in dict.fromkeys(expand_query(query))]
    ranked = [label for label, *_ in near_labels(*_tables(labels)[:2], forms, set())]
    assert ranked.index(expected) < ranked.index(other), ranked


@pytest.mark.parametrize(("query", "expected"), [
    ("史丹佛", "斯坦福"),  # shi-dan-fo / si-tan-fu: alike initials (sh/s, d/t) and finals (o/u), no character shared
    ("潘洛斯", "彭罗斯"),  # pan / peng: a final unlike
])
def test_a_transliteration_sharing_no_character_is_found_by_sound(query, expected):
    from search.analysis import expand_query
    from search.near import near_labels

    labels = [expected, "数字乡村", "信息系统", "包谷"]
    forms = [f for f in dict.fromkeys(expand_query(query))]
    postings, weights, sounds = _tables(labels)
    ranked = [label for label, *_ in near_labels(postings, weights, forms, set(), sounds)]
    assert ranked == [expected]
    two = [label for label, *_ in near_labels(postings, weights, ["保固"], set(), sounds)]
    assert two == []  # a two-syllable homophone sharing nothing stays out


def test_the_sound_table_follows_the_snapshot():
    """A snapshot's table of labels by sound is the last one's changed by the labels whose holders
    changed: a label added is found, one removed is not, and the result is what a whole build gives."""
    from search.near import near_labels, sound_table, sound_table_changed

    before = ["数字乡村", "信息系统", "潘洛斯"]
    after = ["数字乡村", "斯坦福", "潘洛斯"]
    table = sound_table(before)
    for labels, touched, expected in ((after, {"信息系统", "斯坦福"}, ["斯坦福"]), (before, {"信息系统", "斯坦福"}, [])):
        table = sound_table_changed(table, dict.fromkeys(labels), touched)
        assert {k: set(v) for k, v in table.items() if v} == {k: set(v) for k, v in sound_table(labels).items()}
        postings, weights, _ = _tables(labels)
        found = near_labels(postings, weights, ["史丹佛"], set(), table)
        assert [label for label, *_ in found] == expected


def test_the_near_tier_tables_are_built_with_the_snapshot(tmp_path):
    """The service derives the sound table and the character weights of every snapshot before swapping it
    in, at start and for each new revision (from the last one's table), so no query pays for them."""
    from search import labels
    from search.near import sound_table

    store = SQLiteStore(tmp_path / "r.db")
    store.append([concept("stanford", "斯坦福"), concept("bragg", "布拉格")], actor="test", schemes=[SCHEME])
    svc = SearchService(store, tmp_path / "index")
    try:
        first = svc.catalog
        assert first in labels._near_tables
        store.append([concept("pennrose", "彭罗斯"), concept("bragg", "布拉格定律", version=2)], actor="test")
        svc.catch_up()
        second = svc.catalog
        assert second is not first and second in labels._near_tables
        weights, sounds = labels._near_tables[second]
        assert weights.postings is second.postings
        assert {k: set(v) for k, v in sounds.items() if v} == {k: set(v) for k, v in sound_table(second.by_label).items()}
        assert [h.id for h in svc.search("潘洛斯").hits] == ["pennrose"]
    finally:
        svc.close()
        store.close()


def test_the_sound_table_finds_every_label_of_a_key_and_no_other():
    """Packed by key length and searched with bisect: a key's labels are all its labels, whatever the
    keys around it, and a key of a length no label has finds nothing."""
    from search.near import SoundTable

    pairs = [("BCD", "甲"), ("BCD", "乙"), ("BCC", "丙"), ("BCE", "丁"), ("ABCD", "戊"), ("BCDD", "己")]
    table = SoundTable(pairs)
    assert set(table.get("BCD")) == {"甲", "乙"}
    assert table.get("BCC") == ("丙",) and table.get("BCDD") == ("己",)
    assert table.get("BCA") == () and table.get("BCDEFG") == () and table.get("ZZZ") == ()
    assert sorted(table.pairs()) == sorted(pairs)
    assert SoundTable().get("BCD") == ()


def test_the_sound_table_overlay_is_packed_in_past_repack(monkeypatch):
    """Changes are kept beside the shared packed part until there are more than ``REPACK`` of them;
    before and after, the table answers as one built whole, and the older table is unchanged."""
    from search import near
    from search.near import sound_table

    monkeypatch.setattr(near, "REPACK", 2)
    first = ["斯坦福", "潘洛斯", "数字乡村"]
    table = sound_table(first)
    second = table.changed(dict.fromkeys(["斯坦福", "彭罗斯", "数字乡村"]), {"潘洛斯", "彭罗斯"})
    assert second._keys is table._keys and second._removed == {"潘洛斯"}  # shared, and an overlay
    third = second.changed(dict.fromkeys(["斯坦福", "彭罗斯", "柏克莱", "史丹佛"]), {"柏克莱", "史丹佛", "数字乡村"})
    assert third._keys is not table._keys and not third._added and not third._removed  # packed anew
    for built, labels in ((table, first), (second, ["斯坦福", "彭罗斯", "数字乡村"]),
                          (third, ["斯坦福", "彭罗斯", "柏克莱", "史丹佛"])):
        assert {k: set(v) for k, v in built.items()} == {k: set(v) for k, v in sound_table(labels).items()}
    back = second.changed(dict.fromkeys(first), {"潘洛斯", "彭罗斯"})  # a removed label comes back
    assert not back._removed and not back._added


def test_the_shared_sounds_follow_the_snapshot(tmp_path):
    """The labels and titles sharing their full pinyin with another are derived with each snapshot (from the
    last one's for a new revision: what a whole derivation gives), and a label's sound read without its
    pinyin when it shares it with none is what ``by_sound`` holds for it."""
    from registry.model import StandardVersion
    from search import labels
    from search.analysis import pinyin_keys

    store = SQLiteStore(tmp_path / "r.db")
    store.append([concept("formula", "公式"), concept("affair", "公事"), concept("digital", "数字乡村")],
                 actor="test", schemes=[SCHEME])
    svc = SearchService(store, tmp_path / "index")
    try:
        steps = [
            [concept("hours", "工时"), StandardVersion(id="s-1", title="共识", concepts=("formula",))],
            [concept("affair", "公务", version=2), StandardVersion(id="s-1", version=2, title="数字乡村建设")],
            [concept("formula", "方程", version=2), concept("hours", "工时制度", version=2)],
        ]
        expected = [{"公式", "公事"}, {"公式", "公事", "工时", "共识"}, {"公式", "工时"}, set()]
        for step, shared in zip([[], *steps], expected):
            if step:
                store.append(step, actor="test")
                svc.catch_up()
            catalog = svc.catalog
            assert labels._shared_sounds[catalog] == labels.shared_sounds(catalog) == shared
            ranker = labels._Ranker(catalog, labels.QueryForms.of("公式"))
            for text in [*catalog.by_label, *catalog.by_title]:
                assert ranker.sounding(text) == tuple(catalog.by_sound.get(pinyin_keys(text)[0], ())), text
    finally:
        svc.close()
        store.close()
