"""The API over real HTTP: lookup, search, concepts, standards, and problem details for every error."""

from __future__ import annotations

import os
import re

import pytest

PROBLEM_KEYS = {"type", "title", "status", "detail", "instance"}


def assert_problem(response, status: int):
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert PROBLEM_KEYS <= body.keys() and body["status"] == status
    assert "Traceback" not in response.text
    return body


def test_search_in_traditional_finds_digital_village_first(http):
    body = http.get("/api/v1/search", params={"q": "數位鄉村"}).json()
    assert body["hits"][0]["id"] == "digital-village"
    assert body["hits"][0]["label"] == "数字乡村"
    assert body["hits"][0]["match"] == "exact-preferred"
    assert body["total"] >= len(body["hits"]) >= 1


def test_lookup_by_traditional_label(http):
    body = http.get("/api/v1/lookup", params={"label": "數字鄉村"}).json()
    assert [m["id"] for m in body["matches"]] == ["digital-village"]
    assert body["matches"][0]["matched"]["type"] == "preferred"


def test_lookup_by_curated_regional_label(http):
    body = http.get("/api/v1/lookup", params={"label": "行動支付"}).json()
    assert body["matches"][0]["id"] == "mobile-payment"
    assert body["matches"][0]["matched"] == {"text": "行動支付", "lang": "zh-TW", "type": "admitted"}


def test_lookup_of_an_unknown_label_is_an_empty_answer(http):
    assert http.get("/api/v1/lookup", params={"label": "不存在的词"}).json()["matches"] == []


def test_concept_with_relations_and_standards(http):
    body = http.get("/api/v1/concepts/smart-agriculture").json()
    assert body["preferred"] == "智慧农业" and body["version"] == 1
    assert {r["id"] for r in body["related"]} >= {"digital-village"}
    assert "gbt-43440-2023" in {s["id"] for s in body["standards"]}
    assert body["sources"][0]["locator"].startswith("任务")


def test_standard_shows_status_and_concepts(http):
    body = http.get("/api/v1/standards/gbt-43697-2024").json()
    assert body["code"] == "GB/T 43697-2024" and body["status"] == "in_force"
    assert body["issued"] == "2024-03-15" and body["in_force"] == "2024-10-01"
    assert {"data-classification-grading", "grade-core", "grade-important", "grade-general"} <= {c["id"] for c in body["concepts"]}
    codes = {s["id"]: s for s in http.get("/api/v1/standards").json()}
    assert codes["t27-agri-data-classification-guide"]["status"] == "drafting"
    assert codes["t27-agri-data-classification-guide"]["code"] == ""


def test_schemes_are_listed_with_counts(http):
    schemes = {s["id"]: s for s in http.get("/api/v1/schemes").json()}
    assert schemes["dv-terms"]["concepts"] >= 30


def test_unknown_ids_are_404_problems(http):
    assert_problem(http.get("/api/v1/concepts/no-such-concept"), 404)
    assert_problem(http.get("/api/v1/standards/no-such-standard"), 404)
    assert_problem(http.get("/api/v1/nothing-here"), 404)


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"q": ""},
        {"q": "   "},
        {"q": "数" * 201},
        {"q": "数字", "limit": "1000"},
        {"q": "数字", "limit": "0"},
        {"q": "数字", "offset": "-1"},
        {"q": "数字", "limit": "many"},
    ],
)
def test_bad_search_parameters_are_400_problems(http, params):
    assert_problem(http.get("/api/v1/search", params=params), 400)


@pytest.mark.parametrize("params", [{}, {"label": ""}, {"label": " "}, {"label": "x" * 201}])
def test_bad_lookup_parameters_are_400_problems(http, params):
    assert_problem(http.get("/api/v1/lookup", params=params), 400)


@pytest.mark.parametrize("route, name", [("search", "q"), ("lookup", "label"), ("suggest", "q")])
@pytest.mark.parametrize("text", ["\u200b", "\u200b\u200b\ufeff", "\u2060\u3000", "\u200f\u3164"])
def test_a_text_of_invisible_characters_is_blank_as_one_of_spaces(http, route, name, text):
    """outside9: only spaces were refused; zero-width spaces alone searched for nothing with a 200."""
    problem = assert_problem(http.get(f"/api/v1/{route}", params={name: text}), 400)
    # refused by the parameter's pattern (what the OpenAPI description says), or by the registry's own test
    named = problem.get("field") or [p["name"] for p in problem.get("invalid_params") or []][0]
    assert named == name and "blank" in problem["detail"], problem


@pytest.mark.parametrize("route, name", [("search", "q"), ("lookup", "label"), ("suggest", "q")])
@pytest.mark.parametrize("text", [" ", "\u3000\u3000", "数字\x01"])
def test_a_blank_or_control_text_is_said_in_words_not_as_a_pattern(http, route, name, text):
    """Spaces and control characters are refused by the parameter's pattern: the problem said the regex
    (``Expected `str` matching regex '^[^\\u0000-…'``), now what is wrong with the text."""
    problem = assert_problem(http.get(f"/api/v1/{route}", params={name: text}), 400)
    reasons = [p["reason"] for p in problem.get("invalid_params") or []] + [problem["detail"]]
    assert all("regex" not in r and "\\u0000" not in r for r in reasons), problem
    assert "blank" in problem["detail"] or "control character" in problem["detail"], problem


@pytest.mark.parametrize("route, name", [("search", "q"), ("lookup", "label"), ("suggest", "q")])
@pytest.mark.parametrize("text", ["数字\x00乡村", "\x1b[31m数字", "数字\x7f", "数\x85字"])
def test_control_characters_in_the_text_are_400_problems(http, route, name, text):
    assert_problem(http.get(f"/api/v1/{route}", params={name: text}), 400)


@pytest.mark.parametrize("raw", ["%ED%A0%80", "%ED%B0%80%E6%95%B0", "%FF%FE", "%E6%95"])
def test_text_that_is_not_utf8_is_a_400_problem(http, raw):
    """A lone surrogate percent-encoded (%ED%A0%80 is not UTF-8), stray bytes or a cut character."""
    response = http.get(f"/api/v1/search?q={raw}")
    assert_problem(response, 400)
    assert "UTF-8" in response.json()["detail"]


@pytest.mark.parametrize("q", ['"', "*", "(", ":", "数字 AND", "!!!", "、", "\x00", "%", "数字乡村) OR (", "🙂"])
def test_odd_queries_never_fail(http, q):
    response = http.get("/api/v1/search", params={"q": q})
    assert response.status_code in (200, 400), response.text


def test_wrong_method_is_a_problem(http):
    assert_problem(http.post("/api/v1/search", json={}), 405)


def test_health_and_openapi(http, live_server):
    health = http.get("/healthz").json()
    assert health == {"status": "ok", "revision": live_server.services.store.revision(), "worker": os.getpid()}
    schema = http.get("/schema/openapi.json").json()
    assert {"/api/v1/search", "/api/v1/lookup", "/api/v1/concepts/{concept_id}"} <= schema["paths"].keys()


def test_search_page_works_without_javascript(http):
    page = http.get("/", params={"q": "數位鄉村"})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert 'href="/concepts/digital-village"' in page.text  # the script is kept in a cookie, not in links
    assert "信息和<mark>数字</mark>技术" in page.text  # the definition, highlighted
    concept = http.get("/concepts/digital-village")
    # a term entry shows its entry number (GB/T 20001.1) before the term
    assert re.search(r'<h1>(<span class="code">[\d.]+</span> )?数字乡村</h1>', concept.text)


def test_web_404_is_a_page_for_browsers(http):
    page = http.get("/concepts/nope", headers={"accept": "text/html"})
    assert page.status_code == 404 and "<h1>404" in page.text


@pytest.mark.parametrize("script", ["s2t", "s2twp", "s2hk"])
def test_every_example_term_is_found_by_lookup_in_both_scripts(http, script):
    from registry.text import converter
    from tests.vocab.test_content import EXAMPLE_TERMS

    for term in EXAMPLE_TERMS:
        for label in {term, converter(script).convert(term)}:
            matches = http.get("/api/v1/lookup", params={"label": label}).json()["matches"]
            assert matches, f"{label} ({term})"


def test_every_standard_shows_status_and_linked_concepts(http):
    standards = http.get("/api/v1/standards").json()
    assert len(standards) >= 17
    for s in standards:
        assert s["status"] and s["status_label"]
        for ref in s["concepts"]:
            concept = http.get(ref["href"]).json()
            assert s["id"] in {x["id"] for x in concept["standards"]}  # the link reads back from the concept
    assert sum(1 for s in standards if s["concepts"]) >= 20


@pytest.mark.parametrize("path, query, name", [("/api/v1/search", "q=%E6%95%B0%E5%AD%97&q=%E5%86%9C%E4%B8%9A", "q"),
                                               ("/api/v1/search", "q=x&limit=1&limit=2", "limit"),
                                               ("/api/v1/lookup", "label=a&label=b", "label"),
                                               ("/", "q=a&q=b", "q")])
def test_a_parameter_of_one_value_given_twice_is_a_400_naming_it(http, path, query, name):
    """litestar kept the last value and said nothing: q=数字&q=农业 searched 农业."""
    answer = http.get(f"{path}?{query}", headers={"accept": "application/json"})
    problem = assert_problem(answer, 400)
    assert problem["field"] == name and "more than once" in problem["detail"]
