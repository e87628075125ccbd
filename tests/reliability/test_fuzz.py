"""schemathesis against the live OpenAPI of a real `shuyu serve`, on SQLite and on PostgreSQL.

Every operation, without a token and with an admin's, valid and invalid input: no answer may be a 5xx,
and every answer must be one the description documents (status, content type, body schema). Bounded in
cases, so that both stores together take a few minutes.
"""

from __future__ import annotations

from collections import Counter

import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES = 12  # per operation, per generation mode (valid, invalid), per token (none, admin)
MIN_CASES = 1000  # per store
MODES = [schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE]
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=False,
                    phases=[Phase.generate], suppress_health_check=list(HealthCheck))


def test_no_server_error_and_only_documented_answers(served):
    schema = schemathesis.openapi.from_url(f"{served.url}/schema/openapi.json")
    admin = {"Authorization": f"Bearer {served.token('fuzz-admin', 'admin')}"}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 25
    cases: Counter[str] = Counter()
    failures: dict[str, str] = {}
    session = requests.Session()

    for operation in operations:
        for mode in MODES:
            for headers in ({}, admin):
                @given(case=operation.as_strategy(generation_mode=mode))
                @SETTINGS
                def run(case):
                    try:
                        response = case.call(base_url=served.url, session=session, headers=headers, timeout=30)
                    except requests.ConnectionError as exc:  # the server went away: as bad as a 500
                        failures.setdefault(operation.label, f"connection lost: {exc}")
                        return
                    except (requests.RequestException, ValueError, UnicodeError):
                        return  # a request the client cannot send (a header with a newline ...)
                    cases[operation.label] += 1
                    try:
                        case.validate_response(response, checks=CHECKS, headers=headers)
                    except (AssertionError, BaseExceptionGroup) as exc:  # record the first failure per operation; no shrinking
                        failures.setdefault(f"{operation.label} ({mode.value}, {'admin' if headers else 'no token'})",
                                            f"{case.method} {case.formatted_path} {case.query or ''} -> "
                                            f"{response.status_code}: {str(exc)[:800]}")

                try:
                    run()
                except Unsatisfiable:  # no invalid input exists (an operation without parameters)
                    pass

    report = "\n\n".join(f"{name}: {what}" for name, what in failures.items())
    assert not failures, f"{len(failures)} operations failed:\n{report}"
    assert sum(cases.values()) >= MIN_CASES, cases
    assert set(cases) == {o.label for o in operations}, "some operations were never called"
