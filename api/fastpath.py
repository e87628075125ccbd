"""A thin ASGI fast path for the two hottest reads, in front of litestar.

`GET /api/v1/concepts/{id}` (current version), `GET /api/v1/lookup?label=`, `GET /api/v1/suggest?q=`
and `GET /healthz` are answered from memory with pre-encoded JSON, skipping the framework's per-request work. Anything the fast path does not
fully understand — another parameter, a bad value, an unknown id, an empty label — goes on to the
litestar route, which stays the one description of these endpoints (OpenAPI, problem details).
"""

from __future__ import annotations

import os
from urllib.parse import parse_qsl

from search.analysis import expand_query

from .etags import etag_matches
from .routes import MAX_QUERY, MAX_SUGGEST

SCRIPTS = {"zh-Hans", "zh-Hant", "zh-TW", "zh-HK"}
CONCEPTS = "/api/v1/concepts/"
LOOKUP = "/api/v1/lookup"
HEALTH = "/healthz"
SUGGEST = "/api/v1/suggest"


EXCHANGE_TYPES = (b"turtle", b"rdf+xml", b"ld+json", b"tbx", b"csv", b"n-triples", b"toml")


def _wants_exchange(scope) -> bool:
    """An ``Accept`` naming an exchange format (Turtle, TBX, CSV ...): the route negotiates it."""
    accept = next((v for k, v in scope["headers"] if k == b"accept"), b"").lower()
    return any(t in accept for t in EXCHANGE_TYPES)


class FastReads:
    def __init__(self, app) -> None:
        self.app = app

    @property
    def state(self):
        """The litestar app's state (its services), for whoever holds the outer app."""
        return self.app.state

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET":
            answer = self._answer(scope)
            if answer is not None:
                status, headers, body = answer
                await send({"type": "http.response.start", "status": status, "headers": headers})
                await send({"type": "http.response.body", "body": body})
                return
        await self.app(scope, receive, send)

    def _answer(self, scope) -> tuple[int, list[tuple[bytes, bytes]], bytes] | None:
        path = scope["path"]
        if path == HEALTH and not scope["query_string"]:
            return self._health()
        if path.startswith(CONCEPTS):
            return self._concept(scope, path[len(CONCEPTS):])
        if path == LOOKUP:
            return self._lookup(scope)
        if path == SUGGEST:
            return self._suggest(scope)
        return None

    def _params(self, scope, allowed: set[str]) -> dict[str, str] | None:
        try:
            pairs = parse_qsl(scope["query_string"].decode("utf-8"), keep_blank_values=True, strict_parsing=False)
        except UnicodeDecodeError:
            return None
        params = dict(pairs)
        if len(params) != len(pairs) or not params.keys() <= allowed:
            return None  # repeated or unknown parameters: litestar decides
        script = params.setdefault("script", "zh-Hans")
        return params if script in SCRIPTS else None

    def _services(self):
        return getattr(self.app.state, "services", None)

    def _concept(self, scope, concept_id: str):
        params = self._params(scope, {"script"})
        services = self._services()
        if params is None or services is None or "/" in concept_id or _wants_exchange(scope):
            return None
        concept = services.catalog.concepts.get(concept_id)
        if concept is None:
            return None
        body, etag = services.rendered.concept_and_etag(services.catalog, concept, params["script"])
        headers = [(b"etag", etag.encode()), (b"cache-control", b"no-cache")]
        if_none_match = next((v.decode("latin-1") for k, v in scope["headers"] if k == b"if-none-match"), None)
        if etag_matches(if_none_match, etag):
            return 304, headers, b""
        return 200, [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()), *headers], body

    def _health(self):
        services = self._services()
        if services is None:
            return None
        body = b'{"status":"ok","revision":%d,"worker":%d}' % (services.catalog.revision, os.getpid())
        return 200, [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())], body

    def _lookup(self, scope):
        params = self._params(scope, {"label", "script"})
        services = self._services()
        if params is None or services is None:
            return None
        label = params.get("label", "")
        if not label.strip() or len(label) > MAX_QUERY:
            return None
        label = label.strip()
        catalog = services.catalog
        body = services.rendered.lookup(catalog, label, catalog.lookup(label, expand_query(label)), params["script"])
        return 200, [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())], body

    def _suggest(self, scope):
        params = self._params(scope, {"q", "limit", "script"})
        services = self._services()
        if params is None or services is None:
            return None
        text, limit = params.get("q", ""), params.get("limit", "10")
        if not text.strip() or len(text) > MAX_QUERY or not (limit.isascii() and limit.isdigit()) or not 1 <= int(limit) <= MAX_SUGGEST:
            return None
        found = services.search.suggest(text.strip(), int(limit))
        body = services.rendered.suggestions(services.catalog, found, params["script"])
        return 200, [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())], body
