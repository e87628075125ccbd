"""schemathesis hooks for ``test_fuzz.py`` (loaded by the CLI through ``SCHEMATHESIS_HOOKS``).

- Every request carries the bearer token of the role its operation needs: an editor writes and submits
  proposals, a reviewer (who wrote none of them) approves, rejects and asks for changes, an admin cuts
  releases and imports. The description declares no security scheme; tokens come from the environment.
- Generated-data strategy for the workflow: a schema-valid proposal body is rarely a valid proposal
  (its scheme, base version and relations must name what exists), so every *positive* ``POST
  /api/v1/proposals`` is replaced by a real one, drawn at random: a new concept in a real scheme, a
  revision of a real concept at its current version, or a deprecation pointing to another real concept.
  The proposals the server creates are remembered, and positive calls that name a proposal use one of
  them (half the time), so submit, edit, approve, reject, request-changes, withdraw, comments and diff
  run on real proposals in every state, not only into 404s (concept reads likewise name real concepts
  half the time). A valid import uploads a real file (a
  concept exported as TOML), as a dry run.
- Negative cases are left as generated: they must be refused whatever they name.
"""

from __future__ import annotations

import os
import random
import re
import secrets

import httpx
import msgspec
import schemathesis

from api.editorial import ProposalIn
from vocab.formats import FORMATS

URL = os.environ["SHUYU_FUZZ_URL"]
TOKENS = {role: os.environ[f"SHUYU_FUZZ_{role.upper()}"] for role in ("editor", "reviewer", "admin")}
REVIEWS = ("/approve", "/reject", "/request-changes")
_rng = random.Random(int(os.environ.get("SHUYU_FUZZ_SEED", "0")))
_proposals: list[str] = []  # ids of proposals the server created during the run
_concepts: list[str] = []


def _client(role: str = "editor") -> httpx.Client:
    return httpx.Client(base_url=URL, timeout=30, headers={"authorization": f"Bearer {TOKENS[role]}"})


def _concept_ids() -> list[str]:
    if not _concepts:
        with _client() as http:
            for scheme in http.get("/api/v1/schemes").json():
                page = http.get(f"/api/v1/schemes/{scheme['id']}/concepts", params={"limit": 500}).json()
                _concepts.extend(item["id"] for item in page["items"])
    return _concepts


def _current(concept_id: str) -> dict | None:
    with _client() as http:
        r = http.get(f"/api/v1/concepts/{concept_id}")
    return r.json() if r.status_code == 200 else None


CONTENT = ("scheme", "definition", "definition_en", "notes", "examples", "notation", "broader", "related", "grade")


def real_proposal() -> dict:
    """A proposal the registry accepts: a new concept, a revision or a deprecation of a real one."""
    ids = _concept_ids()
    kind = _rng.choice(["create", "revise", "deprecate"])
    submit = _rng.random() < 0.7
    if kind != "create":
        concept = _current(_rng.choice(ids))
        if concept is not None and concept.get("status") != "deprecated":
            if kind == "deprecate":
                other = _rng.choice([i for i in ids if i != concept["id"]])
                return {"kind": "deprecate", "target_id": concept["id"], "base_version": concept["version"],
                        "replaced_by": [other], "note": "模糊测试：废止", "submit": submit}
            content = {k: concept[k] for k in CONTENT if k in concept and concept[k] not in (None, "", [])}
            content["terms"] = [{k: t[k] for k in ("text", "lang", "type") if k in t} for t in concept["terms"]]
            content["broader"] = [b["id"] if isinstance(b, dict) else b for b in content.get("broader", [])]
            content["related"] = [r["id"] if isinstance(r, dict) else r for r in content.get("related", [])]
            content["definition"] = f"{concept.get('definition', '')}（修订 {secrets.token_hex(3)}）"[:2000]
            return {"kind": "revise", "target_id": concept["id"], "base_version": concept["version"],
                    "concept": content, "note": "模糊测试：修订", "submit": submit}
    scheme = _rng.choice([i for i in ("dv-terms",)])
    tag = secrets.token_hex(4)
    return {"kind": "create", "target_id": f"fuzz-{tag}", "submit": submit, "note": "模糊测试：新建",
            "concept": {"scheme": scheme, "terms": [{"text": f"模糊测试术语{tag}", "type": "preferred"},
                                                    {"text": f"fuzz term {tag}", "lang": "en", "type": "preferred"}],
                        "definition": "为模糊测试新建的概念。",
                        "broader": [_rng.choice(ids)] if _rng.random() < 0.5 else []}}


FLAGS = {"1", "true", "yes", "on", "0", "false", "no", "off", ""}


def real_import(body: dict) -> None:
    """The uploaded file becomes a real one (a concept exported as TOML), and a valid format and
    ``dry_run`` become ``toml`` and ``true``: a dry run of a real import."""
    concept = _rng.choice(_concept_ids())
    with _client() as http:
        body["file"] = http.get(f"/api/v1/concepts/{concept}/export", params={"format": "toml"}).text
    body["format"] = "toml"  # the file's name ("file") does not tell
    if "scheme" in body:
        body["scheme"] = ""  # the file's own scheme
    body["dry_run"] = "true"


def _role(method: str, path: str) -> str:
    if path.startswith(("/api/v1/releases", "/api/v1/imports")) or path == "/api/v1/changes":
        return "admin"
    if path.endswith(REVIEWS):
        return "reviewer"
    return "editor"


def _positive(case) -> bool:
    meta = case.meta
    return meta is not None and meta.generation.mode.is_positive


def _valid(body, kind) -> bool:
    """Whether the generated body is valid as it stands (a coverage case can be negative elsewhere)."""
    try:
        msgspec.convert(body, kind, strict=True)
    except (msgspec.ValidationError, TypeError):
        return False
    return True


def _valid_form(body) -> bool:
    if not isinstance(body, dict) or "file" not in body:
        return False
    for key, value in body.items():
        if key in ("dry_run", "as_proposals", "deprecate_missing", "skip_invalid") and value not in FLAGS:
            return False
        if key == "format" and value not in FORMATS:
            return False
        if key == "scheme" and not (isinstance(value, str) and re.fullmatch("([a-z][a-z0-9-]{1,63})?", value)):
            return False
        if key not in ("file", "dry_run", "as_proposals", "deprecate_missing", "skip_invalid", "format", "scheme"):
            return False
    return isinstance(body["file"], (bytes, str))


@schemathesis.hook
def before_call(context, case, **kwargs):
    path = case.operation.path
    method = case.method.upper()
    if case.headers is None:
        case.headers = {}
    if "authorization" not in {k.lower() for k in case.headers}:
        case.headers["Authorization"] = f"Bearer {TOKENS[_role(method, path)]}"
    if not _positive(case):
        return
    if "{proposal_id}" in path and _proposals and _rng.random() < 0.5:
        case.path_parameters = {**case.path_parameters, "proposal_id": _rng.choice(_proposals)}
    if "{concept_id}" in path and _rng.random() < 0.5:  # reads of real concepts, not only 404s
        case.path_parameters = {**case.path_parameters, "concept_id": _rng.choice(_concept_ids())}
    if method == "POST" and path == "/api/v1/proposals" and _valid(case.body, ProposalIn):
        case.body = real_proposal()
    elif method == "PATCH" and path == "/api/v1/proposals/{proposal_id}" and "proposal_id" in case.path_parameters:
        case.body = {"note": f"模糊测试：编辑 {secrets.token_hex(3)}"}
        case.headers.pop("If-Match", None)
    elif method == "POST" and path == "/api/v1/imports" and _valid_form(case.body):
        real_import(case.body)


@schemathesis.hook
def after_call(context, case, response):
    if case.operation.path == "/api/v1/proposals" and case.method.upper() == "POST" and response.status_code == 201:
        _proposals.append(response.json()["id"])


UVICORN_REFUSAL = "Invalid HTTP request received."


BOTH = "give at or release, not both"
FLOAT = "got `float`"


def _integral_floats(value) -> bool:
    if isinstance(value, float):
        return value.is_integer()
    if isinstance(value, dict):
        return any(_integral_floats(v) for v in value.values())
    if isinstance(value, list):
        return any(_integral_floats(v) for v in value)
    return False


@schemathesis.hook
def filter_failure(context, failure, case, response):
    """Keep every failure but three 400s that OpenAPI cannot state:

    - the refusals of the HTTP server's own parser (an over-long request line, a header it cannot
      read), which it answers before the app, in plain text;
    - ``at`` and ``release`` given together (parameters that exclude each other);
    - an integer written as ``147875176.0`` in a JSON body: JSON Schema counts it as an integer, the
      server refuses it (issue 20: integers are written as integers)."""
    if response is None or response.status_code != 400:
        return True
    if response.text == UVICORN_REFUSAL:
        return False
    query = case.query or {}
    if query.get("at") and query.get("release") and BOTH in response.text:
        return False
    return not (FLOAT in response.text and _integral_floats(case.body))
