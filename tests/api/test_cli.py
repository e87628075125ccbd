"""The shuyu command: check, stats, reindex, and serve as a new user runs it (a real subprocess)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from api.cli import main
from tests.conftest import free_port
from vocab.loader import bundled_files

SERVE_TIMEOUT = 90


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_every_command_has_help():
    import click

    def commands(group: click.Group, path: tuple[str, ...] = ()):
        for name, command in group.commands.items():
            yield (*path, name)
            if isinstance(command, click.Group):
                yield from commands(command, (*path, name))

    every = list(commands(main))
    assert {"serve", "export", "token", "token create", "report harmonisation"} <= {" ".join(c) for c in every}
    for command in every:
        result = run(*command, "--help")
        assert result.exit_code == 0 and "Usage" in result.output and len(result.output) > 100, command


def test_export_in_a_new_folder_writes_the_vocabulary_a_server_there_would_serve(tmp_path):
    """As the drafting commands do: the bundled vocabulary is loaded into the new, empty store. It once
    made an empty store and said "no scheme 'dv-terms'; the schemes are none and standards"."""
    folder = tmp_path / "new"
    result = run("export", "--scheme", "dv-terms", "--format", "csv", "--data-dir", str(folder),
                 "-o", str(tmp_path / "terms.csv"))
    assert result.exit_code == 0, result.output
    assert "digital-village" in (tmp_path / "terms.csv").read_text(encoding="utf-8")


def test_check_passes_on_the_bundled_vocabulary():
    result = run("check", *map(str, bundled_files()))
    assert result.exit_code == 0 and result.output.startswith("ok:")


def test_check_reports_file_line_and_field_in_one_line(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[scheme]\nid = "x-y"\ntitle = "t"\n\n[[concept]]\nid = "a-b"\npref = 5\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(bad)])
    assert result.exit_code == 1
    assert result.output.strip() == f"error: {bad}:7: pref: Expected `str`, got `int`"


def test_check_of_a_missing_file_is_one_line(tmp_path):
    result = CliRunner().invoke(main, ["check", str(tmp_path / "missing.toml")])
    assert result.exit_code == 1 and result.output.count("\n") == 1 and "cannot read file" in result.output


def test_stats_prints_counts():
    result = run("stats")
    assert result.exit_code == 0 and "dv-terms" in result.output and "standards" in result.output


def test_reindex_rebuilds_from_the_store(tmp_path):
    from api.services import Services
    from api.settings import Settings

    Services(Settings(data_dir=str(tmp_path))).close()
    shown = CliRunner(env={"TTY_COMPATIBLE": "1"}).invoke(main, ["reindex", "--data-dir", str(tmp_path)])
    assert shown.exit_code == 0, shown.output
    assert "indexed" in shown.output and "100%" in shown.output  # on a terminal, the bar (on standard error)
    piped = run("reindex", "--data-dir", str(tmp_path))
    assert [line.split()[0] for line in piped.output.splitlines()] == ["indexed"]  # piped, the report alone


def start_serve(data_dir: Path, port: int) -> subprocess.Popen:
    env = {**os.environ, "SHUYU_PORT": str(port)}
    return subprocess.Popen(
        [sys.executable, "-m", "api.cli", "serve", "--data-dir", str(data_dir)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )


def wait_until_up(url: str, process: subprocess.Popen, seconds: float = SERVE_TIMEOUT) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"serve exited: {process.stdout.read()}")
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise AssertionError("serve did not come up")


def stop(process: subprocess.Popen) -> str:
    process.terminate()
    try:
        output, _ = process.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        output, _ = process.communicate()
    return output


def index_files(data_dir: Path) -> dict[str, float]:
    return {p.name: p.stat().st_mtime_ns for p in (data_dir / "index").iterdir() if p.is_file()}


def test_serve_loads_once_and_restarts_without_rebuilding(tmp_path):
    data = tmp_path / "data"
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    process = start_serve(data, port)
    try:
        wait_until_up(url, process)
        hits = httpx.get(f"{url}/api/v1/search", params={"q": "數位鄉村"}).json()["hits"]
        assert hits[0]["label"] == "数字乡村"
        revision = httpx.get(f"{url}/healthz").json()["revision"]
    finally:
        stop(process)
    assert (data / "shuyu.db").exists()
    before = index_files(data)

    process = start_serve(data, port)
    try:
        wait_until_up(url, process)
        assert httpx.get(f"{url}/healthz").json()["revision"] == revision  # nothing loaded again
        match = httpx.get(f"{url}/api/v1/lookup", params={"label": "數字鄉村"}).json()["matches"][0]
        assert match["id"] == "digital-village"
    finally:
        stop(process)
    assert index_files(data) == before  # the index was neither rebuilt nor written


@pytest.mark.parametrize("args, env", [
    (["--port", "99999"], {}), ([], {"SHUYU_PORT": "99999"}), ([], {"SHUYU_PORT": "0"}),
    ([], {"SHUYU_WORKERS": "0"}), ([], {"SHUYU_SYNC_INTERVAL": "-1"}), ([], {"SHUYU_IMPORT_MAX_BYTES": "-5"}),
])
def test_serve_refuses_a_setting_out_of_range_before_it_starts(tmp_path, monkeypatch, args, env):
    """Port 99999 was bound as 34463 (modulo 65536) while the server announced 99999."""
    import uvicorn

    import api.services

    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(os, "environ", dict(os.environ))  # serve exports its settings for the workers
    started: list = []  # a regression starts nothing: it is seen here, never left serving
    monkeypatch.setattr(api.services, "prepare", lambda settings: started.append(settings))
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: started.append(options))
    result = CliRunner().invoke(main, ["serve", "--data-dir", str(tmp_path / "data"), *args])
    assert not started, started
    assert result.exit_code != 0 and ("range" in result.output or "bad setting" in result.output), result.output
    assert not (tmp_path / "data").exists()  # refused before anything is made


def test_serve_with_an_unwritable_data_dir_says_so_in_one_line(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    result = CliRunner().invoke(main, ["serve", "--data-dir", str(blocker / "sub")])
    assert result.exit_code == 1
    assert result.output == f"error: Not a directory: {blocker / 'sub'}\n"


def test_two_workers_serve_the_same_answers_after_a_publish(tmp_path):
    """`serve --workers 2`: one worker writes the index, the other refreshes; both find the new version."""
    from registry.sqlite import SQLiteStore
    from registry.tokens import create_token

    data = tmp_path / "data"
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(
        [sys.executable, "-m", "api.cli", "serve", "--data-dir", str(data), "--workers", "2"],
        env={**os.environ, "SHUYU_PORT": str(port), "SHUYU_SYNC_INTERVAL": "0.2"},
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        wait_until_up(url, process)
        store = SQLiteStore(data / "shuyu.db")
        editor = create_token(store, "alice", "editor", actor="test")[1]
        reviewer = create_token(store, "bob", "reviewer", actor="test")[1]
        store.close()
        current = httpx.get(f"{url}/api/v1/concepts/credit-easy-loan").json()
        terms = [{"text": t["text"], "lang": t["lang"], "type": t["type"]} for t in current["terms"]]
        body = {"kind": "revise", "target_id": "credit-easy-loan", "submit": True,
                "concept": {"scheme": "dv-terms", "terms": terms + [{"text": "信用易贷通"}],
                            "definition": current["definition"], "sources": current["sources"]}}
        proposal = httpx.post(f"{url}/api/v1/proposals", json=body, headers={"authorization": f"Bearer {editor}"})
        assert proposal.status_code == 201, proposal.text
        approved = httpx.post(f"{url}/api/v1/proposals/{proposal.json()['id']}/approve",
                              headers={"authorization": f"Bearer {reviewer}"})
        assert approved.status_code == 200, approved.text
        answers: dict[int, str] = {}
        deadline = time.monotonic() + 20
        while len(answers) < 2 and time.monotonic() < deadline:
            with httpx.Client(base_url=url) as client:  # one connection: one worker answers both
                worker = client.get("/healthz").json()["worker"]
                hits = client.get("/api/v1/search", params={"q": "信用易贷通"}).json()["hits"]
                # forgiving search finds 信易贷 for this query before the publish too: wait for the new label itself
                if hits and hits[0]["id"] == "credit-easy-loan" and hits[0]["matched_label"] == "信用易贷通":
                    answers[worker] = client.get("/api/v1/concepts/credit-easy-loan").json()["version"]
        assert len(answers) == 2, f"answers from {len(answers)} worker(s)"
        assert set(answers.values()) == {2}
    finally:
        output = stop(process)
    assert "Traceback" not in output and "LockError" not in output
