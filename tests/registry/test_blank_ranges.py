"""``registry.text.BLANK_BMP``, the ranges the API's "not blank" patterns are made of, is what ``is_blank``
counts as showing nothing in the Basic Multilingual Plane (written out by hand: derived here again)."""

from __future__ import annotations

import re

from registry.text import BLANK_BMP, _shows_nothing, char_class


def test_the_blank_ranges_are_the_characters_that_show_nothing():
    derived: list[tuple[int, int]] = []
    for cp in range(0x10000):
        if 0xD800 <= cp <= 0xDFFF or not _shows_nothing(chr(cp)):
            continue
        if derived and derived[-1][1] == cp - 1:
            derived[-1] = (derived[-1][0], cp)
        else:
            derived.append((cp, cp))
    assert tuple(derived) == BLANK_BMP


def test_a_class_of_ranges_matches_them_and_nothing_else():
    blank = re.compile(f"[{char_class(BLANK_BMP, leaving_out=((0x00, 0x08), (0x200B, 0x200B)))}]")
    assert blank.match("\u3000") and blank.match("\t") and blank.match("\u2060")
    assert not blank.match("\x00") and not blank.match("\u200b") and not blank.match("数") and not blank.match("a")
