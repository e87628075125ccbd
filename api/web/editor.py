"""The editor and reviewer pages: sign in and out, propose, my proposals, the review queue, one proposal
with its diff, comments and actions. Every form posts with litestar's CSRF token; the work itself is
the workflow's (``registry.workflow.Editorial``), the same the JSON API calls."""

from __future__ import annotations

import re
import secrets
from functools import partial
from typing import Annotated, get_args

import anyio.to_thread
from litestar import Controller, Request, Response, get, post
from litestar.datastructures import CacheControlHeader
from litestar.params import FromPath, QueryParameter
from litestar.response import Redirect, Template

from registry.errors import Forbidden, InvalidInput, NotFound, ShuyuError, Unauthorized
from registry.languages import is_english
from registry.model import Decision, ProposalKind, Role
from registry.text import is_blank
from registry.workflow import EDITABLE_STATES, RANK, Actor, Editorial, may_change
from search.analysis import expand_query

from ..security import note_failed_sign_in, refuse_sign_in_if_over
from ..services import Services, ServicesDep
from ..strict import read_form
from . import forms
from .clashes import label_clashes
from .diffview import diff_view
from .labels import ROLES
from .page import page
from .proposals import current_version, is_stale, mine, reapply, review_queue
from .script import pick
from .session import sign_in, sign_out, signed_in

DECISIONS: dict[str, Decision] = {d: d for d in get_args(Decision)}  # a review form's decision, checked
NO_CHANGE = "没有修改:表单与当前版本相同,没有提出提案。"
NEXT = re.compile(r"^/(?![/\\])[A-Za-z0-9/_\-?=&.%]*$")  # only a path on this site, never another host


# a posted form that meets an ended session rides through the sign-in page in hidden fields with this prefix
CARRIED = "carried:"
NOT_CARRIED = {"_csrf_token"}  # the old page's CSRF token; the resumed form gets the current one
NO_STORE = CacheControlHeader(no_store=True)


class SignInRequired(Exception):
    def __init__(self, path: str, form=None) -> None:
        self.path = path
        self.form = form


def to_sign_in(request: Request, exc: SignInRequired) -> Response:
    """A page asked for without a session goes to sign-in and comes back; a form posted without one (signed
    out in another tab, or the session ran out) is not lost: the sign-in page carries what was typed and,
    once signed in, posts it again to where it was going."""
    if exc.form is None:
        return Redirect(path=f"/signin?next={exc.path}", status_code=303)
    carried = [(k, str(v)) for k, v in exc.form.multi_items() if k not in NOT_CARRIED and isinstance(v, str)]
    response = page(request, request.app.state.services, "signin.html", next_path=exc.path, errors={},
                    carried=carried, expired=True)
    response.headers["cache-control"] = NO_STORE.to_header()
    return response


def _actor(request: Request, services: Services, role: Role = "editor", form=None) -> Actor:
    actor = signed_in(request, services.store)
    if actor is None:
        query = request.scope.get("query_string", b"").decode("latin-1")  # not request.url: a bad Host port breaks it
        raise SignInRequired(request.scope["path"] + (f"?{query}" if query and form is None else ""), form)
    if RANK[actor.role] < RANK[role]:
        raise Forbidden(f"这一页需要{ROLES[role]}角色;您的角色是{ROLES[actor.role]}。")
    return actor


def _resolver(services: Services):
    """A concept named in a form by id, or by a label (what type-ahead fills in), as an id."""
    catalog = services.catalog

    def resolve(value: str) -> str:
        if value in catalog.concepts:
            return value
        matches = catalog.lookup(value, expand_query(value))
        return matches[0].id if matches else value
    return resolve


async def _form(request: Request):
    return await read_form(request)


def _may_edit(actor: Actor, proposal) -> None:
    """The edit form, shown or posted, is the author's or an admin's (``registry.workflow.may_change``)."""
    if not may_change(actor, proposal):
        raise Forbidden(f"只有提案的作者可以修改提案 {proposal.id}。")


def _done(path: str) -> Redirect:
    return Redirect(path=path, status_code=303)


def _new_id(form: forms.ConceptForm, catalog) -> str:
    english = next((t.text for t in form.terms if is_english(t.lang) and t.text), "")
    slug = re.sub(r"[^a-z0-9]+", "-", english.lower()).strip("-")[:40]
    if len(slug) >= 2 and slug[0].isalpha() and slug not in catalog.concepts:
        return slug
    return f"c-{secrets.token_hex(4)}"


class EditorController(Controller):
    include_in_schema = False
    exception_handlers = {SignInRequired: to_sign_in}
    cache_control = NO_STORE  # Back after signing out must not show a signed-in page from the cache

    # -- signing in ----------------------------------------------------------------------------------
    @get("/signin", sync_to_thread=False)
    def signin_page(self, request: Request, services: ServicesDep,
                    next_path: Annotated[str, QueryParameter(name="next", max_length=300)] = "/editor") -> Template:
        return page(request, services, "signin.html", next_path=next_path if NEXT.match(next_path) else "/editor",
                    errors={}, carried=[])

    @post("/signin")
    async def signin(self, request: Request, services: ServicesDep) -> Response:
        form = await _form(request)
        next_path = str(form.get("next", "/editor"))
        next_path = next_path if NEXT.match(next_path) else "/editor"
        carried = [(k.removeprefix(CARRIED), str(v)) for k, v in form.multi_items() if k.startswith(CARRIED)]
        token = str(form.get("token", ""))
        refuse_sign_in_if_over(request, token)  # 429 before the token is looked at
        try:
            await anyio.to_thread.run_sync(partial(sign_in, request, services.store, token))
        except (Unauthorized, Forbidden) as exc:
            if isinstance(exc, Unauthorized):  # a wrong token counts; a reader's (403) guessed nothing
                note_failed_sign_in(request, token)
            return page(request, services, "signin.html", next_path=next_path, errors={"token": exc.detail},
                        carried=carried, expired=bool(carried), status_code=exc.status)
        if carried:  # post the work again, now signed in (a script does it at once; without one, a button)
            return page(request, services, "resume.html", next_path=next_path, carried=carried)
        return _done(next_path)

    @post("/signout", sync_to_thread=False)
    def signout(self, request: Request) -> Response:
        sign_out(request)
        return _done("/")

    # -- lists -----------------------------------------------------------------------------------------
    @get("/editor", sync_to_thread=True)
    def my_proposals(self, request: Request, services: ServicesDep) -> Template:
        actor = _actor(request, services)
        queue = review_queue(services.store, actor.name) if RANK[actor.role] >= RANK["reviewer"] else None
        return page(request, services, "editor_home.html", proposals=mine(services.store, actor.name), queue=queue,
                    catalog=services.catalog)

    @get("/editor/review", sync_to_thread=True)
    def queue(self, request: Request, services: ServicesDep) -> Template:
        actor = _actor(request, services, "reviewer")
        return page(request, services, "review_queue.html", proposals=review_queue(services.store, actor.name),
                    catalog=services.catalog)

    # -- proposing ---------------------------------------------------------------------------------------
    @get("/editor/propose/new", sync_to_thread=False)
    def propose_new(self, request: Request, services: ServicesDep,
                    scheme: Annotated[str, QueryParameter(max_length=64)] = "") -> Template:
        _actor(request, services)
        scheme = scheme if scheme in services.catalog.schemes else next(iter(services.catalog.schemes), "")
        return self._concept_form(request, services, forms.blank_concept_form(scheme), kind="create")

    @get("/editor/propose/revise/{concept_id:str}", sync_to_thread=False)
    def propose_revision(self, request: Request, services: ServicesDep, concept_id: FromPath[str]) -> Template:
        _actor(request, services)
        concept = self._concept(services, concept_id)
        return self._concept_form(request, services, forms.concept_form(concept), kind="revise", target=concept)

    @get("/editor/propose/deprecate/{concept_id:str}", sync_to_thread=False)
    def propose_deprecation(self, request: Request, services: ServicesDep, concept_id: FromPath[str]) -> Template:
        _actor(request, services)
        concept = self._concept(services, concept_id)
        return page(request, services, "propose_deprecate.html", target=concept, replaced_by=[""], note="",
                    errors={}, action="/editor/proposals", proposal=None)

    @get("/editor/propose/standard/{standard_id:str}", sync_to_thread=False)
    def propose_standard(self, request: Request, services: ServicesDep, standard_id: FromPath[str]) -> Template:
        _actor(request, services)
        standard = services.catalog.standards.get(standard_id)
        if standard is None:
            raise NotFound(f"没有标识为 {standard_id!r} 的标准")
        return page(request, services, "propose_standard.html", target=standard, values=standard, note="",
                    errors={}, action="/editor/proposals", proposal=None)

    @post("/editor/proposals")
    async def create(self, request: Request, services: ServicesDep) -> Response:
        form = await _form(request)
        actor = _actor(request, services, form=form)
        return await anyio.to_thread.run_sync(partial(self._create, request, services, actor, form))

    def _create(self, request: Request, services: Services, actor: Actor, form) -> Response:
        kind = str(form.get("kind", ""))
        target_kind = "standard" if form.get("target_kind") == "standard" else "concept"
        submit = form.get("action") == "submit"
        editorial = Editorial(services.store)
        note = str(form.get("note", "")).strip()
        base = _int(form.get("base_version"))
        if target_kind == "standard":
            target = services.catalog.standards.get(str(form.get("target_id", "")))
            if target is None:
                raise NotFound("没有这个标准")
            try:
                standard = forms.standard_content(target, form)
                proposal = editorial.propose(actor, kind="revise", target_kind="standard", target_id=target.id,
                                             base_version=base, standard=standard, note=note, submit=submit)
            except ShuyuError as exc:
                return page(request, services, "propose_standard.html", target=target, values=form, note=note,
                            errors=forms.errors_of(exc), action="/editor/proposals", proposal=None, status_code=422)
            return _done(f"/editor/proposals/{proposal.id}")
        resolve = _resolver(services)
        if kind == "deprecate":
            target = self._concept(services, str(form.get("target_id", "")))
            replaced_by = tuple(forms._refs(form, "replaced_by", resolve))
            try:
                proposal = editorial.propose(actor, kind="deprecate", target_kind="concept", target_id=target.id,
                                             base_version=base, replaced_by=replaced_by, note=note, submit=submit)
            except ShuyuError as exc:
                return page(request, services, "propose_deprecate.html", target=target,
                            replaced_by=[*replaced_by, ""], note=note, errors=forms.errors_of(exc),
                            action="/editor/proposals", proposal=None, status_code=422)
            return _done(f"/editor/proposals/{proposal.id}")
        posted = forms.read_concept_form(form, resolve)
        target = services.catalog.concepts.get(str(form.get("target_id", ""))) if kind == "revise" else None
        target_id = target.id if target else str(form.get("target_id", "")).strip() or _new_id(posted, services.catalog)
        try:
            if kind not in ("create", "revise") or (kind == "revise" and target is None):
                raise InvalidInput("未知的提案类型或目标", field="kind")
            creating_or_revising: ProposalKind = "create" if kind == "create" else "revise"
            content = forms.concept_content(posted)
            if target is not None and content == forms.content_of(target):
                return self._concept_form(request, services, forms.with_empty_rows(posted), kind=kind,
                                          target=target, target_id=target_id, base_version=base,
                                          errors={"form": NO_CHANGE})
            proposal = editorial.propose(actor, kind=creating_or_revising, target_kind="concept", target_id=target_id,
                                         base_version=base, concept=content, note=posted.note, submit=submit)
        except ShuyuError as exc:
            return self._concept_form(request, services, forms.with_empty_rows(posted), kind=kind, target=target,
                                      errors=forms.errors_of(exc), target_id=target_id, base_version=base,
                                      status_code=422)
        return _done(f"/editor/proposals/{proposal.id}")

    # -- one proposal ------------------------------------------------------------------------------------
    @get("/editor/proposals/{proposal_id:str}", sync_to_thread=True)
    def proposal(self, request: Request, services: ServicesDep, proposal_id: FromPath[str]) -> Template:
        actor = _actor(request, services)
        return self._proposal_page(request, services, actor, services.store.get_proposal(proposal_id))

    def _proposal_page(self, request: Request, services: Services, actor: Actor, proposal, *, errors=None,
                       status_code: int = 200) -> Template:
        store = services.store
        script, _ = pick(request)
        editorial = Editorial(store)
        current = current_version(store, proposal)
        diff = diff_view(editorial.diff(proposal.id), services.catalog, script)
        stale = is_stale(proposal, current) and proposal.state not in ("approved", "rejected", "withdrawn")
        moved_on = None
        if stale:
            from registry.diff import diff_versions
            base = store.get(proposal.target_kind, proposal.target_id, proposal.base_version)
            moved_on = diff_view(diff_versions(base, current), services.catalog, script)
        mine_ = proposal.wrote(actor.name)  # the author, or anyone who wrote a content revision
        clashes = label_clashes(services.catalog, proposal.concept.terms, proposal.target_id) if proposal.concept else []
        return page(request, services, "proposal.html", p=proposal, current=current, d=diff, stale=stale, clashes=clashes,
                    moved_on=moved_on, is_author=mine_ or actor.role == "admin",
                    can_edit=(mine_ or actor.role == "admin") and proposal.state in EDITABLE_STATES,
                    can_review=not mine_ and RANK[actor.role] >= RANK["reviewer"] and proposal.state == "submitted",
                    own=mine_, errors=errors or {}, catalog=services.catalog, status_code=status_code)

    @get("/editor/proposals/{proposal_id:str}/edit", sync_to_thread=True)
    def edit_page(self, request: Request, services: ServicesDep, proposal_id: FromPath[str]) -> Template:
        actor = _actor(request, services)
        return self._edit_form(request, services, actor, services.store.get_proposal(proposal_id), rebase=False)

    @get("/editor/proposals/{proposal_id:str}/rebase", sync_to_thread=True)
    def rebase_page(self, request: Request, services: ServicesDep, proposal_id: FromPath[str]) -> Template:
        actor = _actor(request, services)
        return self._edit_form(request, services, actor, services.store.get_proposal(proposal_id), rebase=True)

    def _edit_form(self, request: Request, services: Services, actor: Actor, p, *, rebase: bool) -> Template:
        _may_edit(actor, p)
        current = current_version(services.store, p)
        base_version, content, replaced_by = p.base_version, p.concept or p.standard, p.replaced_by
        if rebase and is_stale(p, current):
            base = services.store.get(p.target_kind, p.target_id, p.base_version)
            content = reapply(base, content, current)
            base_version = current.version
        action = f"/editor/proposals/{p.id}/edit"
        if p.target_kind == "standard":
            return page(request, services, "propose_standard.html", target=current, values=content, note=p.note,
                        errors={}, action=action, proposal=p, base_version=base_version, rebased=rebase)
        if p.kind == "deprecate":
            return page(request, services, "propose_deprecate.html", target=current, replaced_by=[*replaced_by, ""],
                        note=p.note, errors={}, action=action, proposal=p, base_version=base_version, rebased=rebase)
        return self._concept_form(request, services, forms.concept_form(content, note=p.note), kind=p.kind,
                                  target=current if p.kind != "create" else None, proposal=p, action=action,
                                  target_id=p.target_id, base_version=base_version, rebased=rebase)

    @post("/editor/proposals/{proposal_id:str}/edit")
    async def edit(self, request: Request, services: ServicesDep, proposal_id: FromPath[str]) -> Response:
        form = await _form(request)
        actor = _actor(request, services, form=form)
        return await anyio.to_thread.run_sync(partial(self._edit, request, services, actor, proposal_id, form))

    def _edit(self, request: Request, services: Services, actor: Actor, proposal_id: str, form) -> Response:
        store = services.store
        p = store.get_proposal(proposal_id)
        # before the form is read: another's post was answered with the edit form (its content and the
        # workflow's refusal as a form error, 422), where the page itself is a 403
        _may_edit(actor, p)
        editorial = Editorial(store)
        seen = _int(form.get("content_version"))  # the content revision the author edited
        base = _int(form.get("base_version"))
        base = base if base and base != p.base_version else None
        note = str(form.get("note", "")).strip()
        action = f"/editor/proposals/{p.id}/edit"
        current = current_version(store, p)
        try:
            if p.target_kind == "standard":
                edited = editorial.edit(actor, p.id, base_version=base, note=note, if_match=seen,
                                        standard=forms.standard_content(current, form))
            elif p.kind == "deprecate":
                edited = editorial.edit(actor, p.id, base_version=base, note=note, if_match=seen,
                                        replaced_by=tuple(forms._refs(form, "replaced_by", _resolver(services))))
            else:
                posted = forms.read_concept_form(form, _resolver(services))
                try:
                    content = forms.concept_content(posted)
                    if (content == p.concept and posted.note == p.note and base is None
                            and form.get("action") != "submit"):
                        return self._concept_form(request, services, forms.with_empty_rows(posted), kind=p.kind,
                                                  target=current if p.kind != "create" else None, proposal=p,
                                                  action=action, target_id=p.target_id, base_version=p.base_version,
                                                  errors={"form": NO_CHANGE})
                    edited = editorial.edit(actor, p.id, base_version=base, concept=content, note=posted.note,
                                            if_match=seen)
                except ShuyuError as exc:
                    return self._concept_form(request, services, forms.with_empty_rows(posted), kind=p.kind,
                                              target=current if p.kind != "create" else None, proposal=p,
                                              action=action, target_id=p.target_id,
                                              base_version=base or p.base_version, errors=forms.errors_of(exc),
                                              status_code=forms.status_of(exc))
            if form.get("action") == "submit" and edited.state in ("draft", "changes_requested"):
                editorial.submit(actor, p.id)  # an edit sends a submitted proposal back to draft
        except ShuyuError as exc:
            if p.target_kind == "standard":
                return page(request, services, "propose_standard.html", target=current, values=form, note=note,
                            errors=forms.errors_of(exc), action=action, proposal=p, status_code=forms.status_of(exc),
                            base_version=base or p.base_version)
            if p.kind == "deprecate":
                return page(request, services, "propose_deprecate.html", target=current,
                            replaced_by=[*form.getall("replaced_by", []), ""], note=note, errors=forms.errors_of(exc),
                            action=action, proposal=p, status_code=forms.status_of(exc), base_version=base or p.base_version)
            raise
        return _done(f"/editor/proposals/{p.id}")

    @post("/editor/proposals/{proposal_id:str}/{step:str}")
    async def step(self, request: Request, services: ServicesDep, proposal_id: FromPath[str], step: FromPath[str]) -> Response:
        form = await _form(request)
        actor = _actor(request, services, form=form)
        return await anyio.to_thread.run_sync(partial(self._step, request, services, actor, proposal_id, step, form))

    def _step(self, request: Request, services: Services, actor: Actor, proposal_id: str, step: str, form) -> Response:
        editorial = Editorial(services.store)
        text = str(form.get("comment", "")).strip()
        seen = _int(form.get("content_version"))  # the content revision shown on the page
        if step == "submit":
            editorial.submit(actor, proposal_id, if_match=seen)
        elif step == "withdraw":
            editorial.withdraw(actor, proposal_id, if_match=seen)
        elif step == "comment":
            if is_blank(text):
                return self._proposal_page(request, services, actor, services.store.get_proposal(proposal_id),
                                           errors={"comment": "请填写意见"}, status_code=422)
            editorial.comment(actor, proposal_id, text[:5000])
        elif step == "review":
            decision = DECISIONS.get(str(form.get("decision", "")))
            if decision is None:
                raise InvalidInput("未知的审核决定", field="decision")
            if decision != "approve" and is_blank(text):
                return self._proposal_page(request, services, actor, services.store.get_proposal(proposal_id),
                                           errors={"review": "驳回或要求修改时必须写明理由"}, status_code=422)
            try:
                editorial.review(actor, proposal_id, decision, text[:2000], if_match=seen)
            except ShuyuError as exc:
                if exc.status in (409, 412, 422):
                    return self._proposal_page(request, services, actor, services.store.get_proposal(proposal_id),
                                               errors={"review": forms.errors_of(exc).popitem()[1]}, status_code=exc.status)
                raise
            if decision == "approve":
                services.catch_up()  # this worker finds it at once; the others follow the log
        else:
            raise NotFound(f"没有这个操作:{step}")
        return _done(f"/editor/proposals/{proposal_id}")

    # -- helpers -----------------------------------------------------------------------------------------
    def _concept(self, services: Services, concept_id: str):
        concept = services.catalog.concepts.get(concept_id)
        if concept is None:
            raise NotFound(f"没有标识为 {concept_id!r} 的概念")
        return concept

    def _concept_form(self, request: Request, services: Services, form: forms.ConceptForm, *, kind: str,
                      target=None, proposal=None, errors=None, action: str = "/editor/proposals",
                      target_id: str = "", base_version: int | None = None, rebased: bool = False,
                      status_code: int = 200) -> Template:
        clashes = label_clashes(services.catalog, [(t.text, t.type) for t in form.terms],
                                target_id or (target.id if target else ""))
        return page(request, services, "propose_concept.html", f=form, kind=kind, target=target, proposal=proposal,
                    clashes=clashes,
                    errors=errors or {}, action=action, target_id=target_id or (target.id if target else ""),
                    base_version=base_version or (target.version if target else 0), rebased=rebased,
                    schemes=services.catalog.schemes, source_fields=forms.SOURCE_FIELDS, status_code=status_code)


def _int(value) -> int | None:
    text = str(value or "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) < 10 else None
