"""What ``pip install .`` (the README's first command) installs: every package of ours and its files."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).parent.parent
TOP = ("registry", "vocab", "search", "api")


def test_every_python_package_is_installed():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    listed = set(config["packages"])
    found = {".".join(folder.relative_to(ROOT).parts)
             for top in TOP for folder in [ROOT / top, *(ROOT / top).rglob("*")]
             if folder.is_dir() and any(folder.glob("*.py"))}
    assert found <= listed, f"not installed by pip install .: {sorted(found - listed)}"


def test_every_data_folder_is_installed():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    patterns = config["package-data"]["api"]
    for folder in [ROOT / "api" / "templates", ROOT / "api" / "static", *(ROOT / "api" / "static").rglob("*")]:
        if folder.is_dir() and any(f.is_file() for f in folder.iterdir()):
            assert f"{folder.relative_to(ROOT / 'api').as_posix()}/*" in patterns or \
                f"{folder.relative_to(ROOT / 'api').as_posix()}/*.html" in patterns, folder
