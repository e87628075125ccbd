"""A .docx is bounded by what its zip directory says it unpacks to, before any part is read, and it is
read off the event loop: a zip bomb sent to the public /check gets 413 while /healthz keeps answering."""

from __future__ import annotations

import io
import threading
import time
import zipfile
from collections.abc import Iterator

import httpx
import pytest
from docx import Document

from api.settings import Settings
from tests.conftest import LiveServer

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[LiveServer]:
    with LiveServer(Settings(data_dir=str(tmp_path_factory.mktemp("uploads")), sync_interval=0.1)) as live:
        yield live


def _docx(extra: dict[str, bytes] | None = None, zeros_in: str | None = None, zeros: int = 0) -> bytes:
    """A real Word document (python-docx), with extra parts, or one part replaced by ``zeros`` zero bytes."""
    document = Document()
    document.add_paragraph("推进数字乡村建设。")
    plain = io.BytesIO()
    document.save(plain)
    out = io.BytesIO()
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for info in source.infolist():
            if info.filename == zeros_in:
                with target.open(info.filename, "w", force_zip64=True) as part:
                    chunk = bytes(1 << 20)
                    for _ in range(zeros // len(chunk)):
                        part.write(chunk)
            else:
                target.writestr(info.filename, source.read(info.filename))
        for name, data in (extra or {}).items():
            target.writestr(name, data)
    return out.getvalue()


@pytest.fixture(scope="module")
def bomb() -> bytes:
    data = _docx(zeros_in="word/document.xml", zeros=400 * (1 << 20))  # 400 MB of zeros
    assert len(data) < 1_000_000  # a few hundred KB on the wire
    return data


class HealthPoller(threading.Thread):
    """GET /healthz in a loop, recording (sent, answered, status) of each."""

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self.url, self.answers, self.stop = url, [], threading.Event()

    def run(self) -> None:
        with httpx.Client(timeout=30) as client:
            while not self.stop.is_set():
                sent = time.monotonic()
                status = client.get(f"{self.url}/healthz").status_code
                self.answers.append((sent, time.monotonic(), status))
                time.sleep(0.002)


def test_zip_bomb_docx_is_refused_while_healthz_answers(server, bomb):
    poller = HealthPoller(server.url)
    poller.start()
    try:
        time.sleep(0.2)
        with httpx.Client(base_url=server.url, timeout=60) as client:
            began = time.monotonic()
            for _ in range(3):  # a few in a row, so that the poller surely overlaps them
                web = client.post("/check", files={"file": ("bomb.docx", bomb, DOCX)}, headers={"accept": "text/html"})
                assert web.status_code == 413, web.text[:500]
                assert "文件过大" in web.text  # the page says it in Chinese
                api = client.post("/check", files={"file": ("bomb.docx", bomb, DOCX)})
                assert api.status_code == 413 and api.headers["content-type"].startswith("application/problem+json")
                assert "unpacks to" in api.json()["detail"]
                raw = client.post("/api/v1/check", content=bomb, headers={"content-type": DOCX})
                assert raw.status_code == 413, raw.text[:500]
            ended = time.monotonic()
        time.sleep(0.1)
    finally:
        poller.stop.set()
        poller.join(timeout=30)
    # refused from the zip's directory, without unpacking 400 MB (which took ~10 s on the event loop):
    # measured ~0.05 s per request here; 9 requests are allowed 10 s together
    assert ended - began < 10
    during = [a for a in poller.answers if began <= a[1] <= ended]
    assert during and all(status == 200 for _, _, status in poller.answers)
    assert max(answered - sent for sent, answered, _ in during) < 2  # /healthz never waited on the upload


def test_docx_with_too_many_parts_is_refused(server):
    many = _docx(extra={f"word/media/part{i}.bin": b"x" for i in range(10_000)})
    with httpx.Client(base_url=server.url, timeout=60) as client:
        web = client.post("/check", files={"file": ("many.docx", many, DOCX)}, headers={"accept": "text/html"})
        assert web.status_code == 413 and "文件过大" in web.text
        api = client.post("/check", files={"file": ("many.docx", many, DOCX)})
        assert api.status_code == 413 and "at most 1,000" in api.json()["detail"]


def test_an_ordinary_docx_is_still_checked(server):
    ordinary = _docx()
    with httpx.Client(base_url=server.url, timeout=60) as client:
        web = client.post("/check", files={"file": ("draft.docx", ordinary, DOCX)})
        assert web.status_code == 200 and 'data-concept="digital-village"' in web.text
        api = client.post("/api/v1/check", content=ordinary, headers={"content-type": DOCX})
        assert api.status_code == 200 and any(m["concept"] == "digital-village" for m in api.json()["matches"])
