"""jieba word segmentation for the evaluation's baselines and the generalisation set, and a word tokenizer for
the t2s-only baseline (module level: whoosh pickles it into the schema). jieba is an ``eval`` dependency:
search itself indexes characters and bigrams and never segments."""

from __future__ import annotations

import logging
import re
import threading
from functools import lru_cache

from search.index.schema import _SequenceTokenizer

WORD = re.compile(r"[\w\u3400-\u4dbf\u4e00-\u9fff]+")
_jieba_lock = threading.Lock()
_jieba = None


def _tokenizer():
    """jieba with its bundled dictionary only: segmentation never depends on what was registered
    before. Imported on first use."""
    global _jieba
    with _jieba_lock:
        if _jieba is None:
            import jieba

            jieba.setLogLevel(logging.WARNING)
            tokenizer = jieba.Tokenizer()
            tokenizer.initialize()
            _jieba = tokenizer
        return _jieba


@lru_cache(maxsize=65536)
def segment(folded: str) -> tuple[str, ...]:
    """jieba search-mode words of folded text, in order (sub-words before the whole word)."""
    tokenizer = _tokenizer()
    words = []
    for word in tokenizer.cut_for_search(folded):
        word = word.strip()
        if word and WORD.search(word):
            words.append(word)
    return tuple(words)


class WordTokenizer(_SequenceTokenizer):
    """jieba search-mode words, one line at a time, positions in order."""

    def pieces(self, value):
        return [word for line in value.split("\n") for word in segment(line)]
