"""Document frequencies of a segment's definition terms, written beside the segment at a rebuild and read
once per searcher, so that a definition search does not read whoosh's term table for every query token.

A query's tokens are CJK bigrams, characters and Latin words; most of them are in no definition, and
finding that out in whoosh's term table (a hash look-up and a read from disk per token and segment) was
most of a definition search. The file ``<segment id>.dfq`` holds, per field in ``FIELDS``, every term of
the segment as a 64-bit key in one sorted ``array`` with its document frequency in another (12 bytes a
term, searched with ``bisect``):

- a term of at most ``SHORT`` characters is its code points, 21 bits each: the key *is* the term, and its
  frequency is whoosh's (``TermInfo.doc_frequency``, the postings written; deletions never change it);
- a longer term is a 63-bit hash with the top bit set: a key that is not in the table proves the term is
  in no document of the segment (0), one that is may be another term's hash, so whoosh is asked.

So every frequency read here is the one whoosh's ``doc_frequency`` gives (``Frequencies.get`` answers
``None`` when it cannot know, and the caller asks whoosh). A segment without the file (written by
whoosh's own writer: a live update, or a merge of segments) is read through whoosh as before; whoosh
deletes the file with its segment (``<segment id>.<ext>``, its cleanup pattern).
``tests/search/test_index_frequencies.py`` compares scores and pages with and without the files.
"""

from __future__ import annotations

import json
import sys
from array import array
from bisect import bisect_left
from collections.abc import Mapping, Sized
from hashlib import blake2b
from itertools import repeat
from operator import and_, lshift, or_, rshift
from typing import Any

EXTENSION = ".dfq"
FIELDS = ("definition", "definition_en")  # the fields a definition search asks frequencies of
SHORT = 3  # characters of a term kept as itself (3 × 21 bits of code point fit below the top bit)
LONG = 1 << 63  # the top bit: a longer term's hash
MAGIC = b"shuyu-dfq 1\n"


def term_key(term: str) -> int:
    """The key of ``term``: its code points if it is short (and holds no NUL, so keys of different
    lengths differ), else ``LONG`` and 63 bits of its hash."""
    if len(term) <= SHORT and "\x00" not in term:
        key = 0
        for ch in term:
            key = key << 21 | ord(ch)
        return key
    return LONG | int.from_bytes(blake2b(term.encode("utf-8"), digest_size=8).digest(), "big") >> 1


class Frequencies:
    """One field's keys (sorted) and document frequencies in one segment."""

    __slots__ = ("keys", "counts")

    def __init__(self, keys: array, counts: array) -> None:
        self.keys, self.counts = keys, counts

    def get(self, term: str) -> int | None:
        """The document frequency of ``term`` in the segment, or None when only whoosh can say (a longer
        term whose hash is in the table)."""
        key = term_key(term)
        keys = self.keys
        i = bisect_left(keys, key)
        if i < len(keys) and keys[i] == key:
            return self.counts[i] if key < LONG else None
        return 0


def encode(terms_of: Mapping[str, Mapping[Any, Sized]]) -> bytes:
    """The file's bytes for the fields' terms (str, or UTF-8 bytes as whoosh keeps them), each with
    its postings (one per document holding it: their number is its document frequency)."""
    fields: dict[str, int] = {}
    parts: list[bytes] = []
    for field, terms in terms_of.items():
        texts = [t.decode("utf-8") if isinstance(t, bytes) else t for t in terms]
        # a two-character term (most: CJK bigrams) keyed inline, the rest by ``term_key``; then sorted as
        # (key, count) pairs, each pair one int (a count fits 32 bits) so ints are compared, not tuples
        pairs = sorted(map(or_, map(lshift, [(ord(t[0]) << 21 | ord(t[1])) if len(t) == 2 and "\x00" not in t
                                            else term_key(t) for t in texts], repeat(32)), map(len, terms.values())))
        # two longer terms may share a hash: harmless, a longer term's key only says "ask whoosh"
        keys, counts = array("Q", map(rshift, pairs, repeat(32))), array("I", map(and_, pairs, repeat(0xFFFFFFFF)))
        fields[field] = len(keys)
        parts += [keys.tobytes(), counts.tobytes()]
    header = json.dumps({"fields": fields, "byteorder": sys.byteorder}).encode() + b"\n"
    return MAGIC + header + b"".join(parts)


def decode(data: bytes) -> dict[str, Frequencies]:
    """The tables of a file's bytes (``encode``)."""
    if not data.startswith(MAGIC):
        raise ValueError("not a document frequency file")
    end = data.index(b"\n", len(MAGIC))
    header = json.loads(data[len(MAGIC) : end])
    at = end + 1
    tables = {}
    for field, count in header["fields"].items():
        keys, counts = array("Q"), array("I")
        keys.frombytes(data[at : at + count * keys.itemsize])
        at += count * keys.itemsize
        counts.frombytes(data[at : at + count * counts.itemsize])
        at += count * counts.itemsize
        if header["byteorder"] != sys.byteorder:
            keys.byteswap()
            counts.byteswap()
        tables[field] = Frequencies(keys, counts)
    return tables


def write(segment: Any, storage: Any, terms_of: Mapping[str, Mapping[Any, Sized]]) -> None:
    """Write the file of a segment being written: ``segment`` and ``storage`` are the rebuild's
    ``writer.newsegment`` and ``writer.storage`` (attributes whoosh's writer sets, not in its documentation;
    ``Segment.create_file`` names the file as whoosh names the segment's own)."""
    wanted = {field: terms for field, terms in terms_of.items() if field in FIELDS}
    out = segment.create_file(storage, EXTENSION)
    try:
        out.write(encode(wanted))
    finally:
        out.close()


def read(reader: Any) -> dict[str, Frequencies]:
    """The tables of a segment reader's segment; empty when it has no file (whoosh is asked instead)."""
    segment, storage = reader.segment(), reader.storage()
    if segment is None or storage is None:  # an empty index's reader
        return {}
    name = segment.make_filename(EXTENSION)
    if not storage.file_exists(name):
        return {}
    stream = storage.open_file(name)
    try:
        return decode(stream.read())
    except (ValueError, KeyError):  # unreadable: whoosh's own frequencies are still there
        return {}
    finally:
        stream.close()
