"""Build side by side, in one run, alternating rounds.

    python -m tests.bench.bench_build 20000 2            # concepts, rounds
    python -m tests.bench.bench_build 100000 2 FOLDER    # reuse (or make) a data folder
    python -m tests.bench.bench_build 100000 2 FOLDER --store-only   # only the builds from the store

1. From the store: the catalog, then the index from it (what a rebuild did before issue 25) against
   the one-pass build (``search.build``: the store read once in batches, the index written while the
   catalog is made), its writer a thread and a process. All read the same store into fresh folders.
2. The index alone, same documents: the rebuild's segment writer against whoosh's own writer
   (``SearchIndex.apply`` on an empty index: one ``update_document`` per document, pooled postings
   sorted at commit, what live updates use and what a rebuild used before issue 15).
"""

from __future__ import annotations

import gc
import sys
import tempfile
import time
from pathlib import Path

from .common import median, prepare


def _from_store(store, folder: Path, way: str) -> float:
    from search import build
    from search.catalog import Catalog
    from search.index import SearchIndex

    index = SearchIndex(folder)
    build.PROCESS_FROM = 0 if way == "process" else 10**12
    start = time.perf_counter()
    if way != "apart":
        catalog, _ = build.build(store, index)
    else:
        catalog = Catalog.from_store(store)
        documents = _documents(catalog)
        index.rebuild(documents, catalog.revision)
    seconds = time.perf_counter() - start
    index.close()
    del catalog
    gc.unfreeze()  # the catalog's build freezes what it made: let the next round start clean
    gc.collect()
    return seconds


def _documents(catalog):
    from search.documents import concept_document, standard_document

    yield from (concept_document(c, catalog.standards_of.get(c.id, ())) for c in catalog.concepts.values())
    yield from (standard_document(s) for s in catalog.standards.values())


def main(n: int, rounds: int = 2, data: str | None = None, index_alone: bool = True) -> dict[str, float]:
    from registry.sqlite import SQLiteStore
    from search.catalog import Catalog
    from search.index import SearchIndex

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(data) if data else Path(tmp) / "data"
        if not (folder / "shuyu.db").exists():
            prepare(n, folder, index_alone=False)  # the data folder only: whoosh built once
        store = SQLiteStore(folder / "shuyu.db")
        ways: dict[str, list[float]] = {"apart": [], "thread": [], "process": []}
        for r in range(rounds):
            for way in list(ways) if r % 2 == 0 else list(ways)[::-1]:
                ways[way].append(_from_store(store, Path(tmp) / f"store-{way}-{r}", way))
        documents = list(_documents(Catalog.from_store(store)))
        store.close()
        ours: list[float] = []
        theirs: list[float] = []
        for r in range(rounds if index_alone else 0):
            for name, times in (("ours", ours), ("whoosh", theirs)):
                index = SearchIndex(Path(tmp) / f"{name}-{r}")
                start = time.perf_counter()
                if name == "ours":
                    index.rebuild(documents, 1)
                else:
                    assert index.apply(documents, 1, timeout=30)
                times.append(time.perf_counter() - start)
                index.close()
        figures = {"documents": len(documents), **{f"{way}_s": median(times) for way, times in ways.items()}}
    if ours:
        figures |= {"ours_s": median(ours), "whoosh_s": median(theirs), "ratio": median(ours) / median(theirs)}
    print(f"\n## Build from the store, {len(documents):,} documents, {rounds} alternating rounds\n")
    print("| build | seconds per round | median |\n|---|---|---:|")
    names = {"apart": "catalog, then index", "thread": "one pass, index by a thread",
             "process": "one pass, index by a process"}
    for way, times in ways.items():
        print(f"| {names[way]} | {', '.join(f'{t:.1f}' for t in times)} | {figures[way + '_s']:.1f} |")
    for way in ("thread", "process"):
        print(f"\n{names[way]} / catalog, then index: {figures[way + '_s'] / figures['apart_s']:.2f}×")
    if not ours:
        return figures
    print(f"\n## Index build, {len(documents):,} documents, {rounds} alternating rounds\n")
    print("| writer | seconds per round | median |\n|---|---|---:|")
    print(f"| rebuild (segment through the codec) | {', '.join(f'{t:.1f}' for t in ours)} | {figures['ours_s']:.1f} |")
    print(f"| whoosh's own writer | {', '.join(f'{t:.1f}' for t in theirs)} | {figures['whoosh_s']:.1f} |")
    print(f"\nrebuild / whoosh's writer: {figures['ratio']:.2f}×")
    return figures


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    main(int(args[0]) if args else 20_000, int(args[1]) if len(args) > 1 else 2, args[2] if len(args) > 2 else None,
         index_alone="--store-only" not in sys.argv)
