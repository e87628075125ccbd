"""search/readings.py: pypinyin's character readings packed, read the same as pypinyin's own dict on
every character of its data file, and handed to pypinyin so that ``lazy_pinyin`` answers as before."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from search.readings import READINGS, Readings, data_path


@pytest.fixture(scope="module")
def own() -> dict[int, str]:
    """pypinyin's dict as pypinyin itself builds it from its data file (``pypinyin/pinyin_dict.py``)."""
    return {int(code): readings for code, readings in json.loads(data_path().read_text(encoding="utf-8")).items()}


def test_every_character_reads_as_in_pypinyins_dict(own):
    assert len(own) > 40_000 and len(READINGS) == len(own)
    assert list(READINGS) == sorted(own)
    for code, readings in own.items():
        assert READINGS[code] == readings and READINGS.get(code) == readings and code in READINGS
    assert dict(READINGS.items()) == own


def test_a_character_without_readings_is_not_found(own):
    missing = [code for code in (0, 65, 0x3000, 0x4E00 - 1, 0x10FFFF, max(own) + 1) if code not in own]
    assert missing
    for code in missing:
        assert code not in READINGS and READINGS.get(code) is None and READINGS.get(code, "x") == "x"
        with pytest.raises(KeyError):
            READINGS[code]
    assert "中" not in READINGS and None not in READINGS


def test_a_small_table():
    table = Readings({0x4E2D: "zhōng,zhòng", 0x4E00: "yī", 0x4E01: "yī"})
    assert table[0x4E2D] == "zhōng,zhòng" and table[0x4E00] == table[0x4E01] == "yī"
    assert table.pool.count("yī") == 1  # a reading held once, whichever characters have it
    assert table.copy() is table


PROBE = """
import json, sys
{first}
from pypinyin import Style, pinyin
import pypinyin.constants as constants
from search.readings import data_path
text = "".join(chr(int(code)) for code in json.loads(data_path().read_text(encoding="utf-8")))
text += "abc，中国〇𠀀"
print(json.dumps([type(constants.PINYIN_DICT).__name__, pinyin(text, style=Style.TONE, heteronym=True),
                  pinyin(text, style=Style.NORMAL)]))
"""


def _probe(first: str) -> list:
    out = subprocess.run([sys.executable, "-c", PROBE.format(first=first)], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


@pytest.mark.slow  # runs in CI, not in the fast subset (seconds)
def test_pypinyin_answers_through_the_table_as_with_its_own_dict():
    """The same readings, every heteronym, in pypinyin's own answers on every character it knows: once with
    the table installed (the ``search`` package imported first), once with pypinyin's own dict."""
    packed = _probe("import search")
    plain = _probe("import os; os.environ['PYPINYIN_NO_PHRASES'] = '1'")
    assert packed[0] == "Readings" and plain[0] == "dict"
    assert packed[1] == plain[1] and packed[2] == plain[2]


def test_install_leaves_an_imported_pypinyin_alone():
    code = "import pypinyin, search.readings as r; print(r.install())"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_a_character_beyond_the_basic_plane_is_read_too(own):
    beyond = [code for code in own if code >= 0x10000]
    assert beyond  # pypinyin reads Extension B and later
    for code in beyond[:2000]:
        assert READINGS.get(code) == own[code] and code in READINGS
    assert Readings({0x20000: "hē", 0x4E00: "yī"}).get(0x20000) == "hē"
