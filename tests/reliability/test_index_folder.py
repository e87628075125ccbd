"""What the index deletes is decided by its own tables of contents, never by a name prefix; a corrupt
index is moved aside and rebuilt at start, and the service comes up."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from api.cli import main
from registry.sqlite import SQLiteStore
from search.index import SearchIndex
from tests.reliability.conftest import Served
from vocab.loader import load_bundled_if_empty


def test_reindex_beside_a_store_called_shuyu_main_db_leaves_the_store_intact(tmp_path):
    folder = tmp_path / "shared"
    folder.mkdir()
    store = SQLiteStore(folder / "shuyu_main.db")
    load_bundled_if_empty(store)
    revision = store.revision()
    store.close()
    env = {"SHUYU_STORE_URL": f"sqlite:///{folder / 'shuyu_main.db'}", "SHUYU_INDEX_DIR": str(folder)}
    result = CliRunner(env=env).invoke(main, ["reindex", "--data-dir", str(tmp_path)])
    assert result.exit_code != 0 and "shuyu_main.db" in result.output  # refused, naming the database
    store = SQLiteStore(folder / "shuyu_main.db")
    try:
        assert store.revision() == revision and store.get("concept", "digital-village").version >= 1
    finally:
        store.close()


def test_files_that_only_look_like_index_files_survive_create_rebuild_and_whooshs_clean_up(tmp_path):
    lookalikes = {"shuyu_main.txt": "notes", "shuyu_export.csv": "id\n", "_shuyu_notes.toc.bak": "x",
                  "shuyu_abcdefghijklmnop.trm": "not a segment of ours"}
    for name, text in lookalikes.items():
        (tmp_path / name).write_text(text)
    index = SearchIndex(tmp_path)
    for revision in range(1, 4):  # each commit makes whoosh clean up old segments
        index.apply([{"id": f"c{revision}", "definition": "数字乡村"}], revision)
    index.rebuild([{"id": "b", "definition": "智慧农业"}], 4)
    index.apply([{"id": "c", "definition": "数字乡村"}], 5)
    index.close()
    for name, text in lookalikes.items():
        assert (tmp_path / name).read_text() == text, name
    again = SearchIndex(tmp_path)
    try:
        assert again.revision == 5 and again.doc_count() == 2 and again.set_aside is None
    finally:
        again.close()


def _built(folder: Path) -> None:
    index = SearchIndex(folder)
    index.apply([{"id": "a", "definition": "数字乡村"}, {"id": "b", "definition": "智慧农业"}], 7)
    index.close()


@pytest.mark.parametrize("damage", ["empty toc", "garbage toc", "missing segment file"])
def test_a_corrupt_index_is_moved_aside_and_made_again(tmp_path, damage):
    _built(tmp_path)
    toc = next(tmp_path.glob("_shuyu_*.toc"))
    if damage == "empty toc":
        toc.write_bytes(b"")
    elif damage == "garbage toc":
        toc.write_bytes(b"\x89PNG garbage" * 50)
    else:
        next(tmp_path.glob("shuyu_*.trm")).unlink()
    index = SearchIndex(tmp_path)  # today: whoosh's error ends the process
    try:
        assert index.revision == 0 and index.doc_count() == 0  # empty: the follower refills it from the store
        assert index.set_aside is not None and (index.set_aside / toc.name).exists()  # kept for inspection
    finally:
        index.close()


def test_serve_comes_up_on_a_corrupt_toc_and_search_works_after_the_rebuild(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    server = Served(data, f"sqlite:///{data / 'shuyu.db'}").start()
    server.stop()
    toc = next((data / "index").glob("_shuyu_*.toc"))
    toc.write_bytes(b"")  # the outside test's zero-length table of contents
    server.start()
    try:
        deadline = time.monotonic() + 120
        while httpx.get(f"{server.url}/readyz", timeout=10).status_code != 200:
            assert time.monotonic() < deadline, httpx.get(f"{server.url}/readyz").text
            time.sleep(0.2)
        ready = httpx.get(f"{server.url}/readyz", timeout=10).json()
        assert ready["index_revision"] == ready["store_revision"] > 0  # rebuilt from the store
        hits = httpx.get(f"{server.url}/api/v1/search", params={"q": "在乡村应用数字技术"}, timeout=30)
        assert hits.status_code == 200 and hits.json()["hits"], hits.text
        assert any(data.joinpath("index").glob("corrupt-*/" + toc.name))
        assert "could not be read: moved its files" in server.log.read_text()
    finally:
        server.stop()


def test_a_toc_broken_while_serving_is_not_healthy_and_is_set_aside_by_repair(tmp_path):
    _built(tmp_path)
    index = SearchIndex(tmp_path)
    try:
        assert index.healthy()
        toc = next(tmp_path.glob("_shuyu_*.toc"))
        toc.write_bytes(b"garbage")
        assert not index.healthy()  # search answers 503 and the follower repairs, rather than a 500
        assert index.repair(lambda: [{"id": "a", "definition": "数字乡村"}], 8)
        assert index.revision == 8 and index.doc_count() == 1 and index.healthy()
        assert any(tmp_path.glob(f"corrupt-*/{toc.name}"))
    finally:
        index.close()
