"""What an operator sees of a running node: Prometheus metrics, readiness, one log line per request.

Request counts and latencies come from ``RequestMetrics``, fed by ``EveryRequest`` (the one ASGI wrapper
around the app's handler) and labelled by route template, not by path, so concept ids do not explode
the series; it replaced litestar's Prometheus middleware, which cost more CPU per hot read than the read
itself (docs/performance.md). A request is noted as one tuple in one list (``RequestNotes``); in batches,
the notes are added to plain numbers, handed to prometheus_client in bulk, and encoded and written as the
request log's lines, so both cost a small part of a bare route.
The node's own state (applied revision, lag behind the store, index documents, catalog size, cache hit
rates) is read when ``/metrics`` is scraped. With several workers,
``shuyu serve`` points ``PROMETHEUS_MULTIPROC_DIR`` at a folder of the data folder, so request
counters add up over the workers; the state gauges are those of the worker that answers, labelled
with its process id.
"""

from __future__ import annotations

import asyncio
import logging
import os
from bisect import bisect_right
from collections.abc import Callable, Iterator
from typing import Any
from time import perf_counter_ns

import anyio
import anyio.to_thread
import msgspec
from litestar import MediaType, Response, get
from litestar.datastructures import State
from litestar.types import ASGIApp, Receive, Scope, Send
from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest, multiprocess
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from .openapi import success_as
from .problems import problems
from .security import with_security_headers

access_log = logging.getLogger("shuyu.access")
INFO = logging.INFO
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
    request_metrics = getattr(state, "request_metrics", None)
    if request_metrics is not None:
        request_metrics.flush()  # this worker's requests until now; the others' within FLUSH_SECONDS
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
BUCKETS = (0.001, 0.005, 0.025, 0.1, 0.5, 2.5, 10.0)
BUCKETS_NS = tuple(round(bound * 1e9) for bound in BUCKETS)  # the same bounds in whole nanoseconds
DURATION = Histogram("shuyu_request_duration_seconds", "time to answer a request, by method, route template and status",
                     LABELS, buckets=BUCKETS)
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})  # others count as "other"
UNMATCHED = "unmatched"  # the route label of a request no route matched (its path would explode the series)
NOT_COUNTED = ("/metrics", "/static/")
FLUSH_SECONDS = 1.0  # request metrics reach prometheus_client at most this late (and at once on a scrape)
LOG_SECONDS = 0.2    # request log lines are written at most this late (and when LOG_BATCH are waiting)
LOG_BATCH = 512
UNLOGGED = object()  # a note's revision while the request log is off: the request gets no line
MAX_SERIES = 10_000  # (method, route, status) kept at once, whatever methods clients invent


class RequestMetrics:
    """Counts every request by method, route template and status, and its duration in the histogram.

    Requests noted by ``RequestNotes`` are added (``add``, a batch at a time) to a plain list of durations
    per (method, route, status); ``flush`` counts each list (its length, its sum, its buckets: sorted, a
    bisection per bound) and hands what was added to
    prometheus_client (the labelled children, looked up once per series): on every scrape of this worker,
    every ``FLUSH_SECONDS`` (the lifespan's ``flush_every``, so that the other workers' counts reach the
    shared multiprocess files) and at shutdown. prometheus_client
    takes a lock per increment, and in multiprocess mode writes each one to a memory-mapped file: three of
    them per request cost about as much as a bare route (docs/performance.md).

    Adding a histogram's sum and bucket counts in one go has no public call in prometheus_client
    (``observe`` takes one value): ``flush`` uses the child's ``_sum`` and ``_buckets`` (the values
    ``observe`` increments; tests/api/test_observability.py compares them with the request count)."""

    def __init__(self) -> None:
        # (method, route, status) -> the durations noted since the last flush, in whole nanoseconds
        self.cells: dict[tuple[str, str, int], list[int]] = {}
        self.children: dict[tuple[str, str, int], tuple] = {}
        self.notes: RequestNotes | None = None  # where requests wait to be counted (a scrape counts them first)

    def note(self, method: str, route: str, status: int, seconds: float) -> None:
        self.add([(method, route, "", b"", status, round(seconds * 1e9), UNLOGGED)])

    def add(self, notes: list[tuple]) -> None:
        """Count requests noted by ``RequestNotes`` (those of ``NOT_COUNTED`` paths are not); durations
        in whole nanoseconds, kept so until ``flush`` counts them."""
        cells = self.cells
        for method, route, path, _, status, nanoseconds, _ in notes:
            if path.startswith(NOT_COUNTED):
                continue
            key = (method, route or UNMATCHED, status)
            durations = cells.get(key)
            if durations is None:
                if len(cells) >= MAX_SERIES:
                    self.flush()
                    cells = self.cells
                durations = cells[key] = []
            durations.append(nanoseconds)

    def _children(self, key: tuple[str, str, int]) -> tuple:
        children = self.children.get(key)
        if children is None:
            labels = (key[0] if key[0] in METHODS else "other", key[1], str(key[2]), "shuyu")
            children = (REQUESTS.labels(*labels), DURATION.labels(*labels),
                        ERRORS.labels(*labels) if key[2] >= 500 else None)
            if len(self.children) < MAX_SERIES:
                self.children[key] = children
        return children

    def flush(self) -> None:
        if self.notes is not None and self.notes.pending:
            self.notes.flush()
        cells, self.cells = self.cells, {}
        for key, durations in cells.items():
            requests, duration, errors = self._children(key)
            count = len(durations)
            requests.inc(count)
            if errors is not None:
                errors.inc(count)
            duration._sum.inc(sum(durations) / 1e9)
            durations.sort()
            below = 0  # durations in the buckets before this one
            for bucket, bound in zip(duration._buckets, (*BUCKETS_NS, None)):
                # a duration goes to the first bucket whose bound is ≥ it (+Inf: the rest)
                upto = count if bound is None else bisect_right(durations, bound)
                if upto > below:
                    bucket.inc(upto - below)
                    below = upto


class LogLine(msgspec.Struct, gc=False):
    """The fields of a request log line, in their order."""

    method: str
    path: str
    query: str
    status: int
    ms: float
    revision: int | None
    worker: int


class RequestLog:
    """One structured line per request: method, path, query, status, duration (ms), revision, worker.

    The line is JSON, so whatever a client puts in a path or query (a newline, quotes, control
    characters) is escaped and cannot forge a line. A request is only noted (``RequestNotes``); the lines
    are encoded and handed to the ``shuyu.access`` logger together, one record holding the lines of up to
    ``LOG_SECONDS`` (or ``LOG_BATCH`` requests), one line each: a log record per request (the caller
    lookup, the record, the formatter, the handler's lock and write) cost twice a bare route."""

    def __init__(self, revision: Callable[[], int | None]) -> None:
        self.revision = revision
        self.worker = os.getpid()
        self.encode_lines = msgspec.json.Encoder().encode_lines

    @staticmethod
    def enabled() -> bool:
        return access_log.isEnabledFor(logging.INFO)

    def write(self, notes: list[tuple]) -> None:
        """The lines of the requests noted by ``RequestNotes`` while the log was on (a revision noted)."""
        worker = self.worker
        # ms to the microsecond, rounded half up: whole µs over 1000 is the float nearest that decimal, as
        # round(ms, 3) would give, without round's decimal conversion
        lines = self.encode_lines([LogLine(method, path, query.decode("latin-1") if query else "", status,
                                           (nanoseconds + 500) // 1000 / 1000, revision, worker)
                                   for method, _, path, query, status, nanoseconds, revision in notes
                                   if revision is not UNLOGGED])
        if lines:
            access_log.info(lines[:-1].decode())  # one JSON object a line, no newline at the end


class RequestNotes:
    """What ``EveryRequest`` notes of each request, one tuple appended to one list: (method, route
    template or None, path, query, status, nanoseconds, the revision that answered (``None`` before
    the services open) or ``UNLOGGED`` when the request log is off).
    Handed on together at most ``LOG_SECONDS`` later (or once ``LOG_BATCH`` wait, and before a scrape):
    counted by ``RequestMetrics``, written by ``RequestLog``. A request pays for an append, not for two
    calls that count and keep a line (a bare route costs about 20 of them)."""

    def __init__(self, metrics: RequestMetrics, log: RequestLog) -> None:
        self.metrics, self.log = metrics, log
        self.pending: list[tuple] = []
        metrics.notes = self

    def flush(self) -> None:
        pending, self.pending = self.pending, []
        if pending:
            self.metrics.add(pending)
            self.log.write(pending)


class EveryRequest:
    """What every HTTP request gets, in one ASGI wrapper around the app's handler (outside routing, so
    that requests no route matches get it too): the security headers (``api/security.py``), HEAD answered
    as the GET it stands for without the body (RFC 9110 §9.3.2: litestar routes by method before any
    middleware runs), a count and a duration in the request metrics, a line in the request log.

    One frame and one ``send`` per request, where four nested wrappers made four of each."""

    noting = True  # False: requests are neither counted nor logged (bench_asgi's "no metrics" column)

    def __init__(self, app: ASGIApp, metrics: RequestMetrics, log: RequestLog) -> None:
        self.app = app
        self.notes = RequestNotes(metrics, log)
        self.revision = log.revision

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":  # lifespan, websockets
            await self.app(scope, receive, send)
            return
        started = perf_counter_ns()
        secure = scope.get("scheme") == "https"
        method: str = scope["method"]  # type: ignore[typeddict-item]
        head = method == "HEAD"
        inner: Any = {**scope, "method": "GET"} if head else scope
        status = 500  # an app that fails before it answers

        async def answer(message: Any) -> None:
            nonlocal status
            kind = message["type"]
            if kind == "http.response.start":
                status = message["status"]
                message["headers"] = with_security_headers(message.get("headers", ()), secure)
            elif head and kind == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        try:
            await self.app(inner, receive, answer)
        finally:
            if self.noting:
                notes = self.notes
                pending = notes.pending
                pending.append((method, inner.get("path_template"), scope["path"], scope.get("query_string", b""), status,
                                perf_counter_ns() - started, self.revision() if access_log.isEnabledFor(INFO) else UNLOGGED))
                if len(pending) == 1:
                    asyncio.get_running_loop().call_later(LOG_SECONDS, notes.flush)
                elif len(pending) >= LOG_BATCH:
                    notes.flush()


async def flush_every(metrics: RequestMetrics, seconds: float = FLUSH_SECONDS) -> None:
    """The lifespan's task: request metrics reach prometheus_client (and the files the workers share)."""
    try:
        while True:
            await asyncio.sleep(seconds)
            metrics.flush()
    finally:
        metrics.flush()
