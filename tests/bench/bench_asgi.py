"""Per-request CPU cost of the hot reads through the served ASGI app, in process (no network, no client).

    python -m tests.bench.bench_asgi                       # this tree
    SHUYU_BENCH_BASELINE=/path/to/older/tree python -m tests.bench.bench_asgi

Drives ``create_asgi(settings)`` (lifespan included) on the bundled vocabulary with ASGI calls and
times them in CPU time of this process (``time.process_time``), so other load on a shared machine
barely moves the figures; ratios are to the bare route (/healthz) of the same app. With
``SHUYU_BENCH_BASELINE`` the same measurement runs on that tree's code in a subprocess, alternating
with this tree's, and both columns are printed side by side.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from urllib.parse import quote

ROUTES = {
    "bare /healthz": ("/healthz", ""),
    "concept by id": ("/api/v1/concepts/digital-village", ""),
    "lookup by label": ("/api/v1/lookup", "label=" + quote("數位鄉村")),
    "suggest": ("/api/v1/suggest", "q=szxc"),
}
REQUESTS = 2000
ROUNDS = 5


def scope(path: str, query: str) -> dict:
    return {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET", "scheme": "http",
            "path": path, "raw_path": path.encode(), "query_string": query.encode(), "root_path": "",
            "headers": [(b"host", b"bench")], "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 80), "state": {}}


async def measure() -> dict[str, float]:
    """µs of CPU per request for each route (the best of a few rounds)."""
    from api.app import create_asgi
    from api.settings import Settings

    app = create_asgi(Settings(data_dir=tempfile.mkdtemp(prefix="shuyu-bench-")))
    started, stop = asyncio.Event(), asyncio.Event()
    sent_startup = False

    async def lifespan_receive():
        nonlocal sent_startup
        if not sent_startup:
            sent_startup = True
            return {"type": "lifespan.startup"}
        await stop.wait()
        return {"type": "lifespan.shutdown"}

    async def lifespan_send(message):
        if message["type"] == "lifespan.startup.complete":
            started.set()
        elif message["type"] == "lifespan.startup.failed":
            raise RuntimeError(message.get("message"))

    lifespan = asyncio.create_task(app({"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}},
                                       lifespan_receive, lifespan_send))
    await started.wait()
    statuses: list[int] = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        if message["type"] == "http.response.start":
            statuses.append(message["status"])

    figures = {}
    for name, (path, query) in ROUTES.items():
        rounds = []
        for _ in range(ROUNDS):
            begin = time.process_time()
            for _ in range(REQUESTS):
                await app(scope(path, query), receive, send)
            rounds.append((time.process_time() - begin) / REQUESTS * 1e6)
        assert set(statuses) == {200}, (name, set(statuses))
        figures[name] = min(rounds)
    stop.set()
    await lifespan
    return figures


def run_in(tree: str | None) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": tree} if tree else None
    script = os.path.abspath(__file__)
    out = subprocess.run([sys.executable, script, "--child"], capture_output=True, text=True, check=True,
                         cwd=tree or os.getcwd(), env=env, timeout=900).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    trees = {"now": None}
    if os.environ.get("SHUYU_BENCH_BASELINE"):
        trees["baseline"] = os.environ["SHUYU_BENCH_BASELINE"]
    runs: dict[str, list[dict[str, float]]] = {name: [] for name in trees}
    for _ in range(2):  # alternate, so that both see the same machine
        for name, tree in trees.items():
            runs[name].append(run_in(tree))
    print(f"\n| route | " + " | ".join(f"{n} µs CPU/request | {n} ratio to bare (req/s)" for n in trees) + " |")
    print("|---|" + "---:|---:|" * len(trees))
    for route in ROUTES:
        cells = []
        for name in trees:
            cost = statistics.median(r[route] for r in runs[name])
            bare = statistics.median(r["bare /healthz"] for r in runs[name])
            cells.append(f"{cost:.1f} | {bare / cost:.2f}")
        print(f"| {route} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    if "--child" in sys.argv:
        import logging

        logging.disable(logging.CRITICAL)
        print(json.dumps(asyncio.run(measure())))
    else:
        main()
    os._exit(0)
