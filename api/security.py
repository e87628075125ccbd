"""What every answer gets for its safety, and the throttles (docs/operations.md, "Security").

``with_security_headers`` is applied by the app's one ASGI wrapper (``EveryRequest``, outside routing, so
that answers no route gives get it too): every response carries a strict Content-Security-Policy (no inline script or style anywhere on
the site; ``/schema`` loads its viewer from ``/static``), ``nosniff``, ``Referrer-Policy`` and
``X-Frame-Options``; and over https every cookie is marked ``Secure``. Whether a request came over https
is the ASGI scheme: the connection's own, or a trusted proxy's ``X-Forwarded-Proto`` when ``shuyu serve``
runs with ``trust_proxy`` (uvicorn's proxy headers; the client address then comes from
``X-Forwarded-For`` too, which is what the throttles count by).

The throttles keep their counters in memory, per process: a node with N workers lets a client N times
the limit at most, and a restart forgets them. That bounds guessing (tokens are 256-bit random) and
the cost of ``/check`` without a shared counter in the store on every request.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Iterable

import anyio.to_thread
from litestar import Request
from litestar.connection import ASGIConnection
from litestar.exceptions import TooManyRequestsException

from registry.errors import Unauthorized
from registry.tokens import authenticate
from registry.workflow import Actor

from .settings import Settings

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
       "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
HEADERS = [(b"content-security-policy", CSP.encode()), (b"x-content-type-options", b"nosniff"),
           (b"referrer-policy", b"same-origin"), (b"x-frame-options", b"DENY")]
WINDOW = 60.0  # seconds: the limits are per minute
MAX_KEYS = 100_000  # clients (and token prefixes) remembered at once, whatever an attacker sends
TOKEN_PREFIX = 16  # characters of a presented token that name it for the per-token throttle


def with_security_headers(headers: Iterable[tuple[bytes, bytes]], secure: bool) -> list[tuple[bytes, bytes]]:
    """An answer's headers with the security headers added (nothing else in the app sets them) and, over
    https, every cookie marked ``Secure``. Called by ``EveryRequest`` (api/observability.py) on every answer."""
    if secure:
        return [(k, v + b"; Secure") if k.lower() == b"set-cookie" and b"; secure" not in v.lower() else (k, v)
                for k, v in headers] + HEADERS
    return [*headers, *HEADERS]


class Throttle:
    """At most ``limit`` events per key in any minute; the counters live in this process's memory."""

    def __init__(self, limit: int, window: float = WINDOW) -> None:
        self.limit = limit
        self.window = window
        self.events: dict[str, deque[float]] = {}
        self.lock = threading.Lock()

    def retry_after(self, keys: Iterable[str]) -> int | None:
        """Seconds until every key may act again, or None if none is over its limit (a limit of 0: off)."""
        if self.limit <= 0:
            return None
        now = time.monotonic()
        wait = 0.0
        with self.lock:
            for key in keys:
                events = self.events.get(key)
                if not events:
                    continue
                while events and events[0] <= now - self.window:
                    events.popleft()
                if len(events) >= self.limit:
                    wait = max(wait, events[-self.limit] + self.window - now)
        return max(1, math.ceil(wait)) if wait > 0 else None

    def note(self, keys: Iterable[str]) -> None:
        if self.limit <= 0:
            return
        now = time.monotonic()
        with self.lock:
            if len(self.events) >= MAX_KEYS:
                self._forget(now)
            for key in keys:
                events = self.events.setdefault(key, deque(maxlen=self.limit))
                events.append(now)

    def _forget(self, now: float) -> None:
        """Drop keys with nothing in the window; if that is not enough, the oldest half."""
        for key in [k for k, events in self.events.items() if not events or events[-1] <= now - self.window]:
            del self.events[key]
        if len(self.events) >= MAX_KEYS:
            for key in list(self.events)[: len(self.events) // 2]:
                del self.events[key]

    def refuse_if_over(self, keys: list[str], what: str) -> None:
        wait = self.retry_after(keys)
        if wait is not None:
            raise TooManyRequestsException(detail=f"too many {what} from this client; try again in {wait} s",
                                           headers={"Retry-After": str(wait)})


class Throttles:
    """The app's throttles: failed sign-ins and bearer tokens, and the public draft checker."""

    def __init__(self, settings: Settings) -> None:
        self.failures = Throttle(settings.signin_failures_per_minute)
        self.check = Throttle(settings.check_per_minute)


def client_of(connection: ASGIConnection) -> str:
    client = connection.scope.get("client")
    return f"client:{client[0] if client else '-'}"


def failure_keys(connection: ASGIConnection, secret: str) -> list[str]:
    """A failure counts against the client's address and against the presented token's prefix."""
    keys = [client_of(connection)]
    if secret:
        keys.append(f"token:{secret[:TOKEN_PREFIX]}")
    return keys


def _throttles(connection: ASGIConnection) -> Throttles:
    return connection.app.state.throttles


def _secret(authorization: str | None) -> str:
    return (authorization or "").partition(" ")[2].strip()


async def authenticate_bearer(connection: ASGIConnection, store) -> Actor:
    """``registry.tokens.authenticate``, throttled: a client (or token prefix) over its limit of failures is
    429 before its token is even looked at; a wrong token counts, a missing one and a success do not."""
    authorization = connection.headers.get("authorization")
    if not authorization:
        return authenticate(store, authorization)  # Unauthorized: nothing was guessed
    throttle = _throttles(connection).failures
    keys = failure_keys(connection, _secret(authorization))
    throttle.refuse_if_over(keys, "failed sign-ins or bad tokens")
    try:
        return await anyio.to_thread.run_sync(authenticate, store, authorization)
    except Unauthorized:
        throttle.note(keys)
        raise


def bearer_allowed(request: Request) -> bool:
    """For a handler that only looks at a token if one is sent: whether this client may try one now."""
    authorization = request.headers.get("authorization")
    return _throttles(request).failures.retry_after(failure_keys(request, _secret(authorization))) is None


def note_bad_bearer(request: Request) -> None:
    _throttles(request).failures.note(failure_keys(request, _secret(request.headers.get("authorization"))))


def refuse_sign_in_if_over(request: Request, token: str) -> None:
    _throttles(request).failures.refuse_if_over(failure_keys(request, token.strip()), "failed sign-ins or bad tokens")


def note_failed_sign_in(request: Request, token: str) -> None:
    _throttles(request).failures.note(failure_keys(request, token.strip()))


CHECKED = frozenset({"/check", "/api/v1/check"})


async def limit_draft_checks(request: Request) -> None:
    """App-wide ``before_request``: the public draft checker (costly: uploads, .docx) is rate limited per
    client; every other request passes at the cost of one comparison. (Async: litestar would run a sync
    hook in a worker thread, on every request.)"""
    if request.scope["path"] in CHECKED and request.scope["method"] == "POST":
        throttle = _throttles(request).check
        keys = [client_of(request)]
        throttle.refuse_if_over(keys, "draft checks")
        throttle.note(keys)
