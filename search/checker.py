"""The term checker: every registered label in a draft, with offsets into the original text, and what
is wrong with each use (deprecated, non-preferred, regional, written in the other script, inconsistent).

Matching is an Aho–Corasick pass (``pyahocorasick``) with the folded label forms the catalog holds as
keys, over a folded copy of the text and over its Taiwan reading (OpenCC ``tw2sp``, so that 數位鄉村
is found as 数字乡村 without a curated term). The folded copy has exactly one character per original character, so an offset in it
is an offset in the original (see ``fold_aligned`` and docs/drafting.md for the conversions that are not
length-preserving and how they are handled). The automaton is built once per catalog revision.
"""

from __future__ import annotations

import re
import threading
import unicodedata
import weakref
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Literal

import ahocorasick
from msgspec import Struct

from registry.errors import InvalidInput
from registry.model import ConceptVersion, Term
from registry.text import converter, fold_to_simplified

MAX_TEXT_BYTES = 1_048_576  # the bound of a checked text, in UTF-8 bytes (documented in docs/drafting.md)
Script = Literal["zh-Hans", "zh-TW", "zh-HK"]
REGIONAL_CONVERSIONS = {"zh-TW": "s2twp", "zh-HK": "s2hk"}
CLAUSE_BREAK = re.compile(r"(?<=[。，；、！？：,.;!?:\s])")
PROBLEM_KINDS = ("deprecated", "non_preferred", "regional", "script", "inconsistent")
# which candidate a label names first when it names several concepts (as ``Catalog.lookup`` ranks them)
TYPE_RANK = {"preferred": 0, "admitted": 1, "abbreviation": 2, "hidden": 3, "deprecated": 4}


class Posting(Struct, frozen=True):
    """One concept a folded label names, through one of its terms (or an OpenCC regional wording)."""

    id: str
    term: Term


class Found(Struct, kw_only=True):
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
    others: list[str]  # further concepts the same label names


class Problem(Struct, kw_only=True):
    kind: str  # one of PROBLEM_KINDS
    start: int
    end: int
    text: str
    concept: str
    message: str
    fix: str  # what to write instead
    occurrences: list[tuple[int, int]] = []  # for ``inconsistent``: every use of the concept


class CheckResult(Struct, kw_only=True):
    script: str
    revision: int
    length: int  # characters (Unicode code points) in the text; offsets count the same way
    matches: list[Found]
    problems: list[Problem]
    summary: dict[str, int]

    @property
    def ok(self) -> bool:
        return not self.problems


# -- folding, one character for one character ---------------------------------------------------

class _WidthFold(dict):
    """``str.translate`` table filled on first use: NFKC and case folding of one character, kept only
    when they give exactly one character (``㎡`` → ``m2`` would shift every later offset)."""

    def __missing__(self, code: int) -> str:
        char = chr(code)
        folded = unicodedata.normalize("NFKC", char)
        if len(folded) != 1:
            folded = char
        lower = folded.casefold()
        if len(lower) == 1:
            folded = lower
        if folded.isspace():
            folded = " "
        self[code] = folded
        return folded


class _CharT2S(dict):
    def __missing__(self, code: int) -> str:
        char = chr(code)
        folded = converter("t2s").convert(char)
        folded = folded if len(folded) == 1 else char
        self[code] = folded
        return folded


_WIDTH = _WidthFold()
_T2S = _CharT2S()


def fold_aligned(text: str) -> str:
    """``text`` folded like labels are (width, case, Traditional → Simplified), one character for one.

    OpenCC converts by phrase; where a line's conversion changes its length, that line is converted
    character by character instead, so offsets still map back one to one.
    """
    width = text.translate(_WIDTH)
    t2s = converter("t2s")
    simple = t2s.convert(width)
    if len(simple) == len(width):
        return simple
    lines = []
    for line in width.split("\n"):
        converted = t2s.convert(line)
        lines.append(converted if len(converted) == len(line) else line.translate(_T2S))
    return "\n".join(lines)


def fold_regional(width: str, folded: str, config: str = "tw2sp") -> str:
    """The width-folded text read as Taiwan wording (OpenCC ``tw2sp``: 數位 → 数字, 軟體 → 软件), one
    character for one: a line (else a clause) whose conversion changes length keeps its plain folding."""
    convert = converter(config).convert
    whole = convert(width)
    if len(whole) == len(width):
        return whole
    out, at = [], 0
    for line in width.split("\n"):
        converted = convert(line)
        if len(converted) != len(line):
            converted = "".join(_same_length(convert, chunk, folded[at + offset:at + offset + len(chunk)])
                                for offset, chunk in _chunks(line))
        out.append(converted)
        at += len(line) + 1
    return "\n".join(out)


def _chunks(line: str):
    at = 0
    for piece in CLAUSE_BREAK.split(line):
        yield at, piece
        at += len(piece)


def _same_length(convert, chunk: str, fallback: str) -> str:
    converted = convert(chunk)
    return converted if len(converted) == len(chunk) else fallback


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
        self.automaton = ahocorasick.Automaton()
        for key, by_concept in table.items():
            if not key.strip():
                continue
            ranked = tuple(sorted(by_concept.values(), key=_posting_rank))
            self.automaton.add_word(key, (len(key), _is_word_char(key[0]), _is_word_char(key[-1]), ranked))
        self.empty = len(self.automaton) == 0
        if not self.empty:
            self.automaton.make_automaton()

    def find(self, *readings: str) -> list[tuple[int, int, tuple[Posting, ...], int]]:
        """(start, end, postings, reading) of the labels in one or more aligned readings of a text (the
        folded text, its Taiwan reading …): longest first over all readings, the earlier reading on a
        tie, never overlapping; a label that begins or ends with a Latin letter or digit must not sit
        inside a longer word."""
        if self.empty or not readings or not readings[0]:
            return []
        size = len(readings[0])
        candidates = []
        for number, folded in enumerate(readings):
            if number and folded == readings[0]:
                continue
            for last, (length, word_start, word_end, postings) in self.automaton.iter(folded):
                start = last - length + 1
                if number and folded[start:last + 1] == readings[0][start:last + 1]:
                    continue  # the same characters as the plain reading: found there already
                if word_start and start > 0 and _is_word_char(folded[start - 1]):
                    continue
                if word_end and last + 1 < size and _is_word_char(folded[last + 1]):
                    continue
                candidates.append((-length, start, number, postings))
        candidates.sort(key=lambda c: (c[0], c[1], c[2]))
        taken = bytearray(size)
        chosen = []
        for negative, start, number, postings in candidates:
            end = start - negative
            if taken.find(1, start, end) == -1:
                taken[start:end] = b"\x01" * (end - start)
                chosen.append((start, end, postings, number))
        chosen.sort(key=lambda c: c[0])
        return chosen


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
        curated = next((t.text for t in concept.terms if t.lang == script and t.type not in ("deprecated", "hidden")), None)
        return curated or converter(REGIONAL_CONVERSIONS[script]).convert(concept.preferred)
    return concept.preferred


def check(catalog, text: str, script: str = "zh-Hans") -> CheckResult:
    """Every registered label in ``text`` and the problems of its use, for a text written in ``script``."""
    if script not in ("zh-Hans", "zh-TW", "zh-HK"):
        raise InvalidInput("script is zh-Hans, zh-TW or zh-HK", field="script")
    matcher = matcher_for(catalog)
    concepts = catalog.concepts
    width = text.translate(_WIDTH)
    found: list[Found] = []
    problems: list[Problem] = []
    by_concept: dict[str, list[Found]] = defaultdict(list)
    targets: dict[str, str] = {}
    folded = fold_aligned(text)
    for start, end, postings, reading in matcher.find(folded, fold_regional(width, folded)):
        live = [p for p in postings if p.id in concepts]
        if not live:
            continue
        first = min(live, key=lambda p: (concepts[p.id].status == "deprecated", _posting_rank(p)))
        concept = concepts[first.id]
        use = targets.get(concept.id) or targets.setdefault(concept.id, target_term(concept, script))
        term = first.term
        if reading:  # found only in the Taiwan reading: Taiwan wording of this term
            term = Term(text=text[start:end], lang="zh-TW", type=term.type)
        form = _form(concept, term)
        item = Found(start=start, end=end, text=text[start:end], concept=concept.id, preferred=concept.preferred,
                     use=use, form=form, lang=term.lang, english=term.lang == "en",
                     others=[p.id for p in live if p.id != concept.id])
        found.append(item)
        by_concept[concept.id].append(item)
        problem = _problem(catalog, concept, term, item, width[start:end], script)
        if problem is not None:
            problems.append(problem)
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
    if term.type == "deprecated" or concept.status == "deprecated":
        return "deprecated"
    if term.lang in ("zh-TW", "zh-HK"):
        return "regional"
    return term.type


def _problem(catalog, concept: ConceptVersion, term: Term, item: Found, written: str, script: str) -> Problem | None:
    def problem(kind: str, message: str, fix: str) -> Problem:
        return Problem(kind=kind, start=item.start, end=item.end, text=item.text, concept=concept.id,
                       message=message, fix=fix)

    if concept.status == "deprecated":
        replacements = [target_term(catalog.concepts[i], script) for i in concept.replaced_by if i in catalog.concepts]
        fix = "、".join(replacements)
        return problem("deprecated", f"“{item.text}”已废弃" + (f",改用“{fix}”" if fix else ",无替代术语"), fix)
    if term.type == "deprecated":
        return problem("deprecated", f"“{item.text}”是已废弃的术语,改用“{item.use}”", item.use)
    if term.lang == "en" or term.type == "abbreviation":
        return None  # an English equivalent or a registered abbreviation is a legitimate form
    wanted_key = fold_to_simplified(item.use)
    regional = term.lang in ("zh-TW", "zh-HK")
    if script == "zh-Hans" and regional:
        region = "台湾" if term.lang == "zh-TW" else "香港"
        return problem("regional", f"“{item.text}”是{region}用语,大陆文本用“{item.use}”", item.use)
    if term.type in ("admitted", "hidden") and fold_to_simplified(item.text) != wanted_key:
        return problem("non_preferred", f"“{item.text}”是许用术语,优选术语为“{item.use}”", item.use)
    if script != "zh-Hans" and term.lang != script and fold_to_simplified(item.text) != wanted_key:
        region = "台湾" if script == "zh-TW" else "香港"
        return problem("regional", f"“{item.text}”不是{region}用语,{region}文本用“{item.use}”", item.use)
    if fold_to_simplified(item.text) == wanted_key and written != item.use.translate(_WIDTH):
        kind = "繁体字" if script == "zh-Hans" else "简体字"
        return problem("script", f"“{item.text}”用了{kind},应写作“{item.use}”", item.use)
    return None


def _inconsistent(by_concept: dict[str, list[Found]], width: str) -> list[Problem]:
    """One problem per concept written in more than one Chinese form (English equivalents and
    registered abbreviations are legitimate companions and do not count)."""
    out = []
    for concept_id, items in by_concept.items():
        chinese = [i for i in items if not i.english and i.form != "abbreviation"]
        forms = list(dict.fromkeys(width[i.start:i.end] for i in chinese))
        if len(forms) < 2:
            continue
        first = chinese[0]
        written = "、".join(f"“{f}”" for f in forms)
        out.append(Problem(kind="inconsistent", start=first.start, end=first.end, text=first.text, concept=concept_id,
                           message=f"同一概念写成了{len(forms)}种形式:{written},全文统一用“{first.use}”",
                           fix=first.use, occurrences=[(i.start, i.end) for i in chinese]))
    return out
