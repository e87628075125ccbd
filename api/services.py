"""What the app holds while it runs: the store and the search service, opened and closed together."""

from __future__ import annotations

import logging
from pathlib import Path

from litestar.di import NamedDependency

from registry.store import Store, open_store
from search.index import recorded_revision
from search.service import SearchService
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

    @property
    def catalog(self):
        return self.search.catalog

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
