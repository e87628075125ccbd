"""The server accepts what the OpenAPI description allows, no more.

litestar converts parameters and JSON bodies in msgspec's lax mode, so ``limit=1e2``, ``limit=1.0`` and
``{"base_version": 1.0}`` became integers, and it reads a JSON body whatever the request's content type
says. :func:`strict_request` (the app's ``before_request``, so it runs after the guards: no token is a
401 before the body is read) refuses, as problem details:

- an integer query parameter not written as decimal digits → 400; a parameter of one value given twice
  (``q=a&q=b``: litestar kept the last and said nothing) → 400;
- a NUL, or U+FFFD (what a byte that was not UTF-8 decodes to: a lone surrogate, a cut character), in
  any query or path parameter → 400; a query string whose raw bytes are not UTF-8 → 400 (uvicorn refuses a
  request target that is not ASCII, but another ASGI server may pass it on);
- a query string longer than ``MAX_QUERY_BYTES`` → 414, before it is parsed (litestar keeps the last 1,024
  query strings it parsed, whatever their length);
- no body where the handler needs one → 400; a JSON body under another content type, or none → 415; a body in
  a content coding (gzip …) → 415, as it is never decompressed;
- a JSON body that decodes only in lax mode (``1.0``, ``1e2`` or ``"1"`` for an integer, ``"true"`` for a
  boolean) → 400; a NUL in any of its texts → 400.
"""

from __future__ import annotations

import re
import types
import typing
from dataclasses import dataclass
from urllib.parse import parse_qsl

import msgspec
from litestar import Request, Response
from litestar.exceptions import HTTPException
from litestar.handlers import HTTPRouteHandler
from litestar.params import BodyKwarg, ParameterKwarg, QueryParameter
from litestar.routes import HTTPRoute

from registry.errors import InvalidInput

DIGITS = re.compile(r"-?[0-9]+")
JSON_TYPES = ("application/json",)


MAX_QUERY_BYTES = 8192  # a request's query string, at most (every declared parameter fits many times over)


class UnsupportedMediaType(HTTPException):
    status_code = 415


class QueryTooLong(HTTPException):
    status_code = 414


@dataclass(frozen=True)
class Rules:
    integers: tuple[str, ...]  # query parameters declared as integers, by their name in the query
    body: object | None  # the type a JSON body is decoded to; None: the handler reads no JSON body
    body_required: bool = False  # the handler has no answer without one
    single: tuple[str, ...] = ()  # query parameters of one value (not a list), by their name in the query




def _is_int(annotation: object) -> bool:
    if annotation is int:
        return True
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return all(a is int or a is type(None) for a in typing.get_args(annotation))
    return False


def _is_list(annotation: object) -> bool:
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return any(_is_list(a) for a in typing.get_args(annotation))
    return typing.get_origin(annotation) in (list, tuple, set, frozenset)


def rules_of(handler: HTTPRouteHandler) -> Rules:
    """What to check for a handler, found once from its signature (kept in its ``opt``)."""
    rules = handler.opt.get("shuyu_strict_rules")
    if rules is None:
        integers, single, body, required = [], [], None, False
        for name, field in handler.parsed_fn_signature.parameters.items():
            kwarg = field.kwarg_definition
            if isinstance(kwarg, QueryParameter) and not _is_list(field.annotation):
                single.append(kwarg.query or name)
            if name == "data" and (kwarg is None or isinstance(kwarg, BodyKwarg)
                                   and kwarg.media_type in (None, "application/json")):
                body, required = field.annotation, not (field.is_optional or field.has_default)
            elif _is_int(field.annotation) and not (isinstance(kwarg, ParameterKwarg)
                                                    and (kwarg.header or kwarg.cookie)):
                integers.append(getattr(kwarg, "name", None) or getattr(kwarg, "query", None) or name)
        rules = handler.opt["shuyu_strict_rules"] = Rules(integers=tuple(integers), single=tuple(single), body=body,
                                                          body_required=required)
    return rules


def bad_text(value: str) -> bool:
    """A NUL, or U+FFFD where a byte was not UTF-8: what strict input refuses in a query or path text."""
    return "\x00" in value or "\ufffd" in value


def not_utf8(raw: bytes) -> bool:
    try:
        raw.decode()
    except UnicodeDecodeError:
        return True
    return False


def _has_nul(value: object) -> bool:
    """Whether any text in a decoded JSON document holds a NUL; without recursion (a body nested 400 to
    1,000 deep, which the decoder reads, overflowed Python's stack here: a 500)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return True
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
    return False


async def read_form(request: Request):
    """The request's form; a field that is not UTF-8 text is a 400: litestar's UnicodeDecodeError for a
    multipart field, and for an url-encoded one, which litestar decodes with U+FFFD in place of each bad
    byte (kept, that would store ``��`` as a term with a 2xx), a check of the percent-decoded bytes."""
    if request.content_type[0] == "application/x-www-form-urlencoded":
        raw = await request.body()  # kept on the request: form() reads the same bytes
        if b"%" in raw or not raw.isascii():
            try:
                parse_qsl(raw.decode(), keep_blank_values=True, encoding="utf-8", errors="strict")
            except UnicodeDecodeError as exc:
                raise InvalidInput(f"a form field is not UTF-8 text ({exc.reason})", field="body") from None
    try:
        return await request.form()
    except UnicodeDecodeError as exc:
        raise InvalidInput(f"a form field is not UTF-8 text ({exc.reason} at byte {exc.start})", field="body") from None


def allowed_methods(request: Request) -> str:
    """The ``Allow`` of the route a request reached (every method of its path)."""
    handler = request.route_handler
    allowed = handler.opt.get("shuyu_allow")
    if allowed is None:
        paths = handler.paths
        methods = {m for route in request.app.routes if isinstance(route, HTTPRoute) and route.path in paths
                   for m in route.methods}
        allowed = handler.opt["shuyu_allow"] = ", ".join(sorted(methods | {"OPTIONS"}))
    return allowed


async def strict_request(request: Request) -> Response | None:
    """The app's ``before_request``: refuse what the description does not allow (see the module).

    Also answers ``OPTIONS`` itself: litestar's answer names only the methods of the first handlers
    registered on a path (``Allow: OPTIONS, POST`` where GET is served too)."""
    if request.scope["method"] == "OPTIONS" and request.route_handler.handler_name == "options_handler":
        return Response(content=None, status_code=204, headers={"Allow": allowed_methods(request)}, media_type="text/plain")
    scope = request.scope
    query = scope["query_string"]  # nothing to parse on most reads (/healthz, a concept by id)
    if len(query) > MAX_QUERY_BYTES:
        raise QueryTooLong(detail=f"the query string is longer than {MAX_QUERY_BYTES} bytes")
    if not query.isascii() and not_utf8(query):  # litestar reads it as latin-1, but names it as UTF-8: a 500
        raise InvalidInput("the query string is not UTF-8", field="query")
    params = request.query_params if query else None  # a new MultiDict at each access: made once here
    if params is not None:
        for name, value in params.multi_items():
            if bad_text(name) or bad_text(value):
                raise InvalidInput(f"{name!r} holds a NUL or a byte that is not UTF-8", field=name)
    if scope["path_params"]:
        for name, value in request.path_params.items():
            if isinstance(value, str) and bad_text(value):
                raise InvalidInput(f"{name} holds a NUL or a byte that is not UTF-8", field=name)
    headers = request.headers
    coding = headers.get("content-encoding")
    if coding is not None and coding.strip().lower() not in ("", "identity") \
            and (headers.get("content-length", "0") != "0" or "transfer-encoding" in headers):
        # no body is decompressed: read as it came, a gzip body was "malformed JSON" and a compressed draft
        # checked as text (RFC 9110, 15.5.16: an unsupported content coding is a 415)
        raise UnsupportedMediaType(detail=f"a body in the content coding {coding.strip()!r} is not read; "
                                          "send it uncompressed", headers={"Accept-Encoding": "identity"})
    rules = rules_of(request.route_handler)
    if params is not None:
        for name in rules.single:
            if len(params.getall(name, ())) > 1:
                raise InvalidInput(f"{name} is given more than once: give it once", field=name)
        for name in rules.integers:
            for value in params.getall(name, []):
                if not DIGITS.fullmatch(value):
                    raise InvalidInput(f"{name} is an integer written in decimal digits, not {value!r}", field=name)
    if rules.body is None:
        return None
    body = await request.body()
    if not body:
        if rules.body_required:  # litestar's own answer is a 422 reading "data: 'data'"
            raise InvalidInput("this needs a JSON body", field="body")
        return None  # an optional body is None
    media = request.content_type[0]
    if media not in JSON_TYPES and not media.endswith("+json"):
        raise UnsupportedMediaType(detail=f"the body must be sent as application/json, not {media or 'without a type'}")
    try:
        msgspec.json.decode(body, type=rules.body)  # strict: what the schema says, nothing coerced
    except msgspec.ValidationError as exc:
        try:  # the typed decode may refuse a field before it reaches the end of a text that is not JSON
            document = msgspec.json.decode(body)
        except msgspec.DecodeError:
            return None  # not JSON: litestar answers 400
        try:
            msgspec.convert(document, type=rules.body, strict=False)
        except msgspec.ValidationError:
            if _has_nul(document):  # a NUL is a 400 even where a field's pattern refuses it too
                raise InvalidInput("a text in the body holds a NUL character", field="body") from None
            return None  # wrong by any reading: litestar answers 422 naming the field
        raise InvalidInput(f"{exc} (numbers and booleans are written as JSON numbers and booleans)",
                           field="body") from None
    except msgspec.DecodeError:
        return None  # not JSON: litestar answers 400
    if _has_nul(msgspec.json.decode(body)):
        raise InvalidInput("a text in the body holds a NUL character", field="body")
    return None
