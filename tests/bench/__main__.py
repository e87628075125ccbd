"""The whole benchmark in one command: python -m tests.bench [--quick]

In-process figures at 10k and 100k concepts, then HTTP figures at 10k concepts with 1 and 2 workers,
then the import benchmark (SKOS, CSV, TBX) at 10k, then PostgreSQL against SQLite over HTTP (issue 10),
then the index build against whoosh's own writer at 20k (issue 15).
--quick runs 2k/20k and 3 s per HTTP route, to check the benchmark itself works.
"""

from __future__ import annotations

import sys

from . import bench_build, bench_http, bench_import, bench_inprocess, bench_stores

if __name__ == "__main__":
    quick = "--quick" in sys.argv
    bench_inprocess.main([2_000, 20_000] if quick else [10_000, 100_000])
    bench_http.main(2_000 if quick else 10_000, 3 if quick else 10)
    bench_import.main(2_000 if quick else 10_000)
    bench_stores.main(2_000 if quick else 10_000, 2 if quick else 4, 2 if quick else 5)
    bench_build.main(2_000 if quick else 20_000, 1 if quick else 2)
