"""Finding registered labels in a text: every label of a catalog revision, at offsets into the original text.

Matching is an Aho–Corasick pass (``ahocorasick_rs``, leftmost-longest) with the folded label forms
the catalog holds as keys, over a folded copy of the text and over its Taiwan reading (OpenCC ``tw2sp``, so that 數位鄉村
is found as 数字乡村 without a curated term). The folded copy has exactly one character per original character, so an offset in it
is an offset in the original (see ``fold_aligned`` and docs/drafting.md for the conversions that are not
length-preserving and how they are handled). The automaton is built once per catalog revision. What each
use means (deprecated, non-preferred …) is ``checker.py``'s job.
"""

from __future__ import annotations

import re
import threading
import unicodedata
import weakref
from collections import defaultdict
from collections.abc import Iterable, Sequence
from functools import lru_cache

import ahocorasick_rs
from msgspec import Struct

from registry.model import TYPE_RANK, Term
from registry.text import converter
from search.catalog import Catalog, LabelMatch

REGIONAL_REACH = 12  # characters of context converted on each side of a Traditional character
CLAUSE_BREAK = re.compile(r"[。，；、！？：,.;!?:\s]")


class Posting(Struct, frozen=True):
    """One concept a folded label names, through one of its terms (or an OpenCC regional wording)."""

    id: str
    term: Term


# -- folding, one character for one character ---------------------------------------------------

# Code points whose NFKC or case folding differs from themselves live in these ranges (Latin to CJK
# symbols, CJK compatibility ideographs, half- and full-width forms, mathematical letters, enclosed
# alphanumerics, CJK compatibility supplement); a plain dict over them lets ``str.translate`` fold a
# 100 KB text in C.
_FOLDING_RANGES = ((0x0000, 0x3400), (0xA640, 0xA800), (0xF900, 0x10000), (0x10400, 0x10500),
                   (0x1D400, 0x1D800), (0x1F100, 0x1F300), (0x2F800, 0x2FA20))


def _fold_char(char: str) -> str:
    """NFKC and case folding of one character, kept only when they give exactly one character
    (``㎡`` → ``m2`` would shift every later offset); white space becomes one space."""
    folded = unicodedata.normalize("NFKC", char)
    if len(folded) != 1:
        folded = char
    lower = folded.casefold()
    if len(lower) == 1:
        folded = lower
    return " " if folded.isspace() else folded


@lru_cache(maxsize=1)
def _width_table() -> dict[int, str]:
    table = {}
    for low, high in _FOLDING_RANGES:
        for code in range(low, high):
            char = chr(code)
            folded = _fold_char(char)
            if folded != char:
                table[code] = folded
    return table


def width_fold(text: str) -> str:
    """Width and case folding of ``text``, one character for one."""
    return text.translate(_width_table())


class _CharT2S(dict):
    def __missing__(self, code: int) -> str:
        char = chr(code)
        folded = converter("t2s").convert(char)
        folded = folded if len(folded) == 1 else char
        self[code] = folded
        return folded


_T2S = _CharT2S()


def fold_aligned(text: str, width: str | None = None) -> str:
    """``text`` folded like labels are (width, case, Traditional → Simplified), one character for one
    (``width``: ``width_fold(text)`` when the caller has it already).

    OpenCC converts by phrase; where a line's conversion changes its length, that line is converted
    character by character instead, so offsets still map back one to one.
    """
    width = width_fold(text) if width is None else width
    t2s = converter("t2s")
    simple = t2s.convert(width)
    if len(simple) == len(width):
        return simple
    lines, at = [], 0
    for line in text.split("\n"):  # the lines of the original: width folding made its newlines spaces
        folded_line = width[at:at + len(line)]
        converted = t2s.convert(folded_line)
        lines.append(converted if len(converted) == len(folded_line) else folded_line.translate(_T2S))
        lines.append(width[at + len(line):at + len(line) + 1])
        at += len(line) + 1
    return "".join(lines)


def fold_regional(width: str, folded: str, config: str = "tw2sp") -> str:
    """The width-folded text read as Taiwan wording (OpenCC ``tw2sp``: 數位 → 数字, 軟體 → 软件), one
    character for one, or ``folded`` itself where there is nothing to read differently.

    Taiwan wording comes in Traditional characters, so only the spans around characters that ``t2s``
    changed (``REGIONAL_REACH`` characters either side) are converted: a mainland draft costs nothing.
    Where a conversion changes the length, the span is halved at a clause break and each half converted
    again, down to the clause; a clause whose Taiwan reading still changes length keeps its plain
    reading."""
    spans = _windows(width, folded, REGIONAL_REACH)
    if not spans:
        return folded
    convert = converter(config).convert
    out: list[str] = []

    def convert_span(start: int, end: int) -> None:
        piece = width[start:end]
        converted = convert(piece)
        if len(converted) == len(piece):
            out.append(converted)
            return
        middle = _break_near(width, start, end)
        if middle is None:
            out.append(folded[start:end])
            return
        convert_span(start, middle)
        convert_span(middle, end)

    # every span in one OpenCC call, one span a line (phrases never cross a line); only a span whose
    # conversion changed length is converted again, halved
    pieces = [width[start:end] for start, end in spans]
    together = convert("\n".join(pieces)).split("\n")
    if len(together) != len(pieces):
        together = [convert(piece) for piece in pieces]
    at = 0
    for (start, end), piece, converted in zip(spans, pieces, together):
        out.append(folded[at:start])
        if len(converted) == len(piece):
            out.append(converted)
        else:
            convert_span(start, end)
        at = end
    out.append(folded[at:])
    return "".join(out)


def _break_near(text: str, start: int, end: int) -> int | None:
    """A clause break (after punctuation or a space) nearest the middle of ``text[start:end]``."""
    middle = (start + end) // 2
    after = CLAUSE_BREAK.search(text, middle, end)
    if after and after.end() < end:
        return after.end()
    before = [m.end() for m in CLAUSE_BREAK.finditer(text, start, middle)]
    before = [b for b in before if start < b < end]
    return before[-1] if before else None


# -- the automaton -----------------------------------------------------------------------------

def _is_word_char(char: str) -> bool:
    return char.isascii() and char.isalnum()


class Matcher:
    """An Aho–Corasick automaton over the folded labels of one catalog revision."""

    def __init__(self, postings: Iterable[tuple[str, Sequence[LabelMatch]]], revision: int) -> None:
        self.revision = revision
        table: dict[str, dict[str, Posting]] = defaultdict(dict)  # key → concept id → best posting
        for key, matches in postings:
            for match in matches:
                _keep(table[key], Posting(match.id, match.term))
        # pattern number → (length, begins with a Latin letter or digit, ends with one, ranked postings)
        self.keys: list[str] = [key for key in table if key.strip()]
        self.values = [(len(key), _is_word_char(key[0]), _is_word_char(key[-1]),
                        tuple(sorted(table[key].values(), key=posting_rank))) for key in self.keys]
        self.latin = bytes(value[1] or value[2] for value in self.values)  # must stand as a whole word
        self.longest = max((len(k) for k in self.keys), default=0)
        self.empty = not self.keys
        # leftmost-longest in the library itself; a contiguous NFA keeps a dense table at the root, where a
        # trie with a list of children per node (pyahocorasick) scans thousands of them per character
        self.automaton = None if self.empty else ahocorasick_rs.AhoCorasick(
            self.keys, matchkind=ahocorasick_rs.MatchKind.LeftmostLongest,
            implementation=ahocorasick_rs.Implementation.ContiguousNFA)
        self._every: ahocorasick_rs.AhoCorasick | None = None  # every match, overlapping: see ``_inside``

    def find(self, *readings: str) -> list[tuple[int, int, int, int]]:
        """(start, end, pattern number, reading) of the labels in one or more aligned readings of a text
        (the folded text, its Taiwan reading …): leftmost-longest within a reading, then longest first
        over all readings, the earlier reading on a tie, never overlapping. A label that begins or ends
        with a Latin letter or digit must not sit inside a longer word; where such a match is refused,
        the shorter labels inside it are looked at instead."""
        if self.empty or not readings or not readings[0]:
            return []
        plain = readings[0]
        size = len(plain)
        chosen, overlapping = self._scan(plain, plain, [(0, size)], 0)
        extra: list[tuple[int, int, int, int]] = []
        for number, folded in enumerate(readings[1:], 1):
            if folded != plain:  # only where this reading differs, with room for a label around it
                found, _ = self._scan(folded, plain, _windows(plain, folded, self.longest), number)
                extra.extend(found)
        if not extra and not overlapping:  # leftmost-longest matches never overlap: nothing to choose
            return chosen
        candidates = chosen + extra
        candidates.sort(key=lambda c: (c[0] - c[1], c[0], c[3]))  # longest, leftmost, earlier reading
        taken = bytearray(size)
        result = []
        for candidate in candidates:
            start, end = candidate[0], candidate[1]
            if taken.find(1, start, end) == -1:
                taken[start:end] = b"\x01" * (end - start)
                result.append(candidate)
        result.sort(key=lambda c: c[0])
        return result

    def _scan(self, folded: str, plain: str, windows: Iterable[tuple[int, int]], number: int,
              ) -> tuple[list[tuple[int, int, int, int]], bool]:
        """Candidates (start, end, pattern, reading) in the windows of one reading, and whether some
        may overlap (where a refused Latin match was searched again for shorter labels)."""
        candidates: list[tuple[int, int, int, int]] = []
        overlapping = False
        automaton = self.automaton
        if automaton is None:  # no labels at all
            return candidates, overlapping
        latin = self.latin
        whole = len(folded)
        for window_start, window_end in windows:
            piece = folded if window_start == 0 and window_end == whole else folded[window_start:window_end]
            for pattern, start, end in automaton.find_matches_as_indexes(piece):
                start += window_start
                end += window_start
                if number and folded[start:end] == plain[start:end]:
                    continue  # the same characters as the plain reading: found there already
                if not latin[pattern] or self._fits(folded, start, end - 1, self.values[pattern]):
                    candidates.append((start, end, pattern, number))
                else:
                    overlapping = True
                    candidates.extend((inner_start, inner_end, inner, number)
                                      for inner_start, inner_end, inner in self._inside(folded, start, end)
                                      if self._fits(folded, inner_start, inner_end - 1, self.values[inner]))
        return candidates, overlapping

    def _inside(self, folded: str, start: int, end: int) -> list[tuple[int, int, int]]:
        """(start, end, pattern) of every label, overlapping or not, within ``folded[start:end]`` (where a
        Latin match was refused), from a second automaton that reports every match, built on first need."""
        if self._every is None:
            self._every = ahocorasick_rs.AhoCorasick(self.keys, matchkind=ahocorasick_rs.MatchKind.Standard,
                                                     implementation=ahocorasick_rs.Implementation.ContiguousNFA)
        return [(start + inner_start, start + inner_end, pattern) for pattern, inner_start, inner_end
                in self._every.find_matches_as_indexes(folded[start:end], overlapping=True)]

    @staticmethod
    def _fits(folded: str, start: int, last: int, value: tuple) -> bool:
        if value[1] and start > 0 and _is_word_char(folded[start - 1]):
            return False
        return not (value[2] and last + 1 < len(folded) and _is_word_char(folded[last + 1]))


def _windows(plain: str, other: str, reach: int, block: int = 64) -> list[tuple[int, int]]:
    """Spans of ``other`` around the characters where it differs from ``plain`` (same length), widened by
    ``reach`` on each side and merged. Halves are compared as slices (in C) and only differing halves
    are split further, so a text with few differences costs a few comparisons per difference."""
    differing: list[int] = []

    def split(start: int, end: int) -> None:
        if plain[start:end] == other[start:end]:
            return
        if end - start <= block:
            differing.extend(i for i in range(start, end) if plain[i] != other[i])
            return
        middle = (start + end) // 2
        split(start, middle)
        split(middle, end)

    split(0, len(plain))
    spans: list[tuple[int, int]] = []
    size = len(plain)
    for i in differing:
        start, end = max(0, i - reach), min(size, i + reach + 1)
        if spans and start <= spans[-1][1]:
            spans[-1] = (spans[-1][0], max(spans[-1][1], end))
        else:
            spans.append((start, end))
    return spans


def posting_rank(p: Posting) -> tuple[int, str]:
    """The order in which a label's concepts are offered: by the type of the term that carries it (the
    one term-type rank of registry/model.py), then by id."""
    return (TYPE_RANK.get(p.term.type, 9), p.id)


def _keep(by_concept: dict[str, Posting], posting: Posting) -> None:
    old = by_concept.get(posting.id)
    if old is None or posting_rank(posting) < posting_rank(old):
        by_concept[posting.id] = posting


_matchers: weakref.WeakKeyDictionary[Catalog, Matcher] = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def matcher_for(catalog: Catalog) -> Matcher:
    """The automaton of the catalog's current revision, built on first use after the revision moves."""
    revision = catalog.revision
    matcher = _matchers.get(catalog)
    if matcher is not None and matcher.revision == revision:
        return matcher
    with _lock:
        matcher = _matchers.get(catalog)
        if matcher is None or matcher.revision != revision:
            matcher = Matcher(catalog.label_postings(), revision)
            _matchers[catalog] = matcher
        return matcher


