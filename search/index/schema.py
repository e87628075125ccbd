"""The index's schema: definitions and notes, and the facets to filter them by.

Analyzers are module-level classes without state, since whoosh pickles them into the stored schema.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import Any

from whoosh.analysis import (CompositeAnalyzer, LowercaseFilter, RegexTokenizer, StemFilter, StemmingAnalyzer, StopFilter,
                             Token, Tokenizer)
from whoosh.fields import ID, KEYWORD, TEXT, Schema

from ..analysis import text_tokens

STEMS_KEPT = 50_000  # the stems of a query's English words kept (whoosh's StemFilter keeps as many)


class _SequenceTokenizer(Tokenizer):
    """Yields the strings ``pieces(value)`` returns, numbering positions in order."""

    def pieces(self, value: str) -> Iterable[str]:  # pragma: no cover - overridden
        raise NotImplementedError

    def __call__(self, value, positions=False, chars=False, keeporiginal=False, removestops=True,
                 start_pos=0, start_char=0, tokenize=True, mode="", **kwargs):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        for pos, text in enumerate(self.pieces(value) if tokenize else [value]):
            token.text = text
            token.boost = 1.0
            token.stopped = False
            if keeporiginal:
                token.original = text
            if positions:
                token.pos = start_pos + pos
            if chars:  # offsets are not kept: highlights are computed from the catalog's text
                token.startchar = start_char
                token.endchar = start_char
            yield token


class TextTokenizer(_SequenceTokenizer):
    """CJK character bigrams (a lone character as itself) and Latin words: no dictionary, so the
    tokens of a text never depend on what was registered before, and no segmentation cost."""

    def pieces(self, value: str) -> Iterable[str]:
        return text_tokens(value)


# whoosh pickles the analyzer by its module and name into every index's table of contents: kept as
# the name indexes have always been written with, so an index stays readable by code before and after
# this module existed (the package exports it under that name)
TextTokenizer.__module__ = "search.index"


def make_schema() -> Schema:
    """Definitions and notes, and the facets to filter them by: labels are answered from memory."""
    return Schema(
        id=ID(unique=True, sortable=True),  # a column: reading a hit's id skips the stored-fields record
        kind=ID,
        scheme=ID,
        status=ID,
        grade=ID,
        standard=KEYWORD,
        definition=TEXT(analyzer=TextTokenizer(), phrase=False),
        definition_en=TEXT(analyzer=StemmingAnalyzer(), phrase=False),
    )


def token_texts(analyzer: Any) -> Callable[[str], list[str]]:
    """``[t.text for t in analyzer(text)]``, without whoosh's token object and chain of generators when
    ``analyzer`` is what ``StemmingAnalyzer`` makes (tokens matched by a pattern, lower-cased, stop words
    and words outside the sizes dropped, the rest stemmed): each step as whoosh's own does it, with its
    settings read from the analyzer (``tests/search/test_index_text.py`` compares the two); any other
    analyzer is called as it is."""
    items = getattr(analyzer, "items", None)
    if (type(analyzer) is not CompositeAnalyzer or items is None
            or [type(item) for item in items] != [RegexTokenizer, LowercaseFilter, StopFilter, StemFilter]
            or items[0].gaps or items[3].lang):
        return lambda text: [t.text for t in analyzer(text)]
    pattern, stops, stemmer = items[0].expression, items[2], items[3]
    words, shortest, longest = stops.stops, stops.min, stops.max
    ignore, stem = stemmer.ignore, lru_cache(maxsize=STEMS_KEPT)(stemmer.stemfn)  # a word's stem, kept as whoosh keeps it

    def texts(text: str) -> list[str]:
        out = []
        for match in pattern.finditer(text):
            word = match.group(0).lower()
            if len(word) >= shortest and (longest is None or len(word) <= longest) and word not in words:
                out.append(word if word in ignore else stem(word))
        return out

    return texts
