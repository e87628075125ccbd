"""Dependencies point down (docs/architecture.md): each folder imports only the folders under it, and a
library that belongs to one room (SQL drivers, whoosh, python-docx, the web framework) is imported only there."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).parent.parent
MAY_IMPORT = {
    "registry": set(),
    "search": {"registry"},
    "vocab": {"registry"},
    "drafting": {"search", "registry"},
    "api": {"drafting", "search", "vocab", "registry"},
}
# a library → the folders (or subfolders) that may import it
HOMES = {
    "sqlite3": ("registry/",),
    "psycopg": ("registry/",),
    "psycopg_pool": ("registry/",),
    "whoosh": ("search/index/",),
    "docx": ("drafting/",),
    "litestar": ("api/",),
    "uvicorn": ("api/",),
    "httpx": ("api/",),
}


def _imports(path: Path) -> list[tuple[str, int]]:
    """The absolute modules ``path`` imports (top-level name, line), at any depth of the module."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(alias.name.split(".")[0], node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            found.append((node.module.split(".")[0], node.lineno))
    return found


def _modules():
    for top in MAY_IMPORT:
        for path in sorted((ROOT / top).rglob("*.py")):
            yield top, path, path.relative_to(ROOT).as_posix()


def test_every_folder_imports_only_the_folders_under_it():
    upward = [f"{where}:{line} imports {name}"
              for top, path, where in _modules()
              for name, line in _imports(path)
              if name in MAY_IMPORT and name != top and name not in MAY_IMPORT[top]]
    assert upward == []


def test_each_library_is_imported_only_in_its_room():
    strays = [f"{where}:{line} imports {name}"
              for _, path, where in _modules()
              for name, line in _imports(path)
              if name in HOMES and not where.startswith(HOMES[name])]
    assert strays == []


def test_the_rules_know_every_folder_of_ours():
    """A new top-level package must be given its place here (and in docs/architecture.md)."""
    import tomllib

    packages = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["packages"]
    assert {p.split(".")[0] for p in packages} == set(MAY_IMPORT)
