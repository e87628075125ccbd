"""In-process benchmark: load, index build, start, lookup / suggest / search latency, RSS, publish lag.

    python -m tests.bench.bench_inprocess            # 10k and 100k concepts (several minutes)
    python -m tests.bench.bench_inprocess 2000 20000 # other sizes

Prints one table per size, each figure with its target from the performance issue.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .common import median, percentile, prepare, search_queries, timed, verdict

SAMPLES = 2000


def measure(n: int, folder: Path) -> dict[str, float]:
    from registry.model import Term
    from registry.sqlite import SQLiteStore
    from search.analysis import expand_query, pinyin_keys
    from search.service import SearchService
    from tests.conftest import concept

    figures = prepare(n, folder)
    figures |= fresh_start(folder)
    store = SQLiteStore(folder / "shuyu.db")
    service = SearchService(store, folder / "index")
    service.catch_up()

    rng = random.Random(1)
    concepts = [c for c in service.catalog.concepts.values() if c.scheme == "bench"]
    sample = rng.sample(concepts, min(SAMPLES, len(concepts)))
    labels = [t.text for c in sample for t in c.terms if t.lang == "zh-Hans"][:SAMPLES]
    catalog = service.catalog
    lookup = timed(lambda label: catalog.lookup(label, expand_query(label)), labels)
    prefixes = [c.preferred[: rng.choice((1, 2, 3))] for c in sample]
    prefixes += [pinyin_keys(c.preferred)[rng.choice((0, 1))][:4] for c in sample[: SAMPLES // 4]]
    suggest = timed(lambda text: service.suggest(text, 10), prefixes)
    queries = search_queries(sample)
    search = timed(lambda text: service.search(text, limit=20), queries)
    figures |= {
        "lookup_p50_us": median(lookup) * 1e6, "lookup_p99_us": percentile(lookup, 0.99) * 1e6,
        "suggest_p50_us": median(suggest) * 1e6, "suggest_p99_us": percentile(suggest, 0.99) * 1e6,
        "search_p50_ms": median(search) * 1e3, "search_p99_ms": percentile(search, 0.99) * 1e3,
    }

    # a published change: written to the store, then found by search once caught up
    current = store.get("concept", sample[0].id)
    marker = f"基准新词{n}"
    store.append([concept(current.id, current.preferred, version=current.version + 1, scheme="bench",
                          terms=(*current.terms[1:], Term(text=marker)), definition=current.definition)],
                 actor="bench")
    start = time.perf_counter()
    service.catch_up()
    found = service.search(marker).hits
    figures["publish_to_search_s"] = time.perf_counter() - start
    assert found and found[0].id == current.id
    service.index.close()
    store.close()
    return figures


START = """
import json, sys, time
begin = time.perf_counter()
from pathlib import Path
from registry.sqlite import SQLiteStore
from search.service import SearchService
from tests.bench.common import rss_mb
folder = Path(sys.argv[1])
service = SearchService(SQLiteStore(folder / "shuyu.db"), folder / "index")
service.catch_up()
service.search("数字乡村")
print(json.dumps({"cold_start_s": time.perf_counter() - begin, "rss_after_start_mb": rss_mb()}))
"""


def fresh_start(folder: Path) -> dict[str, float]:
    """A new process opening the persisted store and index: seconds to a first answer, and its RSS."""
    out = subprocess.run([sys.executable, "-c", START, str(folder)], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).parent.parent.parent)
    return json.loads(out.stdout.strip().splitlines()[-1])


TARGETS = [  # (figure, target, unit, sizes it applies to)
    ("lookup_p50_us", 100, "µs", {100_000}),
    ("suggest_p50_us", 100, "µs", {100_000}),
    ("search_p50_ms", 0.5, "ms", {100_000}),
    ("search_p99_ms", 3.0, "ms", {100_000}),
    ("index_build_s", 60, "s", {100_000}),
    ("rss_after_start_mb", 700, "MB", {100_000}),
    ("cold_start_s", 5.0, "s", {100_000}),
    ("publish_to_search_s", 1.0, "s", None),
]


def report(n: int, figures: dict[str, float]) -> str:
    targets = {name: (target, unit, sizes) for name, target, unit, sizes in TARGETS}
    lines = [f"\n## {n:,} concepts (plus the bundled vocabulary)", "", "| figure | value | target |", "|---|---:|---|"]
    for name, value in figures.items():
        target = ""
        if name in targets and (targets[name][2] is None or n in targets[name][2]):
            goal, unit, _ = targets[name]
            target = f"≤ {goal} {unit}: {verdict(value, goal)}"
        lines.append(f"| {name} | {value:,.2f} | {target} |")
    return "\n".join(lines)


def main(sizes: list[int]) -> None:
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            results[n] = measure(n, Path(tmp) / str(n))
            print(report(n, results[n]), flush=True)
    if len(sizes) == 2:
        small, large = sorted(sizes)
        ratio = results[large]["index_build_s"] / results[small]["index_build_s"]
        scale = large / small
        print(f"\nindex build: {scale:.0f}× the concepts cost {ratio:.1f}× the time "
              f"(target ≤ {1.2 * scale:.0f}×: {verdict(ratio, 1.2 * scale)})")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [10_000, 100_000])
