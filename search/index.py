"""The whoosh index: schema, analyzers, the one writer, and the revision it has applied.

Nothing outside this module imports whoosh. Analyzers are module-level classes without state, since
whoosh pickles them into the stored schema; they build what they need lazily.
"""

from __future__ import annotations

import fcntl
import heapq
import json
import os
import struct
import threading
from array import array
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from itertools import accumulate, islice, repeat
from operator import itemgetter
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh import query as q
from whoosh import scoring
from whoosh.analysis import IDTokenizer, StemmingAnalyzer, Token, Tokenizer
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3LeafMatcher, W3TermInfo, _lenfield
from whoosh.columns import VarBytesColumn
from whoosh.fields import ID, KEYWORD, TEXT, Schema
from whoosh.formats import Existence, Frequency
from whoosh.index import LockError
from whoosh.system import pack_uint
from whoosh.util.numeric import byte_to_length, length_to_byte

from registry.errors import InvalidInput, ShuyuError

from .analysis import CJK, text_tokens

STATE_FILE = "shuyu-index.json"
REBUILD_LOCK = "shuyu-rebuild.lock"  # one rebuild at a time per folder, across processes; never deleted
INDEX_NAME = "shuyu"
SCHEMA_VERSION = 5  # a new schema (or layout) rebuilds the index on start
# Segments stay separate files: whoosh copies each part of a compound segment file into memory when
# a reader opens it (BytesIO over the mmap), which at 100k concepts costs ~800 MB per reader.
COMPOUND = False
# A term in fewer documents than this keeps its postings in the term table (read with the term's
# entry, no block in the postings file); most bigrams of definitions are in one or two documents.
INLINE_LIMIT = 16
FREQUENCY_CACHE = 50_000  # document frequencies kept per segment and field with a searcher (~7 MB at most)


class _SequenceTokenizer(Tokenizer):
    """Yields the strings ``pieces(value)`` returns, numbering positions in order."""

    def pieces(self, value: str) -> Iterable[str]:  # pragma: no cover - overridden
        raise NotImplementedError

    def __call__(self, value, positions=False, chars=False, keeporiginal=False, removestops=True,
                 start_pos=0, start_char=0, tokenize=True, mode="", **kwargs):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        for pos, text in enumerate(self.pieces(value) if tokenize else [value]):
            token.text = text
            token.boost = 1.0
            token.stopped = False
            if keeporiginal:
                token.original = text
            if positions:
                token.pos = start_pos + pos
            if chars:  # offsets are not kept: highlights are computed from the catalog's text
                token.startchar = start_char
                token.endchar = start_char
            yield token


class TextTokenizer(_SequenceTokenizer):
    """CJK character bigrams (a lone character as itself) and Latin words: no dictionary, so the
    tokens of a text never depend on what was registered before, and no segmentation cost."""

    def pieces(self, value: str) -> Iterable[str]:
        return text_tokens(value)


def make_schema() -> Schema:
    """Definitions and notes, and the facets to filter them by: labels are answered from memory."""
    return Schema(
        id=ID(unique=True, sortable=True),  # a column: reading a hit's id skips the stored-fields record
        kind=ID,
        scheme=ID,
        status=ID,
        grade=ID,
        standard=KEYWORD,
        definition=TEXT(analyzer=TextTokenizer(), phrase=False),
        definition_en=TEXT(analyzer=StemmingAnalyzer(), phrase=False),
    )


def _write_segment(writer, documents: Iterable[Document], progress: Progress | None) -> int:
    """Write ``documents`` as the new segment of an empty index's ``writer``, through whoosh's codec.

    The per-document part (stored fields, columns, field lengths) goes through the writer's own
    per-document writer, as ``add_document`` does it. Postings are gathered in memory and each term is
    written once, in order. ``add_document`` instead pools every posting as a tuple, sorts the pool
    (spilling runs to disk), reads each posting's field length back from disk and writes a block per
    term: at 100k concepts that was 100-140 s of the rebuild (see docs/performance.md). The segment is
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

    Our bigram fields are counted directly (whoosh's analysis path costs ~4 µs a token more), keyed by
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


_DECODED_LENGTHS = [1] + [byte_to_length(b) for b in range(1, 256)]  # 0: none kept, read as 1 as whoosh does


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

    def scorer(self, searcher, fieldname, text, qf=1):
        scorer = super().scorer(searcher, fieldname, text, qf=qf)
        if isinstance(scorer, scoring.BM25FScorer):
            raw = self._length_bytes(searcher.reader(), fieldname)
            scorer.dfl = lambda docnum: _DECODED_LENGTHS[raw[docnum]]
            scorer.length_bytes = raw
            scorer.norms = self._norm_table(fieldname, scorer.K1, scorer.B, scorer.avgfl)
        return scorer

    def _length_bytes(self, reader, fieldname: str) -> bytes:
        key = (id(reader), fieldname)
        raw = self._bytes.get(key)
        if raw is None:
            count = reader.doc_count_all()
            column = reader._perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
            raw = column._dbfile.get(column._basepos, column._count) if column is not None else b""
            raw = self._bytes[key] = raw + bytes(count - len(raw))
        return raw

    def _norm_table(self, fieldname: str, k1: float, b: float, avgfl: float) -> list[float]:
        """``K1 * ((1 - B) + B * fl / avgfl)`` of ``whoosh.scoring.bm25`` for each length byte, with the
        same operations in the same order (so the same floats)."""
        key = (fieldname, avgfl)
        table = self._norms.get(key)
        if table is None:
            table = self._norms[key] = [k1 * ((1 - b) + b * fl / avgfl) for fl in _DECODED_LENGTHS]
        return table


def _block_postings(matcher) -> Iterator[tuple[int, float]]:
    """(document number, weight) of the current block of a ``W3LeafMatcher``, decoded as its
    ``_read_ids`` and ``_read_weights`` do (ids delta-encoded unless stored as bytes; weights all
    1.0, one float32 for all, or an array of float32) without a generator step per id."""
    if matcher._data is None:
        matcher._read_data()
    ids, weights = matcher._data[0], matcher._data[1]
    if not matcher._byteids:
        ids = accumulate(ids)
    if weights is None or isinstance(weights, float):
        weights = repeat(array("f", [1.0 if weights is None else weights])[0])
    return zip(ids, weights)


def _scored_by_block(matcher, offset: int, allowed: set[int] | None, scored: list[tuple[float, int]]) -> bool:
    """Score a one-term query's postings a block at a time, if ``matcher`` is a plain posting list
    scored by whoosh's BM25F: its formula (``whoosh.scoring.bm25``, written out here with the same
    operations in the same order, so the same floats) is computed in this loop, without the matcher's
    and scorer's five calls per document (a common two-character word: hundreds of documents). False,
    having done nothing, for any other matcher."""
    scorer = getattr(matcher, "scorer", None)
    if type(matcher) is not W3LeafMatcher or type(scorer) is not scoring.BM25FScorer:
        return False
    idf, k1_plus_1, norms, raw = scorer.idf, scorer.K1 + 1, scorer.norms, scorer.length_bytes
    while matcher.is_active():
        block = islice(_block_postings(matcher), matcher._i, None)
        if allowed is None:
            scored += [(idf * ((tf * k1_plus_1) / (tf + norms[raw[docnum]])), -(docnum + offset)) for docnum, tf in block]
        else:
            scored += [(idf * ((tf * k1_plus_1) / (tf + norms[raw[docnum]])), -(docnum + offset))
                       for docnum, tf in block if docnum + offset in allowed]
        matcher._next_block()
    return True


def _counted(reader, field: str, tokens: list[str], frequencies: dict[str, int]) -> list[tuple[int, str]] | None:
    """(document frequency, token) of each distinct token in one segment, rarest first; None as soon
    as one is in no document. ``frequencies`` keeps the segment's frequencies looked up so far (a
    look-up reads the term table: ~10 µs)."""
    counted = []
    for token in dict.fromkeys(tokens):
        frequency = frequencies.get(token)
        if frequency is None:
            if len(frequencies) >= FREQUENCY_CACHE:
                frequencies.clear()
            frequency = frequencies[token] = reader.doc_frequency(field, token)
        if not frequency:
            return None
        counted.append((frequency, token))
    return sorted(counted)


def _postings(matcher) -> Iterator[tuple[int, float]]:
    """(document number, weight) of every posting from the matcher's position on."""
    if type(matcher) is W3LeafMatcher:
        while matcher.is_active():
            yield from islice(_block_postings(matcher), matcher._i, None)
            matcher._next_block()
    else:  # inline postings, or a segment's postings without its deleted documents
        while matcher.is_active():
            yield matcher.id(), matcher.weight()
            matcher.next()


def _holders(reader, field: str, counted: list[tuple[int, str]]) -> dict[int, list[float]]:
    """The documents of one segment holding every one of two or more tokens (``counted``, rarest
    first), with each token's weight in them, in that order.

    Rarest token first, each later one only asked about the documents still in: whoosh's ``And``
    intersects its most common terms first and steps through their postings one by one (two
    definition bigrams in 400 documents each, never together: ~1 ms to find nothing). A later token
    in many more documents than are still in is skipped to each of them; one in about as many is
    read whole."""
    (_, rarest), *others = counted
    held = {docnum: [weight] for docnum, weight in _postings(reader.postings(field, rarest))}
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
            kept = {docnum: [*held[docnum], weight] for docnum, weight in _postings(matcher) if docnum in held}
        if not kept:
            return {}
        held = kept
    return held


class _IdColumn:
    """Each document's id by document number: each segment's id column read in one piece, then a
    slice per document (whoosh's column reader seeks and reads per document, ~5 µs, and a definition
    search reads 50 of them)."""

    def __init__(self, searcher) -> None:
        self._starts: list[int] = []
        self._segments: list[Callable[[int], str]] = []
        for sub, offset in searcher.leaf_searchers():
            self._starts.append(offset)
            self._segments.append(self._segment(sub.reader()))

    @staticmethod
    def _segment(reader) -> Callable[[int], str]:
        column = reader.column_reader("id", translate=False)
        if type(column) is not VarBytesColumn.Reader:
            return reader.column_reader("id").__getitem__  # whoosh's own (not expected: every document has an id)
        data, offsets, lengths = column._dbfile.get(column._basepos, column._length), column._offsets, column._lengths

        def value(docnum: int) -> str:
            start = offsets[docnum]
            return data[start : start + lengths[docnum]].decode("utf-8")  # as ID.from_bytes

        return value

    def __getitem__(self, docnum: int) -> str:
        segment = bisect_right(self._starts, docnum) - 1
        return self._segments[segment](docnum - self._starts[segment])


class _SearcherCache:
    """What is read once per searcher and kept with it: the id column, and the document frequencies
    of the terms looked up (per segment and field)."""

    def __init__(self, searcher) -> None:
        self.searcher = searcher
        self._ids: _IdColumn | None = None
        self.frequencies: dict[tuple[int, str], dict[str, int]] = {}

    @property
    def ids(self) -> _IdColumn:
        if self._ids is None:
            self._ids = _IdColumn(self.searcher)
        return self._ids


def _sum_order(words: list[str], frequencies: dict[str, int]):
    """The tree in which whoosh's ``And`` of ``words`` adds its terms' scores in one segment
    (``whoosh.util.make_weighted_tree`` with weight minus the document frequency: the two commonest
    terms first, ties in the query's order, a pair placed after the nodes weighing as much); a
    token, or a pair of trees added left + right."""
    nodes = sorted(((-frequencies[word], word) for word in words), key=itemgetter(0))
    while len(nodes) > 1:
        (weight_a, a), (weight_b, b) = nodes.pop(0), nodes.pop(0)
        weight = weight_a + weight_b
        nodes.insert(bisect_right([w for w, _ in nodes], weight), (weight, (a, b)))
    return nodes[0][1]


def _summed(order, scores: dict[str, float]) -> float:
    if isinstance(order, str):
        return scores[order]
    return _summed(order[0], scores) + _summed(order[1], scores)


def _open_searcher(index):
    return index.searcher(weighting=_Weighting())


class IndexUnavailable(ShuyuError):
    """The index cannot be read or written (its folder was deleted, the disk failed ...); the store is
    unaffected and the index is being rebuilt from it."""

    status = 503
    type = "/problems/index-unavailable"
    title = "Search index unavailable"


SQLITE_MAGIC = b"SQLite format 3\x00"


class UnsafeIndexFolder(InvalidInput):
    """An index folder that holds something the index did not make and must not lose (the store)."""


def made_by_index(name: str) -> bool:
    """Whether a file in the index folder is one the index made: whoosh's table of contents, segments
    and lock (``_shuyu_*.toc``, ``shuyu_*``), and the recorded state (``shuyu-index.json``)."""
    return name.startswith((f"_{INDEX_NAME}_", f"{INDEX_NAME}_", STATE_FILE))


def check_index_folder(folder: str | Path) -> None:
    """Refuse an index folder holding a SQLite database (e.g. the data folder with ``shuyu.db``):
    creating or rebuilding the index must never be able to touch the store."""
    folder = Path(folder)
    if not folder.is_dir():
        return
    for child in folder.iterdir():
        if made_by_index(child.name) or not child.is_file():
            continue
        try:
            with child.open("rb") as f:
                head = f.read(len(SQLITE_MAGIC))
        except OSError:
            continue
        if head == SQLITE_MAGIC or child.suffix in (".db", ".db-wal", ".db-shm"):
            raise UnsafeIndexFolder(
                f"the index folder {folder} holds the database {child.name}; give the index a folder of "
                "its own (SHUYU_INDEX_DIR, default <data_dir>/index)", field="index_dir")


Document = dict[str, str]
Progress = Callable[[int], None]


def recorded_revision(folder: str | Path) -> int:
    """The revision an index folder says it holds, without opening it (0: none, or an old schema)."""
    try:
        state = json.loads((Path(folder) / STATE_FILE).read_text())
    except (OSError, ValueError):
        return 0
    return int(state.get("revision", 0)) if state.get("schema") == SCHEMA_VERSION else 0


class SearchIndex:
    """A whoosh index in a folder, and the registry revision it reflects."""

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        check_index_folder(self.folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        if not self._current():
            # under the folder's lock, looking again: two first starts at once would otherwise each
            # delete the files the other just made (whoosh's EmptyIndexError in test_operations)
            with self._exclusive():
                if not self._current():
                    self._create()
        self._index = whoosh_index.open_dir(self.folder, indexname=INDEX_NAME)
        self._searcher = _open_searcher(self._index)
        # whoosh readers share file positions (seek + read): concurrent searches on one searcher read
        # each other's bytes (TermNotFound, wrong postings). One search at a time per process.
        self._read_lock = threading.Lock()
        self.generation = 0  # moves whenever the searcher sees new commits; keys result caches
        self._cache = _SearcherCache(self._searcher)
        self._analyzers = {"definition_en": self._index.schema["definition_en"].analyzer}

    def _current(self) -> bool:
        """An index of this schema is in the folder."""
        return whoosh_index.exists_in(self.folder, INDEX_NAME) and self._state().get("schema") == SCHEMA_VERSION

    # -- state --------------------------------------------------------------------------------
    def _state(self) -> dict:
        try:
            return json.loads((self.folder / STATE_FILE).read_text())
        except (OSError, ValueError):
            return {}

    def _write_state(self, revision: int) -> None:
        tmp = self.folder / (STATE_FILE + ".tmp")
        tmp.write_text(json.dumps({"revision": revision, "schema": SCHEMA_VERSION}))
        os.replace(tmp, self.folder / STATE_FILE)

    @property
    def revision(self) -> int:
        """The registry revision whose changes the index holds; IndexUnavailable when the folder no
        longer says (deleted under the running index), rather than 0, which would mean "empty"."""
        state = self._state()
        if "revision" not in state:
            raise IndexUnavailable(f"the index folder {self.folder} has no readable {STATE_FILE}")
        return int(state["revision"])

    def healthy(self) -> bool:
        """Whether the folder still holds an index of our schema (cheap: no segment is read)."""
        try:
            return self._state().get("schema") == SCHEMA_VERSION and whoosh_index.exists_in(self.folder, INDEX_NAME)
        except Exception:  # whoosh raises several kinds on a broken folder
            return False

    @contextmanager
    def _exclusive(self) -> Iterator[None]:
        """Hold the folder's rebuild lock (an flock, released if the process dies)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        with open(self.folder / REBUILD_LOCK, "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _reopen(self) -> None:
        index = whoosh_index.open_dir(self.folder, indexname=INDEX_NAME)
        searcher = _open_searcher(index)
        searcher.doc_count()
        with self._read_lock:
            self._index, self._searcher = index, searcher
            self.generation += 1

    def repair(self, documents: Callable[[], Iterable[Document]], revision: int) -> bool:
        """After a failure: open the index again if it is readable (another process may just have
        rebuilt it), else rebuild it from ``documents()`` at ``revision``. True if rebuilt here."""
        with self._exclusive():
            if self.healthy():
                try:
                    self._reopen()
                    return False
                except Exception:  # unreadable after all: rebuild
                    pass
            self._rebuild(documents(), revision, None)
            return True

    def _create(self) -> None:
        """An empty index; deletes only the files an index made, never anything else in the folder."""
        check_index_folder(self.folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        for child in self.folder.iterdir():
            if made_by_index(child.name) and child.is_file():
                child.unlink(missing_ok=True)
        whoosh_index.create_in(self.folder, make_schema(), indexname=INDEX_NAME)
        self._write_state(0)

    # -- writing ------------------------------------------------------------------------------
    def apply(self, documents: Sequence[Document], revision: int, *, timeout: float = 10.0) -> bool:
        """Update documents and record ``revision``; False when another process holds the writer."""
        try:
            writer = self._index.writer(timeout=timeout, compound=COMPOUND)
        except LockError:
            return False
        try:
            for doc in documents:
                writer.update_document(**doc)
            writer.commit()
        except BaseException:
            writer.cancel()
            raise
        self._write_state(revision)
        self.refresh()
        return True

    def rebuild(self, documents: Iterable[Document], revision: int, progress: Progress | None = None) -> int:
        """Replace the whole index with ``documents``; returns how many were written."""
        with self._exclusive():
            return self._rebuild(documents, revision, progress)

    def _rebuild(self, documents: Iterable[Document], revision: int, progress: Progress | None) -> int:
        try:
            self._searcher.close()
        except Exception:  # the old searcher's files may be gone
            pass
        self._create()
        self._index = whoosh_index.open_dir(self.folder, indexname=INDEX_NAME)
        writer = self._index.writer(timeout=30, compound=COMPOUND)
        try:
            count = _write_segment(writer, documents, progress)
            writer.commit()
        except BaseException:
            writer.cancel()
            raise
        self._write_state(revision)
        with self._read_lock:
            self._searcher = _open_searcher(self._index)
            self.generation += 1
        return count

    # -- reading ------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Pick up commits made by this or another process.

        A new searcher rather than ``Searcher.refresh()``, which fails on a reader of an empty index;
        the old one is closed by reference counting once no request uses it.
        """
        with self._read_lock:
            if not self._searcher.up_to_date():
                self._searcher = _open_searcher(self._index)
                self.generation += 1

    def search_text(self, forms: Sequence[str], *, filters: dict[str, str] | None = None,
                    limit: int = 300) -> list[tuple[str, float]]:
        """(id, score) of the best ``limit`` definitions and notes holding every token of one of the
        query's ``forms`` (CJK bigrams and Latin words; English also by stem), within the ``filters``.

        The query is built as objects (the query-string parser costs ~150 µs) and its matches are
        ranked by ``_top``, not counted or asked which terms matched. A form that no document holds
        every token of is left out before whoosh builds its matchers (``_held``): at 100k
        concepts that is nearly every whole-label query.
        """
        parts: list[q.Query] = []
        with self._read_lock:
            cache = self._searcher_cache()
            leaves = self._searcher.leaf_searchers()
            conjunction = None  # a definition form of two tokens or more: scored from what _held read

            for form in forms:
                words = list(dict.fromkeys(text_tokens(form)))
                held = self._held(cache, leaves, "definition", words)
                if held:
                    parts.append(q.And([q.Term("definition", w) for w in words]))
                    conjunction = (words, held) if len(words) >= 2 else None
                if not CJK.search(form):
                    stems = [t.text for t in self._analyzers["definition_en"](form)]
                    if self._held(cache, leaves, "definition_en", stems):
                        parts.append(q.And([q.Term("definition_en", s) for s in stems], boost=0.6))
            if not parts:
                return []
            wanted = [q.Term(name, value) for name, value in sorted((filters or {}).items()) if value]
            filter_query = q.And(wanted) if wanted else None
            if len(parts) == 1 and conjunction is not None:
                top = self._top_of_conjunction(*conjunction, leaves, filter_query, limit)
            else:
                top = self._top(q.Or(parts), filter_query, limit)
            return [(cache.ids[docnum], score) for score, docnum in top]

    def _held(self, cache: _SearcherCache, leaves, field: str, tokens: list[str]) -> list | bool:
        """Whether some document holds every token: False if none can, True for one token (its
        postings are not read here), else per segment the tokens counted and their holders (``_counted``,
        ``_holders``; None for a segment where a token is missing)."""
        if not tokens:
            return False
        segments = []
        for number, (sub, _) in enumerate(leaves):
            reader = sub.reader()
            counted = _counted(reader, field, tokens, cache.frequencies.setdefault((number, field), {}))
            if counted is not None and len(counted) == 1:
                return True
            segments.append((counted, _holders(reader, field, counted)) if counted is not None else None)
        return segments if any(segment and segment[1] for segment in segments) else False

    def _top_of_conjunction(self, words: list[str], held: list, leaves, filter_query: q.Query | None,
                            limit: int) -> list[tuple[float, int]]:
        """``_top`` of a query that is one definition form of two tokens or more, scored from the
        weights ``_held`` read rather than by whoosh's matchers again: each token's BM25F as
        ``_scored_by_block`` computes it, added in the order whoosh's ``And`` adds them in each segment
        (``_sum_order``), so the same floats; ranked as ``_top`` ranks."""
        searcher = self._searcher
        allowed = set(searcher.docs_for_query(filter_query)) if filter_query is not None else None
        weighting = searcher.weighting
        avgfl = searcher.avg_field_length("definition") or 1
        k1, b = weighting.K1, weighting._field_B.get("definition", weighting.B)
        norms = weighting._norm_table("definition", k1, b, avgfl)
        idf = {word: searcher.idf("definition", word) for word in words}
        k1_plus_1 = k1 + 1
        scored = []
        for (sub, offset), segment in zip(leaves, held):
            if not segment:
                continue
            counted, holders = segment
            raw = weighting._length_bytes(sub.reader(), "definition")
            order = _sum_order(words, {token: frequency for frequency, token in counted})
            tokens = [token for _, token in counted]  # the order of each document's weights
            for docnum, weights in holders.items():
                if allowed is None or docnum + offset in allowed:
                    norm = norms[raw[docnum]]
                    scores = {token: idf[token] * ((tf * k1_plus_1) / (tf + norm)) for token, tf in zip(tokens, weights)}
                    scored.append((_summed(order, scores), -(docnum + offset)))
        return [(score, -negated) for score, negated in heapq.nlargest(limit, scored)]

    def _top(self, query: q.Query, filter_query: q.Query | None, limit: int) -> list[tuple[float, int]]:
        """(score, docnum) of the best ``limit`` documents matching ``query`` (and ``filter_query``): score
        descending, then document number, as whoosh's collector ranks them (a test compares the two).

        Every match is scored with the same matchers, without the collector's layers (three calls and a
        heap operation per document): a two-character word of definitions matches hundreds of documents
        at 100k concepts, and that was most of such a search. (whoosh's block-quality skipping cannot
        skip a block here: each holds a short definition.)
        """
        searcher = self._searcher
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

    def _searcher_cache(self) -> _SearcherCache:
        if self._cache.searcher is not self._searcher:
            self._cache = _SearcherCache(self._searcher)
        return self._cache

    def doc_count(self) -> int:
        return self._searcher.doc_count()

    def contents(self) -> Iterator[tuple]:
        """Everything a search reads, for checks: per document its stored fields and field lengths,
        then every posting (field, term, docnum, weight, encoded value), in order."""
        with self._read_lock:
            reader = self._searcher.reader()
            names = self._index.schema.names()
            for docnum in range(reader.doc_count_all()):
                yield (docnum, reader.stored_fields(docnum),
                       [reader.doc_field_length(docnum, name) for name in names])
            for name, tbytes in reader.all_terms():
                info = reader.term_info(name, tbytes)
                yield (name, tbytes, info.weight(), info.doc_frequency(), info.min_length(), info.max_length(),
                       info.max_weight(), info.min_id(), info.max_id())
                postings = reader.postings(name, tbytes)
                while postings.is_active():
                    yield (name, tbytes, postings.id(), postings.weight(), postings.value() or None)  # none: b"" inline
                    postings.next()

    def close(self) -> None:
        self._searcher.close()
        self._index.close()
