"""The hot reads (concept by id, lookup, suggest, /healthz) go through the one litestar app like every
other route: their pre-encoded bytes are the documented views, and their bad input gets the routes'
own problem details (the hand-written fast path that used to answer them crashed on ``limit=²``)."""

from __future__ import annotations

import msgspec
import pytest
from litestar import Litestar

from api.views import LookupOut, SuggestionOut, concept_out
from tests.api.test_http import assert_problem

encode = msgspec.json.Encoder().encode


def test_what_is_served_is_the_litestar_app_itself(live_server):
    served = live_server.app
    inner = getattr(served, "app", served)  # the request log wraps the app without answering anything
    assert isinstance(inner, Litestar)


@pytest.mark.parametrize("concept_id, script", [("digital-village", "zh-Hans"), ("mobile-payment", "zh-TW"),
                                                ("grade-core", "zh-HK"), ("agri-data-grade", "zh-Hant")])
def test_a_concept_is_its_view_encoded(live_server, http, concept_id, script):
    answer = http.get(f"/api/v1/concepts/{concept_id}", params={"script": script})
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/json"
    assert answer.headers["cache-control"] == "no-cache" and answer.headers["etag"]
    catalog = live_server.services.catalog
    assert answer.content == encode(concept_out(catalog, catalog.concepts[concept_id], script))
    unchanged = http.get(f"/api/v1/concepts/{concept_id}", params={"script": script},
                         headers={"if-none-match": answer.headers["etag"]})
    assert (unchanged.status_code, unchanged.content) == (304, b"")
    assert unchanged.headers["etag"] == answer.headers["etag"]


@pytest.mark.parametrize("params", [{"label": "數字鄉村"}, {"label": "行動支付", "script": "zh-Hant"},
                                    {"label": "nothing-like-this"}])
def test_a_lookup_is_the_documented_view(http, params):
    answer = http.get("/api/v1/lookup", params=params)
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/json"
    decoded = msgspec.json.decode(answer.content, type=LookupOut)
    assert decoded.label == params["label"]
    assert (decoded.matches != []) is (params["label"] != "nothing-like-this")


@pytest.mark.parametrize("params", [{"q": "szxc"}, {"q": "數位", "limit": "20", "script": "zh-TW"}, {"q": "zzzzqq"}])
def test_suggestions_are_the_documented_view(http, params):
    answer = http.get("/api/v1/suggest", params=params)
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/json"
    found = msgspec.json.decode(answer.content, type=list[SuggestionOut])
    assert len(found) <= int(params.get("limit", 10))
    assert (found != []) is (params["q"] != "zzzzqq")


def test_healthz_names_the_worker_and_revision(live_server, http):
    health = http.get("/healthz").json()
    assert health["status"] == "ok" and health["revision"] == live_server.services.catalog.revision


@pytest.mark.parametrize(
    "path, params, status",
    [
        ("/api/v1/suggest", {"q": "x", "limit": "²"}, 400),  # str.isdigit() says yes; int() says no
        ("/api/v1/suggest", {"q": "x", "limit": "٣"}, 400),
        ("/api/v1/suggest", {"q": "x", "limit": "21"}, 400),
        ("/api/v1/suggest", {"q": " "}, 400),
        ("/api/v1/lookup", {"label": " "}, 400),
        ("/api/v1/lookup", {"label": "x" * 201}, 400),
        ("/api/v1/lookup", {}, 400),
        ("/api/v1/concepts/digital-village", {"script": "zh-XX"}, 400),
        ("/api/v1/concepts/no-such-concept", {}, 404),
    ],
)
def test_bad_input_to_a_hot_route_is_its_own_problem(http, path, params, status):
    assert_problem(http.get(path, params=params), status)


def test_healthz_follows_the_revision_and_the_state():
    """/healthz encodes its answer once per (revision, state): a new revision or a change of state is
    answered at once, and each answer is the Health view encoded."""
    from types import SimpleNamespace

    from litestar.testing import TestClient

    from api.app import WORKER, Health, health_route

    services = SimpleNamespace(catalog=SimpleNamespace(revision=7), health=("ok", None))
    seen = []
    with TestClient(Litestar([health_route(lambda: services)])) as client:
        for revision, health in [(7, ("ok", None)), (7, ("ok", None)), (8, ("ok", None)),
                                 (8, ("degraded", "the index is rebuilt")), (8, ("ok", None)), (9, ("ok", None))]:
            services.catalog.revision, services.health = revision, health
            answer = client.get("/healthz")
            assert answer.status_code == 200
            assert answer.content == encode(Health(status=health[0], revision=revision, worker=WORKER, reason=health[1]))
            seen.append(answer.json())
    assert [(h["revision"], h["status"], h.get("reason")) for h in seen] == [
        (7, "ok", None), (7, "ok", None), (8, "ok", None), (8, "degraded", "the index is rebuilt"), (8, "ok", None),
        (9, "ok", None)]


@pytest.mark.parametrize("script", ["zh-Hans", "zh-Hant", "zh-TW", "zh-HK"])
@pytest.mark.parametrize("params", [{"q": "数字乡村"}, {"q": "行動支付"}, {"q": "shuzi xiangcun"}, {"q": "数据"},
                                    {"q": "GB/T"}, {"q": "标准", "kind": "standard"}, {"q": "农业", "offset": "5", "limit": "7"},
                                    {"q": "data"}, {"q": "zzzzqq"}])
def test_a_search_is_its_view_encoded(live_server, http, params, script):
    """The search route's bytes, assembled from per-hit parts kept per revision and script, are those of the
    documented view encoded whole (``search_out``), in every script, with highlights, pages and filters."""
    from api.views import search_out

    answer = http.get("/api/v1/search", params={**params, "script": script})
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/json"
    catalog = live_server.services.catalog
    offset, limit = int(params.get("offset", 0)), int(params.get("limit", 20))
    filters = {k: v for k, v in params.items() if k not in ("q", "offset", "limit")}
    results = live_server.services.search.search(params["q"], filters=filters, offset=offset, limit=limit, catalog=catalog)
    assert answer.content == encode(search_out(catalog, params["q"], results, offset, limit, script))
    again = http.get("/api/v1/search", params={**params, "script": script})  # from the kept parts
    assert again.content == answer.content
