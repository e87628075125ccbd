"""Web sessions in the store: expired ones are swept when the service starts, live ones stay; the
litestar ``Store`` over the registry hashes its keys and honours expiry."""

from __future__ import annotations

import hashlib
import time

import httpx

from api.settings import Settings
from api.web.session import RegistrySessionStore
from registry.sqlite import SQLiteStore
from tests.conftest import LiveServer
from tests.conftest import run_coroutine as run


def test_the_session_store_keeps_hashed_keys_and_honours_expiry(store):
    sessions = RegistrySessionStore(lambda: store)
    run(sessions.set("gone", b'{"token_hash": "x"}', expires_in=1))
    run(sessions.set("kept", b'{"token_hash": "y"}', expires_in=3600))
    assert store.get_session("kept", int(time.time())) is None  # the id itself is not a key
    assert store.get_session(hashlib.sha256(b"kept").hexdigest(), int(time.time())) == b'{"token_hash": "y"}'
    time.sleep(2.1)
    assert run(sessions.get("gone")) is None
    assert run(sessions.get("kept")) == b'{"token_hash": "y"}'
    assert run(sessions.delete_expired()) == 1
    run(sessions.set("kept", b'{"token_hash": "z"}', expires_in=3600))  # replaced, not doubled
    assert store.count_sessions(int(time.time())) == 1 and run(sessions.get("kept")) == b'{"token_hash": "z"}'
    run(sessions.delete("kept"))
    assert run(sessions.exists("kept")) is False


def test_expired_sessions_are_swept_at_start_and_live_ones_kept(tmp_path):
    store = SQLiteStore(tmp_path / "shuyu.db")
    sessions = RegistrySessionStore(lambda: store)
    run(sessions.set("gone", b'{"token_hash": "x"}', expires_in=1))
    run(sessions.set("kept", b'{"token_hash": "y"}', expires_in=3600))
    time.sleep(2.1)
    rows = lambda: store.count_sessions(0)  # noqa: E731 - expired rows included
    assert rows() == 2
    with LiveServer(Settings(data_dir=str(tmp_path), sync_interval=0.1)) as server:
        assert httpx.get(f"{server.url}/healthz").status_code == 200
        deadline = time.monotonic() + 10
        while rows() > 1 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert rows() == 1
    assert run(sessions.get("kept")) == b'{"token_hash": "y"}'
    assert run(sessions.get("gone")) is None
    store.close()


def test_a_data_folder_without_sessions_starts_quietly(tmp_path, caplog):
    with LiveServer(Settings(data_dir=str(tmp_path), sync_interval=0.1)) as server:
        assert httpx.get(f"{server.url}/healthz").status_code == 200
    assert "sweep" not in caplog.text
