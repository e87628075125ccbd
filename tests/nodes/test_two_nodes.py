"""Two API nodes, each with its own data folder, on one PostgreSQL schema (real servers over real HTTP)."""

from __future__ import annotations

import secrets
import time

import httpx
import psycopg
import pytest

from api.settings import Settings
from registry.tokens import create_token
from tests.api.test_editorial_flow import revision_body
from tests.conftest import POSTGRES_URL, LiveServer, free_port

CONCEPT = "/api/v1/concepts/science-technology-backyard"


@pytest.fixture()
def schema_url():
    schema = f"shuyu_nodes_{secrets.token_hex(5)}"
    yield f"{POSTGRES_URL}?schema={schema}"
    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def node(tmp_path, name: str, url: str, sync_interval: float) -> LiveServer:
    return LiveServer(Settings(data_dir=str(tmp_path / name), store_url=url, sync_interval=sync_interval))


# A NOTIFY reaches the other node in well under a tenth of a second; the bound is 100 times that, so a
# loaded machine does not fail the test, and still far below the nodes' polling interval.
NOTIFIED_WITHIN = 10.0


def searchable_within(client: httpx.Client, label: str, concept_id: str, seconds: float) -> float | None:
    """How long until a search for ``label`` finds ``concept_id`` (None: not within ``seconds``)."""
    start = time.monotonic()
    while time.monotonic() - start < seconds:
        hits = client.get("/api/v1/search", params={"q": label}).json()["hits"]
        if any(h["id"] == concept_id for h in hits):
            return time.monotonic() - start
        time.sleep(0.02)
    return None


def test_an_approval_on_node_a_is_searchable_on_node_b_through_its_notification(tmp_path, schema_url):
    # polling every 120 s: only the NOTIFY sent by node A's commit can make node B see it in time
    with node(tmp_path, "a", schema_url, 120) as a, node(tmp_path, "b", schema_url, 120) as b:
        store = a.services.store
        tokens = {name: create_token(store, name, role, actor="test")[1]
                  for name, role in [("alice", "editor"), ("bob", "reviewer")]}
        alice = httpx.Client(base_url=a.url, headers={"authorization": f"Bearer {tokens['alice']}"}, timeout=30)
        bob = httpx.Client(base_url=a.url, headers={"authorization": f"Bearer {tokens['bob']}"}, timeout=30)
        on_b = httpx.Client(base_url=b.url, timeout=30)
        with alice, bob, on_b:
            label = f"两节点测试标签{secrets.token_hex(3)}"
            assert searchable_within(on_b, label, "science-technology-backyard", 0.1) is None
            proposal = alice.post("/api/v1/proposals", json=revision_body(alice, "另一节点可见的定义。", label))
            assert proposal.status_code == 201, proposal.text
            approved = bob.post(f"/api/v1/proposals/{proposal.json()['id']}/approve")
            assert approved.status_code == 200, approved.text
            assert searchable_within(on_b, label, "science-technology-backyard", NOTIFIED_WITHIN) is not None
            assert on_b.get(CONCEPT).json()["version"] == 2
            assert on_b.get("/healthz").json()["revision"] == a.services.catalog.revision


def test_node_b_polls_when_its_notification_connection_is_killed(tmp_path, schema_url):
    with node(tmp_path, "a", schema_url, 0.3) as a, node(tmp_path, "b", schema_url, 0.3) as b:
        b_store = b.services.store
        deadline = time.monotonic() + 10
        while b_store._listener is None and time.monotonic() < deadline:
            time.sleep(0.05)
        pid = b_store._listener.info.backend_pid
        with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
            assert conn.execute("SELECT pg_terminate_backend(%s)", (pid,)).fetchone()[0]
        tokens = {name: create_token(a.services.store, name, role, actor="test")[1]
                  for name, role in [("alice", "editor"), ("bob", "reviewer")]}
        alice = httpx.Client(base_url=a.url, headers={"authorization": f"Bearer {tokens['alice']}"}, timeout=30)
        bob = httpx.Client(base_url=a.url, headers={"authorization": f"Bearer {tokens['bob']}"}, timeout=30)
        on_b = httpx.Client(base_url=b.url, timeout=30)
        with alice, bob, on_b:
            label = f"监听中断标签{secrets.token_hex(3)}"
            proposal = alice.post("/api/v1/proposals", json=revision_body(alice, "监听断开后仍可见。", label))
            assert bob.post(f"/api/v1/proposals/{proposal.json()['id']}/approve").status_code == 200
            assert searchable_within(on_b, label, "science-technology-backyard", 5.0) is not None
            # and node B listens again afterwards
            deadline = time.monotonic() + 10
            while (b_store._listener is None or b_store._listener.info.backend_pid == pid) and \
                    time.monotonic() < deadline:
                time.sleep(0.05)
            assert b_store._listener is not None and b_store._listener.info.backend_pid != pid


def terminate(application_name: str) -> int:
    """Kill every connection a store opened (its pool's, its listener's, its housekeeping one)."""
    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        return len(conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = %s",
                                (application_name,)).fetchall())


def eventually_ok(client: httpx.Client, path: str, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if client.get(path).status_code == 200:
            return True
        time.sleep(0.2)
    return False


def test_killing_node_as_connections_does_not_lose_it_or_node_b_and_an_outage_is_503(tmp_path, schema_url):
    with node(tmp_path, "a", schema_url, 30) as a, node(tmp_path, "b", schema_url, 30) as b:
        on_a, on_b = httpx.Client(base_url=a.url, timeout=30), httpx.Client(base_url=b.url, timeout=30)
        with on_a, on_b:
            assert on_a.get("/api/v1/proposals").status_code == 200  # reads the store, not the catalog
            a_store = a.services.store
            deadline = time.monotonic() + 10
            while a_store._listener is None and time.monotonic() < deadline:
                time.sleep(0.05)
            # pg_terminate_backend on all of node A's connections: the pool's check replaces them
            assert terminate(a_store.application_name) >= 2
            assert on_a.get("/api/v1/proposals").status_code == 200
            # node A's database gone (its new connections go to a closed port; the real one stays up)
            a_store._pool.kwargs["port"] = free_port()
            terminate(a_store.application_name)
            gone = on_a.get("/api/v1/proposals")
            assert gone.status_code == 503, gone.text
            assert gone.headers["content-type"].startswith("application/problem+json")
            assert gone.json()["type"].endswith("/problems/store-unavailable")
            # meanwhile node B serves and writes
            tokens = {name: create_token(b.services.store, name, role, actor="test")[1]
                      for name, role in [("alice", "editor"), ("bob", "reviewer")]}
            alice = httpx.Client(base_url=b.url, headers={"authorization": f"Bearer {tokens['alice']}"}, timeout=30)
            bob = httpx.Client(base_url=b.url, headers={"authorization": f"Bearer {tokens['bob']}"}, timeout=30)
            with alice, bob:
                label = f"断线后标签{secrets.token_hex(3)}"
                proposal = alice.post("/api/v1/proposals", json=revision_body(alice, "节点甲断线时写入。", label))
                assert proposal.status_code == 201, proposal.text
                assert bob.post(f"/api/v1/proposals/{proposal.json()['id']}/approve").status_code == 200
            assert searchable_within(on_b, label, "science-technology-backyard", NOTIFIED_WITHIN) is not None
            # the database back for node A: it recovers by itself and catches up from the log
            del a_store._pool.kwargs["port"]
            assert eventually_ok(on_a, "/api/v1/proposals", 20)
            assert searchable_within(on_a, label, "science-technology-backyard", 5.0) is not None


def test_node_b_started_after_500_changes_catches_up_and_answers_like_node_a(tmp_path, schema_url):
    from tests.conftest import SCHEME, concept

    with node(tmp_path, "a", schema_url, 30) as a:
        store = a.services.store
        store.append([concept(f"late-{i}", f"后来节点词{i}号", scheme=SCHEME.id) for i in range(500)],
                     actor="loader", schemes=[SCHEME])
        with httpx.Client(base_url=a.url, timeout=30) as on_a:
            assert searchable_within(on_a, "后来节点词499号", "late-499", 5.0) is not None
            with node(tmp_path, "b", schema_url, 30) as b, httpx.Client(base_url=b.url, timeout=30) as on_b:
                assert on_b.get("/healthz").json()["revision"] == on_a.get("/healthz").json()["revision"]
                for q in ("后来节点词7号", "后来节点词499号", "數位鄉村"):
                    assert on_b.get("/api/v1/search", params={"q": q}).json() == \
                        on_a.get("/api/v1/search", params={"q": q}).json()
                assert on_b.get("/api/v1/concepts/late-250").json() == on_a.get("/api/v1/concepts/late-250").json()


def test_signed_in_on_node_a_an_editor_works_on_node_b(tmp_path, schema_url):
    """Web sessions live in the store: behind a load balancer any node knows the editor."""
    from tests.reliability.test_web_security import form_token, sign_in

    def shared_key_node(name: str) -> LiveServer:  # the nodes share SHUYU_SECRET_KEY, as docs/operations.md says
        return LiveServer(Settings(data_dir=str(tmp_path / name), store_url=schema_url, sync_interval=30,
                                   secret_key="the-same-key-on-every-node"))

    with shared_key_node("a") as a, shared_key_node("b") as b:
        token = create_token(a.services.store, "alice", "editor", actor="test")[1]
        with httpx.Client(base_url=a.url, timeout=30) as on_a:
            assert sign_in(on_a, token).status_code == 303
            cookies = dict(on_a.cookies)
        with httpx.Client(base_url=b.url, timeout=30, cookies=cookies) as on_b:
            mine = on_b.get("/editor", follow_redirects=False)
            assert mine.status_code == 200 and "alice" in mine.text, mine.text[:300]
            made = on_b.post("/editor/proposals", data={"kind": "deprecate", "target_kind": "concept",
                                                         "target_id": "beidou", "replaced_by": "digital-village",
                                                         "note": "节点乙上提出", "_csrf_token": form_token(on_b)})
            assert made.status_code == 303, made.text[:300]
            proposal = made.headers["location"]
            commented = on_b.post(f"{proposal}/comment", data={"comment": "在节点乙上评论",
                                                               "_csrf_token": form_token(on_b)})
            assert commented.status_code == 303, commented.text[:300]
            out = on_b.post("/signout", data={"_csrf_token": form_token(on_b)}, follow_redirects=False)
            assert out.status_code == 303
        # signed out on B: signed out on A too
        with httpx.Client(base_url=a.url, timeout=30, cookies=cookies) as again_on_a:
            assert again_on_a.get("/editor", follow_redirects=False).status_code == 303
        assert "在节点乙上评论" in str(a.services.store.get_proposal(proposal.rsplit("/", 1)[1]))
