"""What the exchange tests share: an empty SQLite store and an import of one file into it."""

from __future__ import annotations

import pytest

from registry.sqlite import SQLiteStore
from vocab.exchange import import_files

BASE = "https://shuyu.test"


@pytest.fixture()
def empty(tmp_path):
    s = SQLiteStore(tmp_path / "e.db")
    yield s
    s.close()


def imported(store, name: str, data: bytes, **kw):
    """``data`` imported into ``store`` as a file called ``name`` (by "importer" unless ``actor`` says)."""
    return import_files(store, [(name, data)], actor=kw.pop("actor", "importer"), base_uri=BASE, **kw)
