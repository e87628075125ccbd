"""What an operator sees: /metrics in Prometheus format, /readyz, and one escaped log line per request."""

from __future__ import annotations

import json
import logging
import time

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from api.settings import Settings
from tests.conftest import LiveServer


@pytest.fixture(scope="module")
def node(tmp_path_factory):
    with LiveServer(Settings(data_dir=str(tmp_path_factory.mktemp("observed")), sync_interval=0.1)) as live:
        yield live


def scrape(client: httpx.Client) -> dict[tuple[str, tuple], float]:
    response = client.get("/metrics")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(response.text) for sample in family.samples}


def value(samples, name: str, default: float | None = None, **labels) -> float:
    found = [v for (n, ls), v in samples.items() if n == name and all((k, v2) in ls for k, v2 in labels.items())]
    assert found or default is not None, f"no sample {name} {labels}"
    return sum(found) if found else default


def test_metrics_parse_and_move_with_requests(node):
    with httpx.Client(base_url=node.url) as client:
        before = scrape(client)
        for q in ["智慧农业", "szxc", "冷链"]:
            assert client.get("/api/v1/search", params={"q": q}).status_code == 200
        after = scrape(client)
    route = {"path": "/api/v1/search", "status_code": "200", "method": "GET"}
    assert value(after, "shuyu_requests_total", **route) == value(before, "shuyu_requests_total", 0, **route) + 3
    assert value(after, "shuyu_request_duration_seconds_count", path="/api/v1/search") >= 3
    services = node.services
    assert value(after, "shuyu_catalog_concepts") == len(services.catalog.concepts)
    assert value(after, "shuyu_catalog_revision") == services.catalog.revision == value(after, "shuyu_store_revision")
    assert value(after, "shuyu_revision_lag") == 0
    assert value(after, "shuyu_index_documents") == services.search.index.doc_count() > 0
    assert value(after, "shuyu_cache_hits_total", cache="rendered") >= 0


def test_request_metrics_are_labelled_by_route_template_never_by_path(node):
    with httpx.Client(base_url=node.url) as client:
        before = scrape(client)
        assert client.get("/api/v1/concepts/smart-agriculture").status_code == 200
        assert client.get("/api/v1/concepts/no-such-concept").status_code == 404
        assert client.get("/no/such/page-1").status_code == 404
        assert client.get("/no/such/page-2").status_code == 404
        assert client.request("PROPFIND", "/api/v1/concepts/smart-agriculture").status_code == 405
        client.get("/static/shuyu.css")
        after = scrape(client)
    template = "/api/v1/concepts/{concept_id}"
    moved = {labels: v - before.get((name, labels), 0) for (name, labels), v in after.items()
             if name == "shuyu_requests_total" and v != before.get((name, labels), 0)}
    moved = {dict(labels)["path"] + " " + dict(labels)["method"] + " " + dict(labels)["status_code"]: v
             for labels, v in moved.items()}
    # ids and unknown paths never become labels
    assert not [key for key in moved if "smart-agriculture" in key or "no-such" in key or "/no/such" in key], moved
    # the registry is the process's: another test's server here may flush the requests it was sent a moment
    # ago (its batch waits LOG_SECONDS) between the two scrapes, under labels of their own; these are ours
    ours = {key: v for key, v in moved.items() if key.startswith((f"{template} ", "unmatched ", "/static", "/metrics"))}
    # the scrapes themselves and static files are not counted
    assert ours == {f"{template} GET 200": 1, f"{template} GET 404": 1, "unmatched GET 404": 2,
                    "unmatched other 405": 1}
    assert value(after, "shuyu_request_duration_seconds_count", path=template, status_code="200") >= 1
    buckets = [dict(ls)["le"] for (n, ls), _ in after.items() if n == "shuyu_request_duration_seconds_bucket"
               and dict(ls)["path"] == template and dict(ls)["status_code"] == "200"]
    assert "+Inf" in buckets and len(buckets) <= 10


def test_metrics_follow_a_published_change(node):
    from tests.conftest import SCHEME, concept

    store = node.services.store
    with httpx.Client(base_url=node.url) as client:
        store.append([concept("metrics-probe", "指标探针")], actor="test", schemes=[SCHEME])
        for _ in range(100):
            samples = scrape(client)
            if value(samples, "shuyu_revision_lag") == 0 and value(samples, "shuyu_catalog_revision") == store.revision():
                break
        assert value(samples, "shuyu_catalog_revision") == store.revision()


def test_readyz_is_ready_then_not_when_the_store_is_gone(tmp_path):
    with LiveServer(Settings(data_dir=str(tmp_path), sync_interval=0.1)) as live, \
            httpx.Client(base_url=live.url) as client:
        ready = client.get("/readyz")
        assert ready.status_code == 200 and ready.json()["status"] == "ready"
        assert ready.json()["store_revision"] == ready.json()["applied_revision"] == ready.json()["index_revision"]
        live.services.store.close()  # the store's connection is gone, as when its disk or server is
        gone = client.get("/readyz")
        assert gone.status_code == 503 and gone.json()["status"] == "not-ready"
        assert any("store" in reason for reason in gone.json()["reasons"])
        assert client.get("/healthz").status_code == 200  # alive, just not ready
        assert client.get("/metrics").status_code == 200  # and still observable


def test_one_escaped_log_line_per_request(node, caplog):
    """Lines are written in batches (at most LOG_SECONDS late): one JSON object per line, one line per request."""
    with caplog.at_level(logging.INFO, logger="shuyu.access"), httpx.Client(base_url=node.url) as client:
        client.get("/no/such%0Apage")
        client.get("/api/v1/concepts/smart-agriculture")
        at = None
        for _ in range(100):  # wait for this test's batch (0.2 s), not a fixed time; an earlier test's may come first
            lines = [line for r in caplog.records if r.name == "shuyu.access" for line in r.getMessage().split("\n")]
            at = next((i for i, line in enumerate(lines) if '"/no/such\\npage"' in line), None)
            if at is not None and any('"/api/v1/concepts/smart-agriculture"' in line for line in lines[at:]):
                break
            time.sleep(0.05)
    entries = [json.loads(line) for line in lines]  # every line is one whole JSON object: nothing forged
    forged = [e for e in entries if e["path"] == "/no/such\npage"]
    assert len(forged) == 1 and forged[0]["status"] == 404
    read = [e for e in entries[at:] if e["path"] == "/api/v1/concepts/smart-agriculture"]
    assert len(read) == 1 and read[0]["status"] == 200 and read[0]["method"] == "GET"
    assert read[0]["revision"] == node.services.catalog.revision and read[0]["worker"] > 0 and read[0]["ms"] >= 0
    assert set(read[0]) == {"method", "path", "query", "status", "ms", "revision", "worker"}
    assert round(read[0]["ms"], 3) == read[0]["ms"]  # to the microsecond (docs/operations.md)


def test_histogram_adds_up_to_the_request_count(node):
    """Request metrics are added to prometheus_client in bulk: the histogram's count and buckets must
    still agree with the request counter."""
    with httpx.Client(base_url=node.url) as client:
        for _ in range(7):
            assert client.get("/healthz").status_code == 200
        after = scrape(client)
    route = {"path": "/healthz", "status_code": "200", "method": "GET"}
    count = value(after, "shuyu_requests_total", **route)
    assert count >= 7
    assert value(after, "shuyu_request_duration_seconds_count", **route) == count
    assert value(after, "shuyu_request_duration_seconds_bucket", le="+Inf", **route) == count
    assert value(after, "shuyu_request_duration_seconds_sum", **route) > 0


def test_bulk_counts_match_one_observe_per_request():
    """Durations added a batch at a time and counted at flush land in the buckets, sum and count that
    prometheus_client's own ``observe`` gives them one by one (bounds themselves included)."""
    from prometheus_client import CollectorRegistry, Histogram

    from api.observability import BUCKETS, DURATION, REQUESTS, UNLOGGED, RequestMetrics

    seconds = [0.0, 0.0004, 0.001, 0.0010001, 0.003, 0.005, 0.02, 0.025, 0.07, 0.1, 0.3, 0.5, 1.7, 2.5, 9.0, 10.0, 42.0]
    reference = Histogram("probe_seconds", "probe", buckets=BUCKETS, registry=CollectorRegistry())
    for second in seconds:
        reference.observe(second)
    metrics = RequestMetrics()
    metrics.add([("GET", "/bucket-probe", "/bucket-probe", b"", 200, round(s * 1e9), UNLOGGED) for s in seconds[:9]])
    metrics.add([("GET", "/bucket-probe", "/metrics", b"", 200, 1, UNLOGGED)])  # not counted
    metrics.add([("GET", "/bucket-probe", "/bucket-probe", b"", 200, round(s * 1e9), UNLOGGED) for s in seconds[9:]])
    metrics.flush()
    child = DURATION.labels("GET", "/bucket-probe", "200", "shuyu")
    assert [b.get() for b in child._buckets] == [b.get() for b in reference._buckets]
    assert child._sum.get() == pytest.approx(reference._sum.get())
    assert REQUESTS.labels("GET", "/bucket-probe", "200", "shuyu")._value.get() == len(seconds)
