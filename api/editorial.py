"""The editorial API: proposals and their reviews, releases. Writes need a bearer token.

A proposal's ``ETag`` names its content revision (``"<id>.<content_version>"``): comments, reviews and
state changes do not change it, edits do. Every write to a proposal honours ``If-Match`` with it (412
when the content moved on); see ``registry/workflow.py`` for the rules.
"""

from __future__ import annotations

import re
from typing import Annotated

from litestar import Controller, Request, Response, get, patch, post
from litestar.connection import ASGIConnection
from litestar.handlers import BaseRouteHandler
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, JSONBody, QueryParameter
from msgspec import Meta, Struct

from registry.diff import VersionDiff
from registry.model import (
    ConceptContent,
    EntityKind,
    Id,
    Proposal,
    ProposalKind,
    ProposalState,
    Release,
    StandardContent,
)
from registry.text import not_blank_pattern
from registry.workflow import Actor, Editorial, require

from .problems import problems, say_pattern
from .routes import MAX_INT
from .security import authenticate_bearer
from .services import Services, ServicesDep

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
Note = Annotated[str, Meta(max_length=2000)]
Tag = Annotated[str, Meta(pattern=r"^[0-9A-Za-z][0-9A-Za-z._-]{0,31}$")]


class ProposalIn(Struct, forbid_unknown_fields=True, kw_only=True):
    kind: ProposalKind
    target_kind: EntityKind = "concept"
    target_id: Id
    base_version: Annotated[int, Meta(ge=1, le=MAX_INT)] | None = None
    concept: ConceptContent | None = None
    standard: StandardContent | None = None
    replaced_by: Annotated[tuple[Id, ...], Meta(max_length=20)] = ()
    note: Note = ""
    submit: bool = False


class ProposalEdit(Struct, forbid_unknown_fields=True, kw_only=True):
    base_version: Annotated[int, Meta(ge=1, le=MAX_INT)] | None = None
    concept: ConceptContent | None = None
    standard: StandardContent | None = None
    replaced_by: Annotated[tuple[Id, ...], Meta(max_length=20)] | None = None
    note: Note | None = None


class ReviewIn(Struct, forbid_unknown_fields=True, kw_only=True):
    comment: Note = ""


# not blank (``registry.text.is_blank``, as far as the Basic Multilingual Plane) and no NUL
COMMENT_TEXT = say_pattern(not_blank_pattern(((0, 0),)),
                           "is blank (only spaces or characters that show nothing), or holds U+0000")


class CommentIn(Struct, forbid_unknown_fields=True, kw_only=True):
    # not blank and no NUL, as the schema can say it (schemathesis sends what it allows: a comment of C1
    # controls was schema-valid and refused, ST202); blank characters beyond the Basic Multilingual Plane
    # (tag characters) the registry refuses itself (``Editorial.comment``)
    text: Annotated[str, Meta(min_length=1, max_length=5000, pattern=COMMENT_TEXT)]


class ReleaseIn(Struct, forbid_unknown_fields=True, kw_only=True):
    tag: Tag
    note: Note = ""


class ProposalList(Struct, kw_only=True):
    items: list[Proposal]
    total: int
    offset: int
    limit: int


ActorDep = NamedDependency[Actor]


async def bearer_token(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    """Guard: a write needs a token, checked before the body is read (no token and a bad body is 401)."""
    if connection.scope["method"] in SAFE_METHODS:  # type: ignore[typeddict-item]
        return
    connection.state.actor = await authenticate_bearer(connection, connection.app.state.services.store)


def actor_from_request(request: Request) -> Actor:
    return request.state.actor


def editorial(services: Services) -> Editorial:
    return Editorial(services.store)


def proposal_etag(proposal: Proposal) -> str:
    return f'"{proposal.id}.{proposal.content_version}"'


def with_etag(proposal: Proposal, status_code: int = 200, **headers: str) -> Response[Proposal]:
    return Response(proposal, status_code=status_code, headers={"ETag": proposal_etag(proposal), **headers})


def if_match(request: Request, proposal_id: str) -> frozenset[int] | None:
    """The content revisions an ``If-Match`` names, any of which may be the current one (RFC 9110: a list
    holds if one of its tags matches); None without one (or ``*``). A tag that names no revision of this
    proposal (another id, a weak tag, garbage) never matches: a header of nothing else names none."""
    lines = request.headers.getall("if-match", [])
    header = ", ".join(lines) if lines else None  # several lines are one list (RFC 9110, 5.3)
    if header is None or header.strip() == "*":
        return None
    pattern = re.compile(rf'"{re.escape(proposal_id)}\.([0-9]{{1,9}})"')
    return frozenset(int(found.group(1)) for tag in header.split(",") if (found := pattern.fullmatch(tag.strip())))


def publish_now(services: Services) -> None:
    """Apply the new revision to this worker's catalog and index at once (others follow the log); an
    index failure here degrades search but never the answer to the write, which is committed."""
    services.catch_up()


class ProposalController(Controller):
    path = "/api/v1/proposals"
    tags = ["proposals"]
    guards = [bearer_token]
    # resolved only by the handlers that take an actor: reads stay open
    dependencies = {"actor": Provide(actor_from_request, sync_to_thread=False)}

    @post("/", sync_to_thread=True, status_code=201, responses=problems(400, 401, 403, 404, 409, 413, 422, 503))
    def create(self, services: ServicesDep, actor: ActorDep, data: JSONBody[ProposalIn]) -> Response[Proposal]:
        """Propose a new concept or standard (``create``), a new version (``revise``, with the full
        content against a base version) or a deprecation (``deprecate``, with ``replaced_by``)."""
        proposal = editorial(services).propose(
            actor, kind=data.kind, target_kind=data.target_kind, target_id=data.target_id,
            base_version=data.base_version, concept=data.concept, standard=data.standard,
            replaced_by=data.replaced_by, note=data.note, submit=data.submit,
        )
        return with_etag(proposal, 201, Location=f"{self.path}/{proposal.id}")

    @patch("/{proposal_id:str}", sync_to_thread=True, responses=problems(400, 401, 403, 404, 409, 412, 413, 422, 503))
    def edit(self, request: Request, services: ServicesDep, actor: ActorDep, proposal_id: FromPath[str],
             data: JSONBody[ProposalEdit]) -> Response[Proposal]:
        """Revise a proposal's content, or rebase it on the current version after a 409 (the author or
        an admin). Makes the next content revision; a submitted proposal goes back to draft and must be
        submitted again. Send ``If-Match`` with the ETag you read: 412 if the content moved on."""
        return with_etag(editorial(services).edit(
            actor, proposal_id, base_version=data.base_version, concept=data.concept, standard=data.standard,
            replaced_by=data.replaced_by, note=data.note, if_match=if_match(request, proposal_id),
        ))

    @post("/{proposal_id:str}/submit", sync_to_thread=True, status_code=200, responses=problems(400, 401, 403, 404, 409, 412, 413, 422, 503))
    def submit(self, request: Request, services: ServicesDep, actor: ActorDep,
               proposal_id: FromPath[str]) -> Response[Proposal]:
        """Send a draft (or a proposal with changes requested) for review."""
        return with_etag(editorial(services).submit(actor, proposal_id, if_match=if_match(request, proposal_id)))

    @post("/{proposal_id:str}/withdraw", sync_to_thread=True, status_code=200, responses=problems(400, 401, 403, 404, 409, 412, 413, 422, 503))
    def withdraw(self, request: Request, services: ServicesDep, actor: ActorDep,
                 proposal_id: FromPath[str]) -> Response[Proposal]:
        """Withdraw an open proposal (the author or an admin)."""
        return with_etag(editorial(services).withdraw(actor, proposal_id, if_match=if_match(request, proposal_id)))

    @post("/{proposal_id:str}/approve", sync_to_thread=True, status_code=200, responses=problems(400, 401, 403, 404, 409, 412, 413, 422, 503))
    def approve(self, request: Request, services: ServicesDep, actor: ActorDep, proposal_id: FromPath[str],
                data: JSONBody[ReviewIn | None] = None) -> Response[Proposal]:
        """Approve and publish (a reviewer who wrote none of the content). Send ``If-Match`` with the
        ETag of the content you reviewed: 412 if it changed. 409 if the base version is no longer
        current: the author rebases and resubmits."""
        approved = editorial(services).review(actor, proposal_id, "approve", data.comment if data else "",
                                              if_match=if_match(request, proposal_id))
        publish_now(services)
        return with_etag(approved)

    @post("/{proposal_id:str}/reject", sync_to_thread=True, status_code=200, responses=problems(400, 401, 403, 404, 409, 412, 413, 422, 503))
    def reject(self, request: Request, services: ServicesDep, actor: ActorDep, proposal_id: FromPath[str],
               data: JSONBody[ReviewIn | None] = None) -> Response[Proposal]:
        """Reject a submitted proposal (a reviewer who wrote none of the content)."""
        return with_etag(editorial(services).review(actor, proposal_id, "reject", data.comment if data else "",
                                                    if_match=if_match(request, proposal_id)))

    @post("/{proposal_id:str}/request-changes", sync_to_thread=True, status_code=200, responses=problems(400, 401, 403, 404, 409, 412, 413, 422, 503))
    def request_changes(self, request: Request, services: ServicesDep, actor: ActorDep, proposal_id: FromPath[str],
                        data: JSONBody[ReviewIn | None] = None) -> Response[Proposal]:
        """Send a submitted proposal back to its author with a comment."""
        return with_etag(editorial(services).review(actor, proposal_id, "request_changes",
                                                    data.comment if data else "",
                                                    if_match=if_match(request, proposal_id)))

    @post("/{proposal_id:str}/comments", sync_to_thread=True, status_code=201,
          responses=problems(400, 401, 403, 404, 409, 413, 422, 503))
    def comment(self, services: ServicesDep, actor: ActorDep, proposal_id: FromPath[str],
                data: JSONBody[CommentIn]) -> Response[Proposal]:
        """Comment on a proposal; comments are appended (no ``If-Match`` needed), concurrent ones all
        kept. ``Location`` is the proposal, which holds its comments."""
        proposal = editorial(services).comment(actor, proposal_id, data.text)
        return with_etag(proposal, 201, Location=f"{self.path}/{proposal.id}")

    @get("/", sync_to_thread=True, responses=problems(400, 503))
    def list_proposals(
        self,
        services: ServicesDep,
        state_filter: Annotated[ProposalState | None, QueryParameter(name="state")] = None,
        target: Annotated[str | None, QueryParameter(max_length=64)] = None,
        offset: Annotated[int, QueryParameter(ge=0, le=100_000)] = 0,
        limit: Annotated[int, QueryParameter(ge=1, le=100)] = 20,
    ) -> ProposalList:
        """Proposals, newest first; filter by state or target id."""
        items, total = services.store.list_proposals(state=state_filter, target_id=target, offset=offset, limit=limit)
        return ProposalList(items=items, total=total, offset=offset, limit=limit)

    @get("/{proposal_id:str}", sync_to_thread=True, responses=problems(400, 404, 503))
    def get_proposal(self, services: ServicesDep, proposal_id: FromPath[str]) -> Response[Proposal]:
        """One proposal with its reviews and comments; its ETag names the content revision."""
        return with_etag(services.store.get_proposal(proposal_id))

    @get("/{proposal_id:str}/diff", sync_to_thread=True, responses=problems(400, 404, 503))
    def diff(self, services: ServicesDep, proposal_id: FromPath[str]) -> VersionDiff:
        """What the proposal changes against its base version, field by field."""
        return editorial(services).diff(proposal_id)


class ReleaseController(Controller):
    path = "/api/v1/releases"
    tags = ["releases"]
    guards = [bearer_token]

    @post("/", sync_to_thread=True, status_code=201, responses=problems(400, 401, 403, 409, 413, 422, 503),
          dependencies={"actor": Provide(actor_from_request, sync_to_thread=False)})
    def create_release(self, services: ServicesDep, actor: ActorDep, data: JSONBody[ReleaseIn]) -> Response[Release]:
        """Tag the current revision as a release (admin)."""
        require(actor, "admin", "cutting a release")
        release = services.store.add_release(data.tag, actor=actor.name, note=data.note)
        return Response(release, status_code=201, headers={"Location": f"{self.path}/{release.tag}"})

    @get("/", sync_to_thread=True, responses=problems(503))
    def list_releases(self, services: ServicesDep) -> list[Release]:
        """Releases, oldest first."""
        return services.store.releases()
