"""What litestar cannot infer for the OpenAPI description: answers that come in several media types."""

from __future__ import annotations

from dataclasses import dataclass

from litestar.openapi.spec import OpenAPIMediaType, OpenAPIResponse, Operation, Schema
from litestar.openapi.spec.enums import OpenAPIType

BINARY = Schema(type=OpenAPIType.STRING, format="binary")  # type: ignore[arg-type]


def success_as(*media_types: str, keep: bool = False) -> type[Operation]:
    """An ``operation_class=`` whose 2xx answers are documented as ``media_types`` (file bodies), after the
    inferred JSON one if ``keep`` (a route that negotiates), instead of it otherwise (a download)."""

    @dataclass
    class SuccessAs(Operation):
        def __post_init__(self) -> None:
            for status, response in (self.responses or {}).items():
                if status.startswith("2") and isinstance(response, OpenAPIResponse):
                    content = dict(response.content or {}) if keep else {}
                    content.update({media: OpenAPIMediaType(schema=BINARY) for media in media_types})
                    response.content = content

    return SuccessAs
