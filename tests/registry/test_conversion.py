"""The Simplified → Traditional converters built with the merged phrases (registry/conversion.py,
registry/segmented.py) write exactly what stock OpenCC writes, and stock OpenCC is used when the
installed package's dictionaries are not the ones the merged file was built from."""

from __future__ import annotations

import random
import shutil
import subprocess
from pathlib import Path

import opencc
import pytest

from registry import conversion
from registry.conversion import BUNDLED, SHARED_CONFIGS, STOCK, merged_converter, merged_usable
from registry.segmented import SEPARATORS, SegmentedConverter
from vocab.loader import bundled_files, read_bundle

needs_merged = pytest.mark.skipif(not merged_usable(), reason="the installed OpenCC's dictionaries are not those of "
                                  "registry/opencc/MANIFEST: rebuild with python -m registry.conversion")


def _keys(name: str, tmp: Path) -> list[str]:
    """Every key of a stock dictionary, dumped with the package's own tool."""
    out = tmp / f"{name}.txt"
    subprocess.run([str(STOCK.parent.parent / "bin" / "opencc_dict"), "-i", str(STOCK / name), "-o", str(out),
                    "-f", "ocd2", "-t", "text"], check=True)
    return [line.split("\t", 1)[0] for line in out.read_text(encoding="utf-8").splitlines() if line]


def _samples(tmp: Path) -> list[str]:
    """Every bundled label, definition and note; every key of the dictionaries the merged file holds and of
    the Taiwan and Hong Kong phrase tables, each alone and run together in random order (so a phrase meets
    the neighbours that change its segmentation); and runs of common words."""
    texts = []
    for concept in read_bundle(bundled_files()).concepts():
        texts += [t.text for t in concept.terms]
        texts += [concept.definition, *concept.notes, *concept.examples]
    keys = [k for name in (*conversion.SOURCES, "TWPhrases.ocd2", "TWVariantsPhrases.ocd2", "HKVariantsPhrases.ocd2")
            for k in _keys(name, tmp)]
    texts += keys
    rng = random.Random(5)
    shuffled = keys[:]
    rng.shuffle(shuffled)
    texts += ["".join(shuffled[i:i + rng.randint(2, 12)]) for i in range(0, len(shuffled), 7)]
    from tests.bench.corpus import dictionary_words
    words = list(dictionary_words()[:20_000])
    texts += ["，".join(rng.sample(words, 6)) + "。" + "".join(rng.sample(words, 5)) for _ in range(4_000)]
    return [t for t in texts if t]


@pytest.mark.slow  # every bundled text and dictionary key: about 10 s
@needs_merged
def test_merged_converters_write_what_stock_opencc_writes(tmp_path):
    samples = _samples(tmp_path)
    assert len(samples) > 60_000
    for config in sorted(SHARED_CONFIGS):
        merged, stock = merged_converter(config), opencc.OpenCC(config)
        assert merged.config != stock.config
        differ = [t for t in samples if merged.convert(t) != stock.convert(t)]
        assert differ == [], (config, differ[:5])
        joined = "\n".join(samples)
        assert merged.convert(joined) == stock.convert(joined)


@needs_merged
def test_the_shared_configs_are_segmented_here():
    for config in SHARED_CONFIGS:
        built = conversion.converter(config)
        assert isinstance(built, SegmentedConverter) and built.config != opencc.OpenCC(config).config
        assert (built.chain is None) == (config == "s2t")  # the regional ones have a further stage


@needs_merged
def test_segments_are_the_longest_phrases_and_the_runs_between():
    s2twp = conversion.converter("s2twp")
    assert isinstance(s2twp, SegmentedConverter)
    assert "".join(s2twp.segments("软件和数字乡村")) == "软件和数字乡村"
    assert s2twp.segments("") == []
    for text in ("软件和数字乡村", "打印机\ue000和\ue001鼠标\ue002\ue003", "\ue000\ue001\ue002\ue003软件"):
        assert s2twp.convert(text) == opencc.OpenCC("s2twp").convert(text)  # the separators in the text too


def test_the_separators_are_in_no_dictionary():
    for config in ("s2t", "s2tw", "s2twp", "s2hk"):
        stock = opencc.OpenCC(config)
        for mark in SEPARATORS:
            assert stock.convert(f"软{mark}件") == stock.convert("软") + mark + stock.convert("件")


def test_other_dictionaries_fall_back_to_stock_opencc(tmp_path, monkeypatch):
    for name in ("MANIFEST", "st_phrases.txt"):
        shutil.copy(BUNDLED / name, tmp_path / name)
    manifest = tmp_path / "MANIFEST"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace("STPhrases.ocd2", "STPhrases.ocd2.old"), encoding="utf-8")
    assert not merged_usable(tmp_path)
    assert not merged_usable(tmp_path / "missing")
    monkeypatch.setattr(conversion, "merged_usable", lambda: False)
    fallback = conversion.converter.__wrapped__("s2twp")
    assert fallback.config == opencc.OpenCC("s2twp").config
    assert fallback.convert("软件和数字乡村") == "軟體和數字鄉村"


def test_a_config_opencc_refuses_falls_back_to_stock_opencc(monkeypatch):
    def refused(config: str):
        raise RuntimeError("not found")

    monkeypatch.setattr(conversion, "merged_converter", refused)
    monkeypatch.setattr(conversion, "merged_usable", lambda: True)
    assert conversion.converter.__wrapped__("s2hk").config == opencc.OpenCC("s2hk").config


# -- the query's conversions: skipped when no key that changes a text can occur in it (registry/text.py)

needs_query_keys = pytest.mark.skipif(conversion.query_patterns() is None, reason="the installed OpenCC's files are "
                                      "not those of registry/opencc/MANIFEST: rebuild with python -m registry.conversion")


@needs_query_keys
def test_each_query_pattern_finds_every_key_of_its_config():
    keys: dict[str, list[str]] = {}
    for line in (BUNDLED / conversion.QUERY_KEYS).read_text(encoding="utf-8").splitlines():
        config, key = line.split("\t")
        keys.setdefault(config, []).append(key)
    assert sorted(keys) == sorted(conversion.QUERY_CONFIGS) and sum(map(len, keys.values())) > 8_000
    patterns = conversion.query_patterns()
    assert patterns is not None
    for config, found in keys.items():
        for key in found:  # a text holding a key holds it whole: found there too
            assert patterns[config].search(key) and patterns[""].search(key), (config, key)
            assert patterns[config].search(f"数字{key}乡村"), (config, key)


def test_an_occurrence_pattern_finds_its_keys_and_texts_without_them_mostly_not():
    pattern = conversion.occurrence_pattern(["軟體", "資訊", "裏", "\U0002f800", "程式設計"])
    for text in ("軟體", "x資訊y", "裏", "a\U0002f800", "程式設計", "程式"):
        assert pattern.search(text), text
    for text in ("软件", "数字乡村", "資", "訊資", "", "ascii"):
        assert not pattern.search(text), text
    assert not conversion.occurrence_pattern([]).search("软件")


@pytest.mark.slow  # every bundled text, dictionary key and value: about 20 s
@needs_query_keys
def test_query_conversions_are_the_three_conversions(tmp_path):
    from registry.text import normalize, query_conversions

    texts = _samples(tmp_path)
    for name in conversion.query_sources():
        if name.endswith(".ocd2"):
            texts += _keys(name, tmp_path)
    rng = random.Random(7)
    texts += [rng.choice(texts) + rng.choice(texts) for _ in range(50_000)]
    converters = [opencc.OpenCC(config) for config in conversion.QUERY_CONFIGS]
    differ, skipped = [], 0
    for text in texts:
        base = normalize(text)
        if base.isascii():
            continue
        expected = tuple(c.convert(base) for c in converters)
        if query_conversions(base) != expected:
            differ.append(base)
        skipped += expected == (base,) * 3 and not conversion.query_patterns()[""].search(base)
    assert differ == []
    assert skipped > 1_000  # the shortcut is taken


def test_other_query_files_fall_back_to_all_three_conversions(tmp_path, monkeypatch):
    for name in ("MANIFEST", conversion.QUERY_KEYS):
        shutil.copy(BUNDLED / name, tmp_path / name)
    manifest = tmp_path / "MANIFEST"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace("TWPhrasesRev.ocd2", "TWPhrasesRev.ocd2.old"),
                        encoding="utf-8")
    assert conversion.query_patterns(tmp_path) is None
    assert conversion.query_patterns(tmp_path / "missing") is None
    from registry import text

    calls = []
    monkeypatch.setattr(text, "query_patterns", lambda: None)
    monkeypatch.setattr(text, "converter", lambda config: calls.append(config) or opencc.OpenCC(config))
    assert text.query_conversions("智慧農業") == ("智慧农业", "智能农业", "智慧农业")
    assert calls == list(conversion.QUERY_CONFIGS)


def test_query_stages_refuse_a_regional_config_of_another_shape(tmp_path):
    for config in conversion.QUERY_CONFIGS:
        shutil.copy(STOCK / f"{config}.json", tmp_path / f"{config}.json")
    stages = conversion.query_stages(tmp_path)
    assert stages["t2s"][0] == "CJK_Compatibility_Ideographs.ocd2" and "TWPhrasesRev.ocd2" in stages["tw2sp"]
    spec = (tmp_path / "hk2s.json").read_text(encoding="utf-8")
    (tmp_path / "hk2s.json").write_text(spec.replace('"mmseg"', '"other"'), encoding="utf-8")
    with pytest.raises(RuntimeError):
        conversion.query_stages(tmp_path)


@pytest.mark.slow  # reads every dictionary with opencc_dict
def test_the_build_writes_the_bundled_files(tmp_path):
    if not (STOCK.parent.parent / "bin" / "opencc_dict").exists() or not merged_usable():
        pytest.skip("no opencc_dict, or other dictionaries than those the bundled files were built from")
    conversion.build(tmp_path)
    for name in ("MANIFEST", "st_phrases.txt", conversion.QUERY_KEYS):
        assert (tmp_path / name).read_bytes() == (BUNDLED / name).read_bytes(), name
