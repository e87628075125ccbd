"""Highlights: the parts of a label or definition that matched, marked in the script the user reads."""

from __future__ import annotations

import html
from collections.abc import Iterable

from registry.text import converter

from .analysis import CJK_RUN, bigrams, render

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


def _spans(terms: tuple[str, ...], target: str) -> list[tuple[int, int]]:
    """Where any of ``terms`` occurs in ``target`` (ignoring case), overlapping or touching spans merged:
    标准 inside 高标准 after 高标 gives one span. Found with ``str.find`` per term, so nothing is compiled
    per query: a regular expression of the terms would be compiled for every new query and every
    label's own marks (what it cost: docs/performance-log.md)."""
    lowered = target.lower()
    if len(lowered) != len(target):  # lower-casing moved positions (a rare letter): exact case only
        lowered = target
    found = []
    for term in terms:
        term = term.lower()
        if not term:
            continue
        start = lowered.find(term)
        while start != -1:
            found.append((start, start + len(term)))
            start = lowered.find(term, start + 1)
    found.sort()
    spans: list[tuple[int, int]] = []
    for start, end in found:
        if spans and start <= spans[-1][1]:
            if end > spans[-1][1]:
                spans[-1] = (spans[-1][0], end)
        else:
            spans.append((start, end))
    return spans


def highlight(text: str, terms: tuple[str, ...], script: str = "zh-Hans") -> str:
    """HTML-escaped ``text`` in ``script`` with each match wrapped in <mark>; "" when nothing matched.

    Pieces are converted one by one, so a mark never splits a converted phrase's output.
    """
    if not terms or not text:
        return ""
    # match on the Simplified form (so 行動支付 is marked for 行动支付); t2s keeps lengths, mostly
    folded = converter("t2s").convert(text)
    target = folded if len(folded) == len(text) else text
    pieces: list[str] = []
    last = 0
    for start, end in _spans(terms, target):
        pieces.append(html.escape(render(text[last:start], script)))
        pieces.append(MARK_OPEN + html.escape(render(text[start:end], script)) + MARK_CLOSE)
        last = end
    if not pieces:
        return ""
    pieces.append(html.escape(render(text[last:], script)))
    return "".join(pieces)
