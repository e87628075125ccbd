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


@pytest.fixture(scope="module")
def generalisation(tmp_path_factory):
    from tests.search_eval.generalisation import run
    from tests.search_eval.generalisation import table as generalisation_table

    variants, scores, quiet, _ = run(tmp_path_factory.mktemp("generalisation"))
    print("\n" + generalisation_table(scores))
    return variants, scores, quiet


def test_the_generalisation_set_has_both_halves_and_every_kind(generalisation):
    variants, _, _ = generalisation
    halves = {v.half for v in variants}
    kinds = {v.kind for v in variants}
    assert halves == {"development", "held-out"} and len(variants) >= 500
    assert {"drop-character", "swap-words", "add-suffix", "contraction", "near-synonym", "regional-phrase",
            "tone-pinyin"} <= kinds


@pytest.mark.parametrize("half", ["development", "held-out"])
def test_generalisation_beats_the_bigram_baseline(generalisation, half):
    _, scores, _ = generalisation
    ours, floor = scores["shuyu"][half]["overall"], scores["bigram-bm25"][half]["overall"]
    assert ours.recall_at_5 >= floor.recall_at_5 + 0.1  # clearly beaten on recall@5
    assert ours.recall_at_1 >= floor.recall_at_1  # matched or beaten on recall@1
    assert ours.recall_at_5 >= 0.9


def test_nonsense_queries_stay_quiet(generalisation):
    _, _, quiet = generalisation
    assert len(quiet) == 50
    assert sum(len(hits) for hits in quiet.values()) <= 5  # at most a few label hits in all
