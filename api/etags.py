"""Entity tags derived from the bytes served, and If-None-Match compared as RFC 9110 says.

A concept's JSON holds its neighbours' labels, so a version number cannot stand for it: the tag is a
hash of the exact body sent (per script), and a changed neighbour changes it.
"""

from __future__ import annotations

import hashlib
import re

from litestar import Request

# an entity-tag: optional weakness prefix, then an opaque tag in double quotes (RFC 9110 §8.8.3)
ENTITY_TAG = re.compile(r'(?:W/)?"([\x21\x23-\x7e\x80-\xff]*)"')


def etag_of_bytes(body: bytes) -> str:
    """A strong entity tag for ``body``: 20 hex digits of its BLAKE2b hash, in quotes."""
    return '"' + hashlib.blake2b(body, digest_size=10).hexdigest() + '"'


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    """Whether an If-None-Match header (``*`` or a list of entity tags) matches ``etag`` by the weak
    comparison RFC 9110 prescribes for it: the opaque tags are equal, whether or not either is weak."""
    if not if_none_match:
        return False
    if if_none_match.strip() == "*":
        return True
    wanted = ENTITY_TAG.fullmatch(etag)
    if wanted is None:
        return False
    return wanted.group(1) in ENTITY_TAG.findall(if_none_match)


def if_none_match(request: Request) -> str | None:
    """The If-None-Match header, read from the ASGI scope (cheaper than building all the headers); several
    lines are one list (RFC 9110, 5.3)."""
    found = [value for name, value in request.scope["headers"] if name == b"if-none-match"]
    return b", ".join(found).decode("latin-1") if found else None
