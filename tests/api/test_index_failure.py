"""The index is a cache: when it fails, a committed write still answers 2xx, search answers 503
``index-unavailable`` while the index is rebuilt in the background, and /healthz says ``degraded``."""

from __future__ import annotations

import fcntl
import logging
import shutil
import time

import httpx
import pytest

from api.settings import Settings
from registry.tokens import create_token
from search.index import REBUILD_LOCK
from tests.api.test_http import assert_problem
from tests.conftest import LiveServer

CONCEPT = "/api/v1/concepts/science-technology-backyard"
NEW_LABEL = "科技小院服务模式"


@pytest.fixture()
def server(tmp_path):
    with LiveServer(Settings(data_dir=str(tmp_path), sync_interval=0.05)) as live:
        store = live.services.store
        live.tokens = {name: create_token(store, name, role, actor="test")[1]
                       for name, role in [("alice", "editor"), ("bob", "reviewer")]}
        yield live


def wait_until(check, seconds: float = 60.0):
    deadline = time.monotonic() + seconds
    while not (result := check()):
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)
    return result


def test_approval_after_the_index_folder_is_deleted(server, caplog):
    caplog.set_level(logging.INFO, logger="shuyu")
    alice = httpx.Client(base_url=server.url, timeout=30, headers={"authorization": f"Bearer {server.tokens['alice']}"})
    bob = httpx.Client(base_url=server.url, timeout=30, headers={"authorization": f"Bearer {server.tokens['bob']}"})
    anyone = httpx.Client(base_url=server.url, timeout=30)
    try:
        current = anyone.get(CONCEPT).json()
        terms = [{"text": t["text"], "lang": t["lang"], "type": t["type"]} for t in current["terms"]]
        terms.append({"text": NEW_LABEL, "lang": "zh-Hans", "type": "admitted"})
        created = alice.post("/api/v1/proposals", json={
            "kind": "revise", "target_id": "science-technology-backyard", "base_version": current["version"],
            "concept": {"scheme": current["scheme"], "terms": terms, "definition": current["definition"],
                        "related": [r["id"] for r in current["related"]], "sources": current["sources"]},
            "submit": True,
        })
        assert created.status_code == 201, created.text
        assert anyone.get("/api/v1/search", params={"q": "数字乡村"}).status_code == 200

        index = server.settings.index
        shutil.rmtree(index)  # the index folder disappears under the running server
        index.mkdir()
        with open(index / REBUILD_LOCK, "a") as lock:  # hold the rebuild back while we look
            fcntl.flock(lock, fcntl.LOCK_EX)
            approved = bob.post(f"/api/v1/proposals/{created.json()['id']}/approve")
            assert approved.status_code == 200, approved.text  # committed: the client is told so
            assert approved.json()["state"] == "approved"
            assert anyone.get(CONCEPT).json()["version"] == current["version"] + 1  # the catalog followed

            problem = assert_problem(anyone.get("/api/v1/search", params={"q": "数字乡村"}), 503)
            assert problem["type"] == "/problems/index-unavailable"
            page = anyone.get("/", params={"q": "数字乡村"}, headers={"accept": "text/html"})
            assert page.status_code == 503 and "Traceback" not in page.text
            health = anyone.get("/healthz").json()
            assert health["status"] == "degraded" and "index" in health["reason"]
            assert anyone.get("/api/v1/suggest", params={"q": "szxc"}).status_code == 200  # from memory
            time.sleep(0.5)  # ten polls of the follower while degraded
            fcntl.flock(lock, fcntl.LOCK_UN)

        # rebuilt in the background from the store, with the approved version in it
        wait_until(lambda: anyone.get("/healthz").json()["status"] == "ok")
        found = anyone.get("/api/v1/search", params={"q": NEW_LABEL})
        assert found.status_code == 200 and found.json()["hits"][0]["id"] == "science-technology-backyard"
        assert "reason" not in anyone.get("/healthz").json()

        said = [r.getMessage() for r in caplog.records if r.name == "shuyu"]
        assert len([m for m in said if m.startswith("search unavailable")]) == 1, said
        assert len([m for m in said if m.startswith("search available again")]) == 1, said
        assert not [r for r in caplog.records if r.levelno >= logging.ERROR and r.exc_info], "no stack traces"
    finally:
        for client in (alice, bob, anyone):
            client.close()
