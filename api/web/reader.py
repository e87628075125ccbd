"""The reader pages: home and search, schemes, concepts with their history and diffs, changes, releases,
standards. Handlers look things up and hand them to a template; ``browse`` assembles the rest."""

from __future__ import annotations

from collections import Counter
from typing import Annotated

from litestar import Controller, Request, Response, get
from litestar.params import FromPath, QueryParameter
from litestar.response import Template

from registry.diff import diff_versions
from registry.errors import InvalidInput, NotFound
from registry.model import StandardVersion
from search.service import FILTER_FIELDS

from ..exchange import concept_download, negotiated
from ..routes import MAX_PAGE, MAX_QUERY, Facet, require_text
from ..services import ServicesDep
from ..views import concept_out, standard_out
from . import browse, svg
from .diffview import diff_view
from .hits import web_hit
from .labels import FACETS, facet_value
from .page import page, vary
from .script import official, pick, ui

PAGE_SIZE = 20
CHANGES_PAGE = 30


def _concept(services, concept_id: str):
    concept = services.catalog.concepts.get(concept_id)
    if concept is None:
        raise NotFound(f"没有标识为 {concept_id!r} 的概念")
    return concept


class ReaderController(Controller):
    include_in_schema = False

    @get("/", sync_to_thread=True)
    def home(
        self, request: Request, services: ServicesDep,
        q: Annotated[str, QueryParameter(max_length=MAX_QUERY)] = "",
        page_number: Annotated[int, QueryParameter(name="page", ge=1, le=MAX_PAGE)] = 1,
        scheme: Facet = None, status: Facet = None, grade: Facet = None, standard: Facet = None, kind: Facet = None,
    ) -> Template:
        catalog = services.catalog
        script, _ = pick(request)
        # a control character or bytes that are not UTF-8: a 400 page; no query (or a blank one): the home page
        text = require_text(q, "q", blank=True)
        if not text:
            changes, _ = browse.recent_changes(services.store, catalog, None, 8)
            releases = services.store.releases()
            standards = sorted(catalog.standards.values(), key=lambda s: (s.status != "in_force", s.code or "~", s.id))
            return page(request, services, "home.html", schemes=catalog.schemes, counts=browse.scheme_counts(catalog),
                        standards=standards[:8], standard_total=len(catalog.standards), changes=changes,
                        release=releases[-1] if releases else None)
        filters = {k: v for k, v in zip(FILTER_FIELDS, (scheme, status, grade, standard, kind)) if v}
        offset = (page_number - 1) * PAGE_SIZE
        found = services.search_results(text, filters=filters, offset=offset, limit=PAGE_SIZE, catalog=catalog)
        hits = [web_hit(catalog, h, found.highlight_terms, text, script) for h in found.hits
                if h.id in catalog.concepts or h.id in catalog.standards]
        facets = {name: [(value, n, facet_value(catalog, name, value)) for value, n in found.facets.get(name, {}).items()]
                  for name in FACETS}
        return page(request, services, "search.html", q=text, hits=hits, total=found.total, offset=offset,
                    page_number=page_number, page_size=PAGE_SIZE, filters=filters, facets=facets,
                    more=offset + len(found.hits) < found.total, schemes=catalog.schemes)

    @get("/schemes/{scheme_id:str}", sync_to_thread=False)
    def scheme(self, request: Request, services: ServicesDep, scheme_id: FromPath[str]) -> Template:
        catalog = services.catalog
        scheme = catalog.schemes.get(scheme_id)
        if scheme is None:
            raise NotFound(f"没有标识为 {scheme_id!r} 的方案")
        script, _ = pick(request)
        grades = browse.grade_counts(catalog, scheme_id)
        chart = None
        if any(n for _, n in grades):
            chart = svg.bar_chart([(ui(f"{browse.labels.GRADE_SHORT[g]}", script), n) for g, n in grades],
                                  ui(f"{scheme.title}:各级别的类目数", script))
        return page(request, services, "scheme.html", scheme=scheme, tree=browse.scheme_tree(catalog, scheme_id),
                    index=browse.pinyin_index(catalog, scheme_id), grades=grades, chart=chart,
                    count=browse.scheme_counts(catalog)[scheme_id])

    @get("/concepts/{concept_id:str}", sync_to_thread=False)
    def concept(self, request: Request, services: ServicesDep, concept_id: FromPath[str]) -> Response:
        if fmt := negotiated(request):  # the concept's URI dereferenced by a linked-data client
            return concept_download(request, services, concept_id, fmt)
        return vary(self._concept_page(request, services, _concept(services, concept_id), None), "Accept")

    @get("/concepts/{concept_id:str}/versions/{version:int}", sync_to_thread=True)
    def concept_version(self, request: Request, services: ServicesDep, concept_id: FromPath[str],
                        version: FromPath[int]) -> Template:
        current = _concept(services, concept_id)
        return self._concept_page(request, services, services.store.get("concept", concept_id, version), current)

    def _concept_page(self, request: Request, services, concept, current) -> Template:
        catalog = services.catalog
        script, _ = pick(request)
        c = concept_out(catalog, concept, script)
        names = {k: ui(v, script) for k, v in (("broader", "上位概念"), ("narrower", "下位概念"), ("related", "相关概念"))}
        picture = svg.neighbourhood(c.preferred, [r.label for r in c.broader], [r.label for r in c.narrower],
                                    [r.label for r in c.related], names)
        return page(request, services, "concept.html", c=c, concept=concept, current=current,
                    scheme=catalog.schemes.get(concept.scheme), crumbs=browse.breadcrumb(catalog, concept),
                    picture=picture, uri=f"{services.settings.uri_base}/concepts/{concept.id}",
                    standards={s.id: catalog.standards[s.id] for s in c.standards})

    @get("/concepts/{concept_id:str}/history", sync_to_thread=True)
    def history(self, request: Request, services: ServicesDep, concept_id: FromPath[str]) -> Template:
        concept = _concept(services, concept_id)
        return page(request, services, "history.html", concept=concept,
                    versions=browse.versions(services.store, "concept", concept_id))

    @get("/concepts/{concept_id:str}/diff", sync_to_thread=True)
    def diff(
        self, request: Request, services: ServicesDep, concept_id: FromPath[str],
        from_version: Annotated[int | None, QueryParameter(name="from", ge=0, le=1_000_000)] = None,
        to_version: Annotated[int | None, QueryParameter(name="to", ge=1, le=1_000_000)] = None,
    ) -> Template:
        concept = _concept(services, concept_id)
        after = services.store.get("concept", concept_id, to_version)
        start = after.version - 1 if from_version is None else from_version
        if start >= after.version:
            start, after = after.version, services.store.get("concept", concept_id, start)
        if start >= after.version:
            raise InvalidInput("请选择两个不同的版本", field="from")
        before = services.store.get("concept", concept_id, start) if start else None
        script, _ = pick(request)
        return page(request, services, "diff.html", concept=concept, before=before, after=after,
                    d=diff_view(diff_versions(before, after), services.catalog, script),
                    versions=browse.versions(services.store, "concept", concept_id))

    @get("/changes", sync_to_thread=True)
    def changes(self, request: Request, services: ServicesDep,
                before: Annotated[int | None, QueryParameter(ge=1, le=2**62)] = None) -> Template:
        rows, next_before = browse.recent_changes(services.store, services.catalog, before, CHANGES_PAGE)
        return page(request, services, "changes.html", rows=rows, next_before=next_before, before=before)

    @get("/releases", sync_to_thread=True)
    def releases(self, request: Request, services: ServicesDep) -> Template:
        return page(request, services, "releases.html", releases=list(reversed(services.store.releases())))

    @get("/releases/{tag:str}", sync_to_thread=True)
    def release(self, request: Request, services: ServicesDep, tag: FromPath[str]) -> Template:
        store = services.store
        release = store.get_release(tag)
        earlier = [r for r in store.releases() if r.revision < release.revision]
        from registry.history import summarize
        summary = summarize(store, earlier[-1].revision if earlier else 0, release.revision)
        return page(request, services, "release.html", release=release, since=earlier[-1] if earlier else None,
                    summary=summary, catalog=services.catalog)

    @get("/standards", sync_to_thread=False)
    def standards(self, request: Request, services: ServicesDep,
                  status: Facet = None, kind: Facet = None) -> Template:
        everything = sorted(services.catalog.standards.values(), key=lambda s: (s.code or "~", s.id))
        shown = [s for s in everything if (not status or s.status == status) and (not kind or s.kind == kind)]
        return page(request, services, "standards.html", standards=shown, status=status, kind=kind,
                    statuses=Counter(s.status for s in everything if not kind or s.kind == kind),
                    kinds=Counter(s.kind for s in everything if not status or s.status == status))

    @get("/standards/{standard_id:str}", sync_to_thread=True)
    def standard(self, request: Request, services: ServicesDep, standard_id: FromPath[str]) -> Template:
        catalog = services.catalog
        standard = catalog.standards.get(standard_id)
        if standard is None:
            raise NotFound(f"没有标识为 {standard_id!r} 的标准")
        script, _ = pick(request)
        history = [v for v in services.store.history("standard", standard_id) if isinstance(v, StandardVersion)]
        stages = [(code, ui(name, script), date, done) for code, name, date, done in browse.lifecycle(history)]
        title = official(standard.title, script)
        return page(request, services, "standard.html", s=standard_out(catalog, standard, script), standard=standard,
                    title=title, stages=stages, timeline=svg.timeline(stages, ui("生命周期", script) + ":" + title),
                    replaced_by=browse.replaced_by(catalog, standard), versions=browse.versions(services.store, "standard", standard_id))
