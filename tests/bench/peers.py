"""shuyu beside the engines a user would otherwise pick, on the same documents and the same queries.

    python -m tests.bench.peers 10000 100000       # sizes; prints the issue-25 table per size

Each engine runs in a fresh process of its own, one after the other on the same machine, and answers
the same queries in the same order (every query distinct, so no result cache answers):

- ``shuyu``: ``SearchService`` opened on the data folder (cold start), ``search(q, limit=20)``.
- ``tantivy``: a tantivy index of character 1–2-grams (``Tokenizer.ngram(1, 2)``) of the labels and of the
  definitions and notes, all folded to Simplified (NFKC, OpenCC t2s, lower case); a query is folded the
  same way and asked as an OR of its 1–2-grams over both fields (labels boosted 2×), BM25, top 20.
- ``fts5``: SQLite FTS5 with the trigram tokenizer over the same two fields, ``MATCH`` the query as a
  phrase ranked by ``bm25()``; a query under three characters (which trigrams cannot match) is a
  ``LIKE '%q%'`` scan, as such an application would have to do.

Figures per engine: build seconds (shuyu: catalog and whoosh index from the store, in one pass as a
first start does, with the import of the vocabulary file into the store beside; the peers: from
the documents in memory to a committed index), cold start (open to the first answer; shuyu's includes
importing its modules), p50 / p99 of the queries, and the RSS of the serving process after them.
The peers are in the test extra only (tantivy; sqlite3 is Python's own).
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import tempfile
import time
import unicodedata
from pathlib import Path

from .common import percentile, prepare, rss_mb, search_queries

ENGINES = ("shuyu", "tantivy", "fts5")
DEPTH = 20
ROOT = Path(__file__).parent.parent.parent


def write_inputs(data: Path) -> tuple[Path, Path]:
    """The documents (every current concept: id, preferred label, other labels, definition and notes)
    and the query mix of the in-process benchmark, as files the engine processes read."""
    from registry.sqlite import SQLiteStore

    store = SQLiteStore(data / "shuyu.db")
    concepts = list(store.current("concept"))
    store.close()
    docs = data / "peer-documents.jsonl"
    with docs.open("w", encoding="utf-8") as out:
        for c in concepts:
            out.write(json.dumps({"id": c.id, "label": c.preferred,
                                  "labels": [t.text for t in c.terms if t.lang != "en"],
                                  "text": " ".join([c.definition, *c.notes])}, ensure_ascii=False) + "\n")
    bench = [c for c in concepts if c.scheme == "bench"]
    sample = random.Random(1).sample(bench, min(2000, len(bench)))
    queries = data / "peer-queries.json"
    queries.write_text(json.dumps(search_queries(sample), ensure_ascii=False), encoding="utf-8")
    return docs, queries


def fold(text: str, _converter: list = []) -> str:  # noqa: B006 - the converter, made once per process
    """What the peers index and ask: NFKC, OpenCC t2s, lower case (shuyu folds the same way)."""
    if not _converter:
        import opencc

        _converter.append(opencc.OpenCC("t2s"))
    return _converter[0].convert(unicodedata.normalize("NFKC", text)).lower()


def grams(text: str) -> list[str]:
    """The distinct characters and adjacent pairs of each whitespace-separated part: the 1–2-grams
    tantivy's ngram tokenizer makes of the indexed text."""
    out: list[str] = []
    for part in text.split():
        out += list(part) + [part[i : i + 2] for i in range(len(part) - 1)]
    return list(dict.fromkeys(out))


# --- tantivy -------------------------------------------------------------------------------------


def tantivy_schema():
    import tantivy

    builder = tantivy.SchemaBuilder()
    builder.add_text_field("id", stored=True, tokenizer_name="raw")
    builder.add_text_field("label", stored=True, index_option="basic", tokenizer_name="raw")
    builder.add_text_field("labels", stored=False, tokenizer_name="ngram12")
    builder.add_text_field("text", stored=False, tokenizer_name="ngram12")
    return builder.build()


def tantivy_open(folder: Path):
    import tantivy

    schema = tantivy_schema()
    index = tantivy.Index(schema, path=str(folder))
    index.register_tokenizer("ngram12", tantivy.TextAnalyzerBuilder(
        tantivy.Tokenizer.ngram(min_gram=1, max_gram=2, prefix_only=False)).build())
    return schema, index


def tantivy_build(folder: Path, documents: list[dict]) -> None:
    import tantivy

    folder.mkdir(parents=True, exist_ok=True)
    _, index = tantivy_open(folder)
    writer = index.writer(heap_size=100_000_000, num_threads=1)
    for d in documents:
        doc = tantivy.Document()
        doc.add_text("id", d["id"])
        doc.add_text("label", d["label"])
        for label in d["labels"]:
            doc.add_text("labels", fold(label))
        doc.add_text("text", fold(d["text"]))
        writer.add_document(doc)
    writer.commit()
    writer.wait_merging_threads()


def tantivy_searcher(folder: Path):
    """A search function over a built index: folded query → [(id, label, score)]."""
    import tantivy

    schema, index = tantivy_open(folder)
    index.reload()
    searcher = index.searcher()

    def search(text: str) -> list[tuple[str, str, float]]:
        parts = grams(fold(text))
        if not parts:
            return []
        clauses = []
        for g in parts:
            clauses.append((tantivy.Occur.Should, tantivy.Query.boost_query(tantivy.Query.term_query(schema, "labels", g), 2.0)))
            clauses.append((tantivy.Occur.Should, tantivy.Query.term_query(schema, "text", g)))
        hits = searcher.search(tantivy.Query.boolean_query(clauses), DEPTH).hits
        out = []
        for score, address in hits:
            doc = searcher.doc(address)
            out.append((doc["id"][0], doc["label"][0], score))
        return out

    return search


# --- SQLite FTS5 trigram ---------------------------------------------------------------------------


def fts5_build(path: Path, documents: list[dict]) -> None:
    import sqlite3

    db = sqlite3.connect(path)
    db.execute("CREATE VIRTUAL TABLE docs USING fts5(id UNINDEXED, label UNINDEXED, labels, text, tokenize='trigram')")
    db.executemany("INSERT INTO docs VALUES (?, ?, ?, ?)",
                   ((d["id"], d["label"], " ".join(fold(x) for x in d["labels"]), fold(d["text"])) for d in documents))
    db.commit()
    db.close()


def fts5_searcher(path: Path):
    import sqlite3

    db = sqlite3.connect(path)

    def search(text: str) -> list[tuple[str, str, float]]:
        query = fold(text).strip()
        if not query:
            return []
        if len(query) >= 3:
            phrase = '"' + query.replace('"', '""') + '"'
            rows = db.execute("SELECT id, label, bm25(docs, 2.0, 1.0) FROM docs WHERE docs MATCH ? "
                              "ORDER BY bm25(docs, 2.0, 1.0) LIMIT ?", (phrase, DEPTH)).fetchall()
        else:
            pattern = "%" + query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            rows = db.execute("SELECT id, label, 0.0 FROM docs WHERE labels LIKE ?1 ESCAPE '\\' "
                              "OR text LIKE ?1 ESCAPE '\\' LIMIT ?2", (pattern, DEPTH)).fetchall()
        return rows

    return search


# --- one engine in this process (the child) --------------------------------------------------------


def run_engine(engine: str, data: Path, docs: Path, queries_file: Path) -> dict[str, float]:
    figures: dict[str, float] = {}
    queries = json.loads(queries_file.read_text(encoding="utf-8"))
    if engine == "shuyu":
        begin = time.perf_counter()
        from registry.sqlite import SQLiteStore
        from search.service import SearchService

        service = SearchService(SQLiteStore(data / "shuyu.db"), data / "index")
        service.catch_up()

        def search(q):
            return service.search(q, limit=DEPTH)
    else:
        documents = [json.loads(line) for line in docs.read_text(encoding="utf-8").splitlines()]
        where = data / f"peer-{engine}"
        build, open_ = (tantivy_build, tantivy_searcher) if engine == "tantivy" else (fts5_build, fts5_searcher)
        if engine == "fts5":
            where = where.with_suffix(".db")
        fold("预热")  # the converter is made once, as shuyu's is at import
        begin = time.perf_counter()
        build(where, documents)
        figures["build_s"] = time.perf_counter() - begin
        del documents
        begin = time.perf_counter()
        search = open_(where)
    search(queries[0])
    figures["cold_start_s"] = time.perf_counter() - begin
    times = []
    for q in queries[1:]:
        start = time.perf_counter()
        search(q)
        times.append(time.perf_counter() - start)
    figures["p50_ms"] = percentile(times, 0.5) * 1e3
    figures["p99_ms"] = percentile(times, 0.99) * 1e3
    figures["rss_mb"] = rss_mb()
    figures["queries"] = len(times)
    return figures


def in_child(engine: str, data: Path, docs: Path, queries: Path) -> dict[str, float]:
    out = subprocess.run([sys.executable, "-m", "tests.bench.peers", "--child", engine, str(data), str(docs), str(queries)],
                         capture_output=True, text=True, check=True, cwd=ROOT, timeout=1800).stdout
    return json.loads(out.strip().splitlines()[-1])


def measure(n: int, folder: Path) -> dict[str, dict[str, float]]:
    data = folder / f"peers-{n}"
    prepared = prepare(n, data)
    docs, queries = write_inputs(data)
    results = {engine: in_child(engine, data, docs, queries) for engine in ENGINES}
    results["shuyu"] |= prepared
    return results


def report(n: int, results: dict[str, dict[str, float]]) -> str:
    s, t, f = (results[e] for e in ENGINES)
    lines = [f"\n## shuyu beside the peers, {n:,} concepts (plus the bundled vocabulary), {int(s['queries']):,} queries",
             "", "| figure | shuyu | tantivy (1–2-grams) | SQLite FTS5 trigram | shuyu / tantivy |", "|---|---:|---:|---:|---:|",
             (f"| build, s | {s['build_s']:.1f} (one pass: catalog and whoosh; whoosh alone {s['index_build_s']:.1f}) "
              if s["one_pass"] else
              f"| build, s | {s['build_s']:.1f} (catalog {s['catalog_s']:.1f} + whoosh {s['index_build_s']:.1f}) ") +
             f"; import into the store {s['load_s']:.1f} | {t['build_s']:.1f} | {f['build_s']:.1f} | {s['build_s'] / t['build_s']:.1f}× |"]
    for name, key, fmt in (("cold start, s", "cold_start_s", ".2f"), ("RSS serving, MB", "rss_mb", ".0f"),
                           ("search p50, ms", "p50_ms", ".3f"), ("search p99, ms", "p99_ms", ".2f")):
        ratio = f"{s[key] / t[key]:.2f}×" if key != "cold_start_s" else "—"
        lines.append(f"| {name} | {s[key]:{fmt}} | {t[key]:{fmt}} | {f[key]:{fmt}} | {ratio} |")
    targets = []
    if n >= 100_000:
        targets = [("RSS ≤ 250 MB", s["rss_mb"] <= 250), ("build ≤ 15 s", s["build_s"] <= 15),
                   ("cold start ≤ 2 s", s["cold_start_s"] <= 2), ("p50 ≤ 0.3 ms", s["p50_ms"] <= 0.3),
                   ("p99 ≤ 1.5 ms", s["p99_ms"] <= 1.5)]
    else:
        targets = [("p50 ≤ tantivy's", s["p50_ms"] <= t["p50_ms"])]
    lines.append("\ntargets (issue 25): " + "; ".join(f"{name}: {'met' if ok else 'MISSED'}" for name, ok in targets))
    return "\n".join(lines)


def main(sizes: list[int]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            print(report(n, measure(n, Path(tmp))), flush=True)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        engine, data, docs, queries = sys.argv[2:6]
        print(json.dumps(run_engine(engine, Path(data), Path(docs), Path(queries))))
        os._exit(0)
    main([int(a) for a in sys.argv[1:]] or [10_000, 100_000])
