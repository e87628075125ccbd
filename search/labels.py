"""The label tiers of search, answered from the catalog snapshot's in-memory postings.

Tiers, best first: exact preferred label, exact other label (or its full pinyin, initials or code),
label prefix, label containing the query, partial match (enough of the query covered by one label,
ranked by coverage), sound only (a homophone of three syllables or more), near (a short query sharing
characters with a label, see ``near``; only when no label is, starts with or holds the query and the
other tiers found fewer than five hits). Definitions come after, from the full-text index. Within a tier, hits are ordered by
score (how much of the query the label covers and the other way round), then id.
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from heapq import nlargest
from collections.abc import Iterable
from itertools import accumulate, chain, repeat
from operator import itemgetter
from weakref import WeakKeyDictionary

from msgspec import Struct

from registry.model import ConceptVersion, StandardVersion, Version

from .analysis import (CJK, CJK_RUN, bigrams, english_words, fold_to_simplified, forms_of, near_synonym_forms,
                       know_sounds, normalize, pinyin_keys, pinyin_query, possible_sounds, syllable_ends)
from .catalog import Catalog, code_keys, query_code_keys
from .near import marks as near_marks
from .near import CharWeights, SoundTable, near_labels, sound_table, sound_table_changed

TIERS = ("exact-preferred", "exact-label", "label-prefix", "label-words", "label-partial", "label-sound",
         "label-near", "definition")
EXACT_PREFERRED, EXACT_LABEL, PREFIX, WORDS, PARTIAL, SOUND, NEAR, DEFINITION = range(len(TIERS))

PREFIX_CANDIDATES = 100  # entities taken per prefix look-up
MAX_LABEL_HITS = 300  # label hits ranked per query
COMMON_POSTING = 4000  # a bigram on more labels than this does not propose candidates on its own
FEW_POSTED = 64  # labels posted under a query's bigrams up to which the partial tier counts them in a plain loop
MIN_SHARED_CHARS = 3  # the noise guard: a partial match shares at least this many characters ...
MIN_QUERY_COVER = 0.5  # ... and covers at least this share of the query (unless it holds the whole label)
RUN_MIN = 4  # a label holding a run of this many of the query's characters in a row or more ...
RUN_WEIGHT = 0.3  # ... gains this much times the share of the query in the run, in the partial tier
RUN_ORDER = 1e-4  # a whole label that a later run of a query of several is places a little lower (order typed)
LEADING_LABEL_COVER = 0.6  # a label the query starts with, covering this much of it, leads the prefix tier
SOUND_MIN_SYLLABLES = 3  # a homophone with no shared character matches only from this length
NEAR_WHEN_FEWER = 5  # near runs when the other tiers found fewer hits, none by the whole query (tuned on dev)
NEAR_RUNS = 8  # the runs of characters of a query of several that the near tier reads, at most (a pasted text)
ASCII_QUERY = re.compile(r"^[a-z0-9 .\-/'’]+$")
APOSTROPHES = re.compile(r"['’]+")  # after a syllable of pinyin (xi'an, leng'lian; leng' as typed)
LETTERS_ONLY = re.compile(r"^[a-z ]+$")
LETTERS_APART = re.compile(r"[a-z][a-z'’]*")  # letters and apostrophes (one pass: no nested quantifier)
HAS_DIGIT = re.compile(r"\d")
ENGLISH_WORD = re.compile(r"[a-z]{2}")
QUOTES = re.compile("[\"'“”‘’「」『』《》〈〉〝〞]")  # quotation and title marks around part of a term
_second = itemgetter(1)


def _characters_only(form: str) -> bool:
    """Whether ``form`` is CJK characters alone, apart from spaces, and not empty."""
    compact = form.replace(" ", "")
    return bool(compact) and CJK_RUN.fullmatch(compact) is not None


def _length_of_second(item: tuple) -> int:
    return len(item[1])


class Hit(Struct, frozen=True, kw_only=True):
    id: str
    kind: str
    tier: int
    score: float
    matched: str = ""
    matched_type: str = ""
    matched_lang: str = ""
    coverage: float | None = None  # label-partial: the share of the query the label covers
    marks: tuple[str, ...] = ()  # what to highlight in the matched label (folded), when known

    @property
    def match(self) -> str:
        return TIERS[self.tier]


class QueryForms(Struct, frozen=True, kw_only=True):
    """A query as the label tiers read it."""

    forms: tuple[str, ...]  # folded Simplified forms through each OpenCC conversion, most literal first
    synonyms: tuple[str, ...]  # forms with one near-synonym word swapped
    latin: str  # the compact Latin query (pinyin, initials, English, code) or ""
    pinyin: str  # toneless compact pinyin of a toned or mixed pinyin query, or ""
    traditional: bool = False  # written with Traditional characters (so regional wording is plausible)
    breaks: tuple[int, ...] = ()  # where the compact Latin query has an apostrophe (xi'an: 2), a syllable's end

    @classmethod
    def of(cls, text: str) -> "QueryForms":
        base = normalize(text)
        forms = tuple(f for f in forms_of(base) if f.strip())
        synonyms = tuple(dict.fromkeys(s for f in forms for s in near_synonym_forms(f) if s not in forms))
        latin = forms[0].replace(" ", "") if forms and ASCII_QUERY.match(forms[0]) else ""
        breaks: tuple[int, ...] = ()
        if ("'" in latin or "’" in latin) and LETTERS_APART.fullmatch(latin.lstrip("'’")):
            parts = APOSTROPHES.split(latin.lstrip("'’"))
            breaks = tuple(accumulate(len(part) for part in parts[:-1]))
            latin = "".join(parts)
        traditional = bool(forms) and base != forms[0]
        pinyin = "" if CJK_RUN.fullmatch(text) else pinyin_query(text)  # (what it answers for characters only)
        return cls(forms=forms, synonyms=synonyms, latin=latin, pinyin=pinyin, traditional=traditional, breaks=breaks)

    @property
    def marked_forms(self) -> tuple[str, ...]:
        """The forms whose words highlights mark: a Simplified query's own form only (智慧农业 is not
        read as Taiwan's 智能农业 when marking 人工智能 in a definition); a Traditional one's every reading."""
        return self.forms if self.traditional else self.forms[:1]


def _partial_parts(form: str) -> tuple[str, ...]:
    """What the partial tier reads of a form: the form when it is Chinese characters alone (spaces
    between them allowed: 数字 乡村), and of a form of several runs of characters, apart or mixed with
    punctuation, Latin words or digits (数字乡村 智慧农业; 数字乡村，智慧农业; a pasted sentence), each
    run on its own; three characters or more each."""
    compact = form.replace(" ", "")
    whole = (form,) if len(compact) >= 3 and CJK_RUN.fullmatch(compact) else ()  # a spaced form too (数字 乡村)
    runs = CJK_RUN.findall(form)
    if whole and len(runs) == 1:
        return whole
    return whole + tuple(run for run in runs if len(run) >= 3)


def keeps_breaks(label: str, breaks: tuple[int, ...]) -> bool:
    """Whether a label read as pinyin ends a syllable at each of ``breaks``, where a query had an
    apostrophe (xi'an finds 西安, not 县 xian); a label that is not Chinese does."""
    return not breaks or not CJK.search(label) or syllable_ends(fold_to_simplified(label)).issuperset(breaks)


def _char_counts(text: str) -> tuple[tuple[str, int], ...]:
    """Each distinct character of ``text`` and how often it occurs, in order of first occurrence (a
    query's, counted once)."""
    counts: dict[str, int] = {}
    for ch in text:
        counts[ch] = counts.get(ch, 0) + 1
    return tuple(counts.items())


def _shared_chars(counts: tuple[tuple[str, int], ...], label: str) -> int:
    """Characters the text of ``counts`` and ``label`` have in common, counted with repetition. A plain
    loop over the query's few characters: this runs for every partial candidate of every query."""
    total = 0
    for ch, n in counts:
        if ch in label:
            total += min(n, label.count(ch))
    return total


def _longest_run(form: str, label: str) -> int:
    """The most of ``form``'s characters in a row that ``label`` holds, when at least ``RUN_MIN``, else 0."""
    run = 0
    for i in range(len(form) - RUN_MIN + 1):
        k = max(run + 1, RUN_MIN)
        while i + k <= len(form) and form[i : i + k] in label:
            run = k
            k += 1
    return run


def _marks(grams: set[str], label: str) -> tuple[str, ...]:
    """The runs of ``label`` made of the query's bigrams ``grams`` (what a partial match shares)."""
    runs: list[str] = []
    start = None
    for i in range(len(label) - 1):
        if label[i : i + 2] in grams:
            if start is None:
                start = i
        elif start is not None:
            runs.append(label[start : i + 1])
            start = None
    if start is not None:
        runs.append(label[start:])
    if len(runs) == 1:  # (most often: one run)
        return (runs[0],)
    return tuple(sorted(set(runs), key=lambda r: (-len(r), r)))


class _Ranker:
    """The best hit of each entity so far, kept as a tuple ``(tier, score, kind, matched, matched_type,
    matched_lang, coverage, marks)``: a common word's label tiers offer hundreds of labels per query,
    and only the first ``MAX_LABEL_HITS`` in rank order become ``Hit``s."""

    def __init__(self, catalog: Catalog, query: QueryForms) -> None:
        self.catalog = catalog
        self.query = query
        self.best: dict[str, tuple] = {}
        self._postings: dict[str, list[tuple[str, tuple[str, ...]]]] = {}  # postings_of, per form
        self._sounds: dict[str, tuple[str, ...]] = {}  # sounding, per form
        self._shared: frozenset[str] | None = None  # the snapshot's ``shared_sounds``, once asked for
        self._worded: set[str] = set()  # labels ``containing`` offered: every entity holding one is at WORDS or above
        self._sounding_query: set[str] | None = None  # labels sounding like the query, once a partial match asks
        # where each run of characters of a query of several stands in it (in any form): a run that is a whole
        # label leads the prefix tier, and the runs' labels come in the order typed (智慧农业、数字乡村)
        self._run_at: dict[str, int] = {}
        for form in query.forms:
            runs = CJK_RUN.findall(form)
            if len(runs) > 1:
                for at, run in enumerate(runs):
                    self._run_at.setdefault(run, at)

    def offer(self, entity_id: str, kind: str, tier: int, score: float, matched: str = "", matched_type: str = "",
              matched_lang: str = "", coverage: float | None = None, marks: tuple[str, ...] = ()) -> None:
        """A hit, kept if it is the entity's first or better than its best so far: a lower tier, or the
        same tier and a higher score (the first offered wins a tie). ``offer_label``'s loop over a
        label's concepts does the same inline (hundreds of labels per query for a common word)."""
        old = self.best.get(entity_id)
        if old is None or tier < old[0] or (tier == old[0] and score > old[1]):
            self.best[entity_id] = (tier, score, kind, matched, matched_type, matched_lang, coverage, marks)

    def offer_label(self, label: str, tier: int, score: float, *, coverage: float | None = None,
                    marks: tuple[str, ...] = (), exact: bool = False) -> None:
        """Every concept and standard holding the folded ``label`` (an exact preferred label: tier 0),
        each kept as ``offer`` keeps a hit."""
        catalog = self.catalog
        best = self.best
        concepts = catalog.concepts
        for match in catalog.by_label.get(label, ()):
            preferred = match.type == "preferred"
            t = (EXACT_PREFERRED if preferred else EXACT_LABEL) if exact else tier
            bonus = 0.02 if preferred else 0.0
            if concepts.status(match.id) == "deprecated":
                bonus -= 0.05
            s = score + bonus
            old = best.get(match.id)
            if old is None or t < old[0] or (t == old[0] and s > old[1]):
                best[match.id] = (t, s, "concept", match.text, match.type, match.lang, coverage, marks)
        for entity_id in catalog.by_title.get(label, ()):
            self.offer(entity_id, "standard", EXACT_PREFERRED if exact else tier, score + 0.02,
                       catalog.standards[entity_id].title, "title", coverage=coverage, marks=marks)

    def hits(self) -> list[Hit]:
        """The best ``MAX_LABEL_HITS``, ordered by tier, score (to 6 digits), then id."""
        best = self.best
        ranked = (sorted(best.items(), key=lambda item: (item[1][0], -round(item[1][1], 6), item[0])) if len(best) > 1
                  else list(best.items()))
        return [Hit(id=entity_id, kind=kind, tier=tier, score=score, matched=matched, matched_type=matched_type,
                    matched_lang=lang, coverage=coverage, marks=marks)
                for entity_id, (tier, score, kind, matched, matched_type, lang, coverage, marks)
                in ranked[:MAX_LABEL_HITS]]

    # -- the tiers ---------------------------------------------------------------------------
    def exact(self) -> None:
        for form in self.query.forms:
            self.offer_label(form, EXACT_LABEL, 1.0, marks=(form,), exact=True)
            unquoted = QUOTES.sub("", form)
            if unquoted != form and unquoted.strip():
                # a term quoted as policy texts quote part of it: 自然资源三维立体“一张图” is the label
                # 自然资源三维立体一张图, 《数字乡村发展战略纲要》 the title it marks
                self.offer_label(unquoted, EXACT_LABEL, 1.0, marks=(unquoted,), exact=True)

    def runs(self) -> None:
        """Each run of characters of a query of several that is a whole label (耕地 and 三务 in 耕地、三务 or
        耕地 高标准农田) leads the prefix tier, as the partial tier places a whole label of three characters
        or more that a run is (its guard, three shared characters, leaves out a label of two)."""
        for run, at in self._run_at.items():  # (every form's runs, in the order first met)
            if run in self.catalog.by_label or run in self.catalog.by_title:
                self.offer_label(run, PREFIX, 3.0 - RUN_ORDER * at, coverage=1.0, marks=(run,))

    def codes(self) -> None:
        form = self.query.forms[0]
        if not HAS_DIGIT.search(form) and not self.query.latin:
            return
        for key in query_code_keys(form):
            self._code(key)

    def _code(self, key: str) -> None:
        for entity_id in self.catalog.by_code.get(key, ()):
            if entity_id in self.catalog.standards:
                s = self.catalog.standards[entity_id]
                if key in code_keys(s.code):
                    self.offer(s.id, "standard", EXACT_PREFERRED, 1.0, s.code, "code")
            elif entity_id in self.catalog.concepts:
                c = self.catalog.concepts[entity_id]
                if c.notation and key in code_keys(c.notation):
                    self.offer(c.id, "concept", EXACT_LABEL, 1.0, c.notation)
                else:  # a number inside one of its labels (832平台)
                    self.offer(c.id, "concept", WORDS, 0.5, c.preferred)

    def latin_keys(self) -> None:
        """Pinyin, initials, English labels and codes by prefix from the catalog's sorted keys."""
        breaks = self.query.breaks
        form = self.query.forms[0]
        # and a code's beginning as printed or without its /T (GB/T 43697—20, GB 436), as type-ahead reads it
        codes = query_code_keys(form) if HAS_DIGIT.search(form) and not CJK.search(form) else ()
        for key in dict.fromkeys(k for k in (self.query.latin, self.query.pinyin, *codes) if k):
            for entity_id, (exact, label) in self.catalog.prefixed(key, PREFIX_CANDIDATES).items():
                if not keeps_breaks(label, breaks):
                    continue
                self._offer_key(entity_id, EXACT_LABEL if exact else PREFIX, 0.9 if exact else 0.5, label)

    def _offer_key(self, entity_id: str, tier: int, score: float, label: str, marks: tuple[str, ...] = ()) -> None:
        """A hit by one of the catalog's prefix keys: a concept's label, or a standard's code, title (or the
        title's pinyin) or English title, which the hit names as its matched type and language."""
        if entity_id in self.catalog.concepts:
            self.offer(entity_id, "concept", tier, score, label, marks=marks)
            return
        s = self.catalog.standards.get(entity_id)
        how = ("", "") if s is None else ("code", "") if label == s.code else ("title", "en") if label == s.title_en \
            else ("title", "")
        self.offer(entity_id, "standard", tier, score, label, *how, marks=marks)

    def english_titles(self) -> None:
        """Standards whose English title starts with the query (what type-ahead offers them by): a
        standard's English title is a prefix key only, not a label."""
        form = self.query.forms[0]
        if form == self.query.latin or CJK.search(form) or not ENGLISH_WORD.search(form):
            return  # (a query without spaces: ``latin_keys`` looked its keys up already, English titles too)
        standards = self.catalog.standards
        for entity_id, (exact, label) in self.catalog.prefixed(form, PREFIX_CANDIDATES).items():
            s = standards.get(entity_id)
            if s is not None and label == s.title_en:
                self._offer_key(entity_id, EXACT_LABEL if exact else PREFIX, 0.9 if exact else 0.5, label)

    def prefixes(self) -> None:
        for form in self.query.forms:
            if not CJK.search(form):
                continue
            # a label starting with all of a mixed query (APEC数字乡村) is above a label that is one of its
            # runs of characters (数字乡村: 3.0, in the partial tier and ``runs``)
            bonus = 0.0 if _characters_only(form) else 3.0
            for entity_id, (_, label) in self.catalog.prefixed(form, PREFIX_CANDIDATES).items():
                score = len(form) / max(len(label), 1) + bonus  # folding keeps lengths (NFKC, t2s), mostly
                self._offer_key(entity_id, PREFIX, score, label, marks=(form,))

    def postings_of(self, form: str) -> list[tuple[str, tuple[str, ...]]]:
        """(gram, labels posted under it) for the query's distinct bigrams, rarest first (read once per
        form: the containing and partial tiers both read them)."""
        found = self._postings.get(form)
        if found is None:
            postings = self.catalog.postings
            grams = dict.fromkeys(bigrams(form))
            found = self._postings[form] = sorted(((g, postings.get(g, ())) for g in grams), key=_length_of_second)
        return found

    def sounding(self, form: str) -> tuple[str, ...]:
        """The labels whose full pinyin is the form's (read once per form: the partial and sound tiers both
        ask). A form that is a label (or title) is in its own sound's labels: alone there, unless
        ``shared_sounds`` holds it, and then without its pinyin computed; nor is it computed for a form
        none of whose ``possible_sounds`` is a label's."""
        found = self._sounds.get(form)
        if found is None:
            catalog = self.catalog
            if self._shared is None:
                self._shared = _shared_sounds.get(catalog)
            if (self._shared is not None and form not in self._shared
                    and (form in catalog.by_label or form in catalog.by_title)):
                found = (form,)
            else:
                sounds = possible_sounds(form)
                if sounds is not None and not any(catalog.by_sound.get(sound) for sound in sounds):
                    found = ()  # no label or title has a sound the form may have: its own is not computed
                else:
                    found = tuple(catalog.by_sound.get(pinyin_keys(form)[0], ()))
            self._sounds[form] = found
        return found

    def containing(self) -> None:
        """Labels that contain a whole form of the query (Chinese, or all its English words)."""
        for form in self.query.forms:
            if _characters_only(form):
                lists = self.postings_of(form)
                if not lists or not lists[0][1]:
                    continue
                for label in lists[0][1][: MAX_LABEL_HITS * 20]:
                    if form in label and label != form:
                        self.offer_label(label, WORDS, len(form) / len(label), marks=(form,))
                        self._worded.add(label)
            else:
                words = english_words(form)
                if not words:
                    continue
                held: list[tuple[str, ...]] = sorted((self.catalog.en_postings.get(w, ()) for w in words), key=len)
                others = [set(labels) for labels in held[1:]]
                for english in held[0][: MAX_LABEL_HITS * 20]:
                    if all(english in other for other in others) and english != form:
                        self.offer_label(english, WORDS, len(words) / max(len(english_words(english)), 1))

    def partial(self) -> None:
        """Enough of the query covered by one label, in every form (synonym forms a little lower)."""
        for whole, penalty in chain(zip(self.query.forms, repeat(0.0)), zip(self.query.synonyms, repeat(0.05))):
            for form in _partial_parts(whole):
                self._partial_form(form, penalty)

    def _partial_form(self, form: str, penalty: float) -> None:
        """The partial matches of one form, or of one run of a mixed one."""
        forms = self.query.forms
        lists = self.postings_of(form)
        # how many of the query's bigrams each label is posted under, counted in list order (a dict keeps
        # the order labels are first counted in); a common bigram only adds to candidates the rarer ones proposed
        counted = [labels for position, (_, labels) in enumerate(lists) if position == 0 or len(labels) <= COMMON_POSTING]
        if sum(map(len, counted)) > FEW_POSTED:  # the same counts in the same order: ``Counter``'s loop in C
            shared: dict[str, int] = Counter(chain.from_iterable(counted))
        else:  # a few labels (most queries): a plain loop, without ``Counter``'s layers
            shared = {}
            count = shared.get
            for labels in counted:
                for label in labels:
                    shared[label] = count(label, 0) + 1
        grams, gram_set = len(lists), {gram for gram, _ in lists}
        distinct = set(form)
        # a query without a repeated character shares with a label the characters both hold
        counts = None if len(distinct) == len(form) else _char_counts(form)
        # by count, then first counted (``Counter.most_common``), without the heap for a short list
        candidates = nlargest(MAX_LABEL_HITS, shared.items(), key=_second) if len(shared) > MAX_LABEL_HITS else \
            sorted(shared.items(), key=_second, reverse=True)
        worded = self._worded
        for label, shared_grams in candidates:
            if label in worded and not form.startswith(label):
                # offered as holding the query (WORDS), above any partial match but the prefix tier's
                # (below): offered again, it changes nothing (most of an infix's candidates)
                continue
            chars = len(distinct.intersection(label)) if counts is None else _shared_chars(counts, label)
            # the noise guard: one common bigram, or too little of the query
            if chars >= MIN_SHARED_CHARS and (chars / len(form) >= MIN_QUERY_COVER or label in form):
                if label in forms:
                    continue  # the exact tier offered it (above any partial match): offered again, it changes nothing
                if self._sounding_query is None:  # (no pinyin work per candidate)
                    self._sounding_query = {label for f in forms if CJK.search(f) for label in self.sounding(f)}
                self._partial_candidate(form, gram_set, label, chars, shared_grams / grams, penalty, self._sounding_query)

    def _partial_candidate(self, form: str, gram_set: set[str], label: str, chars: int, gram_cover: float,
                           penalty: float, sounds: set[str]) -> None:
        query_cover, label_cover = chars / len(form), chars / len(label)
        contained = label in form
        same_sound = label in sounds
        # the balance of both covers weighs too: a long label holding the query's characters scattered
        # (国家农产品质量安全追溯管理信息平台 for 信息安全) is not above a short one holding most of them (网络安全)
        balance = 2 * query_cover * label_cover / (query_cover + label_cover)
        score = (0.3 * query_cover + 0.2 * label_cover + 0.25 * balance + 0.25 * gram_cover
                 + (0.3 if contained else 0.0))
        if chars >= RUN_MIN and not contained:
            run = _longest_run(form, label)
            if run:
                # a label not inside the query holding a long run of it in a row weighs more than one holding
                # as many characters scattered: 移动互联网 (动互联网) above 互联网 (inside it, three characters) for
                # 流動互聯網. In proportion to the query's length: a flat bonus put 农业农村数据 above
                # 农村电网数据 for 电网农村数据 (words swapped); a label inside the query has its own bonus.
                score += RUN_WEIGHT * run / len(form)
        score += (0.15 if same_sound else 0.0) - penalty
        tier = PARTIAL
        if form.startswith(label) and query_cover >= LEADING_LABEL_COVER and not penalty:
            # the query is a whole label and a qualifier (高标准农田 + 建设): it leads the prefix tier,
            # above labels that merely start with the query (高标准农田建设数据)
            tier, score = PREFIX, 2.0 + query_cover - RUN_ORDER * self._run_at.get(form, 0)
        self.offer_label(label, tier, score, coverage=round(query_cover, 2), marks=_marks(gram_set, label))

    def homophones(self) -> None:
        """A label that sounds like the query: with shared characters a partial match (above), without
        any only from three syllables, and below every match that shares characters."""
        for form in self.query.forms:
            if not CJK.search(form):
                continue
            sounding = self.sounding(form)
            if not sounding:
                continue
            counts: tuple[tuple[str, int], ...] = ()
            grams: set[str] = set()
            for label in sounding:
                if label in self.query.forms:
                    continue  # (most often the only one: a whole label sounds like itself)
                if not counts:
                    counts, grams = _char_counts(form), set(bigrams(form))
                syllables = len(CJK.findall(label))
                chars = _shared_chars(counts, label)
                if chars >= 2:
                    self.offer_label(label, PARTIAL, 0.5 + 0.3 * chars / len(label), coverage=round(chars / len(form), 2),
                                     marks=_marks(grams, label))
                elif syllables >= SOUND_MIN_SYLLABLES:
                    self.offer_label(label, SOUND, 0.5)

    def near(self) -> None:
        """Labels sharing characters with a short query the other tiers (nearly) missed: their own tier,
        after every other label hit, best first, at most a page (see ``near``)."""
        found: list[str] = []
        for form in self.query.forms:
            compact = form.replace(" ", "")
            if compact and CJK_RUN.fullmatch(compact):
                found.append(compact)  # characters alone, read whole (数字 乡村 as 数字乡村)
            runs = CJK_RUN.findall(form)
            if len(runs) > 1 or len(runs) == 1 and runs[0] != compact:
                found += runs[:NEAR_RUNS]  # and each run of a list, or of one mixed with Latin (公事包、易開罐)
        forms = list(dict.fromkeys(found))
        if not forms:
            return
        catalog = self.catalog
        taken = {fold_to_simplified(hit[3]) for hit in self.best.values()}  # labels hit by a better tier
        weights, sounds = prepare(catalog)
        for label, score, cover, form in near_labels(catalog.postings, weights, forms, taken, sounds):
            self.offer_label(label, NEAR, score, coverage=round(cover, 2), marks=near_marks(form, label))

    def single_character(self) -> None:
        for form in self.query.forms:
            if len(form) == 1 and CJK.match(form):
                for label in sorted(self.catalog.postings.get(form, ()), key=len)[:MAX_LABEL_HITS]:
                    if label != form:
                        tier = PREFIX if label.startswith(form) else WORDS
                        self.offer_label(label, tier, 1 / len(label), marks=(form,))


# what the near tier derives of each snapshot (its character weights and sound table), for as long as
# the snapshot lives
_near_tables: WeakKeyDictionary[Catalog, tuple[CharWeights, SoundTable]] = WeakKeyDictionary()
# and the labels and titles whose full pinyin another label or title of the snapshot has too (``by_sound``'s
# keys of more than one): the sound of any other CJK label or title is its own alone (``_Ranker.sounding``)
_shared_sounds: WeakKeyDictionary[Catalog, frozenset[str]] = WeakKeyDictionary()
_near_lock = threading.Lock()


def prepare(catalog: Catalog, previous: Catalog | None = None,
            changed: Iterable[Version] = ()) -> tuple[CharWeights, SoundTable]:
    """What the near tier reads of a snapshot, derived once: the service calls this before it swaps a new
    snapshot in, with the snapshot it replaces and the versions that made the difference, so that the
    sound table is the previous one changed by those versions' labels; without them (at start, after a
    rebuild, or for a snapshot never prepared) it is built from every label. The labels sharing a sound
    (``shared_sounds``, for ``_Ranker.sounding``) are derived alongside, the same way."""
    tables = _near_tables.get(catalog)
    if tables is not None:
        return tables
    with _near_lock:  # one thread derives them; the others wait for them
        tables = _near_tables.get(catalog)
        if tables is None:
            changed = list(changed)  # read twice
            base = _near_tables.get(previous) if previous is not None else None
            if base is not None and previous is not None:
                sounds = sound_table_changed(base[1], catalog.by_label, _labels_of(previous, changed))
            else:
                sounds = sound_table(catalog.by_label)
                know_sounds(ch for ch, _ in catalog.postings.sizes(1))  # what the characters of labels may sound as
            tables = (CharWeights(catalog.postings, len(catalog.by_label) + len(catalog.by_title)), sounds)
            shared = _shared_sounds.get(previous) if previous is not None else None
            _shared_sounds[catalog] = (shared_sounds(catalog) if shared is None or previous is None else
                                       shared_sounds_changed(shared, previous, catalog, changed))
            _near_tables[catalog] = tables
    return tables


def shared_sounds(catalog: Catalog) -> frozenset[str]:
    """The labels and titles of ``by_sound``'s keys of more than one."""
    return frozenset(label for _, labels in catalog.by_sound.items() if len(labels) > 1 for label in labels)


def shared_sounds_changed(shared: frozenset[str], previous: Catalog, catalog: Catalog,
                          changed: Iterable[Version]) -> frozenset[str]:
    """``shared_sounds(catalog)`` from ``shared``, those of ``previous``, and the versions that made the
    difference: only the keys of their labels and titles, then and now, can have gained or lost one."""
    texts = _labels_of(previous, changed)
    for version in changed:
        if isinstance(version, StandardVersion):
            for held in (previous.standards.get(version.id), version):
                if held is not None:
                    texts.add(fold_to_simplified(held.title))
    out = set(shared)
    for key in {pinyin_keys(text)[0] for text in texts if CJK_RUN.search(text)}:
        out.difference_update(previous.by_sound.get(key, ()))
        now = catalog.by_sound.get(key, ())
        if len(now) > 1:
            out.update(now)
    return frozenset(out)


def _labels_of(previous: Catalog, changed: Iterable[Version]) -> set[str]:
    """The folded labels of the changed concepts, as they were in ``previous`` and as they are now."""
    labels: set[str] = set()
    for version in changed:
        if isinstance(version, ConceptVersion):
            for held in (previous.concepts.get(version.id), version):
                if held is not None:
                    labels.update(fold_to_simplified(term.text) for term in held.terms)
    return labels


def label_hits(catalog: Catalog, query: QueryForms) -> list[Hit]:
    """The label-tier hits of a query, best first."""
    if not query.forms:
        return []
    ranker = _Ranker(catalog, query)
    ranker.exact()
    ranker.codes()
    ranker.runs()
    if query.latin or query.pinyin or HAS_DIGIT.search(query.forms[0]):
        ranker.latin_keys()
    ranker.english_titles()
    ranker.prefixes()
    ranker.single_character()
    ranker.containing()
    ranker.partial()
    ranker.homophones()
    if len(ranker.best) < NEAR_WHEN_FEWER and all(best[0] > WORDS for best in ranker.best.values()):
        ranker.near()  # only when no label is, starts with or holds the query, and few hits
    return ranker.hits()
