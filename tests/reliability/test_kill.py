"""kill -9 a real `shuyu serve` while a stream of approvals goes on over HTTP, on SQLite and PostgreSQL.

Every approval that was answered 200 must be there after the restart, and the index the server follows
must answer like one rebuilt from the store.
"""

from __future__ import annotations

import random
import threading
import time

import httpx

from registry.store import open_store
from search.service import SearchService

KILLS = 3
AFTER_LAST_KILL = 5  # approvals acknowledged after the last restart
MAX_SECONDS = 240
FIXED_QUERIES = ["数字乡村", "數位鄉村", "szxc", "数据", "可靠性"]


def approval_stream(url: str, editor: str, reviewer: str, acknowledged: dict[str, str], stop: threading.Event) -> None:
    """Propose a new concept and approve it, again and again; remember what was answered 200."""
    n = 0
    with httpx.Client(base_url=url, timeout=30) as client:
        while not stop.is_set():
            n += 1
            concept_id, label = f"kill-test-{n}", f"可靠性测试概念{n}"
            try:
                r = client.post("/api/v1/proposals", headers={"authorization": f"Bearer {editor}"}, json={
                    "kind": "create", "target_id": concept_id, "submit": True,
                    "concept": {"scheme": "dv-terms", "terms": [{"text": label, "type": "preferred"}],
                                "definition": f"为检验进程被强行终止后不丢失已确认审批而登记的第{n}个概念。"}})
                if r.status_code != 201:
                    continue
                r = client.post(f"/api/v1/proposals/{r.json()['id']}/approve",
                                headers={"authorization": f"Bearer {reviewer}"})
                if r.status_code == 200:
                    acknowledged[concept_id] = label
            except httpx.HTTPError:  # the server is down: wait for it
                time.sleep(0.1)


def caught_up(url: str, store_url: str) -> None:
    store = open_store(store_url)
    try:
        revision = store.revision()
    finally:
        store.close()
    deadline = time.monotonic() + 60
    while httpx.get(f"{url}/healthz", timeout=10).json()["revision"] < revision:
        assert time.monotonic() < deadline, "the server did not catch up with the store"
        time.sleep(0.2)


def test_no_acknowledged_approval_is_lost_and_the_index_is_whole(served, tmp_path):
    editor, reviewer = served.token("kill-editor", "editor"), served.token("kill-reviewer", "reviewer")
    acknowledged: dict[str, str] = {}
    stop = threading.Event()
    stream = threading.Thread(target=approval_stream, args=(served.url, editor, reviewer, acknowledged, stop))
    stream.start()
    started, rng = time.monotonic(), random.Random(11)
    try:
        for _ in range(KILLS):
            before = len(acknowledged)
            while len(acknowledged) < before + 2 and time.monotonic() - started < MAX_SECONDS:
                time.sleep(0.05)
            time.sleep(rng.uniform(0.0, 0.6))  # somewhere inside the next approval
            served.kill()
            served.start()
        target = len(acknowledged) + AFTER_LAST_KILL
        while len(acknowledged) < target and time.monotonic() - started < MAX_SECONDS:
            time.sleep(0.05)
    finally:
        stop.set()
        stream.join(timeout=60)
    assert len(acknowledged) >= 2 * KILLS + AFTER_LAST_KILL, f"only {len(acknowledged)} approvals went through"

    served.kill()  # once more, then a clean start: nothing acknowledged may be missing
    served.start()
    caught_up(served.url, served.store_url)
    for concept_id, label in acknowledged.items():
        r = httpx.get(f"{served.url}/api/v1/concepts/{concept_id}", timeout=30)
        assert r.status_code == 200, (concept_id, r.text)
        assert label in r.text
        found = httpx.get(f"{served.url}/api/v1/lookup", params={"label": label}, timeout=30).json()
        assert [m["id"] for m in found["matches"]] == [concept_id]

    # the live index against one rebuilt from the store, on sampled queries
    sample = rng.sample(sorted(acknowledged.values()), min(8, len(acknowledged))) + FIXED_QUERIES
    store = open_store(served.store_url)
    try:
        rebuilt = SearchService(store, tmp_path / "rebuilt-index")
        rebuilt.catch_up()
        for q in sample:
            live = httpx.get(f"{served.url}/api/v1/search", params={"q": q, "limit": 100}, timeout=30).json()
            fresh = rebuilt.search(q, limit=100)
            assert live["total"] == fresh.total, q
            assert {h["id"] for h in live["hits"]} == {h.id for h in fresh.hits}, q
            assert [h["id"] for h in live["hits"][:1]] == [h.id for h in fresh.hits[:1]], q
        rebuilt.index.close()
    finally:
        store.close()
