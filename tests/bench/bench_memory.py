"""Where a worker's memory goes: the catalog snapshot split by container, beside the process's RSS.

    python -m tests.bench.bench_memory 10000          # concepts (a data folder is made in a temporary folder)
    python -m tests.bench.bench_memory 10000 FOLDER   # or one that bench_inprocess or prepare() made

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


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000, Path(sys.argv[2]) if len(sys.argv) > 2 else None)
