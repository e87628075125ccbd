"""The term checker: every registered label in a draft, with offsets into the original text, and what
is wrong with each use (deprecated, non-preferred, regional, written in the other script, inconsistent).

Matching is an Aho–Corasick pass (``ahocorasick_rs``, leftmost-longest) with the folded label forms
the catalog holds as keys, over a folded copy of the text and over its Taiwan reading (OpenCC ``tw2sp``, so that 數位鄉村
is found as 数字乡村 without a curated term). The folded copy has exactly one character per original character, so an offset in it
is an offset in the original (see ``fold_aligned`` and docs/drafting.md for the conversions that are not
length-preserving and how they are handled). The automaton is built once per catalog revision.
"""

from __future__ import annotations

import re
import threading
import unicodedata
import weakref
from functools import lru_cache
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import NamedTuple

import ahocorasick_rs
from msgspec import Struct

from registry.errors import InvalidInput
from registry.model import TYPE_RANK, ConceptVersion, Term, is_chinese
from registry.text import converter, fold_to_simplified

MAX_TEXT_BYTES = 1_048_576  # the bound of a checked text, in UTF-8 bytes (documented in docs/drafting.md)
REGIONAL_CONVERSIONS = {"zh-TW": "s2twp", "zh-HK": "s2hk"}
REGIONAL_REACH = 12  # characters of context converted on each side of a Traditional character
CLAUSE_BREAK = re.compile(r"[。，；、！？：,.;!?:\s]")
PROBLEM_KINDS = ("deprecated", "non_preferred", "regional", "script", "inconsistent")


class Posting(Struct, frozen=True):
    """One concept a folded label names, through one of its terms (or an OpenCC regional wording)."""

    id: str
    term: Term


class Found(Struct, kw_only=True, gc=False):  # untracked: thousands per check, no cycles
    """A registered label found in the text: ``text[start:end]`` as written."""

    start: int
    end: int
    text: str
    concept: str
    preferred: str  # the concept's preferred term (Simplified)
    use: str  # the term to use in the checked script
    form: str  # preferred / admitted / abbreviation / hidden / deprecated / regional
    lang: str
    english: bool
    others: tuple[str, ...]  # further concepts the same label names


class TermSpan(Struct, frozen=True, gc=False):
    start: int
    end: int


class TermProblem(Struct, kw_only=True, gc=False):
    kind: str  # one of PROBLEM_KINDS
    start: int
    end: int
    text: str
    concept: str
    message: str
    fix: str  # what to write instead
    occurrences: list[TermSpan] = []  # for ``inconsistent``: every use of the concept


class CheckResult(Struct, kw_only=True):
    script: str
    revision: int
    length: int  # characters (Unicode code points) in the text; offsets count the same way
    matches: list[Found]
    problems: list[TermProblem]
    summary: dict[str, int]

    @property
    def ok(self) -> bool:
        return not self.problems


# -- folding, one character for one character ---------------------------------------------------

# Code points whose NFKC or case folding differs from themselves live in these ranges (Latin to CJK
# symbols, CJK compatibility ideographs, half- and full-width forms, mathematical letters, enclosed
# alphanumerics, CJK compatibility supplement); a plain dict over them lets ``str.translate`` fold a
# 100 KB text in C.
_FOLDING_RANGES = ((0x0000, 0x3400), (0xA640, 0xA800), (0xF900, 0x10000), (0x10400, 0x10500),
                   (0x1D400, 0x1D800), (0x1F100, 0x1F300), (0x2F800, 0x2FA20))


def _fold_char(char: str) -> str:
    """NFKC and case folding of one character, kept only when they give exactly one character
    (``㎡`` → ``m2`` would shift every later offset); white space becomes one space."""
    folded = unicodedata.normalize("NFKC", char)
    if len(folded) != 1:
        folded = char
    lower = folded.casefold()
    if len(lower) == 1:
        folded = lower
    return " " if folded.isspace() else folded


@lru_cache(maxsize=1)
def _width_table() -> dict[int, str]:
    table = {}
    for low, high in _FOLDING_RANGES:
        for code in range(low, high):
            char = chr(code)
            folded = _fold_char(char)
            if folded != char:
                table[code] = folded
    return table


def width_fold(text: str) -> str:
    """Width and case folding of ``text``, one character for one."""
    return text.translate(_width_table())


class _CharT2S(dict):
    def __missing__(self, code: int) -> str:
        char = chr(code)
        folded = converter("t2s").convert(char)
        folded = folded if len(folded) == 1 else char
        self[code] = folded
        return folded


_T2S = _CharT2S()


def fold_aligned(text: str, width: str | None = None) -> str:
    """``text`` folded like labels are (width, case, Traditional → Simplified), one character for one
    (``width``: ``width_fold(text)`` when the caller has it already).

    OpenCC converts by phrase; where a line's conversion changes its length, that line is converted
    character by character instead, so offsets still map back one to one.
    """
    width = width_fold(text) if width is None else width
    t2s = converter("t2s")
    simple = t2s.convert(width)
    if len(simple) == len(width):
        return simple
    lines, at = [], 0
    for line in text.split("\n"):  # the lines of the original: width folding made its newlines spaces
        folded_line = width[at:at + len(line)]
        converted = t2s.convert(folded_line)
        lines.append(converted if len(converted) == len(folded_line) else folded_line.translate(_T2S))
        lines.append(width[at + len(line):at + len(line) + 1])
        at += len(line) + 1
    return "".join(lines)


def fold_regional(width: str, folded: str, config: str = "tw2sp") -> str:
    """The width-folded text read as Taiwan wording (OpenCC ``tw2sp``: 數位 → 数字, 軟體 → 软件), one
    character for one, or ``folded`` itself where there is nothing to read differently.

    Taiwan wording comes in Traditional characters, so only the spans around characters that ``t2s``
    changed (``REGIONAL_REACH`` characters either side) are converted: a mainland draft costs nothing.
    Where a conversion changes the length, the span is halved at a clause break and each half converted
    again, down to the clause; a clause whose Taiwan reading still changes length keeps its plain
    reading."""
    spans = _windows(width, folded, REGIONAL_REACH)
    if not spans:
        return folded
    convert = converter(config).convert
    out: list[str] = []

    def convert_span(start: int, end: int) -> None:
        piece = width[start:end]
        converted = convert(piece)
        if len(converted) == len(piece):
            out.append(converted)
            return
        middle = _break_near(width, start, end)
        if middle is None:
            out.append(folded[start:end])
            return
        convert_span(start, middle)
        convert_span(middle, end)

    # every span in one OpenCC call, one span a line (phrases never cross a line); only a span whose
    # conversion changed length is converted again, halved
    pieces = [width[start:end] for start, end in spans]
    together = convert("\n".join(pieces)).split("\n")
    if len(together) != len(pieces):
        together = [convert(piece) for piece in pieces]
    at = 0
    for (start, end), piece, converted in zip(spans, pieces, together):
        out.append(folded[at:start])
        if len(converted) == len(piece):
            out.append(converted)
        else:
            convert_span(start, end)
        at = end
    out.append(folded[at:])
    return "".join(out)


def _break_near(text: str, start: int, end: int) -> int | None:
    """A clause break (after punctuation or a space) nearest the middle of ``text[start:end]``."""
    middle = (start + end) // 2
    after = CLAUSE_BREAK.search(text, middle, end)
    if after and after.end() < end:
        return after.end()
    before = [m.end() for m in CLAUSE_BREAK.finditer(text, start, middle)]
    before = [b for b in before if start < b < end]
    return before[-1] if before else None


# -- the automaton -----------------------------------------------------------------------------

def _is_word_char(char: str) -> bool:
    return char.isascii() and char.isalnum()


class Matcher:
    """An Aho–Corasick automaton over the folded labels of one catalog revision."""

    def __init__(self, postings: Iterable[tuple[str, Sequence]], revision: int) -> None:
        self.revision = revision
        table: dict[str, dict[str, Posting]] = defaultdict(dict)  # key → concept id → best posting
        for key, matches in postings:
            for match in matches:
                _keep(table[key], Posting(match.id, match.term))
        # pattern number → (length, begins with a Latin letter or digit, ends with one, ranked postings)
        self.keys: list[str] = [key for key in table if key.strip()]
        self.values = [(len(key), _is_word_char(key[0]), _is_word_char(key[-1]),
                        tuple(sorted(table[key].values(), key=_posting_rank))) for key in self.keys]
        self.latin = bytes(value[1] or value[2] for value in self.values)  # must stand as a whole word
        self.longest = max((len(k) for k in self.keys), default=0)
        self._memos: dict[str, _Memo] = {}  # per script, filled by ``check``
        self.empty = not self.keys
        # leftmost-longest in the library itself; a contiguous NFA keeps a dense table at the root, where a
        # trie with a list of children per node (pyahocorasick) scans thousands of them per character
        self.automaton = None if self.empty else ahocorasick_rs.AhoCorasick(
            self.keys, matchkind=ahocorasick_rs.MatchKind.LeftmostLongest,
            implementation=ahocorasick_rs.Implementation.ContiguousNFA)
        self._every: ahocorasick_rs.AhoCorasick | None = None  # every match, overlapping: see ``_inside``

    def memo(self, script: str) -> _Memo:
        """What labels and ways of writing them say in a ``script`` text, as ``check`` finds out."""
        memo = self._memos.get(script)
        if memo is None:
            memo = self._memos.setdefault(script, _Memo())
        return memo

    def find(self, *readings: str) -> list[tuple[int, int, int, int]]:
        """(start, end, pattern number, reading) of the labels in one or more aligned readings of a text
        (the folded text, its Taiwan reading …): leftmost-longest within a reading, then longest first
        over all readings, the earlier reading on a tie, never overlapping. A label that begins or ends
        with a Latin letter or digit must not sit inside a longer word; where such a match is refused,
        the shorter labels inside it are looked at instead."""
        if self.empty or not readings or not readings[0]:
            return []
        plain = readings[0]
        size = len(plain)
        chosen, overlapping = self._scan(plain, plain, [(0, size)], 0)
        extra: list[tuple[int, int, int, int]] = []
        for number, folded in enumerate(readings[1:], 1):
            if folded != plain:  # only where this reading differs, with room for a label around it
                found, _ = self._scan(folded, plain, _windows(plain, folded, self.longest), number)
                extra.extend(found)
        if not extra and not overlapping:  # leftmost-longest matches never overlap: nothing to choose
            return chosen
        candidates = chosen + extra
        candidates.sort(key=lambda c: (c[0] - c[1], c[0], c[3]))  # longest, leftmost, earlier reading
        taken = bytearray(size)
        result = []
        for candidate in candidates:
            start, end = candidate[0], candidate[1]
            if taken.find(1, start, end) == -1:
                taken[start:end] = b"\x01" * (end - start)
                result.append(candidate)
        result.sort(key=lambda c: c[0])
        return result

    def _scan(self, folded: str, plain: str, windows, number: int) -> tuple[list, bool]:
        """Candidates (start, end, pattern, reading) in the windows of one reading, and whether some
        may overlap (where a refused Latin match was searched again for shorter labels)."""
        candidates = []
        overlapping = False
        latin = self.latin
        whole = len(folded)
        for window_start, window_end in windows:
            piece = folded if window_start == 0 and window_end == whole else folded[window_start:window_end]
            for pattern, start, end in self.automaton.find_matches_as_indexes(piece):
                start += window_start
                end += window_start
                if number and folded[start:end] == plain[start:end]:
                    continue  # the same characters as the plain reading: found there already
                if not latin[pattern] or self._fits(folded, start, end - 1, self.values[pattern]):
                    candidates.append((start, end, pattern, number))
                else:
                    overlapping = True
                    candidates.extend((inner_start, inner_end, inner, number)
                                      for inner_start, inner_end, inner in self._inside(folded, start, end)
                                      if self._fits(folded, inner_start, inner_end - 1, self.values[inner]))
        return candidates, overlapping

    def _inside(self, folded: str, start: int, end: int) -> list[tuple[int, int, int]]:
        """(start, end, pattern) of every label, overlapping or not, within ``folded[start:end]`` (where a
        Latin match was refused), from a second automaton that reports every match, built on first need."""
        if self._every is None:
            self._every = ahocorasick_rs.AhoCorasick(self.keys, matchkind=ahocorasick_rs.MatchKind.Standard,
                                                     implementation=ahocorasick_rs.Implementation.ContiguousNFA)
        return [(start + inner_start, start + inner_end, pattern) for pattern, inner_start, inner_end
                in self._every.find_matches_as_indexes(folded[start:end], overlapping=True)]

    @staticmethod
    def _fits(folded: str, start: int, last: int, value: tuple) -> bool:
        if value[1] and start > 0 and _is_word_char(folded[start - 1]):
            return False
        return not (value[2] and last + 1 < len(folded) and _is_word_char(folded[last + 1]))


_UNKNOWN = object()  # not worked out yet (None is an answer: no concept, no problem)


class _Memo:
    """What ``check`` worked out for one revision and script: per reading (plain, Taiwan), pattern
    number → ``_Use``; and (pattern, reading, text as written, folded) → (kind, message, fix) or None.
    Dict reads and writes are atomic, so concurrent checks at worst work one out twice."""

    MAX_VERDICTS = 65_536  # ways of writing labels remembered; past that the memo starts again

    def __init__(self) -> None:
        self.uses: tuple[dict[int, _Use | None], dict[int, _Use | None]] = ({}, {})
        self.verdicts: dict[tuple, tuple[str, str, str] | None] = {}

    def remember(self, key: tuple, verdict: tuple[str, str, str] | None) -> tuple[str, str, str] | None:
        if len(self.verdicts) >= self.MAX_VERDICTS:
            self.verdicts.clear()
        self.verdicts[key] = verdict
        return verdict


def _windows(plain: str, other: str, reach: int, block: int = 64) -> list[tuple[int, int]]:
    """Spans of ``other`` around the characters where it differs from ``plain`` (same length), widened by
    ``reach`` on each side and merged. Halves are compared as slices (in C) and only differing halves
    are split further, so a text with few differences costs a few comparisons per difference."""
    differing: list[int] = []

    def split(start: int, end: int) -> None:
        if plain[start:end] == other[start:end]:
            return
        if end - start <= block:
            differing.extend(i for i in range(start, end) if plain[i] != other[i])
            return
        middle = (start + end) // 2
        split(start, middle)
        split(middle, end)

    split(0, len(plain))
    spans: list[tuple[int, int]] = []
    size = len(plain)
    for i in differing:
        start, end = max(0, i - reach), min(size, i + reach + 1)
        if spans and start <= spans[-1][1]:
            spans[-1] = (spans[-1][0], max(spans[-1][1], end))
        else:
            spans.append((start, end))
    return spans


def _posting_rank(p: Posting) -> tuple:
    return (TYPE_RANK.get(p.term.type, 9), p.id)


def _keep(by_concept: dict[str, Posting], posting: Posting) -> None:
    old = by_concept.get(posting.id)
    if old is None or _posting_rank(posting) < _posting_rank(old):
        by_concept[posting.id] = posting


_matchers: "weakref.WeakKeyDictionary[object, Matcher]" = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def matcher_for(catalog) -> Matcher:
    """The automaton of the catalog's current revision, built on first use after the revision moves."""
    revision = catalog.revision
    matcher = _matchers.get(catalog)
    if matcher is not None and matcher.revision == revision:
        return matcher
    with _lock:
        matcher = _matchers.get(catalog)
        if matcher is None or matcher.revision != revision:
            matcher = Matcher(catalog.label_postings(), revision)
            _matchers[catalog] = matcher
        return matcher


# -- checking ----------------------------------------------------------------------------------

def decode_text(data: bytes, name: str = "text") -> str:
    """A draft's bytes as text: UTF-8 (a BOM is dropped), not empty, not binary, within the bound."""
    if len(data) > MAX_TEXT_BYTES:
        raise TextTooLarge(f"the text is {len(data):,} bytes; at most {MAX_TEXT_BYTES:,} are checked", field=name)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInput(f"not UTF-8 text (byte {exc.start} is {data[exc.start]:#04x}); save the draft as UTF-8",
                           field=name) from None
    return require_draft(text, name)


def require_draft(text: str, name: str = "text") -> str:
    if len(text.encode("utf-8", "surrogatepass")) > MAX_TEXT_BYTES:
        raise TextTooLarge(f"the text is over {MAX_TEXT_BYTES:,} bytes of UTF-8", field=name)
    if not text.strip():
        raise InvalidInput("the text is empty", field=name)
    if "\x00" in text or _control_share(text) > 0.05:
        raise InvalidInput("this looks like a binary file, not text; paste the text or upload .txt, .md or .docx",
                           field=name)
    return text


class TextTooLarge(InvalidInput):
    status = 413
    type = "/problems/too-large"
    title = "Payload too large"


def _control_share(text: str) -> float:
    sample = text[:4096]
    controls = sum(1 for ch in sample if unicodedata.category(ch) == "Cc" and ch not in "\t\n\r\f")
    return controls / len(sample)


def target_term(concept: ConceptVersion, script: str) -> str:
    """The term a text in ``script`` should use for a concept: its preferred term, or for Taiwan and
    Hong Kong the curated regional term, else OpenCC's wording of the preferred term."""
    if script in REGIONAL_CONVERSIONS:
        curated = next((t.text for t in concept.terms if t.lang == script and t.type not in ("deprecated", "superseded", "hidden")), None)
        return curated or converter(REGIONAL_CONVERSIONS[script]).convert(concept.preferred)
    return concept.preferred


class _Use(NamedTuple):
    """What a label found in one reading says, resolved once per revision, script and reading: all a
    match needs but its offsets and the text as written."""

    concept: ConceptVersion
    others: tuple[str, ...]  # further concepts the label names
    term: Term  # the term the label is (its type only, for a match in the Taiwan reading)
    form: str
    lang: str
    use: str  # the term to use in the checked script
    preferred: str
    use_key: str  # ``use`` folded like labels
    correct: str | None  # ``use`` width-folded, when writing exactly that is no problem (the common case)
    legitimate: bool  # an English equivalent or a registered abbreviation of a live concept: never a problem


def _resolve(concepts, postings: tuple[Posting, ...], script: str, regional: bool) -> _Use | None:
    """The concept a label names (the first live one, deprecated concepts last) and how it is used."""
    if len(postings) == 1:
        first = postings[0]
        if first.id not in concepts:
            return None
        others = ()
    else:
        live = [p for p in postings if p.id in concepts]
        if not live:
            return None
        first = min(live, key=lambda p: (concepts[p.id].status == "deprecated", _posting_rank(p)))
        others = tuple(p.id for p in live if p.id != first.id)
    concept = concepts[first.id]
    preferred = concept.preferred
    use = preferred if script == "zh-Hans" else target_term(concept, script)
    term = first.term
    if regional:  # found only in the Taiwan reading: Taiwan wording of this term
        term = Term(text=term.text, lang="zh-TW", type=term.type)
    live = concept.status != "deprecated"
    correct = live and term.type == "preferred" and is_chinese(term.lang)
    legitimate = live and term.type not in ("deprecated", "superseded") and (not is_chinese(term.lang)
                                                                           or term.type == "abbreviation")
    return _Use(concept=concept, others=others, term=term, form=_form(concept, term), lang=term.lang, use=use,
                preferred=preferred, use_key=fold_to_simplified(use), correct=width_fold(use) if correct else None,
                legitimate=legitimate)


def check(catalog, text: str, script: str = "zh-Hans") -> CheckResult:
    """Every registered label in ``text`` and the problems of its use, for a text written in ``script``."""
    if script not in ("zh-Hans", "zh-TW", "zh-HK"):
        raise InvalidInput("script is zh-Hans, zh-TW or zh-HK", field="script")
    matcher = matcher_for(catalog)
    concepts = catalog.concepts
    width = width_fold(text)
    found: list[Found] = []
    problems: list[TermProblem] = []
    by_concept: dict[str, list[Found]] = defaultdict(list)
    memo = matcher.memo(script)  # what each label and each way of writing it says, kept for the revision
    uses, verdicts = memo.uses, memo.verdicts
    folded = fold_aligned(text, width)
    for start, end, pattern, reading in matcher.find(folded, fold_regional(width, folded)):
        known = uses[reading]
        use = known.get(pattern, _UNKNOWN)
        if use is _UNKNOWN:
            use = known[pattern] = _resolve(concepts, matcher.values[pattern][3], script, reading > 0)
        if use is None:
            continue
        concept_id = use.concept.id
        written = text[start:end]
        item = Found(start=start, end=end, text=written, concept=concept_id, preferred=use.preferred, use=use.use,
                     form=use.form, lang=use.lang, english=use.lang == "en", others=use.others)
        found.append(item)
        by_concept[concept_id].append(item)
        if use.legitimate or use.correct is not None and width[start:end] == use.correct:
            continue  # the common case: the term to use, written as it should be
        key = (pattern, reading, written, folded[start:end])
        verdict = verdicts.get(key, _UNKNOWN)  # one look-up: another check may clear the memo meanwhile
        if verdict is _UNKNOWN:
            verdict = memo.remember(key, _verdict(concepts, use, written, width[start:end], key[3], script))
        if verdict is not None:
            problems.append(TermProblem(kind=verdict[0], start=start, end=end, text=written, concept=concept_id,
                                        message=verdict[1], fix=verdict[2]))
    problems.extend(_inconsistent(by_concept, width))
    problems.sort(key=lambda p: (p.start, p.kind))
    summary = {kind: 0 for kind in PROBLEM_KINDS}
    for p in problems:
        summary[p.kind] += 1
    summary["matches"] = len(found)
    summary["concepts"] = len(by_concept)
    summary["problems"] = len(problems)
    return CheckResult(script=script, revision=matcher.revision, length=len(text), matches=found,
                       problems=problems, summary=summary)


def _form(concept: ConceptVersion, term: Term) -> str:
    if term.type in ("deprecated", "superseded") or concept.status == "deprecated":
        return "deprecated"
    if term.lang in ("zh-TW", "zh-HK"):
        return "regional"
    return term.type


def _verdict(concepts, use: _Use, written: str, width: str, folded: str, script: str) -> tuple[str, str, str] | None:
    """(kind, message, fix) of a use of ``use``'s label written as ``written`` (``width`` and ``folded``:
    its width-folded and folded forms in the text), or None when it is written as it should be."""
    concept, term, to_use = use.concept, use.term, use.use
    if concept.status == "deprecated":
        replacements = [target_term(concepts[i], script) for i in concept.replaced_by if i in concepts]
        fix = "、".join(replacements)
        return "deprecated", f"“{written}”已废弃" + (f"，改用“{fix}”" if fix else "，无替代术语"), fix
    if term.type == "deprecated":
        return "deprecated", f"“{written}”是已废弃的术语，改用“{to_use}”", to_use
    if term.type == "superseded":
        return "deprecated", f"“{written}”是已被取代的旧称，改用“{to_use}”", to_use
    if not is_chinese(term.lang) or term.type == "abbreviation":
        return None  # an English (or other language's) equivalent or a registered abbreviation is a legitimate form
    regional = term.lang in ("zh-TW", "zh-HK")
    if script == "zh-Hans" and regional:
        region = "台湾" if term.lang == "zh-TW" else "香港"
        return "regional", f"“{written}”是{region}用语，大陆文本用“{to_use}”", to_use
    if term.type in ("admitted", "hidden") and folded != use.use_key:
        return "non_preferred", f"“{written}”是许用术语，优选术语为“{to_use}”", to_use
    if script != "zh-Hans" and term.lang != script and folded != use.use_key:
        region = "台湾" if script == "zh-TW" else "香港"
        return "regional", f"“{written}”不是{region}用语，{region}文本用“{to_use}”", to_use
    if folded == use.use_key and width != width_fold(to_use):
        kind = "繁体字" if script == "zh-Hans" else "简体字"
        return "script", f"“{written}”用了{kind}，应写作“{to_use}”", to_use
    return None


def _inconsistent(by_concept: dict[str, list[Found]], width: str) -> list[TermProblem]:
    """One problem per concept written in more than one Chinese form (English equivalents and
    registered abbreviations are legitimate companions and do not count)."""
    out = []
    for concept_id, items in by_concept.items():
        if len(items) < 2:
            continue
        chinese = [i for i in items if not i.english and i.form != "abbreviation"]
        forms = list(dict.fromkeys(width[i.start:i.end] for i in chinese))
        if len(forms) < 2:
            continue
        first = chinese[0]
        written = "、".join(f"“{f}”" for f in forms)
        out.append(TermProblem(kind="inconsistent", start=first.start, end=first.end, text=first.text, concept=concept_id,
                           message=f"同一概念写成了{len(forms)}种形式：{written}，全文统一用“{first.use}”",
                           fix=first.use, occurrences=[TermSpan(i.start, i.end) for i in chinese]))
    return out
