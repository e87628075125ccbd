"""The served app leaves out what it does not use: litestar's pydantic and attrs plugins (and so those
libraries) and uvicorn's websocket protocol, while every route and the OpenAPI schema still answer."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from litestar.plugins.core import MsgspecDIPlugin

from api.app import ShuyuApp, create_app
from api.settings import Settings


def test_app_has_no_pydantic_or_attrs_plugin(tmp_path):
    app = create_app(Settings(data_dir=str(tmp_path)))
    names = {type(plugin).__module__ for plugin in app.plugins}
    assert not any("pydantic" in name or "attrs" in name for name in names)
    assert any(isinstance(plugin, MsgspecDIPlugin) for plugin in app.plugins)
    assert isinstance(app, ShuyuApp)


@pytest.mark.slow
def test_building_the_app_imports_neither_pydantic_nor_attrs(tmp_path):
    code = ("import sys; from api.app import create_app; from api.settings import Settings; "
            f"create_app(Settings(data_dir={str(tmp_path)!r})); "
            "print(sorted(m for m in ('pydantic', 'attrs', 'websockets') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_schema_and_routes_still_answer(http):
    client = http
    schema = client.get("/schema/openapi.json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "/api/v1/search" in paths
    assert client.get("/api/v1/search", params={"q": "数字乡村"}).status_code == 200
    assert client.get("/schema").status_code == 200


def test_serve_starts_uvicorn_without_websockets(tmp_path, monkeypatch):
    import uvicorn
    from click.testing import CliRunner

    import api.services
    from api.cli import main

    started: dict = {}
    monkeypatch.setattr(os, "environ", dict(os.environ))  # serve exports its settings for the workers
    monkeypatch.setattr(api.services, "prepare", lambda settings: "prepared")
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: started.update(options))
    result = CliRunner().invoke(main, ["serve", "--data-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert started["ws"] == "none"
