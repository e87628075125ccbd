"""A definition's changes marked on the diff pages: difflib as before for texts as people write them; a
text whose characters repeat so much that difflib's work grows with the square of its length (two
definitions of 2,000 random a/b: 0.46 s a page) is marked by its common start and end."""

from __future__ import annotations

import difflib
import html
import random
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from api.web import diffview
from api.web.diffview import mark_changes


def _old(before: str, after: str) -> tuple[str, str]:
    """``mark_changes`` up to 2026-12-06: difflib on any two texts."""
    old, new = [], []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, before, after, autojunk=False).get_opcodes():
        a, b = html.escape(before[i1:i2]), html.escape(after[j1:j2])
        if op == "equal":
            old.append(a)
            new.append(b)
            continue
        if a:
            old.append(f"<del>{a}</del>")
        if b:
            new.append(f"<ins>{b}</ins>")
    return "".join(old), "".join(new)


def _text(marked: str) -> str:
    return html.unescape(re.sub(r"</?(del|ins)>", "", marked))


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="数字乡村农业平台<&a ", max_size=60), st.text(alphabet="数字乡村农业平台<&a ", max_size=60))
def test_texts_as_written_are_marked_as_before(before, after):
    assert mark_changes(before, after) == _old(before, after)


def test_a_real_definition_revised_is_marked_as_before():
    rng = random.Random(5)
    words = "农业农村信息化数字乡村建设平台服务体系数据资源共享交换监测预警，。、"
    before = "".join(rng.choice(words) for _ in range(2000))
    after = list(before)
    for _ in range(100):
        after.insert(rng.randrange(len(after)), rng.choice(words))
    assert mark_changes(before, "".join(after)[:2000]) == _old(before, "".join(after)[:2000])


def test_a_text_of_few_characters_is_marked_by_its_common_start_and_end(monkeypatch):
    rng = random.Random(7)
    before = "定义：" + "".join(rng.choice("ab") for _ in range(2000)) + "。"
    after = "定义：" + "".join(rng.choice("ab") for _ in range(2000)) + "。"

    def refuse(*args, **kwargs):
        raise AssertionError("difflib's quadratic work on a text of two letters")

    monkeypatch.setattr(diffview.difflib, "SequenceMatcher", refuse)
    old, new = mark_changes(before, after)
    assert _text(old) == before and _text(new) == after
    start = len(diffview.commonprefix([before, after]))
    assert old.startswith(before[:start] + "<del>") and old.endswith("</del>。")
    assert new.startswith(after[:start] + "<ins>") and new.endswith("</ins>。")
    with pytest.raises(AssertionError):
        mark_changes("数字乡村", "数字农村")  # a short text: difflib, as before
