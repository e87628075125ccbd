"""Who is signed in on the web pages.

Signing in checks an API token once; the session (litestar's server-side sessions, kept in the store's
``web_sessions`` table so that every worker and every node behind a load balancer knows them) holds only
the token's hash, and the browser holds only a random session id in an HttpOnly, SameSite=Strict cookie
(``Secure`` over https, see ``api/security.py``). Each request looks the hash up again, so a revoked
token ends its sessions.

Only signed-in people have a session: an anonymous visit stores nothing and gets no session cookie.
The server never adopts an id the client chose: an id the store does not know is ignored (and its
cookie cleared), and a session whose content changes (signing in) gets a new random id while the old
one is deleted; signing out deletes the session. The store keeps a hash of the id, not the id.
Every form carries litestar's CSRF token, a signed double-submit cookie that needs no session.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any, cast

import anyio.to_thread
from litestar import Request
from litestar.config.csrf import CSRFConfig
from litestar.connection import ASGIConnection
from litestar.datastructures import Cookie, MutableScopeHeaders
from litestar.middleware.session.server_side import ServerSideSessionBackend, ServerSideSessionConfig
from litestar.stores.base import Store as LitestarStore
from litestar.types import Empty, Message, Scope, ScopeSession
from litestar.utils.dataclass import extract_dataclass_items

from registry.errors import Forbidden, Unauthorized
from registry.tokens import digest
from registry.workflow import RANK, Actor

SESSION_COOKIE = "shuyu_session"
CSRF_COOKIE = "shuyu_csrf"
# the JSON API authenticates with bearer tokens, not cookies: it has nothing to forge
NOT_WEB = ["^/api/", "^/schema", "^/static/", "^/healthz"]
EIGHT_HOURS = 8 * 3600


def secret_key(data_dir: str, configured: str = "") -> str:
    """The key that signs CSRF tokens: the ``secret_key`` setting, else one made once and kept in the data folder
    (``serve`` creates the folder before the app starts), so that every worker and restart shares it."""
    if configured:
        return configured
    if not Path(data_dir).is_dir():  # an app that is only built (docs, OpenAPI), never served
        return secrets.token_hex(32)
    path = Path(data_dir) / "web-secret"
    if not path.exists():  # several workers may start at once: write aside, link in place, first one wins
        aside = path.with_name(f"web-secret.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(aside, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
        try:
            os.link(aside, path)
        except FileExistsError:
            pass
        finally:
            aside.unlink()
    return path.read_text().strip()


SESSION_ID = re.compile(r"[0-9a-f]{64}")  # what generate_session_id makes (32 random bytes, hex)
_KNOWN = "shuyu.session_id"  # scope keys: the id the request came with, if the store knows it ...
_LOADED = "shuyu.session_loaded"  # ... and the data it held then


def _keys(scope: Scope) -> dict[str, Any]:
    """The ASGI scope as the dict it is: litestar types it with its own keys only, while the ASGI spec
    lets a middleware keep keys of its own there (ours: ``_KNOWN`` and ``_LOADED``)."""
    return cast("dict[str, Any]", scope)


class SessionBackend(ServerSideSessionBackend):
    """litestar's server-side sessions, minus what made fixation and disk filling possible: a session is
    stored only when it holds something, its id is always one we made, and it changes with its content."""

    async def load_from_connection(self, connection: ASGIConnection) -> dict[str, Any]:
        scope = _keys(connection.scope)
        scope[_KNOWN], scope[_LOADED] = None, {}
        sent = connection.cookies.get(self.config.key)
        if sent and SESSION_ID.fullmatch(sent):  # anything else (another length, %E4%BD%A0, "null") is no id of ours
            data = await self.get(sent, store=self.config.get_store_from_app(scope["app"]))
            if data is not None:
                loaded = self.deserialize_data(data)
                scope[_KNOWN], scope[_LOADED] = sent, dict(loaded)
                return loaded
        return {}

    def get_session_id(self, connection: ASGIConnection) -> str:
        known: str | None = _keys(connection.scope).get(_KNOWN)
        return known or self.generate_session_id()

    async def store_in_message(self, scope_session: ScopeSession, message: Message, connection: ASGIConnection) -> None:
        scope = connection.scope
        store = self.config.get_store_from_app(scope["app"])
        known: str | None = _keys(scope).get(_KNOWN)
        if scope_session is not Empty and scope_session and known and scope_session == _keys(scope).get(_LOADED):
            return  # unchanged: nothing to write, the browser keeps its cookie
        headers = MutableScopeHeaders.from_message(message)
        params = dict(extract_dataclass_items(self.config, exclude_none=True, include=Cookie.__dict__.keys()))
        if known:
            await self.delete(known, store=store)
        if scope_session is Empty or not scope_session:
            if connection.cookies.get(self.config.key):  # forget a cookie that names no live session
                params["max_age"] = 0  # litestar would send the session's Max-Age, which wins over Expires
                headers.add("Set-Cookie", Cookie(value="null", key=self.config.key, expires=0, **params).to_header(header=""))
            return
        new_id = self.generate_session_id()
        await self.set(session_id=new_id, data=self.serialize_data(scope_session, scope), store=store)
        headers.add("Set-Cookie", Cookie(value=new_id, key=self.config.key, **params).to_header(header=""))


class SessionConfig(ServerSideSessionConfig):
    _backend_class = SessionBackend


def session_config() -> ServerSideSessionConfig:
    return SessionConfig(key=SESSION_COOKIE, store="sessions", max_age=EIGHT_HOURS, httponly=True,
                         samesite="strict", secure=False, exclude=NOT_WEB)


class RegistrySessionStore(LitestarStore):
    """litestar's ``Store`` over the registry's ``web_sessions`` table (SQLite or PostgreSQL), so that
    every worker and every node sees the same sessions. Keys are kept as SHA-256 hashes: someone who can
    read the table cannot take over a session. The store is reached through ``registry`` once the app's
    lifespan has opened it."""

    def __init__(self, registry: Callable[[], Any]) -> None:
        self.registry = registry

    @staticmethod
    def _key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    async def _run(self, method: str, *args: Any) -> Any:
        return await anyio.to_thread.run_sync(getattr(self.registry(), method), *args)

    async def set(self, key: str, value: str | bytes, expires_in: int | timedelta | None = None) -> None:
        seconds = expires_in.total_seconds() if isinstance(expires_in, timedelta) else (expires_in or EIGHT_HOURS)
        body = value.encode() if isinstance(value, str) else value
        await self._run("put_session", self._key(key), body, int(time.time() + seconds))

    async def get(self, key: str, renew_for: int | timedelta | None = None) -> bytes | None:
        return await self._run("get_session", self._key(key), int(time.time()))

    async def delete(self, key: str) -> None:
        await self._run("delete_session", self._key(key))

    async def delete_all(self) -> None:
        await self._run("delete_expired_sessions", 2**62)

    async def exists(self, key: str) -> bool:
        return await self.get(key) is not None

    async def expires_in(self, key: str) -> int | None:
        return None  # not kept apart from the data; nothing here asks

    async def delete_expired(self) -> int:
        return await self._run("delete_expired_sessions", int(time.time()))


# the draft checker's form changes nothing and answers only the one who posts it: nothing to forge
NO_EFFECT = ["^/check$"]


def csrf_config(data_dir: str, configured: str = "") -> CSRFConfig:
    return CSRFConfig(secret=secret_key(data_dir, configured), cookie_name=CSRF_COOKIE, cookie_samesite="strict",
                      cookie_httponly=True, exclude=NOT_WEB + NO_EFFECT)


def sign_in(request: Request, store, token: str) -> Actor:
    """Check the token and start a session holding its hash; readers have nothing to do on these pages."""
    token_row = store.token_by_hash(digest(token.strip())) if token.strip() else None
    if token_row is None:
        raise Unauthorized("这个令牌无效或已被吊销", field="token")
    actor = Actor(name=token_row.name, role=token_row.role)
    if RANK[actor.role] < RANK["editor"]:
        raise Forbidden("读者令牌不能登录编辑页面;编辑与审核需要编辑、审核人或管理员令牌", field="token")
    request.clear_session()
    request.set_session({"token_hash": token_row.hash, "nonce": secrets.token_hex(8)})
    return actor


def signed_in(request: Request, store) -> Actor | None:
    """The actor of the request's session, if its token is still valid."""
    try:
        session = request.session
    except Exception:  # no session middleware on this path
        return None
    token_hash = session.get("token_hash") if session else None
    if not token_hash:
        return None
    token = store.token_by_hash(token_hash)
    if token is None:
        request.clear_session()
        return None
    return Actor(name=token.name, role=token.role)


def sign_out(request: Request) -> None:
    request.clear_session()
