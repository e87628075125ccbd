"""Search evaluation: recall@1, recall@5 and MRR per query class, for shuyu and its baselines.

    python -m tests.search_eval.evaluate

prints the three sets: the 100-query set below, the generalisation set (``generalisation.py``) and the
regional set with its short-term variants (``regional.py``: development and held-out halves, alone and in
the 10k haystack), each beside the tantivy peer and the naive index (``peers.py``).

All three systems index the same bundled content (concepts and standards):
- ``shuyu``: the real search service (folding, expansion, pinyin, bigrams, tiers).
- ``jieba-stock``: whoosh with jieba's bundled ``ChineseAnalyzer`` over labels and definitions, queries
  through whoosh's query parser, as a first attempt usually looks.
- ``t2s-only``: labels and definitions folded with OpenCC t2s and segmented with jieba, queries folded
  with t2s only: no tw2sp / hk2s expansion, no pinyin, no bigrams, no tiers.
- ``tantivy`` and ``naive``: character 1-2-gram BM25 over the labels (``peers.py``).
"""

from __future__ import annotations

import sys
import tempfile
import tomllib
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

from msgspec import Struct

HERE = Path(__file__).parent
DEPTH = 10  # ranks looked at for MRR

Searcher = Callable[[str], list[str]]


class Case(Struct, frozen=True):
    cls: str
    query: str
    expected: str


class Scores(Struct, kw_only=True):
    queries: int
    recall_at_1: float
    recall_at_5: float
    mrr: float


def load_cases(path: Path = HERE / "queries.toml") -> list[Case]:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return [Case(group["class"], query, expected) for group in data["query"] for query, expected in group["cases"]]


def score(ranks: list[int | None]) -> Scores:
    n = len(ranks)
    return Scores(
        queries=n,
        recall_at_1=sum(1 for r in ranks if r == 1) / n,
        recall_at_5=sum(1 for r in ranks if r is not None and r <= 5) / n,
        mrr=sum(1 / r for r in ranks if r is not None) / n,
    )


def evaluate(search: Searcher, cases: list[Case]) -> dict[str, Scores]:
    """Scores per class and ``overall``."""
    ranks: dict[str, list[int | None]] = defaultdict(list)
    for case in cases:
        ids = search(case.query)[:DEPTH]
        rank = ids.index(case.expected) + 1 if case.expected in ids else None
        ranks[case.cls].append(rank)
        ranks["overall"].append(rank)
    return {cls: score(r) for cls, r in ranks.items()}


def misses(search: Searcher, cases: list[Case]) -> list[tuple[Case, list[str]]]:
    return [(c, search(c.query)[:5]) for c in cases if c.expected not in search(c.query)[:5]]


# -- the systems ---------------------------------------------------------------------------------
def shuyu_system(folder: Path):
    from registry.sqlite import SQLiteStore
    from search.service import SearchService
    from vocab.loader import load_bundled_if_empty

    store = SQLiteStore(folder / "registry.db")
    load_bundled_if_empty(store)
    service = SearchService(store, folder / "index")
    service.catch_up()

    def search(text: str) -> list[str]:
        return [h.id for h in service.search(text, limit=DEPTH).hits]

    return search, service


def _documents(catalog):
    for c in catalog.concepts.values():
        yield c.id, "\n".join(t.text for t in c.terms), c.definition + " " + c.definition_en
    for s in catalog.standards.values():
        yield s.id, f"{s.code}\n{s.title}\n{s.title_en}", " ".join(s.notes)


def jieba_stock_system(folder: Path, catalog) -> Searcher:
    from jieba.analyse import ChineseAnalyzer
    from whoosh import index
    from whoosh.fields import ID, TEXT, Schema
    from whoosh.qparser import MultifieldParser, OrGroup

    schema = Schema(id=ID(stored=True, unique=True), label=TEXT(analyzer=ChineseAnalyzer()),
                    definition=TEXT(analyzer=ChineseAnalyzer()))
    ix = index.create_in(folder, schema)
    with ix.writer() as writer:
        for doc_id, labels, definition in _documents(catalog):
            writer.add_document(id=doc_id, label=labels, definition=definition)
    searcher = ix.searcher()
    parser = MultifieldParser(["label", "definition"], schema, group=OrGroup, fieldboosts={"label": 3.0})

    def search(text: str) -> list[str]:
        return [hit["id"] for hit in searcher.search(parser.parse(text), limit=DEPTH)]

    return search


def t2s_only_system(folder: Path, catalog) -> Searcher:
    from whoosh import index
    from whoosh import query as q
    from whoosh.fields import ID, TEXT, Schema

    from registry.text import fold_to_simplified
    from tests.search_eval.tokenizers import WordTokenizer, segment

    schema = Schema(id=ID(stored=True, unique=True), label=TEXT(analyzer=WordTokenizer()),
                    definition=TEXT(analyzer=WordTokenizer()))
    ix = index.create_in(folder, schema)
    with ix.writer() as writer:
        for doc_id, labels, definition in _documents(catalog):
            writer.add_document(id=doc_id, label=fold_to_simplified(labels), definition=fold_to_simplified(definition))
    searcher = ix.searcher()

    def search(text: str) -> list[str]:
        words = segment(fold_to_simplified(text))
        if not words:
            return []
        query = q.Or([q.And([q.Term("label", w) for w in words], boost=3.0),
                      q.And([q.Term("definition", w) for w in words])])
        return [hit["id"] for hit in searcher.search(query, limit=DEPTH)]

    return search


def run_all(folder: Path) -> tuple[dict[str, dict[str, Scores]], dict[str, Searcher]]:
    cases = load_cases()
    shuyu, service = shuyu_system(folder / "shuyu")
    (folder / "jieba").mkdir()
    (folder / "t2s").mkdir()
    from tests.search_eval.peers import catalog_documents, naive_system, tantivy_system

    documents = catalog_documents(service.catalog)
    systems = {
        "shuyu": shuyu,
        "jieba-stock": jieba_stock_system(folder / "jieba", service.catalog),
        "t2s-only": t2s_only_system(folder / "t2s", service.catalog),
        "tantivy": tantivy_system(folder / "tantivy", documents),
        "naive": naive_system(folder / "naive", documents),
    }
    return {name: evaluate(search, cases) for name, search in systems.items()}, systems


def table(results: dict[str, dict[str, Scores]]) -> str:
    classes = [c for c in results["shuyu"] if c != "overall"] + ["overall"]
    names = list(results)
    head = "| class | n | " + " | ".join(f"{n} R@1 | {n} R@5 | {n} MRR" for n in names) + " |"
    rule = "|---|---:|" + "---:|" * (3 * len(names))
    rows = [head, rule]
    for cls in classes:
        cells = []
        for name in names:
            s = results[name][cls]
            cells += [f"{s.recall_at_1:.2f}", f"{s.recall_at_5:.2f}", f"{s.mrr:.2f}"]
        label = f"**{cls}**" if cls == "overall" else cls
        rows.append(f"| {label} | {results['shuyu'][cls].queries} | " + " | ".join(cells) + " |")
    return "\n".join(rows)


def main() -> None:
    from tests.search_eval import generalisation, regional

    with tempfile.TemporaryDirectory() as tmp:
        results, systems = run_all(Path(tmp))
        print("## The 100-query set\n")
        print(table(results))
        _, scores, quiet, _ = generalisation.run(Path(tmp) / "generalisation")
        print("\n## The generalisation set\n")
        print(generalisation.table(scores))
        print(f"\nnonsense queries: {len(quiet)}, label hits in all: {sum(len(h) for h in quiet.values())}")
        print("\n## The regional set (real regional wording) and short-term variants\n")
        print(regional.table(regional.run(Path(tmp) / "regional")))
        missed = misses(systems["shuyu"], load_cases())
        if missed:
            print("\nshuyu misses (not in the first five):", file=sys.stderr)
            for case, got in missed:
                print(f"  [{case.cls}] {case.query!r} → expected {case.expected}, got {got}", file=sys.stderr)


if __name__ == "__main__":
    main()
