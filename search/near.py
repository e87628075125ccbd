"""Near matches: labels that share characters with a short query that no label tier answered.

Real regional wording is short and shares one or two characters with the registered term (公事包 /
公文包, 優養化 / 富营养化, 腎元 / 肾单位). A label is close to a query form when it holds enough of the
query's characters, weighed by how rare each character is among the registered labels (a character on
few labels says more than one on thousands) and by whether it is a common character of the language at
all (的, 化, 业 say almost nothing). Shared bigrams and characters at the same position (from the start
or from the end) count more, and at the same position a different character that sounds alike counts
part (transliterations: 坦米爾 / 泰米尔); so do the same first character and the query's syllables found
anywhere in the label (whole syllables, without tone). The score is in [0, 1]; the thresholds below were tuned on the development
half of the regional set (tests/search_eval/regional.py), never on the held-out half.

Candidates come from the catalog's in-memory postings by set operations (see ``_candidates``), at most
``CANDIDATES`` of them scored per query form.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from heapq import nsmallest
from math import log

from .analysis import CJK, syllable
from .compact import size

# The 500 most frequent characters of jieba's bundled dictionary (word frequencies summed per character):
# one of these alone is not a match, but in a word of two characters at the same place (below). Generated
# once, most frequent first; see docs/search.md.
COMMON_ORDER = (
    "一是人了不在有大中国和为这上他地个年来我会以到要时出的生学说道民家子也成行下们于后就发自之对得主长可过天作分方"
    "用你多着部能市业全等里工经公本都而政高法门面动日进区事代那去心北定同小开产前其军还然起所如种现理机体表力外与好"
    "文两当新实重三么只山水关从化明建制平又南内没西此将员名手最东者头月间安无见城各十但已相看些正口通度加她第想合物"
    "院性战由位海意点常场武使次向二治因立数样身情入原把路被问并利教老石级量知任江及应省资万委务元美特期世湖回系比气"
    "汉总展电科金先提品声设义或王社很统四首共己处马形儿司目基领队直计别女权话少流命至报米给果变打书几州华解活议更称"
    "清程今决导太张术府才保交放管结便师达走反再题色族五京河接条规式县它改白光风运信受什组布听百济党论强指做取技黄选"
    "记神真却职号界件斯类花眼何兵传带边干农据集空联广古完质增阳难史历专官住商每即认车台林必步游死举线言皇土收考求叫"
    "德团备研近具争李非众感调转革该笑持连始英士让尔克根造较思际格亲拉朝单红型价器校约字段周候则功属积亚图准快火究千"
    "深极育装参许半令吃观鱼精办像帝复八告影包群构料划象算随容示投势热值整夫网语股源铁望息断往派远怎速需爱律纪片支况"
    "病境证编局"
)
COMMON_CHARS = frozenset(COMMON_ORDER)
FILLER = 200  # the most frequent of them (的, 化, 业, 公 ...) never match alone, in their place or not
FILLER_CHARS = frozenset(COMMON_ORDER[:FILLER])
SAME_PLACE_POSTING = 5000  # ... the others, on at most this many labels, propose the two-character labels
# holding them at the same place as a two-character form (死結 / 死锁, 回音 / 回声, 包固 / 包谷)

CHAR_POSTING = 5000  # a character or bigram on more labels than this proposes no candidates on its own
PAIR_CHARS = 6  # the rarest characters of a form whose pairs propose candidates
ONE_CHAR_QUERY = 4  # a label sharing one character is proposed only for forms up to this length ...
ONE_CHAR_POSTING = 400  # ... by a character that is not common and on at most this many labels
CANDIDATES = 30  # labels scored per query form at most (see ``_candidates``)
MAX_QUERY = 16  # longer queries are for the partial tier, not this one
MAX_HITS = 20  # near matches per query: at most a page
COMMON_WEIGHT = 0.5  # a common character weighs half its rarity
# the guard, tuned on the development half (see docs/search.md for the precision it keeps)
MIN_SCORE = 0.29  # two or more shared characters
MIN_SCORE_ONE = 0.41  # one shared character, which must not be a common one ...
MIN_SCORE_PLACE = 0.45  # ... unless it is a common one, not a filler, at the same place of two characters
# the margin rule: the best near match answers only when it is this far ahead of the next (this far
# when it shares one character only). Off: on the development half every margin tried cost about as much
# recall@5 as it gained precision (0.03 for one character: R@5 -0.03, precision +0.04; docs/search.md).
MARGIN = 0.0
MARGIN_ONE = 0.0
MARGIN_BELOW = 1.0  # ... and only when its score is below this (a strong best match answers, however close the next)
SAME_SYLLABLE = 0.8  # a character sounding the same as the label's at its place counts this much
SAME_PART = 0.3  # ... the same initial or the same final ...
FINAL_MIN = 2  # ... of at least two letters (a bare "i" is spelled alike in zi and shi, said apart)
# query share, label share, bigram share, alignment, length ratio, the same first character, syllables shared
WEIGHTS = (0.15, 0.15, 0.05, 0.225, 0.25, 0.05, 0.1)
# sound-alike labels (transliterations: 史丹佛 / 斯坦福, 柏克萊 / 伯克利), sharing no character needed: as many
# syllables (at least SOUND_MIN: a two-syllable homophone is no match, 保固 / 包谷), every initial alike
# under FUZZY_INITIAL and every final alike under FUZZY_FINAL but at most one
SOUND_MIN = 3
SOUND_MAX = 6
SOUND_SCORE = 0.65  # the score of a label alike place by place (less for a final unlike, a character unlike)
SOUND_UNLIKE_FINAL = 0.4  # a place whose initials are alike and finals not counts this much (alike: 0.8)
FUZZY_INITIAL = {"zh": "z", "ch": "c", "sh": "s", "t": "d", "p": "b", "k": "g", "h": "f", "l": "n", "r": "n",
                 "y": "", "w": ""}
FUZZY_FINAL = {"ang": "an", "eng": "en", "ing": "in", "o": "u", "uo": "u", "ou": "u", "v": "i", "ai": "a",
               "ei": "i", "ie": "i", "ue": "i", "ve": "i", "iang": "ian", "iong": "ong", "ong": "en", "ia": "a",
               "ua": "a", "uan": "an", "uang": "an", "ui": "i", "un": "en", "iu": "u", "ao": "u", "iao": "u",
               "ian": "an", "e": "u", "er": "e"}


class CharWeights:
    """The weight of every character of a snapshot's labels: its rarity among the labels,
    ``log(1 + labels / (1 + labels holding it))``, halved for a common character of the language;
    computed as characters are met (a new snapshot changes ``labels`` and so every weight), from the
    size of its postings (a packed table's without making its values)."""

    __slots__ = ("postings", "total", "known")

    def __init__(self, postings: Mapping[str, tuple[str, ...]], total: int) -> None:
        self.postings = postings
        self.total = total
        self.known: dict[str, float] = {}

    def get(self, ch: str, default: float) -> float:
        """The weight of ``ch``, or ``default`` for a character on no label."""
        weight = self.known.get(ch)
        if weight is None:
            held = size(self.postings, ch)
            if held is None:
                return default
            weight = log(1.0 + self.total / (1.0 + held))
            if ch in COMMON_CHARS:
                weight *= COMMON_WEIGHT
            self.known[ch] = weight
        return weight


class _Form:
    """A query form as the score reads it."""

    __slots__ = ("text", "chars", "grams", "weight", "length", "syllables")

    def __init__(self, text: str, weights: CharWeights, unknown: float) -> None:
        self.text = text
        self.chars = frozenset(text)
        self.grams = frozenset(text[i : i + 2] for i in range(len(text) - 1))
        self.weight = sum(weights.get(ch, unknown) for ch in text)
        self.length = len(text)
        self.syllables = tuple(map(syllable, text))


def _alike(a: str, b: str) -> float:
    """How much two different characters at the same place agree by sound: the same syllable
    ``SAME_SYLLABLE``, the same initial or final ``SAME_PART`` (transliterations: 坦米爾 / 泰米尔)."""
    sa = syllable(a)
    sb = syllable(b)
    if not sa[1] or not sb[1]:
        return 0.0
    if sa == sb:
        return SAME_SYLLABLE
    if sa[0] == sb[0] and sa[0] or sa[1] == sb[1] and len(sa[1]) >= FINAL_MIN:
        return SAME_PART
    return 0.0


def _aligned(query: str, label: str) -> float:
    """How well the query's characters agree with the label's at the same places, counted from the
    start or from the end, whichever agrees more (characters, or failing that their sound)."""
    m, n = len(query), len(label)
    head = tail = 0.0
    for i in range(min(m, n)):
        a, b = query[i], label[i]
        head += 1.0 if a == b else _alike(a, b)
        a, b = query[m - 1 - i], label[n - 1 - i]
        tail += 1.0 if a == b else _alike(a, b)
    return max(head, tail)


def score(form: _Form, label: str, weights: CharWeights) -> tuple[float, int]:
    """(closeness in [0, 1], distinct shared characters) of a query form and a label."""
    shared = form.chars.intersection(label)
    if not shared:
        return 0.0, 0
    get = weights.get
    common = sum([get(ch, 1.0) for ch in shared])
    label_weight = sum([get(ch, 1.0) for ch in label])
    grams = form.grams
    gram_share = sum([1 for i in range(len(label) - 1) if label[i : i + 2] in grams]) / len(grams) if grams else 0.0
    m, n = form.length, len(label)
    text = form.text
    w = WEIGHTS
    sounds = set(map(syllable, label))
    value = (w[0] * common / form.weight + w[1] * common / label_weight + w[2] * min(gram_share, 1.0)
             + w[3] * _aligned(text, label) / max(m, n) + w[4] * min(m, n) / max(m, n)
             + w[5] * (text[0] == label[0]) + w[6] * sum([s in sounds for s in form.syllables]) / max(m, n))
    return value, len(shared)


def fuzzy(ch: str) -> tuple[str, str]:
    """A character's syllable with alike initials and finals made one (zh/z, d/t, an/ang, o/u ...), or ("", "")."""
    initial, final = syllable(ch)
    if not final:
        return "", ""
    return FUZZY_INITIAL.get(initial, initial) or "y", FUZZY_FINAL.get(final, final)


_initial_class: dict[int, str] = {}  # a character → its alike initial, upper case ("Y": none), "?": no reading
def _initials(label: str) -> str:
    """The alike initials of a label's characters, one capital letter each ("?" for a character without
    a reading, itself for anything else): ``str.translate`` over a table filled as characters are met."""
    key = label.translate(_initial_class)
    if not key.isascii():
        for ch in label:
            if ord(ch) not in _initial_class and CJK.match(ch):
                initial, final = fuzzy(ch)
                _initial_class[ord(ch)] = initial[:1].upper() if final else "?"
        key = label.translate(_initial_class)
    return key


def _sound_key(label: str) -> str | None:
    if SOUND_MIN <= len(label) <= SOUND_MAX:
        key = _initials(label)
        if key.isalpha() and key.isupper() and key.isascii():
            return key
    return None


def sound_table(labels: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """The labels of ``SOUND_MIN``–``SOUND_MAX`` characters, every one with a reading, by the alike
    initials of their syllables (``labels``: a catalog snapshot's folded labels)."""
    table: dict[str, list[str]] = {}
    for label in labels:
        key = _sound_key(label)
        if key is not None:
            table.setdefault(key, []).append(label)
    return {key: tuple(found) for key, found in table.items()}


def sound_table_changed(table: dict[str, tuple[str, ...]], labels: Mapping[str, object],
                        touched: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """The sound table of a snapshot whose labels are ``labels``, from the table of the snapshot before
    it and the labels whose holders changed between the two (``touched``): a copy, the old one is still read."""
    table = dict(table)
    for label in touched:
        key = _sound_key(label)
        if key is None:
            continue
        held = table.get(key, ())
        if label in labels and label not in held:
            table[key] = (*held, label)
        elif label not in labels and label in held:
            table[key] = tuple(other for other in held if other != label)
    return table


def sound_alike(form: str, table: dict[str, tuple[str, ...]]) -> list[tuple[str, float]]:
    """(label, score) of the labels sharing at most one character with the form that sound like it
    place by place (see ``SOUND_MIN``)."""
    if not SOUND_MIN <= len(form) <= SOUND_MAX:
        return []
    key = _sound_key(form)
    if key is None:
        return []
    sounds = [fuzzy(ch) for ch in form]
    found = []
    letters = set(form)
    for label in table.get(key, ()):
        agree = 0.0
        unlike = 0
        for ch, other, (_, final) in zip(form, label, sounds):
            if ch == other:
                agree += 1.0
            elif fuzzy(other)[1] == final:
                agree += 0.8
            else:
                agree += SOUND_UNLIKE_FINAL
                unlike += 1
        if unlike <= 1 and len(letters.intersection(label)) <= 1:  # sharing more: scored by characters
            found.append((label, SOUND_SCORE * agree / len(form)))
    return found


def near_labels(postings: Mapping[str, tuple[str, ...]], weights: CharWeights, forms: list[str],
                taken: set[str], sounds: dict[str, tuple[str, ...]] | None = None) -> list[tuple[str, float, float, str]]:
    """(label, score, share of the query it holds, form) of the labels close to any query form, best
    first, at most ``MAX_HITS``; labels in ``taken`` (already hits of a better tier) are skipped.
    ``weights``: the snapshot's character weights; ``sounds``: its sound table (``sound_table``), searched
    for sound-alike labels (``sound_alike``)."""
    sounds = sounds or {}
    unknown = log(1.0 + weights.total)  # a character on no label: as rare as can be
    best: dict[str, tuple[float, float, str, int]] = {}
    for text in forms:
        if not 2 <= len(text) <= MAX_QUERY:
            continue
        form = _Form(text, weights, unknown)
        for label in _candidates(postings, text, taken):
            value, shared = score(form, label, weights)
            if shared >= 2:
                keep = value >= MIN_SCORE
            elif next(iter(form.chars.intersection(label))) not in COMMON_CHARS:
                keep = value >= MIN_SCORE_ONE
            else:
                keep = value >= MIN_SCORE_PLACE and _same_place(text, label)
            if keep and value > best.get(label, (0.0,))[0]:
                cover = sum(1 for ch in text if ch in label) / len(text)
                best[label] = (value, cover, text, shared)
        for label, value in sound_alike(text, sounds):
            if value > best.get(label, (0.0,))[0] and label not in taken:
                cover = sum(1 for ch in text if ch in label) / len(text)
                best[label] = (value, cover, text, 0)
    ranked = sorted(best.items(), key=lambda item: (-round(item[1][0], 6), item[0]))[:MAX_HITS]
    if len(ranked) > 1:  # the margin rule: a best match that is not clearly ahead of the next is a guess
        (top, _, _, shared), second = ranked[0][1], ranked[1][1][0]
        if top < MARGIN_BELOW and top - second < (MARGIN_ONE if shared == 1 else MARGIN):
            return []
    return [(label, value, cover, form) for label, (value, cover, form, _) in ranked]


def _same_place(form: str, label: str) -> bool:
    """A form and a label of two characters sharing a common character, not a filler, at the same place."""
    return (len(form) == 2 == len(label)
            and any(a == b and a not in FILLER_CHARS for a, b in zip(form, label)))


def _candidates(postings: Mapping[str, tuple[str, ...]], form: str, taken: set[str]) -> list[str]:
    """At most ``CANDIDATES`` labels worth scoring for a form, found with set operations (a common word's
    character is on thousands of labels at 100k concepts): first those holding one of its bigrams or two
    of its ``PAIR_CHARS`` rarest characters (most characters shared, then closest in length), then for
    a short form those holding a rare character that is not a common one (closest in length)."""
    strong: set[str] = set()
    for i in range(len(form) - 1):
        labels = postings.get(form[i : i + 2], ())
        if len(labels) <= CHAR_POSTING:
            strong.update(labels)
    chars = sorted((len(postings.get(ch, ())), ch) for ch in set(form))
    held = [postings[ch] for df, ch in chars[:PAIR_CHARS] if 0 < df <= CHAR_POSTING]  # rarest first
    for i in range(len(held) - 1):
        rarer = set(held[i])
        for other in held[i + 1 :]:
            strong.update(rarer.intersection(other))
    strong.difference_update(taken)
    strong.discard(form)
    m = len(form)
    if len(strong) > CANDIDATES:
        letters = set(form)
        return nsmallest(CANDIDATES, strong, key=lambda label: (-len(letters.intersection(label)),
                                                                 abs(len(label) - m), label))
    found = sorted(strong)
    if m <= ONE_CHAR_QUERY:
        weak: set[str] = set()
        for df, ch in chars:
            if 0 < df <= ONE_CHAR_POSTING and ch not in COMMON_CHARS:
                weak.update(postings[ch])
        weak.difference_update(strong, taken)
        weak.discard(form)
        found += nsmallest(CANDIDATES - len(found), weak, key=lambda label: (abs(len(label) - m), label))
    if m == 2 and len(found) < CANDIDATES:
        place: list[str] = []
        seen = set(found)
        for at, ch in enumerate(form):
            if ch in COMMON_CHARS and ch not in FILLER_CHARS:
                labels = postings.get(ch, ())
                if len(labels) <= SAME_PLACE_POSTING:
                    place += [label for label in labels if len(label) == 2 and label[at] == ch
                              and label != form and label not in taken and label not in seen]
        # the other character sounding alike first (回音 / 回声 before 回答)
        found += nsmallest(CANDIDATES - len(found), place, key=lambda label: (-_aligned(form, label), label))
    return found


def marks(form: str, label: str) -> tuple[str, ...]:
    """The runs of ``label`` made of characters of the query form (what a near match shares)."""
    runs, run = [], ""
    for ch in label:
        if ch in form:
            run += ch
        elif run:
            runs.append(run)
            run = ""
    if run:
        runs.append(run)
    return tuple(sorted(set(runs), key=lambda r: (-len(r), r)))
