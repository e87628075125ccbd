"""RFC 9457 problem details for every error; never a stack trace. Also how each operation documents them."""

from __future__ import annotations

import logging

from litestar import MediaType, Request, Response
from litestar.connection import ASGIConnection
from litestar.exceptions import HTTPException, ValidationException
from litestar.handlers import BaseRouteHandler
from litestar.openapi.datastructures import ResponseSpec
from litestar.response import Template
from litestar.types import ExceptionHandlersMap
from msgspec import Struct

from registry.errors import NotFound, ShuyuError

log = logging.getLogger("shuyu.api")

PROBLEM_JSON = "application/problem+json"
TITLES = {400: "Bad request", 401: "Unauthorized", 403: "Forbidden", 404: "Not found",
          405: "Method not allowed", 409: "Conflict", 412: "Precondition failed", 413: "Payload too large",
          414: "URI too long", 415: "Unsupported media type", 422: "Unprocessable content", 429: "Too many requests", 500: "Internal server error",
          503: "Service unavailable"}
TYPES = {400: "/problems/invalid-input", 404: "/problems/not-found", 405: "/problems/method-not-allowed",
         413: "/problems/too-large", 414: "/problems/query-too-long", 415: "/problems/unsupported-media-type", 429: "/problems/too-many-requests",
         500: "/problems/internal-error"}
# the code of a problem raised without a type of its own (litestar's, e.g. a CSRF failure), by status
CODES = {400: "invalid-input", 401: "unauthorized", 403: "forbidden", 404: "not-found", 405: "method-not-allowed",
         409: "conflict", 412: "precondition-failed", 413: "too-large", 414: "query-too-long", 415: "unsupported-media-type",
         422: "invalid-body", 429: "too-many-requests", 500: "internal-error", 503: "unavailable"}
# what each documented status means, for the OpenAPI description
WHEN = {
    400: "a missing, malformed or out-of-range parameter (an integer not written in decimal digits, a NUL), or a "
         "body that is not JSON or writes a number or boolean as something else",
    401: "no bearer token, or an unknown or revoked one (`WWW-Authenticate: Bearer`)",
    403: "the token's role may not do this, or a reviewer acting on content they wrote",
    404: "no such resource",
    409: "the resource's state or version does not allow this (the detail says why)",
    412: "`If-Match` names a version of the resource that is no longer current",
    413: "the request body is over 1 MiB",
    414: "a query string over 8,192 bytes",
    415: "the body is not sent as one of the media types the operation documents (JSON as `application/json`)",
    422: "a well-formed JSON body with wrong fields or values, or content that breaks a registry rule",
    429: "too many failed tokens or draft checks from this client: retry after `Retry-After` seconds",
    503: "the store or the search index cannot answer now; retry later",
}


class InvalidParam(Struct, omit_defaults=True):
    name: str
    reason: str


class ImportProblem(Struct, omit_defaults=True):
    """One problem of an import: the file (with the RDF subject in angle brackets), line, field, what is wrong."""

    file: str
    detail: str
    line: int | None = None
    field: str | None = None


class ProblemDetails(Struct, omit_defaults=True):
    """An RFC 9457 problem: ``type`` is stable and names the kind of error; ``detail`` says what happened."""

    type: str
    title: str
    status: int
    detail: str = ""
    instance: str = ""
    field: str | None = None
    invalid_params: list[InvalidParam] | None = None
    errors: list[ImportProblem] | None = None  # an import: every problem found, not only the first
    code: str = ""  # stable, one per kind of problem (the last part of ``type``), for clients to branch on

    def __post_init__(self) -> None:
        if not self.code:
            self.code = (self.type.rstrip("/").rsplit("/", 1)[-1] if self.type not in ("", "about:blank")
                         else CODES.get(self.status, "error"))


def problems(*statuses: int) -> dict[int, ResponseSpec]:
    """The ``responses=`` of a route: each status it can answer with a problem, as ``application/problem+json``.

    Replaces litestar's default 400 body (``status_code``, ``detail``, ``extra``), which is not what we send.
    """
    return {status: ResponseSpec(data_container=ProblemDetails, media_type=PROBLEM_JSON, generate_examples=False,
                                 description=f"{TITLES[status]}: {WHEN[status]}") for status in statuses}


def not_modified() -> dict[int, ResponseSpec]:
    """The ``responses=`` entry of a read that honours ``If-None-Match``."""
    return {304: ResponseSpec(data_container=None, description="Not modified: the ETag in If-None-Match is current")}


def loggable(text: str) -> str:
    """Text from a request, safe for a log line: control characters (a newline would forge a line) escaped."""
    return text.encode("unicode_escape").decode("ascii") if not text.isprintable() else text


def problem_response(problem: ProblemDetails, request: Request | None = None, headers: dict[str, str] | None = None) -> Response:
    """The problem as JSON; as an HTML page for a browser asking for a web page. Off the API a path answers
    either by ``Accept``, so its problems say ``Vary: Accept`` (a page also varies on its script)."""
    web = request is not None and not request.scope["path"].startswith(API_PATHS)
    if web:
        headers = {**(headers or {}), "Vary": "Accept"}
    if request is not None and web and "text/html" in request.headers.get("accept", ""):
        from .web.page import page, vary  # the web pages' context (script, signed-in user) for the error page

        try:
            response = page(request, request.app.state.services, "problem.html", p=problem, status_code=problem.status)
        except Exception:  # no services (startup) or a broken session: the bare page still answers
            return Template(template_name="problem.html", context={"p": problem}, status_code=problem.status,
                            media_type=MediaType.HTML, headers=headers)
        response.headers.update({k: v for k, v in (headers or {}).items() if k != "Vary"})
        return vary(response, "Accept")
    return Response(problem, status_code=problem.status, media_type=PROBLEM_JSON, headers=headers)


API_PATHS = ("/api/", "/schema", "/healthz")  # the paths that answer JSON whatever Accept says


def shuyu_error_handler(request: Request, exc: ShuyuError) -> Response[ProblemDetails]:
    headers = {"WWW-Authenticate": 'Bearer realm="shuyu"'} if exc.status == 401 else None
    return problem_response(
        ProblemDetails(type=exc.type, title=exc.title, status=exc.status, detail=exc.detail,
                instance=request.scope["path"], field=exc.field, errors=getattr(exc, "errors", None)),
        request, headers,
    )


# what a problem says of a value that does not match a parameter's or a field's pattern, instead of
# msgspec's "Expected `str` matching regex '^[^\\u0000-…]*…$'": filled by ``say_pattern`` where each is defined
_PATTERN_WORDS: dict[str, str] = {}


def say_pattern(pattern: str, words: str) -> str:
    """``pattern``, with the words a problem says when a value does not match it (``is blank …``)."""
    _PATTERN_WORDS[f"Expected `str` matching regex {pattern!r}"] = words
    return pattern


def _reason(message: str) -> str:
    """A validation message in words: a known pattern's words (keeping msgspec's `` - at `$.text` ``)."""
    if message.startswith("Expected `str` matching regex "):
        for expected, words in _PATTERN_WORDS.items():
            if message.startswith(expected):
                return words + message[len(expected):]
    return message


def http_error_handler(request: Request, exc: HTTPException) -> Response[ProblemDetails]:
    status = exc.status_code
    params = None
    detail = exc.detail
    kind = TYPES.get(status, "about:blank")
    if isinstance(exc, ValidationException):
        errors = [e for e in (exc.extra or []) if isinstance(e, dict)]
        params = [InvalidParam(name=str(e.get("key", "")), reason=_reason(str(e.get("message", "")))) for e in errors] or None
        if params:
            detail = "; ".join(f"{p.name}: {p.reason}" for p in params)
        if any(e.get("source") == "body" for e in errors):  # well-formed JSON with the wrong content
            status, kind = 422, "/problems/invalid-body"
    if status == 413 and detail == "Request Entity Too Large":  # litestar's words: say the bound instead
        detail = _too_large(request)
    return problem_response(
        ProblemDetails(type=kind, title=TITLES.get(status, "Error"), status=status,
                detail=detail, instance=request.scope["path"], invalid_params=params),
        request, dict(exc.headers) if exc.headers else None,  # e.g. Allow on 405
    )


def _too_large(request: Request) -> str:
    """What a 413 for a body over the route's bound says: the bound, and for an import the setting that sets it."""
    try:
        bound = request.route_handler.resolve_request_max_body_size()
    except Exception:  # no route resolved (the bound is the app's)
        bound = None
    if not isinstance(bound, int):
        return "the request body is over the size this route accepts"
    setting = " (the import_max_bytes setting)" if request.scope["path"].rstrip("/").endswith("/imports") else ""
    return f"the request body is over {bound:,} bytes, the most this route accepts{setting}"


def recursion_error_handler(request: Request, exc: RecursionError) -> Response[ProblemDetails]:
    """JSON nested too deep for the decoder is bad input; any other recursion is a fault of ours."""
    if "deserializing" not in str(exc):
        return internal_error_handler(request, exc)
    return problem_response(
        ProblemDetails(type=TYPES[400], title=TITLES[400], status=400, detail="the JSON body is nested too deeply",
                instance=request.scope["path"]),
        request,
    )


def internal_error_handler(request: Request, exc: Exception) -> Response[ProblemDetails]:
    log.exception("unhandled error on %s %s", request.method, loggable(request.scope["path"]))
    return problem_response(
        ProblemDetails(type=TYPES[500], title=TITLES[500], status=500,
                detail="the server could not answer this request; it has been logged",
                instance=request.scope["path"]),
        request,
    )


NAME_MAX = 255  # bytes in one file name (Linux): a longer one names no file, the file system says ENAMETOOLONG


def no_nul_in_path(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    """Guard for file routes: a NUL, or a name longer than a file name can be, names no file (and the file
    system would refuse it with an error, not a 404)."""
    path = connection.scope["path"]
    if "\x00" in path or any(len(part.encode("utf-8", "surrogateescape")) > NAME_MAX for part in path.split("/")):
        raise NotFound("no such file")


EXCEPTION_HANDLERS: ExceptionHandlersMap = {
    ShuyuError: shuyu_error_handler,
    HTTPException: http_error_handler,
    RecursionError: recursion_error_handler,
    Exception: internal_error_handler,
}

__all__ = ["EXCEPTION_HANDLERS", "ProblemDetails", "PROBLEM_JSON", "MediaType", "problems", "loggable", "no_nul_in_path"]
