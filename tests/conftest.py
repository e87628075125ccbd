"""Shared fixtures: a real app on a temporary SQLite file and index folder, served over real HTTP."""

from __future__ import annotations

import asyncio
import functools
import os
import secrets
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from playwright.sync_api import Browser, sync_playwright

from api.app import create_asgi
from api.settings import Settings
from registry.model import ConceptVersion, Scheme, Term
from registry.sqlite import SQLiteStore
from registry.store import Store


def run_coroutine(coroutine):
    """Run a coroutine to its end in a thread of its own: the browser tests keep an event loop running in
    the main thread (Playwright's sync API), where ``asyncio.run`` refuses to start another."""
    result = []
    thread = threading.Thread(target=lambda: result.append(asyncio.run(coroutine)))
    thread.start()
    thread.join()
    return result[0]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(url: str, process: subprocess.Popen, seconds: float, log: Path | None = None) -> None:
    """Poll ``url``/readyz until it answers 200; RuntimeError if ``process`` exits or ``seconds`` pass,
    with the end of the ``log`` it writes, if any."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            tail = log.read_text(errors="replace")[-2000:] if log else ""
            raise RuntimeError(f"the server at {url} did not become ready: {tail}")
        time.sleep(0.05)


class LiveServer:
    """uvicorn serving ``create_app(settings)`` in a thread, on a free port of 127.0.0.1."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.app = create_asgi(settings)
        config = uvicorn.Config(self.app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="on")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> "LiveServer":
        self.thread.start()
        deadline = time.monotonic() + 60
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the test server did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)

    @property
    def services(self):
        return self.app.state.services


def caught_up(live: LiveServer, seconds: float = 30.0) -> int:
    """Wait on the event a read after a write needs: the server's catalog and index at the store's
    revision. Bounded far above the tenths of a second it takes, so a loaded machine does not fail."""
    search, target = live.services.search, live.services.store.revision()
    deadline = time.monotonic() + seconds
    while min(search.catalog.revision, search.index.revision) < target:
        assert time.monotonic() < deadline, f"the server did not reach revision {target} in {seconds} s"
        time.sleep(0.01)
    return target


@pytest.fixture(scope="session")
def live_server(tmp_path_factory) -> Iterator[LiveServer]:
    """One server for the read-only API tests, on the bundled vocabulary."""
    data = tmp_path_factory.mktemp("shuyu-data")
    with LiveServer(Settings(data_dir=str(data), sync_interval=0.1)) as server:
        yield server


@pytest.fixture()
def http(live_server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live_server.url, timeout=30) as client:
        yield client


def writing_client(tmp_path_factory, name: str, role: str) -> Iterator[httpx.Client]:
    """A server of its own on the bundled vocabulary and a client holding a bearer token of ``role``: for the
    tests that write, so the shared ``live_server`` stays as loaded (use from a module-scoped fixture)."""
    from registry.tokens import create_token

    data = tmp_path_factory.mktemp(f"{name}-data")
    with LiveServer(Settings(data_dir=str(data), sync_interval=0.1)) as server:
        token = create_token(server.services.store, f"{name}-{role}", role, actor="test")[1]
        with httpx.Client(base_url=server.url, timeout=30, headers={"authorization": f"Bearer {token}"}) as client:
            yield client


CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's chromium, driven by Playwright, for every browser test."""
    assert Path(CHROMIUM).exists(), "the browser tests need Debian's chromium: apt-get install chromium"
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield b
        b.close()


POSTGRES_URL = os.environ.get("SHUYU_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")


@pytest.fixture()
def sqlite_store(tmp_path: Path) -> Iterator[SQLiteStore]:
    s = SQLiteStore(tmp_path / "registry.db")
    yield s
    s.close()


@pytest.fixture()
def postgres_store() -> Iterator[Store]:
    """A PostgreSQL store in a schema of its own, dropped afterwards."""
    from registry.postgres import PostgresStore

    schema = f"shuyu_test_{secrets.token_hex(6)}"
    s = PostgresStore(f"{POSTGRES_URL}?schema={schema}")
    yield s
    s._db.conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
    s.close()


@pytest.fixture(params=["sqlite", "postgres"])
def store(request) -> Store:
    """The contract tests run against both stores."""
    return request.getfixturevalue(f"{request.param}_store")


SCHEME = Scheme(id="test-scheme", title="测试方案")


def concept(cid: str, pref: str, *, version: int = 1, scheme: str = "test-scheme", **fields) -> ConceptVersion:
    """A small concept for tests; extra terms go in ``terms`` after the preferred one."""
    extra = fields.pop("terms", ())
    return ConceptVersion(
        id=cid, scheme=scheme, version=version,
        terms=(Term(text=pref, type="preferred"), *extra), **fields,
    )


# -- markers -------------------------------------------------------------------------------------
# ``pytest -m "not slow and not browser and not postgres"`` is the fast subset (README.md); CI runs
# everything. The markers are set here from what a test uses, so a new test is marked
# without an edit: ``browser`` when it uses the browser fixture, ``postgres`` when it reaches PostgreSQL
# (a fixture or parameter named postgres, or code that opens POSTGRES_URL or a PostgresStore), ``slow``
# for the folders and tests below (each took seconds of its own, or started servers of its own, in a
# run of the fast subset with --durations) and for tests marked ``@pytest.mark.slow`` by hand.
SLOW_FOLDERS = ("nodes", "reliability", "search_eval")
SLOW_TESTS = (
    "tests/vocab/test_roundtrip.py",  # every format through rdflib, twice, and a search of each
    "tests/vocab/test_exchange.py",
    "tests/api/test_cli.py",  # shuyu serve in processes of its own
    "tests/api/test_operations.py",
    "tests/api/test_backup.py",
    "tests/api/test_contract.py",  # generates and imports a client
    "tests/api/test_index_failure.py",
    "tests/search/test_live_index.py",  # hundreds of changes, then a rebuild
    "tests/api/test_near_http.py",  # a server of its own
    "tests/web/test_sessions.py",
    "tests/web/test_editorial_flow.py::test_a_cross_site_post_without_the_csrf_token_is_refused",
    "tests/api/test_observability.py::test_readyz_is_ready_then_not_when_the_store_is_gone",
    "tests/api/test_exchange_api.py::test_cli_export_then_import_into_an_empty_registry",
    "tests/search/test_snapshots.py::test_readers_see_whole_revisions_while_the_follower_applies_them",
    "tests/search/test_service.py::test_index_follows_the_change_log_and_survives_restart",
    "tests/search/test_service.py::test_a_common_definition_word_is_ranked_in_batches_the_same_on_every_page",
    "tests/search/test_analysis.py::test_segment_syllables_are_pypinyin_s_on_every_character_and_on_phrases_of_its_dictionary",
    "tests/drafting/test_checker.py::test_a_long_draft_gives_what_its_paragraphs_give_one_by_one",
)
POSTGRES_FIXTURES = {"postgres_store"}
POSTGRES_WORDS = ("POSTGRES_URL", "PostgresStore(", "postgresql://")


@functools.cache
def _mentions_postgres(function) -> bool:
    import inspect

    try:
        source = inspect.getsource(function)
    except (OSError, TypeError):
        return False
    return any(word in source for word in POSTGRES_WORDS)


def _uses_postgres(item: pytest.Item) -> bool:
    names = set(getattr(item, "fixturenames", ()))
    if names & POSTGRES_FIXTURES:
        return True
    callspec = getattr(item, "callspec", None)
    if callspec is not None and "postgres" in callspec.params.values():
        return True
    info = getattr(item, "_fixtureinfo", None)
    for name in names:
        for definition in (info.name2fixturedefs.get(name, ()) if info else ()):
            # a parametrized fixture (sqlite or postgres) is decided by the parameter above
            if not definition.params and _mentions_postgres(definition.func):
                return True
    return _mentions_postgres(getattr(item, "function", None))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    root = Path(__file__).parent
    for item in items:
        if "browser" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)
        if _uses_postgres(item):
            item.add_marker(pytest.mark.postgres)
        parts = item.path.relative_to(root).parts if item.path.is_relative_to(root) else ()
        test = item.nodeid.split("[", 1)[0]
        if parts and parts[0] in SLOW_FOLDERS or any(test == t or test.startswith(t + "::") for t in SLOW_TESTS):
            item.add_marker(pytest.mark.slow)
