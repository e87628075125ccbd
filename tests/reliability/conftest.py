"""Real `shuyu serve` processes on SQLite or PostgreSQL, for the outside checks: fuzzing, kill -9, races."""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from registry.store import open_store
from registry.tokens import create_token
from tests.conftest import POSTGRES_URL, free_port

START_TIMEOUT = 240  # first start loads the vocabulary and builds the index; CI machines are shared


class Served:
    """`python -m api.cli serve` on a free port, over a data folder (and a PostgreSQL schema, if given)."""

    def __init__(self, data_dir: Path, store_url: str, workers: int = 1) -> None:
        self.data_dir = data_dir
        self.store_url = store_url
        self.workers = workers
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None
        self.log = data_dir.parent / f"serve-{self.port}.log"

    def start(self) -> "Served":
        env = {**os.environ, "SHUYU_PORT": str(self.port), "SHUYU_STORE_URL": self.store_url,
               "SHUYU_SYNC_INTERVAL": "0.2", "SHUYU_WORKERS": str(self.workers)}
        with open(self.log, "a") as log:
            self.process = subprocess.Popen([sys.executable, "-m", "api.cli", "serve", "--data-dir", str(self.data_dir)],
                                            env=env, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"serve exited with {self.process.returncode}:\n{self.log.read_text()[-3000:]}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        self.stop()
        raise AssertionError(f"serve did not come up:\n{self.log.read_text()[-3000:]}")

    def kill(self) -> None:
        """kill -9 the serving process (and its workers, which would otherwise hold the port)."""
        assert self.process is not None
        try:
            os.killpg(self.process.pid, signal.SIGKILL) if self.workers > 1 else self.process.kill()
        except ProcessLookupError:
            pass
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=30)

    def token(self, name: str, role: str) -> str:
        store = open_store(self.store_url)
        try:
            return create_token(store, name, role, actor="reliability-test")[1]
        finally:
            store.close()


@pytest.fixture(params=["sqlite", "postgres"])
def store_url(request, tmp_path) -> Iterator[str]:
    """A store of the given kind: a SQLite file in the test's folder, or a PostgreSQL schema of its own."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'data' / 'shuyu.db'}"
        return
    schema = f"shuyu_rel_{secrets.token_hex(5)}"
    url = f"{POSTGRES_URL}?schema={schema}"
    yield url
    store = open_store(url)
    try:
        store._db.conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    finally:
        store.close()


@pytest.fixture()
def served(tmp_path, store_url) -> Iterator[Served]:
    (tmp_path / "data").mkdir(exist_ok=True)
    server = Served(tmp_path / "data", store_url).start()
    try:
        yield server
    finally:
        server.stop()
