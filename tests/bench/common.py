"""What the benchmarks share: a data folder holding N synthetic concepts, timing and percentiles."""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from .corpus import write


def prepare(n: int, folder: Path, index_alone: bool = True) -> dict[str, float]:
    """A data folder (store + index) with the bundled vocabulary and ``n`` synthetic concepts.

    Goes through the normal import path: the vocabulary loader, then the search service's rebuild.
    Returns the seconds each step took (the catalog snapshot, then the whoosh index of definitions and
    notes from it), ``build_s`` (the build from the store: the one-pass build's time when the service
    made catalog and index together, else the two added) and the index size in MB.
    With ``index_alone`` False the index is not built a second time to time it alone (no
    ``index_build_s``): the benchmarks that only need the data folder.
    """
    from registry.sqlite import SQLiteStore
    from search.service import SearchService
    from vocab.loader import bundled_files, load_into, read_bundle

    folder.mkdir(parents=True, exist_ok=True)
    corpus = write(n, folder / "corpus")
    figures: dict[str, float] = {}
    store = SQLiteStore(folder / "shuyu.db")
    start = time.perf_counter()
    load_into(store, read_bundle([*bundled_files(), corpus]))
    figures["load_s"] = time.perf_counter() - start
    start = time.perf_counter()
    service = SearchService(store, folder / "index")
    figures["catalog_s"] = time.perf_counter() - start
    one_pass = service._built is not None  # a first start builds catalog and index in one pass (search/build.py)
    if index_alone or not one_pass:  # the whoosh index alone, built again from the catalog's documents
        start = time.perf_counter()
        service.index.rebuild(service.all_documents(), service.catalog.revision)
        figures["index_build_s"] = time.perf_counter() - start
    figures["one_pass"] = float(one_pass)
    figures["build_s"] = figures["catalog_s"] if one_pass else figures["catalog_s"] + figures["index_build_s"]
    figures["index_mb"] = sum(p.stat().st_size for p in (folder / "index").iterdir()) / 1e6
    service.index.close()
    store.close()
    return figures


def search_queries(sample: list) -> list[str]:
    """The search mix of the benchmarks, all different (so the result cache never answers), from 1,500
    or more sampled concepts: whole labels, label infixes, two characters of a definition, full pinyin."""
    from search.analysis import pinyin_keys

    return list(dict.fromkeys(
        [c.preferred for c in sample[:600]]
        + [c.preferred[1:4] for c in sample[600:1000]]
        + [c.definition[1:3] for c in sample[1000:1300]]
        + [pinyin_keys(c.preferred)[0] for c in sample[1300:1500]]
    ))


def timed(call: Callable[[object], object], items: Iterable[object]) -> list[float]:
    """Seconds per call, one call per item."""
    out = []
    for item in items:
        start = time.perf_counter()
        call(item)
        out.append(time.perf_counter() - start)
    return out


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))]


def median(values: list[float]) -> float:
    return statistics.median(values)


def rss_mb(pid: int | None = None) -> float:
    """Resident memory of a process in MB (this one by default)."""
    status = Path(f"/proc/{pid or os.getpid()}/status").read_text()
    kb = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:"))
    return kb / 1024


def verdict(value: float, target: float, *, lower_is_better: bool = True) -> str:
    ok = value <= target if lower_is_better else value >= target
    return "met" if ok else "MISSED"
