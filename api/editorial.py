"""The editorial API: proposals and their reviews, releases. Writes need a bearer token."""

from __future__ import annotations

from typing import Annotated

import anyio.to_thread
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
from registry.tokens import authenticate
from registry.workflow import Actor, Editorial, require

from .problems import problems
from .services import Services, ServicesDep

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
Note = Annotated[str, Meta(max_length=2000)]
Tag = Annotated[str, Meta(pattern=r"^[0-9A-Za-z][0-9A-Za-z._-]{0,31}$")]


class ProposalIn(Struct, forbid_unknown_fields=True, kw_only=True):
    kind: ProposalKind
    target_kind: EntityKind = "concept"
    target_id: Id
    base_version: Annotated[int, Meta(ge=1)] | None = None
    concept: ConceptContent | None = None
    standard: StandardContent | None = None
    replaced_by: Annotated[tuple[Id, ...], Meta(max_length=20)] = ()
    note: Note = ""
    submit: bool = False


class ProposalEdit(Struct, forbid_unknown_fields=True, kw_only=True):
    base_version: Annotated[int, Meta(ge=1)] | None = None
    concept: ConceptContent | None = None
    standard: StandardContent | None = None
    replaced_by: Annotated[tuple[Id, ...], Meta(max_length=20)] | None = None
    note: Note | None = None


class ReviewIn(Struct, forbid_unknown_fields=True, kw_only=True):
    comment: Note = ""


class CommentIn(Struct, forbid_unknown_fields=True, kw_only=True):
    text: Annotated[str, Meta(min_length=1, max_length=5000)]


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
    if connection.scope["method"] in SAFE_METHODS:
        return
    store = connection.app.state.services.store
    connection.state.actor = await anyio.to_thread.run_sync(authenticate, store, connection.headers.get("authorization"))


def actor_from_request(request: Request) -> Actor:
    return request.state.actor


def editorial(services: Services) -> Editorial:
    return Editorial(services.store)


def publish_now(services: Services) -> None:
    """Apply the new revision to this worker's catalog and index at once (others follow the log)."""
    services.search.catch_up()


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
        return Response(proposal, status_code=201, headers={"Location": f"{self.path}/{proposal.id}"})

    @patch("/{proposal_id:str}", sync_to_thread=True, responses=problems(400, 401, 403, 404, 409, 412, 413, 422, 503))
    def edit(self, services: ServicesDep, actor: ActorDep, proposal_id: FromPath[str], data: JSONBody[ProposalEdit]) -> Proposal:
        """Revise a proposal's content, or rebase it on the current version after a 409 (author only)."""
        return editorial(services).edit(
            actor, proposal_id, base_version=data.base_version, concept=data.concept, standard=data.standard,
            replaced_by=data.replaced_by, note=data.note,
        )

    @post("/{proposal_id:str}/submit", sync_to_thread=True, status_code=200, responses=problems(400, 401, 403, 404, 409, 413, 422, 503))
    def submit(self, services: ServicesDep, actor: ActorDep, proposal_id: FromPath[str]) -> Proposal:
        """Send a draft (or a proposal with changes requested) for review."""
        return editorial(services).submit(actor, proposal_id)

    @post("/{proposal_id:str}/withdraw", sync_to_thread=True, status_code=200, responses=problems(400, 401, 403, 404, 409, 413, 422, 503))
    def withdraw(self, services: ServicesDep, actor: ActorDep, proposal_id: FromPath[str]) -> Proposal:
        """Withdraw an open proposal (author only)."""
        return editorial(services).withdraw(actor, proposal_id)

    @post("/{proposal_id:str}/approve", sync_to_thread=True, status_code=200, responses=problems(400, 401, 403, 404, 409, 413, 422, 503))
    def approve(self, services: ServicesDep, actor: ActorDep, proposal_id: FromPath[str], data: JSONBody[ReviewIn | None] = None) -> Proposal:
        """Approve and publish (a reviewer other than the author). 409 if the base version is no
        longer current: the author rebases and resubmits."""
        approved = editorial(services).review(actor, proposal_id, "approve", data.comment if data else "")
        publish_now(services)
        return approved

    @post("/{proposal_id:str}/reject", sync_to_thread=True, status_code=200, responses=problems(400, 401, 403, 404, 409, 413, 422, 503))
    def reject(self, services: ServicesDep, actor: ActorDep, proposal_id: FromPath[str], data: JSONBody[ReviewIn | None] = None) -> Proposal:
        """Reject a submitted proposal (a reviewer other than the author)."""
        return editorial(services).review(actor, proposal_id, "reject", data.comment if data else "")

    @post("/{proposal_id:str}/request-changes", sync_to_thread=True, status_code=200, responses=problems(400, 401, 403, 404, 409, 413, 422, 503))
    def request_changes(self, services: ServicesDep, actor: ActorDep, proposal_id: FromPath[str], data: JSONBody[ReviewIn | None] = None) -> Proposal:
        """Send a submitted proposal back to its author with a comment."""
        return editorial(services).review(actor, proposal_id, "request_changes", data.comment if data else "")

    @post("/{proposal_id:str}/comments", sync_to_thread=True, status_code=201, responses=problems(400, 401, 403, 404, 409, 413, 422, 503))
    def comment(self, services: ServicesDep, actor: ActorDep, proposal_id: FromPath[str], data: JSONBody[CommentIn]) -> Response[Proposal]:
        """Comment on a proposal; ``Location`` is the proposal, which holds its comments."""
        proposal = editorial(services).comment(actor, proposal_id, data.text)
        return Response(proposal, status_code=201, headers={"Location": f"{self.path}/{proposal.id}"})

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
    def get_proposal(self, services: ServicesDep, proposal_id: FromPath[str]) -> Proposal:
        """One proposal with its reviews and comments."""
        return services.store.get_proposal(proposal_id)

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
