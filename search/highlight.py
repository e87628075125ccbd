"""Highlights: the parts of a label or definition that matched, marked in the script the user reads."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from functools import lru_cache

from .analysis import CJK_RUN, bigrams, render
from registry.text import converter

MARK_OPEN, MARK_CLOSE = "<mark>", "</mark>"


def highlight_terms(forms: Iterable[str]) -> tuple[str, ...]:
    """What to mark for a query: its whole forms, then its words, longest first."""
    terms: set[str] = set()
    for form in forms:
        form = form.strip()
        if not form:
            continue
        terms.add(form)
        # the query's bigrams: adjacent ones merge into one mark; a lone character only for itself
        terms.update(g for g in bigrams(form) if len(g) == 2 or CJK_RUN.fullmatch(form))
        terms.update(w for w in form.split() if len(w) >= 2)
    return tuple(sorted(terms, key=lambda t: (-len(t), t)))


@lru_cache(maxsize=1024)
def _pattern(terms: tuple[str, ...]) -> re.Pattern[str] | None:
    if not terms:
        return None
    # a lookahead finds overlapping matches (标准 inside 高标准 after 高标), merged into spans below
    return re.compile("(?=(" + "|".join(re.escape(t) for t in terms) + "))", re.IGNORECASE)


def _spans(pattern: re.Pattern[str], target: str) -> list[tuple[int, int]]:
    """Matched character spans, overlapping or touching ones merged."""
    spans: list[tuple[int, int]] = []
    for match in pattern.finditer(target):
        start, end = match.start(), match.start() + len(match.group(1))
        if spans and start <= spans[-1][1]:
            spans[-1] = (spans[-1][0], max(spans[-1][1], end))
        else:
            spans.append((start, end))
    return spans


def highlight(text: str, terms: tuple[str, ...], script: str = "zh-Hans") -> str:
    """HTML-escaped ``text`` in ``script`` with each match wrapped in <mark>; "" when nothing matched.

    Pieces are converted one by one, so a mark never splits a converted phrase's output.
    """
    pattern = _pattern(terms)
    if pattern is None or not text:
        return ""
    # match on the Simplified form (so 行動支付 is marked for 行动支付); t2s keeps lengths, mostly
    folded = converter("t2s").convert(text)
    target = folded if len(folded) == len(text) else text
    pieces: list[str] = []
    last = 0
    for start, end in _spans(pattern, target):
        pieces.append(html.escape(render(text[last:start], script)))
        pieces.append(MARK_OPEN + html.escape(render(text[start:end], script)) + MARK_CLOSE)
        last = end
    if not pieces:
        return ""
    pieces.append(html.escape(render(text[last:], script)))
    return "".join(pieces)
