"""The peer app of the HTTP benchmark: shuyu's shape (one litestar app, uvicorn workers with uvloop and
httptools, msgspec JSON) serving search from a tantivy index of 1–2-grams (``tests/bench/peers.py``) over
the same documents, and a bare route.

    python -m tests.bench.peer_app DATA_DIR PORT WORKERS

builds ``DATA_DIR/peer-tantivy`` from shuyu's store when it is not there, then serves
``GET /api/v1/search?q=…`` (the top 20: id, preferred label, score) and ``GET /healthz`` (a bare litestar
route: a constant answer, no middleware). Test extra only.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import msgspec
from litestar import Litestar, MediaType, get
from litestar.params import Parameter
from typing import Annotated

INDEX_ENV = "SHUYU_PEER_INDEX"


class Hit(msgspec.Struct):
    id: str
    label: str
    score: float


class Results(msgspec.Struct):
    query: str
    hits: list[Hit]


def create_peer_app(folder: Path) -> Litestar:
    from .peers import tantivy_searcher

    search_index = tantivy_searcher(folder)

    @get("/api/v1/search", sync_to_thread=False)
    def search(q: Annotated[str, Parameter(max_length=200)]) -> Results:
        return Results(query=q, hits=[Hit(id=i, label=label, score=score) for i, label, score in search_index(q)])

    @get("/healthz", sync_to_thread=False, media_type=MediaType.JSON)
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return Litestar([search, healthz])


def app_from_environment() -> Litestar:
    """uvicorn's factory in each worker: the index is opened by every worker (tantivy maps its files)."""
    return create_peer_app(Path(os.environ[INDEX_ENV]))


def ensure_index(data: Path) -> Path:
    from .peers import tantivy_build, write_inputs

    folder = data / "peer-tantivy"
    if not (folder / "meta.json").exists():
        docs, _ = write_inputs(data)
        tantivy_build(folder, [json.loads(line) for line in docs.read_text(encoding="utf-8").splitlines()])
    return folder


def main(data: str, port: str, workers: str = "2") -> None:
    import uvicorn

    os.environ[INDEX_ENV] = str(ensure_index(Path(data)).resolve())
    uvicorn.run("tests.bench.peer_app:app_from_environment", factory=True, host="127.0.0.1", port=int(port),
                workers=int(workers), log_level="info", access_log=False)


if __name__ == "__main__":
    main(*sys.argv[1:])
