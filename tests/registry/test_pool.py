"""The PostgreSQL store's connection pool: reads run side by side, and beside an open write."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from tests.conftest import SCHEME, concept

READERS = 32


def test_32_readers_and_a_writer_all_hold_connections_at_once(postgres_store):
    store = postgres_store
    store.append([concept("village", "数字乡村")], actor="loader", schemes=[SCHEME])
    # every reader and the writer meet here while each is inside its read or its write transaction:
    # if any of them waited behind another, the barrier would break
    barrier = threading.Barrier(READERS + 1)

    def read(i: int) -> tuple[int, str]:
        with store._reading() as db:
            pid = db.execute("SELECT pg_backend_pid()").fetchone()[0]
            barrier.wait(timeout=30)
        return pid, store.get("concept", "village").id  # and the public read path too

    def write() -> int:
        with store._transaction() as db:  # holds the write lock while the readers read
            store._append_all(db, [concept("hamlet", "自然村")], (), "writer", "", "2025-01-01T00:00:00Z")
            barrier.wait(timeout=30)
            return db.conn.info.backend_pid

    with ThreadPoolExecutor(READERS + 1) as pool:
        writer = pool.submit(write)
        readers = [pool.submit(read, i) for i in range(READERS)]
        results = [r.result(timeout=60) for r in readers]
        writer_pid = writer.result(timeout=60)
    pids = {pid for pid, _ in results}
    assert len(pids) == READERS and writer_pid not in pids  # 33 connections at once
    assert all(cid == "village" for _, cid in results)
    assert store.concept_exists("hamlet")
