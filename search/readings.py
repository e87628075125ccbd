"""pypinyin's single-character dictionary (code point → "reading,reading"), held once and compactly.

pypinyin loads its 42k character readings as a dict of int → str when it is first imported, about
7 MB in every process. Here the same data file is packed into a few arrays (``Readings``, under
1 MB): the code points sorted in one array, searched with ``bisect``, each with the number of its
readings, and the 8.6k distinct readings in one string cut by an array of offsets; a code point of the
Basic Multilingual Plane is found directly, by an array of its readings' numbers indexed by it.

``install`` hands this table to pypinyin in place of its own (``pypinyin.constants.PINYIN_DICT`` is
the object of the module ``pypinyin.pinyin_dict``, which pypinyin imports by name and, with
``PYPINYIN_NO_DICT_COPY``, does not copy), so ``lazy_pinyin`` reads the same readings from the same
file through it; the ``search`` package installs it before pypinyin is imported. Tests compare every
character of the data file and ``lazy_pinyin`` with pypinyin's own dict
(``tests/search/test_readings.py``).
"""

from __future__ import annotations

import json
import sys
from array import array
from bisect import bisect_left
from collections.abc import Iterator, Mapping
from importlib.util import find_spec
from itertools import accumulate
from pathlib import Path
from types import ModuleType

DATA_FILE = "pinyin_dict.json"  # in the pypinyin package: "code point" → "reading,reading"
MODULE = "pypinyin.pinyin_dict"  # the module whose ``pinyin_dict`` pypinyin reads
BMP = 0x10000


def data_path() -> Path:
    """pypinyin's data file, found without importing pypinyin (which would load its own dict)."""
    spec = find_spec("pypinyin")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("pypinyin")
    return Path(next(iter(spec.submodule_search_locations))) / DATA_FILE


class Readings(Mapping[int, str]):
    """Code point → its readings as pypinyin's dict holds them (``"zhōng,zhòng"``), read-only."""

    __slots__ = ("codes", "numbers", "pool", "starts", "bmp")

    def __init__(self, entries: Mapping[int, str]) -> None:
        distinct: dict[str, int] = {}  # readings → their number
        codes = sorted(entries)
        self.codes = array("I", codes)
        self.numbers = array("I", [distinct.setdefault(entries[code], len(distinct)) for code in codes])
        self.pool = "".join(distinct)
        self.starts = array("I", accumulate(map(len, distinct), initial=0))
        # the Basic Multilingual Plane (where nearly every character read is) by code point: the number of
        # its readings + 1, 0 for none (256 KB: a look-up without the bisect)
        self.bmp = array("I", bytes(4 * BMP))
        for code, number in zip(self.codes, self.numbers):
            if code >= BMP:
                break
            self.bmp[code] = number + 1

    @classmethod
    def from_file(cls, path: Path | None = None) -> Readings:
        raw = json.loads((path or data_path()).read_text(encoding="utf-8"))
        return cls({int(code): readings for code, readings in raw.items()})

    def _number(self, code: object) -> int:
        """The number of ``code``'s readings, or -1."""
        if type(code) is int and 0 <= code < BMP:
            return self.bmp[code] - 1
        i = self._at(code)
        return -1 if i < 0 else self.numbers[i]

    def _at(self, code: object) -> int:
        """The position of ``code`` in ``codes``, or -1."""
        if not isinstance(code, int):
            return -1
        i = bisect_left(self.codes, code)
        return i if i < len(self.codes) and self.codes[i] == code else -1

    def _value(self, n: int) -> str:
        return self.pool[self.starts[n] : self.starts[n + 1]]

    def __getitem__(self, code: int) -> str:
        n = self._number(code)
        if n < 0:
            raise KeyError(code)
        return self._value(n)

    def get(self, code: int, default: str | None = None) -> str | None:  # type: ignore[override]  # Mapping.get, without its try/except
        n = self._number(code)
        return default if n < 0 else self._value(n)

    def __contains__(self, code: object) -> bool:
        return self._number(code) >= 0

    def __iter__(self) -> Iterator[int]:
        return iter(self.codes)

    def __len__(self) -> int:
        return len(self.codes)

    def copy(self) -> Readings:
        """Itself: pypinyin copies its dict unless told not to (``PYPINYIN_NO_DICT_COPY``), and this
        one is never changed."""
        return self


READINGS = Readings.from_file()


def install() -> bool:
    """Make ``READINGS`` pypinyin's dictionary of characters, if pypinyin is not imported yet (True);
    once it is, its own dict stays (False), with the same readings."""
    if MODULE in sys.modules or "pypinyin" in sys.modules:
        return False
    module = ModuleType(MODULE, "pypinyin's character readings, packed (search/readings.py)")
    module.pinyin_dict = READINGS  # type: ignore[attr-defined]
    sys.modules[MODULE] = module
    return True
