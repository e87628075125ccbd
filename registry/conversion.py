"""OpenCC converters; the Simplified → Traditional ones share their phrases, segmented here.

OpenCC (1.4) matches a group of several dictionaries through a trie of its own, built from every entry
of the group, for each distinct group; a single ``.ocd2`` dictionary is matched in its marisa trie
directly, loaded once per process for every converter naming the same file, at about 100 bytes a key.
The stock s2t / s2tw / s2twp / s2hk configs match the Simplified → Traditional phrases as a *union*
group of two files (segmentation), inside a *short-circuit* group with the characters (conversion).
``registry/opencc/st_phrases.txt`` holds the phrases merged, built from the installed package's own
files by ``python -m registry.conversion`` (which records the hashes in ``MANIFEST``): each key of
union(STPhrases, STPhrases_GeneratedFromRegionalPhrases) and its first value, a line each, sorted. A
union group takes the longest match of any member, the first member's entry on a tie: the merged file
keeps the first member's entry of a key both hold, and its longest match is the same; the short circuit
with the characters takes a phrase's match when there is one, else the character's, because every
character key is one character and no phrase key is (the build refuses otherwise).

These four configs are ``SegmentedConverter``s (``registry/segmented.py``): their normalization, the
phrases' segments, each phrase's value or a run's STCharacters, then their further stages in OpenCC
on each segment. When the installed package's source files are not the ones ``MANIFEST`` names
(another OpenCC release), the stock configs are used: the output is always stock OpenCC's.

A query is read through t2s, tw2sp and hk2s (``search/analysis.py``); ``query_keys.txt`` lists, per
config, the keys of its dictionaries that change what they match (a key whose first value, the one
OpenCC writes, is not itself), built from the same files: a text holding none of t2s's is its own t2s;
tw2sp and hk2s are t2s after a first stage of their own (the same normalization, segmentation and
Traditional → Simplified stage: the build refuses configs shaped otherwise), so a text holding none
of the keys of that first stage and of the normalization converts as t2s does (``registry/text.py``,
``tests/registry/test_text.py``). Used only while the files are those ``MANIFEST`` names.
"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import opencc

from .segmented import SEPARATORS, PhraseKeys, SegmentedConverter

BUNDLED = Path(__file__).parent / "opencc"
STOCK = Path(opencc.__file__).parent / "clib" / "share" / "opencc"
SHARED_CONFIGS = frozenset({"s2t", "s2tw", "s2twp", "s2hk"})  # the configs segmented here (registry/segmented.py)
MERGED = ("st_phrases.txt",)

_PHRASES = ["STPhrases.ocd2", "STPhrases_GeneratedFromRegionalPhrases.ocd2"]
_CHARACTERS = "STCharacters.ocd2"
SOURCES = (*_PHRASES, _CHARACTERS)
QUERY_CONFIGS = ("t2s", "tw2sp", "hk2s")  # a query's conversions (search/analysis.py), the simplest first
QUERY_KEYS = "query_keys.txt"


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
    """A stock config (or part of one) with every dictionary file named by its absolute path in the
    installed package."""
    if isinstance(node, list):
        return [rewrite(item, bundled, stock) for item in node]
    if not isinstance(node, dict):
        return node
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


def merged_converter(config: str, bundled: Path = BUNDLED, stock: Path = STOCK) -> SegmentedConverter:
    """``config`` as a ``SegmentedConverter`` of the merged phrases; RuntimeError when its stock file is
    not shaped as those of OpenCC 1.4 (the phrases, if it segments, then the conversion group first)."""
    spec = json.loads((stock / f"{config}.json").read_text(encoding="utf-8"))
    chain = spec.get("conversion_chain", [])
    if "segmentation" in spec and not _is_phrases(spec["segmentation"].get("dict", {})) or not chain or not _is_all(chain[0].get("dict", {})):
        raise RuntimeError(f"{config}: not the Simplified → Traditional phrases and characters")
    name = spec.get("name", config)
    normalize = _opencc(rewrite({"name": name, "conversion_chain": spec.get("normalization", [])}, bundled, stock), f"{config}-n")
    characters = _opencc({"name": name, "conversion_chain": [{"dict": {"type": "ocd2", "file": str(stock / _CHARACTERS)}}]}, f"{config}-c")
    further = _opencc(rewrite({"name": name, "conversion_chain": chain[1:]}, bundled, stock), f"{config}-f") if chain[1:] else None
    return SegmentedConverter(f"{stock / config}.json (segmented, merged)", normalize, _phrases(bundled), characters, further)


@lru_cache(maxsize=16)
def converter(config: str) -> opencc.OpenCC | SegmentedConverter:
    """An OpenCC converter by config name (``t2s``, ``tw2sp``, ``s2twp`` ...), built once; its output is
    stock OpenCC's (``tests/registry/test_conversion.py``)."""
    if config in SHARED_CONFIGS and merged_usable():
        try:
            return merged_converter(config)
        except (OSError, RuntimeError, ValueError):  # no temporary folder, OpenCC refused the config, or
            # the phrases do not fit registry/segmented.py's table: stock it is
            pass
    return opencc.OpenCC(config)


def _files(node: Any) -> list[str]:
    """The dictionary files a config (or part of one) names, in order."""
    if isinstance(node, list):
        return [name for item in node for name in _files(item)]
    if not isinstance(node, dict):
        return []
    own = [node["file"]] if node.get("type") in ("ocd2", "ocd", "text") and isinstance(node.get("file"), str) else []
    return own + [name for value in node.values() for name in _files(value)]


def query_stages(stock: Path = STOCK) -> dict[str, list[str]]:
    """Per query config, the dictionary files whose keys may change a text it converts otherwise than t2s:
    all of t2s's; the normalization's and the first stage's of tw2sp and hk2s. RuntimeError when tw2sp or
    hk2s is not t2s's normalization and chain behind a first stage of its own, segmented by t2s's phrases."""
    specs = {config: json.loads((stock / f"{config}.json").read_text(encoding="utf-8")) for config in QUERY_CONFIGS}
    base = specs["t2s"]
    chain = base.get("conversion_chain", [])
    group = chain[0].get("dict", {}) if len(chain) == 1 else {}
    phrases = _files(group.get("dicts", [{}])[0]) if group.get("match_policy") == "short_circuit" else []
    if "segmentation" in base or len(phrases) != 1:
        raise RuntimeError("t2s: not one short-circuit group behind the normalization")
    stages = {"t2s": _files(base.get("normalization", [])) + _files(chain)}
    for config in QUERY_CONFIGS[1:]:
        spec = specs[config]
        segmentation = spec.get("segmentation", {})
        if (spec.get("normalization") != base.get("normalization") or spec.get("conversion_chain", [])[1:] != chain
                or segmentation.get("type") != "mmseg" or _files(segmentation) != phrases):
            raise RuntimeError(f"{config}: not a first stage before t2s's chain")
        stages[config] = _files(spec.get("normalization", [])) + _files(spec["conversion_chain"][0])
    return stages


def query_sources(stock: Path = STOCK) -> list[str]:
    """The files the query keys are built from: the configs and their dictionaries."""
    stages = query_stages(stock)
    return [f"{config}.json" for config in QUERY_CONFIGS] + sorted({name for files in stages.values() for name in files})


def occurrence_pattern(keys: Iterable[str]) -> re.Pattern[str]:
    """A regular expression found in every text one of ``keys`` (not empty) occurs in, and in few others:
    a key of one character, or a character that starts a longer key followed by one that is second in
    one (a text it is not found in holds no key: the conversion can be skipped; found, it is made)."""
    keys = set(keys)
    longer = [key for key in keys if len(key) > 1]
    parts = [f"[{_charset(key for key in keys if len(key) == 1)}]",
             f"[{_charset(key[0] for key in longer)}][{_charset(key[1] for key in longer)}]"]
    return re.compile("|".join(part for part in parts if "[]" not in part) or "(?!)")


def _charset(chars: Iterable[str]) -> str:
    """The inside of a character class of ``chars``; any character beyond the BMP stands for all of them
    (the ``re`` module tests those one by one, and a text rarely holds one)."""
    chars = set(chars)
    inside = "".join(re.escape(ch) for ch in sorted(chars) if ord(ch) <= 0xFFFF)
    return inside + ("\U00010000-\U0010ffff" if any(ord(ch) > 0xFFFF for ch in chars) else "")


@cache
def query_patterns(bundled: Path = BUNDLED, stock: Path = STOCK) -> dict[str, re.Pattern[str]] | None:
    """Per query config, ``occurrence_pattern`` of its keys that change a text (``query_stages``), and
    under "" that of all three's keys; None when the installed configs or dictionaries are not those
    ``query_keys.txt`` was built from."""
    try:
        recorded = manifest(bundled)
        names = [*query_sources(stock), QUERY_KEYS]
        if not all(recorded.get(name) == _sha256((bundled if name == QUERY_KEYS else stock) / name) for name in names):
            return None
        keys: dict[str, list[str]] = {config: [] for config in QUERY_CONFIGS}
        for line in (bundled / QUERY_KEYS).read_text(encoding="utf-8").splitlines():
            config, key = line.split("\t")
            keys[config].append(key)
    except (OSError, RuntimeError, ValueError, KeyError):
        return None
    keys[""] = [key for found in keys.values() for key in found]
    return {config: occurrence_pattern(found) for config, found in keys.items()}


# the build: python -m registry.conversion [FOLDER] (FOLDER defaults to registry/opencc)

def _read_text(path: Path) -> list[tuple[str, str]]:
    return [tuple(line.split("\t", 1)) for line in path.read_text(encoding="utf-8").splitlines() if line]  # type: ignore[misc]


def build(folder: Path = BUNDLED, stock: Path = STOCK) -> None:
    """Writes ``st_phrases.txt`` and ``MANIFEST`` into ``folder`` from the installed package's
    dictionaries, read with its own ``opencc_dict`` tool (ocd2 → text)."""
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
        first = {key: values.split(" ")[0] for key, values in phrases.items()}  # OpenCC writes an entry's first value
        (folder / "st_phrases.txt").write_text("".join(f"{key}\t{first[key]}\n" for key in sorted(first)), encoding="utf-8")
        (folder / "st_all.ocd2").unlink(missing_ok=True)  # the earlier merged dictionary, no longer read
        stages = query_stages(stock)
        changing: dict[str, list[str]] = {}  # per dictionary, its keys whose first value is not themselves
        for name in sorted({name for files in stages.values() for name in files}):
            text = Path(tmp) / f"{name}.txt"
            subprocess.run([str(tool), "-i", str(stock / name), "-o", str(text), "-f", "ocd2", "-t", "text"], check=True)
            changing[name] = [key for key, values in _read_text(text) if values.split(" ")[0] != key]
        if any("\t" in key or "\n" in key for keys in changing.values() for key in keys):
            raise SystemExit("a dictionary key holds a tab or a line break")
        (folder / QUERY_KEYS).write_text("".join(
            f"{config}\t{key}\n" for config in QUERY_CONFIGS
            for key in sorted({key for name in stages[config] for key in changing[name]})), encoding="utf-8")
    lines = [f"# built by python -m registry.conversion from OpenCC {opencc.__version__}'s dictionaries"]
    lines += [f"{_sha256(stock / name)}  {name}" for name in SOURCES]
    lines += [f"{_sha256(folder / name)}  {name}" for name in MERGED]
    lines += [f"{_sha256(stock / name)}  {name}" for name in query_sources(stock) if name not in SOURCES]
    lines += [f"{_sha256(folder / QUERY_KEYS)}  {QUERY_KEYS}"]
    (folder / "MANIFEST").write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    build(Path(sys.argv[1]) if len(sys.argv) > 1 else BUNDLED)
