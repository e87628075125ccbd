"""What litestar cannot infer for the OpenAPI description, and where it describes our types wrongly.

litestar writes ``items: {oneOf: [X, {}]}`` for ``tuple[X, ...]``, drops the constraints of list items
(``list[Annotated[str, Meta(max_length=…)]]``), never says ``additionalProperties: false`` for a Struct
that forbids unknown fields, and writes integer bounds as floats (``9.223372036854776e18``). msgspec decodes
every body, so msgspec's own JSON Schema of a Struct is what the server accepts: :func:`exact` puts it in
place of litestar's for every Struct the description names (``tests/api/test_openapi_exact.py``).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

import msgspec
from litestar import Request
from litestar.openapi.plugins import JsonRenderPlugin
from litestar.openapi.spec import (
    OpenAPIMediaType,
    OpenAPIResponse,
    Operation,
    Reference,
    RequestBody,
    Schema,
)
from litestar.openapi.spec.enums import OpenAPIFormat, OpenAPIType

BINARY = Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.BINARY)
ANY_JSON = Schema(description="a JSON document (JSON-LD: an array of nodes)")  # a client parses it: not a string
REF = "#/components/schemas/{name}"
MAX_INT = 2**63 - 1  # what both stores hold in an integer column
# Every query and path parameter is refused (400) with a NUL, or with U+FFFD, which is what a byte
# that was not UTF-8 (a lone surrogate, a cut character) decodes to (api/strict.py).
NO_NUL = "^[^\\u0000\\ufffd]*$"
NO_NUL_TEXT = "^[^\\u0000]*$"  # a text in a JSON body: a NUL is refused (400), U+FFFD is a character like any other


def success_as(*media_types: str, keep: bool = False) -> type[Operation]:
    """An ``operation_class=`` whose 2xx answers are documented as ``media_types`` (file bodies), after the
    inferred JSON one if ``keep`` (a route that negotiates), instead of it otherwise (a download)."""

    @dataclass
    class SuccessAs(Operation):
        def __post_init__(self) -> None:
            for status, response in (self.responses or {}).items():
                if status.startswith("2") and isinstance(response, OpenAPIResponse):
                    content = dict(response.content or {}) if keep else {}
                    content.update({media: OpenAPIMediaType(schema=ANY_JSON if media.endswith("json") else BINARY)
                                    for media in media_types})
                    response.content = content

    return SuccessAs


def body_as(description: str, content: dict[str, Schema | type]) -> type[Operation]:
    """An ``operation_class=`` documenting the request body of a handler that reads it itself:
    ``content`` maps each media type to a schema, or to a Struct (described by :func:`exact`)."""

    @dataclass
    class BodyAs(Operation):
        def __post_init__(self) -> None:
            media = {name: OpenAPIMediaType(
                schema=Reference(ref=REF.format(name=schema.__name__)) if isinstance(schema, type) else schema)
                for name, schema in content.items()}
            self.request_body = RequestBody(content=media, description=description, required=True)

    return BodyAs


def _structs() -> dict[str, type[msgspec.Struct]]:
    """Every Struct class by name; a name two classes share is left out (litestar names those apart)."""
    found: dict[str, type[msgspec.Struct] | None] = {}
    todo = list(msgspec.Struct.__subclasses__())
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        found[cls.__name__] = None if cls.__name__ in found and found[cls.__name__] is not cls else cls
    return {name: cls for name, cls in found.items() if cls is not None}


def _refs(node: Any) -> set[str]:
    if isinstance(node, dict):
        names = {node["$ref"].rsplit("/", 1)[1]} if isinstance(node.get("$ref"), str) else set()
        return names.union(*(_refs(v) for v in node.values()))
    if isinstance(node, list):
        return set().union(*(_refs(v) for v in node))
    return set()


def _tidy(node: Any, parameter: bool = False) -> Any:
    """One schema node, fixed: ``oneOf [X, {}]`` is X; integer bounds are integers (a bound litestar
    rounded past 2⁶³−1 is 2⁶³−1); an ``enum`` of strings says ``type: string`` (generated clients want it)."""
    if isinstance(node, list):
        return [_tidy(v) for v in node]
    if not isinstance(node, dict):
        return node
    node = {k: _tidy(v) for k, v in node.items()}
    for key in ("oneOf", "anyOf"):
        options = node.get(key)
        if isinstance(options, list) and {} in options:
            rest = [o for o in options if o != {}]
            del node[key]
            if len(rest) == 1:
                node.update(rest[0])
            else:
                node[key] = rest
    types = node.get("type"), *[o.get("type") for o in node.get("oneOf", []) + node.get("anyOf", [])]
    if "integer" in types:
        for bound in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
            if isinstance(node.get(bound), float) and node[bound].is_integer():
                node[bound] = min(int(node[bound]), MAX_INT)
    enum = node.get("enum")
    if "type" not in node and isinstance(enum, list) and enum and all(isinstance(e, str) for e in enum):
        node["type"] = "string"
    return node


def exact(description: dict[str, Any]) -> dict[str, Any]:
    """The OpenAPI description with msgspec's schema for every Struct it names, and every schema tidied."""
    spec = copy.deepcopy(description)
    components = spec.setdefault("components", {}).setdefault("schemas", {})
    structs = _structs()
    wanted = sorted(name for name in set(components) | _refs(spec["paths"]) if name in structs)
    _, ours = msgspec.json.schema_components([structs[n] for n in wanted], ref_template=REF)
    for name, schema in ours.items():
        if name in components or name in wanted or name in structs:
            components[name] = schema
    components = spec["components"]["schemas"] = {name: _tidy(schema) for name, schema in sorted(components.items())}
    bodies = [op["requestBody"] for item in spec["paths"].values() for op in item.values()
              if isinstance(op, dict) and "requestBody" in op]
    read, todo = set(), _refs(bodies)
    while todo:  # every component a request body holds, however deep
        name = todo.pop()
        if name not in read and name in components:
            read.add(name)
            todo |= _refs(components[name])
    for name in read:
        _no_nul_text(components[name])
    for item in spec["paths"].values():
        for operation in item.values():
            if not isinstance(operation, dict):
                continue
            for parameter in operation.get("parameters", []):
                schema = _tidy(parameter.get("schema", {}))
                _no_nul(schema)
                parameter["schema"] = schema
            for media in operation.get("requestBody", {}).get("content", {}).values():
                media["schema"] = _tidy(media.get("schema", {}))
                options = media["schema"].get("oneOf", media["schema"].get("anyOf", []))
                if {"type": "null"} in options:  # ``data: X | None = None``: the body may be left out
                    operation["requestBody"]["required"] = False
            if "requestBody" in operation and "415" not in operation["responses"]:
                operation["responses"]["415"] = _problem(415)
            operation["responses"] = dict(sorted(operation["responses"].items()))
    return spec


def _problem(status: int) -> dict[str, Any]:
    from .problems import PROBLEM_JSON, TITLES, WHEN

    return {"description": f"{TITLES[status]}: {WHEN[status]}",
            "content": {PROBLEM_JSON: {"schema": {"$ref": REF.format(name="ProblemDetails")}}}}


def _no_nul(schema: dict[str, Any]) -> None:
    """A text parameter without a pattern of its own gets :data:`NO_NUL`."""
    for option in [schema, *schema.get("oneOf", []), *schema.get("anyOf", [])]:
        if option.get("type") == "string" and "pattern" not in option and "enum" not in option \
                and "format" not in option:
            option["pattern"] = NO_NUL


def _no_nul_text(node: Any) -> None:
    """Every text of a request body without a pattern of its own gets :data:`NO_NUL_TEXT`."""
    if isinstance(node, list):
        for v in node:
            _no_nul_text(v)
    elif isinstance(node, dict):
        if node.get("type") == "string" and not {"pattern", "enum", "format", "const"} & set(node):
            node["pattern"] = NO_NUL_TEXT
        for v in node.values():
            _no_nul_text(v)


class _Exact:
    """Render the description through :func:`exact` (made once per app)."""

    _done: tuple[dict[str, Any], dict[str, Any]] | None = None

    def render(self, request: Request, openapi_schema: dict[str, Any]) -> bytes:
        if self._done is None or self._done[0] is not openapi_schema:
            self._done = (openapi_schema, exact(openapi_schema))
        return super().render(request, self._done[1])  # type: ignore[misc]


class ExactJson(_Exact, JsonRenderPlugin):
    """``/schema/openapi.json``, exact."""
