"""Two checkouts side by side: start to a first answer, and search p50 / p99 at N concepts, in fresh
processes alternating which runs first (the second of a pair runs measurably slower on these machines).

    python -m tests.bench.bench_ab OLD_CHECKOUT OLD_DATA NEW_CHECKOUT NEW_DATA [pairs]

Each data folder holds a store and an index of the same content (e.g. ``tests.bench.common.prepare``'s
folder copied, its catalog snapshot removed from the old copy when the snapshot format differs). The
queries are the in-process benchmark's mix (whole labels, infixes, definition words, pinyin), all
different, drawn with the pair's seed.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys

ONE = r"""
import gc, json, random, sys, time
root, folder, seed = sys.argv[1], sys.argv[2], int(sys.argv[3])
sys.path.insert(0, root)
begin = time.perf_counter()
from pathlib import Path
from registry.sqlite import SQLiteStore
from search.analysis import pinyin_keys
from search.service import SearchService
folder = Path(folder)
service = SearchService(SQLiteStore(folder / "shuyu.db"), folder / "index")
service.catch_up()
service.search("数字乡村")
start = time.perf_counter() - begin
gc.freeze()
rng = random.Random(seed)
concepts = sorted((c for c in service.catalog.concepts.values() if c.scheme == "bench"), key=lambda c: c.id)
sample = rng.sample(concepts, 2000)
# the mix of tests.bench.common.search_queries, written out: an older checkout may not have it
queries = list(dict.fromkeys([c.preferred for c in sample[:600]] + [c.preferred[1:4] for c in sample[600:1000]]
    + [c.definition[1:3] for c in sample[1000:1300]] + [pinyin_keys(c.preferred)[0] for c in sample[1300:1500]]))
times = []
for q in queries:
    t = time.perf_counter(); service.search(q, limit=20); times.append(time.perf_counter() - t)
times.sort()
print(json.dumps({"start_s": start, "p50_ms": times[len(times) // 2] * 1e3, "p99_ms": times[int(len(times) * .99)] * 1e3}))
"""


def run(checkout: str, data: str, seed: int) -> dict[str, float]:
    out = subprocess.run([sys.executable, "-c", ONE, checkout, data, str(seed)], capture_output=True, text=True,
                         check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(old: tuple[str, str], new: tuple[str, str], pairs: int = 4) -> None:
    results: dict[str, list[dict[str, float]]] = {"old": [], "new": []}
    for seed in range(1, pairs + 1):
        order = [("old", old), ("new", new)] if seed % 2 else [("new", new), ("old", old)]
        for name, (checkout, data) in order:
            results[name].append(run(checkout, data, seed))
    print(f"\n## {old[0]} against {new[0]}, {pairs} alternating pairs\n")
    print("| figure | old (each pair) | new (each pair) | mean new / old |\n|---|---|---|---:|")
    for figure in ("start_s", "p50_ms", "p99_ms"):
        a = [r[figure] for r in results["old"]]
        b = [r[figure] for r in results["new"]]
        print(f"| {figure} | {' '.join(f'{x:.2f}' for x in a)} | {' '.join(f'{x:.2f}' for x in b)} | "
              f"{statistics.mean(b) / statistics.mean(a):.2f}× |")


if __name__ == "__main__":
    args = sys.argv[1:]
    main((args[0], args[1]), (args[2], args[3]), int(args[4]) if len(args) > 4 else 4)
