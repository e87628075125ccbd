"""HTTP benchmark: throughput and latency of `shuyu serve`, ratios to the bare route.

    python -m tests.bench.bench_http                # 10k concepts, 1 and 2 workers, 10 s per route
    python -m tests.bench.bench_http 10000 5        # size, seconds per route
    python -m tests.bench.bench_http 10000 5 2      # … and only 2 workers
    SHUYU_BENCH_BASELINE=/path/to/older/tree python -m tests.bench.bench_http 10000 5

Load comes from Debian's wrk (`apt-get install wrk`) when it is installed, else from
`tests/bench/loadgen.py` (Python, in a process of its own: lower ceilings, so compare only ratios
taken with the same client). Loopback only (127.0.0.1, ports 8870-8889 or ``SHUYU_BENCH_PORTS=FIRST-LAST``), 32 connections, bounded runs.

Beside shuyu runs the peer app (``tests/bench/peer_app.py``): the same litestar and uvicorn, with as many
workers, serving search from a tantivy index of 1–2-grams over the same documents, and a bare litestar
route (a constant answer, no middleware). The ratios are to that bare route, and the pairs the issue
compares (shuyu's /healthz and the bare route; shuyu's search and the peer's) are measured in turns,
so they hold on a noisy machine. Search queries all differ, so no result cache answers.

With ``SHUYU_BENCH_BASELINE`` set to another source tree (e.g. ``git worktree add /tmp/before REV``),
a second server runs that tree's code on the same data, and every route is measured on both, one
after the other, so the two columns come from one run.
"""

from __future__ import annotations

import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

import httpx
import json

from .common import prepare, rss_mb, verdict

CONNECTIONS = 32
LUA = """
local paths = {}
for line in io.lines("%s") do paths[#paths + 1] = line end
local step, counter = 1, 0
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("first", threads)
end
function init(args)
  counter = first
  step = 2
end
function request()
  counter = counter + step
  return wrk.format("GET", paths[(counter %% #paths) + 1])
end
"""


# the benchmark's own port range on a shared machine; SHUYU_BENCH_PORTS=FIRST-LAST picks another
_FIRST, _LAST = (int(p) for p in os.environ.get("SHUYU_BENCH_PORTS", "8870-8889").split("-"))
PORTS = range(_FIRST, _LAST + 1)


def free_port() -> int:
    import socket

    for port in PORTS:
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {PORTS.start}-{PORTS.stop - 1}")


def start_server(data: Path, workers: int, tree: str | None = None, peer: bool = False) -> tuple[subprocess.Popen, str, float]:
    """Start `shuyu serve` (of the source ``tree``, default this one), or the tantivy peer app
    (``tests/bench/peer_app.py``); returns the process, its URL and seconds to the first answered request."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    begin = time.perf_counter()
    env = {**os.environ, "PYTHONPATH": tree} if tree else None
    command = (["-m", "tests.bench.peer_app", str(data), str(port), str(workers)] if peer else
               ["-m", "api.cli", "serve", "--data-dir", str(data), "--port", str(port), "--workers", str(workers)])
    process = subprocess.Popen([sys.executable, *command], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               cwd=tree or Path(__file__).parent.parent.parent, env=env)
    probe = "/healthz" if peer else "/api/v1/concepts/digital-village"
    while True:
        try:
            if httpx.get(f"{url}{probe}", timeout=1).status_code == 200:
                return process, url, time.perf_counter() - begin
        except httpx.HTTPError:
            pass
        if process.poll() is not None or time.perf_counter() - begin > 300:
            raise RuntimeError("the server did not start")
        time.sleep(0.02)


def worker_rss(process: subprocess.Popen) -> list[float]:
    children = Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()
    pids = [int(c) for c in children] or [process.pid]
    return [rss_mb(pid) for pid in pids]


def load(url: str, paths: list[str], seconds: int, folder: Path) -> dict[str, float]:
    """wrk where it is installed, else the Python load generator."""
    path_file = folder / "paths.txt"
    path_file.write_text("\n".join(paths) + "\n", encoding="utf-8")
    if not shutil.which("wrk"):
        out = subprocess.run(
            [sys.executable, "-m", "tests.bench.loadgen", url, str(path_file), str(seconds), str(CONNECTIONS)],
            capture_output=True, text=True, timeout=seconds + 60, check=True,
        ).stdout
        return json.loads(out)
    script = folder / "paths.lua"
    script.write_text(LUA % path_file, encoding="utf-8")
    out = subprocess.run(
        ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency", "-s", str(script), url],
        capture_output=True, text=True, timeout=seconds + 60, check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    latency = dict(re.findall(r"^\s+(50|99)%\s+([\d.]+\w+)", out, re.M))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": rps, "p50_ms": _ms(latency["50"]), "p99_ms": _ms(latency["99"]),
            "errors": float(errors.group(1)) if errors else 0.0}


def _ms(text: str) -> float:
    value, unit = float(re.match(r"[\d.]+", text).group(0)), re.sub(r"[\d.]+", "", text)
    return value * {"us": 1e-3, "ms": 1.0, "s": 1e3}[unit]


def route_paths(data: Path) -> dict[str, list[str]]:
    from registry.sqlite import SQLiteStore
    from search.analysis import pinyin_keys

    store = SQLiteStore(data / "shuyu.db")
    concepts = [c for c in store.current("concept") if c.scheme == "bench"]
    store.close()
    rng = random.Random(3)
    rng.shuffle(concepts)
    search = list(dict.fromkeys(
        [c.preferred for c in concepts[:4000]] + [c.preferred[1:4] for c in concepts[4000:7000]]
        + [pinyin_keys(c.preferred)[0] for c in concepts[7000:9000]]
    ))
    return {
        "bare /healthz": ["/healthz"],
        "concept by id": [f"/api/v1/concepts/{c.id}" for c in concepts[:5000]],
        "lookup by label": [f"/api/v1/lookup?label={quote(c.preferred)}" for c in concepts[:5000]],
        "suggest": [f"/api/v1/suggest?q={quote(c.preferred[:2])}" for c in concepts[:5000]],
        "search (all distinct)": [f"/api/v1/search?q={quote(q)}" for q in search],
    }


TARGETS = {"concept by id": 0.8, "lookup by label": 0.8, "suggest": 0.6, "search (all distinct)": 0.25}
PEER = "tantivy app"


def measure_pair(first: tuple[str, list[str]], second: tuple[str, list[str]], seconds: int,
                 folder: Path) -> tuple[dict[str, float], dict[str, float]]:
    """Two (URL, paths) loads taking turns (first, second, second, first), half the time each turn, so
    that both see the same machine; req/s averaged, latencies of the turn with more requests."""
    half = max(1, seconds // 2)
    runs: list[list[dict[str, float]]] = [[], []]
    for which in (0, 1, 1, 0):
        url, paths = (first, second)[which]
        runs[which].append(load(url, paths, half, folder))

    def merged(results: list[dict[str, float]]) -> dict[str, float]:
        best = max(results, key=lambda r: r["rps"])
        return {**best, "rps": sum(r["rps"] for r in results) / len(results),
                "errors": sum(r["errors"] for r in results)}

    return merged(runs[0]), merged(runs[1])


def main(n: int = 10_000, seconds: int = 10, worker_counts: tuple[int, ...] = (1, 2)) -> None:
    baseline = os.environ.get("SHUYU_BENCH_BASELINE")
    client = "wrk" if shutil.which("wrk") else "tests/bench/loadgen.py (no wrk installed)"
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        data = folder / "data"
        figures = prepare(n, data)
        print(f"prepared {n:,} concepts: load {figures['load_s']:.1f} s, index {figures['index_build_s']:.1f} s; "
              f"load from {client}")
        paths = route_paths(data)
        for workers in worker_counts:
            servers = {"now": start_server(data, workers)}
            if baseline:
                servers["baseline"] = start_server(data, workers, baseline)
            servers[PEER] = start_server(data, workers, peer=True)
            try:
                time.sleep(1.0)  # let every worker finish starting
                print(f"\n## {workers} worker(s), {n:,} concepts, {CONNECTIONS} connections, {seconds} s per route "
                      f"(shared in turns with the peer)")
                for name, (process, _, cold) in servers.items():
                    rss = worker_rss(process)
                    print(f"{name}: cold start to first answered request: {cold:.2f} s; "
                          f"RSS per worker: {', '.join(f'{r:.0f}' for r in rss)} MB")
                peer_url = servers[PEER][1]
                shuyu = {k: v for k, v in servers.items() if k != PEER}
                bare: dict[str, float] = {}
                rows: list[tuple[str, str, dict[str, float]]] = []
                # the bare litestar route (the peer app's /healthz) beside shuyu's /healthz, in turns
                for server, (_, url, _) in shuyu.items():
                    bare_result, health = measure_pair((peer_url, ["/healthz"]), (url, paths["bare /healthz"]), seconds, folder)
                    bare[server] = bare_result["rps"]
                    rows += [(f"bare litestar route ({PEER} /healthz)", server, bare_result), ("/healthz", server, health)]
                for name, route in paths.items():
                    if name in ("bare /healthz", "search (all distinct)"):
                        continue
                    for server, (_, url, _) in shuyu.items():
                        rows.append((name, server, load(url, route, seconds, folder)))
                search_route = paths["search (all distinct)"]
                peer_turn: dict[str, dict[str, float]] = {}  # the peer's figure taken in turns with each server's
                for server, (_, url, _) in shuyu.items():
                    peer_result, ours = measure_pair((peer_url, search_route), (url, search_route), seconds, folder)
                    peer_turn[server] = peer_result
                    rows += [(f"search (all distinct), {PEER}", PEER, peer_result), ("search (all distinct)", server, ours)]
                print("\n| route | server | req/s | ratio to the bare route | target | p50 ms | p99 ms | non-2xx |")
                print("|---|---|---:|---:|---|---:|---:|---:|")
                by = {(name, server): r for name, server, r in rows}
                for name, server, r in rows:
                    reference = bare.get(server, bare.get("now", 1.0))
                    ratio = r["rps"] / reference
                    target = ""
                    if name in TARGETS and server != PEER:
                        target = f"≥ {TARGETS[name]}×: {verdict(ratio, TARGETS[name], lower_is_better=False)}"
                    if name == "/healthz":
                        target = f"≥ 0.9×: {verdict(ratio, 0.9, lower_is_better=False)}"
                    print(f"| {name} | {server} | {r['rps']:,.0f} | {ratio:.2f} | {target} | {r['p50_ms']:.2f} | "
                          f"{r['p99_ms']:.2f} | {r['errors']:.0f} |", flush=True)
                for server in shuyu:
                    ours, theirs = by[("search (all distinct)", server)], peer_turn[server]
                    health = by[("/healthz", server)]["rps"] / bare[server]
                    print(f"\n{server}, {workers} worker(s): search req/s {ours['rps'] / theirs['rps']:.2f}× the {PEER}'s "
                          f"(target ≥ 1: {verdict(ours['rps'] / theirs['rps'], 1.0, lower_is_better=False)}); "
                          f"/healthz {health:.2f}× the bare litestar route (target ≥ 0.9: "
                          f"{verdict(health, 0.9, lower_is_better=False)})", flush=True)
            finally:
                for process, _, _ in servers.values():
                    process.terminate()
                    process.wait(timeout=30)


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:]]
    main(*args[:2], worker_counts=tuple(args[2:]) or (1, 2))
    os._exit(0)
