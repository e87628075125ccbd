"""RFC 9457 problem details for every error; never a stack trace."""

from __future__ import annotations

import logging

from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.response import Template
from msgspec import Struct

from registry.errors import ShuyuError

log = logging.getLogger("shuyu.api")

PROBLEM_JSON = "application/problem+json"
TITLES = {400: "Bad request", 401: "Unauthorized", 403: "Forbidden", 404: "Not found",
          405: "Method not allowed", 409: "Conflict", 413: "Payload too large", 422: "Unprocessable content",
          429: "Too many requests", 500: "Internal server error", 503: "Service unavailable"}
TYPES = {400: "/problems/invalid-input", 404: "/problems/not-found", 405: "/problems/method-not-allowed",
         413: "/problems/too-large", 500: "/problems/internal-error"}


class InvalidParam(Struct, omit_defaults=True):
    name: str
    reason: str


class Problem(Struct, omit_defaults=True):
    type: str
    title: str
    status: int
    detail: str = ""
    instance: str = ""
    field: str | None = None
    invalid_params: list[InvalidParam] | None = None


def problem_response(problem: Problem, request: Request | None = None) -> Response:
    """The problem as JSON; as an HTML page for a browser asking for a web page."""
    if request is not None and _wants_html(request):
        from .web.page import page  # the web pages' context (script, signed-in user) for the error page

        try:
            return page(request, request.app.state.services, "problem.html", p=problem, status_code=problem.status)
        except Exception:  # no services (startup) or a broken session: the bare page still answers
            return Template(template_name="problem.html", context={"p": problem}, status_code=problem.status,
                            media_type=MediaType.HTML)
    return Response(problem, status_code=problem.status, media_type=PROBLEM_JSON)


def _wants_html(request: Request) -> bool:
    path = request.url.path
    return not path.startswith(("/api/", "/schema", "/healthz")) and "text/html" in request.headers.get("accept", "")


def shuyu_error_handler(request: Request, exc: ShuyuError) -> Response[Problem]:
    return problem_response(
        Problem(type=exc.type, title=exc.title, status=exc.status, detail=exc.detail,
                instance=request.url.path, field=exc.field),
        request,
    )


def http_error_handler(request: Request, exc: HTTPException) -> Response[Problem]:
    status = exc.status_code
    params = None
    detail = exc.detail
    kind = TYPES.get(status, "about:blank")
    if isinstance(exc, ValidationException):
        errors = [e for e in (exc.extra or []) if isinstance(e, dict)]
        params = [InvalidParam(name=str(e.get("key", "")), reason=str(e.get("message", ""))) for e in errors] or None
        if params:
            detail = "; ".join(f"{p.name}: {p.reason}" for p in params)
        if any(e.get("source") == "body" for e in errors):  # well-formed JSON with the wrong content
            status, kind = 422, "/problems/invalid-body"
    return problem_response(
        Problem(type=kind, title=TITLES.get(status, "Error"), status=status,
                detail=detail, instance=request.url.path, invalid_params=params),
        request,
    )


def internal_error_handler(request: Request, exc: Exception) -> Response[Problem]:
    log.exception("unhandled error on %s", request.url.path)
    return problem_response(
        Problem(type=TYPES[500], title=TITLES[500], status=500,
                detail="the server could not answer this request; it has been logged",
                instance=request.url.path),
        request,
    )


EXCEPTION_HANDLERS = {
    ShuyuError: shuyu_error_handler,
    HTTPException: http_error_handler,
    Exception: internal_error_handler,
}

__all__ = ["EXCEPTION_HANDLERS", "Problem", "PROBLEM_JSON", "MediaType"]
