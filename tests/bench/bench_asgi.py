"""Per-request CPU cost of the hot reads through the served ASGI app, in process (no network, no client).

    python -m tests.bench.bench_asgi                       # this tree
    python -m tests.bench.bench_asgi --metrics             # this tree with and without its request metrics
    python -m tests.bench.bench_asgi --stores              # this tree on SQLite and on PostgreSQL
    SHUYU_BENCH_BASELINE=/path/to/older/tree python -m tests.bench.bench_asgi [--metrics]

Drives ``create_asgi(settings)`` (lifespan included) on the bundled vocabulary with ASGI calls and
times them in CPU time of this process (``time.process_time``), so other load on a shared machine
barely moves the figures; ratios are to a bare litestar route (an app with one route answering a
constant, no middleware), measured in the same process in turns with the routes. The request log is
on, as when served. With
``SHUYU_BENCH_BASELINE`` the same measurement runs on that tree's code in a subprocess, alternating
with this tree's, and both columns are printed side by side. With ``--metrics`` every tree is also
measured with its request metrics and request log switched off (the column "… no metrics"), to show
what they cost.
With ``--stores`` this tree runs on a SQLite store and on a fresh schema of the test PostgreSQL
(``SHUYU_TEST_POSTGRES``), alternating: catalog reads should cost the same on both.
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
    "bare /healthz": ("/healthz", ""),  # shuyu's: liveness, through the whole middleware
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

    app = create_asgi(Settings(data_dir=tempfile.mkdtemp(prefix="shuyu-bench-"),
                               store_url=os.environ.get("SHUYU_BENCH_STORE_URL", "")))
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

    bare = bare_app()
    apps = {name: (app, path, query) for name, (path, query) in ROUTES.items()}
    apps[BARE] = (bare, "/healthz", "")
    figures: dict[str, list[float]] = {name: [] for name in apps}
    for _ in range(ROUNDS):  # the routes take turns, the bare app's among them
        for name, (target, path, query) in apps.items():
            begin = time.process_time()
            for _ in range(REQUESTS):
                await target(scope(path, query), receive, send)
            figures[name].append((time.process_time() - begin) / REQUESTS * 1e6)
            assert set(statuses) == {200}, (name, set(statuses))
    stop.set()
    await lifespan
    return {name: min(rounds) for name, rounds in figures.items()}


BARE = "bare litestar route"


def bare_app():
    """A litestar app with one route answering a constant, no middleware: what /healthz is compared to."""
    from litestar import Litestar, MediaType, get

    @get("/healthz", sync_to_thread=False, media_type=MediaType.JSON)
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return Litestar([healthz])


def without_request_metrics() -> None:
    """Switch a tree's request metrics and request log off before its app is built: litestar's Prometheus
    middleware (the tree before issue 10's fix), the ``RequestMetrics`` and ``RequestLog`` wrappers (before
    issue 25), their ``note`` (after), or ``EveryRequest.noting`` (requests noted in one list), whichever
    the tree has."""
    import types

    from litestar.middleware import DefineMiddleware

    import api.app
    import api.observability

    if hasattr(api.app, "PROMETHEUS"):
        api.app.PROMETHEUS = types.SimpleNamespace(middleware=DefineMiddleware(lambda app: app))
    if hasattr(api.observability, "RequestNotes"):
        api.observability.EveryRequest.noting = False
    elif hasattr(api.observability, "EveryRequest"):
        api.observability.RequestMetrics.note = lambda *args: None
        api.observability.RequestLog.enabled = staticmethod(lambda: False)
    elif hasattr(api.app, "RequestMetrics"):
        api.app.RequestMetrics = lambda app: app
        api.app.RequestLog = lambda app, state: app


def run_in(tree: str | None, metrics: bool = True, store_url: str = "") -> dict[str, float]:
    env = {**os.environ, "SHUYU_BENCH_STORE_URL": store_url}
    if tree:
        env["PYTHONPATH"] = tree
    script = os.path.abspath(__file__)
    args = ["--child"] if metrics else ["--child", "--no-metrics"]
    out = subprocess.run([sys.executable, script, *args], capture_output=True, text=True, check=True,
                         cwd=tree or os.getcwd(), env=env, timeout=900).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    if "--stores" in sys.argv:
        return compare_stores()
    trees: dict[str, tuple[str | None, bool]] = {"now": (None, True)}
    if "--metrics" in sys.argv:
        trees["now, no metrics"] = (None, False)
    if os.environ.get("SHUYU_BENCH_BASELINE"):
        trees["baseline"] = (os.environ["SHUYU_BENCH_BASELINE"], True)
        if "--metrics" in sys.argv:
            trees["baseline, no metrics"] = (os.environ["SHUYU_BENCH_BASELINE"], False)
    runs: dict[str, list[dict[str, float]]] = {name: [] for name in trees}
    for _ in range(2):  # alternate, so that all see the same machine
        for name, (tree, metrics) in trees.items():
            runs[name].append(run_in(tree, metrics))
    print("\n| route | " + " | ".join(f"{n} µs CPU/request | {n} ratio to the bare litestar route (req/s)" for n in trees) + " |")
    print("|---|" + "---:|---:|" * len(trees))
    for route in [BARE, *ROUTES]:
        cells = []
        for name in trees:
            cost = statistics.median(r[route] for r in runs[name])
            bare = statistics.median(r[BARE] for r in runs[name])
            cells.append(f"{cost:.1f} | {bare / cost:.2f}")
        print(f"| {route} | " + " | ".join(cells) + " |")
    bare = statistics.median(r[BARE] for r in runs["now"])
    health = statistics.median(r["bare /healthz"] for r in runs["now"])
    print(f"\nshuyu's /healthz: {bare / health:.2f}× the bare litestar route's requests per second "
          f"(target ≥ 0.9: {'met' if bare / health >= 0.9 else 'MISSED'})")


def compare_stores() -> None:
    import secrets

    import psycopg

    postgres = os.environ.get("SHUYU_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
    schema = f"shuyu_bench_{secrets.token_hex(4)}"
    stores = {"SQLite": "", "PostgreSQL": f"{postgres}?schema={schema}"}
    runs: dict[str, list[dict[str, float]]] = {name: [] for name in stores}
    try:
        for _ in range(3):  # alternate, so that both see the same machine
            for name, url in stores.items():
                runs[name].append(run_in(None, True, url))
    finally:
        with psycopg.connect(postgres, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    print("\n| route | SQLite µs CPU/request | PostgreSQL µs CPU/request | SQLite / PostgreSQL (req/s ratio) |")
    print("|---|---:|---:|---:|")
    for route in ROUTES:
        lite, pg = (statistics.median(r[route] for r in runs[name]) for name in stores)
        print(f"| {route} | {lite:.1f} | {pg:.1f} | {lite / pg:.2f} |")


if __name__ == "__main__":
    if "--child" in sys.argv:  # the request log on, as served (litestar's logging config writes it to stderr)
        if "--no-metrics" in sys.argv:
            without_request_metrics()
        print(json.dumps(asyncio.run(measure())))
    else:
        main()
    os._exit(0)
