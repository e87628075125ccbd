"""Documentation stays true: every setting, command and API path is documented."""

from __future__ import annotations

import re
from pathlib import Path

from api.app import create_app
from api.cli import main
from api.settings import SETTINGS, Settings

ROOT = Path(__file__).parent.parent


def read(name: str) -> str:
    return (ROOT / name).read_text(encoding="utf-8")


def test_every_setting_is_documented_and_in_the_settings_struct():
    operations = read("docs/operations.md")
    for name in SETTINGS:
        assert f"`{name}`" in operations, name
    assert set(SETTINGS) == set(Settings.__struct_fields__)
    assert {name: default for name, (default, _) in SETTINGS.items()} == {
        name: getattr(Settings(), name) for name in SETTINGS
    }


def test_every_command_is_in_the_readme():
    readme = read("README.md")
    for name, command in main.commands.items():
        assert f"shuyu {name}" in readme, name
        for sub in getattr(command, "commands", {}):
            assert sub in readme, f"{name} {sub}"


def test_the_readme_starts_with_the_two_commands():
    blocks = re.findall(r"```sh\n(.*?)\n```", read("README.md"), re.S)
    assert blocks[0] == "python3 -m venv .venv && .venv/bin/pip install . && .venv/bin/shuyu serve"
    assert blocks[1] == "bash .ci/run"


def test_every_api_path_is_in_the_api_guide():
    guide = read("docs/api.md") + read("docs/editors-guide.md")
    documented = {re.sub(r"\{[^}]*\}", "{}", p).rstrip("/") for p in re.findall(r"(/api/v1/[\w/{}-]*)", guide)}
    app = create_app(Settings(data_dir="/nonexistent-not-started"))
    for route in app.routes:
        path = re.sub(r"\{[^}]*\}", "{}", route.path).rstrip("/")
        if path.startswith("/api/v1"):
            assert path in documented, path
