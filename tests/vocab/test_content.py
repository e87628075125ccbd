"""The bundled content: coverage and integrity, so that a careless edit fails CI."""

from __future__ import annotations

from collections import Counter

import pytest

from registry.model import ConceptVersion
from registry.text import converter
from vocab.loader import bundled_files, read_bundle

# The example terms of the content issue: each must be a registered label.
EXAMPLE_TERMS = [
    "数字乡村", "智慧农业", "高标准农田", "永久基本农田", "防止返贫监测", "832平台", "万企兴万村", "宽带边疆",
    "实景三维中国", "数字孪生水利", "北斗", "科技小院", "数商兴农", "“互联网+”农产品出村进城工程", "数据要素×",
    "DCMM", "首席数据官", "头雁", "枫桥经验", "三务", "信易贷", "移动支付", "应急广播", "一品一码", "三支一扶",
    "一张图",
]


@pytest.fixture(scope="module")
def bundle():
    return read_bundle(bundled_files())


def concepts_of(bundle, scheme: str) -> list[ConceptVersion]:
    return [c for c in bundle.concepts() if c.scheme == scheme]


def test_counts_per_scheme(bundle):
    counts = Counter(c.scheme for c in bundle.concepts())
    assert counts["dv-terms"] >= 150
    assert counts["dv-architecture"] >= 40
    assert counts["agri-data"] >= 60
    assert len(bundle.standards()) >= 5 + 12


def test_every_concept_has_a_definition_in_our_style_and_a_source(bundle):
    for c in bundle.concepts():
        assert c.definition.endswith("。"), c.id
        assert not c.definition.startswith(c.preferred), f"{c.id}: a definition does not repeat its term"
        assert 8 <= len(c.definition) <= 200, c.id
        assert c.sources and all(s.document for s in c.sources), c.id
        assert c.english, f"{c.id}: English equivalent"


def test_every_task_of_the_work_points_is_covered(bundle):
    tasks = {int(s.locator.removeprefix("任务")) for c in concepts_of(bundle, "dv-terms")
             for s in c.sources if s.locator.startswith("任务")}
    assert tasks == set(range(1, 29))


def test_example_terms_are_registered_labels(bundle):
    labels = {t.text for c in bundle.concepts() for t in c.terms}
    assert [t for t in EXAMPLE_TERMS if t not in labels] == []


def test_curated_regional_labels_differ_from_what_opencc_gives(bundle):
    rendering = {"zh-TW": converter("s2twp"), "zh-HK": converter("s2hk")}
    curated = [(c, t) for c in bundle.concepts() for t in c.terms if t.lang in rendering]
    assert len(curated) >= 5
    for c, term in curated:
        assert rendering[term.lang].convert(c.preferred) != term.text, f"{c.id}: {term.text} is what OpenCC gives"


def test_reference_architecture_has_the_seven_parts_with_sub_categories(bundle):
    concepts = {c.id: c for c in concepts_of(bundle, "dv-architecture")}
    parts = [c for c in concepts.values() if c.broader == ("ra-standard-system",)]
    assert sorted(p.preferred for p in parts) == sorted([
        "基础与通用标准", "数字基础设施标准", "农业农村数据标准", "农业信息化标准", "乡村数字化标准", "建设与管理标准", "安全与保障标准",
    ])
    for part in parts:
        assert sum(1 for c in concepts.values() if c.broader == (part.id,)) >= 3, part.preferred
    construction = {c.preferred for c in concepts.values() if c.broader == ("ra-construction",)}
    assert construction == {"信息基础设施", "公共支撑平台", "数字应用场景", "建设运营管理", "保障体系"}
    assurance = {c.preferred for c in concepts.values() if c.broader == ("ra-assurance",)}
    assert assurance == {"组织领导", "机制保障", "政策支持", "人才支撑", "氛围营造"}
    assert any(r.startswith(("digital", "smart", "rural", "agri")) for c in concepts.values() for r in c.related)


def test_data_classification_is_a_draft_with_three_levels_and_grades(bundle):
    scheme = next(s for s in bundle.schemes if s.id == "agri-data")
    assert scheme.status == "draft"
    concepts = {c.id: c for c in concepts_of(bundle, "agri-data")}
    categories = [c for c in concepts.values() if c.notation.isdigit()]
    depth = Counter(len(c.notation) // 2 for c in categories)
    assert depth[1] >= 5 and depth[2] >= 15 and depth[3] >= 30
    for c in categories:
        assert c.grade in ("core", "important", "general"), c.id
        if len(c.notation) > 2:  # a child's code extends its parent's
            assert concepts[c.broader[0]].notation == c.notation[:-2], c.id
    for top in (c for c in categories if len(c.notation) == 2):  # every main branch reaches level 3
        assert any(len(c.notation) == 6 and c.notation.startswith(top.notation) for c in categories), top.preferred
    labels = {c.preferred for c in concepts.values()}
    assert {"核心数据", "重要数据", "一般数据"} <= labels
    assert {"领域", "群体", "区域", "精度", "规模", "深度", "覆盖度", "重要性"} <= labels


def test_standards_catalogue(bundle):
    standards = {s.id: s for s in bundle.standards()}
    task27 = [s for s in standards.values() if any(src.locator == "任务27" for src in s.sources)]
    assert len(task27) >= 5
    assert all(s.code == "" for s in task27), "no invented numbers for the task-27 items"
    assert {s.status for s in task27} == {"drafting", "under_revision", "to_be_issued"}
    coded = [s for s in standards.values() if s.code]
    assert len(coded) >= 12
    for s in coded:
        assert s.sources, s.id
        assert s.code.startswith(("GB/T", "NY/T")), s.id
        if s.issued and s.in_force:
            assert s.issued <= s.in_force, s.id
    assert standards["gbt-22918-2025"].replaces == ("GB/T 22918-2008",)
    assert sum(1 for s in standards.values() if s.concepts) >= 20
