"""A regional Simplified → Traditional converter (s2tw, s2twp, s2hk) whose segmentation is done here.

OpenCC segments such a text by the longest Simplified → Traditional phrase at each position (maximum
matching; the characters between two phrases stay one segment), then runs every conversion stage on
each segment alone. Loaded as a dictionary of its own, the phrase table costs about 5 MB per process
for its keys alone (an Aho–Corasick automaton of them as much); here the keys are one sorted string
with an array of offsets (``PhraseKeys``), found through two hashed filters and confirmed by ``bisect``.

The segments are handed to OpenCC in one call, joined by a character that no dictionary holds and the
text does not contain (a private-use one): no entry matches across it, it is copied unchanged, and
removing it leaves each segment converted alone, as OpenCC would have.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from pathlib import Path

import opencc

PAIRS = 1 << 18  # entries of the table of longest lengths by a key's first two characters (256 KB)
KEY_BITS = 1 << 22  # bits of the filter of whole keys (512 KB)
SEPARATORS = ("\ue000", "\ue001", "\ue002", "\ue003")  # private use: in no OpenCC dictionary (tested)


class PhraseKeys:
    """Keys of two characters or more, sorted in one string; ``firsts`` their distinct first characters
    (sorted) and ``buckets[i]`` the index of the first key starting with ``firsts[i]``."""

    def __init__(self, lines: str) -> None:
        """From the keys one a line, sorted; each read as a slice and dropped at once, so that no list of
        50,000 strings is left behind in the allocator's arenas."""
        self.offsets = array("I", [0])
        self.buckets = array("I")
        firsts: list[str] = []
        # hashed in this process (a filter says maybe or no, and a key is confirmed in the sorted keys):
        # ``lengths`` the longest key by its first two characters' hash, 0 when none starts so (most
        # positions of a text), ``filter`` a bit by a whole key's hash
        self.lengths = bytearray(PAIRS)
        self.filter = bytearray(KEY_BITS // 8)
        previous = ""
        start = 0
        while start < len(lines):
            stop = lines.find("\n", start)
            stop = len(lines) if stop == -1 else stop
            key = lines[start:stop]
            start = stop + 1
            if not key:
                continue
            if not 2 <= len(key) <= 255 or key <= previous:
                raise ValueError(f"phrase keys must be sorted, distinct and of 2 to 255 characters: {key!r}")
            if key[0] != previous[:1]:
                firsts.append(key[0])
                self.buckets.append(len(self.offsets) - 1)
            self.offsets.append(self.offsets[-1] + len(key))
            pair = hash(key[:2]) & (PAIRS - 1)
            self.lengths[pair] = max(self.lengths[pair], len(key))
            bit = hash(key) & (KEY_BITS - 1)
            self.filter[bit >> 3] |= 1 << (bit & 7)
            previous = key
        self.buckets.append(len(self.offsets) - 1)
        self.firsts = "".join(firsts)
        self.blob = lines.replace("\n", "")

    @classmethod
    def of(cls, keys: list[str]) -> PhraseKeys:
        return cls("\n".join(sorted(set(keys))))

    @classmethod
    def read(cls, path: Path) -> PhraseKeys:
        return cls(path.read_text(encoding="utf-8"))

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def __getitem__(self, index: int) -> str:
        return self.blob[self.offsets[index]:self.offsets[index + 1]]

    def holds(self, key: str) -> bool:
        """Whether ``key`` is one of the keys (the filters' maybe confirmed)."""
        first = bisect_left(self.firsts, key[0])
        if first == len(self.firsts) or self.firsts[first] != key[0]:
            return False
        index = bisect_left(self, key, self.buckets[first], self.buckets[first + 1])
        return index < self.buckets[first + 1] and self[index] == key


class SegmentedConverter:
    """``normalize`` (the config's normalization), then the phrases' segments, then ``chain`` (the
    config's conversion stages, without segmentation) on each segment; ``config`` names the whole."""

    def __init__(self, config: str, normalize: opencc.OpenCC, phrases: PhraseKeys, chain: opencc.OpenCC) -> None:
        self.config = config
        self.normalize = normalize
        self.phrases = phrases
        self.chain = chain

    def segments(self, text: str) -> list[str]:
        """``text`` cut as OpenCC's maximum matching cuts it: each longest phrase, and each run between two
        (the filters read inline: this loop runs once per character)."""
        out = []
        run = at = 0
        end = len(text)
        lengths, keys, holds = self.phrases.lengths, self.phrases.filter, self.phrases.holds
        while at < end - 1:
            longest = lengths[hash(text[at:at + 2]) & (PAIRS - 1)]
            found = 0
            for length in range(min(longest, end - at), 1, -1):
                piece = text[at:at + length]
                bit = hash(piece) & (KEY_BITS - 1)
                if keys[bit >> 3] >> (bit & 7) & 1 and holds(piece):
                    found = length
                    break
            if found:
                if run < at:
                    out.append(text[run:at])
                out.append(text[at:at + found])
                at += found
                run = at
            else:
                at += 1
        if run < end:
            out.append(text[run:])
        return out

    def convert(self, text: str) -> str:
        text = self.normalize.convert(text)
        segments = self.segments(text)
        if len(segments) < 2:
            return self.chain.convert(text)
        separator = next((s for s in SEPARATORS if s not in text), None)
        if separator is None:
            return "".join(self.chain.convert(segment) for segment in segments)
        return self.chain.convert(separator.join(segments)).replace(separator, "")
