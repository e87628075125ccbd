"""The JSON API, /api/v1. Handlers stay thin: read the catalog or call search, return a Struct."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from litestar import Controller, Response, get, post
from litestar.openapi.spec import Schema
from litestar.openapi.spec.enums import OpenAPIFormat, OpenAPIType
from litestar.params import JSONBody, QueryParameter
from msgspec import Meta, Struct

from registry.errors import InvalidInput
from registry.languages import ShownScript as Script
from registry.model import ConceptStatus, EntityKind, Grade, StandardStatus
from registry.text import char_class, is_blank, not_blank_pattern
from search.analysis import expand_query
from search.service import FILTER_FIELDS

from .problems import problems, say_pattern
from .rendering import PreEncoded
from .services import ServicesDep
from .typed_query import typed_query
from .views import (
    BatchLookupOut,
    LookupOut,
    SchemeOut,
    SearchOut,
    StandardOut,
    SuggestionOut,
    standard_out,
)

MAX_QUERY = 200
MAX_INT = 2**63 - 1  # what both stores hold in an integer column
MAX_PAGE = 100

# what require_text accepts: no control character but tab and line breaks, no U+FFFD, not blank (only spaces
# and characters that show nothing, ``registry.text.is_blank``: in the Basic Multilingual Plane, which the
# pattern can name)
_REFUSED = ((0x00, 0x08), (0x0B, 0x0C), (0x0E, 0x1F), (0x7F, 0x9F), (0xFFFD, 0xFFFD))
_NOT_TEXT = char_class(_REFUSED)
TEXT = say_pattern(not_blank_pattern(_REFUSED),
                   "is blank (only spaces or characters that show nothing), or holds a control character or "
                   "U+FFFD (text that was not UTF-8)")
Label = Annotated[str, QueryParameter(min_length=1, max_length=MAX_QUERY, pattern=TEXT, description="a label in any script")]
Query = Annotated[str, QueryParameter(min_length=1, max_length=MAX_QUERY, pattern=TEXT,
                                      description="search text in any script, pinyin or English")]
# ``at``: a revision number, an RFC 3339 date or date-time (registry.history.revision_of); empty is "now"
At = Annotated[str | None, QueryParameter(max_length=40, description="a revision number, or an RFC 3339 date or date-time",
                                          schema_extra={"one_of": [Schema(type=OpenAPIType.STRING, pattern="^[0-9]{0,18}$"),
                                                                   Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.DATE),
                                                                   Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.DATE_TIME)]})]
ReleaseTag = Annotated[str | None, QueryParameter(max_length=32, description="a release tag")]
Offset = Annotated[int, QueryParameter(ge=0, le=10_000, description="hits to skip")]
Limit = Annotated[int, QueryParameter(ge=1, le=MAX_PAGE, description=f"hits per page (at most {MAX_PAGE})")]
Facet = Annotated[str | None, QueryParameter(max_length=64)]
# the facets whose values the domain fixes: a value outside them is a 400 naming the parameter, not an empty page
StatusFacet = Annotated[Literal[ConceptStatus, StandardStatus] | None,
                        QueryParameter(description="a concept's or a standard's status")]
GradeFacet = Annotated[Grade | None, QueryParameter(description="a concept's data grade")]
KindFacet = Annotated[EntityKind | None, QueryParameter(description="concepts or standards only")]
ScriptParam = Annotated[Script, QueryParameter(description="script of labels, definitions and highlights")]
MAX_BATCH = 1000
MAX_SUGGEST = 20


class BatchLookup(Struct, forbid_unknown_fields=True):
    labels: Annotated[list[Annotated[str, Meta(min_length=1, max_length=MAX_QUERY)]], Meta(min_length=1, max_length=MAX_BATCH)]


def json_response(body: bytes) -> Response:
    """Pre-encoded JSON, sent as it is."""
    return PreEncoded(body)


CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")  # Unicode's Cc, but tab and line breaks


def require_text(value: str, name: str, *, blank: bool = False) -> str:
    """The text of a query parameter, stripped; 400 if it holds a control character, was not UTF-8 (the query
    string is decoded with U+FFFD for each bad byte: a percent-encoded lone surrogate, a stray byte or a cut
    character), or is blank (``registry.text.is_blank``: zero-width spaces alone are as empty as spaces);
    with ``blank``, a blank text is "" (no query)."""
    text = value.strip()
    if "\ufffd" in text:
        raise InvalidInput(f"{name} is not UTF-8 text", field=name)
    if CONTROL.search(text):
        raise InvalidInput(f"{name} holds a control character", field=name)
    if is_blank(text):
        if blank:
            return ""
        raise InvalidInput(f"{name} is blank (empty, or only spaces and invisible characters)", field=name)
    return text


class ConceptController(Controller):
    path = "/api/v1"
    tags = ["concepts"]

    @get("/lookup", sync_to_thread=False, responses=problems(400), before_request=typed_query)
    def lookup(self, services: ServicesDep, label: Label, script: ScriptParam = "zh-Hans") -> Response[LookupOut]:
        """Concepts that have this exact label (any label type, any script), preferred labels first."""
        label = require_text(label, "label")
        catalog = services.catalog  # one snapshot for the whole answer
        matches = catalog.lookup(label, expand_query(label))
        return json_response(services.rendered.lookup(catalog, label, matches, script))

    @post("/lookup", sync_to_thread=False, status_code=200, responses=problems(400, 413, 422))
    def batch_lookup(self, services: ServicesDep, data: JSONBody[BatchLookup],
                     script: ScriptParam = "zh-Hans") -> Response[BatchLookupOut]:
        """Up to 1,000 labels at once: for each, the concepts it names and whether it is preferred,
        admitted or deprecated there."""
        catalog = services.catalog
        results, found = [], 0
        for label in data.labels:
            matches = catalog.lookup(label, expand_query(label))
            found += bool(matches)
            results.append(services.rendered.lookup(catalog, label, matches, script))
        body = b'{"results":[' + b",".join(results) + b'],"found":%d,"not_found":%d}' % (found, len(results) - found)
        return json_response(body)

    @get("/standards", sync_to_thread=False, responses=problems(400))
    def list_standards(self, services: ServicesDep, script: ScriptParam = "zh-Hans") -> list[StandardOut]:
        """The standards catalogue."""
        catalog = services.catalog
        return [standard_out(catalog, s, script) for s in sorted(catalog.standards.values(), key=lambda s: s.id)]

    @get("/schemes", sync_to_thread=False, responses=problems(400))
    def list_schemes(self, services: ServicesDep) -> list[SchemeOut]:
        """The concept schemes and how many concepts each holds."""
        catalog = services.catalog
        counts = catalog.concepts.scheme_counts()
        return [
            SchemeOut(id=s.id, title=s.title, title_en=s.title_en, description=s.description, status=s.status,
                      concepts=counts.get(s.id, 0))
            for s in catalog.schemes.values()
        ]


class SearchController(Controller):
    path = "/api/v1"
    tags = ["search"]

    # answered on the event loop, like the other catalog reads: the search holds the GIL throughout, so
    # a thread would not let other requests run meanwhile, and the hop to it is a large part of the
    # route's time (docs/performance-log.md); its query read once from the query string (api/typed_query.py),
    # as lookup's and suggest's are
    @get("/search", sync_to_thread=False, responses=problems(400, 503), before_request=typed_query)
    def search(
        self,
        services: ServicesDep,
        q: Query,
        offset: Offset = 0,
        limit: Limit = 20,
        scheme: Facet = None,
        status: StatusFacet = None,
        grade: GradeFacet = None,
        standard: Facet = None,
        kind: KindFacet = None,
        script: ScriptParam = "zh-Hans",
    ) -> Response[SearchOut]:
        """Ranked full-text search over labels (any script, pinyin, English, codes) and definitions,
        with highlights, facet counts and filters. 503 ``index-unavailable`` while the index is rebuilt."""
        text = require_text(q, "q")
        filters = {k: v for k, v in zip(FILTER_FIELDS, (scheme, status, grade, standard, kind)) if v}
        catalog = services.catalog  # one snapshot for the whole answer
        results = services.search_results(text, filters=filters, offset=offset, limit=limit, catalog=catalog)
        return json_response(services.rendered.search(catalog, text, results, offset, limit, script))

    @get("/suggest", sync_to_thread=False, responses=problems(400), before_request=typed_query)
    def suggest(
        self,
        services: ServicesDep,
        q: Query,
        limit: Annotated[int, QueryParameter(ge=1, le=MAX_SUGGEST)] = 10,
        script: ScriptParam = "zh-Hans",
    ) -> Response[list[SuggestionOut]]:
        """Type-ahead: concepts and standards whose label (any script), pinyin, initials, English label
        or code starts with ``q``; answered from memory."""
        text = require_text(q, "q")
        catalog = services.catalog  # one snapshot for the whole answer
        found = services.search.suggest(text, limit, catalog=catalog)
        return json_response(services.rendered.suggestions(catalog, found, script))
