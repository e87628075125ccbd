"""A synthetic vocabulary of N concepts built from real Chinese words (jieba's bundled dictionary).

    python -m tests.bench.corpus 10000 /tmp/corpus        # writes /tmp/corpus/bench.toml

The file is an ordinary vocabulary file: it is checked and loaded through the normal import path
(`vocab.loader.read_bundle` + `load_into`, or `shuyu check`). Deterministic for a given N and seed.
"""

from __future__ import annotations

import random
import sys
from functools import lru_cache
from pathlib import Path

import jieba

ENGLISH = ("data digital rural village smart farm platform service system network monitoring quality "
           "resource standard grade public safety chain market supply green water soil crop seed").split()


@lru_cache(maxsize=1)
def dictionary_words() -> tuple[str, ...]:
    """Two- to four-character words of jieba's dictionary, most frequent first."""
    path = Path(jieba.__file__).parent / "dict.txt"
    words = []
    for line in path.read_text(encoding="utf-8").splitlines():
        word, freq, *_ = line.split(" ")
        if 2 <= len(word) <= 4 and all("\u4e00" <= ch <= "\u9fff" for ch in word):
            words.append((int(freq), word))
    words.sort(reverse=True)
    return tuple(w for _, w in words[:60_000])


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def generate(n: int, seed: int = 7) -> str:
    """TOML text of one scheme with ``n`` concepts."""
    rng = random.Random(seed)
    words = dictionary_words()
    common = words[:3000]
    seen: set[str] = set()
    out = ['[scheme]\nid = "bench"\ntitle = "基准测试词表"\nstatus = "draft"\n']
    for i in range(n):
        while True:
            pref = "".join(rng.choice(words) for _ in range(rng.choice((2, 2, 3))))
            if pref not in seen:
                seen.add(pref)
                break
        alts = []
        for _ in range(rng.choice((0, 1, 1, 2))):
            alt = "".join(rng.choice(words) for _ in range(2))
            if alt not in seen:
                seen.add(alt)
                alts.append(alt)
        english = " ".join(rng.choice(ENGLISH) for _ in range(rng.choice((2, 3)))) + f" {i}"
        definition = "以" + "、".join(rng.choice(common) for _ in range(rng.randint(3, 6))) + "为基础" + \
            "".join(rng.choice(common) for _ in range(rng.randint(4, 10))) + "的" + pref[-2:] + "。"
        lines = ["[[concept]]", f'id = "b{i:06d}"', f"pref = {_quote(pref)}"]
        if alts:
            lines.append("alt = [" + ", ".join(map(_quote, alts)) + "]")
        lines += [f"en = {_quote(english)}", f"definition = {_quote(definition)}", f'notation = "B{i:06d}"']
        if i > 10 and rng.random() < 0.6:
            lines.append(f'broader = ["b{rng.randrange(0, i // 10 + 1):06d}"]')
        lines.append(f'sources = [{{ document = "synthetic", locator = "{i}" }}]')
        out.append("\n".join(lines) + "\n")
    return "\n".join(out)


def write(n: int, folder: Path, seed: int = 7) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "bench.toml"
    path.write_text(generate(n, seed), encoding="utf-8")
    return path


if __name__ == "__main__":
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    target = Path(sys.argv[2]) if len(sys.argv) > 2 else Path("bench-corpus")
    print(write(count, target))
