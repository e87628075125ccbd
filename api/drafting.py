"""Tools for people who write standards, as HTTP: the term checker, the "术语和定义" clause and the
harmonisation report (JSON under /api/v1, and their web pages). The work is done in the ``drafting``
package; these handlers read input and render output."""

from __future__ import annotations

from functools import partial
from urllib.parse import urlencode
from typing import Annotated, Any, Literal

import anyio.to_thread
import msgspec
from litestar import Controller, MediaType, Request, Response, get, post
from litestar.datastructures import Cookie, UploadFile
from litestar.openapi.spec import Schema
from litestar.openapi.spec.enums import OpenAPIType
from litestar.params import QueryParameter
from litestar.response import Template
from msgspec import Meta, Struct

from drafting.checker import SCRIPTS, CheckResult, TermProblem, check
from drafting.clause import Clause, clause_for, to_docx, to_html, to_markdown, versions_at
from drafting.drafts import MAX_TEXT_BYTES, MAX_UPLOAD_BYTES, decode_text, read_draft, require_draft
from drafting.harmonisation import HarmonisationReport, report_for
from registry.errors import InvalidInput, NotFound
from registry.history import revision_of
from registry.model import ConceptVersion, StandardVersion
from registry.languages import Script as CheckScript

from .openapi import BINARY, body_as, success_as
from .strict import UnsupportedMediaType, read_form
from .routes import At, ReleaseTag
from .problems import problems
from .services import Services, ServicesDep
from .web.page import page

ClauseFormat = Literal["json", "markdown", "html", "docx"]
# the API's bound keeps the description's coverage testable; the web page's basket links carry up to 200 ids
IdList = Annotated[str | None, QueryParameter(max_length=4000, description="concept ids, comma-separated")]
PageIdList = Annotated[str | None, QueryParameter(max_length=20_000)]
Name = Annotated[str | None, QueryParameter(max_length=64)]
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
BASKET_COOKIE = "shuyu_clause_basket"
MAX_BASKET = 200
PROPOSE_HREF = "/editor/propose/revise/{id}"  # the web issue's proposal form, pre-filled from the concept


# what require_draft accepts, for the description (it lets a few control characters through; this does not)
_NOT_DRAFT = "\\u0000-\\u0008\\u000b\\u000e-\\u001f\\u007f-\\u009f"
DRAFT = f"^[^\\S{_NOT_DRAFT}]*[^\\s{_NOT_DRAFT}][^{_NOT_DRAFT}]*$"  # spaces, then the first other character


class CheckRequest(Struct, forbid_unknown_fields=True):
    text: Annotated[str, Meta(extra_json_schema={"pattern": DRAFT})]
    script: CheckScript = "zh-Hans"


check_decoder = msgspec.json.Decoder(CheckRequest)


def _ids(value: str | None) -> list[str]:
    ids = [i.strip() for i in (value or "").split(",") if i.strip()]
    if len(ids) > 1000:
        raise InvalidInput("at most 1000 ids", field="ids")
    return ids


def _versions_at(services: Services, revision: int | None) -> tuple[dict[str, ConceptVersion], list[StandardVersion]]:
    """Concepts (by id) and standards as they stood at ``revision`` (the current ones for None)."""
    catalog = services.catalog
    if revision is None:
        return dict(catalog.concepts), list(catalog.standards.values())
    if revision > services.store.revision() or revision < 0:
        raise NotFound(f"revision {revision} does not exist yet", field="at")
    return versions_at(services.store, revision, catalog.concepts, catalog.standards)


def make_clause(services: Services, ids: list[str], scheme: str | None, broader: str | None, cite: list[str],
                at: str | None, release: str | None) -> Clause:
    revision = revision_of(services.store, at, release)
    concepts, standards = _versions_at(services, revision)
    return clause_for(concepts, standards, ids=ids, scheme=scheme, broader=broader, cite=cite,
                      revision=revision if revision is not None else services.catalog.revision)


def clause_response(clause: Clause, fmt: str) -> Response:
    if fmt == "markdown":
        return Response(to_markdown(clause), media_type="text/markdown; charset=utf-8")
    if fmt == "html":
        return Response(to_html(clause), media_type=MediaType.HTML)
    if fmt == "docx":
        return Response(to_docx(clause), media_type=DOCX,
                        headers={"Content-Disposition": 'attachment; filename="terms-and-definitions.docx"'})
    return Response(msgspec.json.encode(clause), media_type=MediaType.JSON)


class DraftingController(Controller):
    path = "/api/v1"
    tags = ["drafting"]

    @post("/check", status_code=200, request_max_body_size=MAX_TEXT_BYTES + 4096, responses=problems(400, 413, 415, 422, 503),
          operation_class=body_as("the draft: UTF-8 text (at most 1 MiB), or JSON naming the draft's script too",
                                  content={"text/plain": Schema(type=OpenAPIType.STRING, pattern=DRAFT),
                                           "application/json": CheckRequest, DOCX: BINARY}))
    async def check_text(self, request: Request, services: ServicesDep,
                         script: Annotated[CheckScript, QueryParameter(description="the script the draft is written for")] = "zh-Hans",
                         ) -> CheckResult:
        """Check a draft (``text/plain`` UTF-8, at most 1 MiB; JSON ``{"text": …, "script": …}``; or a
        Word ``.docx`` of at most 1 MiB): every registered label with its offsets (Unicode code points
        into the text as sent), the form used and the term to use, and the deprecated, non-preferred,
        regional, other-script and inconsistent uses with their fix. A larger body, or a .docx that
        unpacks to more than 64 MiB or 1000 parts, gets 413."""
        body = await request.body()
        media = request.content_type[0]
        if media and media not in ("application/json", DOCX) and not media.startswith("text/"):
            raise UnsupportedMediaType(detail=f"send the draft as text/plain, application/json or .docx, not {media}")
        if media == DOCX:  # unzipped and parsed off the event loop, after its bounds
            text = await anyio.to_thread.run_sync(read_draft, "draft.docx", body)
        elif media == "application/json":
            try:
                payload = check_decoder.decode(body)
            except msgspec.ValidationError as exc:
                raise InvalidInput(str(exc), field="body") from None
            except msgspec.DecodeError:
                raise InvalidInput("the body is not valid JSON", field="body") from None
            text, script = require_draft(payload.text), payload.script
        else:
            text = decode_text(body)
        return await anyio.to_thread.run_sync(partial(check, services.catalog, text, script))

    @get("/clause", sync_to_thread=True, responses=problems(400, 404, 503),
         operation_class=success_as("text/markdown", MediaType.HTML, DOCX, keep=True))
    def clause(self, services: ServicesDep, ids: IdList = None, scheme: Name = None, broader: Name = None,
               cite: IdList = None,
               format: Annotated[ClauseFormat, QueryParameter(description="json, markdown, html or docx")] = "json",
               at: At = None,
               release: ReleaseTag = None) -> Response[Clause]:
        """The GB/T 1.1-2020 clause 3 "术语和定义" for the concepts ``ids``, or a concept of ``scheme`` and
        everything under it (``broader``), as JSON, Markdown, HTML or Word (``format=docx``); concepts
        defined by a standard in ``cite`` are referenced, not repeated; ``at``/``release`` regenerate the
        clause as it stood then."""
        clause = make_clause(services, _ids(ids), scheme, broader, _ids(cite), at, release)
        return clause_response(clause, format)

    @get("/reports/harmonisation", sync_to_thread=True)
    def harmonisation(self, services: ServicesDep) -> HarmonisationReport:
        """Labels that name more than one concept, a term preferred in one concept and not in another,
        definitions written twice, and standards that define one term differently."""
        return report_for(services.catalog)


# -- web pages ---------------------------------------------------------------------------------

def _page(request: Request, services: Services, name: str, cookies: list[Cookie] | None = None, **context) -> Template:
    """A page as every page of the site is made (the reader's script, the signed-in user …)."""
    response = page(request, services, name, **context)
    response.cookies.extend(cookies or [])
    return response


def marked_segments(text: str, result: CheckResult) -> list[dict[str, Any]]:
    """The text cut into plain runs and found terms, each term with its problems and the ids of their
    entries in the list of problems (``problem-1`` …, which describe the term's link to screen readers),
    for the template."""
    problems: dict[int, list[tuple[int, TermProblem]]] = {}
    for number, p in enumerate(result.problems, 1):
        if p.kind == "inconsistent":
            for span in p.occurrences:
                problems.setdefault(span.start, []).append((number, p))
        else:
            problems.setdefault(p.start, []).append((number, p))
    segments: list[dict[str, Any]] = []
    at = 0
    for m in result.matches:
        if m.start > at:
            segments.append({"text": text[at:m.start]})
        own = problems.get(m.start, [])
        segments.append({"text": m.text, "match": m, "problems": [p for _, p in own],
                         "described": " ".join(f"problem-{number}" for number, _ in own)})
        at = m.end
    if at < len(text):
        segments.append({"text": text[at:]})
    return segments


KIND_NAMES = {"deprecated": "已废弃", "non_preferred": "非优选", "regional": "地区用语", "script": "字形",
              "inconsistent": "用法不一致"}


class DraftingPages(Controller):
    include_in_schema = False

    @get("/check", sync_to_thread=False)
    def check_page(self, request: Request, services: ServicesDep) -> Template:
        return _page(request, services, "check.html", result=None, text="", draft_script="zh-Hans", kinds=KIND_NAMES,
                     max_bytes=MAX_TEXT_BYTES)

    @post("/check", status_code=200, request_max_body_size=MAX_UPLOAD_BYTES + 65_536)
    async def check_submit(self, request: Request, services: ServicesDep) -> Template:
        form = await read_form(request)
        script = form.get("draft_script") or "zh-Hans"
        if script not in SCRIPTS:
            raise InvalidInput("the draft's script is zh-Hans, zh-TW or zh-HK", field="draft_script")
        upload = form.get("file")
        if isinstance(upload, UploadFile) and upload.filename:
            data = await upload.read()  # a .docx is unzipped and parsed off the event loop, after its bounds
            text = await anyio.to_thread.run_sync(read_draft, upload.filename, data)
        else:
            pasted = form.get("text")
            text = require_draft(pasted if isinstance(pasted, str) else "")
        result = await anyio.to_thread.run_sync(partial(check, services.catalog, text, script))
        return _page(request, services, "check.html", result=result, text=text, draft_script=script, kinds=KIND_NAMES,
                     segments=marked_segments(text, result), max_bytes=MAX_TEXT_BYTES)

    @get("/clause", sync_to_thread=True)
    def clause_page(self, request: Request, services: ServicesDep, ids: PageIdList = None, scheme: Name = None,
                    broader: Name = None, add: Name = None, remove: Name = None,
                    clear: Annotated[bool, QueryParameter()] = False,
                    release: ReleaseTag = None, at: At = None) -> Template:
        """The basket of chosen concepts (a cookie) and the clause written for it, or for ``ids`` or
        ``scheme``/``broader`` given in the address."""
        basket = [] if clear else _ids(request.cookies.get(BASKET_COOKIE, ""))
        catalog = services.catalog
        if add:
            if add not in catalog.concepts:
                raise NotFound(f"no concept {add}", field="add")
            basket = list(dict.fromkeys([*basket, add]))[:MAX_BASKET]
        if remove:
            basket = [i for i in basket if i != remove]
        basket = [i for i in basket if i in catalog.concepts]
        chosen_ids = _ids(ids) or ([] if scheme or broader else basket)
        clause = None
        query = ""
        if chosen_ids or scheme or broader:
            clause = make_clause(services, chosen_ids, scheme, broader, [], at, release)
            params = {"ids": ",".join(chosen_ids)} if chosen_ids else {"scheme": scheme or "", "broader": broader or ""}
            params |= {"release": release or "", "at": at or ""}
            query = urlencode({k: v for k, v in params.items() if v})
        cookie = Cookie(key=BASKET_COOKIE, value=",".join(basket), path="/", httponly=True, samesite="lax",
                        max_age=30 * 24 * 3600)
        return _page(request, services, "clause.html", clause=clause, clause_html=to_html(clause) if clause else "", query=query,
                     basket=[catalog.concepts[i] for i in basket], schemes=catalog.schemes, scheme=scheme or "",
                     broader=broader or "", cookies=[cookie])

    @get("/reports/harmonisation", sync_to_thread=True)
    def harmonisation_page(self, request: Request, services: ServicesDep) -> Template:
        return _page(request, services, "harmonisation.html", report=report_for(services.catalog), schemes=services.catalog.schemes,
                     propose=PROPOSE_HREF)
