"""HTTP throughput of the catalog reads on the PostgreSQL store against the SQLite store, in one run.

    python -m tests.bench.bench_stores                 # 10k concepts, 5 rounds of 4 s per route and store
    python -m tests.bench.bench_stores 10000 4 5       # size, seconds per measurement, rounds

The same N synthetic concepts (tests/bench/corpus.py, plus the bundled vocabulary) are loaded into a
SQLite data folder and into a fresh schema of the test PostgreSQL (``SHUYU_TEST_POSTGRES``, default
127.0.0.1:5432/test), each with its own index; each is served by ``shuyu serve`` (1 worker) and loaded
with wrk (or tests/bench/loadgen.py), the two servers taking turns route by route, so both see the same
machine. Prints req/s per route and store (median of the rounds) and PostgreSQL/SQLite beside the
issue's target (≥ 0.9×: reads come from the catalog either way), and the server process's CPU time per
request (from /proc), which other load on a shared machine moves far less than req/s: the ratio of
SQLite's to PostgreSQL's CPU per request is the throughput ratio a machine to themselves would show.
"""

from __future__ import annotations

import os
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg

from tests.conftest import wait_ready

from .bench_http import CONNECTIONS, free_port, load, route_paths
from .common import prepare, verdict

POSTGRES_URL = os.environ.get("SHUYU_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
TARGET = 0.9
ROUTES = ("bare /healthz", "concept by id", "lookup by label")


def load_postgres(url: str, n: int, folder: Path) -> dict[str, float]:
    """The same concepts as ``prepare`` into the PostgreSQL store at ``url``, and an index for it."""
    from registry.postgres import PostgresStore
    from search.service import SearchService
    from vocab.loader import bundled_files, load_into, read_bundle

    from .corpus import write

    folder.mkdir(parents=True, exist_ok=True)
    corpus = write(n, folder / "corpus")
    store = PostgresStore(url)
    figures = {}
    start = time.perf_counter()
    load_into(store, read_bundle([*bundled_files(), corpus]))
    figures["load_s"] = time.perf_counter() - start
    service = SearchService(store, folder / "index")
    start = time.perf_counter()
    service.rebuild()
    figures["index_build_s"] = time.perf_counter() - start
    service.index.close()
    store.close()
    return figures


def cpu_seconds(process: subprocess.Popen) -> float:
    """User + system CPU time of a server process (its threads included) so far."""
    fields = Path(f"/proc/{process.pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def serve(data: Path, port: int, store_url: str | None) -> subprocess.Popen:
    env = {**os.environ}
    env.pop("SHUYU_STORE_URL", None)
    if store_url:
        env["SHUYU_STORE_URL"] = store_url
    process = subprocess.Popen(
        [sys.executable, "-m", "api.cli", "serve", "--data-dir", str(data), "--port", str(port), "--workers", "1"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    wait_ready(f"http://127.0.0.1:{port}", process, 300)
    return process


def main(n: int = 10_000, seconds: int = 4, rounds: int = 5) -> None:
    client = "wrk" if shutil.which("wrk") else "tests/bench/loadgen.py (no wrk installed)"
    schema = f"shuyu_bench_{secrets.token_hex(4)}"
    pg_url = f"{POSTGRES_URL}?schema={schema}"
    processes: list[subprocess.Popen] = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            lite = prepare(n, folder / "sqlite")
            pg = load_postgres(pg_url, n, folder / "postgres")
            print(f"prepared {n:,} concepts: SQLite load {lite['load_s']:.1f} s, index {lite['index_build_s']:.1f} s; "
                  f"PostgreSQL load {pg['load_s']:.1f} s, index {pg['index_build_s']:.1f} s; load from {client}",
                  flush=True)
            paths = route_paths(folder / "sqlite")
            servers, server_process = {}, {}
            for name, data, url in (("sqlite", folder / "sqlite", None), ("postgres", folder / "postgres", pg_url)):
                port = free_port()
                processes.append(serve(data, port, url))
                servers[name], server_process[name] = f"http://127.0.0.1:{port}", processes[-1]
            time.sleep(1.0)
            runs: dict[tuple[str, str], list[dict[str, float]]] = {}
            for round_ in range(rounds):
                order = list(servers) if round_ % 2 == 0 else list(reversed(servers))
                for route in ROUTES:
                    for name in order:  # the two stores take turns, route by route
                        before = cpu_seconds(server_process[name])
                        result = load(servers[name], paths[route], seconds, folder)
                        result["cpu_us"] = (cpu_seconds(server_process[name]) - before) / \
                            max(1.0, result["rps"] * seconds) * 1e6
                        runs.setdefault((route, name), []).append(result)
            print(f"\n## {n:,} concepts, 1 worker each, {CONNECTIONS} connections, {rounds} rounds of {seconds} s "
                  f"per route and store (medians)\n")
            print("| route | SQLite req/s | PostgreSQL req/s | PostgreSQL / SQLite | target | "
                  "server µs CPU/request SQLite / PG | SQLite / PG CPU | p99 ms SQLite / PG | non-2xx |")
            print("|---|---:|---:|---:|---|---:|---:|---:|---:|")
            for route in ROUTES:
                lite_rps = statistics.median(r["rps"] for r in runs[(route, "sqlite")])
                pg_rps = statistics.median(r["rps"] for r in runs[(route, "postgres")])
                p99 = [statistics.median(r["p99_ms"] for r in runs[(route, s)]) for s in servers]
                errors = sum(r["errors"] for s in servers for r in runs[(route, s)])
                cpu = [statistics.median(r["cpu_us"] for r in runs[(route, s)]) for s in servers]
                ratio = pg_rps / lite_rps
                target = "" if route.startswith("bare") else \
                    f"≥ {TARGET}×: {verdict(ratio, TARGET, lower_is_better=False)}"
                print(f"| {route} | {lite_rps:,.0f} | {pg_rps:,.0f} | {ratio:.2f} | {target} | "
                      f"{cpu[0]:.0f} / {cpu[1]:.0f} | {cpu[0] / cpu[1]:.2f} | "
                      f"{p99[0]:.2f} / {p99[1]:.2f} | {errors:.0f} |", flush=True)
            print("\nrounds (req/s, SQLite | PostgreSQL): " + "; ".join(
                f"{route}: " + ", ".join(f"{a['rps']:,.0f}|{b['rps']:,.0f}"
                                         for a, b in zip(runs[(route, 'sqlite')], runs[(route, 'postgres')]))
                for route in ROUTES))
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=30)
        with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


if __name__ == "__main__":
    main(*[int(a) for a in sys.argv[1:]])
    os._exit(0)
