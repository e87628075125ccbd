"""The public web pages: search, concept and standard pages. Plain HTML forms; no JavaScript needed."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, MediaType, get
from litestar.params import FromPath, Parameter
from litestar.response import Template

from registry.errors import NotFound
from registry.model import GRADE_LABELS, STANDARD_STATUS_LABELS

from .routes import MAX_PAGE, MAX_QUERY
from .services import ServicesDep
from .views import concept_out, search_out, standard_out

PAGE_SIZE = 20


def _page(name: str, **context) -> Template:
    context.setdefault("grade_labels", GRADE_LABELS)
    context.setdefault("status_labels", STANDARD_STATUS_LABELS)
    return Template(template_name=name, context=context, media_type=MediaType.HTML)


class WebController(Controller):
    include_in_schema = False

    @get("/", sync_to_thread=True)
    def search_page(
        self,
        services: ServicesDep,
        q: Annotated[str, Parameter(max_length=MAX_QUERY)] = "",
        page: Annotated[int, Parameter(ge=1, le=MAX_PAGE)] = 1,
    ) -> Template:
        text = q.strip()
        results = None
        if text:
            offset = (page - 1) * PAGE_SIZE
            found = services.search.search(text, offset=offset, limit=PAGE_SIZE)
            results = search_out(services.catalog, text, found, offset, PAGE_SIZE)
        schemes = services.catalog.schemes
        return _page("search.html", q=text, results=results, page=page, page_size=PAGE_SIZE, schemes=schemes)

    @get("/concepts/{concept_id:str}", sync_to_thread=False)
    def concept_page(self, services: ServicesDep, concept_id: FromPath[str]) -> Template:
        concept = services.catalog.concepts.get(concept_id)
        if concept is None:
            raise NotFound(f"no concept {concept_id!r}")
        return _page("concept.html", c=concept_out(services.catalog, concept), schemes=services.catalog.schemes)

    @get("/standards/{standard_id:str}", sync_to_thread=False)
    def standard_page(self, services: ServicesDep, standard_id: FromPath[str]) -> Template:
        standard = services.catalog.standards.get(standard_id)
        if standard is None:
            raise NotFound(f"no standard {standard_id!r}")
        return _page("standard.html", s=standard_out(services.catalog, standard))

