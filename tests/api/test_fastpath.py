"""The fast path answers exactly what the litestar routes answer, and leaves everything else to them."""

from __future__ import annotations

import pytest
from litestar.testing import TestClient

from api.app import create_app
from api.fastpath import FastReads
from api.settings import Settings


@pytest.fixture(scope="module")
def pair(tmp_path_factory):
    app = create_app(Settings(data_dir=str(tmp_path_factory.mktemp("fast"))))
    with TestClient(app) as client:  # the litestar routes alone, lifespan run
        yield FastReads(app), client


def scope(path: str, query: str = "", headers=()):
    return {"type": "http", "method": "GET", "path": path, "query_string": query.encode(), "headers": list(headers)}


@pytest.mark.parametrize(
    "path, query",
    [
        ("/api/v1/concepts/digital-village", ""),
        ("/api/v1/concepts/mobile-payment", "script=zh-TW"),
        ("/api/v1/concepts/grade-core", "script=zh-HK"),
        ("/api/v1/lookup", "label=%E6%95%B8%E5%AD%97%E9%84%89%E6%9D%91"),
        ("/api/v1/lookup", "label=%E8%A1%8C%E5%8B%95%E6%94%AF%E4%BB%98&script=zh-Hant"),
        ("/api/v1/lookup", "label=nothing-like-this"),
        ("/api/v1/suggest", "q=szxc"),
        ("/api/v1/suggest", "q=%E6%95%B8%E4%BD%8D&limit=20&script=zh-TW"),
        ("/api/v1/suggest", "q=zzzzqq"),
    ],
)
def test_same_answer_as_the_route(pair, path, query):
    fast, client = pair
    status, headers, body = fast._answer(scope(path, query))
    slow = client.get(f"{path}?{query}")
    assert status == slow.status_code == 200
    assert body == slow.content
    assert dict(headers).get(b"etag", b"").decode() == slow.headers.get("etag", "")


def test_if_none_match_is_304(pair):
    fast, client = pair
    etag = client.get("/api/v1/concepts/digital-village").headers["etag"]
    status, headers, body = fast._answer(scope("/api/v1/concepts/digital-village", "", [(b"if-none-match", etag.encode())]))
    assert (status, body) == (304, b"")


@pytest.mark.parametrize(
    "path, query",
    [
        ("/api/v1/concepts/no-such-concept", ""),  # 404 problem from litestar
        ("/api/v1/concepts/digital-village", "at=1"),  # time travel: the store, in a thread
        ("/api/v1/concepts/digital-village", "script=zh-XX"),  # 400 problem
        ("/api/v1/concepts/digital-village/versions", ""),
        ("/api/v1/lookup", ""),
        ("/api/v1/lookup", "label=%20"),
        ("/api/v1/lookup", "label=" + "x" * 201),
        ("/api/v1/lookup", "label=a&label=b"),
        ("/api/v1/search", "q=x"),
        ("/api/v1/suggest", "q=x&limit=21"),
        ("/api/v1/suggest", "q=x&limit=two"),
        ("/api/v1/suggest", "q=%20"),
    ],
)
def test_everything_else_goes_to_litestar(pair, path, query):
    fast, _ = pair
    assert fast._answer(scope(path, query)) is None
