"""What an operator sees of a running node: Prometheus metrics, readiness, one log line per request.

Request counts and latencies come from ``RequestMetrics``, a small ASGI wrapper around the app's
handler (labelled by route template, not by path, so concept ids do not explode the series); it
replaced litestar's Prometheus middleware, which cost more CPU per hot read than the read itself
(docs/performance.md). The node's own state (applied revision, lag behind the store, index documents,
catalog size, cache hit rates) is read when ``/metrics`` is scraped. With several workers,
``shuyu serve`` points ``PROMETHEUS_MULTIPROC_DIR`` at a folder of the data folder, so request
counters add up over the workers; the state gauges are those of the worker that answers, labelled
with its process id.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterator

import anyio
import anyio.to_thread
import msgspec
from litestar import MediaType, Response, get
from litestar.datastructures import State
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest, multiprocess
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from .openapi import success_as
from .problems import problems

access_log = logging.getLogger("shuyu.access")
READY_TIMEOUT = 2.0  # seconds the store may take to answer a readiness check
READY_LAG = 100      # revisions the index may be behind the store and still take traffic


class NodeCollector:
    """The node's state, read at scrape time from the services of one app."""

    def __init__(self, state: State) -> None:
        self.state = state

    def collect(self) -> Iterator[GaugeMetricFamily | CounterMetricFamily]:
        services = getattr(self.state, "services", None)
        if services is None:
            return
        worker = [str(os.getpid())]

        def gauge(name: str, doc: str, value: float) -> GaugeMetricFamily:
            family = GaugeMetricFamily(f"shuyu_{name}", doc, labels=["worker"])
            family.add_metric(worker, value)
            return family

        catalog = services.catalog
        yield gauge("catalog_revision", "the registry revision this worker's catalog has applied", catalog.revision)
        yield gauge("catalog_concepts", "concepts in this worker's catalog", len(catalog.concepts))
        try:
            store_revision = services.store.revision()
        except Exception:  # an unreachable store is reported by /readyz; the scrape still answers
            store_revision = None
        if store_revision is not None:
            yield gauge("store_revision", "the newest revision in the store", store_revision)
            yield gauge("revision_lag", "revisions the catalog is behind the store", max(0, store_revision - catalog.revision))
        try:
            yield gauge("index_documents", "documents in the search index", services.search.index.doc_count())
        except Exception:  # a broken index is reported by /readyz; the scrape still answers
            pass
        for attribute in ("hits", "misses"):
            family = CounterMetricFamily(f"shuyu_cache_{attribute}", f"{attribute} of the node's caches",
                                         labels=["worker", "cache"])
            for name, cache in services.caches().items():
                family.add_metric([*worker, name], getattr(cache, attribute))
            yield family


def metrics_handler(state: State) -> Response:
    """``GET /metrics``: the request metrics of every worker and this worker's state."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        shared = CollectorRegistry()
        multiprocess.MultiProcessCollector(shared)
    else:
        shared = REGISTRY
    node = CollectorRegistry(auto_describe=False)
    node.register(NodeCollector(state))
    return Response(generate_latest(shared) + generate_latest(node), headers={"content-type": CONTENT_TYPE_LATEST})


metrics = get("/metrics", sync_to_thread=False, tags=["health"], include_in_schema=True,
              summary="Prometheus metrics", responses=problems(503),
              operation_class=success_as("text/plain"))(metrics_handler)


class Readiness(msgspec.Struct):
    status: str               # "ready" or "not-ready"
    store_revision: int | None
    applied_revision: int
    index_revision: int | None
    reasons: list[str]


@get("/readyz", tags=["health"], media_type=MediaType.JSON, responses=problems(503))
async def readyz(state: State) -> Response[Readiness]:
    """Readiness: the store answers and the index is caught up (within a bound); 503 otherwise."""
    services = state.services
    reasons: list[str] = []
    store_revision: int | None = None
    try:
        with anyio.fail_after(READY_TIMEOUT):
            store_revision = await anyio.to_thread.run_sync(services.store.revision, abandon_on_cancel=True)
    except TimeoutError:
        reasons.append(f"the store did not answer within {READY_TIMEOUT:g} s")
    except Exception as exc:  # noqa: BLE001 - any failure to reach the store means not ready
        reasons.append(f"the store is unreachable: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}")
    index_revision: int | None = None
    try:
        index_revision = services.search.index.revision
        services.search.index.doc_count()
    except Exception as exc:  # noqa: BLE001
        reasons.append(f"the search index is broken: {type(exc).__name__}")
    if services.index_problem and not any("index" in r for r in reasons):
        reasons.append("the search index is being rebuilt: search answers 503")
    applied = services.catalog.revision
    if store_revision is not None:
        for name, revision in (("catalog", applied), ("index", index_revision)):
            if revision is not None and store_revision - revision > READY_LAG:
                reasons.append(f"the {name} is {store_revision - revision} revisions behind the store")
    body = Readiness(status="not-ready" if reasons else "ready", store_revision=store_revision,
                     applied_revision=applied, index_revision=index_revision, reasons=reasons)
    return Response(body, status_code=503 if reasons else 200)


LABELS = ("method", "path", "status_code", "app_name")
REQUESTS = Counter("shuyu_requests_total", "requests answered, by method, route template and status", LABELS)
ERRORS = Counter("shuyu_requests_error_total", "requests answered with a 5xx status", LABELS)
# seconds; the hot reads take well under a millisecond, search and writes up to seconds
DURATION = Histogram("shuyu_request_duration_seconds", "time to answer a request, by method, route template and status",
                     LABELS, buckets=(0.001, 0.005, 0.025, 0.1, 0.5, 2.5, 10.0))
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})  # others count as "other"
UNMATCHED = "unmatched"  # the route label of a request no route matched (its path would explode the series)
NOT_COUNTED = ("/metrics", "/static/")


class NotedStatus:
    """An ASGI ``send`` that passes every message on and notes the status answered (500 until then:
    an app that fails before it answers)."""

    def __init__(self, send: Send) -> None:
        self.send = send
        self.code = 500

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.code = message["status"]
        await self.send(message)


class RequestMetrics:
    """Counts every request by method, route template and status, and observes its duration.

    It wraps the app's ASGI handler, outside routing (litestar writes the matched route's template into
    the scope, which is read once the app has answered). The labelled children are looked up once per
    (method, route, status) and kept, so a request costs one dict look-up, a counter increment and a
    histogram observation: litestar's middleware built a Request and went through ``labels()`` (a lock
    and string conversions) four times per request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.children: dict[tuple[str, str, int], tuple] = {}

    def _children(self, key: tuple[str, str, int]) -> tuple:
        labels = (key[0] if key[0] in METHODS else "other", key[1], str(key[2]), "shuyu")
        children = (REQUESTS.labels(*labels), DURATION.labels(*labels),
                    ERRORS.labels(*labels) if key[2] >= 500 else None)
        if len(self.children) < 10_000:  # a bound, whatever methods clients invent
            self.children[key] = children
        return children

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(NOT_COUNTED):
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = NotedStatus(send)
        try:
            await self.app(scope, receive, status)
        finally:
            key = (scope["method"], scope.get("path_template") or UNMATCHED, status.code)  # type: ignore[typeddict-item]
            count, duration, errors = self.children.get(key) or self._children(key)
            count.inc()
            duration.observe(time.perf_counter() - started)
            if errors is not None:
                errors.inc()


class RequestLog:
    """One structured line per request: method, path, status, duration, revision, worker.

    It wraps the app's ASGI handler (``create_app``), so that requests no route matches are logged too.

    The line is JSON, so whatever a client puts in a path or query (a newline, quotes, control
    characters) is escaped and cannot forge a line.
    """

    def __init__(self, app: ASGIApp, state: State) -> None:
        self.app = app
        self.state = state
        self.worker = os.getpid()
        self.encode = msgspec.json.Encoder().encode

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not access_log.isEnabledFor(logging.INFO):  # websockets: none
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = NotedStatus(send)
        try:
            await self.app(scope, receive, status)
        finally:
            services = getattr(self.state, "services", None)
            line = {
                "method": scope["method"],  # type: ignore[typeddict-item]
                "path": scope["path"],
                "query": scope.get("query_string", b"").decode("latin-1"),
                "status": status.code,
                "ms": round((time.perf_counter() - started) * 1000, 3),
                "revision": services.catalog.revision if services is not None else None,
                "worker": self.worker,
            }
            access_log.info(self.encode(line).decode())
