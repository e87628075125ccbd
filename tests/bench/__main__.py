"""The benchmark in one command: python -m tests.bench [--quick | --all]

Issue 25's table: shuyu beside tantivy (1–2-grams) and SQLite FTS5 trigram at 10k and 100k concepts
(build, cold start, RSS serving, search p50 / p99; each engine in a fresh process, the same queries),
then HTTP at 10k with 2 workers: shuyu's routes beside the tantivy peer app (search req/s) and a bare
litestar route (/healthz), measured in turns.

--quick: the peers at 10k only and 3 s per HTTP route (a few minutes), to check the benchmark works.
--all:   then also the older benchmarks: in-process figures (lookup, suggest, publish lag) at 10k and 100k,
         HTTP with 1 worker, the import (SKOS, CSV, TBX), PostgreSQL against SQLite over HTTP (issue 10),
         the index build against whoosh's own writer (issue 15).
"""

from __future__ import annotations

import os
import sys

from . import bench_build, bench_http, bench_import, bench_inprocess, bench_stores, peers

if __name__ == "__main__":
    quick = "--quick" in sys.argv
    peers.main([10_000] if quick else [10_000, 100_000])
    bench_http.main(10_000, 3 if quick else 10, (2,))
    if "--all" in sys.argv:
        bench_inprocess.main([10_000, 100_000])
        bench_http.main(10_000, 10, (1,))
        bench_import.main(10_000)
        bench_stores.main(10_000, 4, 5)
        bench_build.main(20_000, 2)
    os._exit(0)
