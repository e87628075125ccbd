"""The index's schema: definitions and notes, and the facets to filter them by.

Analyzers are module-level classes without state, since whoosh pickles them into the stored schema.
"""

from __future__ import annotations

from collections.abc import Iterable

from whoosh.analysis import StemmingAnalyzer, Token, Tokenizer
from whoosh.fields import ID, KEYWORD, TEXT, Schema

from ..analysis import text_tokens


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
