"""The engines a user would otherwise pick, over the same labels as shuyu, for side-by-side figures.

    python -m tests.search_eval.peers          # the regional set, alone and in the 10k haystack

- ``tantivy``: a tantivy index of character 1-2-grams of the labels (t2s-folded), BM25, the query folded
  with t2s and asked as an OR of its 1-2-grams (the ``tantivy`` package, test extra only).
- ``naive``: the same in whoosh (t2s bigrams and single characters, BM25): a first attempt.

Both see every label of a concept (preferred, admitted, regional) as one multi-valued field, and nothing
else: no definitions, no pinyin.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from pathlib import Path

DEPTH = 10
Documents = Iterable[tuple[str, list[str]]]  # (id, labels)
Searcher = Callable[[str], list[str]]


def _grams(text: str) -> list[str]:
    """The distinct CJK characters and bigrams (and Latin words) of t2s-folded text."""
    from registry.text import fold_to_simplified
    from search.analysis import CJK_RUN, LATIN_WORD

    folded = fold_to_simplified(text).lower()
    grams: list[str] = []
    for run in CJK_RUN.findall(folded):
        grams += list(run) + [run[i : i + 2] for i in range(len(run) - 1)]
    grams += LATIN_WORD.findall(folded)
    return list(dict.fromkeys(grams))


def catalog_documents(catalog) -> list[tuple[str, list[str]]]:
    docs = [(c.id, [t.text for t in c.terms if t.lang != "en"]) for c in catalog.concepts.values()]
    docs += [(s.id, [s.title, s.code]) for s in catalog.standards.values()]
    return docs


def tantivy_system(folder: Path, documents: Documents) -> Searcher:
    import tantivy

    from registry.text import fold_to_simplified

    builder = tantivy.SchemaBuilder()
    builder.add_text_field("id", stored=True, tokenizer_name="raw")
    builder.add_text_field("labels", stored=False, tokenizer_name="ngram12")
    schema = builder.build()
    folder.mkdir(parents=True, exist_ok=True)
    index = tantivy.Index(schema, path=str(folder))
    index.register_tokenizer("ngram12", tantivy.TextAnalyzerBuilder(
        tantivy.Tokenizer.ngram(min_gram=1, max_gram=2, prefix_only=False)).build())
    writer = index.writer(heap_size=50_000_000, num_threads=1)
    for doc_id, labels in documents:
        doc = tantivy.Document()
        doc.add_text("id", doc_id)
        for label in labels:
            doc.add_text("labels", fold_to_simplified(label).lower())
        writer.add_document(doc)
    writer.commit()
    writer.wait_merging_threads()
    index.reload()
    searcher = index.searcher()

    def search(text: str) -> list[str]:
        grams = _grams(text)
        if not grams:
            return []
        query = tantivy.Query.boolean_query(
            [(tantivy.Occur.Should, tantivy.Query.term_query(schema, "labels", g)) for g in grams])
        return [searcher.doc(address)["id"][0] for _, address in searcher.search(query, DEPTH).hits]

    return search


def naive_system(folder: Path, documents: Documents) -> Searcher:
    from whoosh import index
    from whoosh import query as q
    from whoosh.fields import ID, KEYWORD, Schema

    schema = Schema(id=ID(stored=True, unique=True), grams=KEYWORD(scorable=True))
    folder.mkdir(parents=True, exist_ok=True)
    ix = index.create_in(folder, schema)
    with ix.writer() as writer:
        for doc_id, labels in documents:
            grams = [g for label in labels for g in _grams(label)]
            writer.add_document(id=doc_id, grams=" ".join(grams))
    searcher = ix.searcher()

    def search(text: str) -> list[str]:
        grams = _grams(text)
        if not grams:
            return []
        return [hit["id"] for hit in searcher.search(q.Or([q.Term("grams", g) for g in grams]), limit=DEPTH)]

    return search


def main() -> None:
    from tests.search_eval.regional import main as regional_main

    regional_main(["--peers-only"] + sys.argv[1:])


if __name__ == "__main__":
    main()
