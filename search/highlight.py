"""Highlights: the parts of a label or definition that matched, marked in the script the user reads."""

from __future__ import annotations

import html
from collections.abc import Sequence
from operator import add

from registry.text import to_simplified

from .analysis import CJK_RUN, bigrams, render

MARK_OPEN, MARK_CLOSE = "<mark>", "</mark>"


def highlight_terms(forms: Sequence[str]) -> tuple[str, ...]:
    """What to mark for a query: its whole forms, then its words, longest first."""
    if len(forms) == 1 and CJK_RUN.fullmatch(forms[0]):  # (most queries) one run of characters, no space:
        form = forms[0]  # itself, then its distinct pairs in order (each shorter than it, if it has any)
        return (form, *sorted(set(map(add, form, form[1:])))) if len(form) > 2 else (form,)
    terms: set[str] = set()
    for form in forms:
        form = form.strip()
        if not form:
            continue
        terms.add(form)
        # the query's bigrams: adjacent ones merge into one mark; a lone character only for itself
        if CJK_RUN.fullmatch(form):  # its bigrams are its pairs of adjacent characters (one: itself)
            terms.update(map(add, form, form[1:]))
        else:
            terms.update(g for g in bigrams(form) if len(g) == 2)
        words = form.split()
        if len(words) > 1:  # one word is the form itself
            terms.update(w for w in words if len(w) >= 2)
    # longest first, then in order (a stable sort by length of the terms in order)
    return tuple(sorted(sorted(terms), key=len, reverse=True))


def prepared(text: str, simplified: str | None = None) -> str:
    """What ``highlight`` finds terms in: ``text`` folded to Simplified (so 行動支付 is marked for 行动支付)
    and lower-cased, each only where it keeps every position (t2s and ``lower`` mostly do). The same for
    every query: a renderer may keep it beside the text rather than fold the text again per answer.
    ``simplified``: OpenCC t2s of ``text`` when the caller has it (``registry.text.folded_and_simplified``);
    else made here, skipped where no key of t2s's occurs (``registry.text.to_simplified``)."""
    folded = to_simplified(text) if simplified is None else simplified
    target = folded if len(folded) == len(text) else text
    lowered = target.lower()
    return lowered if len(lowered) == len(target) else target  # a rare letter moved: exact case only


def _spans(terms: tuple[str, ...], target: str) -> list[tuple[int, int]]:
    """Where any of ``terms`` (lower-cased) occurs in ``target`` (``prepared``), overlapping or touching spans
    merged: 标准 inside 高标准 after 高标 gives one span. Found with ``str.find`` per term, so nothing is
    compiled per query: a regular expression of the terms would be compiled for every new query and every
    label's own marks (what it cost: docs/performance-log.md)."""
    found = []
    for term in terms:
        if not term:
            continue
        start = target.find(term)
        while start != -1:
            found.append((start, start + len(term)))
            start = target.find(term, start + 1)
    found.sort()
    spans: list[tuple[int, int]] = []
    for start, end in found:
        if spans and start <= spans[-1][1]:
            if end > spans[-1][1]:
                spans[-1] = (spans[-1][0], end)
        else:
            spans.append((start, end))
    return spans


def lowered(terms: tuple[str, ...]) -> tuple[str, ...]:
    """``terms`` as ``highlight`` matches them: lower-cased (once per answer, not once per text)."""
    return tuple(term.lower() for term in terms)


def highlight(text: str, terms: tuple[str, ...], script: str = "zh-Hans", target: str | None = None,
              *, terms_lowered: bool = False) -> str:
    """HTML-escaped ``text`` in ``script`` with each match wrapped in <mark>; "" when nothing matched.

    ``target`` is ``prepared(text)`` when the caller keeps it; ``terms_lowered``: ``terms`` went through
    ``lowered`` already. Pieces are converted one by one, so a mark never splits a converted phrase's output.
    """
    if not terms or not text:
        return ""
    spans = _spans(terms if terms_lowered else lowered(terms), prepared(text) if target is None else target)
    if not spans:
        return ""
    pieces: list[str] = []
    last = 0
    for start, end in spans:
        pieces.append(html.escape(render(text[last:start], script)))
        pieces.append(MARK_OPEN + html.escape(render(text[start:end], script)) + MARK_CLOSE)
        last = end
    pieces.append(html.escape(render(text[last:], script)))
    return "".join(pieces)
