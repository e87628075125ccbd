"""The one module that reaches past whoosh's documented API: a rebuild's segment written through whoosh 3's codec,
and the three things a search reads in bulk where whoosh reads a document at a time.

Everything else in ``search/index/`` uses whoosh's public API (index, writer, searcher, reader, matcher, query,
``scoring.BM25F``) and these functions. whoosh-reloaded is pinned below 2.8, and ``tests/search/test_index_segment.py``
compares what they write and read with whoosh's own (postings, scores). The internals touched, each in one place below:
- ``Segment``: ``SegmentWriter.perdocwriter``, ``.fieldwriter``, ``.docnum``, ``._added``; the codec's per-document writer
  (``start_doc``, ``add_field``, ``add_column_value``, ``finish_doc``) and field writer (``start_field``, ``finish_field``,
  ``_fieldid``, ``_postfile``, ``_codec._blocklimit``, ``._compression``, ``_tindex``: the term table's ``dbfile``, ``index``,
  ``buckets``, ``directory``, ``lastkey``); how ``W3TermInfo`` (``_struct``), ``W3PostingsWriter``, ``OrderedHashWriter.add``
  and ``HashWriter._write_hashes`` (md5) write (``term_layout``); ``whoosh.util.numeric``, ``whoosh.system``;
- ``length_bytes``: ``SegmentReader._perdoc._cached_reader``, ``whoosh.codec.whoosh3._lenfield``, ``LENGTHS_COLUMN``, the
  column reader's ``_dbfile``, ``_basepos``, ``_count``; ``id_column``: ``whoosh.columns.VarBytesColumn.Reader``'s
  ``_dbfile``, ``_basepos``, ``_length``, ``_offsets``, ``_lengths``; ``postings``, ``block_postings``: ``W3LeafMatcher``'s
  ``_data``, ``_read_data``, ``_byteids``, ``_i``, ``_next_block``; ``segment_ids``: ``whoosh.index.TOC`` (``read``, ``segments``).
"""

from __future__ import annotations

import struct
from array import array
from collections.abc import Callable, Iterator, Sequence
from itertools import accumulate, islice, repeat
from pickle import dumps
from typing import Any

from whoosh.codec.whoosh3 import LENGTHS_COLUMN, WHOOSH3_HEADER_MAGIC, W3LeafMatcher, W3TermInfo, _lenfield
from whoosh.columns import VarBytesColumn
from whoosh.index import TOC
from whoosh.system import pack_int, pack_long, pack_uint
from whoosh.util.numeric import byte_to_length

from .term_layout import OneDocumentRows, hash_tables, md5_hashes, posting_list, table_rows

INLINE_LIMIT = 16  # fewer postings are kept in the term's table entry (most bigrams: in 1 or 2 documents)
LENGTH_OF_BYTE = (1, *(byte_to_length(b) for b in range(1, 256)))  # 0: none kept, read as 1 as whoosh does
_BYTE_OF = {None: 0, **{byte_to_length(b): b for b in range(256)}}  # ``length_to_byte`` of a kept length (or None)
encode_frequency = pack_uint  # a posting's value in a ``Frequency`` field
_FIELD_ID = struct.Struct("!H").pack  # the term table's key prefix
_TERM_INFO = W3TermInfo._struct.pack  # an inlined term's statistics, then its pickled postings


def segment_ids(storage: Any, name: str, generation: int, schema: Any) -> list[str]:  # a TOC's, its schema given (not unpickled)
    return [segment.segment_id() for segment in TOC.read(storage, name, generation, schema=schema).segments]


class Segment:
    """The one segment of an empty index's ``writer``, written as ``add_document`` and ``commit`` would write it: documents
    in order, then each field's terms in byte order with their postings, then ``finish``."""

    def __init__(self, writer: Any) -> None:
        self._writer, self._documents, self._terms, self.count = writer, writer.perdocwriter, writer.fieldwriter, 0
        self._prefix, self._rows, self._one = b"", list[tuple[bytes, bytes]](), OneDocumentRows(_TERM_INFO, _BYTE_OF.__getitem__)
        self._keys, self._starts = list[bytes](), list[int]()  # every field's rows' keys and positions, so far

    def add_document(self, fields: Sequence[tuple[str, Any, Any, int]]) -> None:
        documents = self._documents  # per field: (name, field, value, length)
        documents.start_doc(self.count)
        for name, field, value, length in fields:
            documents.add_field(name, field, value if field.stored else None, length)
            if field.column_type:
                documents.add_column_value(name, field.column_type, field.to_column_value(value))
        documents.finish_doc()
        self.count += 1

    def start_field(self, name: str, field: Any) -> None:
        self._terms.start_field(name, field)
        self._prefix = _FIELD_ID(self._terms._fieldid)
        self._fixed = field.format.fixed_value_size()  # a block's values: joined, a tuple (None), or none (0)

    def add_term(self, term: bytes, ids: Sequence[int], weights: Sequence[float], values: Sequence[bytes], lengths: Sequence[int]) -> None:
        """A term's postings in columns by document (``lengths``: kept, or 0), as ``W3TermInfo``, ``W3PostingsWriter`` write them."""
        if len(ids) == 1:  # most terms: the row as below, from parts made once (``OneDocumentRows``)
            self._rows.append((self._prefix + term, self._one.row(ids[0], weights[0], values[0], lengths[0])))
        elif len(ids) < INLINE_LIMIT:  # every value, b"" too: a merge reads them through ListMatcher.value()
            info = _TERM_INFO(1, sum(weights), len(ids), _BYTE_OF[min(lengths)], _BYTE_OF[max(lengths)],
                              max(weights), ids[0], ids[-1])
            self._rows.append((self._prefix + term, info + dumps((tuple(ids), tuple(weights), tuple(values)), 2)))
        else:
            out, codec, start = self._terms._postfile, self._terms._codec, self._terms._postfile.tell()
            data, (total, top, least, most) = posting_list(ids, weights, values, lengths, codec._blocklimit, self._fixed,
                                                           codec._compression, _BYTE_OF.__getitem__)
            out.write(WHOOSH3_HEADER_MAGIC + data)
            info = _TERM_INFO(0, total, len(ids), _BYTE_OF[least], _BYTE_OF[most], top, ids[0], ids[-1])
            self._rows.append((self._prefix + term, info + pack_long(start) + pack_int(out.tell() - start)))

    def finish_field(self) -> None:
        """The field's term table rows in one write, as ``OrderedHashWriter.add`` writes each (keys in order)."""
        table, rows, self._rows = self._terms._tindex, self._rows, []
        if rows:
            data, starts, keys = table_rows(rows, table.dbfile.tell())
            table.dbfile.write(data)
            table.index.extend(starts)
            self._keys += keys
            self._starts += starts
            table.lastkey = keys[-1]
        self._terms.finish_field()

    def finish(self) -> int:
        """After the last field: the term table's hash tables, as its ``close`` writes them (none left to it), and the
        writer told how many documents it holds (what ``add_document`` would have counted). Before the ``commit``."""
        table = self._terms._tindex
        data, table.directory = hash_tables(md5_hashes(self._keys), self._starts, table.dbfile.tell())
        table.dbfile.write(data)
        table.buckets, self._writer.docnum, self._writer._added = [], self.count, self.count > 0
        return self.count


def length_bytes(reader: Any, field: str) -> bytes:
    """``field``'s length per document of a segment, a byte each (``LENGTH_OF_BYTE``), read in one piece (whoosh: per hit)."""
    column = reader._perdoc._cached_reader(_lenfield(field), LENGTHS_COLUMN)
    raw = column._dbfile.get(column._basepos, column._count) if column is not None else b""
    return raw + bytes(reader.doc_count_all() - len(raw))


def id_column(reader: Any, field: str = "id") -> Callable[[int], str]:
    """A segment's column values by document number, read in one piece (whoosh reads one at a time)."""
    column = reader.column_reader(field, translate=False)
    if type(column) is not VarBytesColumn.Reader:
        return reader.column_reader(field).__getitem__  # whoosh's own (not expected: every document has one)
    data, offsets, lengths = column._dbfile.get(column._basepos, column._length), column._offsets, column._lengths
    return lambda docnum: data[offsets[docnum] : offsets[docnum] + lengths[docnum]].decode("utf-8")  # as ID.from_bytes


def is_posting_list(matcher: Any) -> bool:
    return type(matcher) is W3LeafMatcher  # blocks of postings (not inline, no deleted documents)


def block_postings(matcher: Any) -> Iterator[tuple[int, float]]:
    """(document number, weight) of a posting list's current block, decoded as ``_read_ids``, ``_read_weights`` do."""
    if matcher._data is None:
        matcher._read_data()
    ids, weights = matcher._data[0], matcher._data[1]
    if not matcher._byteids:  # ids delta-encoded unless bytes; weights all 1.0, one float32, or float32 each
        ids = accumulate(ids)
    if weights is None or isinstance(weights, float):
        weights = repeat(array("f", [1.0 if weights is None else weights])[0])
    return zip(ids, weights)


def postings(matcher: Any) -> Iterator[tuple[int, float]]:
    """(document number, weight) of every posting from the matcher's position on, a block at a time if it can."""
    if is_posting_list(matcher):
        while matcher.is_active():
            yield from islice(block_postings(matcher), matcher._i, None)
            matcher._next_block()
    else:  # inline postings, or a segment's postings without its deleted documents
        while matcher.is_active():
            yield matcher.id(), matcher.weight()
            matcher.next()
