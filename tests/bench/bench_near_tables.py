"""What the near tier derives of a catalog snapshot (sound table, character weights), and when.

    python -m tests.bench.bench_near_tables            # 100k synthetic concepts and the bundled vocabulary
    python -m tests.bench.bench_near_tables 10000

Builds a snapshot as a start does (the collector paused, ``collector_paused``), then prints: the
derivation from every label (what a start pays, and what the first near query of a process paid before
``labels.prepare`` ran at the swap), the first near queries after it, and for three later revisions of
one concept each the catalog's own update and the derivation from the previous snapshot's tables.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path


def main(n: int) -> None:
    import msgspec

    from registry.model import Term
    from search import labels
    from search.catalog import Catalog
    from search.catalog_build import collector_paused
    from search.labels import QueryForms, label_hits
    from tests.bench.corpus import write
    from vocab.loader import bundled_files, read_bundle

    with tempfile.TemporaryDirectory() as tmp:
        bundle = read_bundle([*bundled_files(), write(n, Path(tmp) / "corpus")])
    with collector_paused():
        catalog = Catalog().applied(bundle.versions, 1, bundle.schemes)
    start = time.perf_counter()
    labels.prepare(catalog)
    print(f"{n} concepts, {len(catalog.by_label)} labels: derived from every label {(time.perf_counter() - start) * 1e3:.1f} ms")
    for text in ("史丹佛", "潘洛斯", "優養化"):
        start = time.perf_counter()
        label_hits(catalog, QueryForms.of(text))
        print(f"  near query {text}: {(time.perf_counter() - start) * 1e3:.2f} ms")
    last = bundle.concepts()[-1]
    for i in range(3):
        changed = [msgspec.structs.replace(last, version=last.version + 1 + i,
                                           terms=(*last.terms, Term(text=f"斯坦福大学{i}")))]
        start = time.perf_counter()
        following = catalog.applied(changed, 2 + i)
        applied = time.perf_counter() - start
        start = time.perf_counter()
        labels.prepare(following, catalog, changed)
        print(f"  revision {2 + i}: catalog update {applied * 1e3:.1f} ms, near tables {(time.perf_counter() - start) * 1e3:.1f} ms")
        catalog = following


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
