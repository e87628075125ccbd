"""Web sessions on disk: expired ones are swept when the service starts, live ones stay."""

from __future__ import annotations

import asyncio
import threading
import time

import httpx

from api.settings import Settings
from api.web.session import session_store
from tests.conftest import LiveServer


def run(coroutine):
    """Run a coroutine to its end in a thread of its own (the browser tests keep an event loop running
    in this one)."""
    result = []
    thread = threading.Thread(target=lambda: result.append(asyncio.run(coroutine)))
    thread.start()
    thread.join()
    return result[0]


def test_expired_sessions_are_swept_at_start_and_live_ones_kept(tmp_path):
    store = session_store(str(tmp_path))
    run(store.set("gone", b'{"token_hash": "x"}', expires_in=1))
    run(store.set("kept", b'{"token_hash": "y"}', expires_in=3600))
    time.sleep(1.2)
    files = lambda: len(list((tmp_path / "sessions").iterdir()))  # noqa: E731 - file names are hashes
    assert files() == 2
    with LiveServer(Settings(data_dir=str(tmp_path), sync_interval=0.1)) as server:
        assert httpx.get(f"{server.url}/healthz").status_code == 200
        deadline = time.monotonic() + 10
        while files() > 1 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert files() == 1
    assert run(store.get("kept")) == b'{"token_hash": "y"}'
    assert run(store.get("gone")) is None


def test_a_data_folder_without_sessions_starts_quietly(tmp_path, caplog):
    with LiveServer(Settings(data_dir=str(tmp_path), sync_interval=0.1)) as server:
        assert httpx.get(f"{server.url}/healthz").status_code == 200
    assert "sweep" not in caplog.text
