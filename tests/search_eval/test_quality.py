"""The search bar: shuyu's scores on the evaluation set, and both baselines clearly below."""

from __future__ import annotations

import pytest

from tests.search_eval.evaluate import load_cases, run_all, table

CLASSES = {
    "simplified", "traditional", "taiwan-wording", "hongkong-wording", "curated-regional", "pinyin", "initials",
    "homophone-typo", "english", "code-number", "infix", "single-character", "deprecated-term",
}


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    scores, _ = run_all(tmp_path_factory.mktemp("eval"))
    print("\n" + table(scores))
    return scores


def test_the_query_set_covers_every_class():
    cases = load_cases()
    assert len(cases) >= 80
    assert {c.cls for c in cases} == CLASSES
    assert len({c.query for c in cases}) == len(cases), "each query once"


def test_shuyu_meets_the_bar(results):
    overall = results["shuyu"]["overall"]
    assert overall.recall_at_5 >= 0.97 and overall.mrr >= 0.9
    low = {cls: s.recall_at_5 for cls, s in results["shuyu"].items() if s.recall_at_5 < 0.9}
    assert low == {}


@pytest.mark.parametrize("baseline", ["jieba-stock", "t2s-only"])
def test_baselines_are_clearly_below(results, baseline):
    ours, theirs = results["shuyu"]["overall"], results[baseline]["overall"]
    assert theirs.recall_at_5 <= ours.recall_at_5 - 0.2
    assert theirs.mrr <= ours.mrr - 0.2
