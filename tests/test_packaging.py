"""What ``pip install .`` (the README's first command) installs: every package of ours and its files."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
TOP = ("registry", "vocab", "search", "drafting", "api")


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


def _imports(folder: Path) -> dict[str, str]:
    """The top-level names the modules under ``folder`` import (at any depth), each with one place it is."""
    import ast

    found: dict[str, str] = {}
    for path in sorted(folder.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                found.setdefault(name.split(".")[0], f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def _name(requirement: str) -> str:
    import re

    return re.sub(r"[-_.]+", "-", re.split(r"[\[<>=!~; ]", requirement, maxsplit=1)[0]).lower()


def _undeclared(folders, declared: set[str]) -> list[str]:
    """Third-party modules imported under ``folders`` whose distribution is not in ``declared``."""
    import sys
    from importlib.metadata import packages_distributions

    distributions = packages_distributions()
    ours = {*TOP, "tests"}
    missing = []
    for folder in folders:
        for module, where in sorted(_imports(ROOT / folder).items()):
            if module in sys.stdlib_module_names or module in ours or module == "__future__":
                continue
            names = {_name(d) for d in distributions.get(module, [module])}
            if not names & declared:
                missing.append(f"{module} ({where}; distribution {', '.join(sorted(names))})")
    return missing


def test_every_run_time_import_is_a_declared_dependency():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert _undeclared(TOP, {_name(r) for r in project["dependencies"]}) == []


@pytest.mark.slow
def test_every_test_import_is_declared_and_the_evaluation_only_ones_are_not_run_time():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    run_time = {_name(r) for r in project["dependencies"]}
    extras = project["optional-dependencies"]
    assert "shuyu[eval]" in extras["test"]  # the test extra includes the evaluation's
    assert _undeclared(["tests"], run_time | {_name(r) for r in extras["test"] + extras["eval"]}) == []
    # jieba only segments for the evaluation's baselines: no run-time module imports it
    assert "jieba" not in run_time and "jieba" in {_name(r) for r in extras["eval"]}
    assert "jieba" not in _imports(ROOT / "search") and all("jieba" not in _imports(ROOT / top) for top in TOP)
