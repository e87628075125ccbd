"""pypinyin's phrase dictionary, held once and compactly: the phrases that decide a heteronym's reading
(银行 háng, 行动 xíng) and how pypinyin cuts text into them.

pypinyin keeps its 47k phrases as a dict of lists of lists of str, about 50 MB in every process, plus a
set of their prefixes for its segmenter. The ``search`` package sets ``PYPINYIN_NO_PHRASES`` (pypinyin's
documented switch, ``search/__init__.py``) so that pypinyin does not load them; they are read here from
pypinyin's own data file, one entry at a time, into one packed table (``_Table``, about 2 MB): every
prefix of a phrase, and for a phrase the first reading of each of its characters.

``segments`` cuts text as pypinyin's ``seg`` does with its phrases (``pypinyin.seg.simpleseg.seg``:
runs of Han characters, each cut by forward maximum matching as ``mmseg.Seg(no_non_phrases=True)``
cuts), so pinyin read through it is what ``lazy_pinyin`` gives with the phrases loaded; tests compare
both on every bundled label and on pypinyin's own phrases (``tests/search/test_analysis.py``).
"""

from __future__ import annotations

import json
from array import array
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from importlib.resources import files

from pypinyin.constants import RE_HANS
from pypinyin.seg.simpleseg import simple_seg

PHRASES_FILE = "phrases_dict.json"  # in the pypinyin package: phrase → readings of each character


def raw_phrases() -> dict[str, list[list[str]]]:
    """pypinyin's phrases as its data file holds them (phrase → the readings of each character)."""
    return json.loads(files("pypinyin").joinpath(PHRASES_FILE).read_text(encoding="utf-8"))


def with_pypinyin_phrases() -> None:
    """Give pypinyin its phrases in this process (its public ``load_phrases_dict``), for code that calls
    ``lazy_pinyin`` itself and wants its full answers: the evaluation's generator, the tests that
    compare this module with pypinyin. Not for a server: that is the memory this module saves."""
    from pypinyin import load_phrases_dict
    from pypinyin.constants import PHRASES_DICT

    if not PHRASES_DICT:
        load_phrases_dict(raw_phrases())


def _entries(text: str) -> Iterator[tuple[str, list[list[str]]]]:
    """The (phrase, readings) pairs of the data file's one JSON object, decoded one pair at a time (the
    whole file decoded at once is 35 MB of small lists and strings, which would leave the process's
    heap cut up around the table kept from it)."""
    decode = json.JSONDecoder().raw_decode
    at = _skip(text, text.index("{") + 1)
    while text[at] != "}":
        key, at = decode(text, at)
        value, at = decode(text, _skip(text, at))
        yield key, value
        at = _skip(text, at)


def _skip(text: str, at: int) -> int:
    """The position of the next JSON token from ``at``, past white space and the separators , and :."""
    while text[at] in " \t\r\n,:":
        at += 1
    return at


class _Table:
    """Every prefix of every phrase, packed: the keys in one string cut by an array of offsets, found
    through an open-addressing table of key positions + 1 (0: empty) indexed by ``hash``, each key with
    the numbers of its readings (none: a prefix that is not itself a phrase). A few arrays rather than
    87k strings and tuples (built in each process, so ``hash`` of a str, not saved, is enough)."""

    __slots__ = ("pool", "starts", "slots", "mask", "offsets", "items", "syllables", "phrase_chars")

    def __init__(self, entries: Iterator[tuple[str, list[list[str]]]]) -> None:
        readings: dict[str, tuple[int, ...]] = {}
        numbers: dict[str, int] = {}  # syllable → its number
        for phrase, of_phrase in entries:
            for end in range(1, len(phrase)):
                readings.setdefault(phrase[:end], ())
            readings[phrase] = tuple([numbers.setdefault(r[0], len(numbers)) for r in of_phrase])
        self.syllables = tuple(numbers)
        self.pool = "".join(readings)
        self.starts = array("I", [0])
        self.offsets = array("I", [0])
        self.items = array("H")
        phrases: list[str] = []
        aligned = True  # every phrase with one reading a character
        for key, run in readings.items():
            self.starts.append(self.starts[-1] + len(key))
            self.items.extend(run)
            self.offsets.append(len(self.items))
            if run:
                phrases.append(key)
                aligned = aligned and len(run) == len(key)
        # the phrases' characters in the order of ``items``, each beside its reading (None if not aligned)
        self.phrase_chars = "".join(phrases) if aligned else None
        # at most a third full: most look-ups of a cut are of a prefix no phrase has, and a miss probes
        # until an empty slot (about five slots at two thirds full, two at a third; 4 bytes a slot)
        size = 1 << (3 * len(readings)).bit_length()
        self.mask = size - 1
        self.slots = array("I", bytes(4 * size))
        for i, key in enumerate(readings):
            at = hash(key) & self.mask
            while self.slots[at]:
                at = (at + 1) & self.mask
            self.slots[at] = i + 1

    def find(self, key: str) -> int:
        """The position of ``key`` (a prefix of a phrase), or -1."""
        slots, mask, pool, starts, size = self.slots, self.mask, self.pool, self.starts, len(key)
        at = hash(key) & mask
        while True:
            i = slots[at] - 1
            if i < 0:
                return -1
            s = starts[i]
            if starts[i + 1] - s == size and pool.startswith(key, s):
                return i
            at = (at + 1) & mask

    def kind(self, key: str) -> bool | None:
        """Whether ``key`` is a phrase (True), only a prefix of one (False), or neither (None)."""
        i = self.find(key)
        return None if i < 0 else self.offsets[i + 1] > self.offsets[i]

    def kinds(self) -> dict[str, bool]:
        """Every key with ``kind``: what ``kind`` answers, as a dict (about 10 MB)."""
        pool, starts, offsets = self.pool, self.starts, self.offsets
        return {pool[starts[i] : starts[i + 1]]: offsets[i + 1] > offsets[i] for i in range(len(starts) - 1)}

    def readings(self, i: int) -> tuple[str, ...]:
        """The readings of the key at ``i``: () for a prefix that is not a phrase."""
        syllables = self.syllables
        return tuple([syllables[n] for n in self.items[self.offsets[i] : self.offsets[i + 1]]])


PHRASES = _Table(_entries(files("pypinyin").joinpath(PHRASES_FILE).read_text(encoding="utf-8")))


@cache
def phrase_syllables() -> dict[str, frozenset[str]] | None:
    """Each character of a phrase → the (tone-marked) readings phrases give it, a few thousand pairs;
    None when a phrase does not have one reading a character (then a reading cannot be told by its
    character). Made once per process (the search service asks for it at start)."""
    if PHRASES.phrase_chars is None:
        return None
    found: dict[str, set[str]] = {}
    for ch, number in set(zip(PHRASES.phrase_chars, PHRASES.items)):
        found.setdefault(ch, set()).add(PHRASES.syllables[number])
    return {ch: frozenset(readings) for ch, readings in found.items()}


_held: list[dict[str, bool]] = []  # ``PHRASES.kinds()`` while a catalog is built (``held_as_dict``)
_UNSEEN = object()
SHORT_KINDS = 65536  # keys of one or two characters whose kind is kept once read, at most
# a cut's look-ups of a character and a bigram, filled as met: facts of the table, which never changes, so
# two threads adding the same key add the same value
_short_kinds: dict[str, bool | None] = {}


@contextmanager
def held_as_dict() -> Iterator[None]:
    """The phrases also held as a dict while the block runs (a catalog build cuts a few hundred
    thousand labels; a dict look-up costs a fraction of ``_Table.find``); dropped after. Cuts are the same."""
    if not _held:
        _held.append(PHRASES.kinds())
    else:
        _held.append(_held[0])
    try:
        yield
    finally:
        _held.pop()


def phrase_readings(text: str) -> tuple[str, ...] | None:
    """The first reading of each character of ``text`` if it is one of pypinyin's phrases, else None."""
    if _short_kinds.get(text, True) is not True:
        return None  # a cut found it is no phrase (a character or bigram: most of a query's segments)
    i = PHRASES.find(text)
    if i < 0:
        return None
    offsets = PHRASES.offsets
    return PHRASES.readings(i) if offsets[i + 1] > offsets[i] else None


def _cut(text: str) -> Iterator[str]:
    """A run of Han characters cut as pypinyin's ``mmseg.Seg(no_non_phrases=True).cut`` cuts it: at each
    point the longest phrase starting there (found while the text read so far is a phrase's prefix),
    else one character; when the whole rest is a prefix of a phrase and holds none, its characters."""
    for held in _held:  # the first, if any (read once: another thread may drop it meanwhile; no
        return _cut_kinds(text, held.get)  # exception raised when there is none, as when serving)
    return _cut_table(text)


def _cut_kinds(text: str, kind: Callable[[str], bool | None]) -> Iterator[str]:
    """``_cut`` through ``kind`` (the dict ``held_as_dict`` holds while a catalog is built)."""
    at, length = 0, len(text)
    while at < length:
        longest = 0  # characters of the longest phrase starting at ``at`` found so far
        end = at + 1
        while end <= length:  # ``text[at:end]`` is a phrase's prefix: look one character further
            is_phrase = kind(text[at:end])
            if is_phrase is None:  # no phrase starts with it: the longest phrase so far, or a character
                break
            if is_phrase:
                longest = end - at
            end += 1
        else:  # the whole rest is a prefix of a phrase
            if not longest:
                yield from text[at:]
                return
        step = longest or 1
        yield text[at : at + step]
        at += step


def _cut_table(text: str) -> Iterator[str]:
    """``_cut`` through the packed table, ``_Table.find`` written out in the loop (a query's pinyin reads
    the table a few times a character); the kind of a key of one or two characters, what most look-ups
    are, is kept in ``_short_kinds`` once read (the table does not change)."""
    slots, mask, pool, starts, offsets = PHRASES.slots, PHRASES.mask, PHRASES.pool, PHRASES.starts, PHRASES.offsets
    short = _short_kinds
    at, length = 0, len(text)
    while at < length:
        longest = 0  # characters of the longest phrase starting at ``at`` found so far
        end = at + 1
        while end <= length:  # ``text[at:end]`` is a phrase's prefix: look one character further
            word, size = text[at:end], end - at
            is_phrase = short.get(word, _UNSEEN) if size <= 2 else _UNSEEN
            if is_phrase is _UNSEEN:
                slot = hash(word) & mask
                while True:
                    i = slots[slot] - 1
                    if i < 0:
                        break
                    s = starts[i]
                    if starts[i + 1] - s == size and pool.startswith(word, s):
                        break
                    slot = (slot + 1) & mask
                is_phrase = None if i < 0 else offsets[i + 1] > offsets[i]
                if size <= 2 and len(short) < SHORT_KINDS:
                    short[word] = is_phrase
            if is_phrase is None:  # no phrase starts with ``word``: the longest phrase so far, or a character
                break
            if is_phrase:  # a phrase, not only a prefix of one
                longest = size
            end += 1
        else:  # the whole rest is a prefix of a phrase
            if not longest:
                yield from text[at:]
                return
        step = longest or 1
        yield text[at : at + step]
        at += step


def segments(text: str) -> list[str]:
    """``text`` cut as pypinyin's ``seg`` cuts it with its phrases: Han runs into phrases and characters,
    anything else left as its runs."""
    if RE_HANS.fullmatch(text):  # Han characters only: one run (what ``simple_seg`` finds a character at a time)
        return list(_cut(text))
    out: list[str] = []
    for run in simple_seg(text):
        if RE_HANS.match(run):
            out.extend(_cut(run))
        else:
            out.append(run)
    return out
