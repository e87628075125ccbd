"""Near matches: labels that share characters with a short query that no label tier answered.

Real regional wording is short and shares one or two characters with the registered term (公事包 /
公文包, 優養化 / 富营养化, 腎元 / 肾单位). A label is close to a query form when it holds enough of the
query's characters, weighed by how rare each character is among the registered labels (a character on
few labels says more than one on thousands) and by whether it is a common character of the language at
all (的, 化, 业 say almost nothing). Shared bigrams and characters at the same position (from the start
or from the end) count more. The score is in [0, 1]; the thresholds below were tuned on the development
half of the regional set (tests/search_eval/regional.py), never on the held-out half.

Candidates come from the catalog's in-memory postings: every label holding one of the query's
characters or bigrams, a character on more than ``CHAR_POSTING`` labels proposing none on its own.
"""

from __future__ import annotations

from collections import Counter
from math import log

# The 500 most frequent characters of jieba's bundled dictionary (word frequencies summed per character):
# one of these alone is not a match. Generated once; see docs/search.md.
COMMON_CHARS = frozenset(
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

CHAR_POSTING = 5000  # a character on more labels than this proposes no candidates on its own
CANDIDATES = 200  # labels scored per query form, those sharing the most characters and bigrams
MAX_QUERY = 16  # longer queries are for the partial tier, not this one
MAX_HITS = 20  # near matches per query: at most a page
COMMON_WEIGHT = 0.5  # a common character weighs half its rarity
# the guard, tuned on the development half (see docs/search.md for the precision it keeps)
MIN_SCORE = 0.35  # two or more shared characters
MIN_SCORE_ONE = 0.35  # one shared character, which must not be a common one


def _weight(df: int, total: int, ch: str) -> float:
    w = log(1.0 + total / (1.0 + df))
    return w * COMMON_WEIGHT if ch in COMMON_CHARS else w


def _aligned(query: str, label: str) -> int:
    """Characters of the query at the same position in the label, from the start or from the end."""
    m, n = len(query), len(label)
    return sum(1 for i, ch in enumerate(query)
               if (i < n and label[i] == ch) or (0 <= n - m + i < n and label[n - m + i] == ch))


def score(query: str, label: str, weights: dict[str, float], label_weight: float) -> tuple[float, int]:
    """(closeness in [0, 1], distinct shared characters) of a Chinese query form and a label."""
    shared = set(query).intersection(label)
    if not shared:
        return 0.0, 0
    query_weight = sum(weights[ch] for ch in query)
    common = sum(weights[ch] * min(query.count(ch), label.count(ch)) for ch in shared)
    grams = {query[i : i + 2] for i in range(len(query) - 1)}
    shared_grams = sum(1 for i in range(len(label) - 1) if label[i : i + 2] in grams)
    gram_share = shared_grams / len(grams) if grams else 0.0
    m, n = len(query), len(label)
    value = (0.35 * common / query_weight + 0.2 * common / label_weight + 0.15 * min(gram_share, 1.0)
             + 0.15 * _aligned(query, label) / m + 0.15 * min(m, n) / max(m, n))
    return value, len(shared)


def near_labels(postings: dict[str, tuple[str, ...]], total: int, forms: list[str],
                taken: set[str]) -> list[tuple[str, float, float, str]]:
    """(label, score, share of the query it holds, form) of the labels close to any query form, best
    first, at most ``MAX_HITS``; labels in ``taken`` (already hits of a better tier) are skipped."""
    best: dict[str, tuple[float, float, str]] = {}
    cache: dict[str, float] = {}

    def weight(ch: str) -> float:
        w = cache.get(ch)
        if w is None:
            w = cache[ch] = _weight(len(postings.get(ch, ())), total, ch)
        return w

    for form in forms:
        if not 2 <= len(form) <= MAX_QUERY:
            continue
        weights = {ch: weight(ch) for ch in form}
        proposed: Counter[str] = Counter()
        for ch in dict.fromkeys(form):
            labels = postings.get(ch, ())
            if len(labels) <= CHAR_POSTING:
                proposed.update(labels)
        for i in range(len(form) - 1):
            proposed.update(postings.get(form[i : i + 2], ()))
        for label, _ in proposed.most_common(CANDIDATES):
            if label in taken or label == form:
                continue
            for ch in label:
                if ch not in weights:
                    weights[ch] = weight(ch)
            value, shared = score(form, label, weights, sum(weights[ch] for ch in label))
            if shared >= 2:
                keep = value >= MIN_SCORE
            else:
                keep = value >= MIN_SCORE_ONE and next(iter(set(form).intersection(label))) not in COMMON_CHARS
            if keep and value > best.get(label, (0.0,))[0]:
                cover = sum(1 for ch in form if ch in label) / len(form)
                best[label] = (value, cover, form)
    ranked = sorted(best.items(), key=lambda item: (-round(item[1][0], 6), item[0]))[:MAX_HITS]
    return [(label, value, cover, form) for label, (value, cover, form) in ranked]


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
