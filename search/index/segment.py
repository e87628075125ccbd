"""The rebuild's writer: a whole index written as one segment through whoosh's own codec."""

from __future__ import annotations

import struct
from collections import Counter
from collections.abc import Callable, Iterable

from whoosh.analysis import IDTokenizer
from whoosh.codec.whoosh3 import W3TermInfo
from whoosh.formats import Existence, Frequency
from whoosh.system import pack_uint
from whoosh.util.numeric import byte_to_length, length_to_byte

from .schema import TextTokenizer

Document = dict[str, str]
Progress = Callable[[int], None]
# A term in fewer documents than this keeps its postings in the term table (read with the term's
# entry, no block in the postings file); most bigrams of definitions are in one or two documents.
INLINE_LIMIT = 16

def write_segment(writer, documents: Iterable[Document], progress: Progress | None) -> int:
    """Write ``documents`` as the new segment of an empty index's ``writer``, through whoosh's codec.

    The per-document part (stored fields, columns, field lengths) goes through the writer's own
    per-document writer, as ``add_document`` does it. Postings are gathered in memory and each term is
    written once, in order. ``add_document`` instead pools every posting as a tuple, sorts the pool
    (spilling runs to disk), reads each posting's field length back from disk and writes a block per
    term, most of a rebuild's time (docs/performance-log.md). The segment is
    the one ``add_document`` would write, term for term and posting for posting (a test compares them),
    except that rare terms' postings are kept inline in the term table.

    Written against whoosh 3's codec (``W3TermInfo``, the field writer's term table, the writer's
    document count): whoosh-reloaded is pinned below 2.8.
    """
    schema = writer.schema
    per_doc = writer.perdocwriter
    gathered = {name: _FieldPostings(name, schema[name]) for name in schema.names() if schema[name].indexed}
    docnum = 0
    for doc in documents:
        per_doc.start_doc(docnum)
        for name in sorted(doc):
            value = doc[name]
            if value is None:
                continue
            field = schema[name]
            length = gathered[name].add(docnum, value) if field.indexed else 0
            per_doc.add_field(name, field, value if field.stored else None, length)
            if field.column_type:
                per_doc.add_column_value(name, field.column_type, field.to_column_value(value))
        per_doc.finish_doc()
        docnum += 1
        if progress:
            progress(1)
    writer.docnum = docnum  # what add_document would have counted; commit() then writes the segment
    writer._added = docnum > 0
    for name in sorted(gathered):
        gathered[name].write(writer.fieldwriter)
    return docnum


_FIELD_ID = struct.Struct("!H").pack  # the term table's key prefix
_FREQ_BITS = 32


class _FieldPostings:
    """One field's postings, gathered by term, then written once per term in order.

    Our bigram fields are counted directly (whoosh's analysis path would build a token object each), keyed by
    the token (str order is UTF-8 byte order) with ``docnum << 32 | frequency`` per posting; other
    fields keep what ``field.index`` gives, ``(docnum, weight, encoded value)`` by term bytes (an id
    field's one term, its whole value, without asking).
    """

    def __init__(self, name: str, field) -> None:
        self.name, self.field = name, field
        self.counted = isinstance(field.analyzer, TextTokenizer) and type(field.format) is Frequency
        self.whole = type(field.analyzer) is IDTokenizer and type(field.format) is Existence  # one term: the value
        self.terms: dict = {}
        self.lengths: dict[int, int] = {}  # as the codec keeps them: one byte

    def add(self, docnum: int, value: str) -> int:
        """Gather one document's value; returns its length (0 when the field is not scorable)."""
        terms, length = self.terms, 0
        if self.counted:
            base = docnum << _FREQ_BITS
            for token, freq in Counter(self.field.analyzer.pieces(value)).items():
                found = terms.get(token)
                if found is None:
                    terms[token] = found = []
                found.append(base | freq)
                length += freq
        elif self.whole:
            tbytes = value.encode()
            found = terms.get(tbytes)
            if found is None:
                terms[tbytes] = found = []
            found.append((docnum, self.field.format.field_boost, b""))
            length = 1
        else:
            for tbytes, freq, weight, vbytes in self.field.index(value):
                found = terms.get(tbytes)
                if found is None:
                    terms[tbytes] = found = []
                found.append((docnum, weight, vbytes))
                length += freq
        if not self.field.scorable:
            return 0
        if length:
            self.lengths[docnum] = byte_to_length(length_to_byte(length))
        return length

    def write(self, fields) -> None:
        """Every term's postings: a rare term's inline in its term-table entry, the others through the
        codec's postings writer."""
        if not self.terms:
            return
        lengths, boost, mask = self.lengths, self.field.format.field_boost, (1 << _FREQ_BITS) - 1
        fields.start_field(self.name, self.field)
        prefix = _FIELD_ID(fields._fieldid)
        for term in sorted(self.terms):
            found = self.terms[term]
            if self.counted:
                term = term.encode()
                found = [(p >> _FREQ_BITS, (p & mask) * boost, pack_uint(p & mask)) for p in found]
            if len(found) < INLINE_LIMIT:
                ids = tuple(p[0] for p in found)
                weights = tuple(p[1] for p in found)
                doc_lengths = [lengths.get(d, 0) for d in ids]
                info = W3TermInfo(weight=sum(weights), df=len(ids), minlength=min(doc_lengths) or None,
                                  maxlength=max(doc_lengths), maxweight=max(weights), minid=ids[0], maxid=ids[-1])
                # every value, b"" too: whoosh's merge reads them back through ListMatcher.value(), which
                # gives "" (not bytes, refused by the merge's pool) when there are none
                info.set_inlined(ids, weights, tuple(p[2] for p in found))
                fields._tindex.add(prefix + term, info.to_bytes())
                continue
            fields.start_term(term)
            for docnum, weight, vbytes in found:
                fields.add(docnum, weight, vbytes, lengths.get(docnum, 0))
            fields.finish_term()
        fields.finish_field()
