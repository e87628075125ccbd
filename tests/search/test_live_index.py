"""The same answers however the index was built: a live-maintained index after a few hundred changes
answers like a rebuild, and a restart from the persisted catalog snapshot like a fresh catalog."""

from __future__ import annotations

import random

import pytest

from registry.model import Term
from registry.sqlite import SQLiteStore
from search.catalog import Catalog
from search.catalog_build import SNAPSHOT_FILE
from search import compact
from search.compact import PrefixTable
from search.service import SearchService
from tests.conftest import concept
from vocab.loader import load_bundled_if_empty

CHANGES = 300


def _changes(store: SQLiteStore, rng: random.Random):
    """Revisions adding labels glued from other labels' words (what once changed jieba's dictionary)
    and new concepts whose labels and definitions reuse the bundled words."""
    concepts = [c for c in store.current("concept") if c.scheme == "dv-terms"]
    words = sorted({c.preferred[i : i + 2] for c in concepts for i in range(0, len(c.preferred) - 1, 2)})
    for n in range(CHANGES):
        if n % 2:
            target = store.get("concept", rng.choice(concepts).id)
            label = rng.choice(words) + rng.choice(words) + rng.choice(words)
            extra = tuple(t for t in target.terms[1:] if t.type != "hidden")[:4]
            yield [target.__class__(**{**{f: getattr(target, f) for f in target.__struct_fields__},
                                       "version": target.version + 1,
                                       "terms": (target.terms[0], *extra, Term(text=label, type="hidden"))})]
        else:
            pref = f"{rng.choice(words)}{rng.choice(words)}第{n}号"
            yield [concept(f"live-{n}", pref, scheme="dv-terms",
                           definition=f"用于{rng.choice(words)}{rng.choice(words)}的{rng.choice(words)}体系。")]


def _answers(service: SearchService, queries: list[str]) -> dict[str, list[tuple[str, str]]]:
    service._cache.clear()
    return {q: [(h.id, h.match) for h in service.search(q, limit=300).hits] for q in queries}


def _by_tier(hits: list[tuple[str, str]]) -> tuple[list[tuple[str, str]], set[str]]:
    return [h for h in hits if h[1] != "definition"], {h[0] for h in hits if h[1] == "definition"}


@pytest.fixture(params=[4096, 64], ids=["overlay", "repacked"])
def repack(request, monkeypatch):
    """The packed tables' overlay limit: the default, or small enough that changes are packed in often."""
    monkeypatch.setattr(compact, "REPACK", request.param)


def test_a_live_index_after_hundreds_of_changes_answers_like_a_rebuild(tmp_path, repack):
    store = SQLiteStore(tmp_path / "r.db")
    load_bundled_if_empty(store)
    live = SearchService(store, tmp_path / "live")
    live.catch_up()
    rng = random.Random(15)
    for n, versions in enumerate(_changes(store, rng)):
        store.append(versions, actor="test")
        if n % 3 == 2:
            live.catch_up()
    live.catch_up()
    rebuilt = SearchService(store, tmp_path / "rebuilt")
    rebuilt.rebuild()
    labels = [c.preferred for c in rebuilt.catalog.concepts.values()]
    queries = rng.sample(labels, 25) + [label[1:4] for label in rng.sample(labels, 15)]
    queries += ["数据", "农村", "平台建设", "监测体系", "体系", "zhihuinongye", "数字农村", "冷链物流运输"]
    assert live.catalog.revision == rebuilt.catalog.revision == store.revision()
    live_answers, rebuilt_answers = _answers(live, queries), _answers(rebuilt, queries)
    # label tiers come from the catalog: the same hits in the same order. Definition hits are the same
    # documents, but BM25's statistics count a replaced document until whoosh merges its segment (as
    # Lucene's do), so near-ties among them may be ordered differently from a rebuild's.
    for q in queries:
        assert _by_tier(live_answers[q]) == _by_tier(rebuilt_answers[q]), q
    # the snapshot reached change by change holds what one built at once does (removed entries included)
    assert live.catalog.prefixes == rebuilt.catalog.prefixes and live.catalog.by_code == rebuilt.catalog.by_code
    assert live.catalog.postings == rebuilt.catalog.postings and live.catalog.by_sound == rebuilt.catalog.by_sound
    live.close()
    rebuilt.close()
    store.close()


def test_a_restart_reads_the_saved_snapshot_and_catches_up(tmp_path):
    store = SQLiteStore(tmp_path / "r.db")
    load_bundled_if_empty(store)
    first = SearchService(store, tmp_path / "index")
    first.catch_up()
    saved_at = first.catalog.revision
    first.close()
    assert (tmp_path / "index" / SNAPSHOT_FILE).exists()
    # read back whole: every container equal, and each label's holders naming one of their concept's terms
    # (the concepts are kept encoded, search/concept_table.py: the matches hold their own terms)
    loaded = Catalog.load(tmp_path / "index", saved_at)
    assert loaded.__dict__ == first.catalog.__dict__
    assert list(loaded.concepts) == list(first.catalog.concepts)
    assert all(m.term in loaded.concepts[m.id].terms for ms in loaded.by_label.values() for m in ms)
    for versions in list(_changes(store, random.Random(3)))[:20]:
        store.append(versions, actor="test")
    again = SearchService(store, tmp_path / "index")  # saved snapshot + the 20 changes since
    fresh = Catalog.from_store(store)
    assert saved_at < again.catalog.revision == fresh.revision
    assert again.catalog.concepts == fresh.concepts and again.catalog.by_label == fresh.by_label
    assert again.catalog.postings == fresh.postings and again.catalog.prefixes == fresh.prefixes
    again.close()
    (tmp_path / "index" / SNAPSHOT_FILE).write_bytes(b"not a snapshot")  # a damaged cache is ignored
    third = SearchService(store, tmp_path / "index")
    assert third.catalog.concepts == fresh.concepts
    third.close()
    store.close()


def test_prefix_entries_read_back_whatever_their_keys_hold(tmp_path):
    """Prefix keys are saved packed in one string cut by offsets: a key holding a line break (or no
    entry at all) reads back the same."""
    for prefixes in ([("a\nb", "c1", "x"), ("b", "c2", "y")], [("b", "c2", "y")], []):
        catalog = Catalog()
        catalog.revision, catalog.prefixes = 1, PrefixTable.of(prefixes)
        catalog.save(tmp_path)
        assert Catalog.load(tmp_path, 1).prefixes == prefixes
