"""Folding's fast path: ASCII text is left as it is by every OpenCC conversion a query or a label goes
through, because no key of their dictionaries is made of ASCII characters only (OpenCC replaces only
what matches a key, and a key holding any other character cannot match inside ASCII text)."""

from __future__ import annotations

import json
import string
import subprocess
from pathlib import Path

import opencc
import pytest

from registry import text as text_module
from registry.conversion import query_patterns
from registry.text import (converter, fold_many, fold_to_simplified, folded_and_simplified, is_blank, normalize,
                           to_simplified)

CONFIGS = ("t2s", "tw2sp", "hk2s")  # folding (t2s) and the query's forms (search.analysis.QUERY_CONVERSIONS)


def _dictionaries(config: dict) -> set[str]:
    """The ocd2 files a config (or one of its dict groups) names."""
    found: set[str] = set()
    if isinstance(config, dict):
        if config.get("type") == "ocd2":
            found.add(config["file"])
        for value in config.values():
            found |= _dictionaries(value)
    elif isinstance(config, list):
        for value in config:
            found |= _dictionaries(value)
    return found


def test_no_dictionary_key_of_the_query_conversions_is_ascii_only(tmp_path):
    clib = Path(opencc.__file__).parent / "clib"
    tool, share = clib / "bin" / "opencc_dict", clib / "share" / "opencc"
    if not tool.exists():
        pytest.skip("this OpenCC build has no opencc_dict to read its dictionaries with")
    files = set().union(*(_dictionaries(json.loads((share / f"{name}.json").read_text())) for name in CONFIGS))
    keys = 0
    for name in sorted(files):
        out = tmp_path / f"{name}.txt"
        subprocess.run([str(tool), "-i", str(share / name), "-o", str(out), "-f", "ocd2", "-t", "text"], check=True,
                       env={"LD_LIBRARY_PATH": str(clib / "lib64")}, capture_output=True)
        for line in out.read_text(encoding="utf-8").splitlines():
            key = line.split("\t", 1)[0]
            assert not key.isascii(), (name, key)
            keys += 1
    assert keys > 8_000  # every dictionary was read


def test_ascii_text_folds_and_converts_to_itself():
    texts = [string.printable, "shuzixiangcun", "GB/T 43697-2024", "cold-chain logistics", "ABC肝"[:3], "a b\tc"]
    for text in texts:
        for name in CONFIGS:
            assert converter(name).convert(text) == text
        assert fold_to_simplified(text) == converter("t2s").convert(normalize(text))
    assert fold_to_simplified("ＧＢ／Ｔ　１") == "gb/t 1"  # full width folded to ASCII first
    assert fold_to_simplified("數位鄉村") == "数位乡村"


@pytest.mark.parametrize("text", ["數位鄉村", "数字乡村", "ＧＢ／Ｔ　１", "GB/T 43697", "Ｗｉ－Ｆｉ 熱點", "行動  支付",
                                  "DNA 測序", "Ωμέγα 數據", "ǅ字", "冷鏈物流 "])
def test_the_fold_and_the_simplified_text_come_from_one_conversion(text):
    folded, simplified = folded_and_simplified(text)
    assert folded == fold_to_simplified(text)
    assert simplified is None or simplified == converter("t2s").convert(text)
    assert (simplified is None) is (normalize(text) != text or text.isascii())


def test_many_texts_fold_in_one_go_as_each_alone():
    texts = ["數位鄉村", "数字乡村", "ＧＢ／Ｔ　１", "GB/T 43697", "Ｗｉ－Ｆｉ 熱點", "行動 \n 支付", "DNA 測序\n",
             "Ωμέγα 數據", "ǅ字", "冷鏈物流 ", "", "\n", "電\r\n腦", "乾\u2028隆", "軟體\x00開發", "頭髮", "髮"]
    assert fold_many(texts) == [fold_to_simplified(text) for text in texts]
    assert fold_many([]) == []


SIMPLIFIED_CASES = ["數位鄉村", "数字乡村", "乾隆", "头发", "頭髮", "髮", "", "GB/T 43697", "行動 支付", "冷链物流", "程式設計",
                    "软件开发", "\U00020000字", "ǅ字", "裏", "数字里", "台湾", "臺灣", "著名", "干部", "乾燥"]


@pytest.mark.parametrize("text", SIMPLIFIED_CASES)
def test_to_simplified_is_opencc_t2s(text):
    assert to_simplified(text) == converter("t2s").convert(text)


@pytest.mark.skipif(query_patterns() is None, reason="the installed OpenCC's files are not registry/opencc/MANIFEST's")
def test_text_without_a_key_of_t2s_is_not_converted(monkeypatch):
    calls: list[str] = []
    t2s = converter("t2s")
    monkeypatch.setattr(text_module, "converter", lambda config: calls.append(config) or t2s)
    assert to_simplified("数字乡村") == "数字乡村" and calls == []
    assert folded_and_simplified("数字乡村") == ("数字乡村", "数字乡村") and calls == []
    assert to_simplified("數位鄉村") == "数位乡村" and calls == ["t2s"]
    monkeypatch.setattr(text_module, "query_patterns", lambda: None)  # other files: always converted
    assert to_simplified("数字乡村") == "数字乡村" and calls == ["t2s", "t2s"]


# -- blank: what shows a reader nothing (outside9: a comment of zero-width spaces was accepted) -----------
BLANK = ["", " ", "\t\n", "\u3000", "\u00a0", "\u200b", "\u200b\u200c\u200d", "\u2060\ufeff", "\u200e\u200f\u202e",
         "\u00ad", "\u3164", "\u2800", "\ufe0f", "\U000e0041", " \u200b\u3000 "]
NOT_BLANK = ["意", "a", "\u200b意", "意\u200b", "0", "😀", "e\u0301", "·", "—"]


@pytest.mark.parametrize("text", BLANK)
def test_spaces_and_invisible_characters_alone_are_blank(text):
    assert is_blank(text)


@pytest.mark.parametrize("text", NOT_BLANK)
def test_anything_a_reader_sees_is_not_blank(text):
    assert not is_blank(text)
