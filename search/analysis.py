"""Chinese text analysis: folding, query expansion, bigrams and pinyin (no dictionary segmentation: jieba
is for the evaluation's baselines only, tests/search_eval/tokenizers.py).

Indexed text is folded to Simplified (NFKC + OpenCC t2s). A query is expanded through t2s, tw2sp and
hk2s and matched as any of them: tw2sp alone turns 智慧農業 into 智能农业, t2s alone leaves 數位 as 数位.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import cache, lru_cache
from itertools import product
from operator import add

from pypinyin import Style, lazy_pinyin
from pypinyin.constants import RE_HANS
from pypinyin.style import convert as convert_style

from registry.conversion import QUERY_CONFIGS
from registry.text import converter, fold_to_simplified, normalize, query_conversions

from .phrases import phrase_readings, phrase_syllables
from .phrases import segments as pinyin_segments
from .readings import READINGS

CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff]")
CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff]+")
LATIN_WORD = re.compile(r"[a-z0-9]+")
QUERY_CONVERSIONS = QUERY_CONFIGS  # t2s, tw2sp, hk2s (registry/text.py converts only those a query needs)
RENDER_CONVERSIONS = {"zh-Hant": "s2t", "zh-TW": "s2twp", "zh-HK": "s2hk"}

__all__ = [
    "bigrams",
    "english_words",
    "expand_query",
    "forms_of",
    "fold_to_simplified",
    "marked_pinyin",
    "label_grams",
    "near_synonym_forms",
    "normalize",
    "pinyin_keys",
    "pinyin_query",
    "render",
    "text_tokens",
]


@lru_cache(maxsize=65536)
def expand_query(text: str) -> tuple[str, ...]:
    """The Simplified forms a query may stand for, most literal first, without duplicates (an ASCII
    query, pinyin or English, is its only form: OpenCC converts ASCII text to itself, see ``fold_to_simplified``)."""
    return forms_of(normalize(text))


def forms_of(base: str) -> tuple[str, ...]:
    """``expand_query`` of a text already normalised (``base``), not cached."""
    return (base,) if base.isascii() else tuple(dict.fromkeys(query_conversions(base)))


def bigrams(folded: str) -> list[str]:
    """Every pair of adjacent CJK characters, in order; a lone character stands as itself."""
    if CJK_RUN.fullmatch(folded):  # one run (most labels and queries)
        return [folded] if len(folded) == 1 else list(map(add, folded, folded[1:]))
    out: list[str] = []
    for run in CJK_RUN.findall(folded):
        if len(run) == 1:
            out.append(run)
        else:
            out += map(add, run, run[1:])
    return out


def chars(folded: str) -> list[str]:
    return CJK.findall(folded)


def _keep_unchanged(chars: str) -> list[str]:
    return list(chars)


@cache
def _toneless(marked: str) -> str:
    """A syllable of pypinyin's dictionaries (``lǜ``) in pypinyin's NORMAL style (``lv``): a few
    thousand of them, each converted once by pypinyin itself."""
    return convert_style(marked, Style.NORMAL, True, default=marked)


_INITIALS = ("zh", "ch", "sh", "b", "p", "m", "f", "d", "t", "n", "l", "g", "k", "h", "j", "q", "x", "r", "z",
             "c", "s", "y", "w")


_syllables: dict[str, tuple[str, str]] = {}  # character → (initial, final), filled as characters are met


def syllable(ch: str) -> tuple[str, str]:
    """(initial, final) of a character's first reading without tone (``("x", "iang")``), or (ch, "")."""
    known = _syllables.get(ch)
    if known is not None:
        return known
    found = (ch, "")
    readings = READINGS.get(ord(ch))
    if readings:
        toneless = _toneless(readings.split(",", 1)[0])
        found = ("", toneless)
        for initial in _INITIALS:
            if toneless.startswith(initial) and len(toneless) > len(initial):
                found = (initial, toneless[len(initial) :])
                break
    if len(_syllables) < 65536:
        _syllables[ch] = found
    return found


def _first_readings(segment: str) -> tuple[str, ...] | None:
    """The tone-marked first reading of each character of a segment, as pypinyin's converter reads it
    (the phrase's reading, else each character's), or None when a character has no reading."""
    if not RE_HANS.match(segment):
        return None
    phrase = phrase_readings(segment)
    if phrase is not None:
        return phrase
    readings = [READINGS.get(ord(ch)) for ch in segment]
    if None in readings:
        return None
    return tuple(r.split(",", 1)[0] for r in readings)  # type: ignore[union-attr]


@lru_cache(maxsize=262144)
def _segment_syllables(segment: str) -> tuple[str, ...]:
    """What ``lazy_pinyin(segment)`` gives for one of its segments (a phrase of its dictionary, or
    characters): read from its dictionaries directly, as its converter does (first reading of the
    phrase, else of each character), without the converter's layers, which are most of a first
    query's time; anything else goes through pypinyin. A test compares it with ``lazy_pinyin``."""
    marked = _first_readings(segment)
    if marked is None:
        return tuple(s for s in lazy_pinyin(segment, errors=_keep_unchanged) if s.strip())  # type: ignore[arg-type]
    return tuple(s for s in map(_toneless, marked) if s.strip())


@cache
def _tone_marked(marked: str) -> str:
    return convert_style(marked, Style.TONE, True, default=marked)


def marked_pinyin(text: str) -> list[str]:
    """What ``lazy_pinyin(text, style=Style.TONE)`` gives with pypinyin's phrases (``zhì huì nóng yè``
    as its syllables), read through ``search/phrases.py`` (pypinyin itself runs without its phrases)."""
    out: list[str] = []
    for segment in pinyin_segments(text):
        marked = _first_readings(segment)
        if marked is None:
            out += lazy_pinyin(segment, style=Style.TONE)
        else:
            out += map(_tone_marked, marked)
    return out


@lru_cache(maxsize=65536)
def pinyin_keys(folded: str) -> tuple[str, str]:
    """Full pinyin without tones or spaces (``shuzixiangcun``) and initials (``szxc``) of CJK text.

    pypinyin's own segmentation (the phrases that decide a heteronym's reading) is run once per label,
    and each phrase's syllables are cached: a registry's labels are made of far fewer distinct phrases
    than labels, and converting a phrase is most of pypinyin's cost (the answers are pypinyin's own:
    ``tests/search/test_analysis.py`` compares the two)."""
    syllables = [s for segment in pinyin_segments(folded) for s in _segment_syllables(segment)]
    full = "".join(s for s in syllables if s.isalnum()).lower()
    initials = "".join(s[0] for s in syllables if s and s[0].isalnum()).lower()
    return full, initials


def syllable_ends(folded: str) -> frozenset[int]:
    """Where each syllable of ``pinyin_keys(folded)[0]`` ends, counted in its letters (数字乡村: 3, 5, 10, 13)."""
    ends, at = set(), 0
    for segment in pinyin_segments(folded):
        for s in _segment_syllables(segment):
            at += sum(1 for ch in s if ch.isalnum())
            ends.add(at)
    return frozenset(ends)


POSSIBLE_SOUNDS = 16  # full pinyins a text may have, at most, listed by ``possible_sounds``
_char_sounds: dict[str, tuple[str, ...] | None] = {}  # character → what ``_sounds_of`` gives, filled as met


def _sounds_of(ch: str) -> tuple[str, ...] | None:
    """What a Han character may add to a full pinyin (``pinyin_keys``): its first reading, or any a
    phrase gives it, toneless ("" for a syllable ``pinyin_keys`` leaves out); None without a reading."""
    found = _char_sounds.get(ch, ())
    if found == ():
        readings, phrases = READINGS.get(ord(ch)), phrase_syllables()
        found = None
        if readings and phrases is not None:
            first = readings.partition(",")[0]
            in_phrases = phrases.get(ch)
            marked = (first,) if not in_phrases or in_phrases == {first} else {first, *in_phrases}
            found = tuple(sorted({s.lower() if s.isalnum() else "" for s in map(_toneless, marked)}))
        if len(_char_sounds) < 65536:
            _char_sounds[ch] = found
    return found


def know_sounds(chars: Iterable[str]) -> None:
    """``_sounds_of`` each of ``chars`` now (a snapshot's label characters, as it is prepared), rather than
    at the first query holding it."""
    for ch in chars:
        if ch not in _char_sounds:
            _sounds_of(ch)


def possible_sounds(folded: str) -> list[str] | None:
    """Every full pinyin ``pinyin_keys(folded)[0]`` may be, without cutting ``folded`` into phrases: its
    characters' ``_sounds_of`` in turn. Whatever the cut, each character adds its first reading or its
    reading in a phrase (``_segment_syllables``), one of those listed (``tests/search/test_analysis.py``
    checks it on every label and phrase). None when that does not hold or would list too many: not Han
    characters alone, a character without a reading, more than ``POSSIBLE_SOUNDS``."""
    if not folded or not RE_HANS.fullmatch(folded):
        return None
    options = []
    count = 1
    for ch in folded:
        sounds = _sounds_of(ch)
        if sounds is None:
            return None
        count *= len(sounds)
        if count > POSSIBLE_SOUNDS:
            return None
        options.append(sounds)
    if count == 1:  # (most often: each character one sound)
        return ["".join([sounds[0] for sounds in options])]
    return ["".join(sounds) for sounds in product(*options)]


# Words OpenCC's regional conversions get wrong in this domain, in content and interface alike (a standard or a
# warning is 發布, never 釋出; a policy 文件 is not a computer 檔案, nor a 转型进程 a computer 程序, nor a
# category's or a credit 代码 a program's 程式碼; Taiwan's digital is 數位 (every 数字 of this domain is digital,
# as the curated 數位鄉村 says); a term's 类型 not a programmer's 型別; 並 not 併 in 批准并发布),
# and the one spelling of 台灣 the script selector uses. A concept's own regional name is a curated label, not
# an entry here. Each is written as it should read; the text around it is converted as usual.
_ALL_TRADITIONAL = {"发布": "發布", "并发布": "並發布", "台湾": "台灣"}
OVERRIDES: dict[str, dict[str, str]] = {
    "zh-TW": {**_ALL_TRADITIONAL, "文件": "文件", "程序": "程序", "进程": "進程", "类型": "類型", "代码": "代碼",
              "数字": "數位"},
    "zh-HK": dict(_ALL_TRADITIONAL),
    "zh-Hant": dict(_ALL_TRADITIONAL),
}


@lru_cache(maxsize=8)
def _override_pattern(script: str) -> re.Pattern | None:
    words = OVERRIDES.get(script)
    if not words:
        return None
    return re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)))


def renderers_ready() -> None:
    """Build the converters and patterns that render answers in each script before the first request:
    the first of them reads the phrases they share (about 0.3 s), which the first answer in Traditional
    after a start paid otherwise."""
    for script in RENDER_CONVERSIONS:
        render("数字乡村发布", script)


def render(text: str, script: str) -> str:
    """Simplified text rendered for ``script`` (zh-Hans, zh-Hant, zh-TW, zh-HK) with OpenCC, the words of
    ``OVERRIDES`` as curated: every label, definition, note and interface word a reader sees comes through here."""
    config = RENDER_CONVERSIONS.get(script)
    if not config or not text:
        return text
    convert = converter(config).convert
    pattern = _override_pattern(script)
    if pattern is None or not pattern.search(text):
        return convert(text)
    out, at = [], 0
    for found in pattern.finditer(text):
        if found.start() > at:
            out.append(convert(text[at:found.start()]))
        out.append(OVERRIDES[script][found.group()])
        at = found.end()
    if at < len(text):
        out.append(convert(text[at:]))
    return "".join(out)


def text_tokens(folded: str) -> list[str]:
    """The tokens definitions and notes are indexed by, in order: CJK bigrams (a lone character as
    itself) and Latin words, line by line."""
    if CJK_RUN.fullmatch(folded):  # characters alone (most queries): one run, its bigrams
        return bigrams(folded)
    out: list[str] = []
    for line in folded.split("\n"):
        out += bigrams(line)
        out += LATIN_WORD.findall(line)
    return out


def label_grams(folded: str) -> set[str]:
    """What a label is posted under for search: its CJK bigrams and its single CJK characters."""
    return {*bigrams(folded), *chars(folded)}


EN_STOPWORDS = frozenset("a an and of the for in on to with by or".split())


def stem(word: str) -> str:
    """A light English stem for label words: plural s dropped, cut to six letters (payments → paymen)."""
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        word = word[:-1]
    return word[:6]


def english_words(folded: str) -> tuple[str, ...]:
    """Stemmed Latin words (two characters or more, no stop words) of folded text, once each."""
    return tuple(dict.fromkeys(stem(w) for w in LATIN_WORD.findall(folded) if len(w) >= 2 and w not in EN_STOPWORDS))


TONE_DIGITS = re.compile(r"(?<=[a-zü])[1-5]")
# pinyin: letters, a tone number only after a letter, spaces and apostrophes; one character a step, so a
# long query that is not pinyin is refused in one pass (nested quantifiers took 2^n steps on it)
PINYIN_WITH_TONES = re.compile(r"^[a-zü:](?:[a-zü:\s'’]|(?<=[a-zü:])[1-5])*$")


@lru_cache(maxsize=65536)
def pinyin_query(text: str) -> str:
    """The toneless compact pinyin a query stands for when it is written as pinyin with tone marks
    (zhìhuì), tone numbers (zhi4hui4), ü / v / u: spellings, or pinyin mixed with characters
    (zhihui农业); "" when the query is not such pinyin (plain letters are handled as they are)."""
    if CJK_RUN.fullmatch(text):  # characters only: no letter to read as pinyin
        return ""
    base = normalize(text)
    if base.isascii() and "u:" not in base and TONE_DIGITS.search(base) is None:
        return ""  # plain ASCII (pinyin as typed, English, a code): not marked, toned or mixed with characters
    base = base.replace("u:", "ü")
    decomposed = unicodedata.normalize("NFD", base).replace("u\u0308", "ü")
    plain = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    has_latin = bool(re.search(r"[a-zü]", plain))
    if not has_latin:
        return ""
    marked = plain != base or "ü" in plain
    cjk = bool(CJK.search(plain))
    latin = CJK_RUN.sub(" ", plain)
    toned = bool(TONE_DIGITS.search(latin)) and bool(PINYIN_WITH_TONES.match(latin.strip()))
    if not (marked or toned or cjk):
        return ""
    if not PINYIN_WITH_TONES.match(latin.strip() or "a"):
        return ""  # letters and digits of a code (GB/T 43697), not pinyin
    pieces = []
    for run in re.split(f"({CJK_RUN.pattern})", plain):
        if CJK_RUN.fullmatch(run):
            pieces.append(pinyin_keys(run)[0])
        else:
            pieces.append(TONE_DIGITS.sub("", run))
    compact = re.sub(r"[\s'’:]", "", "".join(pieces)).replace("ü", "v")
    return compact if compact.isascii() and compact.isalnum() else ""


# Near-synonym words a query may use for a registered word, both ways: a variant that differs by
# one such word is matched as the registered form too (ranked as a partial match, not an exact one).
NEAR_SYNONYMS = (("农村", "乡村"), ("数码", "数字"), ("资讯", "信息"), ("监控", "监测"), ("体系", "系统"), ("资料", "数据"))
_SYNONYM_OF = {a: b for a, b in NEAR_SYNONYMS} | {b: a for a, b in NEAR_SYNONYMS}


_SYNONYM_WORD = re.compile("|".join(_SYNONYM_OF))


def near_synonym_forms(form: str) -> tuple[str, ...]:
    """``form`` with one near-synonym word swapped, for each such word it holds."""
    if _SYNONYM_WORD.search(form) is None:  # most forms hold none
        return ()
    return tuple(dict.fromkeys(form.replace(word, other, 1) for word, other in _SYNONYM_OF.items() if word in form))
