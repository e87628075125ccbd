"""The "not only spaces" patterns enforced on query texts and comment bodies (and published for drafts):
one pass, whatever the text (the old ``^[^X]*[^\\sX][^X]*$`` backtracked over every split of a text that
ended on a refused character: quadratic, 4x the work for 2x the text)."""

from __future__ import annotations

import re
import subprocess
import sys
from typing import get_type_hints

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from api.drafting import _NOT_DRAFT, DRAFT
from api.editorial import CommentIn
from api.routes import _NOT_TEXT, TEXT
from registry.text import is_blank

COMMENT = get_type_hints(CommentIn, include_extras=True)["text"].__metadata__[0].pattern
OLD = {TEXT: f"^[^{_NOT_TEXT}]*[^\\s{_NOT_TEXT}][^{_NOT_TEXT}]*$", COMMENT: "^[^\\u0000]*[^\\s\\u0000][^\\u0000]*$",
       DRAFT: f"^[^{_NOT_DRAFT}]*[^\\s{_NOT_DRAFT}][^{_NOT_DRAFT}]*$"}
# spaces in and out of the refused ranges (U+001C–U+001F and U+0085 are spaces to ``\s`` and refused),
# zero-width and no-break spaces, a refused U+FFFD, NUL, letters, a line break
ALPHABET = " \t\n\r\x0b\x0c\x1c\x1f\x85\x9f\xa0\xad\u200b\u2060\u3000\u3164\ufeff\ufffd\x00\x01\x7fa数"


@pytest.mark.slow
@pytest.mark.parametrize("pattern", [TEXT, COMMENT, DRAFT])
def test_each_pattern_says_what_the_old_one_said(pattern):
    old, new = re.compile(OLD[pattern]), re.compile(pattern)

    # the text and comment patterns refuse a blank text too, as ``is_blank`` does (since 2026-12-06)
    refuses_blank = pattern in (TEXT, COMMENT)

    @settings(max_examples=1500, deadline=None)
    @given(st.text(alphabet=ALPHABET, max_size=8))
    def same(text):
        expected = bool(old.search(text)) and not (refuses_blank and is_blank(text))
        assert bool(new.search(text)) == expected  # msgspec reads a pattern with re.search

    same()


@pytest.mark.slow
def test_a_long_text_ending_on_a_refused_character_is_read_in_one_pass():
    # a comment of 5,000 letters and a NUL took 0.05 s to refuse, 4x as long for each doubling; 400,000
    # letters (the pattern on its own, past the length bounds) took minutes
    code = ("import re; from api.routes import TEXT; "
            f"print(re.search({COMMENT!r}, 'a' * 400_000 + '\\x00'), re.search(TEXT, 'a' * 400_000 + '\\x01'))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert done.stdout.split() == ["None", "None"]
