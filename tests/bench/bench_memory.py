"""Where a worker's memory goes: the catalog snapshot split by container, beside the process's RSS.

    python -m tests.bench.bench_memory 10000          # concepts (a data folder is made in a temporary folder)
    python -m tests.bench.bench_memory 10000 FOLDER   # or one that bench_inprocess or prepare() made
    python -m tests.bench.bench_memory serve FOLDER [REQUESTS [ROUNDS]]   # a real worker (below)

Each container's deep size counts every object reachable from it once (the first container that
reaches an object owns it: concepts first, so labels shared with them are charged to the concepts).
This sizes what the compact read models of issue 25 would replace (docs/performance.md, the plan).
"""

from __future__ import annotations

import gc
import sys
import tempfile
from pathlib import Path

from msgspec import Struct

ORDER = ("concepts", "standards", "schemes", "by_label", "by_title", "by_code", "by_sound", "narrower",
         "standards_of", "postings", "en_postings", "prefixes")


def deep_size(root: object, seen: set[int]) -> tuple[int, int]:
    """Bytes and objects reachable from ``root`` not in ``seen`` (which it extends)."""
    size = count = 0
    stack = [root]
    while stack:
        obj = stack.pop()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        size += sys.getsizeof(obj)
        count += 1
        if isinstance(obj, dict):
            stack.extend(obj.keys())
            stack.extend(obj.values())
        elif isinstance(obj, (list, tuple, set, frozenset)):
            stack.extend(obj)
        elif isinstance(obj, Struct):
            stack.extend(getattr(obj, name) for name in obj.__struct_fields__)
        elif hasattr(type(obj), "__slots__"):  # the packed tables (search/compact.py): arrays, strings
            stack.extend(getattr(obj, name) for name in type(obj).__slots__ if hasattr(obj, name))
    return size, count


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def main(n: int, folder: Path | None = None) -> None:
    from registry.sqlite import SQLiteStore
    from search.service import SearchService

    from .common import prepare

    if folder is None or not (folder / "shuyu.db").exists():
        folder = folder or Path(tempfile.mkdtemp(prefix="shuyu-bench-memory-"))
        prepare(n, folder, index_alone=False)  # the data folder only: whoosh built once
    before = rss_mb()
    store = SQLiteStore(folder / "shuyu.db")
    service = SearchService(store, folder / "index")
    catalog = service.catalog
    gc.collect()
    after = rss_mb()
    seen: set[int] = set()
    rows = []
    for name in ORDER:
        rows.append((name, len(getattr(catalog, name)), *deep_size(getattr(catalog, name), seen)))
    total = sum(r[2] for r in rows)
    print(f"{n:,} concepts; RSS {before:.0f} MB before the search service, {after:.0f} MB after "
          f"(+{after - before:.0f} MB); catalog objects {total / 1e6:.0f} MB")
    print("| container | entries | MB | objects | bytes per entry |")
    print("|---|---:|---:|---:|---:|")
    for name, entries, size, count in sorted(rows, key=lambda r: -r[2]):
        print(f"| {name} | {entries:,} | {size / 1e6:.1f} | {count:,} | {size / max(entries, 1):.0f} |")
    service.index.close()
    store.close()


SCRIPTS = ("zh-Hans", "zh-Hant", "zh-TW", "zh-HK")


def request_mix(folder: Path, n: int, seed: int = 1) -> list[str]:
    """``n`` request paths: searches (API and page), concept pages in the four scripts, concept reads and
    lookups over the API; concepts drawn from the folder's corpus and the bundled vocabulary."""
    import random
    import tomllib
    from urllib.parse import quote

    from vocab.loader import bundled_files, read_bundle

    rng = random.Random(seed)
    concepts = [(c["id"], c["pref"]) for c in tomllib.loads((folder / "corpus" / "bench.toml").read_text(encoding="utf-8"))["concept"]]
    bundled = [(c.id, c.preferred) for c in read_bundle(bundled_files()).concepts()]
    paths = []
    for i in range(n):
        cid, label = rng.choice(concepts) if i % 2 else rng.choice(bundled)
        kind = i % 10
        if kind < 3:
            paths.append(f"/api/v1/search?q={quote(label if kind < 2 else label[1:3])}")
        elif kind == 3:
            paths.append(f"/?q={quote(label)}")
        elif kind < 8:
            paths.append(f"/concepts/{cid}?script={SCRIPTS[(i // 10) % 4]}")
        elif kind == 8:
            paths.append(f"/api/v1/concepts/{cid}")
        else:
            paths.append(f"/api/v1/lookup?label={quote(label)}")
    return paths


def memory_of(pid: int) -> dict[str, float]:
    """VmRSS and the private (clean + dirty) and proportional sizes of a process, in MB."""
    rollup = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        name, value, *_ = line.split()
        rollup[name.rstrip(":")] = int(value) / 1024
    status = Path(f"/proc/{pid}/status").read_text()
    rss = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")) / 1024
    return {"rss": rss, "private": rollup["Private_Clean"] + rollup["Private_Dirty"], "pss": rollup["Pss"]}


def serve_once(tree: Path, data: Path, paths: list[str]) -> tuple[dict[str, float], list[bytes]]:
    """Start ``shuyu serve --workers 1`` of the source ``tree`` on ``data``, send ``paths`` one after the
    other, read the worker's memory, stop it; returns the figures and each answer's status and body."""
    import signal

    import httpx

    from .bench_http import start_server

    process, url, started = start_server(data, 1, str(tree))
    try:
        bodies = []
        with httpx.Client(base_url=url, timeout=60) as client:
            for path in paths:
                answer = client.get(path)
                client.cookies.clear()
                bodies.append(b"%d " % answer.status_code + _stable(answer.content))
        figures = memory_of(process.pid) | {"start_s": started}
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)
    return figures, bodies


def _stable(body: bytes) -> bytes:
    """An answer without what differs between two runs of the same code (CSRF tokens, the worker's pid)."""
    import re

    body = re.sub(rb'(name="_csrf_token" value=")[^"]*', rb"\1", body)
    body = re.sub(rb'(<meta name="csrf-token" content=")[^"]*', rb"\1", body)
    return re.sub(rb'"worker":\d+', b'"worker":0', body)


def serve(folder: Path, requests: int = 400, rounds: int = 2) -> None:
    """A real worker at rest after a request mix, this checkout beside ``SHUYU_BENCH_BASELINE`` (a checkout
    of main), each on its own copy of ``folder`` and rounds alternating; answers compared body for body."""
    import os
    import shutil
    import statistics

    here = Path(__file__).parent.parent.parent
    sides = {"this": here}
    if os.environ.get("SHUYU_BENCH_BASELINE"):
        sides = {"baseline": Path(os.environ["SHUYU_BENCH_BASELINE"]), **sides}
    paths = request_mix(folder, requests)
    copies = {}
    for name in sides:
        copies[name] = Path(tempfile.mkdtemp(prefix=f"{folder.name}-{name}-", dir=folder.parent))
        shutil.copytree(folder, copies[name], dirs_exist_ok=True)
    results: dict[str, list[dict[str, float]]] = {name: [] for name in sides}
    answers: dict[str, list[bytes]] = {}
    try:
        for turn in range(rounds):
            for name in (sides if turn % 2 == 0 else reversed(list(sides))):
                figures, bodies = serve_once(sides[name], copies[name], paths)
                results[name].append(figures)
                answers.setdefault(name, bodies)
                print(f"round {turn + 1} {name}: " + ", ".join(f"{k} {v:.1f}" for k, v in figures.items()), flush=True)
    finally:
        for copy in copies.values():
            shutil.rmtree(copy, ignore_errors=True)
    print(f"\n{len(paths)} requests, {rounds} rounds; MB after the mix (median)\n")
    print("| figure | " + " | ".join(sides) + (" | this / baseline |" if len(sides) == 2 else " |"))
    print("|---|" + "---:|" * (len(sides) + (len(sides) == 2)))
    for figure in ("rss", "private", "pss", "start_s"):
        values = {name: statistics.median(r[figure] for r in results[name]) for name in sides}
        ratio = f" {values['this'] / values['baseline']:.2f}× |" if len(sides) == 2 else ""
        print(f"| {figure} | " + " | ".join(f"{v:.1f}" for v in values.values()) + " |" + ratio)
    if len(sides) == 2:
        differ = [p for p, a, b in zip(paths, answers["baseline"], answers["this"]) if a != b]
        print(f"\nanswers that differ: {len(differ)} of {len(paths)}" + (f" (first: {differ[:3]})" if differ else ""))


if __name__ == "__main__":
    if sys.argv[1:2] == ["serve"]:
        serve(Path(sys.argv[2]), *(int(a) for a in sys.argv[3:5]))
    else:
        main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000, Path(sys.argv[2]) if len(sys.argv) > 2 else None)
