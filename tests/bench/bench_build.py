"""Build side by side, in one run, alternating rounds.

    python -m tests.bench.bench_build 20000 2            # concepts, rounds
    python -m tests.bench.bench_build 100000 2 FOLDER    # reuse (or make) a data folder
    python -m tests.bench.bench_build 100000 2 FOLDER --store-only   # only the builds from the store
    python -m tests.bench.bench_build 100000 3 FOLDER --side-by-side BASELINE_CHECKOUT  # a checkout's build beside this one

1. From the store: the catalog, then the index from it (what a rebuild did before issue 25) against
   the one-pass build (``search.build``: the store read once in batches, the index written while the
   catalog is made), its writer a thread and a process. All read the same store into fresh folders.
2. The index alone, same documents: the rebuild's segment writer against whoosh's own writer
   (``SearchIndex.apply`` on an empty index: one ``update_document`` per document, pooled postings
   sorted at commit, what live updates use and what a rebuild used before issue 15).
3. ``--side-by-side CHECKOUT``: a first start's build from the store (``search.build``: catalog and index in
   one pass, then the snapshot saved) by another checkout (a baseline) and by this one, in turns, each in
   a fresh interpreter run in its checkout; wall and CPU seconds (the writing process's too), and whether
   the two wrote the same snapshot and index files byte for byte.
"""

from __future__ import annotations

import filecmp
import gc
import json
import os
import subprocess
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


# one build in a fresh interpreter, run in a checkout (``python -c`` imports the checkout in the cwd):
# only what every checkout since the one-pass build has (``search.build.build``, ``Catalog.save``)
_ONE_BUILD = """
import json, resource, sys, time
from pathlib import Path
from registry.sqlite import SQLiteStore
from search import build
from search.index import SearchIndex
store, out = SQLiteStore(Path(sys.argv[1]) / "shuyu.db"), Path(sys.argv[2])
index = SearchIndex(out / "index")
start = time.perf_counter()
catalog, count = build.build(store, index)
built = time.perf_counter()
catalog.save(out)
saved = time.perf_counter()
cpu = sum(getattr(resource.getrusage(who), f) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
          for f in ("ru_utime", "ru_stime"))
print(json.dumps({"build_s": built - start, "save_s": saved - built, "total_s": saved - start, "cpu_s": cpu,
                  "documents": count, "search": build.__file__}))
"""


def _same_files(a: Path, b: Path) -> bool:
    """The snapshot and every index file equal byte for byte (index files matched by their suffix: the
    segment's name is random)."""
    def files(folder: Path) -> dict[str, Path]:
        found = {p.name.split(".", 1)[1]: p for p in (folder / "index").glob("shuyu_*.*")}
        return {**found, "snapshot": folder / "catalog-snapshot.pickle", "state": folder / "index" / "shuyu-index.json"}
    ours, theirs = files(a), files(b)
    return ours.keys() == theirs.keys() and all(filecmp.cmp(ours[k], theirs[k], shallow=False) for k in ours)


def side_by_side(n: int, rounds: int, data: str | None, baseline: str) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="bench-build-") as tmp:
        folder = Path(data) if data else Path(tmp) / "data"
        if not (folder / "shuyu.db").exists():
            prepare(n, folder, index_alone=False)
        sides = {"baseline": Path(baseline).resolve(), "this": Path(__file__).resolve().parents[2]}
        runs: dict[str, list[dict]] = {side: [] for side in sides}
        identical = True
        for r in range(rounds):
            for side in list(sides) if r % 2 == 0 else list(sides)[::-1]:
                out = Path(tmp) / f"{side}-{r}"
                env = {**os.environ, "PYTHONPATH": str(sides[side])}
                done = subprocess.run([sys.executable, "-c", _ONE_BUILD, str(folder), str(out)], cwd=sides[side],
                                      env=env, check=True, capture_output=True, text=True)
                runs[side].append(json.loads(done.stdout.strip().splitlines()[-1]))
            identical = identical and _same_files(Path(tmp) / f"baseline-{r}", Path(tmp) / f"this-{r}")
            for side in sides:
                if r:
                    subprocess.run(["rm", "-rf", str(Path(tmp) / f"{side}-{r - 1}")], check=True)
    figures = {f"{side}_{k}": median([run[k] for run in runs[side]]) for side in sides
               for k in ("build_s", "save_s", "total_s", "cpu_s")}
    print(f"\n## Build from the store side by side, {runs['this'][0]['documents']:,} documents, {rounds} rounds in turns\n")
    print("| checkout | build + save, s per round | median | build | save | CPU s (both processes) |")
    print("|---|---|---:|---:|---:|---:|")
    for side in sides:
        totals = ", ".join(f"{run['total_s']:.1f}" for run in runs[side])
        print(f"| {side} ({runs[side][0]['search'].rsplit('/search/', 1)[0]}) | {totals} | {figures[side + '_total_s']:.1f} | "
              f"{figures[side + '_build_s']:.1f} | {figures[side + '_save_s']:.2f} | {figures[side + '_cpu_s']:.1f} |")
    print(f"\nthis / baseline: wall {figures['this_total_s'] / figures['baseline_total_s']:.2f}×, "
          f"CPU {figures['this_cpu_s'] / figures['baseline_cpu_s']:.2f}×; snapshot and index files "
          f"{'identical' if identical else 'DIFFERENT'} byte for byte")
    return figures | {"identical": float(identical)}


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    if "--side-by-side" in sys.argv:  # N ROUNDS DATA --side-by-side BASELINE (the baseline: the last argument)
        side_by_side(int(args[0]), int(args[1]), args[2] if len(args) > 3 else None, args[-1])
        sys.exit()
    main(int(args[0]) if args else 20_000, int(args[1]) if len(args) > 1 else 2, args[2] if len(args) > 2 else None,
         index_alone="--store-only" not in sys.argv)
