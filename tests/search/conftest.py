"""The search service over the bundled vocabulary, built once for the search tests that only read it."""

from __future__ import annotations

import pytest

from registry.sqlite import SQLiteStore
from search.service import SearchService
from vocab.loader import load_bundled_if_empty


@pytest.fixture(scope="session")
def service(tmp_path_factory):
    folder = tmp_path_factory.mktemp("search")
    store = SQLiteStore(folder / "r.db")
    load_bundled_if_empty(store)
    svc = SearchService(store, folder / "index")
    svc.catch_up()
    yield svc
    svc.index.close()
    store.close()
