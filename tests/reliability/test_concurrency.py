"""Eight commenters at once on one proposal while its author edits it, over HTTP, on both stores:
every comment answered 201 is stored, and an edit answered 200 is kept (a refused one says 409 or 412)."""

from __future__ import annotations

import threading

import httpx

COMMENTERS = 8
COMMENTS_EACH = 15
EDITS = 12


def content(definition: str) -> dict:
    return {"scheme": "dv-terms", "terms": [{"text": "并发评论测试概念", "type": "preferred"}], "definition": definition}


def test_concurrent_comments_and_edits_lose_nothing(served):
    author = served.token("race-author", "editor")
    commenters = [served.token(f"race-commenter-{i}", "reviewer") for i in range(COMMENTERS)]
    with httpx.Client(base_url=served.url, timeout=60) as client:
        r = client.post("/api/v1/proposals", headers={"authorization": f"Bearer {author}"},
                        json={"kind": "create", "target_id": "race-test", "concept": content("第0版定义。")})
        assert r.status_code == 201, r.text
        proposal = r.json()["id"]
        etag = r.headers.get("etag")

    stored: list[str] = []
    answers: list[int] = []
    kept: list[str] = []  # definitions whose edit was answered 200, in order
    lock = threading.Lock()
    start = threading.Barrier(COMMENTERS + 1)

    def comment(worker: int, token: str) -> None:
        with httpx.Client(base_url=served.url, timeout=60, headers={"authorization": f"Bearer {token}"}) as c:
            start.wait()
            for n in range(COMMENTS_EACH):
                text = f"评论者{worker}的第{n}条意见"
                r = c.post(f"/api/v1/proposals/{proposal}/comments", json={"text": text})
                with lock:
                    answers.append(r.status_code)
                    if r.status_code == 201:
                        stored.append(text)

    def edit() -> None:
        nonlocal etag
        with httpx.Client(base_url=served.url, timeout=60, headers={"authorization": f"Bearer {author}"}) as c:
            start.wait()
            for n in range(1, EDITS + 1):
                definition = f"第{n}版定义。"
                headers = {"if-match": etag} if etag else {}
                r = c.patch(f"/api/v1/proposals/{proposal}", json={"concept": content(definition)}, headers=headers)
                assert r.status_code in (200, 409, 412), r.text
                if r.status_code == 200:
                    kept.append(definition)
                    etag = r.headers.get("etag")
                else:
                    etag = c.get(f"/api/v1/proposals/{proposal}").headers.get("etag")

    threads = [threading.Thread(target=comment, args=(i, t)) for i, t in enumerate(commenters)]
    editor = threading.Thread(target=edit)
    for t in (*threads, editor):
        t.start()
    for t in (*threads, editor):
        t.join(timeout=300)

    assert set(answers) <= {201, 409}, sorted(set(answers))  # a refused comment must say so, never a 5xx
    assert stored, "no comment went through"
    assert kept, "no edit went through"
    final = httpx.get(f"{served.url}/api/v1/proposals/{proposal}", timeout=30).json()
    texts = [c["text"] for c in final["comments"]]
    missing = set(stored) - set(texts)
    assert not missing, f"{len(missing)} of {len(stored)} acknowledged comments are lost"
    assert final["concept"]["definition"] == kept[-1], "an edit answered 200 was reverted"
