"""Chinese text analysis: folding, query expansion, segmentation, bigrams and pinyin.

Indexed text is folded to Simplified (NFKC + OpenCC t2s). A query is expanded through t2s, tw2sp and
hk2s and matched as any of them: tw2sp alone turns 智慧農業 into 智能农业, t2s alone leaves 數位 as 数位.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable, Iterator
from functools import lru_cache

import jieba
from pypinyin import lazy_pinyin

from registry.text import converter, fold_to_simplified, normalize

jieba.setLogLevel(logging.WARNING)

CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff]")
CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff]+")
WORD = re.compile(r"[\w\u3400-\u4dbf\u4e00-\u9fff]+")
QUERY_CONVERSIONS = ("t2s", "tw2sp", "hk2s")
RENDER_CONVERSIONS = {"zh-Hant": "s2t", "zh-TW": "s2twp", "zh-HK": "s2hk"}

__all__ = [
    "fold_to_simplified",
    "normalize",
    "expand_query",
    "segment",
    "bigrams",
    "pinyin_keys",
    "register_words",
    "render",
]


@lru_cache(maxsize=65536)
def expand_query(text: str) -> tuple[str, ...]:
    """The Simplified forms a query may stand for, most literal first, without duplicates."""
    base = normalize(text)
    forms = [converter(c).convert(base) for c in QUERY_CONVERSIONS]
    return tuple(dict.fromkeys(forms))


_jieba_lock = threading.Lock()
_jieba: jieba.Tokenizer | None = None
_registered: set[str] = set()


def _tokenizer() -> jieba.Tokenizer:
    global _jieba
    with _jieba_lock:
        if _jieba is None:
            tokenizer = jieba.Tokenizer()
            tokenizer.initialize()
            _jieba = tokenizer
        return _jieba


def register_words(words: Iterable[str]) -> None:
    """Add registered labels (folded) to jieba's dictionary so that a registered term is never split."""
    tokenizer = _tokenizer()
    with _jieba_lock:
        for word in words:
            word = fold_to_simplified(word)
            if word not in _registered and CJK.search(word) and len(word) >= 2:
                tokenizer.add_word(word, freq=2_000_000)
                _registered.add(word)
        segment.cache_clear()


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


def bigrams(folded: str) -> Iterator[str]:
    """Every pair of adjacent CJK characters, in order; a lone character stands as itself."""
    for run in CJK_RUN.findall(folded):
        if len(run) == 1:
            yield run
        for i in range(len(run) - 1):
            yield run[i : i + 2]


def chars(folded: str) -> list[str]:
    return CJK.findall(folded)


@lru_cache(maxsize=65536)
def pinyin_keys(folded: str) -> tuple[str, str]:
    """Full pinyin without tones or spaces (``shuzixiangcun``) and initials (``szxc``) of CJK text."""
    syllables = [s for s in lazy_pinyin(folded, errors=lambda chars: list(chars)) if s.strip()]
    full = "".join(s for s in syllables if s.isalnum()).lower()
    initials = "".join(s[0] for s in syllables if s and s[0].isalnum()).lower()
    return full, initials


def render(text: str, script: str) -> str:
    """Simplified text rendered for ``script`` (zh-Hans, zh-Hant, zh-TW, zh-HK) with OpenCC."""
    config = RENDER_CONVERSIONS.get(script)
    return converter(config).convert(text) if config and text else text
