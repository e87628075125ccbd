"""The index folder: creating the index deletes only what the index made, and never sits on the store."""

from __future__ import annotations

import pytest

from api.services import Services
from api.settings import Settings
from registry.sqlite import SQLiteStore
from search.index import SearchIndex, UnsafeIndexFolder


def test_creating_and_rebuilding_keep_what_the_index_did_not_make(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    (tmp_path / "backups").mkdir()
    (tmp_path / "backups" / "old.json").write_text("{}")
    index = SearchIndex(tmp_path)
    index.apply([{"id": "a", "definition": "数字乡村"}], 1)
    index.rebuild([{"id": "b", "definition": "智慧农业"}], 2)
    index.close()
    assert (tmp_path / "notes.txt").read_text() == "mine"
    assert (tmp_path / "backups" / "old.json").read_text() == "{}"
    assert SearchIndex(tmp_path).revision == 2


def test_an_index_folder_holding_the_store_is_refused(tmp_path):
    settings = Settings(data_dir=str(tmp_path), index_dir=str(tmp_path))
    with pytest.raises(UnsafeIndexFolder, match="shuyu.db"):
        Services(settings)
    store = SQLiteStore(tmp_path / "shuyu.db")  # still there, still readable, not emptied
    try:
        assert store.revision() > 0
    finally:
        store.close()


def test_a_folder_with_any_sqlite_database_is_refused(tmp_path):
    SQLiteStore(tmp_path / "registry.sqlite3").close()
    with pytest.raises(UnsafeIndexFolder, match="registry.sqlite3"):
        SearchIndex(tmp_path)
    assert (tmp_path / "registry.sqlite3").exists()


def test_an_index_names_its_analyzer_as_indexes_always_have(tmp_path):
    """whoosh pickles the analyzer's module and name into the index: ``search.index.TextTokenizer``, as
    before the index module became a package, so older and newer code read each other's indexes."""
    index = SearchIndex(tmp_path / "index")
    index.close()
    toc = b"".join(p.read_bytes() for p in (tmp_path / "index").glob("*.toc"))
    assert b"search.index" in toc and b"TextTokenizer" in toc and b"search.index.schema" not in toc
