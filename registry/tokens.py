"""Bearer tokens: created with a role, stored only as a SHA-256 hash of the secret, revocable."""

from __future__ import annotations

import hashlib
import secrets

from .errors import InvalidInput, Unauthorized
from .model import Role, Token, now
from .store import Store
from .text import is_blank
from .workflow import RANK, Actor

PREFIX = "shuyu_"


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_token(store: Store, name: str, role: Role, *, actor: str) -> tuple[Token, str]:
    """A new token and its secret; the secret is shown once and never stored."""
    name = name.strip()
    if is_blank(name) or len(name) > 64:
        raise InvalidInput("a token needs a name of 1 to 64 characters (it names the actor in the change log)",
                           field="name")
    if role not in RANK:
        raise InvalidInput(f"role must be one of {', '.join(RANK)}", field="role")
    if any(t.name == name and t.revoked is None for t in store.tokens()):
        raise InvalidInput(f"an active token is already named {name!r}", field="name")
    secret = PREFIX + secrets.token_urlsafe(32)
    token = Token(id=f"t-{secrets.token_hex(4)}", name=name, role=role, hash=digest(secret), created=now())
    store.add_token(token, actor=actor)
    return token, secret


def authenticate(store: Store, authorization: str | None) -> Actor:
    """The actor behind an ``Authorization: Bearer …`` header; ``Unauthorized`` otherwise."""
    if not authorization:
        raise Unauthorized("this needs a bearer token: Authorization: Bearer <token>")
    scheme, _, secret = authorization.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise Unauthorized("the Authorization header must be: Bearer <token>")
    token = store.token_by_hash(digest(secret.strip()))
    if token is None:
        raise Unauthorized("unknown or revoked token")
    return Actor(name=token.name, role=token.role)
