"""Pre-encoded JSON for the hot reads: a concept per script, and the concept part of a lookup match.

Entries are made on first use and carry the catalog revision they were made at; a newer revision
(any published change, since a concept's JSON names its neighbours) remakes them on next use.
"""

from __future__ import annotations

import functools
import sys
import threading
from enum import Enum
from collections import OrderedDict
from typing import Any, NamedTuple

import msgspec
from litestar import MediaType, Response
from litestar.datastructures import MutableScopeHeaders
from litestar.response.base import ASGIResponse

from registry.languages import ZH_HANS, ZH_HANT, ZH_HK, ZH_TW
from registry.model import ConceptVersion
from search.catalog import Catalog, LabelMatch, Suggestion
from search.highlight import highlight, lowered, prepared
from search.service import TIERS, Hit, SearchResults

from .etags import etag_of_bytes
from .views import Highlight, HitMatch, LookupHead, concept_out, hit_static, lookup_head, suggestion_head

MAX_BYTES = 8 * 1024 * 1024  # what the cached values and their keys may hold at most, oldest dropped first
ENTRY_OVERHEAD = 200  # a key of three strings, its entry tuple and its place in the ordered dict, roughly
encode = msgspec.json.Encoder().encode


class PreEncoded(Response):
    """Bytes encoded once (see ``RenderCache``), sent as they are through litestar's one response path.

    A ``Response`` without the work that bytes do not need: no serialisation, and the handler's own
    headers kept as given. Whatever the app adds (layer headers and cookies, after-request hooks,
    middleware) still applies; the route's annotation (``Response[ConceptOut]``) still documents it.
    """

    def __init__(self, body: bytes, *, status_code: int = 200, headers: dict[str, str] | None = None,
                 media_type: str = MediaType.JSON) -> None:
        # Response.__init__ normalises content, headers and encoders: nothing to do for bytes
        self.content = body
        self.status_code = status_code
        self.headers = headers if headers is not None else {}
        self.media_type = media_type
        self.cookies = []
        self.background = None
        self.encoding = "utf-8"
        self.response_type_encoders = {}

    def to_asgi_response(self, app: Any, request: Any, *, background: Any = None, cookies: Any = None,
                         headers: dict[str, str] | None = None, is_head_response: bool = False,
                         **_: Any) -> ASGIResponse:
        merged = ({**headers, **self.headers} if self.headers else headers) if headers else self.headers
        if not is_head_response and not cookies and not self.cookies and self.status_code in PLAIN_STATUSES:
            # kept only for an answer with no headers of its own: an entity tag differs per answer
            listed = (_listed if not self.headers else _listed.__wrapped__)(tuple(merged.items()), self.media_type)
            if listed is not None:
                return _Sent(self.content, self.status_code, listed, self.background or background)
        return ASGIResponse(
            body=self.content, status_code=self.status_code, media_type=self.media_type,
            headers=merged,
            cookies=[*self.cookies, *cookies] if cookies else self.cookies,
            background=self.background or background, is_head_response=is_head_response,
        )


PLAIN_STATUSES = frozenset((200, 201, 202, 203, 206))  # a body allowed, nothing for ASGIResponse to drop
SET_BY_RESPONSE = frozenset(("content-type", "content-length"))


@functools.lru_cache(maxsize=256)
def _listed(headers: tuple[tuple[str, str], ...], media_type: Enum | str | None) -> tuple[tuple[bytes, bytes], ...] | None:
    """The raw headers ``ASGIResponse`` lists for ``headers`` and ``media_type`` before the content length (the
    given ones lower-cased and latin-1 encoded, in order, then the content type); None when one of them is a
    header the response sets itself. Kept per distinct pair: a route's layered headers are the same on every
    answer."""
    if any(name.lower() in SET_BY_RESPONSE for name, _ in headers):
        return None
    media_type = media_type or MediaType.JSON  # as ASGIResponse reads it (an enum: its value)
    media: str = media_type.value if isinstance(media_type, Enum) else media_type
    raw = [(name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in headers]
    raw.append((b"content-type", (f"{media}; charset=utf-8" if media.startswith("text/") else media).encode("latin-1")))
    return tuple(raw)


class _Sent(ASGIResponse):
    """The ``ASGIResponse`` that ``ASGIResponse(body=…, headers=…, media_type=…)`` makes for a body it may
    send, no cookies and no content type or length among the headers: the same raw headers (the given ones
    lower-cased and latin-1 encoded, in order, then content type and length), listed at once rather than
    set one by one through ``MutableScopeHeaders.setdefault`` (a scan that decodes every header).
    tests/api/test_rendering.py compares the two's headers and attributes."""

    def __init__(self, body: bytes, status_code: int, listed: tuple[tuple[bytes, bytes], ...], background: Any) -> None:
        raw = [*listed, (b"content-length", b"%d" % len(body))]  # listed: ``_listed``'s
        self.headers = MutableScopeHeaders()
        self.headers.headers = raw
        self.background = background
        self.body = body
        self.content_length = len(body)
        self._encoded_cookies = ()
        self.encoding = "utf-8"
        self.is_head_response = False
        self.status_code = status_code

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        # ASGIResponse.__call__'s two messages and background task for what this holds (a body it sends, no
        # cookies), without its four method calls; the raw header list is this answer's own, made above
        await send({"type": "http.response.start", "status": self.status_code, "headers": self.headers.headers})
        await send({"type": "http.response.body", "body": self.body, "more_body": False})
        if self.background is not None:
            await self.background()


class HitParts(NamedTuple):
    """A search hit's JSON around what depends on the query, and the texts its highlights mark."""

    head: bytes  # {"id":…,"grade":…,
    replaced_by: bytes  # ,"replaced_by":[…],"coverage":
    qualifier: bytes  # ,"qualifier":"…"}
    label: str
    label_script: str
    label_target: str  # prepared(label)
    definition: str
    definition_target: str

    @classmethod
    def of(cls, catalog: Catalog, hit: Hit, script: str) -> HitParts:
        static = hit_static(catalog, hit.kind, hit.id, script)
        label, label_target = static.label, static.label_target
        definition, definition_target = static.definition, prepared(static.definition)
        # a text its prepared form equals is kept once, as that form: the text went into the head's JSON,
        # which left its UTF-8 beside it (a third of a hit's bytes, and the render cache is bounded by bytes)
        if label_target == label:
            label = label_target
        if definition_target == definition:
            definition = definition_target
        return cls(head=encode(static.head)[:-1] + b",",
                   replaced_by=(_NO_REPLACEMENTS if not static.replaced_by else
                                b',"replaced_by":' + encode(static.replaced_by) + b',"coverage":'),
                   qualifier=_NO_QUALIFIER if not static.qualifier else b',"qualifier":' + encode(static.qualifier) + b"}",
                   label=label, label_script=_SCRIPTS.get(static.label_script, static.label_script),
                   label_target=label_target, definition=definition, definition_target=definition_target)


# what most hits hold, one object for all of them: not counted in an entry's bytes (``held_bytes``)
_NO_REPLACEMENTS = b',"replaced_by":[],"coverage":'
_NO_QUALIFIER = b',"qualifier":""}'
_SCRIPTS = {name: name for name in (ZH_HANS, ZH_HANT, ZH_TW, ZH_HK)}
_SHARED = frozenset(map(id, (_NO_REPLACEMENTS, _NO_QUALIFIER, *_SCRIPTS.values())))


def held_bytes(value: Any) -> int:
    """The bytes an entry's value holds: its own size, and for a tuple (``HitParts``) its fields' too,
    each object once, apart from those every entry shares (``_SHARED``)."""
    if isinstance(value, tuple):
        fields = {id(field): field for field in value if id(field) not in _SHARED}
        return sys.getsizeof(value) + sum(map(sys.getsizeof, fields.values()))
    return sys.getsizeof(value)


class RenderCache:
    """Encoded answers by (kind, id, script), each with the revision it was made at, bounded by bytes
    (``max_bytes``): a concept's JSON is 100 bytes or 20 kB, so a count of entries bounds nothing."""

    def __init__(self, max_bytes: int = MAX_BYTES) -> None:
        # the oldest dropped first (a dict's first key is found past every key deleted before it)
        self._entries: OrderedDict[tuple[str, str, str], tuple[int, Any, int]] = OrderedDict()
        self._lock = threading.Lock()
        self.max_bytes = max_bytes
        self.bytes = 0  # what the entries hold (``held_bytes`` + ``ENTRY_OVERHEAD`` each), under the lock
        self.hits = self.misses = 0  # read by /metrics; a lost increment between threads does not matter

    def _get(self, key: tuple[str, str, str], revision: int, make) -> Any:
        entry = self._entries.get(key)
        if entry is not None and entry[0] == revision:
            self.hits += 1
            return entry[1]
        self.misses += 1
        body = make()
        size = held_bytes(body) + ENTRY_OVERHEAD
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self.bytes -= old[2]
            while self._entries and self.bytes + size > self.max_bytes:
                self.bytes -= self._entries.popitem(last=False)[1][2]
            if size <= self.max_bytes:
                self._entries[key] = (revision, body, size)
                self.bytes += size
        return body

    def concept(self, catalog: Catalog, concept: ConceptVersion, script: str) -> bytes:
        """The JSON of GET /api/v1/concepts/{id} for the current version."""
        return self._get(("concept", concept.id, script), catalog.revision,
                         lambda: encode(concept_out(catalog, concept, script)))

    def concept_and_etag(self, catalog: Catalog, concept: ConceptVersion, script: str) -> tuple[bytes, str]:
        """The concept's JSON and its entity tag (the hash of those bytes), both made once per revision."""
        body = self.concept(catalog, concept, script)
        etag = self._get(("etag", concept.id, script), catalog.revision, lambda: etag_of_bytes(body).encode())
        return body, etag.decode()

    def lookup(self, catalog: Catalog, label: str, matches: list[LabelMatch], script: str) -> bytes:
        """The JSON of a lookup answer, assembled from pre-encoded concept parts."""
        parts = []
        for match in matches:
            head = self._get(("head", match.id, script), catalog.revision,  # decoded only when not made yet
                             lambda i=match.id: encode(lookup_head(catalog, catalog.concepts[i], script))[:-1])
            parts.append(head + b',"label_status":' + encode(match.term.type) + b',"matched":' + encode(match.term) + b"}")
        return b'{"label":' + encode(label) + b',"matches":[' + b",".join(parts) + b"]}"


    def search(self, catalog: Catalog, query: str, results: SearchResults, offset: int, limit: int,
               script: str) -> bytes:
        """The JSON of a search answer (``views.search_out`` encoded), assembled from per-hit parts made once
        per revision and script: only the match, its highlights and its coverage are encoded per answer."""
        terms = lowered(results.highlight_terms)
        concepts, standards, revision = catalog.concepts, catalog.standards, catalog.revision
        hits = []
        for hit in results.hits:
            if hit.id not in concepts and hit.id not in standards:
                continue
            parts: HitParts = self._get(("hit", hit.id, script), revision,
                                        lambda h=hit: HitParts.of(catalog, h, script))
            marks = lowered(hit.marks) if hit.marks else terms
            matched = HitMatch(
                match=TIERS[hit.tier], matched_label=hit.matched, matched_type=hit.matched_type,
                highlight=Highlight(
                    label=highlight(parts.label, marks, parts.label_script, parts.label_target, terms_lowered=True),
                    definition=highlight(parts.definition, terms, script, parts.definition_target, terms_lowered=True)))
            hits.append(parts.head + encode(matched)[1:-1] + parts.replaced_by + encode(hit.coverage) + parts.qualifier)
        counts = b',"total":%d,"total_exact":%s,"offset":%d,"limit":%d,"revision":%d,"hits":[' % (
            results.total, b"true" if results.total_exact else b"false", offset, limit, results.revision)
        return b"".join((b'{"query":', encode(query), b',"script":', encode(script), counts, b",".join(hits),
                         b'],"facets":', encode(results.facets), b"}"))

    def suggestions(self, catalog: Catalog, suggestions: list[Suggestion], script: str) -> bytes:
        """The JSON of a suggest answer, assembled from pre-encoded parts."""
        parts = [
            self._get(("suggest", s.id, script), catalog.revision,
                      lambda s=s: encode(suggestion_head(catalog, s, script))[:-1])
            + b',"matched":' + encode(s.matched) + b"}"
            for s in suggestions
        ]
        return b"[" + b",".join(parts) + b"]"


__all__ = ["RenderCache", "held_bytes", "LookupHead", "PreEncoded"]
