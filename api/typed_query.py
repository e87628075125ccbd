"""A hot read's typed query parameters read once from the raw query string, then its handler called.

litestar reads a handler's query parameters through its kwargs model (the parsed query kept in the
scope, a ``MultiDict``, an extractor per parameter, the dependency batch, an exit stack) and converts
them all again with msgspec in the handler's signature model; with strict input's own ``MultiDict``
(api/strict.py) that was the largest part of the search route's cost after the search itself
(docs/performance-log.md, "Issue 25, the search route's cost").

:func:`typed_query` is a route's ``before_request`` (litestar's public hook: what it returns is the
answer, and the handler is not called again). For a query it understands wholly, it does what litestar
would and calls the handler itself with the values: every name one the handler declares, each at most
once, every value of the declared type within the declared bounds (read from the same ``QueryParameter``
declarations that the OpenAPI description is made from), no NUL and no byte that was not UTF-8. Any other
query — a required parameter missing, an unknown or repeated name, an empty value, a value out of bounds
or written otherwise than plain decimal digits, a raw byte that is not ASCII — goes the ordinary way: the
app's ``before_request`` (strict input) and litestar's kwargs model, so every problem answered stays the one
litestar and strict input give (tests/api/test_typed_query.py sends the same queries both ways,
tests/api/test_typed_query_fuzz.py generated ones).
"""

from __future__ import annotations

import inspect
import re
import types
import typing
from dataclasses import dataclass, fields
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

from litestar import Request, Response
from litestar.di import Provide
from litestar.handlers import HTTPRouteHandler
from litestar.params import ParameterKwarg
from litestar.types import Empty

from .strict import MAX_QUERY_BYTES, bad_text

TRIPLETS = re.compile(r"(?:%[0-9A-Fa-f]{2})+")  # a value written wholly as percent-encoded bytes (CJK text)
PLAIN_INT = re.compile(r"0|[1-9][0-9]{0,17}")  # what ``int`` reads the same way in any mode; 18 digits fit 2⁶³
# the QueryParameter fields a plan reads (bounds) or that only describe (OpenAPI); any other set: no plan
UNDERSTOOD = frozenset(("min_length", "max_length", "pattern", "ge", "le", "gt", "lt", "query", "title", "description",
                        "examples", "external_docs", "schema_extra", "include_in_schema",
                        "schema_component_key"))
Read = Callable[[str], Any]  # a raw value to the typed one; raises ValueError where litestar might answer otherwise


class Declined(ValueError):
    """A value the plan leaves to litestar."""


@dataclass(frozen=True)
class Plan:
    """How a handler's query reads: each query name's keyword and reader, the defaults of the others,
    the dependencies to provide, and the enclosing layers' ``before_request`` for every query left to it."""

    readers: dict[str, tuple[str, Read]] | None  # query name → (keyword, reader); None: every query left to litestar
    defaults: dict[str, Any]  # keyword → value when the query does not name it (no entry: required)
    dependencies: dict[str, Provide]
    call: Callable[..., Any]
    fallback: Callable[[Request], Any] | None


def _optional(annotation: object) -> object:
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = typing.get_args(annotation)
        if len(args) == 2 and type(None) in args:
            return next(a for a in args if a is not type(None))
    return annotation


def _reader(annotation: object, kwarg: ParameterKwarg | None) -> Read | None:
    """A value's reader, or None when litestar alone reads this parameter."""
    if kwarg is not None:
        if kwarg.header or kwarg.cookie:
            return None
        for f in fields(kwarg):
            if f.name not in UNDERSTOOD and f.name != "annotation" and getattr(kwarg, f.name) != f.default:
                return None
    annotation = _optional(annotation)
    ge = le = None
    min_length = max_length = pattern = None
    if kwarg is not None:
        if kwarg.gt is not None or kwarg.lt is not None:
            return None
        ge, le, min_length, max_length, pattern = kwarg.ge, kwarg.le, kwarg.min_length, kwarg.max_length, kwarg.pattern
    if annotation is int:
        if min_length is not None or max_length is not None or pattern is not None:
            return None

        def read_int(value: str) -> int:
            if not PLAIN_INT.fullmatch(value):
                raise Declined(value)
            number = int(value)
            if (ge is not None and number < ge) or (le is not None and number > le):
                raise Declined(value)
            return number

        return read_int
    if annotation is str:
        if ge is not None or le is not None:
            return None
        shortest, longest = min_length or 0, max_length
        search = re.compile(pattern).search if pattern else None  # msgspec's reading of a pattern: re.search

        def read_str(value: str) -> str:
            if len(value) < shortest or (longest is not None and len(value) > longest) or (search and not search(value)):
                raise Declined(value)
            return value

        return read_str
    if typing.get_origin(annotation) is typing.Literal and all(isinstance(a, str) for a in typing.get_args(annotation)):
        if ge is not None or le is not None or min_length is not None or max_length is not None or pattern is not None:
            return None
        allowed = frozenset(typing.get_args(annotation))

        def read_choice(value: str) -> str:
            if value not in allowed:
                raise Declined(value)
            return value

        return read_choice
    return None


RESERVED = frozenset(("request", "socket", "scope", "state", "headers", "cookies", "query", "body", "data"))


def plan_of(handler: HTTPRouteHandler) -> Plan:
    """The handler's plan, found once from its signature (kept in its ``opt``); its ``readers`` are None when
    every query is left to litestar: a parameter the plan cannot read, a dependency that takes parameters,
    an answer that is not a ``Response`` (litestar calls the handler again after a falsy one), a path
    parameter."""
    plan = handler.opt.get("shuyu_typed_query")
    if plan is not None:
        return plan
    signature = handler.parsed_fn_signature
    returned = typing.get_origin(signature.return_type.annotation) or signature.return_type.annotation
    layers = [layer.before_request for layer in handler.ownership_layers[:-1] if layer.before_request]
    provided = handler.resolve_dependencies()
    readers: dict[str, tuple[str, Read]] = {}
    defaults: dict[str, Any] = {}
    dependencies: dict[str, Provide] = {}
    usable = isinstance(returned, type) and issubclass(returned, Response) and "{" not in "".join(handler.paths)
    for name, field in signature.parameters.items():
        if name in provided:
            provide = provided[name]
            usable = usable and not inspect.signature(provide.dependency).parameters
            dependencies[name] = provide
            continue
        kwarg = field.kwarg_definition
        read = _reader(field.annotation, kwarg) if kwarg is None or isinstance(kwarg, ParameterKwarg) else None
        if read is None or name in RESERVED:
            usable = False
            continue
        readers[(kwarg.query if isinstance(kwarg, ParameterKwarg) and kwarg.query else None) or name] = (name, read)
        if field.default is not Empty:
            defaults[name] = field.default
    plan = Plan(readers=readers if usable else None, defaults=defaults, dependencies=dependencies, call=handler.fn,
                fallback=layers[-1] if layers else None)
    handler.opt["shuyu_typed_query"] = plan
    return plan


def _unquoted(text: str) -> str:
    """``urllib.parse.unquote(text)``: for a text of percent-encoded bytes alone, its bytes decoded as UTF-8
    with U+FFFD for each bad byte, which is what ``unquote`` does with an ASCII text, at once."""
    if TRIPLETS.fullmatch(text):
        return bytes.fromhex(text.replace("%", "")).decode("utf-8", "replace")
    return unquote(text)


def query_pairs(query: str) -> list[tuple[str, str]]:
    """``urllib.parse.parse_qsl(query, keep_blank_values=True, separator="&")``, as litestar calls it on the
    latin-1 text of the query string: the same pairs (a test compares the two), without unquoting what
    holds no ``%``."""
    pairs = []
    for part in query.split("&"):
        if not part:
            continue
        name, _, value = part.partition("=")
        if "+" in name:
            name = name.replace("+", " ")
        if "%" in name:
            name = _unquoted(name)
        if "+" in value:
            value = value.replace("+", " ")
        if "%" in value:
            value = _unquoted(value)
        pairs.append((name, value))
    return pairs


async def typed_query(request: Request) -> Any:
    """A route's ``before_request``: the handler's answer for a query the plan reads wholly, else what the
    enclosing layers' ``before_request`` says (and then litestar's kwargs model and the handler, as always)."""
    plan = plan_of(request.route_handler)
    readers = plan.readers
    query = request.scope["query_string"]
    # a request target is ASCII: other bytes, and a query too long, are strict input's
    if readers is not None and query.isascii() and len(query) <= MAX_QUERY_BYTES:
        given: dict[str, Any] = {}
        try:
            for name, value in query_pairs(query.decode("latin-1")) if query else ():
                keyword, read = readers[name]  # KeyError: a name the handler does not declare
                if keyword in given or not value or bad_text(value):
                    raise Declined(value)  # repeated, empty, or refused by strict input
                given[keyword] = read(value)
        except (KeyError, ValueError):
            given = {}
            readers = None
        if readers is not None:
            kwargs = {**plan.defaults, **given}
            if len(kwargs) == len(readers):  # every required parameter given
                for name, provide in plan.dependencies.items():
                    kwargs[name] = await provide()
                return plan.call(**kwargs)
    return None if plan.fallback is None else await plan.fallback(request)
