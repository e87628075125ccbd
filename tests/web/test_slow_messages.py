"""The message catalogue reads an error's detail in one pass: a detail quoting a long word from the request
(an id in the address, up to 8 KB) made three of its patterns try every position of the word."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from api.web import messages

# the patterns as they were up to 2026-12-06: ``\w+`` free to start inside a word
OLD = [r"(?P<field>\w+) points at itself", r"(?P<field>\w+) names unknown concept '(?P<id>[^']*)'",
       r"(?P<field>\w+) holds a blank text"]


def _now(old: str) -> re.Pattern:
    tail = old.split(r"\w+)", 1)[1]
    return next(p.regex for p in messages.PATTERNS if p.regex.pattern.endswith(tail))


@pytest.mark.slow
@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(["a", "b_", "9", " ", "'", "x'", "é", "界", " points at itself",
                                 " names unknown concept '", " holds a blank text", ": "]), max_size=20).map("".join))
def test_the_patterns_find_what_they_found(text):
    for old in OLD:
        before, after = re.compile(old).search(text), _now(old).search(text)
        assert (before and (before.span(), before.groupdict())) == (after and (after.span(), after.groupdict()))


@pytest.mark.slow
def test_a_long_word_in_a_detail_is_read_in_one_pass():
    # an 8 KB id in a web page's address took 1.5 s to render its 404 (each pattern quadratic in the word);
    # 200,000 characters took minutes
    code = ("from api.web.messages import detail; "
            "print(detail('no concept ' + 'a' * 200_000, 'not-found'), detail('related points at itself'))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert done.stdout.split() == [messages.BY_CODE["not-found"], messages.detail("related points at itself")]
