"""The term checker: every registered label in a draft (found by ``matching.py``) and what is wrong
with each use (deprecated, non-preferred, regional, written in the other script, inconsistent), with its fix."""

from __future__ import annotations

import enum
import weakref
from collections import defaultdict
from collections.abc import Mapping
from typing import NamedTuple, get_args

from msgspec import Struct

from registry.errors import InvalidInput
from registry.languages import REGIONAL, ZH_HANS, ZH_TW, Script, is_chinese, is_regional, regional_set
from registry.model import ConceptVersion, Term
from registry.text import fold_to_simplified
from search.analysis import RENDER_CONVERSIONS, render
from search.catalog import Catalog

from .matching import Matcher, Posting, fold_aligned, fold_regional, matcher_for, posting_rank, width_fold

# a draft written for Taiwan or Hong Kong wants the wording the site renders for them
REGIONAL_CONVERSIONS = {lang: RENDER_CONVERSIONS[lang] for lang in REGIONAL}
SCRIPTS: tuple[str, ...] = get_args(Script)  # the scripts a draft is checked for
PROBLEM_KINDS = ("deprecated", "non_preferred", "regional", "script", "inconsistent")
# forms an ``inconsistent`` problem's message names at most (then 等): a draft can write one long label in
# thousands of mixes of the two scripts, and the check page repeats the message on every use of it
MAX_FORMS_NAMED = 10


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


class _Unknown(enum.Enum):
    """Not worked out yet (None is an answer: no concept, no problem)."""

    UNKNOWN = enum.auto()


_UNKNOWN = _Unknown.UNKNOWN


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


# per automaton (so per catalog revision) and script; forgotten with the automaton
_memos: weakref.WeakKeyDictionary[Matcher, dict[str, _Memo]] = weakref.WeakKeyDictionary()


def memo_for(matcher: Matcher, script: str) -> _Memo:
    """What labels and ways of writing them say in a ``script`` text at ``matcher``'s revision, as
    ``check`` finds out."""
    by_script = _memos.get(matcher)
    if by_script is None:
        by_script = _memos.setdefault(matcher, {})
    memo = by_script.get(script)
    if memo is None:
        memo = by_script.setdefault(script, _Memo())
    return memo


def target_term(concept: ConceptVersion, script: str) -> str:
    """The term a text in ``script`` should use for a concept: its preferred term, or for Taiwan and
    Hong Kong the curated regional term, else the preferred term as the site renders it (OpenCC, with the
    domain's words of ``search.analysis.OVERRIDES``: 发布 is 發布 there, never 釋出)."""
    if script in REGIONAL_CONVERSIONS:
        curated = next((t.text for t in concept.terms
                        if is_regional(t.lang, script) and t.type not in ("deprecated", "superseded", "hidden")), None)
        return curated or render(concept.preferred, script)
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


def _resolve(concepts: Mapping[str, ConceptVersion], postings: tuple[Posting, ...], script: str, regional: bool) -> _Use | None:
    """The concept a label names (the first live one, deprecated concepts last) and how it is used."""
    if len(postings) == 1:
        first = postings[0]
        if first.id not in concepts:
            return None
        others: tuple[str, ...] = ()
    else:
        known = [p for p in postings if p.id in concepts]
        if not known:
            return None
        first = min(known, key=lambda p: (concepts[p.id].status == "deprecated", posting_rank(p)))
        others = tuple(p.id for p in known if p.id != first.id)
    concept = concepts[first.id]
    preferred = concept.preferred
    use = preferred if script == ZH_HANS else target_term(concept, script)
    term = first.term
    if regional:  # found only in the Taiwan reading: Taiwan wording of this term
        term = Term(text=term.text, lang=ZH_TW, type=term.type)
    live = concept.status != "deprecated"
    correct = live and term.type == "preferred" and is_chinese(term.lang)
    legitimate = live and term.type not in ("deprecated", "superseded") and (not is_chinese(term.lang)
                                                                           or term.type == "abbreviation")
    return _Use(concept=concept, others=others, term=term, form=_form(concept, term), lang=term.lang, use=use,
                preferred=preferred, use_key=fold_to_simplified(use), correct=width_fold(use) if correct else None,
                legitimate=legitimate)


def check(catalog: Catalog, text: str, script: str = "zh-Hans") -> CheckResult:
    """Every registered label in ``text`` and the problems of its use, for a text written in ``script``."""
    if script not in SCRIPTS:
        raise InvalidInput("script is zh-Hans, zh-TW or zh-HK", field="script")
    matcher = matcher_for(catalog)
    concepts = catalog.concepts
    width = width_fold(text)
    found: list[Found] = []
    problems: list[TermProblem] = []
    by_concept: dict[str, list[Found]] = defaultdict(list)
    memo = memo_for(matcher, script)  # what each label and each way of writing it says, kept for the revision
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
    if is_regional(term.lang):
        return "regional"
    return term.type


def _verdict(concepts: Mapping[str, ConceptVersion], use: _Use, written: str, width: str, folded: str, script: str) -> tuple[str, str, str] | None:
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
    regional = is_regional(term.lang)
    if script == ZH_HANS and regional:
        region = "台湾" if regional_set(term.lang) == ZH_TW else "香港"
        return "regional", f"“{written}”是{region}用语，大陆文本用“{to_use}”", to_use
    if term.type in ("admitted", "hidden") and folded != use.use_key:
        return "non_preferred", f"“{written}”是许用术语，优选术语为“{to_use}”", to_use
    if script != ZH_HANS and not is_regional(term.lang, script) and folded != use.use_key:
        region = "台湾" if script == ZH_TW else "香港"
        return "regional", f"“{written}”不是{region}用语，{region}文本用“{to_use}”", to_use
    if folded == use.use_key and width != width_fold(to_use):
        kind = "繁体字" if script == ZH_HANS else "简体字"
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
        written = "、".join(f"“{f}”" for f in forms[:MAX_FORMS_NAMED]) + ("等" if len(forms) > MAX_FORMS_NAMED else "")
        out.append(TermProblem(kind="inconsistent", start=first.start, end=first.end, text=first.text, concept=concept_id,
                           message=f"同一概念写成了{len(forms)}种形式：{written}，全文统一用“{first.use}”",
                           fix=first.use, occurrences=[TermSpan(i.start, i.end) for i in chinese]))
    return out

