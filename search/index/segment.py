"""The rebuild's writer: a whole index as one segment, each term's postings gathered in memory and
written once, in order (through ``adapter.Segment``).

``add_document`` instead pools every posting as a tuple, sorts the pool (spilling runs to disk), reads
each posting's field length back from disk and writes a block per term, most of a rebuild's time
(docs/performance-log.md). The segment is the one ``add_document`` would write, term for term and
posting for posting (``tests/search/test_index_segment.py`` compares them), except that rare terms'
postings are kept inline in the term table.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter, defaultdict, deque
from collections.abc import Callable, Iterable
from itertools import repeat
from typing import Any

from whoosh.analysis import IDTokenizer, RegexTokenizer
from whoosh.formats import Existence, Frequency

from . import frequencies
from .adapter import LENGTH_OF_BYTE, Segment, encode_frequency
from .schema import TextTokenizer

Document = dict[str, str]
Progress = Callable[[int], None]
_FREQ_BITS = 32
_DOCNUM = _FREQ_BITS.__rrshift__  # a counted posting's document number (p >> 32)
_LAST_BYTE = len(LENGTH_OF_BYTE) - 1
_drain: Callable[[Iterable[Any]], None] = deque(maxlen=0).extend  # runs an iterator to its end, keeping nothing


def write_segment(writer: Any, documents: Iterable[Document], progress: Progress | None) -> int:
    """Write ``documents`` (read once, as they come) as the one segment of an empty index's
    ``writer``; returns how many there were. The caller commits."""
    schema = writer.schema
    segment = Segment(writer)
    field_of = {name: schema[name] for name in schema.names()}  # a dict look-up, not the schema's method, per field
    gathered = {name: _FieldPostings(name, field) for name, field in field_of.items() if field.indexed}
    kept = {name for name, field in field_of.items() if field.stored or field.column_type}  # passed with no length too
    for docnum, doc in enumerate(documents):
        fields = []
        for name in sorted(doc):
            value = doc[name]
            if value is not None:
                field = field_of[name]
                length = gathered[name].add(docnum, value) if field.indexed else 0
                if length or name in kept:  # else the segment has nothing to keep of it
                    fields.append((name, field, value, length))
        segment.add_document(fields)
        if progress:
            progress(1)
    for name in sorted(gathered):
        gathered[name].write(segment)
    count = segment.finish()
    frequencies.write(writer.newsegment, writer.storage, {name: gathered[name].terms for name in gathered})
    return count


def kept_length(length: int) -> int:
    """A field length (1 or more) as the codec keeps it, a byte's ``LENGTH_OF_BYTE``: ``length_to_byte`` is the first
    byte whose length is not below it (at most 255)."""
    return LENGTH_OF_BYTE[min(bisect_left(LENGTH_OF_BYTE, length), _LAST_BYTE)]


class _FieldPostings:
    """One field's postings, gathered by term.

    Our bigram fields and whoosh's keyword fields (a ``RegexTokenizer`` alone: its tokens are the
    expression's matches) are counted directly (whoosh's analysis path would build a token object each),
    keyed by the token (str order is UTF-8 byte order) with ``docnum << 32 | frequency`` per posting; an
    id field's one term, its whole value, keeps its documents' numbers; other fields keep what
    ``field.index`` gives, ``(docnum, weight, encoded value)`` by term bytes. An empty value has no
    token but in an id field (its one term is ``b""``).
    """

    def __init__(self, name: str, field: Any) -> None:
        self.name, self.field = name, field
        analyzer, frequency = field.analyzer, type(field.format) is Frequency
        self.pieces = (analyzer.pieces if isinstance(analyzer, TextTokenizer) and frequency else
                       analyzer.expression.findall if type(analyzer) is RegexTokenizer and not analyzer.gaps
                       and frequency and not analyzer.expression.groups else None)
        self.counted = self.pieces is not None
        self.whole = type(analyzer) is IDTokenizer and type(field.format) is Existence  # one term: the value
        self.terms: dict[Any, list] = defaultdict(list)  # a term's list made when first looked up
        self.lengths: dict[int, int] = {}  # as the codec keeps them

    def add(self, docnum: int, value: str) -> int:
        """Gather one document's value; returns its length (0 when the field is not scorable)."""
        terms, length = self.terms, 0
        if self.whole:
            terms[value.encode()].append(docnum)
            length = 1
        elif not value:
            return 0
        elif self.pieces is not None:
            counts = Counter(self.pieces(value))  # each token's posting appended in C-level loops:
            _drain(map(list.append, map(terms.__getitem__, counts), map((docnum << _FREQ_BITS).__or__, counts.values())))
            length = sum(counts.values())
        else:
            for tbytes, freq, weight, vbytes in self.field.index(value):
                terms[tbytes].append((docnum, weight, vbytes))
                length += freq
        if not self.field.scorable:
            return 0
        if length:
            self.lengths[docnum] = kept_length(length)
        return length

    def write(self, segment: Segment) -> None:
        """Every term with its postings, in order."""
        if not self.terms:
            return
        boost, mask = self.field.format.field_boost, (1 << _FREQ_BITS) - 1
        segment.start_field(self.name, self.field)
        lengths = self.lengths
        for term in sorted(self.terms):
            found = self.terms[term]
            if self.whole:
                segment.add_term(term, found, [boost] * len(found), [b""] * len(found), list(map(lengths.get, found, repeat(0))))
            elif not self.counted:
                ids, weights, values = zip(*found)
                segment.add_term(term, ids, weights, values, list(map(lengths.get, ids, repeat(0))))
            elif len(found) == 1:  # most terms: one document
                doc, freq = found[0] >> _FREQ_BITS, found[0] & mask
                segment.add_term(term.encode(), (doc,), (boost * freq,), (encode_frequency(freq),), (lengths.get(doc, 0),))
            else:
                freqs, docs = list(map(mask.__and__, found)), list(map(_DOCNUM, found))
                segment.add_term(term.encode(), docs, list(map(boost.__mul__, freqs)), list(map(encode_frequency, freqs)),
                                 list(map(lengths.get, docs, repeat(0))))
        segment.finish_field()
