"""Index build side by side: the rebuild's segment writer against whoosh's own writer, same documents.

    python -m tests.bench.bench_build 20000 2   # concepts, rounds (alternating)

whoosh's own writer is ``SearchIndex.apply`` on an empty index: one ``update_document`` per document,
pooled postings sorted at commit, what live updates use and what a rebuild used before issue 15.
Prints seconds per round and the ratio, both taken in the same run.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from .common import median, prepare


def main(n: int, rounds: int = 2) -> dict[str, float]:
    from registry.sqlite import SQLiteStore
    from search.index import SearchIndex
    from search.service import SearchService

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        prepare(n, folder)
        store = SQLiteStore(folder / "shuyu.db")
        service = SearchService(store, folder / "index")
        documents = list(service.all_documents())
        service.close()
        store.close()
        ours, theirs = [], []
        for r in range(rounds):
            for name, times in (("ours", ours), ("whoosh", theirs)):
                index = SearchIndex(folder / f"{name}-{r}")
                start = time.perf_counter()
                if name == "ours":
                    index.rebuild(documents, 1)
                else:
                    assert index.apply(documents, 1, timeout=30)
                times.append(time.perf_counter() - start)
                index.close()
        figures = {"documents": len(documents), "ours_s": median(ours), "whoosh_s": median(theirs),
                   "ratio": median(ours) / median(theirs)}
    print(f"\n## Index build, {len(documents):,} documents, {rounds} alternating rounds\n")
    print("| writer | seconds per round | median |\n|---|---|---:|")
    print(f"| rebuild (segment through the codec) | {', '.join(f'{t:.1f}' for t in ours)} | {figures['ours_s']:.1f} |")
    print(f"| whoosh's own writer | {', '.join(f'{t:.1f}' for t in theirs)} | {figures['whoosh_s']:.1f} |")
    print(f"\nrebuild / whoosh's writer: {figures['ratio']:.2f}×")
    return figures


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:]]
    main(args[0] if args else 20_000, args[1] if len(args) > 1 else 2)
