"""Search features over HTTP: script rendering, highlights, facets, filters, suggest, batch lookup."""

from __future__ import annotations

import pytest

from tests.api.test_http import assert_problem


def search(http, **params):
    response = http.get("/api/v1/search", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def test_answers_in_the_script_asked_for_with_curated_labels_first(http):
    tw = search(http, q="移动支付", script="zh-TW")["hits"][0]
    assert tw["id"] == "mobile-payment" and tw["label"] == "行動支付"  # curated, not OpenCC's 移動支付
    hk = search(http, q="移动支付", script="zh-HK")["hits"][0]
    assert hk["label"] == "流動支付"
    hant = search(http, q="移动支付", script="zh-Hant")["hits"][0]
    assert hant["label"] == "移動支付" and "終端" in hant["definition"]
    concept = http.get("/api/v1/concepts/rural-broadband", params={"script": "zh-TW"}).json()  # no curated label: OpenCC
    assert concept["preferred"] == "農村寬頻" and concept["script"] == "zh-TW"
    assert {"text": "农村宽带", "lang": "zh-Hans", "type": "preferred", "display": "農村寬頻"} in concept["terms"]


def test_highlights_mark_the_match_in_the_asked_script(http):
    hit = search(http, q="数字乡村", script="zh-Hant")["hits"][0]
    assert hit["highlight"]["label"] == "<mark>數字鄉村</mark>"
    hit = search(http, q="智慧農業")["hits"][0]
    assert hit["highlight"]["label"] == "<mark>智慧农业</mark>"


def test_a_simplified_query_marks_only_what_it_says_a_traditional_one_each_reading(http):
    """智慧农业 is read by OpenCC's Taiwan conversion as 智能农业: a mainland reader who typed 智慧 must
    not see 人工智能 marked; a reader who typed 智慧農業 in Traditional characters does (人工智慧 there)."""
    hit = next(h for h in search(http, q="智慧农业")["hits"] if h["id"] == "smart-agriculture")
    assert "人工智能" in hit["definition"] and "<mark>智能</mark>" not in hit["highlight"]["definition"]
    assert "<mark>农业</mark>" in hit["highlight"]["definition"]
    tw = next(h for h in search(http, q="智慧農業", script="zh-TW")["hits"] if h["id"] == "smart-agriculture")
    assert "人工<mark>智慧</mark>" in tw["highlight"]["definition"]


def test_highlights_are_escaped_html(http):
    hit = search(http, q="<script>数字乡村")  # finds by words; the markup is text, never echoed raw
    for h in hit["hits"]:
        assert "<script>" not in h["highlight"].get("label", "") + h["highlight"].get("definition", "")


def test_facets_count_all_hits_and_filters_narrow(http):
    body = search(http, q="数据", limit=5)
    facets = body["facets"]
    assert sum(facets["kind"].values()) == body["total"] > 5
    assert {"dv-terms", "agri-data"} <= facets["scheme"].keys()
    assert facets["grade"]["important"] >= 1
    filtered = search(http, q="数据", scheme="agri-data", grade="important", limit=100)
    assert filtered["total"] == filtered["facets"]["grade"]["important"]
    assert all(h["scheme"] == "agri-data" and h["grade"] == "important" for h in filtered["hits"])
    by_standard = search(http, q="数据", standard="gbt-43697-2024", kind="concept", limit=100)
    assert by_standard["total"] >= 3


@pytest.mark.parametrize(("name", "value"), [("status", "publishd"), ("grade", "Core"), ("kind", "concepts")])
def test_a_filter_value_the_domain_does_not_know_is_a_400_naming_it(http, name, value):
    """A typo in a status, grade or kind was an empty page, as if nothing matched."""
    body = assert_problem(http.get("/api/v1/search", params={"q": "数据", name: value}), 400)
    assert name in body["detail"] or name in str(body.get("errors", ""))


def test_every_status_of_concepts_and_standards_is_a_filter(http):
    assert search(http, q="数据", status="deprecated", limit=5)["total"] >= 0
    standards = search(http, q="数据", status="in_force", kind="standard", limit=100)
    assert standards["hits"] and all(h["kind"] == "standard" for h in standards["hits"])
    openapi = http.get("/schema/openapi.json").json()
    parameters = {p["name"]: p for p in openapi["paths"]["/api/v1/search"]["get"]["parameters"]}
    statuses = str(parameters["status"]["schema"])
    assert "in_force" in statuses and "deprecated" in statuses and "core" in str(parameters["grade"]["schema"])


def test_pages_are_consistent_and_bounded(http):
    whole = [h["id"] for h in search(http, q="农业", limit=100)["hits"]]
    paged = [h["id"] for offset in range(0, len(whole), 7) for h in search(http, q="农业", offset=offset, limit=7)["hits"]]
    assert paged[: len(whole)] == whole  # with more than 100 hits the last page of 7 runs past the 100th
    assert search(http, q="农业", offset=5000, limit=10)["hits"] == []


def test_deprecated_hit_points_to_its_replacement(live_server, http):
    from registry.model import Term
    from tests.conftest import concept

    store = live_server.services.store
    old = store.get("concept", "left-behind")
    replacement = concept("left-behind-people-2", "农村留守群体", scheme="dv-terms",
                          definition="因家庭成员外出务工而留居农村的老年人、儿童和妇女等群体。",
                          terms=(Term(text="rural left-behind groups", lang="en", type="preferred"),))
    store.append([replacement], actor="test")
    store.append([concept("left-behind", old.preferred, version=old.version + 1, scheme="dv-terms",
                          terms=old.terms[1:], definition=old.definition, status="deprecated",
                          replaced_by=("left-behind-people-2",))], actor="test")
    live_server.services.search.catch_up()
    hit = next(h for h in search(http, q="留守人员")["hits"] if h["id"] == "left-behind")
    assert hit["status"] == "deprecated"
    assert hit["replaced_by"] == [{"id": "left-behind-people-2", "label": "农村留守群体", "href": "/api/v1/concepts/left-behind-people-2"}]
    looked_up = http.get("/api/v1/lookup", params={"label": "留守人员"}).json()["matches"][0]
    assert looked_up["replaced_by"][0]["id"] == "left-behind-people-2"


@pytest.mark.parametrize(
    "q, first",
    [("数字", "数字人才"), ("數位", "数字乡村"), ("szxc", "数字乡村"), ("shuzixiang", "数字乡村"), ("zhihuinong", "智慧农业"),
     ("mobile", "移动支付"), ("GB/T 436", "数据安全技术 数据分类分级规则"), ("行動", "移动支付")],
)
def test_suggest_prefixes_in_any_script_pinyin_initials_english_and_codes(http, q, first):
    body = http.get("/api/v1/suggest", params={"q": q}).json()
    assert first in [s["label"] for s in body[:3]], body[:3]


def test_suggest_bounds(http):
    assert len(http.get("/api/v1/suggest", params={"q": "数", "limit": 20}).json()) == 20
    assert_problem(http.get("/api/v1/suggest", params={"q": "数", "limit": 21}), 400)
    assert_problem(http.get("/api/v1/suggest", params={"q": " "}), 400)
    assert http.get("/api/v1/suggest", params={"q": "zzzzqqq"}).json() == []


def test_batch_lookup_names_concepts_and_label_status(http):
    labels = ["数字乡村", "數位鄉村", "DCMM", "不存在", "行動支付"] * 200
    body = http.post("/api/v1/lookup", json={"labels": labels}).json()
    assert len(body["results"]) == 1000 and body["not_found"] == 200 and body["found"] == 800
    first = {r["label"]: r["matches"] for r in body["results"][:5]}
    assert first["数字乡村"][0]["label_status"] == "preferred"
    assert first["數位鄉村"][0]["id"] == "digital-village"
    assert first["DCMM"][0]["label_status"] == "abbreviation"
    assert first["不存在"] == []
    assert first["行動支付"][0]["matched"]["lang"] == "zh-TW"


@pytest.mark.parametrize(
    "body, status",
    [
        ({"labels": []}, 422),
        ({"labels": ["x"] * 1001}, 422),
        ({"labels": [""]}, 422),
        ({"labels": ["x" * 201]}, 422),
        ({"labels": "数字乡村"}, 422),
        ({"labels": ["数字乡村"], "extra": 1}, 422),
        ({}, 422),
    ],
)
def test_batch_lookup_refuses_bad_bodies(http, body, status):
    assert_problem(http.post("/api/v1/lookup", json=body), status)


def test_batch_lookup_refuses_oversized_and_malformed_bodies(http):
    assert_problem(http.post("/api/v1/lookup", content=b"{" + b" " * 2_000_000 + b"}",
                             headers={"content-type": "application/json"}), 413)
    assert_problem(http.post("/api/v1/lookup", content=b"{nope", headers={"content-type": "application/json"}), 400)


def test_unknown_script_is_a_400(http):
    assert_problem(http.get("/api/v1/search", params={"q": "数字", "script": "zh-XX"}), 400)
