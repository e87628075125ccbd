"""OpenCC converters, the Simplified → Traditional ones sharing their phrase dictionary.

OpenCC (1.4) matches a group of several dictionaries through a trie of its own, built from every entry
of the group, for each distinct group; a single ``.ocd2`` dictionary is matched in its marisa trie
directly, and loaded once per process for every converter naming the same file. The stock s2t / s2tw /
s2twp / s2hk configs match the Simplified → Traditional phrases as a *union* group of two files
(segmentation), inside a *short-circuit* group with the characters (conversion): two such tries per
process, most of these converters' memory. ``registry/opencc/`` holds the same entries merged, built
from the installed package's own files by ``python -m registry.conversion`` (which records their
hashes in ``MANIFEST``):

- ``st_phrases.txt``: the keys of union(STPhrases, STPhrases_GeneratedFromRegionalPhrases), one a line, sorted.
  Segmentation only needs the keys (where the longest phrase starts and ends, not what it becomes), and
  they are matched here (``registry/segmented.py``) rather than loaded as a second OpenCC dictionary;
- ``st_all.ocd2`` = short_circuit(that union, STCharacters): the phrases' match when there is one, else
  the characters'. A union group takes the longest match of any member, the first member's entry on a
  tie: the merged file keeps the first member's entry of a key both hold, and its longest match is the
  same; and the short circuit's is the same because every character key is one character and no phrase
  key is (the build refuses otherwise).

s2t is the stock config with the conversion group replaced by ``st_all.ocd2``; s2tw, s2twp and s2hk are
``SegmentedConverter``s: their normalization, the phrases' segments, then their conversion stages with
``st_all.ocd2`` on each segment. When the installed package's source files are not the ones ``MANIFEST``
names (another OpenCC release), the stock configs are used: the output is always stock OpenCC's.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import tempfile
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import opencc

from .segmented import SEPARATORS, PhraseKeys, SegmentedConverter

BUNDLED = Path(__file__).parent / "opencc"
STOCK = Path(opencc.__file__).parent / "clib" / "share" / "opencc"
SHARED_CONFIGS = frozenset({"s2t", "s2tw", "s2twp", "s2hk"})  # the configs whose groups the merged files replace
SEGMENTED_CONFIGS = frozenset({"s2tw", "s2twp", "s2hk"})  # those segmented by the phrases (registry/segmented.py)
MERGED = ("st_phrases.txt", "st_all.ocd2")

_PHRASES = ["STPhrases.ocd2", "STPhrases_GeneratedFromRegionalPhrases.ocd2"]
_CHARACTERS = "STCharacters.ocd2"
SOURCES = (*_PHRASES, _CHARACTERS)


def _leaf(node: dict[str, Any]) -> str | None:
    return node.get("file") if node.get("type") == "ocd2" and set(node) == {"type", "file"} else None


def _group(node: dict[str, Any], policy: str) -> list[dict[str, Any]] | None:
    if node.get("type") != "group" or node.get("match_policy", "short_circuit") != policy:
        return None
    return node.get("dicts")


def _is_phrases(node: dict[str, Any]) -> bool:
    members = _group(node, "union")
    return members is not None and [_leaf(m) for m in members] == _PHRASES


def _is_all(node: dict[str, Any]) -> bool:
    members = _group(node, "short_circuit")
    return members is not None and len(members) == 2 and _is_phrases(members[0]) and _leaf(members[1]) == _CHARACTERS


def rewrite(node: Any, bundled: Path = BUNDLED, stock: Path = STOCK) -> Any:
    """A stock config (or part of one) with the conversion group replaced by ``st_all.ocd2`` and every
    other dictionary file named by its absolute path in the installed package."""
    if isinstance(node, list):
        return [rewrite(item, bundled, stock) for item in node]
    if not isinstance(node, dict):
        return node
    if _is_all(node):
        return {"type": "ocd2", "file": str(bundled / "st_all.ocd2")}
    out = {key: rewrite(value, bundled, stock) for key, value in node.items()}
    if out.get("type") in ("ocd2", "ocd", "text") and isinstance(out.get("file"), str):
        out["file"] = str(stock / out["file"])
    return out


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def manifest(folder: Path = BUNDLED) -> dict[str, str]:
    """File name → sha256, as recorded by the build (sources and merged files)."""
    out = {}
    for line in (folder / "MANIFEST").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            digest, name = line.split(maxsplit=1)
            out[name] = digest
    return out


@cache
def merged_usable(bundled: Path = BUNDLED, stock: Path = STOCK) -> bool:
    """True when the installed package's sources are those the merged files were built from."""
    try:
        recorded = manifest(bundled)
        return all(recorded.get(name) == _sha256(stock / name) for name in SOURCES) and all(
            recorded.get(name) == _sha256(bundled / name) for name in MERGED)
    except OSError:
        return False


def _opencc(spec: dict[str, Any], name: str) -> opencc.OpenCC:
    """A converter of ``spec`` (the config file is read, and every dictionary loaded, while the converter
    is constructed: the temporary copy can go at once)."""
    with tempfile.TemporaryDirectory(prefix="shuyu-opencc-") as folder:
        path = Path(folder) / f"{name}.json"
        path.write_text(json.dumps(spec, ensure_ascii=False), encoding="utf-8")
        return opencc.OpenCC(str(path))


@cache
def _phrases(bundled: Path = BUNDLED) -> PhraseKeys:
    return PhraseKeys.read(bundled / "st_phrases.txt")


def merged_converter(config: str, bundled: Path = BUNDLED, stock: Path = STOCK) -> opencc.OpenCC | SegmentedConverter:
    """``config`` built from its stock file with the merged dictionaries; a ``SegmentedConverter`` for a
    config segmented by the phrases."""
    spec = json.loads((stock / f"{config}.json").read_text(encoding="utf-8"))
    if config not in SEGMENTED_CONFIGS:
        return _opencc(rewrite(spec, bundled, stock), config)
    if not _is_phrases(spec.get("segmentation", {}).get("dict", {})):
        raise RuntimeError(f"{config}: not segmented by the Simplified → Traditional phrases")
    name = spec.get("name", config)
    normalize = _opencc(rewrite({"name": name, "conversion_chain": spec.get("normalization", [])}, bundled, stock), f"{config}-n")
    chain = _opencc(rewrite({"name": name, "conversion_chain": spec["conversion_chain"]}, bundled, stock), f"{config}-c")
    return SegmentedConverter(f"{stock / config}.json (segmented, merged)", normalize, _phrases(bundled), chain)


@lru_cache(maxsize=16)
def converter(config: str) -> opencc.OpenCC | SegmentedConverter:
    """An OpenCC converter by config name (``t2s``, ``tw2sp``, ``s2twp`` ...), built once; its output is
    stock OpenCC's (``tests/registry/test_conversion.py``)."""
    if config in SHARED_CONFIGS and merged_usable():
        try:
            return merged_converter(config)
        except (OSError, RuntimeError):  # no temporary folder, or OpenCC refused the config: stock it is
            pass
    return opencc.OpenCC(config)


# the build: python -m registry.conversion [FOLDER] (FOLDER defaults to registry/opencc)

def _read_text(path: Path) -> list[tuple[str, str]]:
    return [tuple(line.split("\t", 1)) for line in path.read_text(encoding="utf-8").splitlines() if line]  # type: ignore[misc]


def build(folder: Path = BUNDLED, stock: Path = STOCK) -> None:
    """Writes ``st_phrases.txt``, ``st_all.ocd2`` and ``MANIFEST`` into ``folder`` from the installed
    package's dictionaries, with its own ``opencc_dict`` tool (ocd2 → text, merged, text → ocd2)."""
    tool = stock.parent.parent / "bin" / "opencc_dict"
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="shuyu-opencc-build-") as tmp:
        entries = {}
        for name in SOURCES:
            text = Path(tmp) / f"{name}.txt"
            subprocess.run([str(tool), "-i", str(stock / name), "-o", str(text), "-f", "ocd2", "-t", "text"], check=True)
            entries[name] = _read_text(text)
        phrases: dict[str, str] = {}
        for name in _PHRASES:
            for key, values in entries[name]:
                phrases.setdefault(key, values)  # a union group's tie goes to its first member
        characters = entries[_CHARACTERS]
        if any(len(key) != 1 for key, _ in characters) or any(len(key) < 2 for key in phrases):
            raise SystemExit("merging is exact only for one-character keys in STCharacters and longer ones in the phrases")
        if any(mark in key + values for key, values in [*phrases.items(), *characters] for mark in SEPARATORS):
            raise SystemExit("a dictionary holds one of registry/segmented.py's separators")
        (folder / "st_phrases.txt").write_text("".join(f"{key}\n" for key in sorted(phrases)), encoding="utf-8")
        text = Path(tmp) / "st_all.txt"
        text.write_text("".join(f"{key}\t{values}\n" for key, values in [*phrases.items(), *characters]), encoding="utf-8")
        (folder / "st_all.ocd2").unlink(missing_ok=True)
        subprocess.run([str(tool), "-i", str(text), "-o", str(folder / "st_all.ocd2"), "-f", "text", "-t", "ocd2"], check=True)
    lines = [f"# built by python -m registry.conversion from OpenCC {opencc.__version__}'s dictionaries"]
    lines += [f"{_sha256(stock / name)}  {name}" for name in SOURCES]
    lines += [f"{_sha256(folder / name)}  {name}" for name in MERGED]
    (folder / "MANIFEST").write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    build(Path(sys.argv[1]) if len(sys.argv) > 1 else BUNDLED)
