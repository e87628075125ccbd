"""The markers of the fast subset are set from what a test uses (tests/conftest.py), without edits."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent


def collected(*args: str) -> list[str]:
    result = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", *args],
                            cwd=ROOT, capture_output=True, text=True, timeout=300)
    return [line for line in result.stdout.splitlines() if "::" in line]


@pytest.mark.slow
def test_postgres_browser_and_slow_tests_are_marked_by_what_they_use():
    # the contract tests run against both stores: only the PostgreSQL half is marked
    postgres = collected("-m", "postgres", "tests/registry/test_store.py", "tests/registry/test_placeholders.py")
    assert postgres and all("postgres" in test for test in postgres), postgres
    assert not any("[sqlite" in test for test in postgres)
    assert "tests/registry/test_placeholders.py::test_postgresqls_question_mark_operator_survives" in postgres
    # a test is a browser test by its fixture, whatever its folder
    browser = collected("-m", "browser", "tests/api/test_browser.py", "tests/api/test_search_api.py")
    assert browser and all(test.startswith("tests/api/test_browser.py::") for test in browser), browser
    # the fast subset leaves out the slow folders
    assert collected("-m", "not slow and not browser and not postgres", "tests/nodes", "tests/reliability") == []
