"""Change-to-searchable latency across two nodes on one PostgreSQL schema (LISTEN/NOTIFY).

    .venv/bin/python -m tests.bench.bench_nodes [APPROVALS]

Two nodes (LiveServers, each with its own data folder; polling every 30 s so only notifications count)
share a fresh schema; each approval is posted to node A and the clock runs from sending it until a
search on node B finds the new label. Prints p50, p99 and max over APPROVALS (default 200).
"""

from __future__ import annotations

import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx
import psycopg

from api.settings import Settings
from registry.tokens import create_token
from tests.api.test_editorial_flow import revision_body
from tests.conftest import POSTGRES_URL, LiveServer

CONCEPT_ID = "science-technology-backyard"


def main(approvals: int) -> None:
    schema = f"shuyu_bench_{secrets.token_hex(4)}"
    url = f"{POSTGRES_URL}?schema={schema}"
    latencies: list[float] = []
    try:
        with tempfile.TemporaryDirectory() as tmp, \
                LiveServer(Settings(data_dir=str(Path(tmp, "a")), store_url=url, sync_interval=30)) as a, \
                LiveServer(Settings(data_dir=str(Path(tmp, "b")), store_url=url, sync_interval=30)) as b:
            tokens = {n: create_token(a.services.store, n, r, actor="bench")[1]
                      for n, r in [("alice", "editor"), ("bob", "reviewer")]}
            alice = httpx.Client(base_url=a.url, headers={"authorization": f"Bearer {tokens['alice']}"}, timeout=30)
            bob = httpx.Client(base_url=a.url, headers={"authorization": f"Bearer {tokens['bob']}"}, timeout=30)
            on_b = httpx.Client(base_url=b.url, timeout=30)
            for i in range(approvals):
                label = f"延迟测量{i}号{secrets.token_hex(2)}"
                body = revision_body(alice, f"第{i}次修订。", label)
                body["concept"]["terms"] = [t for t in body["concept"]["terms"]  # only this round's label
                                            if not t["text"].startswith("延迟测量") or t["text"] == label]
                proposal = alice.post("/api/v1/proposals", json=body)
                if proposal.status_code != 201:
                    raise SystemExit(f"proposal {i}: {proposal.status_code} {proposal.text}")
                start = time.perf_counter()
                bob.post(f"/api/v1/proposals/{proposal.json()['id']}/approve").raise_for_status()
                while not any(h["id"] == CONCEPT_ID for h in on_b.get("/api/v1/search", params={"q": label}).json()["hits"]):
                    if time.perf_counter() - start > 10:
                        raise SystemExit(f"approval {i} not searchable on node B within 10 s")
                    time.sleep(0.002)
                latencies.append(time.perf_counter() - start)
                if (i + 1) % 50 == 0:
                    print(f"  {i + 1} approvals", file=sys.stderr)
    finally:
        with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    q = statistics.quantiles(latencies, n=100, method="inclusive")
    print(f"approvals: {len(latencies)}  change-to-searchable on the other node (approve sent -> found): "
          f"p50 {q[49] * 1000:.0f} ms  p99 {q[98] * 1000:.0f} ms  max {max(latencies) * 1000:.0f} ms")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
