"""Build side by side, in one run, alternating rounds.

    python -m tests.bench.bench_build 20000 2            # concepts, rounds
    python -m tests.bench.bench_build 100000 2 FOLDER    # reuse (or make) a data folder

1. From the store: the catalog, then the index from it (what a rebuild did before issue 25) against
   the one-pass build (``search.build``: the store read once in batches, the index written in a
   thread while the catalog is made). Both read the same store into fresh folders.
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


def _from_store(store, folder: Path, one_pass: bool) -> float:
    from search.build import build
    from search.catalog import Catalog
    from search.index import SearchIndex

    index = SearchIndex(folder)
    start = time.perf_counter()
    if one_pass:
        catalog, _ = build(store, index)
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


def main(n: int, rounds: int = 2, data: str | None = None) -> dict[str, float]:
    from registry.sqlite import SQLiteStore
    from search.catalog import Catalog
    from search.index import SearchIndex

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(data) if data else Path(tmp) / "data"
        if not (folder / "shuyu.db").exists():
            prepare(n, folder)
        store = SQLiteStore(folder / "shuyu.db")
        apart, together = [], []
        for r in range(rounds):
            for one_pass, times in ((False, apart), (True, together)) if r % 2 == 0 else ((True, together), (False, apart)):
                times.append(_from_store(store, Path(tmp) / f"store-{one_pass}-{r}", one_pass))
        documents = list(_documents(Catalog.from_store(store)))
        store.close()
        ours, theirs = [], []
        for r in range(rounds):
            for name, times in (("ours", ours), ("whoosh", theirs)):
                index = SearchIndex(Path(tmp) / f"{name}-{r}")
                start = time.perf_counter()
                if name == "ours":
                    index.rebuild(documents, 1)
                else:
                    assert index.apply(documents, 1, timeout=30)
                times.append(time.perf_counter() - start)
                index.close()
        figures = {"documents": len(documents), "apart_s": median(apart), "one_pass_s": median(together),
                   "ours_s": median(ours), "whoosh_s": median(theirs), "ratio": median(ours) / median(theirs)}
    print(f"\n## Build from the store, {len(documents):,} documents, {rounds} alternating rounds\n")
    print("| build | seconds per round | median |\n|---|---|---:|")
    print(f"| catalog, then index | {', '.join(f'{t:.1f}' for t in apart)} | {figures['apart_s']:.1f} |")
    print(f"| one pass (index in a thread) | {', '.join(f'{t:.1f}' for t in together)} | {figures['one_pass_s']:.1f} |")
    print(f"\none pass / one after the other: {figures['one_pass_s'] / figures['apart_s']:.2f}×")
    print(f"\n## Index build, {len(documents):,} documents, {rounds} alternating rounds\n")
    print("| writer | seconds per round | median |\n|---|---|---:|")
    print(f"| rebuild (segment through the codec) | {', '.join(f'{t:.1f}' for t in ours)} | {figures['ours_s']:.1f} |")
    print(f"| whoosh's own writer | {', '.join(f'{t:.1f}' for t in theirs)} | {figures['whoosh_s']:.1f} |")
    print(f"\nrebuild / whoosh's writer: {figures['ratio']:.2f}×")
    return figures


if __name__ == "__main__":
    args = sys.argv[1:]
    main(int(args[0]) if args else 20_000, int(args[1]) if len(args) > 1 else 2, args[2] if len(args) > 2 else None)
