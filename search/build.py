"""The catalog and the full-text index built from the store in one pass.

The store's current versions are read once, a batch at a time (``Store.current_batches``). Each batch
goes at once, as documents, to the index writer (no list of every document is kept); when the last
batch is read, the catalog is made from the same versions here while the writer is still at work.

The writer is a thread for a small store, and above ``PROCESS_FROM`` revisions a process of its own
(a new interpreter, so safe from a threaded server): both build in pure Python, and threads would take turns
under the interpreter lock (docs/performance.md measures both). The process gets its documents through
a pipe, batch by batch, writes the index under the folder's lock as any rebuild does, and reports
progress and its count back; this process then reopens the index. The process also does part of the
catalog's work, to share the two cores: the pinyin of some labels (of ``PINYIN_THERE`` of the batches,
sent back per batch; the rest computed by the catalog) and the concepts' compression
(``concept_table.compress``, sent back before it writes the terms); the catalog made here takes them
at its end (``catalog_build.from_store``), the same bytes as made here.
"""

from __future__ import annotations

import fcntl
import gc
import logging
import os
import queue
import struct
import subprocess
import sys
import threading
from array import array
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, TextIO, cast

import msgspec

from registry.languages import is_chinese
from registry.model import ConceptVersion, EntityKind, Scheme, StandardVersion, Version
from registry.store import Store

from .analysis import CJK_RUN, fold_to_simplified, pinyin_keys
from .catalog import Catalog
from .catalog_build import Folded, collector_paused, folded_labels_of
from .catalog_build import from_store as catalog_from_store
from .concept_table import Compressed, compress, dictionary
from .documents import concept_document, standard_document
from .index import Document, IndexUnavailable, Progress, SearchIndex
from .phrases import held_as_dict

if TYPE_CHECKING:
    _Batch = list[Version] | BaseException | None

log = logging.getLogger("shuyu")
BATCH = 5000  # versions read (and handed to the writer) at a time
PROCESS_FROM = 20_000  # store revisions from which the index is written by a process of its own
COMPRESSED_THERE = 0.4  # the part of the concepts the writing process compresses (the two processes' work balanced)
PINYIN_THERE = 0.4  # the part of the batches whose labels' pinyin the writing process computes (the rest: here)
_PROGRESS_EVERY = 1000  # documents between two progress reports of the writing process


class _Read:
    """What ``Catalog.from_store`` reads of a store, answered from the versions read once (the catalog
    keeps its own entry point; it need not know it is built beside the index)."""

    def __init__(self, revision: int, schemes: list[Scheme], concepts: list[Version],
                 standards: list[Version]) -> None:
        self._revision, self._schemes = revision, schemes
        self._current: dict[str, list[Version]] = {"concept": concepts, "standard": standards}

    def revision(self) -> int:
        return self._revision

    def schemes(self) -> list[Scheme]:
        return self._schemes

    def current(self, kind: EntityKind) -> list[Version]:
        return self._current[kind]

    def current_batches(self, kind: EntityKind, size: int = BATCH) -> Iterator[list[Version]]:
        versions = self._current[kind]
        for start in range(0, len(versions), size):
            yield versions[start : start + size]


def build(store: Store, index: SearchIndex, progress: Progress | None = None) -> tuple[Catalog, int]:
    """The catalog of the store's current content and the index rebuilt from it, both at the revision
    read first (a write meanwhile is applied again by the next catch-up); returns the catalog and how
    many documents the index holds. On failure the index is left empty at revision 0 (rebuilt again)."""
    revision = store.revision()
    schemes = store.schemes()
    standards = store.current("standard")
    standards_of: dict[str, list[str]] = {}  # as the catalog derives them: in the standards' order
    for standard in standards:
        for concept_id in cast(StandardVersion, standard).concepts:
            standards_of.setdefault(concept_id, []).append(standard.id)

    def documents(batch: list[Version]) -> Iterator[Document]:
        for version in batch:
            if isinstance(version, ConceptVersion):
                yield concept_document(version, standards_of.get(version.id, ()))
            else:
                yield standard_document(version)

    writer: _ThreadWriter | _ProcessWriter | None = None
    if revision > PROCESS_FROM:
        try:
            writer = _ProcessWriter(index, revision, progress, documents)
        except Exception as exc:  # noqa: BLE001 - no process to be had (a daemonic parent ...): a thread
            log.warning("the index is written by a thread: no process could be started (%s)", exc)
    if writer is None:
        writer = _ThreadWriter(index, revision, progress, documents)
    concepts: list[Version] = []
    # the collector paused from the first batch read, as the catalog's build pauses it (no full passes
    # over the versions, folded labels and documents read, none of them garbage)
    with collector_paused():
        try:
            for batch in store.current_batches("concept", BATCH):
                concepts += batch
                writer.put(batch)
            writer.put(standards)
            writer.put(None)
            read = cast(Store, _Read(revision, schemes, concepts, standards))
            if isinstance(writer, _ProcessWriter):  # the labels' pinyin computed by the writing process
                catalog = catalog_from_store(read, writer.folded, writer.sounds, writer.compressed)
            else:
                catalog = Catalog.from_store(read)
        except BaseException as exc:
            writer.abort(exc)
            raise
    return catalog, writer.result()


ToDocuments = Callable[[list[Version]], Iterator[Document]]


class _ThreadWriter:
    """The index written from the batches put, in a thread."""

    def __init__(self, index: SearchIndex, revision: int, progress: Progress | None, documents: ToDocuments) -> None:
        self._to_documents = documents  # called in the writing thread, as it writes: no document waits
        self._batches: queue.SimpleQueue[_Batch] = queue.SimpleQueue()
        self._outcome: dict[str, object] = {}
        self._thread = threading.Thread(target=self._write, args=(index, revision, progress),
                                        name="shuyu-index-build", daemon=True)
        self._thread.start()

    def _write(self, index: SearchIndex, revision: int, progress: Progress | None) -> None:
        try:
            self._outcome["count"] = index.rebuild(self._documents(), revision, progress)
        except BaseException as exc:  # noqa: BLE001 - raised again in the caller's thread
            self._outcome["error"] = exc

    def _documents(self) -> Iterator[Document]:
        while (batch := self._batches.get()) is not None:
            if isinstance(batch, BaseException):
                raise batch  # the read failed: the writer cancels, nothing is committed
            yield from self._to_documents(batch)

    def put(self, batch: list[Version] | None) -> None:
        self._batches.put(batch)

    def abort(self, exc: BaseException) -> None:
        self._batches.put(RuntimeError(f"reading the store for the rebuild failed: {exc}"))
        self._thread.join()

    def result(self) -> int:
        self._thread.join()
        if "error" in self._outcome:
            raise cast(BaseException, self._outcome["error"])
        return cast(int, self._outcome["count"])


class _ProcessWriter:
    """The index written from the batches put, by ``python -m search.build`` (a new interpreter: no
    fork of a threaded server, and no import of the caller's main module as multiprocessing's spawn
    does); a thread here feeds it the batches (encoded as they are put), another relays its progress."""

    def __init__(self, index: SearchIndex, revision: int, progress: Progress | None, documents: ToDocuments) -> None:
        self._index, self._progress, self._to_documents = index, progress, documents
        self.folded: dict[str, tuple[ConceptVersion, Folded]] = {}  # concept id → its labels, folded once here
        self._asked: set[str] = set()  # the texts whose pinyin the process was asked for
        self._put = 0  # batches put
        self._sounds: dict[str, tuple[str, str]] = {}  # … and what it answered
        self._sounds_done = threading.Event()
        self._plain: list[bytes] = []  # every concept's msgpack bytes, as put
        self._compressed: list[Compressed] = []  # the first part of them compressed by the process
        self._compressed_done = threading.Event()
        root = str(Path(__file__).resolve().parent.parent)  # where ``search`` is imported from
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))}
        self._process = subprocess.Popen([sys.executable, "-m", "search.build", str(index.folder), str(revision)],
                                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env, cwd=root)
        for pipe in (self._process.stdin, self._process.stdout):
            _widen(cast(IO[bytes], pipe))
        self._outgoing: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
        self._reply: list[str] = []
        self._threads = [threading.Thread(target=self._feed, daemon=True), threading.Thread(target=self._relay, daemon=True)]
        for thread in self._threads:
            thread.start()

    def _feed(self) -> None:
        pipe = cast(IO[bytes], self._process.stdin)
        try:
            while (message := self._outgoing.get()) is not None:
                pipe.write(_FRAME.pack(len(message)) + message)
        except OSError:  # the process is gone: ``result`` says why
            pass
        finally:
            try:
                pipe.close()
            except OSError:
                pass

    def _relay(self) -> None:
        source = cast(IO[bytes], self._process.stdout)
        try:
            while line := source.readline():
                kind, _, value = line.decode().rstrip("\n").partition(" ")
                if kind == "progress" and self._progress:
                    self._progress(int(value))
                elif kind == "sounds":  # a frame of (texts, their pinyin keys) follows
                    texts, keys = _DECODE_SOUNDS(source.read(int(value)))
                    self._sounds.update(zip(texts, keys))
                elif kind == "sounds-done":
                    self._sounds_done.set()
                elif kind == "concepts":  # a frame of the concepts compressed follows
                    zdict, blob, ends = _DECODE_CONCEPTS(source.read(int(value)))
                    self._compressed.append((zdict, blob, array("Q", ends)))
                    self._compressed_done.set()
                elif kind != "progress":
                    self._reply.append(f"{kind} {value}")
        finally:  # the process is gone: what it did not answer is computed here
            self._sounds_done.set()
            self._compressed_done.set()

    def sounds(self) -> dict[str, tuple[str, str]]:
        """``pinyin_keys`` of the labels the process was given, once it has read them all."""
        self._sounds_done.wait()
        return self._sounds

    def compressed(self) -> Compressed:
        """The concepts' msgpack bytes compressed as ``compress`` would in one go, in the order put: the
        first ``COMPRESSED_THERE`` of them by the process, the rest here, before waiting for the process's
        part (rows are compressed one by one, against the dictionary of them all: the same dictionary
        made here and there); the first part too when the process sent none (it is gone)."""
        zdict = dictionary(self._plain)
        there = int(len(self._plain) * COMPRESSED_THERE)
        _, rest, rest_ends = compress(self._plain[there:], zdict)
        self._compressed_done.wait()
        if self._compressed and len(self._compressed[0][2]) == there and self._compressed[0][0] == zdict:
            _, blob, ends = self._compressed[0]
        else:
            _, blob, ends = compress(self._plain[:there], zdict)
        return zdict, blob + rest, ends + array("Q", [len(blob) + end for end in rest_ends])

    def _texts(self, batch: list[Version]) -> list[str]:
        """The folded labels and titles of a batch whose pinyin the catalog will ask for, each once (the
        concepts' folded labels kept for the catalog)."""
        texts: list[str] = []
        concepts = [version for version in batch if isinstance(version, ConceptVersion)]
        for concept, folded in zip(concepts, folded_labels_of(concepts)):
            self.folded[concept.id] = (concept, folded)
            texts += (key for key, term in folded if is_chinese(term.lang) or CJK_RUN.search(key))
        texts += (fold_to_simplified(version.title) for version in batch if isinstance(version, StandardVersion))
        self._put += 1
        if int(self._put * PINYIN_THERE) == int((self._put - 1) * PINYIN_THERE):
            return []  # this batch's pinyin computed by the catalog (in ``finish``)
        asked = self._asked
        texts = [text for text in dict.fromkeys(texts) if text not in asked]
        asked.update(texts)
        return texts

    def put(self, batch: list[Version] | None) -> None:
        """Encoded here and now (what waits for the pipe is compact bytes, not documents)."""
        if batch is None:
            self._outgoing.put(_END)
            self._outgoing.put(None)
            return
        plain = [_ENCODE(version) for version in batch if isinstance(version, ConceptVersion)]  # for ``compress``
        self._plain += plain
        self._outgoing.put(_ENCODE((list(self._to_documents(batch)), self._texts(batch), plain)))

    def abort(self, exc: BaseException) -> None:
        self._outgoing.put(_ABORT)
        self._outgoing.put(None)
        try:
            self.result(quiet=True)
        except Exception:  # noqa: BLE001 - the store's error is the one to raise
            pass

    def result(self, quiet: bool = False) -> int:
        for thread in self._threads:
            thread.join()
        code = self._process.wait()
        self._index.reopen()  # what the process wrote, or the empty index it left on failure
        kind, _, value = (self._reply[-1] if self._reply else f"error the process ended with code {code}").partition(" ")
        if kind != "done" and not quiet:
            raise IndexUnavailable(f"building the index failed: {value}")
        return int(value) if kind == "done" else 0


PIPE_SIZE = 1 << 20  # bytes a pipe to or from the writing process holds (Linux's limit for anyone)


def _widen(pipe: IO[bytes]) -> None:
    """A pipe holding ``PIPE_SIZE`` bytes rather than 64 KB: the threads here that feed and read it
    wait for the interpreter lock (held by the catalog's build) after each chunk they move, so a
    narrow pipe leaves the writing process waiting for its input (and for its output to be read)."""
    try:
        fcntl.fcntl(pipe.fileno(), fcntl.F_SETPIPE_SZ, PIPE_SIZE)
    except (AttributeError, OSError):  # not Linux, or a lower limit: the default size
        pass


_ENCODE = msgspec.msgpack.Encoder().encode
_DECODE_SOUNDS = msgspec.msgpack.Decoder(tuple[list[str], list[tuple[str, str]]]).decode
_DECODE_CONCEPTS = msgspec.msgpack.Decoder(tuple[bytes, bytes, bytes]).decode
_FRAME = struct.Struct("!I")  # the length of the frame that follows on the pipe
_END, _ABORT = b"", b"!"  # frames: after the last batch of documents; instead of it, on failure


def _write_index(folder: str, revision: int, source: IO[bytes], report: TextIO) -> None:
    """The writing process: the documents ``source`` brings, written as the index of ``folder``;
    progress, then ``done COUNT`` or ``error WHY``, one line each on ``report``. Each batch also brings
    the texts whose pinyin the catalog needs and the concepts' msgpack bytes: the pinyin is sent back
    as the batch is read (``sounds LENGTH`` and a msgpack frame), the concepts compressed once all are
    read (``concepts LENGTH`` and a frame), before the index's terms are written."""
    decode = msgspec.msgpack.Decoder(tuple[list[dict[str, str]], list[str], list[bytes]]).decode
    reported = [0, 0]  # written, reported
    concepts: list[bytes] = []  # every concept's msgpack bytes, compressed for the catalog at the end

    def send(kind: str, frame: bytes) -> None:
        report.flush()
        report.buffer.write(f"{kind} {len(frame)}\n".encode() + frame)
        report.buffer.flush()

    def documents() -> Iterator[Document]:
        """Each batch's documents, after the pinyin of its texts is sent back (the catalog waits for it)."""
        while (message := source.read(_FRAME.unpack(source.read(_FRAME.size))[0])) != _END:
            if message == _ABORT:
                raise RuntimeError("the store could not be read")
            batch, texts, plain = decode(message)
            if texts:
                send("sounds", _ENCODE((texts, list(map(pinyin_keys, texts)))))
            concepts.extend(plain)
            yield from batch
        print("sounds-done", file=report, flush=True)
        zdict, blob, ends = compress(concepts[: int(len(concepts) * COMPRESSED_THERE)], dictionary(concepts))
        send("concepts", _ENCODE((zdict, blob, ends.tobytes())))

    def progress(count: int) -> None:
        reported[0] += count
        if reported[0] - reported[1] >= _PROGRESS_EVERY:
            print("progress", reported[0] - reported[1], file=report, flush=True)
            reported[1] = reported[0]

    gc.disable()  # millions of postings, none of them garbage: no full passes over them (the process ends)
    index = SearchIndex(Path(folder))
    try:
        with held_as_dict():  # the catalog's labels are cut here for their pinyin
            count = index.rebuild(documents(), revision, progress)
        print("progress", reported[0] - reported[1], file=report, flush=True)
        print("done", count, file=report, flush=True)
    except BaseException as exc:  # noqa: BLE001 - reported to the parent, which raises
        print("error", f"{type(exc).__name__}: {exc}".replace("\n", " "), file=report, flush=True)
    finally:
        index.close()


if __name__ == "__main__":
    _write_index(sys.argv[1], int(sys.argv[2]), sys.stdin.buffer, sys.stdout)
