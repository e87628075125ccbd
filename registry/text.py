"""Folding of labels, shared by the registry's uniqueness rule and the search read models."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from .conversion import QUERY_CONFIGS, converter, query_patterns

__all__ = ["converter", "fold_many", "is_blank", "visible", "fold_to_simplified", "folded_and_simplified", "normalize", "query_conversions",
           "to_simplified"]

_SPACES = re.compile(r"\s+")
# characters that show nothing though Unicode files them as letters or marks: the Hangul fillers, the blank
# Braille pattern, the combining grapheme joiner; with every space (White_Space), control and format
# character (Cc, Cf: U+200B ZERO WIDTH SPACE, U+2060 WORD JOINER, U+FEFF, the bidi marks, tag characters)
# and the variation selectors, they leave a text blank
_SHOWS_NOTHING = frozenset("\u115f\u1160\u3164\uffa0\u2800\u034f")
_NOTHING_CATEGORIES = frozenset(("Cc", "Cf", "Zs", "Zl", "Zp"))


def _shows_nothing(char: str) -> bool:
    return (char.isspace() or char in _SHOWS_NOTHING or unicodedata.category(char) in _NOTHING_CATEGORIES
            or "\ufe00" <= char <= "\ufe0f" or "\U000e0100" <= char <= "\U000e01ef")


# the characters of the Basic Multilingual Plane that show nothing (``_shows_nothing``), as code point ranges
# (Unicode 14, Python 3.11's; tests/registry/test_blank_ranges.py derives them again): what the API's
# "not blank" patterns are made of, so that its OpenAPI description refuses what ``is_blank`` refuses
BLANK_BMP: tuple[tuple[int, int], ...] = (
    (0x0000, 0x0020), (0x007F, 0x00A0), (0x00AD, 0x00AD), (0x034F, 0x034F), (0x0600, 0x0605), (0x061C, 0x061C),
    (0x06DD, 0x06DD), (0x070F, 0x070F), (0x0890, 0x0891), (0x08E2, 0x08E2), (0x115F, 0x1160), (0x1680, 0x1680),
    (0x180E, 0x180E), (0x2000, 0x200F), (0x2028, 0x202F), (0x205F, 0x2064), (0x2066, 0x206F), (0x2800, 0x2800),
    (0x3000, 0x3000), (0x3164, 0x3164), (0xFE00, 0xFE0F), (0xFEFF, 0xFEFF), (0xFFA0, 0xFFA0), (0xFFF9, 0xFFFB))


def char_class(ranges: Iterable[tuple[int, int]], *, leaving_out: Iterable[tuple[int, int]] = ()) -> str:
    """The inside of a regular expression's ``[...]`` for these code point ranges less ``leaving_out``, in
    ``\\uXXXX`` escapes (read alike by Python's ``re`` and by JSON Schema's ECMA patterns)."""
    cut = {cp for first, last in leaving_out for cp in range(first, last + 1)}
    points = sorted({cp for first, last in ranges for cp in range(first, last + 1)} - cut)
    out: list[str] = []
    start = previous = None
    for cp in [*points, None]:
        if cp is not None and previous is not None and cp == previous + 1:
            previous = cp
            continue
        if start is not None:
            out.append(f"\\u{start:04x}" if start == previous else f"\\u{start:04x}-\\u{previous:04x}")
        start = previous = cp
    return "".join(out)


def not_blank_pattern(refused: tuple[tuple[int, int], ...]) -> str:
    """A regular expression for a text that is not blank (``is_blank``, as far as the Basic Multilingual Plane)
    and holds none of the ``refused`` code points: the blank characters it may start with, then the first that
    shows, then anything not refused. The parts cannot overlap, so it reads any text in one pass."""
    return (f"^[{char_class(BLANK_BMP, leaving_out=refused)}]*[^{char_class((*BLANK_BMP, *refused))}]"
            f"[^{char_class(refused)}]*$")


def visible(text: str) -> str:
    """``text`` without the characters that show nothing but its spaces (数字\u200b乡村 → 数字乡村): what two
    labels are compared by when they must differ to the eye."""
    return "".join(c for c in text if c.isspace() or not _shows_nothing(c))


def is_blank(text: str) -> bool:
    """Whether ``text`` shows a reader nothing: empty, or only spaces and invisible characters (a comment of
    zero-width spaces is as empty as one of spaces). The one test of every text that must not be blank."""
    return all(map(_shows_nothing, text))


def normalize(text: str) -> str:
    """NFKC (full-width → half-width), lower case, one space between words."""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", text)).strip().casefold()


def fold_to_simplified(text: str) -> str:
    """The form labels are compared and indexed in: normalised, then OpenCC t2s (ASCII text is its own:
    no key of OpenCC's dictionaries is ASCII only, ``tests/registry/test_text.py``)."""
    folded = normalize(text)
    return folded if folded.isascii() else converter("t2s").convert(folded)


def fold_many(texts: list[str]) -> list[str]:
    """``[fold_to_simplified(text) for text in texts]``, the texts not ASCII converted by one OpenCC call:
    joined by newlines, which no normalised text holds and no key of OpenCC's dictionaries does, so
    every longest match ends at its text's end (``tests/registry/test_text.py``)."""
    folded = list(map(normalize, texts))
    chinese = [i for i, text in enumerate(folded) if not text.isascii()]
    if chinese:
        converted = converter("t2s").convert("\n".join([folded[i] for i in chinese])).split("\n")
        if len(converted) != len(chinese):  # not expected: each text converted alone
            converted = [converter("t2s").convert(folded[i]) for i in chinese]
        for i, text in zip(chinese, converted):
            folded[i] = text
    return folded


def to_simplified(text: str) -> str:
    """OpenCC t2s of ``text``: ``text`` itself, not converted, when no key of t2s's that changes a text occurs
    in it (``registry.conversion.query_patterns``, as in ``query_conversions``)."""
    patterns = query_patterns()
    if patterns is not None and patterns["t2s"].search(text) is None:
        return text
    return converter("t2s").convert(text)


def folded_and_simplified(text: str) -> tuple[str, str | None]:
    """``fold_to_simplified(text)``, and OpenCC t2s of ``text`` itself when the fold is exactly that
    conversion (``text`` already normalised and not ASCII: one conversion serves both), else None."""
    folded = normalize(text)
    if folded.isascii():
        return folded, None
    simplified = to_simplified(folded)
    return simplified, simplified if folded == text else None


def query_conversions(base: str) -> tuple[str, ...]:
    """OpenCC t2s, tw2sp and hk2s of normalised text (``QUERY_CONFIGS``), each converted only when a key
    that changes text may occur in it (``registry.conversion.query_patterns``): else t2s's is the text
    itself, and tw2sp's or hk2s's is t2s's (most queries need no conversion at all)."""
    patterns = query_patterns()
    if patterns is None:  # not the dictionaries the keys were listed from
        return tuple(converter(config).convert(base) for config in QUERY_CONFIGS)
    if patterns[""].search(base) is None:  # no key of the three's occurs in it
        return (base,) * len(QUERY_CONFIGS)
    simplified = to_simplified(base)
    return (simplified, *(converter(config).convert(base) if patterns[config].search(base) else simplified
                          for config in QUERY_CONFIGS[1:]))
