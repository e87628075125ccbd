"""Who is signed in on the web pages.

Signing in checks an API token once; the session (litestar's server-side sessions, kept in files in the
data folder so that every worker sees them) holds only the token's hash, and the browser holds only a
random session id in an HttpOnly, SameSite=Strict cookie. Each request looks the hash up again, so a
revoked token ends its sessions. Every form carries litestar's CSRF token.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from litestar import Request
from litestar.config.csrf import CSRFConfig
from litestar.middleware.session.server_side import ServerSideSessionConfig
from litestar.stores.file import FileStore

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


def session_config() -> ServerSideSessionConfig:
    return ServerSideSessionConfig(key=SESSION_COOKIE, store="sessions", max_age=EIGHT_HOURS, httponly=True,
                                   samesite="strict", secure=False, exclude=NOT_WEB)


# the draft checker's form changes nothing and answers only the one who posts it: nothing to forge
NO_EFFECT = ["^/check$"]


def csrf_config(data_dir: str, configured: str = "") -> CSRFConfig:
    return CSRFConfig(secret=secret_key(data_dir, configured), cookie_name=CSRF_COOKIE, cookie_samesite="strict",
                      cookie_httponly=True, exclude=NOT_WEB + NO_EFFECT)


def session_store(data_dir: str) -> FileStore:
    return FileStore(Path(data_dir) / "sessions")


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
