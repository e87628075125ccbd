"""Fixtures of the drafting tools' tests: the bundled content in a real store, and a server of our own
(some tests write to it)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from api.settings import Settings
from registry.sqlite import SQLiteStore
from search.catalog import Catalog
from tests.conftest import LiveServer
from vocab.loader import load_bundled_if_empty


@pytest.fixture(scope="session")
def bundled_store(tmp_path_factory) -> Iterator[SQLiteStore]:
    store = SQLiteStore(tmp_path_factory.mktemp("drafting-store") / "registry.db")
    load_bundled_if_empty(store)
    yield store
    store.close()


@pytest.fixture(scope="session")
def bundled_catalog(bundled_store) -> Catalog:
    return Catalog.from_store(bundled_store)


@pytest.fixture(scope="module")
def drafting_server(tmp_path_factory) -> Iterator[LiveServer]:
    data = tmp_path_factory.mktemp("drafting-data")
    with LiveServer(Settings(data_dir=str(data), sync_interval=0.1)) as server:
        yield server


@pytest.fixture()
def client(drafting_server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=drafting_server.url, timeout=60) as c:
        yield c
