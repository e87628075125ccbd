"""History over HTTP: versions, diffs, time travel (?at=, ?release=), the change feed, release summaries."""

from __future__ import annotations

from functools import partial
from typing import Annotated

import anyio.to_thread
import msgspec
from litestar import Controller, Request, Response, get
from litestar.params import FromPath, Parameter, QueryParameter
from msgspec import Struct

from registry.diff import VersionDiff, diff_versions
from registry.errors import NotFound, Unauthorized
from registry.history import ChangeSummary, revision_of, summarize
from registry.model import EntityKind, Event
from registry.tokens import authenticate

from .etags import etag_matches, etag_of_bytes, if_none_match
from .problems import not_modified, problems
from .routes import MAX_INT, At, ReleaseTag, ScriptParam
from .rendering import PreEncoded
from .security import bearer_allowed, note_bad_bearer
from .services import Services, ServicesDep
from .views import ConceptOut, StandardOut, concept_out, standard_out

MAX_CHANGES = 500
VersionNumber = Annotated[int, Parameter(ge=1, le=MAX_INT, description="a version number, from 1")]
encode = msgspec.json.Encoder().encode


class VersionInfo(Struct, kw_only=True):
    version: int
    status: str
    author: str
    created: str
    change_note: str
    proposal_id: str | None
    href: str


def _is_admin(services: Services, request: Request) -> bool:
    """Whether an admin's token came along (the feed then shows token events). A client over its limit
    of bad tokens is treated as having none; a bad token counts against the limit."""
    if not request.headers.get("authorization") or not bearer_allowed(request):
        return False
    try:
        return authenticate(services.store, request.headers.get("authorization")).role == "admin"
    except Unauthorized:
        note_bad_bearer(request)
        return False


class ChangeFeed(Struct, kw_only=True):
    events: list[Event]
    since: int
    next_since: int
    revision: int
    more: bool


class ReleaseSummary(Struct, kw_only=True):
    tag: str
    revision: int
    since_tag: str | None
    summary: ChangeSummary


def _version(services: Services, kind: EntityKind, entity_id: str, version: int | None = None,
             at: str | None = None, release: str | None = None):
    """The current version, a numbered one, or the one current at a revision, time or release."""
    if version is not None:
        return services.store.get(kind, entity_id, version)
    revision = revision_of(services.store, at, release)
    if revision is not None:
        return services.store.get_at(kind, entity_id, revision)
    current = services.catalog.concepts.get(entity_id) if kind == "concept" else services.catalog.standards.get(entity_id)
    if current is None:
        raise NotFound(f"no {kind} {entity_id!r}")
    return current


def _versions(services: Services, kind: EntityKind, entity_id: str) -> list[VersionInfo]:
    return [
        VersionInfo(version=v.version, status=v.status, author=v.author, created=v.created,
                    change_note=v.change_note, proposal_id=v.proposal_id,
                    href=f"/api/v1/{kind}s/{entity_id}/versions/{v.version}")
        for v in services.store.history(kind, entity_id)
    ]


def cached(request: Request, body: bytes, etag: str | None = None, *, negotiated: bool = False) -> Response:
    """Pre-encoded JSON with an ETag (by default the hash of ``body``), or 304 Not Modified when the
    client holds those bytes already; ``negotiated``: the URL answers another format by ``Accept`` too, so a
    cache keeps one answer per ``Accept`` (``Vary``)."""
    etag = etag or etag_of_bytes(body)
    headers = {"etag": etag, "cache-control": "no-cache"}
    if negotiated:
        headers["vary"] = "Accept"
    if etag_matches(if_none_match(request), etag):
        return PreEncoded(b"", status_code=304, headers=headers)
    return PreEncoded(body, headers=headers)


class HistoryController(Controller):
    path = "/api/v1"
    tags = ["history"]

    @get("/concepts/{concept_id:str}", responses=problems(400, 404, 503) | not_modified())
    async def get_concept(self, request: Request, services: ServicesDep, concept_id: FromPath[str],
                          script: ScriptParam = "zh-Hans", at: At = None, release: ReleaseTag = None) -> Response[ConceptOut]:
        """A concept: the current version, or the one current at ``at`` (revision or ISO date) or at a
        release. Carries an ETag that changes with the version; honours If-None-Match. With ``Accept:
        text/turtle`` (or another exchange format, see ``/concepts/{id}/export``) the concept in that format."""
        from .exchange import concept_download, negotiated

        if at is None and release is None and (fmt := negotiated(request)):
            return concept_download(request, services, concept_id, fmt)
        if at is None and release is None:  # from memory, pre-encoded: no thread, no store
            concept = services.catalog.concepts.get(concept_id)
            if concept is None:
                raise NotFound(f"no concept {concept_id!r}")
            body, etag = services.rendered.concept_and_etag(services.catalog, concept, script)
            return cached(request, body, etag, negotiated=True)
        concept = await anyio.to_thread.run_sync(partial(_version, services, "concept", concept_id, at=at, release=release))
        return cached(request, encode(concept_out(services.catalog, concept, script)))

    @get("/concepts/{concept_id:str}/versions", sync_to_thread=True, responses=problems(400, 404, 503))
    def concept_versions(self, services: ServicesDep, concept_id: FromPath[str]) -> list[VersionInfo]:
        """Every version of a concept, oldest first."""
        return _versions(services, "concept", concept_id)

    @get("/concepts/{concept_id:str}/versions/{version:int}", sync_to_thread=True, responses=problems(400, 404, 503) | not_modified())
    def concept_version(self, request: Request, services: ServicesDep, concept_id: FromPath[str],
                        version: VersionNumber, script: ScriptParam = "zh-Hans") -> Response[ConceptOut]:
        """One version of a concept; versions never change once written."""
        concept = _version(services, "concept", concept_id, version)
        return cached(request, encode(concept_out(services.catalog, concept, script)))

    @get("/concepts/{concept_id:str}/diff", sync_to_thread=True, responses=problems(400, 404, 503))
    def concept_diff(
        self, services: ServicesDep, concept_id: FromPath[str],
        from_version: Annotated[int, QueryParameter(name="from", ge=0, le=MAX_INT)],
        to_version: Annotated[int | None, QueryParameter(name="to", ge=1, le=MAX_INT)] = None,
    ) -> VersionDiff:
        """Field by field: labels added and removed, definition, relations, other fields, from version
        ``from`` (0: before the first) to ``to`` (the current one if not given)."""
        after = services.store.get("concept", concept_id, to_version)
        # any two versions (from 0: nothing before the first); a later ``from`` gives the change backwards
        before = services.store.get("concept", concept_id, from_version) if from_version else None
        return diff_versions(before, after)

    @get("/standards/{standard_id:str}", sync_to_thread=True, responses=problems(400, 404, 503) | not_modified())
    def get_standard(self, request: Request, services: ServicesDep, standard_id: FromPath[str],
                     script: ScriptParam = "zh-Hans", at: At = None, release: ReleaseTag = None) -> Response[StandardOut]:
        """One standard: code, title, lifecycle status, dates, bodies and the concepts it governs."""
        standard = _version(services, "standard", standard_id, at=at, release=release)
        return cached(request, encode(standard_out(services.catalog, standard, script)))

    @get("/standards/{standard_id:str}/versions", sync_to_thread=True, responses=problems(400, 404, 503))
    def standard_versions(self, services: ServicesDep, standard_id: FromPath[str]) -> list[VersionInfo]:
        """Every version of a standard (its lifecycle), oldest first."""
        return _versions(services, "standard", standard_id)

    @get("/standards/{standard_id:str}/versions/{version:int}", sync_to_thread=True, responses=problems(400, 404, 503))
    def standard_version(self, services: ServicesDep, standard_id: FromPath[str], version: VersionNumber,
                         script: ScriptParam = "zh-Hans") -> StandardOut:
        return standard_out(services.catalog, services.store.get("standard", standard_id, version), script)  # type: ignore[arg-type]

    @get("/changes", sync_to_thread=True, responses=problems(400, 503))
    def changes(
        self, request: Request, services: ServicesDep,
        since: Annotated[int, QueryParameter(ge=0, le=MAX_INT)] = 0,
        limit: Annotated[int, QueryParameter(ge=1, le=MAX_CHANGES)] = 100,
    ) -> ChangeFeed:
        """The change log after ``since``, oldest first; follow ``next_since`` while ``more``. Token
        events appear only with an admin's bearer token (any other token reads the public feed)."""
        events = services.store.changes_since(since, limit=limit + 1, include_admin=_is_admin(services, request))
        more = len(events) > limit
        events = events[:limit]
        return ChangeFeed(events=events, since=since, next_since=events[-1].revision if events else since,
                          revision=services.store.revision(), more=more)

    @get("/releases/{tag:str}", sync_to_thread=True, responses=problems(400, 404, 503))
    def release_summary(self, services: ServicesDep, tag: FromPath[str],
                        since: Annotated[str | None, QueryParameter(max_length=32)] = None) -> ReleaseSummary:
        """What changed up to a release: since another release (``since``), else since the one before."""
        store = services.store
        release = store.get_release(tag)
        if since:
            start = store.get_release(since).revision
        else:
            earlier = [r for r in store.releases() if r.revision < release.revision]
            since = earlier[-1].tag if earlier else None
            start = earlier[-1].revision if earlier else 0
        return ReleaseSummary(tag=tag, revision=release.revision, since_tag=since,
                              summary=summarize(store, start, release.revision))
