"""Catalog snapshots: the follower builds each revision off to the side and swaps it in at once, so
readers never see a concept vanish mid-update, two revisions mixed, or an iteration fail."""

from __future__ import annotations

import threading
import time

from registry.model import Term
from registry.sqlite import SQLiteStore
from search.service import SearchService
from tests.conftest import SCHEME, concept

ROUNDS = 25


def _pair(version: int):
    """Two concepts revised together in one revision: a reader must see both at the same version."""
    marker = Term(text=f"标记第{version}版", type="admitted")
    return [concept("pair-a", "甲概念", version=version, terms=(marker,), definition=f"第{version}版。"),
            concept("pair-b", "乙概念", version=version, terms=(marker,), definition=f"第{version}版。")]


def test_readers_see_whole_revisions_while_the_follower_applies_them(tmp_path):
    store = SQLiteStore(tmp_path / "r.db")
    filler = [concept(f"c{i:03d}", f"概念{i:03d}号", definition="填充。") for i in range(150)]
    store.append([*_pair(1), *filler], actor="test", schemes=[SCHEME])
    service = SearchService(store, tmp_path / "index")
    service.catch_up()
    done = threading.Event()
    problems: list[str] = []
    reads = [0]

    def follower():
        try:
            for version in range(2, ROUNDS + 2):
                # each round also replaces filler concepts, so dicts and postings change under readers
                renamed = [concept(f"c{i:03d}", f"概念{i:03d}号第{version}版", definition="填充。",
                                   version=store.get("concept", f"c{i:03d}").version + 1)
                           for i in range(version % 5, 150, 5)]
                store.append(renamed, actor="test")
                store.append(_pair(version), actor="test")
                service.catch_up()
        except Exception as exc:  # noqa: BLE001 - reported by the test
            problems.append(f"follower: {exc!r}")
        finally:
            done.set()

    def reader():
        while not done.is_set():
            try:
                snapshot = service.catalog  # one reference for the whole read
                a, b = snapshot.concepts.get("pair-a"), snapshot.concepts.get("pair-b")
                if a is None or b is None:
                    problems.append("a concept that exists was missing")
                elif a.version != b.version:
                    problems.append(f"mixed revisions: {a.version} and {b.version}")
                if len(snapshot.concepts) != 152:
                    problems.append(f"{len(snapshot.concepts)} concepts")
                for key, matches in snapshot.by_label.items():  # iterating while the follower applies
                    for m in matches:
                        if m.id not in snapshot.concepts:
                            problems.append(f"label {key} of a missing concept")
                marker = f"标记第{a.version}版" if a else ""
                if a and {m.id for m in snapshot.lookup(marker)} != {"pair-a", "pair-b"}:
                    problems.append(f"lookup of {marker} disagrees with its snapshot")
                found = {h.id for h in service.search("甲概念", catalog=snapshot, limit=1).hits}
                if "pair-a" not in found:
                    problems.append("search lost pair-a")
                reads[0] += 1
                time.sleep(0.002)  # let the follower have the interpreter now and then
            except Exception as exc:  # noqa: BLE001 - reported by the test
                problems.append(f"reader: {exc!r}")

    threads = [threading.Thread(target=reader) for _ in range(4)] + [threading.Thread(target=follower)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert problems[:5] == [] and reads[0] > ROUNDS
    assert service.catalog.concepts["pair-a"].version == ROUNDS + 1
    service.close()
    store.close()


def test_a_snapshot_is_left_as_it_was_when_the_next_one_is_built(tmp_path):
    store = SQLiteStore(tmp_path / "r.db")
    store.append(_pair(1), actor="test", schemes=[SCHEME])
    service = SearchService(store, tmp_path / "index")
    before = service.catalog
    labels_before = dict(before.by_label)
    store.append(_pair(2), actor="test")
    service.catch_up()
    assert service.catalog is not before and service.catalog.revision > before.revision
    assert before.concepts["pair-a"].version == 1 and dict(before.by_label) == labels_before
    assert "标记第1版" in before.by_label and "标记第1版" not in service.catalog.by_label
    service.close()
    store.close()
