"""Operating `shuyu serve` and the token commands (issue 11): workers end with their parent, two first
starts at once both come up, token commands never create a store."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
from click.testing import CliRunner

from api.cli import main
from tests.api import test_cli
from tests.api.test_cli import start_serve, stop
from tests.conftest import free_port

UP_TIMEOUT = 240  # a first start loads and indexes the vocabulary; a busy CI machine is slow at it


def wait_until_up(url: str, process: subprocess.Popen) -> None:
    test_cli.wait_until_up(url, process, UP_TIMEOUT)


def _workers_of(pid: int) -> set[int]:
    """The uvicorn worker processes (multiprocessing spawn children) of ``pid``."""
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            cmdline = Path(f"/proc/{child}/cmdline").read_bytes()
            if b"spawn_main" in cmdline or b"api.cli" in cmdline:
                found.add(int(child))
    return found


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False
    return state != "Z"  # a zombie has exited; only its reaping is left


def test_workers_end_when_serve_is_killed_and_the_next_start_works(tmp_path):
    data, port = tmp_path / "data", free_port()
    url = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(
        [sys.executable, "-m", "api.cli", "serve", "--data-dir", str(data), "--workers", "2"],
        env={**os.environ, "SHUYU_PORT": str(port)}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    workers: set[int] = set()
    try:
        wait_until_up(url, process)
        deadline = time.monotonic() + 30
        while len(workers) < 2 and time.monotonic() < deadline:
            workers = _workers_of(process.pid)
            time.sleep(0.2)
        assert len(workers) == 2, workers
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
        deadline = time.monotonic() + 30
        while any(_running(w) for w in workers) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not [w for w in workers if _running(w)], "workers kept running after their parent was killed"
    finally:
        for w in workers:
            if _running(w):
                os.kill(w, signal.SIGKILL)
        if process.poll() is None:
            process.kill()
        process.communicate()
    again = start_serve(data, port)  # the port is free again
    try:
        wait_until_up(url, again)
    finally:
        output = stop(again)
    assert "Address already in use" not in output


def test_two_first_starts_at_once_on_one_empty_data_folder_both_come_up(tmp_path):
    data = tmp_path / "data"
    ports = [free_port(), free_port()]
    processes = [start_serve(data, port) for port in ports]
    outputs = []
    try:
        for port, process in zip(ports, processes):
            wait_until_up(f"http://127.0.0.1:{port}", process)
        revisions = {httpx.get(f"http://127.0.0.1:{port}/healthz").json()["revision"] for port in ports}
        assert len(revisions) == 1 and revisions.pop() > 0
        # the index is a cache that one of them writes: both answer from it once it is built
        for port in ports:
            deadline, hits = time.monotonic() + 120, []
            while not hits and time.monotonic() < deadline:
                hits = httpx.get(f"http://127.0.0.1:{port}/api/v1/search", params={"q": "數位鄉村"}).json()["hits"]
                time.sleep(0.5)
            assert hits and hits[0]["id"] == "digital-village", port
    finally:
        outputs = [stop(p) for p in processes]
    assert not [o for o in outputs if "Traceback" in o], outputs


def test_token_commands_never_create_a_store(tmp_path):
    runner = CliRunner()
    missing = tmp_path / "nowhere"
    for args in (["token", "create", "--name", "alice", "--role", "editor"], ["token", "list"],
                 ["token", "revoke", "t-1"]):
        result = runner.invoke(main, [*args, "--data-dir", str(missing)])
        assert result.exit_code == 1
        assert result.output.startswith("error: there is no store at ") and "shuyu serve" in result.output
        assert result.output.count("\n") == 1
    assert not missing.exists()
    from registry.sqlite import SQLiteStore

    missing.mkdir()
    SQLiteStore(missing / "shuyu.db").close()  # a store that exists: the token is made there
    created = runner.invoke(main, ["token", "create", "--name", "alice", "--role", "editor", "--data-dir", str(missing)])
    assert created.exit_code == 0 and created.stdout.strip().startswith("shuyu_")


def test_token_commands_have_help():
    for command in (["token", "create"], ["token", "list"], ["token", "revoke"]):
        result = CliRunner().invoke(main, [*command, "--help"])
        assert result.exit_code == 0 and "Usage" in result.output


def test_the_ci_script_installs_into_a_virtual_environment_of_its_own():
    """`bash .ci/run` must not reinstall into the `.venv` that the README's first command serves from."""
    import re

    root = Path(__file__).resolve().parents[2]
    script = (root / ".ci" / "run").read_text(encoding="utf-8")
    assert "VENV=.venv-test" in script and not re.search(r"(?<![\w-])\.venv/", script)
    assert ".venv-test/" in (root / ".gitignore").read_text(encoding="utf-8").splitlines()
