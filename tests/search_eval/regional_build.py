"""How ``regional_pairs.tsv`` and ``regional_daily_pairs.tsv`` were made (run once, by hand; the
evaluation reads only the TSVs).

    python -m tests.search_eval.regional_build /path/to/OpenCC-checkout > tests/search_eval/regional_pairs.tsv
    python -m tests.search_eval.regional_build --daily /path/to/Chinese-Vocabulary-Radar-checkout \
        > tests/search_eval/regional_daily_pairs.tsv

Source: the regional lexicon of OpenCC (github.com/BYVoid/OpenCC, Apache-2.0), commit 6b56bd1f
("regional lexicon", groverlynn, 2023-07-16): ``data/dictionary/{CN,TW,HK,MO}Vocab{SciTech,Others}.txt``.
The CN files map a regional word (written in Simplified) to the mainland word; the TW, HK and MO files
give each region's own written form (in Traditional). A pair is (region, the regional word as that region
writes it, the mainland word). The toponym files are left out (place names are not terms).

Kept only the hard pairs: the regional word's every query form (OpenCC t2s, tw2sp, hk2s, as search folds a
query) differs from the mainland word, so the query folding alone cannot find it. Left out: words with
Latin letters or digits, mainland words outside 2-8 characters.

Not used, on purpose: g0v ``moedict-data-csld`` (the outside measure of issue 21 uses it; it stays blind).

The second source, daily-life wording: the Taiwan / mainland table of 中國用語雷達 (Chinese Vocabulary Radar,
github.com/aronhack/Chinese-Vocabulary-Radar, commit 5c2f1cf6, ``chrome-extension/taiwan_china_vocabs.json``;
MIT, Copyright (c) 2024 Caris Events, its README releasing the text as CC0): a mainland word (written in
Traditional characters there, folded with t2s here) and the Taiwan words for it, separated by 、 or ，.
Each Taiwan word is a query, kept by the same rules as above (Han characters only, a mainland word of 2-8
characters, no query form equal to it). Where OpenCC's lexicon is mostly science and technology, this
table is daily life and the internet (計程車 / 出租车, 伏地挺身 / 俯卧撑, 部落格 / 博客, 行動電源 / 充电宝);
many of its Taiwan words are another word for the thing, sharing no character (失業 / 下岗).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

COMMIT = "6b56bd1f8f00ed710ba65bcd1336da8f57d5ef6a"
REGIONS = ("TW", "HK", "MO")
KINDS = ("SciTech", "Others")
HAN_ONLY = re.compile(r"^[\u4e00-\u9fff]+$")


def _read(checkout: Path, name: str) -> list[tuple[str, list[str]]]:
    text = subprocess.run(["git", "-C", str(checkout), "show", f"{COMMIT}:data/dictionary/{name}.txt"],
                          check=True, capture_output=True, text=True).stdout
    rows = []
    for line in text.splitlines():
        if "\t" in line:
            key, values = line.split("\t", 1)
            rows.append((key, values.split()))
    return rows


def build(checkout: Path) -> list[tuple[str, str, str, str]]:
    from search.analysis import expand_query
    from registry.text import converter

    t2s = converter("t2s").convert
    mainland: dict[str, str] = {}  # regional word (Simplified) → mainland word (the first one given)
    for kind in KINDS:
        for key, values in _read(checkout, f"CNVocab{kind}"):
            mainland.setdefault(key, values[0])
    pairs: dict[str, tuple[str, str, str, str]] = {}
    for region in REGIONS:
        for kind in KINDS:
            for _, values in _read(checkout, f"{region}Vocab{kind}"):
                for regional in values:
                    target = mainland.get(t2s(regional))
                    if target is None or not HAN_ONLY.match(regional) or not HAN_ONLY.match(target):
                        continue
                    if not 2 <= len(target) <= 8 or target in expand_query(regional):
                        continue
                    if regional in pairs:  # the same written word in two regions: named once, both regions
                        old = pairs[regional]
                        if region not in old[0].split(","):
                            pairs[regional] = (f"{old[0]},{region}", *old[1:])
                        continue
                    pairs[regional] = (region, regional, target, f"{region}Vocab{kind}")
    return sorted(pairs.values(), key=lambda p: (p[2], p[1]))


DAILY_COMMIT = "5c2f1cf6a238cf241ddd284e1fb65f8c631937ec"
DAILY_FILE = "chrome-extension/taiwan_china_vocabs.json"
ALTERNATIVES = re.compile(r"[、，,/；;]")


def build_daily(checkout: Path) -> list[tuple[str, str, str, str]]:
    import json

    from registry.text import converter
    from search.analysis import expand_query

    t2s = converter("t2s").convert
    text = subprocess.run(["git", "-C", str(checkout), "show", f"{DAILY_COMMIT}:{DAILY_FILE}"],
                          check=True, capture_output=True, text=True).stdout
    pairs: dict[str, tuple[str, str, str, str]] = {}
    for row in json.loads(text):
        target = t2s(row["chinese"].strip())
        if not HAN_ONLY.match(target) or not 2 <= len(target) <= 8:
            continue
        for regional in ALTERNATIVES.split(row["taiwanese"]):
            regional = regional.strip()
            if not HAN_ONLY.match(regional) or target in expand_query(regional) or regional in pairs:
                continue
            pairs[regional] = ("TW", regional, target, "taiwan_china_vocabs.json")
    return sorted(pairs.values(), key=lambda p: (p[2], p[1]))


def main_daily(checkout: Path) -> None:
    print("# Real regional word pairs of daily life: region, the Taiwan word, the mainland word, source file.")
    print("# Source: 中國用語雷達 (Chinese Vocabulary Radar), https://github.com/aronhack/Chinese-Vocabulary-Radar commit")
    print(f"#   {DAILY_COMMIT}, {DAILY_FILE}. Licence: MIT (Copyright (c) 2024 Caris Events, LICENSE.txt);")
    print("#   the README releases its text as CC0. Mainland words folded to Simplified with OpenCC t2s.")
    print("# Kept: pairs that OpenCC's t2s / tw2sp / hk2s folding does not turn into the mainland word.")
    print("# Scored per source and together with regional_pairs.tsv (tests/search_eval/regional.py, kinds daily, all).")
    print("# Made by tests/search_eval/regional_build.py --daily. Not from g0v moedict-data-csld (kept blind).")
    print("region\tquery\texpected\tsource")
    for row in build_daily(checkout):
        print("\t".join(row))


def main() -> None:
    if sys.argv[1] == "--daily":
        main_daily(Path(sys.argv[2]))
        return
    checkout = Path(sys.argv[1])
    print("# Real regional word pairs: region(s), the regional word as written there, the mainland word, source file.")
    print(f"# Source: OpenCC regional lexicon, https://github.com/BYVoid/OpenCC commit {COMMIT},")
    print("#   data/dictionary/{CN,TW,HK,MO}Vocab{SciTech,Others}.txt. Licence: Apache-2.0 (OpenCC's LICENSE).")
    print("# Kept: pairs that OpenCC's t2s / tw2sp / hk2s folding does not turn into the mainland word.")
    print("# Also scored as a filtered subset (tests/search_eval/regional.py, kind regional-sharing), the same rule on both")
    print("#   halves: the query in one of its folded forms shares a character outside search.near.COMMON_CHARS with the mainland word.")
    print("# Made by tests/search_eval/regional_build.py. Not from g0v moedict-data-csld (kept blind).")
    print("region\tquery\texpected\tsource")
    for row in build(checkout):
        print("\t".join(row))


if __name__ == "__main__":
    main()
