"""The JSON API, /api/v1. Handlers stay thin: read the catalog or call search, return a Struct."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get
from litestar.params import FromPath, Parameter

from registry.errors import InvalidInput, NotFound
from search.analysis import expand_query
from search.service import FILTER_FIELDS

from .services import ServicesDep
from .views import (
    ConceptOut,
    LookupOut,
    SchemeOut,
    SearchOut,
    StandardOut,
    concept_out,
    lookup_out,
    search_out,
    standard_out,
)

MAX_QUERY = 200
MAX_PAGE = 100

Label = Annotated[str, Parameter(min_length=1, max_length=MAX_QUERY, description="a label in any script")]
Query = Annotated[str, Parameter(min_length=1, max_length=MAX_QUERY, description="search text in any script, pinyin or English")]
Offset = Annotated[int, Parameter(ge=0, le=10_000, description="hits to skip")]
Limit = Annotated[int, Parameter(ge=1, le=MAX_PAGE, description=f"hits per page (at most {MAX_PAGE})")]
Facet = Annotated[str | None, Parameter(max_length=64)]


def require_text(value: str, name: str) -> str:
    if not value.strip():
        raise InvalidInput(f"{name} is empty", field=name)
    return value.strip()


class ConceptController(Controller):
    path = "/api/v1"
    tags = ["concepts"]

    @get("/concepts/{concept_id:str}", sync_to_thread=False)
    def get_concept(self, services: ServicesDep, concept_id: FromPath[str]) -> ConceptOut:
        """The current version of a concept."""
        concept = services.catalog.concepts.get(concept_id)
        if concept is None:
            raise NotFound(f"no concept {concept_id!r}")
        return concept_out(services.catalog, concept)

    @get("/lookup", sync_to_thread=False)
    def lookup(self, services: ServicesDep, label: Label) -> LookupOut:
        """Concepts that have this exact label (any label type, any script), preferred labels first."""
        label = require_text(label, "label")
        matches = services.catalog.lookup(label, expand_query(label))
        return lookup_out(services.catalog, label, matches)

    @get("/standards", sync_to_thread=False)
    def list_standards(self, services: ServicesDep) -> list[StandardOut]:
        """The standards catalogue."""
        catalog = services.catalog
        return [standard_out(catalog, s) for s in sorted(catalog.standards.values(), key=lambda s: s.id)]

    @get("/standards/{standard_id:str}", sync_to_thread=False)
    def get_standard(self, services: ServicesDep, standard_id: FromPath[str]) -> StandardOut:
        """One standard: code, title, lifecycle status, dates, bodies and the concepts it governs."""
        standard = services.catalog.standards.get(standard_id)
        if standard is None:
            raise NotFound(f"no standard {standard_id!r}")
        return standard_out(services.catalog, standard)

    @get("/schemes", sync_to_thread=False)
    def list_schemes(self, services: ServicesDep) -> list[SchemeOut]:
        """The concept schemes and how many concepts each holds."""
        catalog = services.catalog
        counts: dict[str, int] = {}
        for c in catalog.concepts.values():
            counts[c.scheme] = counts.get(c.scheme, 0) + 1
        return [
            SchemeOut(id=s.id, title=s.title, title_en=s.title_en, description=s.description, status=s.status,
                      concepts=counts.get(s.id, 0))
            for s in catalog.schemes.values()
        ]


class SearchController(Controller):
    path = "/api/v1"
    tags = ["search"]

    @get("/search", sync_to_thread=True)
    def search(
        self,
        services: ServicesDep,
        q: Query,
        offset: Offset = 0,
        limit: Limit = 20,
        scheme: Facet = None,
        status: Facet = None,
        grade: Facet = None,
        standard: Facet = None,
        kind: Facet = None,
    ) -> SearchOut:
        """Ranked full-text search over labels (any script, pinyin, English, codes) and definitions."""
        text = require_text(q, "q")
        values = dict(zip(FILTER_FIELDS, (scheme, status, grade, standard, kind)))
        filters = {k: v for k, v in values.items() if v}
        results = services.search.search(text, filters=filters, offset=offset, limit=limit)
        return search_out(services.catalog, text, results, offset, limit)
