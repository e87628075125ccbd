"""Import benchmark: N synthetic concepts exported to SKOS (Turtle) and imported into an empty registry.

    python -m tests.bench.bench_import 10000
    python -m tests.bench.bench_import 20000 toml      # one format only: issue 24's target, 20k TOML in ≤ 30 s

Each import runs in a child process of its own, so that its peak memory (ru_maxrss) is the import's
alone. Prints seconds and peak MB for: the export, the first import (N new concepts, one transaction),
a re-import of the unchanged file (no version written), and the same file as CSV and TBX.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .corpus import write

BASE = "https://shuyu.bench"


def child(file: str, db: str) -> None:
    """In a fresh process: import ``file`` into the store ``db``; print seconds, peak MB and counts."""
    from registry.sqlite import SQLiteStore
    from vocab.exchange import import_files

    from search.service import SearchService

    store = SQLiteStore(db)
    data = Path(file).read_bytes()
    start = time.perf_counter()
    report = import_files(store, [(file, data)], actor="bench", base_uri=BASE)
    seconds = time.perf_counter() - start
    # searchable: the catalog and the whoosh index caught up with the import (a new index is built whole)
    service = SearchService(store, Path(db).with_suffix(".index"))
    service.catch_up()
    searchable = time.perf_counter() - start
    service.index.close()
    store.close()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "searchable": searchable, "peak_mb": peak_mb, "created": len(report.created),
                      "unchanged": len(report.unchanged), "bytes": len(data)}))


def run_child(file: Path, db: Path) -> dict:
    out = subprocess.run([sys.executable, "-m", "tests.bench.bench_import", "--child", str(file), str(db)],
                         check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(n: int, formats: tuple[str, ...] = ("ttl", "csv", "tbx", "toml")) -> None:
    from registry.sqlite import SQLiteStore
    from vocab.exchange import export
    from vocab.loader import load_into, read_bundle

    folder = Path(tempfile.mkdtemp(prefix="shuyu-import-bench-"))
    corpus = write(n, folder / "corpus")
    source = SQLiteStore(folder / "source.db")
    load_into(source, read_bundle([corpus]))
    files = {}
    for fmt in formats:
        start = time.perf_counter()
        _, parts = export(source, "bench", fmt, base_uri=BASE)
        path = folder / f"bench.{fmt}"
        path.write_bytes(b"".join(parts))
        files[fmt] = (path, time.perf_counter() - start)
    source.close()
    print(f"import benchmark, {n} concepts (synthetic corpus, tests/bench/corpus.py)")
    print(f"{'step':44} {'seconds':>8} {'peak MB':>8}  notes (searchable: import + catalog + index)")
    for fmt, (path, seconds) in files.items():
        print(f"{'export to ' + fmt:44} {seconds:8.2f} {'':>8}  {path.stat().st_size / 1e6:.1f} MB file")
    for fmt in formats:
        db = folder / f"target-{fmt}.db"
        first = run_child(files[fmt][0], db)
        print(f"{'import ' + fmt + ' into an empty registry':44} {first['seconds']:8.2f} {first['peak_mb']:8.0f}"
              f"  {first['created']} created, one transaction; searchable after {first['searchable']:.1f} s")
        if fmt == "ttl":
            again = run_child(files[fmt][0], db)
            print(f"{'re-import of the unchanged ' + fmt:44} {again['seconds']:8.2f} {again['peak_mb']:8.0f}"
                  f"  {again['unchanged']} unchanged, no version written")
    print(f"(files in {folder})")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        child(sys.argv[2], sys.argv[3])
    else:
        main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000, tuple(sys.argv[2:]) or ("ttl", "csv", "tbx", "toml"))
