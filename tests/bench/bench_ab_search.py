"""Another checkout's search against this one's, in one process: every query asked of both, alternating
which goes first, so the machine's drift (large on these VMs) falls on both alike; the answers are
compared too (any difference, and how many of them are other hits or another order rather than other
scores or marks).

    python -m tests.bench.bench_ab_search OLD_CHECKOUT OLD_DATA NEW_DATA [seed] [--regional]

Each data folder holds a store and an index of the same content (e.g. ``tests.bench.common.prepare``'s
folder and a copy of it: each checkout reads and may rewrite its own catalog snapshot). The queries are
the in-process benchmark's mix (whole labels, infixes, definition words, pinyin), all different, drawn
with ``seed``; with ``--regional``, the regional set's queries instead (``tests/search_eval/regional.py``:
real regional wording, most of it answered by the near tier). Prints p50 / p90 / p99 of each and their ratios, and how many answers (total, hits with
tier, score to 9 digits, matched label, coverage and marks, facets) differ.
"""

from __future__ import annotations

import gc
import importlib.util
import pickle
import random
import sys
import time
import types
from pathlib import Path

from .common import percentile, search_queries


class _OldUnpickler(pickle.Unpickler):
    """Reads a snapshot the other checkout saved with its own classes: ``search.compact.KeyTable`` in
    the file is ``search_old.compact.KeyTable`` here (else this checkout's classes would read it)."""

    def find_class(self, module: str, name: str):
        if module == "search" or module.startswith("search."):
            module = "search_old" + module[len("search") :]
        return super().find_class(module, name)


def _old_search(checkout: str):
    """The other checkout's ``search`` package, imported as ``search_old`` (``registry`` is shared)."""
    spec = importlib.util.spec_from_file_location("search_old", f"{checkout}/search/__init__.py",
                                                  submodule_search_locations=[f"{checkout}/search"])
    package = importlib.util.module_from_spec(spec)
    sys.modules["search_old"] = package
    spec.loader.exec_module(package)
    if Path(checkout, "search", "catalog_build.py").exists():  # its snapshot read with its own classes
        build = importlib.import_module("search_old.catalog_build")
        build.pickle = types.SimpleNamespace(load=lambda source: _OldUnpickler(source).load(), dump=pickle.dump,
                                             HIGHEST_PROTOCOL=pickle.HIGHEST_PROTOCOL)
    return importlib.import_module("search_old.service")


def _answer(results) -> tuple:
    return (results.total, results.total_exact, results.facets,
            [(h.id, h.tier, round(h.score, 9), h.matched, h.coverage, h.marks) for h in results.hits])


def main(old_checkout: str, old_data: str, new_data: str, seed: int = 1, regional: bool = False) -> None:
    from registry.sqlite import SQLiteStore
    from search import service as new_service
    from search.phrases import with_pypinyin_phrases

    with_pypinyin_phrases()  # an older checkout reads pypinyin's own phrases (this one holds its own)

    old_service = _old_search(old_checkout)
    services = {}
    for name, module, folder in (("old", old_service, Path(old_data)), ("new", new_service, Path(new_data))):
        services[name] = module.SearchService(SQLiteStore(folder / "shuyu.db"), folder / "index")
        services[name].catch_up()
        services[name].search("数字乡村")
    gc.collect()
    gc.freeze()
    rng = random.Random(seed)
    concepts = sorted((c for c in services["new"].catalog.concepts.values() if c.scheme == "bench"), key=lambda c: c.id)
    sample = rng.sample(concepts, 2000)
    queries = search_queries(sample)
    if regional:
        from tests.search_eval.regional import cases

        queries = list(dict.fromkeys(c.query for c in cases()[0] if c.kind == "all"))
    times: dict[str, list[float]] = {"old": [], "new": []}
    differ, reordered, outside_near = [], [], []
    near = new_service.TIERS.index("label-near")
    for i, text in enumerate(queries):
        answers = {}
        for name in ("old", "new") if i % 2 == 0 else ("new", "old"):
            start = time.perf_counter()
            answers[name] = services[name].search(text, limit=20)
            times[name].append(time.perf_counter() - start)
        if _answer(answers["old"]) != _answer(answers["new"]):
            differ.append(text)
            if [h.id for h in answers["old"].hits] != [h.id for h in answers["new"].hits]:
                reordered.append(text)
            if all(h.tier != near for a in answers.values() for h in a.hits):
                outside_near.append(text)
    print(f"\n## {old_checkout} against this checkout, {len(queries)} queries in one process (seed {seed})\n")
    print(f"answers that differ: {len(differ)} {differ[:5] if differ else ''}")
    print(f"of which other hits or another order: {len(reordered)} {reordered[:5] if reordered else ''}")
    print(f"of which neither answer has a near match: {len(outside_near)} {outside_near[:5] if outside_near else ''}\n")
    print("| figure | old | new | new / old |\n|---|---:|---:|---:|")
    for label, p in (("p50", 0.5), ("p90", 0.9), ("p99", 0.99)):
        old, new = percentile(times["old"], p) * 1e3, percentile(times["new"], p) * 1e3
        print(f"| search {label} (ms) | {old:.3f} | {new:.3f} | {new / old:.2f}× |")
    old, new = sum(times["old"]), sum(times["new"])
    print(f"| all queries (s) | {old:.2f} | {new:.2f} | {new / old:.2f}× |")


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if a != "--regional"]
    main(args[0], args[1], args[2], int(args[3]) if len(args) > 3 else 1, "--regional" in sys.argv)
