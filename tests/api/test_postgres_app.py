"""The whole app on PostgreSQL: first start loads the vocabulary, search and lookup answer over HTTP."""

from __future__ import annotations

import secrets

import httpx

from api.settings import Settings
from tests.conftest import POSTGRES_URL, LiveServer


def test_the_app_serves_from_postgresql(tmp_path):
    schema = f"shuyu_app_{secrets.token_hex(5)}"
    settings = Settings(data_dir=str(tmp_path), store_url=f"{POSTGRES_URL}?schema={schema}")
    with LiveServer(settings) as server:
        hits = httpx.get(f"{server.url}/api/v1/search", params={"q": "數位鄉村"}).json()["hits"]
        assert hits[0]["id"] == "digital-village"
        match = httpx.get(f"{server.url}/api/v1/lookup", params={"label": "行動支付"}).json()["matches"][0]
        assert match["id"] == "mobile-payment"
        assert httpx.get(f"{server.url}/api/v1/concepts/digital-village/versions").json()[0]["version"] == 1
        store = server.services.store
        assert type(store).__name__ == "PostgresStore" and not store.is_empty()
        store._db.conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
    assert not (tmp_path / "shuyu.db").exists()  # nothing went to SQLite
