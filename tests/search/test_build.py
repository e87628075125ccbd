"""The one-pass build: the catalog and the index it makes are the ones built one after the other."""

from __future__ import annotations

import gc
import pickle

import pytest

from registry.sqlite import SQLiteStore
from search import build as one_pass
from search import catalog_build
from search.analysis import pinyin_keys
from search.catalog import Catalog
from search.documents import concept_document, standard_document
from search.index import SearchIndex
from vocab.loader import load_bundled_if_empty


@pytest.fixture
def store(tmp_path):
    store = SQLiteStore(tmp_path / "r.db")
    load_bundled_if_empty(store)
    yield store
    store.close()


WRITERS = pytest.mark.parametrize("process_from", [10**9, 0], ids=["thread", "process"])


@pytest.mark.slow
@WRITERS
@pytest.mark.parametrize("bulk", [pytest.param(1000, id="checked", marks=pytest.mark.slow), pytest.param(0, id="bulk")])
@pytest.mark.parametrize("pinyin_there", [pytest.param(1.0, id="pinyin-there"),
                                          pytest.param(0.5, id="pinyin-shared", marks=pytest.mark.slow)])
def test_one_pass_builds_what_the_two_steps_build(store, tmp_path, monkeypatch, process_from, bulk, pinyin_there):
    """With a process, and the store applied in bulk (as from 1,000 versions), the labels' pinyin (of
    every batch, or of every other) and the concepts' compressed bytes are the process's: the snapshot
    is the same."""
    monkeypatch.setattr(one_pass, "BATCH", 7)  # many batches, the last one short
    monkeypatch.setattr(one_pass, "PROCESS_FROM", process_from)
    monkeypatch.setattr(one_pass, "PINYIN_THERE", pinyin_there)
    monkeypatch.setattr(catalog_build, "BULK", bulk)
    if bulk == 0:  # the tables packed at once, as from 4,096 entries (the concepts then compressed by the process)
        monkeypatch.setattr(catalog_build, "REPACK", 0)
    catalog = Catalog.from_store(store)
    apart = SearchIndex(tmp_path / "apart")
    documents = [concept_document(c, catalog.standards_of.get(c.id, ())) for c in catalog.concepts.values()]
    apart.rebuild([*documents, *map(standard_document, catalog.standards.values())], catalog.revision)
    together = SearchIndex(tmp_path / "together")
    seen: list[int] = []
    asked: list[str] = []  # the pinyin computed in this process while building
    monkeypatch.setattr(catalog_build, "pinyin_keys", lambda text: asked.append(text) or pinyin_keys(text))
    built, count = one_pass.build(store, together, seen.append)
    assert not asked if process_from == 0 and bulk == 0 and pinyin_there == 1 else asked  # all of it there
    assert count == len(catalog.concepts) + len(catalog.standards) == sum(seen) > 7
    assert any(catalog.standards_of.values())  # the standard facet is exercised
    assert built.__dict__ == catalog.__dict__
    assert pickle.dumps(built.concepts) == pickle.dumps(catalog.concepts)  # compressed alike, there or here
    assert together.revision == apart.revision == store.revision()
    assert list(together.contents()) == list(apart.contents())
    assert together.search_text(["数字乡村"])  # this process's searcher sees what was written
    apart.close()
    together.close()


def test_the_collector_is_paused_once_for_the_whole_build(store, tmp_path, monkeypatch):
    """From the first batch read to the catalog made the collector is off, and the one full pass is the
    one made as the build begins (the catalog's own pause, nested in it, makes none); on again after."""
    monkeypatch.setattr(one_pass, "BATCH", 7)
    monkeypatch.setattr(one_pass, "PROCESS_FROM", 10**9)
    collect, collections, enabled = gc.collect, [], []
    monkeypatch.setattr(gc, "collect", lambda *args: collections.append(args) or collect(*args))

    class Watched:
        def __getattr__(self, name):
            return getattr(store, name)

        def current_batches(self, kind, size):
            for batch in store.current_batches(kind, size):
                enabled.append(gc.isenabled())
                yield batch

    assert gc.isenabled()
    index = SearchIndex(tmp_path / "i")
    _, count = one_pass.build(Watched(), index)
    assert count > 7 and len(enabled) > 1 and not any(enabled)
    assert len(collections) == 1
    assert gc.isenabled()
    index.close()


@WRITERS
def test_a_store_failing_mid_read_leaves_an_empty_index_to_rebuild(store, tmp_path, monkeypatch, process_from):
    monkeypatch.setattr(one_pass, "BATCH", 5)
    monkeypatch.setattr(one_pass, "PROCESS_FROM", process_from)
    index = SearchIndex(tmp_path / "i")
    index.rebuild([{"id": "old", "definition": "旧的定义"}], 9)

    class Failing:
        def __getattr__(self, name):
            return getattr(store, name)

        def current_batches(self, kind, size):
            batches = store.current_batches(kind, size)
            yield next(batches)
            raise OSError("disk I/O error")

    with pytest.raises(OSError, match="disk I/O error"):
        one_pass.build(Failing(), index)  # type: ignore[arg-type]
    assert index.revision == 0 and index.doc_count() == 0
    index.close()


@pytest.mark.parametrize("repack", [0, 4096], ids=["packed", "overlay"])
def test_a_first_build_in_bulk_posts_labels_as_one_checked_version_by_version(store, monkeypatch, repack):
    """A first build from the store in bulk posts its labels' grams and words at the end, packed from
    the labels in sorted order: the same tables, byte for byte, as posted label by label."""
    monkeypatch.setattr(catalog_build, "REPACK", repack)
    built = []
    for bulk in (0, 10**9):
        monkeypatch.setattr(catalog_build, "BULK", bulk)
        built.append(catalog_build.from_store(store))
    in_bulk, checked = built
    for name in ("postings", "en_postings", "by_label"):
        assert dict(getattr(in_bulk, name).items()) == dict(getattr(checked, name).items())
        assert pickle.dumps(getattr(in_bulk, name)) == pickle.dumps(getattr(checked, name))
    assert len(in_bulk.postings) > 1000 and len(in_bulk.en_postings) > 500


@pytest.mark.parametrize("sent", ["all", "none", "other"])
def test_the_concepts_are_compressed_alike_whatever_the_process_sent(sent):
    """The catalog compresses its part before waiting for the process's; the process's part taken when it
    is the one expected, else (the process gone, or another share) compressed here too: the same bytes."""
    import threading

    from search.concept_table import compress, dictionary

    plain = [f"concept {n} 数字乡村 {n * n}".encode() * (1 + n % 5) for n in range(300)]
    there = int(len(plain) * one_pass.COMPRESSED_THERE)
    writer = one_pass._ProcessWriter.__new__(one_pass._ProcessWriter)
    writer._plain, writer._compressed, writer._compressed_done = plain, [], threading.Event()
    if sent != "none":
        writer._compressed.append(compress(plain[: there if sent == "all" else there // 2], dictionary(plain)))
    writer._compressed_done.set()
    assert writer.compressed() == compress(plain)
