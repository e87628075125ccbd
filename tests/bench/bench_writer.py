"""The index writer alone, side by side: CPU seconds of ``SearchIndex.rebuild`` (the collector off, as in the
writing process of a build from the store) on a data folder's documents, by another checkout (a baseline)
and by this one, each round in a fresh interpreter run in its checkout, in turns; whether both wrote the
same index files byte for byte.

    python -m tests.bench.bench_writer 100000 5 DATA BASELINE_CHECKOUT   # concepts, rounds, data folder

A build from the store runs the writer beside the catalog on two cores, so its wall time on a loaded
machine says little of the writer's own work; its CPU time does.
"""

from __future__ import annotations

import filecmp
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from .common import median, prepare

_ONE_WRITE = """
import gc, json, sys, time
from pathlib import Path
import msgspec
from search.index import SearchIndex
documents = msgspec.msgpack.decode(Path(sys.argv[1]).read_bytes())
gc.collect()
gc.disable()
index = SearchIndex(Path(sys.argv[2]))
start, wall = time.process_time(), time.perf_counter()
count = index.rebuild(iter(documents), 1)
print(json.dumps({"cpu_s": time.process_time() - start, "wall_s": time.perf_counter() - wall, "documents": count}))
"""


def _documents(folder: Path, out: Path) -> None:
    """The store's documents as a build writes them, in msgpack (made once, by this checkout)."""
    import msgspec

    from registry.sqlite import SQLiteStore
    from search.catalog import Catalog
    from search.documents import concept_document, standard_document

    store = SQLiteStore(folder / "shuyu.db")
    catalog = Catalog.from_store(store)
    store.close()
    documents = [concept_document(c, catalog.standards_of.get(c.id, ())) for c in catalog.concepts.values()]
    documents += [standard_document(s) for s in catalog.standards.values()]
    out.write_bytes(msgspec.msgpack.encode(documents))


def _same_files(a: Path, b: Path) -> bool:
    ours = {p.name.split(".", 1)[1]: p for p in a.glob("shuyu_*.*")}
    theirs = {p.name.split(".", 1)[1]: p for p in b.glob("shuyu_*.*")}
    return ours.keys() == theirs.keys() and all(filecmp.cmp(ours[k], theirs[k], shallow=False) for k in ours)


def side_by_side(n: int, rounds: int, data: str, baseline: str) -> dict[str, float]:
    folder = Path(data)
    if not (folder / "shuyu.db").exists():
        prepare(n, folder, index_alone=False)
    sides = {"baseline": Path(baseline).resolve(), "this": Path(__file__).resolve().parents[2]}
    runs: dict[str, list[dict]] = {side: [] for side in sides}
    identical = True
    with tempfile.TemporaryDirectory(prefix="bench-writer-") as tmp:
        documents = Path(tmp) / "documents.msgpack"
        _documents(folder, documents)
        for r in range(rounds):
            for side in list(sides) if r % 2 == 0 else list(sides)[::-1]:
                env = {**os.environ, "PYTHONPATH": str(sides[side])}
                done = subprocess.run([sys.executable, "-c", _ONE_WRITE, str(documents), str(Path(tmp) / f"{side}-{r}")],
                                      cwd=sides[side], env=env, check=True, capture_output=True, text=True)
                runs[side].append(json.loads(done.stdout.strip().splitlines()[-1]))
            identical = identical and _same_files(Path(tmp) / f"baseline-{r}", Path(tmp) / f"this-{r}")
            subprocess.run(["rm", "-rf", str(Path(tmp) / f"baseline-{r}"), str(Path(tmp) / f"this-{r}")], check=True)
    figures = {f"{side}_{k}": median([run[k] for run in runs[side]]) for side in sides for k in ("cpu_s", "wall_s")}
    print(f"\n## The index writer alone side by side, {runs['this'][0]['documents']:,} documents, {rounds} rounds in turns\n")
    print("| checkout | CPU s per round | median CPU | median wall |\n|---|---|---:|---:|")
    for side in sides:
        cpu = ", ".join(f"{run['cpu_s']:.2f}" for run in runs[side])
        print(f"| {side} ({sides[side]}) | {cpu} | "
              f"{figures[side + '_cpu_s']:.2f} | {figures[side + '_wall_s']:.2f} |")
    print(f"\nthis / baseline: CPU {figures['this_cpu_s'] / figures['baseline_cpu_s']:.2f}×; index files "
          f"{'identical' if identical else 'DIFFERENT'} byte for byte")
    return figures | {"identical": float(identical)}


if __name__ == "__main__":
    side_by_side(int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4])
