"""Simplified → Traditional converters (s2t, s2tw, s2twp, s2hk) whose segmentation and phrases are done here.

OpenCC segments such a text by the longest Simplified → Traditional phrase at each position (maximum
matching; the characters between two phrases stay one segment), then runs every conversion stage on
each segment alone: the first stage gives a phrase its value (the first one) and a run its characters'.
s2t has no segmentation but the same result: its one stage takes the longest phrase where one starts,
else a character. Loaded as OpenCC dictionaries, the phrase table costs about 5 MB per process for
its keys and as much again with the characters (an Aho–Corasick automaton of the keys alone as much);
here keys and values are two sorted strings with arrays of offsets (``PhraseKeys``), a key found
through two hashed filters and confirmed by ``bisect``, and OpenCC keeps STCharacters and the regional
stages, small.

Segments are handed to OpenCC in one call, joined by a character that no dictionary holds and the text
does not contain (a private-use one): no entry matches across it, it is copied unchanged, and removing
it (or splitting on it) leaves each segment converted alone, as OpenCC would have.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from pathlib import Path

import opencc

PAIRS = 1 << 18  # entries of the table of key lengths by a key's first two characters (512 KB)
LONGEST = 17  # a bit per length from 2 to 17 in that table
KEY_BITS = 1 << 22  # bits of the filter of whole keys (512 KB)
SEPARATORS = ("\ue000", "\ue001", "\ue002", "\ue003")  # private use: in no OpenCC dictionary (tested)


class PhraseKeys:
    """Keys of two characters or more, sorted in one string, and their values in another (``offsets`` and
    ``value_offsets`` where each ends); ``firsts`` their distinct first characters (sorted) and
    ``buckets[i]`` the index of the first key starting with ``firsts[i]``."""

    def __init__(self, lines: str) -> None:
        """From ``key<TAB>value`` lines sorted by key, read as slices and joined every 4,096 keys, so that
        no list of 50,000 strings is left behind in the allocator's arenas."""
        self.offsets = array("I", [0])
        self.value_offsets = array("I", [0])
        self.buckets = array("I")
        firsts: list[str] = []
        values: list[str] = []
        keys: list[str] = []
        # hashed in this process (a filter says maybe or no, and a key is confirmed in the sorted keys):
        # ``lengths`` a bit per length of the keys (bit 0 for two characters) by their first two
        # characters' hash, 0 when none starts so (most positions of a text), ``filter`` a bit by a
        # whole key's hash
        self.lengths = array("H", bytes(2 * PAIRS))
        self.filter = bytearray(KEY_BITS // 8)
        previous = ""
        start = 0
        while start < len(lines):
            stop = lines.find("\n", start)
            stop = len(lines) if stop == -1 else stop
            tab = lines.find("\t", start, stop)
            key, value = (lines[start:stop], "") if tab == -1 else (lines[start:tab], lines[tab + 1:stop])
            start = stop + 1
            if not key:
                continue
            if not 2 <= len(key) <= LONGEST or key <= previous:
                raise ValueError(f"phrase keys must be sorted, distinct and of 2 to {LONGEST} characters: {key!r}")
            if key[0] != previous[:1]:
                firsts.append(key[0])
                self.buckets.append(len(self.offsets) - 1)
            self.offsets.append(self.offsets[-1] + len(key))
            self.value_offsets.append(self.value_offsets[-1] + len(value))
            keys.append(key)  # joined and dropped every 4,096 keys: few strings alive at once
            values.append(value)
            if len(keys) == 4096:
                keys[:] = ["".join(keys)]
                values[:] = ["".join(values)]
            pair = hash(key[:2]) & (PAIRS - 1)
            self.lengths[pair] |= 1 << (len(key) - 2)
            bit = hash(key) & (KEY_BITS - 1)
            self.filter[bit >> 3] |= 1 << (bit & 7)
            previous = key
        self.buckets.append(len(self.offsets) - 1)
        self.firsts = "".join(firsts)
        self.blob = "".join(keys)
        self.values = "".join(values)

    @classmethod
    def of(cls, pairs: dict[str, str]) -> PhraseKeys:
        return cls("".join(f"{key}\t{pairs[key]}\n" for key in sorted(pairs)))

    @classmethod
    def read(cls, path: Path) -> PhraseKeys:
        return cls(path.read_text(encoding="utf-8"))

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def __getitem__(self, index: int) -> str:
        return self.blob[self.offsets[index]:self.offsets[index + 1]]

    def value(self, index: int) -> str:
        return self.values[self.value_offsets[index]:self.value_offsets[index + 1]]

    def find(self, key: str) -> int:
        """The index of ``key`` (the filters' maybe confirmed), -1 when it is not one of the keys."""
        first = bisect_left(self.firsts, key[0])
        if first == len(self.firsts) or self.firsts[first] != key[0]:
            return -1
        index = bisect_left(self, key, self.buckets[first], self.buckets[first + 1])
        return index if index < self.buckets[first + 1] and self[index] == key else -1


class SegmentedConverter:
    """A Simplified → Traditional config: ``normalize`` (its normalization), the phrases' segments, each
    converted by its phrase's value or, a run, by ``characters`` (STCharacters); then ``chain`` (its
    further stages, regional, if any) on each segment. ``config`` names the whole."""

    def __init__(self, config: str, normalize: opencc.OpenCC, phrases: PhraseKeys, characters: opencc.OpenCC,
                 chain: opencc.OpenCC | None) -> None:
        self.config = config
        self.normalize = normalize
        self.phrases = phrases
        self.characters = characters
        self.chain = chain

    def cut(self, text: str) -> list[tuple[str, int]]:
        """``text`` cut as OpenCC's maximum matching cuts it: each longest phrase with its index, and each
        run between two with -1 (the filters read inline: this loop runs once per character)."""
        out = []
        run = at = 0
        end = len(text)
        lengths, keys, find = self.phrases.lengths, self.phrases.filter, self.phrases.find
        while at < end - 1:
            mask = lengths[hash(text[at:at + 2]) & (PAIRS - 1)]
            found = index = 0
            while mask:  # the lengths of the keys that may start here, longest first
                length = mask.bit_length() + 1
                mask ^= 1 << (length - 2)
                if length > end - at:
                    continue
                piece = text[at:at + length]
                bit = hash(piece) & (KEY_BITS - 1)
                if keys[bit >> 3] >> (bit & 7) & 1 and (index := find(piece)) >= 0:
                    found = length
                    break
            if found:
                if run < at:
                    out.append((text[run:at], -1))
                out.append((text[at:at + found], index))
                at += found
                run = at
            else:
                at += 1
        if run < end:
            out.append((text[run:], -1))
        return out

    def segments(self, text: str) -> list[str]:
        return [segment for segment, _ in self.cut(text)]

    def convert(self, text: str) -> str:
        text = self.normalize.convert(text)
        cut = self.cut(text)
        separator = next((s for s in SEPARATORS if s not in text), None)
        if separator is None:  # every separator in the text: a call per segment
            first = [self.characters.convert(s) if i < 0 else self.phrases.value(i) for s, i in cut]
            return "".join(self.chain.convert(s) for s in first) if self.chain else "".join(first)
        runs = iter(self.characters.convert(separator.join(s for s, i in cut if i < 0)).split(separator))
        first = [next(runs) if i < 0 else self.phrases.value(i) for _, i in cut]
        if self.chain is None:
            return "".join(first)
        return self.chain.convert(separator.join(first)).replace(separator, "")
