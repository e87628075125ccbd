"""What a language tag means to the registry: the one home of that knowledge.

A term or definition keeps the BCP 47 tag it came with (zh-CN stays zh-CN, en-US stays en-US); this module
answers what such a tag is: Chinese or not, Simplified or Traditional, a Taiwan or Hong Kong label, English.
The registry writes its own Chinese as ``zh-Hans`` and curates regional wording as ``zh-TW`` and ``zh-HK``.
It imports nothing of ours; a test refuses comparisons with literal Chinese tags anywhere else.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

ZH_HANS = "zh-Hans"  # the registry's own Chinese: what an editor writes, folded and searched as Chinese
ZH_HANT = "zh-Hant"  # Traditional without regional wording (shown by conversion, never curated)
ZH_TW = "zh-TW"  # curated Taiwan wording (数字乡村 → 數位鄉村)
ZH_HK = "zh-HK"  # curated Hong Kong (and Macau) wording
EN = "en"
UNDETERMINED = "und"  # BCP 47's tag for text whose language is not known

# The languages the registry shows and edits; other tags are kept and exported as stored-only data.
SHOWN_LANGS = (ZH_HANS, ZH_TW, ZH_HK, EN)
# The script a Chinese text is written in (a checked draft, a regional label set); ShownScript adds
# zh-Hant, Traditional without regional wording, for what a reader asks to see.
Script = Literal["zh-Hans", "zh-TW", "zh-HK"]
ShownScript = Literal["zh-Hans", "zh-Hant", "zh-TW", "zh-HK"]
REGIONAL: tuple[str, ...] = (ZH_TW, ZH_HK)

# primary subtags written in Chinese characters (zh and the ISO 639-3 languages of the zh macrolanguage)
_CHINESE = {"zh", "cmn", "yue", "wuu", "nan", "hak", "gan", "hsn", "cjy", "cpx", "lzh"}
_TRADITIONAL_REGIONS = {"tw", "hk", "mo"}  # a Chinese tag with one of these regions and no script is Traditional
_TRADITIONAL_LANGUAGES = {"yue", "lzh"}  # Cantonese and Classical Chinese: Traditional unless the tag says
# the registry's regional label set a region belongs to (Macau's wording is Hong Kong's, as in OpenCC)
_REGION_SET = {"tw": ZH_TW, "hk": ZH_HK, "mo": ZH_HK}


def subtags(tag: str) -> list[str]:
    """A tag's subtags in lower case (``zh_Hant_TW`` → ``['zh', 'hant', 'tw']``)."""
    return tag.strip().replace("_", "-").lower().split("-")


def bcp47(tag: str) -> str:
    """A language tag in BCP 47's conventional case (``en-us`` → ``en-US``, ``zh-hant-tw`` → ``zh-Hant-TW``);
    from a singleton on (an extension, private use: ``x-shuyu-code``, ``de-u-co-phonebk``) all lower case,
    as RFC 5646 2.1.1 has it."""
    parts = tag.strip().replace("_", "-").split("-")
    out = [parts[0].lower()]
    for i, part in enumerate(parts[1:], 1):
        if len(parts[i - 1]) == 1:  # after a singleton (x, i, u ...): no script or region
            out += [p.lower() for p in parts[i:]]
            break
        out.append(part.title() if len(part) == 4 and part.isalpha() else part.upper() if len(part) == 2 else part.lower())
    return "-".join(out)


def _script_and_region(tag: str) -> tuple[str, str]:
    script = region = ""
    for part in subtags(tag)[1:]:
        if len(part) == 4 and part.isalpha() and not script:
            script = part
        elif (len(part) == 2 and part.isalpha()) or (len(part) == 3 and part.isdigit()):
            region = region or part
    return script, region


@lru_cache(maxsize=4096)  # a registry holds a few dozen distinct tags; asked for every term shown or indexed
def _meaning(tag: str) -> tuple[bool, bool, str | None, bool]:
    """(Chinese, Traditional, the regional label set, English) of a tag."""
    parts = subtags(tag)
    chinese = parts[0] in _CHINESE
    script, region = _script_and_region(tag)
    traditional = chinese and (script == "hant" if script else
                               region in _TRADITIONAL_REGIONS or (not region and parts[0] in _TRADITIONAL_LANGUAGES))
    return chinese, traditional, _REGION_SET.get(region) if traditional else None, parts[0] == "en"


def is_chinese(tag: str) -> bool:
    """Chinese in any script or region: the only language folded and searched as Chinese."""
    return _meaning(tag)[0]


def is_traditional(tag: str) -> bool:
    """A Chinese tag that means Traditional characters: zh-Hant, zh-Hant-*, zh-TW, zh-HK, zh-MO, yue ..."""
    return _meaning(tag)[1]


def is_simplified(tag: str) -> bool:
    """A Chinese tag that means Simplified characters, the registry's own Chinese: zh-Hans, zh-Hans-*, zh,
    zh-CN, zh-SG, cmn-Hans ... A concept's label or definition under any of them is its Chinese one."""
    chinese, traditional, _, _ = _meaning(tag)
    return chinese and not traditional


def regional_set(tag: str) -> str | None:
    """The registry's curated regional label set a Chinese tag belongs to (zh-TW, zh-Hant-TW → zh-TW; zh-HK,
    zh-MO → zh-HK), or None (Simplified, zh-Hant without a region, other languages)."""
    return _meaning(tag)[2]


def is_regional(tag: str, script: str | None = None) -> bool:
    """A Taiwan or Hong Kong label (of ``script``'s region when given)."""
    found = _meaning(tag)[2]
    return found is not None and (script is None or found == script)


def is_english(tag: str) -> bool:
    """English, any region (en, en-US, en-GB ...)."""
    return _meaning(tag)[3]


# Chinese (Mandarin) as such: a concept's Chinese name; the other languages of the zh macrolanguage (Hakka,
# Min Nan, Wu …) are Chinese too, but their label is not the name a reader of the registry knows the concept by
# (Wikidata labels Opole "O-pô-lòi"@hak in romanisation beside "奥波莱"@zh)
_MANDARIN = {"zh", "cmn"}


def lang_key(tag: str) -> tuple[int, str]:
    """The order of languages in a file or a page: the registry's Chinese, other Simplified tags of Chinese
    (Mandarin), Taiwan, Hong Kong, other Chinese tags (and the other Chinese languages: Hakka, Min Nan, Wu …),
    English, English of a region, then the others by tag."""
    if tag == ZH_HANS:
        rank = 0
    elif is_simplified(tag) and subtags(tag)[0] in _MANDARIN:
        rank = 1
    elif is_regional(tag):
        rank = 2 if regional_set(tag) == ZH_TW else 3
    elif is_chinese(tag):
        rank = 4
    elif tag == EN:
        rank = 5
    elif is_english(tag):
        rank = 6
    else:
        rank = 9
    return rank, tag


def shown_script(tag: str) -> str | None:
    """The script a reader who asks for ``tag`` (a browser's Accept-Language) is shown: zh-TW, zh-HK, zh-Hant or
    zh-Hans; None for a tag that is not Chinese."""
    if not is_chinese(tag):
        return None
    return regional_set(tag) or (ZH_HANT if is_traditional(tag) else ZH_HANS)
