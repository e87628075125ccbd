"""One script everywhere: which script a request reads in, and converting page text into it.

The choice comes from ``?script=`` (and is then kept in a cookie), else the cookie, else the browser's
``Accept-Language`` on a first visit. Interface text is converted with the regional OpenCC conversions
(s2twp, s2hk); official titles only character by character (s2t), so that a standard's title keeps its
mainland wording (GB/T 43697 stays 數據安全技術, never 資料安全技術).
"""

from __future__ import annotations

from weakref import WeakKeyDictionary

from litestar import Request

from registry.languages import REGIONAL, is_regional, shown_script
from registry.model import TYPE_RANK
from search.analysis import render

from ..views import official_title

SCRIPTS = {"zh-Hans": "简体", "zh-Hant": "繁體", "zh-TW": "台灣", "zh-HK": "香港"}
DEFAULT = "zh-Hans"
COOKIE = "script"
# what ``pick`` reads besides the URL (the cookie also names the signed-in session): a page varies on them
CHOSEN_FROM = ("Accept-Language", "Cookie")
ONE_YEAR = 365 * 24 * 3600


# the term types that may name a concept in a script; hidden, deprecated and superseded never do
CURRENT_NAMES = frozenset({"preferred", "admitted", "abbreviation"})


def from_accept_language(header: str | None) -> str:
    """The script a browser's language preferences ask for (the first Chinese one wins)."""
    if not header:
        return DEFAULT
    ranked = []
    for i, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        ranked.append((-quality, i, tag.strip().lower()))
    for _, _, tag in sorted(ranked):
        if script := shown_script(tag):
            return script
    return DEFAULT


def pick(request: Request) -> tuple[str, bool]:
    """The request's script, and whether it was chosen now (so the cookie should be set)."""
    asked = request.query_params.get("script")
    if asked in SCRIPTS:
        return asked, request.cookies.get(COOKIE) != asked
    kept = request.cookies.get(COOKIE)
    if kept in SCRIPTS:
        return kept, False
    return from_accept_language(request.headers.get("accept-language")), False


def convert(text: str, script: str) -> str:
    """``text`` in ``script``: OpenCC with the domain's words as curated (``search.analysis.OVERRIDES``), the
    same rendering as a concept's content gets."""
    return render(text, script)


def curated_labels(catalog, script: str) -> dict[str, str]:
    """A concept's Simplified preferred label → its curated label in ``script`` (the registry's own zh-TW or
    zh-HK term, e.g. 数字乡村 → 數位鄉村), built once per catalog snapshot and kept only while the snapshot
    is (a replaced snapshot is freed with its tables)."""
    if script not in REGIONAL or catalog is None:
        return {}
    tables = _CURATED.setdefault(catalog, {})
    table = tables.get(script)
    if table is None:
        table = tables[script] = _curated(catalog, script)
    return table


def _curated(catalog, script: str) -> dict[str, str]:
    # the concepts with a current name in the script, read from the snapshot's labels: only they are decoded
    langs: dict[str, bool] = {}
    named = set()
    for matches in catalog.by_label.values():
        for m in matches:
            if m.type in CURRENT_NAMES:
                regional = langs.get(m.lang)
                if regional is None:
                    regional = langs[m.lang] = is_regional(m.lang, script)
                if regional:
                    named.add(m.id)
    table: dict[str, str] = {}
    for concept_id in catalog.concepts:  # in the snapshot's order: the first concept of a preferred label wins
        if concept_id not in named:
            continue
        c = catalog.concepts[concept_id]
        # a current name only: hidden, deprecated and superseded terms never name it
        terms = sorted((TYPE_RANK[t.type], i, t.text) for i, t in enumerate(c.terms)
                       if is_regional(t.lang, script) and t.type in CURRENT_NAMES)
        if terms:
            table.setdefault(c.preferred, terms[0][2])
    return table


_CURATED: WeakKeyDictionary[object, dict[str, dict[str, str]]] = WeakKeyDictionary()


def ui(text: str, script: str, curated: dict[str, str] | None = None) -> str:
    """Interface text (labels, headings, facet names) in ``script``, regional wording included; a concept's
    name is its curated label in that script where the registry has one."""
    if not text:
        return text
    if curated and text in curated:
        return curated[text]
    return convert(text, script)


def official(text: str, script: str) -> str:
    """An official title in ``script``: characters only, never regional wording."""
    return official_title(text, script)
