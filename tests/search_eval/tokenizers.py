"""A jieba word tokenizer for the t2s-only baseline (module level: whoosh pickles it into the schema)."""

from __future__ import annotations

from search.analysis import segment
from search.index.schema import _SequenceTokenizer


class WordTokenizer(_SequenceTokenizer):
    """jieba search-mode words, one line at a time, positions in order."""

    def pieces(self, value):
        return [word for line in value.split("\n") for word in segment(line)]
