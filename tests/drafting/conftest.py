"""Fixtures of the drafting tools' tests: the bundled content in a real store, a server of our own (some
tests write to it), and small registries built here."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from api.settings import Settings
from registry.sqlite import SQLiteStore
from registry.model import ConceptVersion, Term
from search.catalog import Catalog
from tests.conftest import LiveServer, concept
from vocab.loader import load_bundled_if_empty


@pytest.fixture(scope="session")
def bundled_store(tmp_path_factory) -> Iterator[SQLiteStore]:
    store = SQLiteStore(tmp_path_factory.mktemp("drafting-store") / "registry.db")
    load_bundled_if_empty(store)
    yield store
    store.close()


@pytest.fixture(scope="session")
def bundled_catalog(bundled_store) -> Catalog:
    return Catalog.from_store(bundled_store)


@pytest.fixture(scope="module")
def drafting_server(tmp_path_factory) -> Iterator[LiveServer]:
    data = tmp_path_factory.mktemp("drafting-data")
    with LiveServer(Settings(data_dir=str(data), sync_interval=0.1)) as server:
        yield server


@pytest.fixture()
def client(drafting_server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=drafting_server.url, timeout=60) as c:
        yield c


def admitted_pair(catalog: Catalog):
    """A live concept of the content with an admitted Simplified term that names only it, and that term
    (read from whatever the content holds, never written into a test)."""
    for c in sorted(catalog.concepts.values(), key=lambda c: c.id):
        if c.status != "published":
            continue
        for term in c.terms:
            if term.type == "admitted" and term.lang == "zh-Hans" and c.preferred not in term.text \
                    and term.text not in c.preferred and {m.id for m in catalog.lookup(term.text)} == {c.id} \
                    and {m.id for m in catalog.lookup(c.preferred)} == {c.id}:
                return c, term.text
    pytest.fail("the content has no concept with an admitted term")


def at(result, start: int):
    found = [m for m in result.matches if m.start == start]
    assert found, f"nothing found at {start}: {[(m.start, m.text) for m in result.matches]}"
    return found[0]


def registry(*versions: ConceptVersion, revision: int = 1) -> Catalog:
    return Catalog().applied(versions, revision)  # snapshots are immutable: applying makes a new one


def small() -> Catalog:
    return registry(
        concept("village", "数字乡村"),
        concept("governance", "数字乡村治理", terms=(Term(text="乡村数字治理", type="admitted"),)),
        concept("rural-gov", "乡村治理"),
        concept("dcmm", "数据管理能力成熟度评估模型", terms=(Term(text="DCMM", type="abbreviation"),
                                                             Term(text="data management capability maturity model", lang="en"))),
        concept("pay", "移动支付", terms=(Term(text="行動支付", lang="zh-TW"), Term(text="手机支付", type="deprecated"))),
        concept("old", "消费扶贫", status="deprecated", replaced_by=("new",)),
        concept("new", "消费帮扶"),
    )
