"""The catalog and the full-text index built from the store in one pass.

The store's current versions are read once, a batch at a time (``Store.current_batches``). Each batch
goes at once to the index writer, which runs in a thread of its own and turns it into documents as it
writes them (no list of every document); when the last batch is read, the catalog is made from the
same versions here while the writer is still at work. Together they take less than one after the other
(docs/performance.md): the catalog's build pauses the garbage collector for both, and the writer's disk
writes and the store's reads overlap the other's work.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, cast

from registry.model import ConceptVersion, EntityKind, Scheme, StandardVersion, Version
from registry.store import Store

from .catalog import Catalog
from .documents import concept_document, standard_document
from .index import Document, Progress, SearchIndex

if TYPE_CHECKING:
    _Batch = list[Version] | BaseException | None

BATCH = 5000  # versions read (and handed to the writer) at a time


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
    batches: queue.SimpleQueue[_Batch] = queue.SimpleQueue()
    outcome: dict[str, object] = {}

    def documents() -> Iterator[Document]:
        while (batch := batches.get()) is not None:
            if isinstance(batch, BaseException):
                raise batch  # the read failed: the writer cancels, nothing is committed
            for concept in cast(Sequence[ConceptVersion], batch):
                yield concept_document(concept, standards_of.get(concept.id, ()))
        for standard in standards:
            yield standard_document(cast(StandardVersion, standard))

    def write() -> None:
        try:
            outcome["count"] = index.rebuild(documents(), revision, progress)
        except BaseException as exc:  # noqa: BLE001 - raised again in the caller's thread
            outcome["error"] = exc

    writer = threading.Thread(target=write, name="shuyu-index-build", daemon=True)
    writer.start()
    concepts: list[Version] = []
    try:
        for batch in store.current_batches("concept", BATCH):
            concepts += batch
            batches.put(batch)
        batches.put(None)
        catalog = Catalog.from_store(cast(Store, _Read(revision, schemes, concepts, standards)))
    except BaseException as exc:
        batches.put(RuntimeError(f"reading the store for the rebuild failed: {exc}"))
        writer.join()
        raise
    writer.join()
    if "error" in outcome:
        raise cast(BaseException, outcome["error"])
    return catalog, cast(int, outcome["count"])
