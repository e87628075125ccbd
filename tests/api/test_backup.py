"""``shuyu backup`` of a serving registry and ``shuyu restore`` into another data folder."""

from __future__ import annotations

import sqlite3
import threading

import httpx
import pytest
from click.testing import CliRunner

from api.cli import main
from api.services import Services
from api.settings import Settings
from registry.errors import InvalidInput
from tests.conftest import SCHEME, LiveServer, concept

QUERIES = ["數位鄉村", "szxc", "智慧农业", "冷链", "备份测试概念 7"]


def cli(*args: str):
    return CliRunner().invoke(main, list(args))


def answers(client: httpx.Client) -> list[list[str]]:
    return [[h["id"] for h in client.get("/api/v1/search", params={"q": q}).json()["hits"]] for q in QUERIES]


@pytest.fixture(scope="module")
def serving(tmp_path_factory):
    data = tmp_path_factory.mktemp("serving")
    with LiveServer(Settings(data_dir=str(data), sync_interval=0.1)) as live:
        yield live


def test_backup_while_writing_is_consistent_and_restores_to_the_same_answers(serving, tmp_path):
    store = serving.services.store
    store.append([], actor="test", schemes=[SCHEME])
    stop = threading.Event()

    def write() -> None:
        n = 0
        while not stop.is_set() and n < 200:
            store.append([concept(f"backup-{n}", f"备份测试概念 {n}")], actor="writer")
            n += 1

    writer = threading.Thread(target=write)
    writer.start()
    try:
        mid = tmp_path / "mid.db"
        result = cli("backup", str(mid), "--data-dir", serving.settings.data_dir)
        assert result.exit_code == 0, result.output
    finally:
        stop.set()
        writer.join()
    # a consistent copy: every version has its event and the other way round, at one revision
    copy = sqlite3.connect(mid)
    versions = copy.execute("SELECT count(*) FROM versions").fetchone()[0]
    version_events = copy.execute("SELECT count(*) FROM events WHERE kind != 'scheme'").fetchone()[0]
    assert versions == version_events
    assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    copy.close()

    final = tmp_path / "final.db"
    assert cli("backup", str(final), "--data-dir", serving.settings.data_dir).exit_code == 0
    target = tmp_path / "restored"
    result = cli("restore", str(final), "--data-dir", str(target))
    assert result.exit_code == 0, result.output
    assert f"restored revision {store.revision()}" in result.output

    with LiveServer(Settings(data_dir=str(target), load_bundled=False)) as restored, \
            httpx.Client(base_url=serving.url) as a, httpx.Client(base_url=restored.url) as b:
        assert b.get("/healthz").json()["revision"] == a.get("/healthz").json()["revision"] == store.revision()
        assert answers(b) == answers(a)
        assert answers(b)[-1][0] == "backup-7"


def test_restore_refuses_a_registry_without_force_and_a_file_that_is_not_a_store(tmp_path):
    source = tmp_path / "source"
    Services(Settings(data_dir=str(source))).close()
    backup = tmp_path / "copy.db"
    assert cli("backup", str(backup), "--data-dir", str(source)).exit_code == 0

    occupied = tmp_path / "occupied"
    Services(Settings(data_dir=str(occupied))).close()
    refused = cli("restore", str(backup), "--data-dir", str(occupied))
    assert refused.exit_code == 1 and "not empty" in refused.output and "--force" in refused.output
    forced = cli("restore", str(backup), "--data-dir", str(occupied), "--force")
    assert forced.exit_code == 0, forced.output

    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not a database" * 100)
    bad = cli("restore", str(junk), "--data-dir", str(tmp_path / "empty"))
    assert bad.exit_code == 1 and "not a SQLite database" in bad.output and bad.output.count("\n") == 1

    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.commit()
    assert "not a shuyu store" in cli("restore", str(other), "--data-dir", str(tmp_path / "e2")).output
    assert not (tmp_path / "e2" / "shuyu.db").exists() or sqlite3.connect(
        tmp_path / "e2" / "shuyu.db").execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 0


def test_backup_of_a_postgresql_store_names_pg_dump(monkeypatch, tmp_path):
    monkeypatch.setenv("SHUYU_STORE_URL", "postgresql://postgres@127.0.0.1:5432/test")
    result = cli("backup", str(tmp_path / "x.db"))
    assert result.exit_code == 2 and "pg_dump" in result.output


def test_a_backup_into_a_folder_that_is_not_there_names_that_folder(tmp_path):
    """outside9: it said "backup of …/shuyu.db failed: unable to open database file", blaming the store."""
    from registry.backup import backup as copy_store

    store = tmp_path / "s.db"
    sqlite3.connect(store).execute("CREATE TABLE t (x)").connection.commit()
    missing = tmp_path / "no-such-folder" / "copy.db"
    with pytest.raises(InvalidInput) as info:
        copy_store(store, missing)
    assert str(missing.parent) in str(info.value) and str(store) not in str(info.value)
    assert info.value.field == "file"


def test_backup_piped_prints_its_one_line_and_no_blank_progress_line(serving, tmp_path):
    """The progress bar drew on standard output even into a pipe: a blank line came before the report."""
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "api.cli", "backup", str(tmp_path / "piped.db"),
                           "--data-dir", serving.settings.data_dir],
                          capture_output=True, text=True, timeout=120, check=True)
    assert done.stdout.splitlines() == [f"backed up revision {done.stdout.split()[3]} to {tmp_path / 'piped.db'}"]
    assert done.stderr.strip() == ""
