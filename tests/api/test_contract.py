"""The HTTP contract: the OpenAPI description says what the API really answers, and bad input at the HTTP
level (odd digits, broken or deeply nested JSON, NUL and newlines in paths, missing tokens) is a 4xx problem."""

from __future__ import annotations

import logging
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import writing_client

PROBLEM = "application/problem+json"
STATUSES = {"400", "401", "403", "404", "409", "412", "413", "415", "422", "429", "503"}
JSON = {"content-type": "application/json"}


@pytest.fixture(scope="module")
def openapi(live_server) -> dict:
    import httpx

    return httpx.get(f"{live_server.url}/schema/openapi.json").json()


def operations(openapi: dict):
    for path, item in openapi["paths"].items():
        for method, operation in item.items():
            if method in ("get", "post", "put", "patch", "delete"):
                yield f"{method.upper()} {path}", operation


def test_a_generated_client_loses_nothing(openapi, tmp_path):
    """openapi-python-client warns (and drops the answers) where the description is not usable."""
    spec = tmp_path / "openapi.json"
    spec.write_text(__import__("json").dumps(openapi))
    # a text/plain or .docx body (a draft for /check) is sent as bytes: the generator knows neither
    (tmp_path / "config.yaml").write_text("post_hooks: []\nproject_name_override: shuyu-client\n"
                                          "package_name_override: shuyu_client\n"
                                          "content_type_overrides:\n  text/plain: application/octet-stream\n"
                                          "  application/vnd.openxmlformats-officedocument.wordprocessingml.document: "
                                          "application/octet-stream\n")
    tool = Path(sys.executable).parent / "openapi-python-client"
    run = subprocess.run([str(tool), "generate", "--path", str(spec), "--meta", "none", "--config", "config.yaml"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=300)
    output = run.stdout + run.stderr
    assert run.returncode == 0, output
    assert "warning" not in output.lower(), output
    assert (tmp_path / "shuyu_client" / "api" / "search" / "api_v1_search_search.py").exists()


def test_every_problem_an_operation_documents_is_the_problem_we_send(openapi):
    problem = openapi["components"]["schemas"]["ProblemDetails"]
    assert {"type", "title", "status"} <= set(problem["required"])
    assert {"detail", "instance", "invalid_params"} <= set(problem["properties"])
    seen = 0
    for name, operation in operations(openapi):
        for status, response in operation["responses"].items():
            if status[0] in "45":
                assert status in STATUSES, f"{name} documents {status}"
                assert list(response["content"]) == [PROBLEM], f"{name} {status}"
                assert response["content"][PROBLEM]["schema"] == {"$ref": "#/components/schemas/ProblemDetails"}, name
                seen += 1
    assert seen > 50


def test_operations_document_the_statuses_they_answer(openapi):
    for name, operation in operations(openapi):
        statuses = set(operation["responses"])
        if operation.get("parameters") or operation.get("requestBody"):
            assert "400" in statuses, name
        if "{" in name:
            assert "404" in statuses, name
        if operation.get("requestBody"):
            assert {"413", "415", "422"} <= statuses, name
        if name.startswith(("POST /api/v1/proposals", "PATCH", "POST /api/v1/releases")):
            assert {"401", "403", "409", "503"} <= statuses, name
    assert "412" in dict(operations(openapi))["PATCH /api/v1/proposals/{proposal_id}"]["responses"]


@pytest.mark.parametrize("method, path, body", [
    ("GET", "/api/v1/concepts/digital-village?at=²", None),
    ("GET", "/api/v1/concepts/digital-village?at=٣", None),
    ("GET", "/api/v1/concepts/digital-village?at=99999999999999999999", None),
    ("GET", "/api/v1/suggest?q=sz&limit=²", None),
    ("GET", "/api/v1/search?q=sz&limit=²", None),
    ("GET", "/api/v1/changes?since=9223372036854775808", None),
    ("GET", "/api/v1/concepts/digital-village/versions/9223372036854775808", None),
    ("GET", "/api/v1/concepts/digital-village/diff?from=9223372036854775808", None),
    ("POST", "/api/v1/lookup", b'{"labels": ["\xff\xfe"]}'),
    ("POST", "/api/v1/lookup", b'{"labels": ["\\ud800"]}'),
    ("POST", "/api/v1/lookup", b'{"labels": ' + b"[" * 1000 + b"]" * 1000 + b"}"),
    ("POST", "/api/v1/lookup", b"[" * 100_000 + b"]" * 100_000),
])
def test_bad_input_is_a_400_problem(http, method, path, body):
    r = http.request(method, path, content=body, headers=JSON if body is not None else {})
    assert r.status_code == 400, r.text
    assert r.headers["content-type"] == PROBLEM
    assert r.json()["status"] == 400


@pytest.mark.parametrize("path", ["/static/shuyu.css%00", "/static/%00", "/static/a%00b/c"])
def test_a_nul_in_a_file_path_is_not_found(http, path):
    r = http.get(path)
    assert r.status_code in (400, 404), r.text
    assert r.headers["content-type"] == PROBLEM


def test_a_newline_in_a_path_forges_no_log_line(http, live_server, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise RuntimeError("a fault of ours")

    monkeypatch.setattr(live_server.services.store, "history", broken)
    with caplog.at_level(logging.ERROR, logger="shuyu.api"):
        r = http.get("/api/v1/concepts/x%0A2026-01-01 INFO forged%0D%0Aline/versions")
    assert r.status_code == 500 and r.headers["content-type"] == PROBLEM
    assert "a fault of ours" not in r.text  # no stack trace, no detail of ours
    messages = [record.getMessage() for record in caplog.records if record.name == "shuyu.api"]
    assert messages and all("\n" not in m and "\r" not in m for m in messages), messages
    assert any("\\n2026-01-01 INFO forged" in m for m in messages), messages


def test_writes_without_a_token_are_401_with_a_challenge_before_the_body_is_read(http):
    for path, body in [("/api/v1/proposals", b"{bad"), ("/api/v1/proposals", b'{"kind": 1}'),
                       ("/api/v1/proposals/p-1/comments", b"{bad"), ("/api/v1/releases", b"[" * 2000)]:
        r = http.post(path, content=body, headers=JSON)
        assert r.status_code == 401, (path, r.text)
        assert r.headers["www-authenticate"].startswith("Bearer")
        assert r.headers["content-type"] == PROBLEM
    r = http.patch("/api/v1/proposals/p-1", content=b"{bad", headers={**JSON, "authorization": "Bearer wrong"})
    assert r.status_code == 401 and r.headers["www-authenticate"].startswith("Bearer")


def test_405_names_the_allowed_methods(http):
    r = http.delete("/api/v1/lookup")
    assert r.status_code == 405 and r.headers["content-type"] == PROBLEM
    assert {m.strip() for m in r.headers["allow"].split(",")} >= {"GET", "POST"}


@pytest.fixture(scope="module")
def writable(tmp_path_factory):
    yield from writing_client(tmp_path_factory, "contract", "admin")


def test_201_says_where_the_new_resource_is(writable):
    http, auth = writable, {}
    r = http.post("/api/v1/releases", json={"tag": "contract-1"}, headers=auth)
    assert r.status_code == 201, r.text
    assert http.get(r.headers["location"]).json()["tag"] == "contract-1"
    r = http.post("/api/v1/proposals", headers=auth, json={"kind": "deprecate", "target_id": "digital-village",
                                                           "base_version": 1, "replaced_by": ["smart-agriculture"]})
    assert r.status_code == 201, r.text
    assert http.get(r.headers["location"]).json()["id"] == r.json()["id"]
    r = http.post(f"/api/v1/proposals/{r.json()['id']}/comments", headers=auth, json={"text": "见标准"})
    assert r.status_code == 201, r.text
    assert "见标准" in http.get(r.headers["location"]).text
