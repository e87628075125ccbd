"""The one exception hierarchy of shuyu.

Each error knows its HTTP status and a stable problem type, so the API maps it to RFC 9457 problem
details in one place and the CLI prints it as one line.
"""

from __future__ import annotations


class ShuyuError(Exception):
    status = 400
    type = "about:blank"
    title = "Bad request"

    def __init__(self, detail: str, *, field: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.field = field

    def __str__(self) -> str:
        return f"{self.field}: {self.detail}" if self.field else self.detail


class NotFound(ShuyuError):
    status = 404
    type = "/problems/not-found"
    title = "Not found"


class Unauthorized(ShuyuError):
    status = 401
    type = "/problems/unauthorized"
    title = "Unauthorized"


class Forbidden(ShuyuError):
    status = 403
    type = "/problems/forbidden"
    title = "Forbidden"


class InvalidInput(ShuyuError):
    status = 400
    type = "/problems/invalid-input"
    title = "Invalid input"


class RuleViolation(ShuyuError):
    """Content breaks a registry rule (duplicate label, dangling relation, broader cycle ...)."""

    status = 422
    type = "/problems/rule-violation"
    title = "Registry rule violated"


class Conflict(ShuyuError):
    status = 409
    type = "/problems/conflict"
    title = "Conflict"


class PreconditionFailed(ShuyuError):
    """An ``If-Match`` names a content revision that is no longer current."""

    status = 412
    type = "/problems/precondition-failed"
    title = "Precondition failed"


class StoreError(ShuyuError):
    status = 503
    type = "/problems/store-unavailable"
    title = "Store unavailable"


class VocabularyError(ShuyuError):
    """A vocabulary source file is malformed or invalid; names file, line and field."""

    type = "/problems/invalid-vocabulary"
    title = "Invalid vocabulary file"

    def __init__(self, detail: str, *, path: str, line: int | None = None, field: str | None = None):
        super().__init__(detail, field=field)
        self.path = path
        self.line = line

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.field}: {self.detail}" if self.field else f"{where}: {self.detail}"
