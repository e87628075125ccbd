"""The regional set: real regional wording (Taiwan, Hong Kong, Macau) for mainland terms, nobody here wrote.

    python -m tests.search_eval.regional               # shuyu, tantivy and the naive index, alone and in the haystack
    python -m tests.search_eval.regional --misses-dev  # shuyu's development misses (for tuning; never the held-out half)

Two sources of pairs (source, licence and how they were made in each file's header and in
``regional_build.py``): ``regional_pairs.tsv``, OpenCC's regional lexicon, mostly science and technology
(kind ``regional``), and ``regional_daily_pairs.tsv``, a Taiwan / mainland table of daily-life and internet
wording (kind ``daily``); kind ``all`` is both together (a query in both counted once). The registry holds
one concept per mainland word of either source and nothing else ("alone"), or
those concepts inside the 10,000 synthetic concepts of the benchmarks (``tests/bench/corpus.py``, "haystack");
the regional word is the query. Also here: short-term variants, the registry's own 2-4-character labels with
one or two characters changed to characters of other labels (what the generalisation set, varying labels of
three characters or more, cannot see).

The unfiltered set holds pairs that no engine finds by their characters: about one in five shares no
character with the mainland word, or only a common one (瓦斯桶 / 煤气罐, 單車 / 自行车; many are
transliterations of names, 史丹佛 / 斯坦福). So the pairs are also scored as a filtered subset, kind
``regional-sharing``, by a rule fixed before looking at any result and applied to both halves: the regional
word, in one of its folded query forms (t2s, tw2sp, hk2s), and the mainland word share at least one
character that is not one of the common characters of ``search.near.COMMON_CHARS``. Both are reported,
per source (``regional-sharing``, ``daily-sharing``) and together (``all-sharing``).

Cases are split into a development and a held-out half by a salted hash of the query; tune on the
development half only. Scores per half: recall@1, recall@5, MRR, answered (any hit at all) and precision
(of the queries answered, the first hit right).
"""

from __future__ import annotations

import hashlib
import random
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

from msgspec import Struct

HERE = Path(__file__).parent
PAIRS = HERE / "regional_pairs.tsv"
DAILY_PAIRS = HERE / "regional_daily_pairs.tsv"
SOURCES = (("regional", PAIRS), ("daily", DAILY_PAIRS))  # kind, file
KINDS = ("regional", "regional-sharing", "daily", "daily-sharing", "all", "all-sharing", "short-variant")
SALT = "shuyu-regional-2026"
SEED = 21
DEPTH = 10
HAYSTACK = 10_000
VARIANTS = 600  # short-term variants generated, at most
SYSTEMS = ("shuyu", "tantivy", "naive")


class Case(Struct, frozen=True):
    kind: str  # one of ``KINDS``
    query: str
    expected: str  # concept id
    half: str  # "development" or "held-out"
    region: str = ""


class Scores(Struct, kw_only=True):
    queries: int
    recall_at_1: float
    recall_at_5: float
    mrr: float
    answered: float
    precision: float  # of the queries answered, the first hit right


def half_of(query: str) -> str:
    digest = hashlib.sha256(f"{SALT}:{query}".encode()).digest()
    return "development" if digest[0] % 2 == 0 else "held-out"


def load_pairs(path: Path = PAIRS) -> list[tuple[str, str, str]]:
    """(region, regional query, mainland word) of the TSV."""
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")]
    return [tuple(line.split("\t")[:3]) for line in lines[1:]]  # type: ignore[misc]


def concept_ids(words: list[str]) -> dict[str, str]:
    return {word: f"r{i:05d}" for i, word in enumerate(sorted(set(words)))}


def vocabulary_toml(ids: dict[str, str]) -> str:
    out = ['[scheme]\nid = "regional"\ntitle = "区域用语评测词表"\nstatus = "draft"\n']
    for word, concept_id in ids.items():
        out.append(f'[[concept]]\nid = "{concept_id}"\npref = "{word}"\n'
                   f'sources = [{{ document = "regional_pairs.tsv", locator = "{concept_id}" }}]\n')
    return "\n".join(out)


def short_variants(ids: dict[str, str], count: int = VARIANTS, words: list[str] | None = None) -> list[Case]:
    """Labels of 2-4 characters (of ``words``, default every label) with one character changed (two, for
    some of four), to characters of those labels, that are no label themselves; deterministic."""
    rng = random.Random(SEED)
    words = sorted(ids) if words is None else sorted(set(words))
    pool = sorted({ch for w in words for ch in w})
    out: dict[str, Case] = {}
    for word in rng.sample(words, len(words)):
        if not 2 <= len(word) <= 4 or len(out) >= count:
            continue
        changes = 2 if len(word) == 4 and rng.random() < 0.5 else 1
        chars = list(word)
        for at in rng.sample(range(len(word)), changes):
            chars[at] = rng.choice(pool)
        variant = "".join(chars)
        if variant not in ids and sum(a != b for a, b in zip(variant, word)) == changes and variant not in out:
            out[variant] = Case("short-variant", variant, ids[word], half_of(variant))
    return list(out.values())


def cases() -> tuple[list[Case], dict[str, str]]:
    by_source = {kind: load_pairs(path) for kind, path in SOURCES}
    ids = concept_ids([mainland for pairs in by_source.values() for _, _, mainland in pairs])
    out: list[Case] = []
    seen: set[str] = set()
    for kind, pairs in by_source.items():
        for region, query, mainland in pairs:
            sharing = shares_a_telling_character(query, mainland)
            named = [kind, f"{kind}-sharing"] if sharing else [kind]
            if query not in seen:  # together: a query in both sources counted once
                seen.add(query)
                named += ["all", "all-sharing"] if sharing else ["all"]
            out += [Case(name, query, ids[mainland], half_of(query), region) for name in named]
    # the short-term variants vary the first source's words, as they did before the second came
    return out + short_variants(ids, words=[mainland for _, _, mainland in by_source["regional"]]), ids


def shares_a_telling_character(query: str, mainland: str) -> bool:
    """The filter of the ``regional-sharing`` subset (see the module's docstring)."""
    from search.analysis import expand_query
    from search.near import COMMON_CHARS

    return any(set(form).intersection(mainland) - COMMON_CHARS for form in expand_query(query))


def score(ranks: list[int | None], answered: list[bool]) -> Scores:
    n = len(ranks)
    answers = sum(answered)
    return Scores(queries=n, recall_at_1=sum(1 for r in ranks if r == 1) / n,
                  recall_at_5=sum(1 for r in ranks if r is not None and r <= 5) / n,
                  mrr=sum(1 / r for r in ranks if r is not None) / n, answered=answers / n,
                  precision=sum(1 for r in ranks if r == 1) / answers if answers else 1.0)


def evaluate(search, items: list[Case]) -> dict[str, dict[str, Scores]]:
    """Scores per half and kind: {half: {kind: Scores}}."""
    ranks: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    answered: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for case in items:
        ids = search(case.query)[:DEPTH]
        ranks[case.half][case.kind].append(ids.index(case.expected) + 1 if case.expected in ids else None)
        answered[case.half][case.kind].append(bool(ids))
    return {half: {kind: score(r, answered[half][kind]) for kind, r in kinds.items()} for half, kinds in ranks.items()}


def build(folder: Path, ids: dict[str, str], haystack: int = 0):
    """The shuyu search service over the regional concepts (and ``haystack`` synthetic ones)."""
    from registry.sqlite import SQLiteStore
    from search.service import SearchService
    from vocab.loader import load_into, read_bundle

    folder.mkdir(parents=True, exist_ok=True)
    files = [folder / "regional.toml"]
    files[0].write_text(vocabulary_toml(ids), encoding="utf-8")
    if haystack:
        from tests.bench.corpus import write

        files.append(write(haystack, folder / "corpus"))
    store = SQLiteStore(folder / "registry.db")
    load_into(store, read_bundle(files))
    service = SearchService(store, folder / "index")
    service.catch_up()
    return service


def systems(folder: Path, ids: dict[str, str], haystack: int = 0, names=SYSTEMS) -> dict:
    from tests.search_eval.peers import catalog_documents, naive_system, tantivy_system

    service = build(folder / "shuyu", ids, haystack)
    documents = catalog_documents(service.catalog)
    out = {}
    if "shuyu" in names:
        out["shuyu"] = lambda text: [h.id for h in service.search(text, limit=DEPTH).hits]
    if "tantivy" in names:
        out["tantivy"] = tantivy_system(folder / "tantivy", documents)
    if "naive" in names:
        out["naive"] = naive_system(folder / "naive", documents)
    return out


def run(folder: Path, names=SYSTEMS, haystacks=(0, HAYSTACK)) -> dict:
    """{"alone" | "haystack": {system: {half: {kind: Scores}}}}."""
    items, ids = cases()
    results = {}
    for n in haystacks:
        where = "haystack" if n else "alone"
        found = systems(folder / where, ids, n, names)
        results[where] = {name: evaluate(search, items) for name, search in found.items()}
    return results


def table(results: dict) -> str:
    rows = ["| registry | half | kind | n | system | R@1 | R@5 | MRR | answered | precision |",
            "|---|---|---|---:|---|---:|---:|---:|---:|---:|"]
    for where, by_system in results.items():
        for half in ("development", "held-out"):
            for kind in KINDS:
                for name, scores in by_system.items():
                    s = scores[half][kind]
                    rows.append(f"| {where} | {half} | {kind} | {s.queries} | {name} | {s.recall_at_1:.2f} "
                                f"| {s.recall_at_5:.2f} | {s.mrr:.2f} | {s.answered:.2f} | {s.precision:.2f} |")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    names = ("tantivy", "naive") if "--peers-only" in argv else SYSTEMS
    with tempfile.TemporaryDirectory() as tmp:
        if "--misses-dev" in argv:  # the development half only: what tuning may look at
            items, ids = cases()
            for n in (0, HAYSTACK) if "--haystack" in argv else (0,):
                search = systems(Path(tmp) / f"m{n}", ids, n, ("shuyu",))["shuyu"]
                for case in items:
                    if case.half == "development":
                        got = search(case.query)[:5]
                        if case.expected not in got:
                            print(f"{n}\t{case.kind}\t{case.query}\t{case.expected}\t{got}")
            return
        print(table(run(Path(tmp), names)))


if __name__ == "__main__":
    main()
