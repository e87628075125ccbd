"""The public web pages: search, concept and standard pages. Plain HTML forms; no JavaScript needed."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, MediaType, Request, get
from litestar.params import FromPath, QueryParameter
from litestar.response import Template

from registry.errors import NotFound
from registry.model import GRADE_LABELS, STANDARD_STATUS_LABELS

from search.service import FILTER_FIELDS

from .exchange import concept_download, negotiated
from .routes import MAX_PAGE, MAX_QUERY, Facet, ScriptParam
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
        q: Annotated[str, QueryParameter(max_length=MAX_QUERY)] = "",
        page: Annotated[int, QueryParameter(ge=1, le=MAX_PAGE)] = 1,
        script: ScriptParam = "zh-Hans",
        scheme: Facet = None,
        status: Facet = None,
        grade: Facet = None,
        standard: Facet = None,
        kind: Facet = None,
    ) -> Template:
        text = q.strip()
        filters = {k: v for k, v in zip(FILTER_FIELDS, (scheme, status, grade, standard, kind)) if v}
        results = None
        catalog = services.catalog  # one snapshot for the whole page
        if text:
            offset = (page - 1) * PAGE_SIZE
            found = services.search.search(text, filters=filters, offset=offset, limit=PAGE_SIZE, catalog=catalog)
            results = search_out(catalog, text, found, offset, PAGE_SIZE, script)
        return _page("search.html", q=text, results=results, page=page, page_size=PAGE_SIZE, script=script,
                     filters=filters, schemes=catalog.schemes, facet_names=FACET_NAMES,
                     facet_label=lambda name, value: facet_label(catalog, name, value), scripts=SCRIPTS)

    @get("/concepts/{concept_id:str}", sync_to_thread=False)
    def concept_page(self, request: Request, services: ServicesDep, concept_id: FromPath[str],
                     script: ScriptParam = "zh-Hans") -> Template:
        if fmt := negotiated(request):  # the concept's URI dereferenced by a linked-data client
            return concept_download(request, services, concept_id, fmt)  # type: ignore[return-value]
        concept = services.catalog.concepts.get(concept_id)
        if concept is None:
            raise NotFound(f"no concept {concept_id!r}")
        return _page("concept.html", c=concept_out(services.catalog, concept, script), schemes=services.catalog.schemes,
                     script=script, scripts=SCRIPTS)

    @get("/standards/{standard_id:str}", sync_to_thread=False)
    def standard_page(self, services: ServicesDep, standard_id: FromPath[str], script: ScriptParam = "zh-Hans") -> Template:
        standard = services.catalog.standards.get(standard_id)
        if standard is None:
            raise NotFound(f"no standard {standard_id!r}")
        return _page("standard.html", s=standard_out(services.catalog, standard, script), script=script, scripts=SCRIPTS)


SCRIPTS = {"zh-Hans": "简体", "zh-Hant": "繁體", "zh-TW": "臺灣", "zh-HK": "香港"}
FACET_NAMES = {"kind": "类型", "scheme": "方案", "status": "状态", "grade": "级别", "standard": "标准"}
KIND_LABELS = {"concept": "概念", "standard": "标准"}
CONCEPT_STATUS_LABELS = {"published": "现行", "deprecated": "已废弃"}


def facet_label(catalog, name: str, value: str) -> str:
    """A facet value as people read it: scheme titles, standard codes, Chinese status and grade names."""
    if name == "scheme":
        return catalog.schemes[value].title if value in catalog.schemes else "标准目录"
    if name == "standard" and value in catalog.standards:
        s = catalog.standards[value]
        return s.code or s.title
    if name == "grade":
        return GRADE_LABELS.get(value, value)
    if name == "kind":
        return KIND_LABELS.get(value, value)
    if name == "status":
        return CONCEPT_STATUS_LABELS.get(value) or STANDARD_STATUS_LABELS.get(value, value)
    return value

