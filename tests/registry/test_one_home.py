"""Each domain constant has one home, registry/model.py (registry/languages.py for what a language tag means):
imported everywhere else, never written again."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import get_args

import pytest

from registry import languages
from registry.languages import Script
from registry.model import TYPE_RANK, TermType

ROOT = Path(__file__).parent.parent.parent
HOMES = {ROOT / "registry" / "model.py", ROOT / "registry" / "languages.py"}
TERM_TYPES = set(get_args(TermType))
SCRIPT_SETS = {frozenset(get_args(languages.Script)), frozenset(get_args(languages.ShownScript))}


def _sources():
    for top in ("registry", "search", "drafting", "vocab", "api"):
        yield from sorted((ROOT / top).rglob("*.py"))


def _strings(nodes) -> list[str] | None:
    values = [n.value for n in nodes if isinstance(n, ast.Constant) and isinstance(n.value, str)]
    return values if len(values) == len(nodes) else None


def redefinitions() -> list[str]:
    """Every dict keyed by term types with numbers (a term-type rank) and every Literal of a script set
    written outside their homes."""
    found = []
    for path in _sources():
        if path in HOMES:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            where = f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', '?')}"
            if isinstance(node, ast.Dict) and node.keys and None not in node.keys:
                keys = _strings(node.keys)
                numbers = all(isinstance(v, ast.Constant) and isinstance(v.value, int) for v in node.values)
                if keys and numbers and {"preferred", "admitted"} <= set(keys) <= TERM_TYPES:
                    found.append(f"{where}: a term-type rank")
            if isinstance(node, ast.Subscript) and isinstance(node.value, (ast.Name, ast.Attribute)) and \
                    getattr(node.value, "id", getattr(node.value, "attr", None)) == "Literal":
                members = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
                values = _strings(members)
                if values and frozenset(values) in SCRIPT_SETS:
                    found.append(f"{where}: a script Literal")
    return found


def test_the_term_type_rank_covers_every_term_type_in_one_order():
    assert set(TYPE_RANK) == TERM_TYPES
    ordered = sorted(TERM_TYPES, key=TYPE_RANK.__getitem__)
    assert ordered[:4] == ["preferred", "admitted", "abbreviation", "hidden"]
    assert TYPE_RANK["deprecated"] == TYPE_RANK["superseded"] > TYPE_RANK["hidden"]


def test_modules_use_the_one_rank_and_the_one_script():
    from api import drafting, routes
    from drafting import matching
    from vocab import formats

    assert matching.TYPE_RANK is TYPE_RANK and formats.TYPE_ORDER is TYPE_RANK
    assert get_args(drafting.CheckScript) == get_args(Script)
    assert get_args(routes.Script) == get_args(languages.ShownScript)


@pytest.mark.slow
def test_no_module_writes_a_domain_constant_again():
    assert redefinitions() == []
