"""ETags are derived from the bytes served and compared as RFC 9110 says (weak comparison)."""

from __future__ import annotations

import time

import httpx
import msgspec
import pytest

from api.etags import etag_matches, etag_of_bytes
from api.settings import Settings
from registry.model import Term
from tests.conftest import LiveServer

BROADER = "/api/v1/concepts/grading-factor"


@pytest.mark.parametrize(
    "header, matches",
    [
        ('"abc"', True),
        ('W/"abc"', True),  # weak comparison: the weakness prefix does not matter
        ('"x", W/"abc"', True),
        ('"x",W/"abc" , "y"', True),
        ("*", True),
        (' * ', True),
        ('"abcd"', False),
        ('"ab"', False),
        ("abc", False),  # not an entity tag: no quotes
        ('W/"x"', False),
        ("", False),
        (None, False),
    ],
)
def test_if_none_match_is_compared_weakly(header, matches):
    assert etag_matches(header, '"abc"') is matches


def test_a_tag_is_the_hash_of_the_bytes():
    assert etag_of_bytes(b"{}") == etag_of_bytes(b"{}") != etag_of_bytes(b"{ }")


def wait_for_revision(http: httpx.Client, revision: int) -> None:
    deadline = time.monotonic() + 10
    while http.get("/healthz").json()["revision"] < revision:
        assert time.monotonic() < deadline, "the server did not follow the change log"
        time.sleep(0.05)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with LiveServer(Settings(data_dir=str(tmp_path_factory.mktemp("etags")), sync_interval=0.05)) as live:
        yield live


def test_a_renamed_narrower_concept_changes_the_broader_concepts_etag(server):
    with httpx.Client(base_url=server.url, timeout=30) as http:
        before = http.get(BROADER)
        old = before.headers["etag"]
        assert http.get(BROADER, headers={"if-none-match": old}).status_code == 304
        assert http.get(BROADER, headers={"if-none-match": f"W/{old}"}).status_code == 304
        assert "规模" in [n["label"] for n in before.json()["narrower"]]

        store = server.services.store
        narrower = store.get("concept", "factor-scale")
        terms = (Term(text="数据规模", type="preferred"), *narrower.terms[1:])
        revision = store.append([msgspec.structs.replace(narrower, version=narrower.version + 1, terms=terms)],
                               actor="test", note="rename")
        wait_for_revision(http, revision)

        after = http.get(BROADER, headers={"if-none-match": old})
        assert after.status_code == 200  # the broader concept's own version did not change, its bytes did
        assert after.json()["version"] == before.json()["version"]
        assert "数据规模" in [n["label"] for n in after.json()["narrower"]]
        new = after.headers["etag"]
        assert new != old
        assert new == etag_of_bytes(after.content)
        assert http.get(BROADER, headers={"if-none-match": f'"other", {new}'}).status_code == 304


def test_every_script_and_every_way_to_a_version_has_the_tag_of_its_bytes(server):
    with httpx.Client(base_url=server.url, timeout=30) as http:
        revision = str(http.get("/healthz").json()["revision"])
        for path, params in [(BROADER, {}), (BROADER, {"script": "zh-TW"}), (BROADER, {"at": revision}),
                             (f"{BROADER}/versions/1", {}), ("/api/v1/standards/gbt-43697-2024", {})]:
            answer = http.get(path, params=params)
            assert answer.status_code == 200, (path, answer.text)
            assert answer.headers["etag"] == etag_of_bytes(answer.content)
            assert http.get(path, params=params, headers={"if-none-match": answer.headers["etag"]}).status_code == 304


@pytest.mark.parametrize("path, headers", [("/api/v1/concepts/smart-agriculture", {}),
                                           ("/concepts/smart-agriculture", {"accept": "text/turtle"})])
def test_an_if_none_match_sent_as_two_header_lines_is_one_list(http, path, headers):
    """outside9: only the first If-None-Match line was read (RFC 9110, 5.3: several lines are one list)."""
    etag = http.get(path, headers=headers).headers["etag"]
    again = http.get(path, headers=[*headers.items(), ("if-none-match", '"other"'), ("if-none-match", etag)])
    assert again.status_code == 304
