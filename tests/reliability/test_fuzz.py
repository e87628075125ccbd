"""schemathesis with every check (``--checks all``) against the live OpenAPI of a real `shuyu serve`, on SQLite
and on PostgreSQL: 0 failures of any kind.

The CLI runs all its phases (examples, coverage, fuzzing, stateful) over every operation, valid and
invalid input. Beyond "no 5xx", every answer must be one the description documents (status, content
type, headers, body schema), valid input must be accepted and invalid input refused, ``Allow`` must name
the methods a path serves. ``fuzz_hooks.py`` signs each request in as the role its operation needs
(editor, reviewer, admin: tokens made here) and replaces each valid proposal body by a real one, so the
workflow runs on real proposals. Bounded per operation (``EXAMPLES``), no shrinking, no deadline: a few
minutes per store.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = 10  # per operation and phase
SEED = "20"
RUN_TIMEOUT = 900


def test_schemathesis_finds_nothing_with_every_check(served, tmp_path):
    tokens = {role: served.token(f"fuzz-{role}", role) for role in ("editor", "reviewer", "admin")}
    env = {**os.environ, "SCHEMATHESIS_HOOKS": "tests.reliability.fuzz_hooks", "SHUYU_FUZZ_URL": served.url,
           "SHUYU_FUZZ_SEED": SEED, "PYTHONPATH": str(ROOT),
           **{f"SHUYU_FUZZ_{role.upper()}": token for role, token in tokens.items()}}
    tool = Path(sys.executable).parent / "schemathesis"
    run = subprocess.run(
        [str(tool), "run", f"{served.url}/schema/openapi.json", "--checks", "all", "--max-examples", str(EXAMPLES),
         "--no-shrink", "--seed", SEED, "--workers", "1", "--request-timeout", "30", "--suppress-health-check", "all"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=RUN_TIMEOUT)  # its crash cache goes there
    output = run.stdout + run.stderr
    failures = output[output.find("FAILURES"):] if "FAILURES" in output else output[-6000:]
    assert run.returncode == 0, failures[:20_000]
    counted = re.search(r"(\d+) generated, (\d+) passed", output)
    assert counted and counted.group(1) == counted.group(2) and int(counted.group(1)) >= 2000, output[-3000:]

    # the workflow ran on real proposals: created, submitted, reviewed
    with httpx.Client(base_url=served.url, timeout=30) as http:
        states = {state: http.get("/api/v1/proposals", params={"state": state, "limit": 1}).json()["total"]
                  for state in ("draft", "submitted", "approved", "rejected", "changes_requested", "withdrawn")}
    assert sum(states.values()) >= 10, states
    assert states["approved"] + states["rejected"] + states["changes_requested"] >= 1, states
