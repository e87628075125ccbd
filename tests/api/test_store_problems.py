"""Issue 11, store-level bad input over real HTTP on both stores: NUL in any text and integers past
2^63-1 are 4xx problems, a store that cannot write is 503 store-unavailable naming the cause."""

from __future__ import annotations

import secrets

import httpx
import pytest

from api.settings import Settings
from registry.tokens import create_token
from tests.api.test_http import assert_problem
from tests.conftest import POSTGRES_URL, SCHEME, LiveServer, concept

BIG = str(2**63)


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def server(request, tmp_path_factory):
    data = tmp_path_factory.mktemp(f"store-problems-{request.param}")
    schema = f"shuyu_problems_{secrets.token_hex(5)}"
    url = f"{POSTGRES_URL}?schema={schema}" if request.param == "postgres" else None
    # a one-concept vocabulary instead of the bundled one: a quick start on both stores
    with LiveServer(Settings(data_dir=str(data), store_url=url, sync_interval=0.2, load_bundled=False)) as live:
        store = live.services.store
        store.append([concept("digital-village", "数字乡村")], actor="test", schemes=[SCHEME])
        live.services.search.catch_up()
        live.editor = create_token(store, "alice", "editor", actor="test")[1]
        yield live
        if url:
            live.services.store._db.conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture()
def client(server):
    with httpx.Client(base_url=server.url, timeout=30,
                      headers={"authorization": f"Bearer {server.editor}"}) as c:
        yield c


def proposal(label: str = "数字乡村", note: str = "") -> dict:
    return {"kind": "revise", "target_id": "digital-village", "note": note,
            "concept": {"scheme": SCHEME.id, "terms": [{"text": label, "type": "preferred"}]}}


@pytest.mark.parametrize("path, params", [
    ("/api/v1/proposals/a%00b", {}),
    ("/api/v1/proposals", {"target": "a\x00"}),
    ("/api/v1/concepts/digital-village", {"release": "a\x00"}),
    ("/api/v1/releases/a%00", {}),
])
def test_nul_in_ids_and_parameters_is_400(client, path, params):
    assert_problem(client.get(path, params=params), 400)


@pytest.mark.parametrize("body", [proposal(label="数字\x00乡村"), proposal(note="说明\x00"),
                                  {**proposal(), "target_id": "digital-village"} | {"note": "\x00"}])
def test_nul_in_a_body_is_400_and_nothing_is_kept(server, client, body):
    before = client.get("/api/v1/proposals").json()["total"]
    problem = assert_problem(client.post("/api/v1/proposals", json=body), 400)
    assert "NUL" in problem["detail"]
    assert client.get("/api/v1/proposals").json()["total"] == before


def test_nul_in_a_comment_is_400(client):
    pid = client.post("/api/v1/proposals", json=proposal(label="数字乡村")).json()["id"]
    assert_problem(client.post(f"/api/v1/proposals/{pid}/comments", json={"text": "评\x00论"}), 400)
    assert client.get(f"/api/v1/proposals/{pid}").json()["comments"] == []


@pytest.mark.parametrize("path, params", [
    ("/api/v1/changes", {"since": BIG}),
    ("/api/v1/concepts/digital-village/versions/" + BIG, {}),
    ("/api/v1/concepts/digital-village", {"at": BIG}),
    ("/api/v1/concepts/digital-village", {"at": "²"}),
])
def test_numbers_past_64_bits_are_4xx(client, path, params):
    response = client.get(path, params=params)
    assert 400 <= response.status_code < 500, response.text
    assert_problem(response, response.status_code)


def test_a_store_that_cannot_write_answers_503_naming_the_cause(server, client):
    store = server.services.store
    raw = store._db.conn
    before = client.get("/api/v1/proposals").json()["total"]
    if type(store).__name__ == "SQLiteStore":
        raw.execute("PRAGMA query_only = ON")
    else:  # every connection of the pool from now on
        store._pool.kwargs["options"] = "-c default_transaction_read_only=on"
        store._pool.drain()
    try:
        problem = assert_problem(client.post("/api/v1/proposals", json=proposal()), 503)
        assert problem["type"] == "/problems/store-unavailable"
        assert "read-only" in problem["detail"] or "readonly" in problem["detail"]
    finally:
        if type(store).__name__ == "SQLiteStore":
            raw.execute("PRAGMA query_only = OFF")
        else:
            store._pool.kwargs.pop("options")
            store._pool.drain()
    assert client.get("/api/v1/proposals").json()["total"] == before
