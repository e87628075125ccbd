"""What the app holds while it runs: the store and the search service, opened and closed together."""

from __future__ import annotations

import gc
import logging
import threading
from pathlib import Path

from litestar.di import NamedDependency

from registry.errors import StoreError
from registry.store import Store, open_store
from search.index import IndexUnavailable, recorded_revision
from search.service import SearchResults, SearchService
from vocab.loader import load_bundled_if_empty

from .rendering import RenderCache
from .settings import Settings

log = logging.getLogger("shuyu")


class Services:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        Path(settings.data_dir).mkdir(parents=True, exist_ok=True)
        self.store: Store = open_store(settings.store)
        try:
            if settings.load_bundled and load_bundled_if_empty(self.store):
                log.info("loaded the bundled vocabulary, revision %d", self.store.revision())
            self.search = SearchService(self.store, settings.index)
            self.rendered = RenderCache()
            self.search.catch_up()
        except BaseException:
            self.store.close()
            raise
        # what start-up made (the catalog snapshot: millions of objects) is kept out of the collector's
        # full passes, which would otherwise walk it again and again while requests wait
        gc.freeze()
        self._health_lock = threading.Lock()
        self.index_problem: str | None = None  # why search is unavailable, while it is
        self.follow_problem: str | None = None  # why the read models cannot follow the store, while so

    @property
    def catalog(self):
        return self.search.catalog

    def caches(self) -> dict[str, object]:
        """The caches whose ``hits`` and ``misses`` /metrics reports."""
        return {"rendered": self.rendered}
    # -- following the store; the index is a cache ---------------------------------------------
    def catch_up(self, *, repair: bool = False) -> None:
        """Bring catalog and index up to the store. Never raises: what the store committed stays
        committed, and a failing index only degrades search (503) until ``repair`` rebuilds it.

        The approving request calls this without ``repair`` (it answers at once); the follower, every
        ``sync_interval``, with it.
        """
        try:
            if repair and self.index_problem is not None and self.search.repair():
                log.warning("rebuilt the search index from the store at revision %d", self.search.index.revision)
            self.search.catch_up()
        except StoreError as exc:  # a store outage says nothing of the index
            self._follow_problem(f"cannot read the change log: {exc}")
        except Exception as exc:
            self._follow_problem(None)
            self._index_problem(f"the search index failed ({type(exc).__name__}: {exc}); rebuilding it from the store")
        else:
            self._follow_problem(None)
            self._index_problem(None)

    def _index_problem(self, reason: str | None) -> None:
        """Record why search is unavailable (None: it is available), logging each change once."""
        with self._health_lock:
            if (reason is None) == (self.index_problem is None):
                return  # no change; the first reason stands until it is resolved
            if reason:
                log.error("search unavailable: %s", reason)
            else:
                log.warning("search available again: the index is at revision %d", self.search.index.revision)
            self.index_problem = reason

    def _follow_problem(self, reason: str | None) -> None:
        """Record why the read models cannot follow the store (None: they can), logging each change once."""
        with self._health_lock:
            if (reason is None) == (self.follow_problem is None):
                return
            if reason:
                log.error("read models behind the store: %s", reason)
            else:
                log.warning("following the store again")
            self.follow_problem = reason

    @property
    def health(self) -> tuple[str, str | None]:
        """("ok", None), or ("degraded", why)."""
        reason = self.index_problem or self.follow_problem
        return ("degraded", reason) if reason else ("ok", None)

    def search_results(self, text: str, **options) -> SearchResults:
        """Ranked search, or IndexUnavailable (503) while the index is being rebuilt."""
        if self.index_problem is not None:
            raise IndexUnavailable("the search index is being rebuilt from the store; try again shortly")
        try:
            return self.search.search(text, **options)
        except Exception as exc:
            if self.search.index.healthy():
                raise  # not the index's fault: an ordinary error
            self._index_problem(f"the search index folder is unreadable ({type(exc).__name__}: {exc}); rebuilding it")
            raise IndexUnavailable("the search index is being rebuilt from the store; try again shortly") from None

    def close(self) -> None:
        self.search.close()  # saves the catalog snapshot if it moved on
        self.store.close()


ServicesDep = NamedDependency[Services]


def prepare(settings: Settings) -> str:
    """Make the data folder ready before workers start: create it, load the bundled vocabulary into an
    empty store, bring the index up to the store's revision. Cheap when there is nothing to do."""
    Path(settings.data_dir).mkdir(parents=True, exist_ok=True)
    store = open_store(settings.store)
    try:
        if settings.load_bundled:
            load_bundled_if_empty(store)
        revision = store.revision()
        if recorded_revision(settings.index) < revision:
            service = SearchService(store, settings.index)
            service.catch_up()
            service.index.close()
        return f"shuyu: revision {revision}; data in {settings.data_dir}"
    finally:
        store.close()
