"""Maximum matching over the packed phrase keys (registry/segmented.py): the longest key where one
starts, the characters between two keys kept as one run."""

from __future__ import annotations

import pytest

from registry.segmented import PhraseKeys, SegmentedConverter


def _segments(keys: list[str], text: str) -> list[str]:
    return SegmentedConverter("test", None, PhraseKeys.of(dict.fromkeys(keys, "")), None, None).segments(text)  # type: ignore[arg-type]  # no conversion


def test_the_longest_key_where_one_starts_and_runs_between():
    keys = ["ab", "abc", "abd", "bc", "cdef"]
    assert _segments(keys, "abcx") == ["abc", "x"]
    assert _segments(keys, "abx") == ["ab", "x"]
    assert _segments(keys, "xxbcab") == ["xx", "bc", "ab"]
    assert _segments(keys, "abcdef") == ["abc", "def"]  # leftmost first, not the longer key inside
    assert _segments(keys, "cdeab") == ["cde", "ab"]
    assert _segments(keys, "") == [] and _segments(keys, "a") == ["a"]


def test_keys_are_found_by_the_sorted_table():
    keys = PhraseKeys.of({"软件": "軟件", "软件包": "軟件包", "数字乡村": "數字鄉村", "乡村": "鄉村"})
    assert len(keys) == 4 and keys[0] == sorted(["软件", "软件包", "数字乡村", "乡村"])[0]
    assert keys.value(keys.find("软件包")) == "軟件包" and keys.value(keys.find("乡村")) == "鄉村"
    assert keys.find("软") == keys.find("软件a") == keys.find("乡") == -1
    for wrong in ("软", "软件\n软件", "软件\n数字", "一二三四五六七八九十一二三四五六七八"):  # too short, twice, out of order, too long
        with pytest.raises(ValueError):
            PhraseKeys(wrong)
