"""PostgreSQL restarted under two serving nodes: a throwaway cluster of the test's own (initdb / pg_ctl in a
temporary folder), two real ``shuyu serve`` processes on it, and a stop/start of the database between them."""

from __future__ import annotations

import glob
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from registry.postgres import PostgresStore
from registry.tokens import create_token
from tests.api.test_editorial_flow import revision_body
from tests.conftest import free_port, wait_ready
from tests.nodes.test_two_nodes import NOTIFIED_WITHIN, searchable_within

CONCEPT = "/api/v1/concepts/science-technology-backyard"
OUTAGE = 16.0  # seconds PostgreSQL stays down
RECOVERY = 5.0  # seconds a node may take to serve again once PostgreSQL is back
ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Cluster:
    """A PostgreSQL cluster in a temporary folder, run as its owner (``postgres`` when we are root)."""

    bin: Path
    folder: Path
    port: int

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def pg_ctl(self, *args: str) -> None:
        command = [str(self.bin / "pg_ctl"), "-D", str(self.folder / "data"), *args]
        if os.getuid() == 0:  # initdb and postgres refuse to run as root
            command = ["su", "postgres", "-s", "/bin/sh", "-c", " ".join(f"'{a}'" for a in command)]
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, timeout=60)

    def start(self) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        self.pg_ctl("-o", options, "-l", str(self.folder / "log"), "-w", "start")

    def stop(self, mode: str = "fast") -> None:
        self.pg_ctl("-m", mode, "-w", "stop")


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    """Fails (never skips) when the PostgreSQL server binaries are not installed."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        pytest.fail("the restart test needs PostgreSQL's initdb and pg_ctl: apt-get install postgresql")
    folder = Path(tempfile.mkdtemp(prefix="shuyu-pg-restart-"))
    if os.getuid() == 0:
        shutil.chown(folder, "postgres")
    result = Cluster(bin=Path(found[-1]).parent, folder=folder, port=free_port())
    command = [str(result.bin / "initdb"), "-D", str(folder / "data"), "-U", "postgres", "-A", "trust"]
    if os.getuid() == 0:
        command = ["su", "postgres", "-s", "/bin/sh", "-c", " ".join(f"'{a}'" for a in command)]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, timeout=120)
    result.start()
    try:
        yield result
    finally:
        try:
            result.stop("immediate")
        except subprocess.CalledProcessError:
            pass  # already stopped
        shutil.rmtree(folder, ignore_errors=True)


class Node:
    """``shuyu serve`` in a process of its own, with its own data folder, on the cluster."""

    def __init__(self, data: Path, store_url: str, sync_interval: float) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "SHUYU_STORE_URL": store_url, "SHUYU_SYNC_INTERVAL": str(sync_interval),
               "PYTHONPATH": str(ROOT)}
        self.log = open(data.with_suffix(".log"), "wb")  # noqa: SIM115 - the node's whole life; close() closes it
        self.process = subprocess.Popen(
            [sys.executable, "-m", "api.cli", "serve", "--data-dir", str(data), "--port", str(self.port)],
            cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT)

    def wait_ready(self, seconds: float = 60) -> Node:
        wait_ready(self.url, self.process, seconds, Path(self.log.name))
        return self

    def close(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


def recovers(client: httpx.Client, path: str, deadline: float) -> float | None:
    """When ``path`` answers 200 (None: not by the ``deadline`` on the monotonic clock); never a 500 meanwhile."""
    while time.monotonic() < deadline:
        response = client.get(path)
        assert response.status_code in (200, 503), response.text
        if response.status_code == 200:
            return time.monotonic()
        time.sleep(0.1)
    return None


def unavailable(response: httpx.Response) -> None:
    """A 503 ``store-unavailable`` problem, not a 500."""
    assert response.status_code == 503, (response.status_code, response.text)
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["type"].endswith("/problems/store-unavailable")


def test_nodes_survive_a_postgresql_restart(cluster, tmp_path):
    schema = f"shuyu_restart_{secrets.token_hex(4)}"
    url = f"{cluster.url}?schema={schema}"
    store = PostgresStore(url)  # the schema, made once before the nodes start side by side
    tokens = {name: create_token(store, name, role, actor="test")[1]
              for name, role in [("alice", "editor"), ("bob", "reviewer")]}
    store.close()
    # polling every 30 s: after the restart only a LISTEN connection that came back makes B see A's change
    nodes: list[Node] = []
    for name in ("a", "b"):
        try:
            nodes.append(Node(tmp_path / name, url, 30))
        except BaseException:
            for node in nodes:
                node.close()
            raise
    a, b = nodes
    clients = [
        httpx.Client(base_url=a.url, timeout=30),
        httpx.Client(base_url=a.url, timeout=30, headers={"authorization": f"Bearer {tokens['alice']}"}),
        httpx.Client(base_url=a.url, timeout=30, headers={"authorization": f"Bearer {tokens['bob']}"}),
        httpx.Client(base_url=b.url, timeout=30),
    ]
    on_a, alice, bob, on_b = clients
    try:
        a.wait_ready()  # both load the bundled vocabulary into the empty store at once: exactly one does
        b.wait_ready()
        for node in (on_a, on_b):  # both nodes read the store, and B is listening
            assert node.get("/api/v1/proposals").status_code == 200
        body = revision_body(on_a, "重启前写入的定义。", f"重启前{secrets.token_hex(3)}")

        cluster.stop("fast")
        stopped = time.monotonic()
        # the store is gone: what needs it is 503 store-unavailable (never 500); the catalog still answers
        with ThreadPoolExecutor(4) as pool:
            outage = list(pool.map(lambda call: call(), [
                lambda: on_a.get("/api/v1/proposals"), lambda: on_b.get("/api/v1/proposals"),
                lambda: alice.post("/api/v1/proposals", json=body), lambda: on_b.get("/readyz"),
            ]))
        for response in outage[:3]:
            unavailable(response)
        assert outage[3].status_code == 503 and outage[3].json()["status"] == "not-ready"
        assert on_a.get(CONCEPT).status_code == 200 and on_b.get(CONCEPT).status_code == 200
        # long enough for a reconnecting pool to back off further than "a few seconds" (psycopg_pool's
        # default waits 1, 2, 4, 8, 16 s between attempts)
        time.sleep(max(0.0, OUTAGE - (time.monotonic() - stopped)))
        unavailable(on_a.get("/api/v1/proposals"))

        cluster.start()
        started = time.monotonic()
        # each node recovers by itself within a few seconds: reads, readiness, its follower (healthy again
        # once it has read the change log; it listens again right after), then a write
        for node in (on_a, on_b):
            assert recovers(node, "/api/v1/proposals", started + RECOVERY) is not None
            assert recovers(node, "/readyz", started + RECOVERY) is not None
            while node.get("/healthz").json()["status"] != "ok":
                assert time.monotonic() < started + RECOVERY, node.get("/healthz").json()
                time.sleep(0.1)
        label = f"重启后标签{secrets.token_hex(3)}"
        proposal = alice.post("/api/v1/proposals", json=revision_body(on_a, "数据库重启后写入的定义。", label))
        assert proposal.status_code == 201, proposal.text
        approved = bob.post(f"/api/v1/proposals/{proposal.json()['id']}/approve")
        assert approved.status_code == 200, approved.text
        # node B learns of it from its LISTEN connection, which came back by itself
        assert searchable_within(on_b, label, "science-technology-backyard", NOTIFIED_WITHIN) is not None
        assert on_b.get(CONCEPT).json()["version"] == on_a.get(CONCEPT).json()["version"] == 2
        assert on_a.get("/healthz").json()["status"] == on_b.get("/healthz").json()["status"] == "ok"
    finally:
        for client in clients:
            client.close()
        b.close()
        a.close()
