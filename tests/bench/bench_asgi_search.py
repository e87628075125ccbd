"""CPU per search request through the served ASGI app, in process, beside the tantivy peer app.

    python -m tests.bench.bench_asgi_search                  # 10k concepts, 2 rounds
    python -m tests.bench.bench_asgi_search 10000 3          # size, rounds
    SHUYU_BENCH_BASELINE=/path/to/older/tree python -m tests.bench.bench_asgi_search

The HTTP benchmark's search mix (``bench_http.route_paths``: whole labels, infixes, pinyin; every query
distinct, so no result cache answers) is sent as ASGI calls to ``create_asgi`` (lifespan, middleware,
request log and metrics included) and to the peer app (``tests/bench/peer_app.py``: the same litestar,
search from tantivy), each in a process of its own, taking turns; µs of CPU per request
(``time.process_time``, so other load on a shared machine barely moves it). What a server's req/s
is bound by on a loaded machine, without the client and the network; the ratio to the peer's is the
HTTP target's (issue 25) in CPU terms. With ``SHUYU_BENCH_BASELINE`` that tree's code runs on a copy
of the same data folder.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

WARM = 300  # requests before the clock starts (imports, first conversions)


async def measure(kind: str, data: Path) -> dict[str, float]:
    from tests.bench.bench_asgi import scope
    from tests.bench.bench_http import route_paths

    queries = [path.split("?q=", 1)[1] for path in route_paths(data)["search (all distinct)"]]
    if kind == "peer":
        from tests.bench.peer_app import create_peer_app, ensure_index

        app = create_peer_app(ensure_index(data))
    else:
        from api.app import create_asgi
        from api.settings import Settings

        app = create_asgi(Settings(data_dir=str(data)))
    started, stop = asyncio.Event(), asyncio.Event()
    sent = False

    async def lifespan_receive():
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "lifespan.startup"}
        await stop.wait()
        return {"type": "lifespan.shutdown"}

    async def lifespan_send(message):
        if message["type"] == "lifespan.startup.complete":
            started.set()

    lifespan = asyncio.create_task(app({"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}},
                                       lifespan_receive, lifespan_send))
    await started.wait()
    statuses: list[int] = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        if message["type"] == "http.response.start":
            statuses.append(message["status"])

    for q in queries[:WARM]:
        await app(scope("/api/v1/search", f"q={q}"), receive, send)
    timed = queries[WARM:]
    begin = time.process_time()
    for q in timed:
        await app(scope("/api/v1/search", f"q={q}"), receive, send)
    cpu = (time.process_time() - begin) / len(timed) * 1e6
    assert set(statuses) == {200}, set(statuses)
    stop.set()
    await lifespan
    return {"us": cpu, "requests": len(timed)}


def run_in(kind: str, data: Path, tree: str | None) -> dict[str, float]:
    root = str(Path(__file__).parent.parent.parent)
    env = {**os.environ, "PYTHONPATH": tree or root}  # the child's api, search and tests.bench: that tree's
    out = subprocess.run([sys.executable, os.path.abspath(__file__), "--child", kind, str(data)],
                         capture_output=True, text=True, check=True, timeout=900, env=env, cwd=tree or root).stdout
    return json.loads(out.strip().splitlines()[-1])


def main(n: int = 10_000, rounds: int = 2) -> None:
    from tests.bench.common import prepare

    baseline = os.environ.get("SHUYU_BENCH_BASELINE")
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        prepare(n, data)
        runs: dict[str, tuple[str, Path, str | None]] = {"now": ("shuyu", data, None)}
        if baseline:
            shutil.copytree(data, Path(tmp) / "baseline")  # each tree reads and may rewrite its catalog snapshot
            runs["baseline"] = ("shuyu", Path(tmp) / "baseline", baseline)
        runs["tantivy app"] = ("peer", data, None)
        figures: dict[str, list[float]] = {name: [] for name in runs}
        requests = 0
        for _ in range(rounds):  # taking turns, so that all see the same machine
            for name, (kind, folder, tree) in runs.items():
                result = run_in(kind, folder, tree)
                figures[name].append(result["us"])
                requests = int(result["requests"])
    peer = statistics.median(figures["tantivy app"])
    print(f"\n## search through the ASGI app, {n:,} concepts, {requests:,} distinct queries, median of {rounds} rounds\n")
    print("| app | µs CPU / request | req/s ratio to the tantivy app |\n|---|---:|---:|")
    for name, values in figures.items():
        cost = statistics.median(values)
        print(f"| {name} | {cost:.0f} | {peer / cost:.2f} |")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        print(json.dumps(asyncio.run(measure(sys.argv[2], Path(sys.argv[3])))))
        os._exit(0)
    args = [int(a) for a in sys.argv[1:]]
    main(*args)
    os._exit(0)
