"""The term checker's benchmark: a 100 KB draft checked against the bundled vocabulary plus N synthetic
concepts (tests/bench/corpus.py), in process.

    python -m tests.bench.bench_checker             # 10,000 concepts (target: ≤ 50 ms per 100 KB text)
    python -m tests.bench.bench_checker 2000        # another size

The draft is built from the registry's own labels (preferred, admitted, English) in Simplified,
Traditional and Taiwan wording, mixed with ordinary words of jieba's dictionary that are not labels, so it
holds a dense mix of terms (one label in about every 19 characters, a fifth of them in Traditional
characters). Prints the automaton build time and the median and 90th-percentile time of ``check`` over
several runs: CPU time (``time.thread_time``; on a machine shared by many processes wall time mostly
measures the wait for a core) and wall time, beside two reference figures of the same run.
"""

from __future__ import annotations

import gc
import random
import sys
import tempfile
import time
from pathlib import Path

from .common import median, percentile, verdict
from .corpus import dictionary_words, write

TARGET_MS = 50
TEXT_BYTES = 100_000
RUNS = 15


def catalog_of(n: int, folder: Path):
    from registry.sqlite import SQLiteStore
    from search.catalog import Catalog
    from vocab.loader import bundled_files, load_into, read_bundle

    store = SQLiteStore(folder / "shuyu.db")
    load_into(store, read_bundle([*bundled_files(), write(n, folder / "corpus")]))
    catalog = Catalog.from_store(store)
    store.close()
    return catalog


def draft(catalog, size: int = TEXT_BYTES, seed: int = 3) -> str:
    from registry.text import converter

    rng = random.Random(seed)
    concepts = list(catalog.concepts.values())
    labels = set(catalog.by_label)
    filler = [w for w in dictionary_words()[5000:20000] if w not in labels]
    traditional = converter("s2t").convert
    pieces, length = [], 0
    while length < size:
        c = rng.choice(concepts)
        term = rng.choice(c.terms)
        text = term.text
        if term.lang == "zh-Hans" and rng.random() < 0.2:
            text = traditional(text)
        words = "".join(rng.choice(filler) for _ in range(rng.randint(1, 3)))
        piece = f"{words}{text}{rng.choice('，。、；')}" if term.lang != "en" else f"{words} {text} "
        pieces.append(piece)
        length += len(piece.encode("utf-8"))
    return "".join(pieces)[: size // 3]  # CJK: three bytes a character; cut to the byte size below


def main(n: int) -> dict[str, float]:
    from drafting.checker import check
    from drafting.matching import Matcher

    with tempfile.TemporaryDirectory() as tmp:
        catalog = catalog_of(n, Path(tmp))
    text = draft(catalog)
    while len(text.encode("utf-8")) < TEXT_BYTES:
        text += text[: 1000]
    text = text.encode("utf-8")[:TEXT_BYTES].decode("utf-8", "ignore")
    start = time.perf_counter()
    Matcher(catalog.label_postings(), catalog.revision)
    build = time.perf_counter() - start
    check(catalog, text)  # builds and caches the automaton of this revision
    # time spent in the garbage collector during the checks (a large catalog makes full collections dear)
    collecting = {"since": 0.0, "total": 0.0}

    def on_gc(phase, info):
        if phase == "start":
            collecting["since"] = time.thread_time()
        else:
            collecting["total"] += time.thread_time() - collecting["since"]

    gc.callbacks.append(on_gc)
    times, cpu = [], []
    for _ in range(RUNS):
        start, start_cpu = time.perf_counter(), time.thread_time()
        result = check(catalog, text)
        times.append(time.perf_counter() - start)
        cpu.append(time.thread_time() - start_cpu)
    gc.callbacks.remove(on_gc)
    gc_share = collecting["total"] / sum(cpu)
    gc.freeze()  # what a server can do after start: the catalog moves out of the collector's way
    frozen = []
    for _ in range(RUNS):
        start_cpu = time.thread_time()
        check(catalog, text)
        frozen.append(time.thread_time() - start_cpu)
    gc.unfreeze()
    # side by side in this run, to read the figure on a loaded machine: one OpenCC t2s pass over the
    # same text (a floor: the checker needs at least that) and a fixed pure-Python loop
    from registry.text import converter

    t2s = converter("t2s")
    floor, loop = [], []
    for _ in range(RUNS):
        start = time.thread_time()
        t2s.convert(text)
        floor.append(time.thread_time() - start)
        start = time.thread_time()
        sum(i * i for i in range(100_000))
        loop.append(time.thread_time() - start)
    figures = {
        "concepts": len(catalog.concepts), "text_kb": len(text.encode("utf-8")) / 1000, "characters": len(text),
        "matches": len(result.matches), "problems": len(result.problems),
        "automaton_build_ms": build * 1e3, "check_p50_ms": median(times) * 1e3, "check_p90_ms": percentile(times, 0.9) * 1e3,
        "check_cpu_p50_ms": median(cpu) * 1e3, "check_cpu_p90_ms": percentile(cpu, 0.9) * 1e3,
        "gc_share": gc_share, "frozen_cpu_p50_ms": median(frozen) * 1e3, "frozen_cpu_p90_ms": percentile(frozen, 0.9) * 1e3,
        "t2s_p50_ms": median(floor) * 1e3, "loop_p50_ms": median(loop) * 1e3,
    }
    print(f"term checker, {figures['concepts']:,} concepts, {figures['text_kb']:.0f} KB draft "
          f"({figures['characters']:,} characters, {figures['matches']:,} terms found, {figures['problems']:,} problems)")
    print(f"  automaton build          {figures['automaton_build_ms']:8.1f} ms   (once per catalog revision)")
    print(f"  check, CPU time, median  {figures['check_cpu_p50_ms']:8.1f} ms   target ≤ {TARGET_MS} ms: "
          f"{verdict(figures['check_cpu_p50_ms'], TARGET_MS)}")
    print(f"  check, CPU time, p90     {figures['check_cpu_p90_ms']:8.1f} ms   ({figures['gc_share']:.0%} of it in the garbage collector)")
    print(f"  after gc.freeze(), CPU   {figures['frozen_cpu_p50_ms']:8.1f} ms   (p90 {figures['frozen_cpu_p90_ms']:.1f} ms)")
    print(f"  check, wall time, median {figures['check_p50_ms']:8.1f} ms   (p90 {figures['check_p90_ms']:.1f} ms; "
          "includes waiting for a core on a shared machine)")
    print(f"  same run, CPU time: OpenCC t2s of the text {figures['t2s_p50_ms']:.1f} ms; "
          f"a 100k-step Python loop {figures['loop_p50_ms']:.1f} ms (check = {figures['check_cpu_p50_ms'] / figures['loop_p50_ms']:.1f} loops)")
    return figures


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
