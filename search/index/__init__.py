"""The whoosh index: the one writer, the revision it has applied, and searching it.

Nothing outside this package imports whoosh: its schema and analyzers are in ``schema``, the rebuild's
segment writer in ``segment``, scoring and reading in ``reading``.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from whoosh import query as q
from whoosh.index import LockError

from registry.errors import ShuyuError

from ..analysis import CJK, text_tokens
from .reading import (
    SearcherCache,
    find_holders,
    open_searcher,
    top_matches,
    top_of_conjunction,
)
from .folder import (
    INDEX_NAME,
    STATE_FILE,
    TOC_NAME,
    WRITE_LOCK,
    TocStorage,
    UnsafeIndexFolder,
    check_index_folder,
    index_files,
)
from .schema import TextTokenizer, make_schema, token_texts
from .adapter import INLINE_LIMIT
from .segment import Document, Progress, write_segment

__all__ = [
    "INLINE_LIMIT",
    "REBUILD_LOCK",
    "Document",
    "IndexUnavailable",
    "Progress",
    "SearchIndex",
    "TextTokenizer",
    "UnsafeIndexFolder",
    "check_index_folder",
    "index_files",
    "make_schema",
    "recorded_revision",
]

REBUILD_LOCK = "shuyu-rebuild.lock"  # one rebuild at a time per folder, across processes; never deleted
ASIDE_PREFIX = "corrupt-"  # a broken index's files are moved into corrupt-<UTC time>/ in the folder
log = logging.getLogger("shuyu")
SCHEMA_VERSION = 5  # a new schema (or layout) rebuilds the index on start
# Segments stay separate files: whoosh copies each part of a compound segment file into memory when
# a reader opens it (BytesIO over the mmap), which at 100k concepts costs ~800 MB per reader.
COMPOUND = False


class IndexUnavailable(ShuyuError):
    """The index cannot be read or written (its folder was deleted, the disk failed ...); the store is
    unaffected and the index is being rebuilt from it."""

    status = 503
    type = "/problems/index-unavailable"
    title = "Search index unavailable"


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
        self.set_aside: Path | None = None  # where a broken index found at start was moved
        opened = self._open_current()
        if opened is None:
            # under the folder's lock, looking again: two first starts at once would otherwise each
            # delete the files the other just made (whoosh's EmptyIndexError in test_operations)
            with self._exclusive():
                opened = self._open_current()
                if opened is None:
                    self._create()
                    opened = self._open_current()
                    if opened is None:
                        raise IndexUnavailable(f"cannot open the index just created in {self.folder}")
        self._index, self._searcher = opened
        # whoosh readers share file positions (seek + read): concurrent searches on one searcher read
        # each other's bytes (TermNotFound, wrong postings). One search at a time per process.
        self._read_lock = threading.Lock()
        self.generation = 0  # moves whenever the searcher sees new commits; keys result caches
        self._cache = SearcherCache(self._searcher)
        self._stems = token_texts(self._index.schema["definition_en"].analyzer)  # a query's English stems

    def _open_current(self):
        """(index, searcher) of a readable index of this schema in the folder, else None."""
        if self._state().get("schema") != SCHEMA_VERSION:
            return None
        try:
            index = TocStorage(self.folder).remember().open_index(INDEX_NAME)
            searcher = open_searcher(index)
            searcher.doc_count()
            for leaf in searcher.leaf_searchers():  # every segment's files are there and readable
                leaf[0].reader().doc_count_all()
            return index, searcher
        except Exception as exc:  # zero-length or garbage TOC, a missing segment file ...
            if any(TOC_NAME.match(n) for n in os.listdir(self.folder)):
                log.error("the search index in %s cannot be read (%s: %s)", self.folder, type(exc).__name__, exc)
            return None

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
        """Whether the folder still holds an index of our schema whose tables of contents read (cheap:
        no segment is read)."""
        try:
            if self._state().get("schema") != SCHEMA_VERSION:
                return False
            ours, broken = index_files(self.folder)
            return not broken and any(TOC_NAME.match(n) for n in ours)
        except Exception:  # a folder deleted or unreadable under us
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

    def reopen(self) -> None:
        """Open the folder's index again (after another process rebuilt it: its generation may equal
        the one this process saw, so ``refresh`` could not tell)."""
        index = TocStorage(self.folder).remember().open_index(INDEX_NAME)
        searcher = open_searcher(index)
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
                    self.reopen()
                    return False
                except Exception:  # unreadable after all: rebuild
                    pass
            self._rebuild(documents(), revision, None)
            return True

    def _create(self) -> None:
        """An empty index. Deletes only the files the index's tables of contents name, never anything
        else in the folder; an index that cannot be read is moved aside first (kept for inspection)."""
        check_index_folder(self.folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        ours, broken = index_files(self.folder)
        if broken or (ours - {STATE_FILE, STATE_FILE + ".tmp", WRITE_LOCK} and self._state().get("schema") == SCHEMA_VERSION
                      and not self._readable()):
            self._set_aside(ours | set(broken))
            ours = index_files(self.folder)[0]
        for name in ours:
            (self.folder / name).unlink(missing_ok=True)
        TocStorage(self.folder).create_index(make_schema(), indexname=INDEX_NAME)
        self._write_state(0)

    def _readable(self) -> bool:
        try:
            index = TocStorage(self.folder).open_index(INDEX_NAME)
            searcher = open_searcher(index)
            try:
                for leaf in searcher.leaf_searchers():
                    leaf[0].reader().doc_count_all()
            finally:
                searcher.close()
            return True
        except Exception:
            return False

    def _set_aside(self, names: set[str]) -> None:
        """Move a broken index's files into ``corrupt-<time>/`` in the folder, and say so."""
        aside = self.folder / f"{ASIDE_PREFIX}{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}-{os.getpid()}"
        aside.mkdir(exist_ok=True)
        for name in sorted(names):
            try:
                os.replace(self.folder / name, aside / name)
            except FileNotFoundError:
                pass
        self.set_aside = aside
        log.error("the search index in %s could not be read: moved its files (%s) to %s; rebuilding it from the store",
                  self.folder, ", ".join(sorted(names)), aside)

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
        self._index = TocStorage(self.folder).remember().open_index(INDEX_NAME)
        writer = self._index.writer(timeout=30, compound=COMPOUND)
        try:
            count = write_segment(writer, documents, progress)
            writer.commit()
        except BaseException:
            writer.cancel()
            try:  # searchable again, empty at revision 0 (rebuilt again)
                self.reopen()
            except Exception:  # noqa: BLE001 - the rebuild's own error is the one to raise
                pass
            raise
        self._write_state(revision)
        with self._read_lock:
            self._searcher = open_searcher(self._index)
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
                self._searcher = open_searcher(self._index)
                self.generation += 1

    def search_text(self, forms: Sequence[str], *, filters: dict[str, str] | None = None,
                    limit: int = 300) -> list[tuple[str, float]]:
        """(id, score) of the best ``limit`` definitions and notes holding every token of one of the
        query's ``forms`` (CJK bigrams and Latin words; English also by stem), within the ``filters``.

        The query is built as objects (the forms are tokens already: nothing for the parser to do) and its matches are
        ranked by ``top_matches``, not counted or asked which terms matched. A form that no document holds
        every token of is left out before whoosh builds its matchers (``find_holders``): at 100k
        concepts that is nearly every whole-label query.
        """
        parts: list[q.Query] = []
        with self._read_lock:
            cache = self._searcher_cache()
            leaves = self._searcher.leaf_searchers()
            conjunction = None  # the (last) definition form held: scored from what find_holders read

            for form in forms:
                words = list(dict.fromkeys(text_tokens(form)))
                held = find_holders(cache, leaves, "definition", words)
                if held:
                    parts.append(q.And([q.Term("definition", w) for w in words]))
                    conjunction = (words, held)
                if not CJK.search(form):
                    stems = self._stems(form)
                    if find_holders(cache, leaves, "definition_en", stems):
                        parts.append(q.And([q.Term("definition_en", s) for s in stems], boost=0.6))
            if not parts:
                return []
            wanted = [q.Term(name, value) for name, value in sorted((filters or {}).items()) if value]
            filter_query = q.And(wanted) if wanted else None
            if len(parts) == 1 and conjunction is not None:
                top = top_of_conjunction(self._searcher, *conjunction, leaves, filter_query, limit)
            else:
                top = top_matches(self._searcher, q.Or(parts), filter_query, limit)
            return [(cache.ids[docnum], score) for score, docnum in top]

    def _searcher_cache(self) -> SearcherCache:
        if self._cache.searcher is not self._searcher:
            self._cache = SearcherCache(self._searcher)
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
