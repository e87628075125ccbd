"""Reading the index: BM25F scoring from field lengths in memory, definitions found by their rarest
token first and scored from the postings that check read, and hit ids read a segment at a time.

Every score is whoosh's own to the last bit, and every page in whoosh's order (score, then document
number): ``tests/search/test_index_segment.py`` compares them with whoosh's searcher.
"""

from __future__ import annotations

import heapq
from bisect import bisect_right
from collections.abc import Callable
from operator import itemgetter
from typing import Any, Literal, TypeAlias

from whoosh import query as q
from whoosh import scoring

from . import frequencies as dfq
from .adapter import LENGTH_OF_BYTE, id_column, is_posting_list, length_bytes, postings

FREQUENCY_CACHE = 50_000  # document frequencies kept per segment and field with a searcher (~7 MB at most)
# one segment's (document frequency, token) rarest first, and the documents holding them all with each
# token's weight (None for one token: its postings are read when scored)
Held: TypeAlias = tuple[list[tuple[int, str]], dict[int, list[float]] | None]
SumOrder: TypeAlias = "str | tuple[SumOrder, SumOrder]"  # a token, or two trees added left + right


class _Weighting(scoring.BM25F):
    """whoosh's BM25F, reading field lengths from memory.

    whoosh reads each scored document's length from the segment's column file (a seek and a read, ~10
    µs); a common definition word scores hundreds of documents, and that was half of such a search.
    One per searcher: a segment's length bytes are read once per field, on first use, and go with the
    searcher. A length is kept as one byte (256 values), so the part of BM25 that depends on it is
    computed once per byte value (``norms``) for ``_scored_by_block``.
    """

    def __init__(self) -> None:
        super().__init__()
        self._bytes: dict[tuple[int, str], bytes] = {}  # by (segment reader, field)
        self._norms: dict[tuple[str, float], list[float]] = {}  # by (field, its average length)

    def scorer(self, searcher: Any, fieldname: str, text: Any, qf: float = 1) -> Any:
        scorer = super().scorer(searcher, fieldname, text, qf=qf)
        if isinstance(scorer, scoring.BM25FScorer):
            raw = self.field_lengths(searcher.reader(), fieldname)
            scorer.dfl = lambda docnum: LENGTH_OF_BYTE[raw[docnum]]
            scorer.length_bytes = raw
            scorer.norms = self.norm_table(fieldname, scorer.avgfl)
        return scorer

    def field_lengths(self, reader: Any, fieldname: str) -> bytes:
        key = (id(reader), fieldname)
        raw = self._bytes.get(key)
        if raw is None:
            raw = self._bytes[key] = length_bytes(reader, fieldname)
        return raw

    def norm_table(self, fieldname: str, avgfl: float) -> list[float]:
        """``K1 * ((1 - B) + B * fl / avgfl)`` of ``whoosh.scoring.bm25`` for each length byte, with the
        same operations in the same order (so the same floats). One B for every field (none is set
        per field)."""
        key = (fieldname, avgfl)
        table = self._norms.get(key)
        if table is None:
            k1, b = self.K1, self.B
            table = self._norms[key] = [k1 * ((1 - b) + b * fl / avgfl) for fl in LENGTH_OF_BYTE]
        return table


def _scored_by_block(matcher: Any, offset: int, allowed: set[int] | None, scored: list[tuple[float, int]]) -> bool:
    """Score a one-term query's postings a block at a time, if ``matcher`` is a plain posting list
    scored by whoosh's BM25F (``_score_postings``). False, having done nothing, for any other matcher."""
    scorer: Any = getattr(matcher, "scorer", None)
    if not is_posting_list(matcher) or type(scorer) is not scoring.BM25FScorer:
        return False
    _score_postings(matcher, scorer.idf, scorer.K1 + 1, scorer.norms, scorer.length_bytes, offset, allowed, scored)
    return True


def _score_postings(matcher: Any, idf: float, k1_plus_1: float, norms: list[float], raw: bytes, offset: int,
                    allowed: set[int] | None, scored: list[tuple[float, int]]) -> None:
    """Append (score, -document number) for each posting of one term: whoosh's BM25F
    (``whoosh.scoring.bm25``, written out with the same operations in the same order, so the same
    floats) over postings decoded a block at a time, without the matcher's and scorer's five calls per
    document (a common two-character word: hundreds of documents)."""
    scored += [(idf * ((tf * k1_plus_1) / (tf + norms[raw[docnum]])), -(docnum + offset))
               for docnum, tf in postings(matcher) if allowed is None or docnum + offset in allowed]


def _counted(reader: Any, field: str, tokens: list[str], frequencies: dict[str, int],
             table: dfq.Frequencies | None = None) -> list[tuple[int, str]] | None:
    """(document frequency, token) of each distinct token in one segment, rarest first; None as soon
    as one is in no document. ``table``: the segment's frequencies written at its rebuild, if it has
    them; else (or when it cannot say) whoosh's term table is read, and ``frequencies`` keeps what it
    gave (each look-up reads the term table, so each token is looked up once per searcher)."""
    counted = []
    for token in dict.fromkeys(tokens):
        frequency = table.get(token) if table is not None else None
        if frequency is None:
            frequency = frequencies.get(token)
        if frequency is None:
            if len(frequencies) >= FREQUENCY_CACHE:
                frequencies.clear()
            frequency = frequencies[token] = reader.doc_frequency(field, token)
        if not frequency:
            return None
        counted.append((frequency, token))
    return sorted(counted)


def _holders(reader: Any, field: str, counted: list[tuple[int, str]]) -> dict[int, list[float]]:
    """The documents of one segment holding every one of the tokens ``counted`` (rarest first), with
    each token's weight in them, in that order.

    Rarest token first, each later one only asked about the documents still in: whoosh's ``And``
    intersects its most common terms first and steps through their postings one by one (two common
    definition bigrams never found together cost a walk through both lists to find nothing). A later token
    in many more documents than are still in is skipped to each of them; one in about as many is
    read whole."""
    (_, rarest), *others = counted
    held = {docnum: [weight] for docnum, weight in postings(reader.postings(field, rarest))}
    for frequency, token in others:
        matcher = reader.postings(field, token)
        if len(held) * 8 < frequency:
            kept = {}
            for docnum, weights in held.items():  # in document order
                if docnum > matcher.id():
                    matcher.skip_to(docnum)
                    if not matcher.is_active():
                        break
                if matcher.id() == docnum:
                    kept[docnum] = [*weights, matcher.weight()]
        else:
            kept = {docnum: [*held[docnum], weight] for docnum, weight in postings(matcher) if docnum in held}
        if not kept:
            return {}
        held = kept
    return held


class _IdColumn:
    """Each document's id by document number: each segment's id column read in one piece, then a
    slice per document (whoosh's column reader seeks and reads once per document, and a definition
    search reads a batch of them)."""

    def __init__(self, searcher: Any) -> None:
        self._starts: list[int] = []
        self._segments: list[Callable[[int], str]] = []
        for sub, offset in searcher.leaf_searchers():
            self._starts.append(offset)
            self._segments.append(id_column(sub.reader()))

    def __getitem__(self, docnum: int) -> str:
        segment = bisect_right(self._starts, docnum) - 1
        return self._segments[segment](docnum - self._starts[segment])


class SearcherCache:
    """What is read once per searcher and kept with it: the id column, each segment's document
    frequency tables (``frequencies.py``), and the document frequencies looked up in whoosh (per
    segment and field)."""

    def __init__(self, searcher: Any) -> None:
        self.searcher = searcher
        self._ids: _IdColumn | None = None
        self.frequencies: dict[tuple[int, str], dict[str, int]] = {}
        self._tables: dict[int, dict[str, dfq.Frequencies]] = {}
        self._segments: dict[str, list[tuple[Any, dict[str, int], dfq.Frequencies | None]]] = {}

    def table(self, number: int, reader: Any, field: str) -> dfq.Frequencies | None:
        """Segment ``number``'s frequencies of ``field`` written beside it, or None (whoosh is asked)."""
        tables = self._tables.get(number)
        if tables is None:
            tables = self._tables[number] = dfq.read(reader)
        return tables.get(field)

    def segments(self, leaves: Any, field: str) -> list[tuple[Any, dict[str, int], dfq.Frequencies | None]]:
        """Per segment of ``leaves`` (the searcher's, which keeps them for its life): its reader, the
        document frequencies of ``field`` looked up in whoosh, and its table of them (``table``)."""
        found = self._segments.get(field)
        if found is None:
            readers = [sub.reader() for sub, _ in leaves]
            found = self._segments[field] = [
                (reader, self.frequencies.setdefault((number, field), {}), self.table(number, reader, field))
                for number, reader in enumerate(readers)]
        return found

    @property
    def ids(self) -> _IdColumn:
        if self._ids is None:
            self._ids = _IdColumn(self.searcher)
        return self._ids


def _sum_order(words: list[str], frequencies: dict[str, int]) -> SumOrder:
    """The tree in which whoosh's ``And`` of ``words`` adds its terms' scores in one segment
    (``whoosh.util.make_weighted_tree`` with weight minus the document frequency: the two commonest
    terms first, ties in the query's order, a pair placed after the nodes weighing as much); a
    token, or a pair of trees added left + right."""
    nodes: list[tuple[int, SumOrder]] = sorted(((-frequencies[word], word) for word in words), key=itemgetter(0))
    while len(nodes) > 1:
        (weight_a, a), (weight_b, b) = nodes.pop(0), nodes.pop(0)
        weight = weight_a + weight_b
        nodes.insert(bisect_right([w for w, _ in nodes], weight), (weight, (a, b)))
    return nodes[0][1]


def _summed(order: SumOrder, scores: dict[str, float]) -> float:
    if isinstance(order, str):
        return scores[order]
    return _summed(order[0], scores) + _summed(order[1], scores)


def open_searcher(index: Any) -> Any:
    return index.searcher(weighting=_Weighting())


def find_holders(cache: SearcherCache, leaves: Any, field: str, tokens: list[str]) -> list[Held | None] | Literal[False]:
    """The documents holding every token, per segment: the tokens counted and their holders
    (``_counted``, ``_holders``; None for a segment where a token is missing; for one token, None for
    its holders: its postings, read when scored); False if there are none."""
    if not tokens:
        return False
    segments: list[Held | None] = []
    found = False
    for reader, frequencies, table in cache.segments(leaves, field):
        counted = _counted(reader, field, tokens, frequencies, table)
        if counted is None:
            segments.append(None)
        else:
            holders = _holders(reader, field, counted) if len(counted) > 1 else None
            segments.append((counted, holders))
            found = found or holders != {}
    return segments if found else False


def top_of_conjunction(searcher: Any, words: list[str], held: list[Held | None], leaves: Any, filter_query: q.Query | None,
                       limit: int) -> list[tuple[float, int]]:
    """``top_matches`` of a query that is one definition form, without whoosh's matchers: one token's
    postings scored as read (``_score_postings``); several tokens' holders scored from the weights
    ``find_holders`` read, each token's BM25F added in the order whoosh's ``And`` adds them in each
    segment (``_sum_order``), so the same floats; ranked as ``top_matches`` ranks."""
    allowed = set(searcher.docs_for_query(filter_query)) if filter_query is not None else None
    weighting = searcher.weighting
    avgfl = searcher.avg_field_length("definition") or 1
    k1 = weighting.K1
    norms = weighting.norm_table("definition", avgfl)
    idf = {word: searcher.idf("definition", word) for word in words}
    k1_plus_1 = k1 + 1
    scored: list[tuple[float, int]] = []
    for (sub, offset), segment in zip(leaves, held):
        if not segment:
            continue
        counted, holders = segment
        raw = weighting.field_lengths(sub.reader(), "definition")
        if holders is None:  # one token
            ((_, token),) = counted
            _score_postings(sub.reader().postings("definition", token), idf[token], k1_plus_1, norms, raw, offset,
                            allowed, scored)
            continue
        order = _sum_order(words, {token: frequency for frequency, token in counted})
        tokens = [token for _, token in counted]  # the order of each document's weights
        for docnum, weights in holders.items():
            if allowed is None or docnum + offset in allowed:
                norm = norms[raw[docnum]]
                scores = {token: idf[token] * ((tf * k1_plus_1) / (tf + norm)) for token, tf in zip(tokens, weights)}
                scored.append((_summed(order, scores), -(docnum + offset)))
    return [(score, -negated) for score, negated in heapq.nlargest(limit, scored)]


def top_matches(searcher: Any, query: q.Query, filter_query: q.Query | None, limit: int) -> list[tuple[float, int]]:
    """(score, docnum) of the best ``limit`` documents matching ``query`` (and ``filter_query``): score
    descending, then document number, as whoosh's collector ranks them (a test compares the two).

    Every match is scored with the same matchers, without the collector's layers (three calls and a
    heap operation per document): a two-character word of definitions matches hundreds of documents
    at 100k concepts, and that was most of such a search. (whoosh's block-quality skipping cannot
    skip a block here: each holds a short definition.)
    """
    allowed = set(searcher.docs_for_query(filter_query)) if filter_query is not None else None
    context = searcher.context()
    scored: list[tuple[float, int]] = []
    for sub, offset in searcher.leaf_searchers():
        matcher = query.matcher(sub, context)
        if _scored_by_block(matcher, offset, allowed, scored):
            continue
        while matcher.is_active():
            docnum = offset + matcher.id()
            if allowed is None or docnum in allowed:
                scored.append((matcher.score(), -docnum))
            matcher.next()
    return [(score, -negated) for score, negated in heapq.nlargest(limit, scored)]
