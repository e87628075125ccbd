"""The editorial flow end to end against a live server over real HTTP, with real tokens."""

from __future__ import annotations


import httpx
import pytest

from api.settings import Settings
from registry.tokens import create_token
from tests.api.test_http import assert_problem
from tests.conftest import LiveServer, caught_up

CONCEPT = "/api/v1/concepts/science-technology-backyard"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with LiveServer(Settings(data_dir=str(tmp_path_factory.mktemp("editorial")), sync_interval=0.2)) as live:
        store = live.services.store
        live.tokens = {name: create_token(store, name, role, actor="test")[1]
                       for name, role in [("alice", "editor"), ("rose", "reviewer"), ("bob", "reviewer"),
                                          ("rita", "reader"), ("ada", "admin")]}
        yield live


@pytest.fixture()
def as_(server):
    clients: list[httpx.Client] = []

    def client(name: str | None) -> httpx.Client:
        headers = {"authorization": f"Bearer {server.tokens[name]}"} if name else {}
        c = httpx.Client(base_url=server.url, headers=headers, timeout=30)
        clients.append(c)
        return c

    yield client
    for c in clients:
        c.close()


def revision_body(http: httpx.Client, definition: str, extra_label: str | None = None) -> dict:
    current = http.get(CONCEPT).json()
    terms = [{"text": t["text"], "lang": t["lang"], "type": t["type"]} for t in current["terms"]]
    if extra_label:
        terms.append({"text": extra_label, "lang": "zh-Hans", "type": "admitted"})
    return {
        "kind": "revise", "target_id": "science-technology-backyard", "base_version": current["version"],
        "concept": {"scheme": current["scheme"], "terms": terms, "definition": definition,
                    "related": [r["id"] for r in current["related"]], "sources": current["sources"]},
        "note": "补充定义", "submit": True,
    }


def test_the_whole_editorial_flow(server, as_):
    alice, rose, bob, ada, anyone = as_("alice"), as_("rose"), as_("bob"), as_("ada"), as_(None)
    v1 = anyone.get(CONCEPT).json()
    assert v1["version"] == 1
    revision_before = anyone.get("/healthz").json()["revision"]
    release = ada.post("/api/v1/releases", json={"tag": "2025.1", "note": "首个发布"})
    assert release.status_code == 201, release.text

    # an editor proposes a revision; nobody may approve their own proposal
    created = alice.post("/api/v1/proposals", json=revision_body(anyone, "驻村开展科研与技术服务的农业科技服务模式。", "科技小院模式"))
    assert created.status_code == 201, created.text
    proposal = created.json()
    assert proposal["state"] == "submitted" and proposal["author"] == "alice"
    assert_problem(alice.post(f"/api/v1/proposals/{proposal['id']}/approve"), 403)  # an editor, and the author
    own = rose.post("/api/v1/proposals", json=revision_body(anyone, "另一个定义。")).json()
    refused = assert_problem(rose.post(f"/api/v1/proposals/{own['id']}/approve"), 403)
    assert "may not review" in refused["detail"]

    # the diff names the changed fields before approval
    diff = anyone.get(f"/api/v1/proposals/{proposal['id']}/diff").json()
    assert {"definition", "terms"} <= set(diff["changed_fields"])
    assert [t["text"] for t in diff["labels_added"]] == ["科技小院模式"]

    # a reviewer approves: once the server has followed the change log, version 2 is current and searchable
    approved = bob.post(f"/api/v1/proposals/{proposal['id']}/approve", json={"comment": "同意"})
    assert approved.status_code == 200 and approved.json()["state"] == "approved"
    caught_up(server)
    hits = anyone.get("/api/v1/search", params={"q": "科技小院模式"}).json()["hits"]
    assert hits[0]["id"] == "science-technology-backyard" and hits[0]["match"] == "exact-label", hits[:1]
    v2 = anyone.get(CONCEPT).json()
    assert v2["version"] == 2 and v2["definition"].startswith("驻村开展科研")

    # version 1 is still readable, and the diff between versions names the changed fields
    assert anyone.get(f"{CONCEPT}/versions/1").json()["definition"] == v1["definition"]
    assert [v["version"] for v in anyone.get(f"{CONCEPT}/versions").json()] == [1, 2]
    version_diff = anyone.get(f"{CONCEPT}/diff", params={"from": 1, "to": 2}).json()
    assert version_diff["definition"]["before"] == v1["definition"]
    assert "terms" in version_diff["changed_fields"]

    # rose's proposal was based on version 1: approving it now is a conflict naming version 2
    stale = assert_problem(bob.post(f"/api/v1/proposals/{own['id']}/approve"), 409)
    assert "current version is 2" in stale["detail"]
    rebased = rose.patch(f"/api/v1/proposals/{own['id']}", json={"base_version": 2})
    assert rebased.status_code == 200 and rebased.json()["base_version"] == 2
    assert rebased.json()["state"] == "draft"  # a rebase changes the content: submitted again for review
    assert rose.post(f"/api/v1/proposals/{own['id']}/submit").status_code == 200
    assert bob.post(f"/api/v1/proposals/{own['id']}/approve").status_code == 200
    assert anyone.get(CONCEPT).json()["version"] == 3

    # the release reads back the state at its revision; so does ?at=
    assert anyone.get(CONCEPT, params={"release": "2025.1"}).json()["version"] == 1
    assert anyone.get(CONCEPT, params={"at": str(revision_before)}).json()["version"] == 1
    summary = anyone.get("/api/v1/releases/2025.1").json()
    assert summary["revision"] == release.json()["revision"]
    assert ada.post("/api/v1/releases", json={"tag": "2025.2"}).status_code == 201
    changed = anyone.get("/api/v1/releases/2025.2").json()
    assert changed["since_tag"] == "2025.1" and changed["summary"]["changed"] == ["science-technology-backyard"]

    # every write is in the change feed with its actor
    feed = anyone.get("/api/v1/changes", params={"since": revision_before}).json()
    assert {(e["action"], e["actor"]) for e in feed["events"]} >= {("propose", "alice"), ("approve", "bob"),
                                                                   ("revise", "bob"), ("release", "ada")}


def test_etag_and_if_none_match(server, as_):
    http = as_(None)
    first = http.get("/api/v1/concepts/digital-village")
    etag = first.headers["etag"]
    assert http.get("/api/v1/concepts/digital-village", headers={"if-none-match": etag}).status_code == 304
    assert http.get("/api/v1/concepts/digital-village", params={"script": "zh-TW"}, headers={"if-none-match": etag}).status_code == 200


def test_authentication_and_roles(server, as_):
    body = revision_body(as_(None), "x。")
    assert_problem(as_(None).post("/api/v1/proposals", json=body), 401)
    wrong = httpx.post(f"{server.url}/api/v1/proposals", json=body, headers={"authorization": "Bearer shuyu_wrong"})
    assert_problem(wrong, 401)
    assert_problem(as_("rita").post("/api/v1/proposals", json=body), 403)
    assert_problem(as_("alice").post("/api/v1/releases", json={"tag": "x1"}), 403)


@pytest.mark.parametrize(
    "change, field",
    [
        ({"colour": "red"}, "colour"),
        ({"kind": "rewrite"}, "kind"),
        ({"base_version": "one"}, "base_version"),
        ({"concept": {"scheme": "dv-terms", "terms": [{"text": "数字乡村", "type": "preferred"}]}}, "terms"),
        ({"concept": {"scheme": "dv-terms", "terms": [{"text": "科技小院", "type": "preferred"}], "related": ["nowhere"]}}, "related"),
        ({"concept": {"scheme": "dv-terms", "terms": [{"text": "科技小院", "type": "preferred"}],
                      "broader": ["science-technology-backyard"]}}, "broader"),
    ],
)
def test_bad_proposals_are_422_naming_the_field_and_leave_no_trace(server, as_, change, field):
    alice = as_("alice")
    before = alice.get("/api/v1/proposals").json()["total"]
    body = {**revision_body(as_(None), "x。"), **change}
    problem = assert_problem(alice.post("/api/v1/proposals", json=body), 422)
    assert field in (problem.get("field") or "") + problem["detail"]
    assert alice.get("/api/v1/proposals").json()["total"] == before


def test_oversized_and_malformed_bodies(server, as_):
    alice = as_("alice")
    assert_problem(alice.post("/api/v1/proposals", content=b'{"note": "' + b"x" * 2_000_000 + b'"}',
                              headers={"content-type": "application/json"}), 413)
    assert_problem(alice.post("/api/v1/proposals", content=b"{oops", headers={"content-type": "application/json"}), 400)


def test_unknown_proposal_release_and_version(server, as_):
    http = as_(None)
    assert_problem(http.get("/api/v1/proposals/p-none"), 404)
    assert_problem(http.get("/api/v1/releases/none"), 404)
    assert_problem(http.get(f"{CONCEPT}/versions/99"), 404)
    assert_problem(http.get(CONCEPT, params={"at": "not-a-date"}), 400)
    assert_problem(http.get(CONCEPT, params={"release": "none"}), 404)
    assert_problem(as_("bob").post("/api/v1/proposals/p-none/approve"), 404)


def test_proposal_etag_and_if_match(server, as_):
    alice, bob, ada, anyone = as_("alice"), as_("bob"), as_("ada"), as_(None)
    created = alice.post("/api/v1/proposals", json=revision_body(anyone, "ETag 测试定义。"))
    assert created.status_code == 201
    pid = created.json()["id"]
    assert created.headers["etag"] == f'"{pid}.1"' and created.headers["location"].endswith(f"/proposals/{pid}")
    assert anyone.get(f"/api/v1/proposals/{pid}").headers["etag"] == f'"{pid}.1"'
    # a comment does not change the content revision
    assert bob.post(f"/api/v1/proposals/{pid}/comments", json={"text": "看过"}).headers["etag"] == f'"{pid}.1"'
    # an admin rewrites the submitted text: back to draft, revision 2; a stale If-Match is 412
    body = {"concept": revision_body(anyone, "管理员的定义。")["concept"]}
    edited = ada.patch(f"/api/v1/proposals/{pid}", json=body, headers={"If-Match": f'"{pid}.1"'})
    assert edited.status_code == 200 and edited.json()["state"] == "draft", edited.text
    assert edited.headers["etag"] == f'"{pid}.2"' and edited.json()["contributors"] == ["alice", "ada"]
    assert_problem(ada.patch(f"/api/v1/proposals/{pid}", json=body, headers={"If-Match": f'"{pid}.1"'}), 412)
    assert_problem(alice.post(f"/api/v1/proposals/{pid}/submit", headers={"If-Match": 'W/"x"'}), 412)
    # a list holds when any tag in it is current (RFC 9110, 13.1.1), wherever that tag stands in it
    assert_problem(alice.post(f"/api/v1/proposals/{pid}/submit", headers={"If-Match": f'"{pid}.1", "{pid}.3"'}),
                   412)
    listed = alice.post(f"/api/v1/proposals/{pid}/submit", headers={"If-Match": f'"{pid}.1", W/"x", "{pid}.2"'})
    assert listed.status_code == 200, listed.text
    # the admin wrote part of it: no approval by them; a reviewer approving what they saw (revision 1) is 412
    assert "may not review" in assert_problem(ada.post(f"/api/v1/proposals/{pid}/approve"), 403)["detail"]
    assert_problem(bob.post(f"/api/v1/proposals/{pid}/approve", headers={"If-Match": f'"{pid}.1"'}), 412)
    approved = bob.post(f"/api/v1/proposals/{pid}/approve", headers={"If-Match": f'"{pid}.2"'})
    assert approved.status_code == 200, approved.text
    assert approved.json()["reviews"][-1]["content_version"] == 2


def test_eight_concurrent_commenters_over_http_lose_nothing(server, as_):
    from concurrent.futures import ThreadPoolExecutor

    alice, anyone = as_("alice"), as_(None)
    pid = alice.post("/api/v1/proposals", json={**revision_body(anyone, "并发评论。"), "submit": False}).json()["id"]
    clients = [as_(name) for name in ("alice", "bob", "rose", "ada") * 2]

    def comment(i: int) -> list[str]:
        stored = []
        for n in range(10):
            text = f"评论 {i}-{n}"
            if clients[i].post(f"/api/v1/proposals/{pid}/comments", json={"text": text}).status_code == 201:
                stored.append(text)
        return stored

    with ThreadPoolExecutor(8) as pool:
        acknowledged = [t for texts in pool.map(comment, range(8)) for t in texts]
    comments = [c["text"] for c in anyone.get(f"/api/v1/proposals/{pid}").json()["comments"]]
    assert len(acknowledged) == 80 and sorted(comments) == sorted(acknowledged)


def test_token_events_are_shown_to_admins_only_and_do_not_move_the_revision(server, as_):
    anyone, alice, ada = as_(None), as_("alice"), as_("ada")
    revision = anyone.get("/api/v1/changes").json()["revision"]
    since = max(e.revision for e in server.services.store.changes_since(0, limit=100_000, include_admin=True))
    create_token(server.services.store, "temp-admin-test", "editor", actor="test")
    for client in (anyone, alice):
        feed = client.get("/api/v1/changes", params={"since": since}).json()
        assert feed["events"] == [] and feed["revision"] == revision
    admin_feed = ada.get("/api/v1/changes", params={"since": since}).json()["events"]
    assert "temp-admin-test (editor)" in [e["note"] for e in admin_feed if e["kind"] == "token"]


@pytest.mark.parametrize("blank", ["   ", "\u3000", "\u200b", "\u200b\u200b", "\ufeff\u2060\u200d", "\u200f\u3164",
                                   "\n \r\x9f\x94\x8f", "\U000e0020\U000e0041"])
def test_a_comment_of_spaces_or_invisible_characters_is_400_and_not_kept(server, as_, blank):
    alice, bob = as_("alice"), as_("bob")
    pid = alice.post("/api/v1/proposals", json=revision_body(as_(None), "空评论。")).json()["id"]
    answer = bob.post(f"/api/v1/proposals/{pid}/comments", json={"text": blank})
    if all(ch <= "\uffff" for ch in blank):
        # blank in the Basic Multilingual Plane: the body's schema refuses it (422), as the OpenAPI description
        # says (C1 controls after spaces were schema-valid and refused: schemathesis's ST202)
        detail = assert_problem(answer, 422)["detail"]
        assert "blank" in detail and "regex" not in detail, detail  # in words, not the pattern
    else:  # tag characters, beyond what the schema's pattern names: the registry refuses them
        assert "needs text" in assert_problem(answer, 400)["detail"]
    assert bob.get(f"/api/v1/proposals/{pid}").json()["comments"] == []
    alice.post(f"/api/v1/proposals/{pid}/withdraw")


def test_a_term_of_invisible_characters_is_422_and_leaves_no_trace(server, as_):
    alice = as_("alice")
    before = alice.get("/api/v1/proposals").json()["total"]
    problem = assert_problem(alice.post("/api/v1/proposals", json=revision_body(as_(None), "x。", "\u200b\u200b")), 422)
    assert problem["field"] == "terms" and "blank" in problem["detail"]
    assert alice.get("/api/v1/proposals").json()["total"] == before


@pytest.mark.parametrize("path", ["/api/v1/proposals", "/api/v1/proposals/p-any/comments", "/api/v1/releases"])
@pytest.mark.parametrize("headers", [{}, {"content-type": "application/json"}])
def test_a_write_without_its_body_says_so(server, as_, path, headers):
    """outside9: a required body left out was a 422 reading "data: 'data'"."""
    problem = assert_problem(as_("ada").post(path, headers=headers), 400)
    assert problem["detail"] == "this needs a JSON body" and problem["field"] == "body"


def test_a_review_without_a_body_is_still_a_review_without_a_comment(server, as_):
    alice, bob = as_("alice"), as_("bob")
    pid = alice.post("/api/v1/proposals", json=revision_body(as_(None), "无正文。")).json()["id"]
    assert bob.post(f"/api/v1/proposals/{pid}/reject").status_code == 200


def test_an_if_match_sent_as_two_header_lines_is_one_list(server, as_):
    """outside9: RFC 9110 (5.3) reads two If-Match lines as one list; only the first line was read, so the
    current revision on the second line was a 412."""
    alice, anyone = as_("alice"), as_(None)
    pid = alice.post("/api/v1/proposals", json=revision_body(anyone, "两行 If-Match。")).json()["id"]
    answer = alice.patch(f"/api/v1/proposals/{pid}", json={"note": "第二行"},
                         headers=[("if-match", f'"{pid}.7"'), ("if-match", f'"{pid}.1"')])
    assert answer.status_code == 200, answer.text
    stale = alice.patch(f"/api/v1/proposals/{pid}", json={"note": "旧"},
                        headers=[("if-match", f'"{pid}.1"'), ("if-match", f'"{pid}.3"')])
    assert_problem(stale, 412)
