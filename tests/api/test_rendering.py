"""``PreEncoded`` answers: the quick ``ASGIResponse`` it makes for a plain answer is the one litestar's own
constructor makes (same raw headers in the same order, same attributes); anything else goes through it."""

from __future__ import annotations

import sys

import pytest
from litestar import MediaType
from litestar.background_tasks import BackgroundTask
from litestar.response.base import ASGIResponse

from api.rendering import HitParts, PreEncoded, _Sent, held_bytes
from api.views import HitHead, _refs, concept_href, curated_label, hit_static, qualifier
from search.analysis import render
from search.highlight import prepared
from search.labels import Hit
from tests.conftest import run_coroutine

ATTRIBUTES = ("body", "content_length", "_encoded_cookies", "encoding", "is_head_response", "status_code",
              "background")


def sent_messages(response: ASGIResponse) -> list[dict]:
    messages: list[dict] = []

    async def send(message):
        messages.append(message)

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    run_coroutine(response({"type": "http"}, receive, send))  # type: ignore[arg-type]
    return messages


@pytest.mark.parametrize("status", [200, 201, 203])
@pytest.mark.parametrize("own, layer", [({}, None), ({"ETag": '"abc"', "Cache-Control": "no-cache"}, None),
                                        ({"etag": '"x"'}, {"X-Layer": "é", "etag": '"layer"'})])
@pytest.mark.parametrize("media_type", [MediaType.JSON, MediaType.HTML, "text/plain", "application/problem+json", None])
@pytest.mark.parametrize("body", [b"", b'{"a":1}', "数字乡村".encode()])
def test_a_plain_answer_is_what_litestar_would_make(status, own, layer, media_type, body):
    answer = PreEncoded(body, status_code=status, headers=dict(own), media_type=media_type)
    quick = answer.to_asgi_response(None, None, headers=layer)
    assert type(quick) is _Sent
    merged = {**layer, **own} if layer else own
    made = ASGIResponse(body=body, status_code=status, media_type=media_type, headers=merged, cookies=[],
                        background=None, is_head_response=False)
    assert quick.encode_headers() == made.encode_headers()
    assert {name: getattr(quick, name) for name in ATTRIBUTES} == {name: getattr(made, name) for name in ATTRIBUTES}
    assert sent_messages(quick) == sent_messages(made)


def test_a_plain_answer_runs_its_background_task_after_sending():
    ran: list[int] = []

    async def task() -> None:
        ran.append(len(ran))

    for background in (BackgroundTask(task), None):
        quick = PreEncoded(b"{}").to_asgi_response(None, None, background=background)
        made = ASGIResponse(body=b"{}", background=background, headers={})
        assert type(quick) is _Sent and sent_messages(quick) == sent_messages(made)
    assert ran == [0, 1]


@pytest.mark.parametrize("status, headers, head", [(304, {"etag": '"a"'}, False), (200, {}, True),
                                                   (200, {"Content-Type": "text/csv"}, False),
                                                   (204, {}, False)])
def test_anything_else_goes_through_litestars_constructor(status, headers, head):
    answer = PreEncoded(b"", status_code=status, headers=headers)
    made = answer.to_asgi_response(None, None, is_head_response=head)
    assert type(made) is ASGIResponse


@pytest.mark.parametrize("script", ["zh-Hans", "zh-Hant", "zh-TW", "zh-HK"])
def test_a_hits_static_part_is_read_as_from_the_whole_concept(live_server, script):
    """``hit_static`` reads columns and an excerpt of a concept; every part is what the whole version says."""
    catalog = live_server.services.catalog
    qualifiers = []
    for concept_id in catalog.concepts:
        c = catalog.concepts[concept_id]
        static = hit_static(catalog, "concept", concept_id, script)
        curated = curated_label(c, script)
        assert static.head == HitHead(id=c.id, kind="concept", href=concept_href(c.id),
                                      label=curated or render(c.preferred, script), code=c.notation,
                                      definition=render(c.chinese_definition, script), scheme=c.scheme,
                                      status=c.status, grade=c.grade)
        assert (static.label, static.definition) == (curated or c.preferred, c.chinese_definition)
        assert static.label_target == prepared(static.label)
        assert static.replaced_by == _refs(catalog, c.replaced_by, script)
        assert static.qualifier == qualifier(catalog, c, script)
        qualifiers.append(static.qualifier)
    assert any(qualifiers)  # the bundled vocabularies hold homonyms


def test_hit_parts_hold_a_text_equal_to_its_prepared_form_once(live_server):
    """``HitParts`` keeps one object for a label or definition that ``prepared`` leaves as it is (the
    render cache's bound counts each object of an entry once, and none every entry shares), and the
    JSON is that of ``views.search_out`` (``tests/api/test_hot_routes.py`` compares whole answers)."""
    catalog = live_server.services.catalog
    seen = same = 0
    for concept_id in list(catalog.concepts)[:200]:
        hit = Hit(id=concept_id, kind="concept", tier=0, score=1.0)
        parts = HitParts.of(catalog, hit, "zh-Hans")
        assert parts.label == parts.label_target and parts.definition == parts.definition_target
        seen += 1
        if parts.definition == prepared(parts.definition):
            assert parts.definition is parts.definition_target
            same += 1
        held = held_bytes(parts)
        distinct = {id(f): f for f in parts if f is not parts.label_script
                    and f not in (b',"replaced_by":[],"coverage":', b',"qualifier":""}')}
        assert held == sys.getsizeof(parts) + sum(map(sys.getsizeof, distinct.values()))
    assert seen and same
