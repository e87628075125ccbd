"""The regional set (real regional wording, issue 21): on the held-out half, alone and inside the 10k
haystack, shuyu's first answer is right more often than the tantivy peer's; the figures kept as floors."""

from __future__ import annotations

from collections import Counter

import pytest

from tests.search_eval import regional

# measured on the held-out half (docs/search.md, 2026-12-05, branch regional6, the registry holding both
# sources' words), kept with a small margin as floors
FLOORS = {
    ("alone", "regional"): {"recall_at_5": 0.72, "recall_at_1": 0.59, "precision": 0.63},
    ("haystack", "regional"): {"recall_at_5": 0.68, "recall_at_1": 0.53, "precision": 0.55},
    ("alone", "regional-sharing"): {"recall_at_5": 0.89, "recall_at_1": 0.74, "precision": 0.75},
    ("haystack", "regional-sharing"): {"recall_at_5": 0.86, "recall_at_1": 0.68, "precision": 0.69},
    ("alone", "daily"): {"recall_at_5": 0.30, "recall_at_1": 0.20, "precision": 0.30},
    ("haystack", "daily"): {"recall_at_5": 0.22, "recall_at_1": 0.13, "precision": 0.14},
    ("alone", "all"): {"recall_at_5": 0.60, "recall_at_1": 0.48, "precision": 0.56},
    ("haystack", "all"): {"recall_at_5": 0.55, "recall_at_1": 0.42, "precision": 0.44},
    ("alone", "all-sharing"): {"recall_at_5": 0.89, "recall_at_1": 0.73, "precision": 0.74},
    ("haystack", "all-sharing"): {"recall_at_5": 0.82, "recall_at_1": 0.65, "precision": 0.64},
    ("alone", "short-variant"): {"recall_at_5": 0.93, "recall_at_1": 0.82},
    ("haystack", "short-variant"): {"recall_at_5": 0.91, "recall_at_1": 0.81},
}


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    scores = regional.run(tmp_path_factory.mktemp("regional"), names=("shuyu", "tantivy"))
    print("\n" + regional.table(scores))
    return scores


def test_the_set_is_real_split_and_sourced():
    items, ids = regional.cases()
    ids_of = {concept_id: word for word, concept_id in ids.items()}
    pairs = [c for c in items if c.kind == "regional"]
    assert len(pairs) >= 1500 and len(ids) >= 1000
    assert {c.half for c in items} == {"development", "held-out"}
    assert 0.4 <= sum(c.half == "held-out" for c in pairs) / len(pairs) <= 0.6
    regions = Counter(r for c in pairs for r in c.region.split(","))
    assert min(regions[r] for r in ("TW", "HK", "MO")) >= 300
    header = "\n".join(line for line in regional.PAIRS.read_text(encoding="utf-8").splitlines() if line.startswith("#"))
    assert "BYVoid/OpenCC" in header and "Apache-2.0" in header and "moedict" in header
    sharing = [c for c in items if c.kind == "regional-sharing"]
    assert 0.5 <= len(sharing) / len(pairs) <= 0.8  # the filtered subset: most pairs, not all
    assert all(regional.shares_a_telling_character(c.query, ids_of[c.expected]) for c in sharing)
    daily = [c for c in items if c.kind == "daily"]
    assert len(daily) >= 600 and {c.region for c in daily} == {"TW"}
    header = "\n".join(line for line in regional.DAILY_PAIRS.read_text(encoding="utf-8").splitlines()
                       if line.startswith("#"))
    assert "aronhack/Chinese-Vocabulary-Radar" in header and "MIT" in header and "moedict" in header
    together = [c for c in items if c.kind == "all"]
    assert len({c.query for c in pairs} | {c.query for c in daily}) == len(together)
    variants = [c for c in items if c.kind == "short-variant"]
    assert len(variants) >= 400 and all(2 <= len(c.query) <= 4 for c in variants)


@pytest.mark.parametrize("kind", ["regional", "regional-sharing", "all", "all-sharing"])
@pytest.mark.parametrize("where", ["alone", "haystack"])
def test_shuyu_ranks_better_than_tantivy_on_the_held_out_half(results, where, kind):
    """Recall@1 and the share of answers that are right above tantivy's; recall@5 within 0.05 of it on
    the whole set (below it there: about one pair in five shares no character or only a common one,
    which the guard does not accept and BM25 sometimes guesses right) and at or above it on the pairs
    that share a telling character (``*-sharing``). The daily-life source alone is not compared: most of
    its pairs share no character, and there tantivy's recall@5 is above shuyu's (docs/search.md)."""
    ours = results[where]["shuyu"]["held-out"][kind]
    peer = results[where]["tantivy"]["held-out"][kind]
    assert ours.recall_at_1 >= peer.recall_at_1 and ours.mrr >= peer.mrr
    assert ours.precision >= peer.precision + 0.05
    assert ours.recall_at_5 >= peer.recall_at_5 - (0.0 if kind.endswith("-sharing") else 0.05)


@pytest.mark.parametrize(("where", "kind"), list(FLOORS))
def test_the_held_out_floors_hold(results, where, kind):
    scores = results[where]["shuyu"]["held-out"][kind]
    for name, floor in FLOORS[(where, kind)].items():
        assert getattr(scores, name) >= floor, (where, kind, name, scores)
