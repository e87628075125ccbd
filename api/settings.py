"""The one settings table: name, default and help, each overridable by a ``SHUYU_<NAME>`` variable."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import msgspec
from msgspec import Meta, Struct

from registry.errors import InvalidInput

# name: (default, help); the table the CLI, the docs and the environment all read.
SETTINGS: dict[str, tuple[object, str]] = {
    "data_dir": ("./shuyu-data", "folder for the SQLite store and the search index"),
    "store_url": ("", "store URL (default: sqlite:///<data_dir>/shuyu.db)"),
    "index_dir": ("", "search index folder (default: <data_dir>/index)"),
    "host": ("127.0.0.1", "address to listen on"),
    "port": (8000, "port to listen on"),
    "workers": (1, "number of worker processes"),
    "load_bundled": (True, "load the bundled vocabulary into an empty store on start"),
    "sync_interval": (0.5, "seconds between checks of the change log for new revisions"),
    "base_uri": ("", "base of the persistent URIs {base_uri}/concepts/{id} in exports (default: http://<host>:<port>)"),
    "import_max_bytes": (33_554_432, "largest upload POST /api/v1/imports accepts, in bytes (413 above it)"),
    "secret_key": ("", "key that signs the web forms' CSRF tokens (default: made once, kept in <data_dir>/web-secret)"),
    "trust_proxy": ("", "addresses of reverse proxies whose X-Forwarded-Proto/-For are believed (comma-separated IPs or "
                    "networks, * for any; empty: none), so cookies are Secure behind an https proxy"),
    "signin_failures_per_minute": (10, "failed sign-ins and bad bearer tokens a client address, or a token prefix, may "
                                   "make per minute before it gets 429 (0: no limit)"),
    "check_per_minute": (60, "draft checks (POST /check, /api/v1/check) a client address may make per minute before "
                         "it gets 429 (0: no limit)"),
}


class Settings(Struct, frozen=True, kw_only=True):
    data_dir: str = "./shuyu-data"
    store_url: str = ""
    index_dir: str = ""
    host: str = "127.0.0.1"
    # bounded where a value out of range would be taken silently: port 99999 bound 34463 (its value modulo
    # 65536) while the server said it was on 99999
    port: Annotated[int, Meta(ge=1, le=65535)] = 8000
    workers: Annotated[int, Meta(ge=1, le=64)] = 1
    load_bundled: bool = True
    sync_interval: Annotated[float, Meta(gt=0, le=3600)] = 0.5
    base_uri: str = ""
    secret_key: str = ""
    import_max_bytes: Annotated[int, Meta(ge=1)] = 33_554_432
    trust_proxy: str = ""
    signin_failures_per_minute: Annotated[int, Meta(ge=0)] = 10
    check_per_minute: Annotated[int, Meta(ge=0)] = 60

    @property
    def uri_base(self) -> str:
        """The base of concept URIs: ``base_uri``, else this server's own address."""
        return (self.base_uri or f"http://{self.host}:{self.port}").rstrip("/")

    @property
    def store(self) -> str:
        return self.store_url or f"sqlite:///{Path(self.data_dir).resolve() / 'shuyu.db'}"

    @property
    def index(self) -> Path:
        return Path(self.index_dir) if self.index_dir else Path(self.data_dir) / "index"

    @classmethod
    def from_env(cls, **overrides: object) -> "Settings":
        """Defaults, then ``SHUYU_*`` variables, then explicit (non-None) overrides."""
        values: dict[str, object] = {}
        for name in SETTINGS:
            raw = os.environ.get(f"SHUYU_{name.upper()}")
            if raw is not None:
                values[name] = raw
        values.update({k: v for k, v in overrides.items() if v is not None})
        try:
            return msgspec.convert(values, cls, strict=False)
        except msgspec.ValidationError as exc:
            raise InvalidInput(f"bad setting: {exc}") from None

    def to_env(self) -> dict[str, str]:
        return {f"SHUYU_{name.upper()}": str(getattr(self, name)) for name in SETTINGS}
