"""A segment's terms laid out as whoosh 3's codec writes them, in pure Python on lists: a term's postings cut
into blocks (``W3PostingsWriter``), each with the statistics its header and the term's table row keep, and a
field's term table rows (``OrderedHashWriter``). The codec's writers take a call per posting and per term, a
rebuild's longest part. ``adapter.Segment`` writes them; ``tests/search/test_index_segment.py`` compares the
segment with the one whoosh's writer makes, and ``tests/bench/bench_build.py`` the files with main's.
"""

from __future__ import annotations

import struct
import sys
import zlib
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import accumulate, chain
from operator import methodcaller, sub
from pickle import dumps
from typing import Any, NamedTuple

try:  # CPython's own md5 (HACL*): the same digests as OpenSSL's through ``hashlib``, without its per-call set-up
    from _md5 import md5
except ImportError:  # an interpreter built without it
    from hashlib import md5

_ROW_HEAD = struct.Struct("!ii").pack  # a term table row's key and value lengths (``filetables._lengths``)
_BLOCK_LENGTH = struct.Struct("!i").pack  # ``whoosh.system.pack_int``
_DIGEST = methodcaller("digest")
_DOC_TWICE = struct.Struct("!II").pack  # the end of an inline row's statistics: its first and last document
_PICKLED_ZERO = dumps(0, 2)[:-1]  # the pickle's protocol, then 0: where ``OneDocumentRows`` cuts a pickle made for document 0
_EMPTY_SLOT = (0, 0)  # a hash table's empty slot (no key is at position 0: the file starts with a header)


class Block(NamedTuple):
    data: tuple[Any, Any, Any]  # what the codec pickles: (ids, weights, values), made small as below
    size: int  # postings
    last: int  # the last document number
    top: float  # the highest weight, 0 when none is above 0 (where the codec starts)
    low: int | None  # the shortest length of a document of the block (0 is none: not counted), None if none
    high: int  # the longest, 0 if none
    total: float  # the weights' sum, as float32 each (as the codec holds them)


def blocks(ids: Sequence[int], weights: Sequence[float], values: Sequence[bytes], lengths: Sequence[int],
           size: int, fixed: int | None) -> Iterator[Block]:
    """``size`` postings a block, in order. In ``data`` the ids are deltas (the first from 0), the weights
    None when all are 1.0, one float32 when all are equal, else each one; the values none when ``fixed``
    (the format's value size) is 0, joined when it is set, else a tuple of those not empty."""
    for at in range(0, len(ids), size):
        block, held, kept = ids[at : at + size], array("f", weights[at : at + size]), values[at : at + size]
        known = [n for n in lengths[at : at + size] if n]
        same = held.count(held[0]) == len(held)
        data = ((block[0], *map(sub, block[1:], block)), None if same and held[0] == 1.0 else held[0] if same else tuple(held),
                None if fixed == 0 else b"".join(kept) if fixed else tuple(filter(None, kept)))
        yield Block(data, len(block), block[-1], max(0, max(weights[at : at + size])),
                    min(known) if known else None, max(known, default=0), sum(held))


def summary(cut: Sequence[Block]) -> tuple[float, float, int | None, int]:
    """The term's statistics from its blocks, as ``W3TermInfo.add_block`` adds them up: the weights'
    sum, the highest weight, the shortest and the longest length (None and 0 when none is known)."""
    total, top, least, most = 0.0, 0.0, None, 0
    for block in cut:
        total, top, most = total + block.total, max(top, block.top), max(most, block.high)
        least = block.low if least is None else least if block.low is None else min(least, block.low)
    return total, top, least, most


def posting_list(ids: Sequence[int], weights: Sequence[float], values: Sequence[bytes], lengths: Sequence[int], size: int,
                 fixed: int | None, level: int, to_byte: Callable[[int | None], int]) -> tuple[bytes, tuple[float, float, int | None, int]]:
    """A term's postings as ``W3PostingsWriter`` writes them after its magic bytes, block by block: the block's length
    (negative for the last), its header (with ``to_byte``: the codec's one-byte field length) and its pickled postings
    (compressed at ``level``); and the term's statistics (``summary``)."""
    cut, parts = list(blocks(ids, weights, values, lengths, size, fixed)), list[bytes]()
    for block in cut:
        body = zlib.compress(dumps(block.data, 2), level) if level else dumps(block.data, 2)
        info = dumps((block.size, block.last, block.top, level, to_byte(block.low), to_byte(block.high)), 2)
        parts += (_BLOCK_LENGTH((len(info) + len(body)) * (-1 if block is cut[-1] else 1)), info, body)
    return b"".join(parts), summary(cut)


class OneDocumentRows:
    """The term table row values of terms each in one document (most terms), as the codec's inline row is made: its
    statistics (``info``: ``W3TermInfo``'s struct, ending with the first and last document) and its pickled postings
    ``((doc,), (weight,), (value,))``. Only the document's number varies between two terms of equal weight, value and
    length, so a row is three parts made once: the statistics' head and the pickle's tail by (weight, value, length),
    the document's part (its number twice, the pickle's protocol and the number) by document."""

    def __init__(self, info: Callable[..., bytes], to_byte: Callable[[int | None], int]) -> None:
        self._info, self._to_byte = info, to_byte
        self._ends: dict[tuple[float, bytes, int], tuple[bytes, bytes]] = {}
        self._of_doc: dict[int, bytes] = {}

    def row(self, doc: int, weight: float, value: bytes, length: int) -> bytes:
        ends = self._ends.get((weight, value, length))
        if ends is None:
            byte = self._to_byte(length)  # below: the statistics without their last 8 bytes, the pickle after ``(0,``
            info, pickled = self._info(1, weight, 1, byte, byte, weight, 0, 0), dumps(((0,), (weight,), (value,)), 2)
            ends = self._ends[(weight, value, length)] = (info[:-8], pickled[len(_PICKLED_ZERO) :])
        middle = self._of_doc.get(doc)
        if middle is None:
            middle = self._of_doc[doc] = _DOC_TWICE(doc, doc) + dumps(doc, 2)[:-1]  # without the pickle's STOP
        return ends[0] + middle + ends[1]


def table_rows(rows: Sequence[tuple[bytes, bytes]], at: int) -> tuple[bytes, list[int], tuple[bytes, ...]]:
    """The bytes of term table rows (key, value) written from position ``at``, each row's position, the keys."""
    keys, values = zip(*rows)
    data = list(map(b"".join, zip(map(_ROW_HEAD, map(len, keys), map(len, values)), keys, values)))
    return b"".join(data), list(accumulate(map(len, data[:-1]), initial=at)), keys


def md5_hashes(keys: Iterable[bytes]) -> array:
    """``filetables.md5_hash`` of each key (its md5's low 32 bits, the digest's last 4 bytes big-endian), in
    C-level loops."""
    low = array("I", b"".join(map(_DIGEST, map(md5, keys))))[3::4]
    if sys.byteorder == "little":
        low.byteswap()
    return low


def hash_tables(hashes: Sequence[int], starts: Sequence[int], at: int) -> tuple[bytes, list[tuple[int, int]]]:
    """The 256 hash tables ``HashWriter._write_hashes`` writes from position ``at`` for the entries (a key's hash,
    its row's position) in the order added, and their directory ((position, slots) each). A table holds the entries
    whose hash's low byte is its number, in twice as many slots: an entry in the first free slot from
    ``(hash >> 8) % slots`` on, wrapping; a slot is a ``!Iq`` pair, (0, 0) when empty."""
    buckets: list[list[tuple[int, int]]] = [[] for _ in range(256)]
    for entry in zip(hashes, starts):
        buckets[entry[0] & 255].append(entry)
    parts, directory = list[bytes](), list[tuple[int, int]]()
    for entries in buckets:
        slots = 2 * len(entries)
        table = [_EMPTY_SLOT] * slots
        for entry in entries:
            slot = (entry[0] >> 8) % slots
            while table[slot] is not _EMPTY_SLOT:
                slot = (slot + 1) % slots
            table[slot] = entry
        directory.append((at, slots))
        parts.append(struct.pack("!" + "Iq" * slots, *chain.from_iterable(table)))
        at += 12 * slots
    return b"".join(parts), directory
