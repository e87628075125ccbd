"""The generalisation set: query variants generated from the registry's own labels, nobody tunes on.

    python -m tests.search_eval.generalisation            # scores of both halves, shuyu and the baseline
    python -m tests.search_eval.generalisation --list     # the generated cases
    python -m tests.search_eval.generalisation --misses-dev  # misses of the development half (for tuning)

Each variant is what a user might type for a registered concept: a character dropped, two words
swapped, a common suffix added (建设 / 平台 / 系统 / 工程), a contraction (first characters of the
words), one word changed to a near synonym, the Traditional / Taiwan phrase form (OpenCC s2twp), and
pinyin with tone marks or tone numbers. Cases are split once into a development half and a held-out
half by a salted hash of the query (a fixed seed: the split does not move when the vocabulary grows);
tune only on the development half. The floor to beat is a naive character-bigram index over the same
labels (OR query, BM25); the tantivy peer (``peers.py``) is printed beside it.

Also here: 50 nonsense queries (random pairs of common characters that are in no label), which
should find (almost) nothing by label.
"""

from __future__ import annotations

import hashlib
import random
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

from msgspec import Struct

from tests.search_eval.evaluate import DEPTH, Scores, score

SEED = 2024
SUFFIXES = ("建设", "平台", "系统", "工程")
# the generator's own near-synonym table (wider than the one search uses; see docs/search.md)
GENERATOR_SYNONYMS = {"乡村": "农村", "农村": "乡村", "数据": "资料", "系统": "体系", "监测": "监控", "平台": "系统",
                      "管理": "治理", "建设": "建立", "网络": "网路", "信息": "资讯", "服务": "服务站", "智慧": "智能"}
COMMON = ("的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后"
          "多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还"
          "因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结")
NONSENSE_COUNT = 50


class Variant(Struct, frozen=True):
    kind: str
    query: str
    expected: str
    half: str  # "development" or "held-out"


def _half(query: str) -> str:
    digest = hashlib.sha256(f"{SEED}:{query}".encode()).digest()
    return "development" if digest[0] % 2 == 0 else "held-out"


def generate(catalog) -> list[Variant]:
    """Variants of the preferred Chinese labels of the catalog's live concepts, deterministic."""
    from pypinyin import Style, lazy_pinyin

    from registry.text import converter
    from search.analysis import CJK_RUN
    from search.phrases import with_pypinyin_phrases

    from .tokenizers import segment

    with_pypinyin_phrases()  # lazy_pinyin's readings as they were before search/phrases.py held the phrases
    rng = random.Random(SEED)
    taken = set(catalog.by_label) | set(catalog.by_title)
    out: dict[str, Variant] = {}

    def add(kind: str, query: str, expected: str) -> None:
        folded = converter("t2s").convert(query)
        if query and folded not in taken and query not in out:
            out[query] = Variant(kind, query, expected, _half(query))

    for concept in sorted(catalog.concepts.values(), key=lambda c: c.id):
        label = concept.preferred
        if concept.status != "published" or not CJK_RUN.fullmatch(label) or len(label) < 3:
            continue
        if len(label) >= 4:
            at = rng.randrange(1, len(label) - 1)
            add("drop-character", label[:at] + label[at + 1 :], concept.id)
        words = [w for w in segment(label) if w in label]
        parts = _cover(label, words)
        if len(parts) >= 2:
            i = rng.randrange(len(parts) - 1)
            swapped = parts[:i] + [parts[i + 1], parts[i]] + parts[i + 2 :]
            add("swap-words", "".join(swapped), concept.id)
        if len(parts) >= 3:  # the leading word kept, each later word by its first character
            add("contraction", parts[0] + "".join(p[0] for p in parts[1:]), concept.id)
        suffix = rng.choice(SUFFIXES)
        if not label.endswith(suffix):
            add("add-suffix", label + suffix, concept.id)
        for word in parts:
            if word in GENERATOR_SYNONYMS:
                add("near-synonym", label.replace(word, GENERATOR_SYNONYMS[word], 1), concept.id)
                break
        taiwan = converter("s2twp").convert(label)
        if taiwan != converter("s2t").convert(label):
            add("regional-phrase", taiwan, concept.id)
        else:
            add("traditional", converter("s2t").convert(label), concept.id)
        style = rng.choice((Style.TONE, Style.TONE3))
        add("tone-pinyin", " ".join(lazy_pinyin(label, style=style)), concept.id)
    return sorted(out.values(), key=lambda v: (v.half, v.kind, v.query))


def _cover(label: str, words: list[str]) -> list[str]:
    """The label cut into consecutive words (the longest search-mode word at each position)."""
    parts, at = [], 0
    while at < len(label):
        best = max((w for w in words if label.startswith(w, at)), key=len, default=label[at])
        parts.append(best)
        at += len(best)
    return parts


def nonsense(catalog, count: int = NONSENSE_COUNT) -> list[str]:
    """Random pairs of common characters that occur in no label."""
    labels = "\n".join([*catalog.by_label, *catalog.by_title])
    rng = random.Random(SEED)
    pairs: list[str] = []
    while len(pairs) < count:
        pair = rng.choice(COMMON) + rng.choice(COMMON)
        if pair[0] != pair[1] and pair not in labels and pair not in pairs:
            pairs.append(pair)
    return pairs


def bigram_baseline(folder: Path, catalog):
    """A naive character-bigram index over the same labels: t2s-folded labels, OR of the query's
    bigrams, BM25 (whoosh's default)."""
    from whoosh import index
    from whoosh import query as q
    from whoosh.analysis import NgramTokenizer
    from whoosh.fields import ID, TEXT, Schema

    from registry.text import fold_to_simplified

    schema = Schema(id=ID(stored=True, unique=True), labels=TEXT(analyzer=NgramTokenizer(2, 2)))
    ix = index.create_in(folder, schema)
    with ix.writer() as writer:
        for c in catalog.concepts.values():
            writer.add_document(id=c.id, labels=fold_to_simplified("  ".join(t.text for t in c.terms)))
        for s in catalog.standards.values():
            writer.add_document(id=s.id, labels=fold_to_simplified(f"{s.title}  {s.code}"))
    searcher = ix.searcher()
    analyzer = schema["labels"].analyzer

    def search(text: str) -> list[str]:
        grams = list(dict.fromkeys(t.text for t in analyzer(fold_to_simplified(text))))
        if not grams:
            return []
        return [hit["id"] for hit in searcher.search(q.Or([q.Term("labels", g) for g in grams]), limit=DEPTH)]

    return search


def evaluate(search, variants: list[Variant]) -> dict[str, dict[str, Scores]]:
    """Scores per half, per kind and overall."""
    ranks: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for v in variants:
        ids = search(v.query)[:DEPTH]
        rank = ids.index(v.expected) + 1 if v.expected in ids else None
        ranks[v.half][v.kind].append(rank)
        ranks[v.half]["overall"].append(rank)
    return {half: {kind: score(r) for kind, r in kinds.items()} for half, kinds in ranks.items()}


def run(folder: Path):
    """(variants, {system: scores}, nonsense label hits per query, systems) on the bundled vocabulary."""
    from tests.search_eval.evaluate import shuyu_system

    shuyu, service = shuyu_system(folder / "shuyu")
    (folder / "bigram").mkdir()
    catalog = service.catalog
    variants = generate(catalog)
    from tests.search_eval.peers import catalog_documents, tantivy_system

    systems = {"shuyu": shuyu, "bigram-bm25": bigram_baseline(folder / "bigram", catalog),
               "tantivy": tantivy_system(folder / "tantivy", catalog_documents(catalog))}
    scores = {name: evaluate(search, variants) for name, search in systems.items()}
    quiet = {text: [h for h in service.search(text, limit=DEPTH).hits if h.match != "definition"]
             for text in nonsense(catalog)}
    return variants, scores, quiet, systems


def table(scores) -> str:
    names = list(scores)
    rows = ["| half | kind | n | " + " | ".join(f"{n} R@1 | {n} R@5 | {n} MRR" for n in names) + " |",
            "|---|---|---:|" + "---:|" * (3 * len(names))]
    for half in ("development", "held-out"):
        kinds = sorted(k for k in scores["shuyu"][half] if k != "overall") + ["overall"]
        for kind in kinds:
            cells = []
            for name in names:
                s = scores[name][half][kind]
                cells += [f"{s.recall_at_1:.2f}", f"{s.recall_at_5:.2f}", f"{s.mrr:.2f}"]
            label = f"**{kind}**" if kind == "overall" else kind
            rows.append(f"| {half} | {label} | {scores['shuyu'][half][kind].queries} | " + " | ".join(cells) + " |")
    return "\n".join(rows)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        variants, scores, quiet, systems = run(Path(tmp))
        if "--list" in sys.argv:
            for v in variants:
                print(f"{v.half}\t{v.kind}\t{v.query}\t{v.expected}")
            return
        print(table(scores))
        hits = sum(len(h) for h in quiet.values())
        noisy = {text: [(h.id, h.match) for h in found] for text, found in quiet.items() if found}
        print(f"\nnonsense queries: {len(quiet)}, label hits in all: {hits}, queries with any: {len(noisy)}")
        for text, found in noisy.items():
            print(f"  {text}: {found}")
        if "--misses-dev" in sys.argv:  # for tuning: the development half only, never the held-out one
            print("\ndevelopment misses (not in the first five):")
            for v in variants:
                if v.half == "development":
                    got = systems["shuyu"](v.query)[:5]
                    if v.expected not in got:
                        print(f"  [{v.kind}] {v.query} → {v.expected}, got {got}")


if __name__ == "__main__":
    main()
