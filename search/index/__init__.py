"""The whoosh index: the one writer, the revision it has applied, and searching it.

Nothing outside this package imports whoosh: its schema and analyzers are in ``schema``, the rebuild's
segment writer in ``segment``, scoring and reading in ``reading``.
"""

from __future__ import annotations

import fcntl
import json
import os
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh import query as q
from whoosh.index import LockError

from registry.errors import InvalidInput, ShuyuError

from ..analysis import CJK, text_tokens
from .reading import (
    SearcherCache,
    find_holders,
    open_searcher,
    top_matches,
    top_of_conjunction,
)
from .schema import TextTokenizer, make_schema
from .segment import INLINE_LIMIT, Document, Progress, write_segment

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
    "made_by_index",
    "make_schema",
    "recorded_revision",
]

STATE_FILE = "shuyu-index.json"
REBUILD_LOCK = "shuyu-rebuild.lock"  # one rebuild at a time per folder, across processes; never deleted
INDEX_NAME = "shuyu"
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
        self._searcher = open_searcher(self._index)
        # whoosh readers share file positions (seek + read): concurrent searches on one searcher read
        # each other's bytes (TermNotFound, wrong postings). One search at a time per process.
        self._read_lock = threading.Lock()
        self.generation = 0  # moves whenever the searcher sees new commits; keys result caches
        self._cache = SearcherCache(self._searcher)
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
            count = write_segment(writer, documents, progress)
            writer.commit()
        except BaseException:
            writer.cancel()
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
                    stems = [t.text for t in self._analyzers["definition_en"](form)]
                    if find_holders(cache, leaves, "definition_en", stems):
                        parts.append(q.And([q.Term("definition_en", s) for s in stems], boost=0.6))
            if not parts:
                return []
            wanted = [q.Term(name, value) for name, value in sorted((filters or {}).items()) if value]
            filter_query = q.And(wanted) if wanted else None
            if len(parts) == 1 and conjunction is not None:
                top = top_of_conjunction(self._searcher, *conjunction, leaves, filter_query, limit)  # type: ignore[arg-type]
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
