"""The one rule for every URL the registry stores (a source's link, an imported concept's or scheme's
URI): an absolute ``http`` or ``https`` URL with a host, no credentials, no whitespace or control
characters, at most ``MAX_URL_LENGTH`` characters. A page turns these into links, so ``javascript:``,
``data:`` and the like must never get in, whichever way they come (API, web form, import, bundled files).
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from .errors import RuleViolation

MAX_URL_LENGTH = 2000
SCHEMES = ("http", "https")
_FORBIDDEN = re.compile(r"[\s\x00-\x1f\x7f-\x9f\\<>\"`]")  # whitespace, C0/C1 controls, and what breaks out of an attribute


class InvalidURL(RuleViolation):
    """A stored URL breaks the URL rule; a bad value the caller sent, so 400 (not 422)."""

    status = 400
    type = "/problems/invalid-url"
    title = "Invalid URL"


def url_problem(value: str) -> str | None:
    """What is wrong with ``value`` as a stored URL, or None when it is a fine http(s) URL."""
    if len(value) > MAX_URL_LENGTH:
        return f"a URL is at most {MAX_URL_LENGTH:,} characters, this one has {len(value):,}"
    try:
        parts = urlsplit(value)
        _ = parts.port  # a port that is not a number in 0..65535 raises ValueError
    except ValueError as exc:
        return f"not a URL ({exc})"
    if parts.scheme.lower() not in SCHEMES:
        shown = f"not {parts.scheme}:" if parts.scheme else "and this one has none"
        return f"only http and https URLs are stored, {shown}"
    if _FORBIDDEN.search(value) or not value.lower().startswith(f"{parts.scheme.lower()}:"):
        return "a URL holds no whitespace, control characters, backslashes, quotes or angle brackets"
    if "@" in parts.netloc or parts.username is not None or parts.password is not None:
        return "a URL must not carry a user name or password (user:pass@host)"
    if not parts.hostname:
        return "a URL needs a host (http://host/...)"
    return None


def is_web_url(value: object) -> bool:
    """Whether ``value`` may become a link's ``href`` (the templates' defence in depth)."""
    return isinstance(value, str) and bool(value) and url_problem(value) is None


def check_url(value: str, field: str, owner: str = "") -> str:
    """``value`` if it is empty or a fine http(s) URL; else ``InvalidURL`` naming ``field`` (and the
    ``owner``, e.g. ``concept x``, first in the detail, where the import reports look for it)."""
    if value and (problem := url_problem(value)) is not None:
        shown = value if len(value) <= 80 else value[:77] + "..."
        prefix = f"{owner}: " if owner else ""
        raise InvalidURL(f"{prefix}{problem} ({shown!r})", field=field)
    return value
