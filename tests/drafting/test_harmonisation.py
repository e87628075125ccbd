"""The harmonisation report (drafting/harmonisation.py) on small registries built here: labels shared after
folding, the preferred-versus-other conflicts among them, definitions written twice, and one label defined
differently under different standards."""

from __future__ import annotations

import random

from drafting.harmonisation import _bigrams, harmonisation_report, near_duplicates, report_for
from registry.model import StandardVersion, Term
from tests.conftest import concept
from tests.drafting.conftest import registry


def test_a_label_shared_across_schemes_is_found_through_script_and_width_folding():
    concepts = [
        concept("a", "数字乡村", scheme="terms", definition="以数字技术推动乡村发展的进程。"),
        concept("b", "乡村数字化", scheme="architecture", terms=(Term(text="數字鄉村", type="admitted"),)),
        concept("c", "智慧农业", scheme="terms", terms=(Term(text="数字乡村", type="hidden"),)),  # hidden: not a label
        concept("d", "数字乡村", scheme="other", status="deprecated"),  # deprecated: not counted
        concept("e", "ＤＣＭＭ", scheme="terms"),
        concept("f", "数据管理能力成熟度", scheme="architecture", terms=(Term(text="DCMM", type="abbreviation"),)),
    ]
    report = harmonisation_report(concepts, revision=7)
    shared = {s.label: s for s in report.shared_labels}
    assert set(shared) == {"数字乡村", "dcmm"}
    village = shared["数字乡村"]
    assert [(c.id, c.type, c.term) for c in village.concepts] == [("a", "preferred", "数字乡村"), ("b", "admitted", "數字鄉村")]
    assert village.schemes == ["architecture", "terms"]
    assert {s.label for s in report.status_conflicts} == {"数字乡村", "dcmm"}  # preferred here, not there
    assert report.revision == 7
    assert report.summary == {"shared_labels": 2, "status_conflicts": 2, "near_duplicates": 0, "standards_differ": 0}


def test_two_concepts_preferring_one_label_share_it_without_a_status_conflict():
    report = harmonisation_report([concept("a", "数据要素", scheme="s1"), concept("b", "数据要素", scheme="s2")])
    assert [s.label for s in report.shared_labels] == ["数据要素"] and report.status_conflicts == []


def test_a_definition_written_twice_is_a_near_duplicate_and_a_different_one_is_not():
    definition = "利用物联网、大数据和人工智能等技术对农业生产进行精准管理的农业形态。"
    concepts = [
        concept("smart", "智慧农业", definition=definition),
        concept("digital", "数字农业", definition=definition.replace("形态", "模式")),
        concept("farmland", "高标准农田", definition="土地平整、集中连片、设施完善、农电配套的高产稳产农田。"),
        concept("empty", "空定义"),
    ]
    duplicates = harmonisation_report(concepts).near_duplicates
    assert [[c.id for c in d.concepts] for d in duplicates] == [["digital", "smart"]]
    assert 0.75 <= duplicates[0].similarity < 1


def test_the_prefix_filtered_join_finds_exactly_the_pairs_that_comparing_all_pairs_finds():
    """The join indexes only each definition's rarest bigrams; on random definitions over a small alphabet
    (many pairs near the threshold) it must agree with the plain all-pairs comparison."""
    rng = random.Random(11)
    alphabet = "数字乡村农业数据管理平台服务体系"
    base = ["".join(rng.choice(alphabet) for _ in range(rng.randint(6, 14))) for _ in range(12)]
    texts = base + ["".join(c if rng.random() > 0.15 else rng.choice(alphabet) for c in t) for t in base * 3]
    concepts = [concept(f"c{n:03d}", f"概念{n}", definition=t) for n, t in enumerate(texts)]
    for threshold in (0.5, 0.75, 0.9):
        found = {(d.concepts[0].id, d.concepts[1].id) for d in near_duplicates(concepts, {}, threshold)}
        grams = {c.id: _bigrams(c.definition) for c in concepts}
        expected = {(a, b) for a in grams for b in grams
                    if a < b and grams[a] and grams[b] and len(grams[a] & grams[b]) / len(grams[a] | grams[b]) >= threshold}
        assert found == expected and expected


def test_one_label_defined_differently_under_two_standards():
    concepts = [
        concept("a", "数据分类", scheme="s1", definition="按数据的属性或特征将其划分为不同类别的过程。"),
        concept("b", "数据分类", scheme="s2", definition="对数据进行分级分类管理的活动。"),
        concept("c", "数据分级", scheme="s1", definition="按数据遭到破坏后的危害程度划分级别。"),
        concept("d", "数据分级", scheme="s2", definition="按数据遭到破坏后的危害程度划分级别。"),
    ]
    standards = [
        StandardVersion(id="gbt-one", code="GB/T 1-2024", title="一", concepts=("a", "c")),
        StandardVersion(id="gbt-two", code="GB/T 2-2024", title="二", concepts=("b", "d")),
    ]
    report = harmonisation_report(concepts, standards)
    assert [s.label for s in report.standards_differ] == ["数据分类"]  # 数据分级: the same definition under both
    assert [c.standards for c in report.standards_differ[0].concepts] == [["GB/T 1-2024"], ["GB/T 2-2024"]]


def test_the_report_of_a_snapshot_is_made_once_and_follows_the_next_revision():
    catalog = registry(concept("a", "数据要素", scheme="s1"), concept("b", "数据要素", scheme="s2"))
    first = report_for(catalog)
    assert report_for(catalog) is first and [s.label for s in first.shared_labels] == ["数据要素"]
    changed = catalog.applied([concept("b", "数据资源", scheme="s2", version=2)], 2)
    assert report_for(changed).revision == 2 and report_for(changed).shared_labels == []
