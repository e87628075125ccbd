"""One script everywhere: which script a request reads in, and converting page text into it.

The choice comes from ``?script=`` (and is then kept in a cookie), else the cookie, else the browser's
``Accept-Language`` on a first visit. Interface text is converted with the regional OpenCC conversions
(s2twp, s2hk); official titles only character by character (s2t), so that a standard's title keeps its
mainland wording (GB/T 43697 stays 數據安全技術, never 資料安全技術).
"""

from __future__ import annotations

import re
from functools import lru_cache
from weakref import WeakKeyDictionary

from litestar import Request

from registry.languages import REGIONAL, is_regional, shown_script
from registry.model import TYPE_RANK
from search.analysis import render

from ..views import official_title

SCRIPTS = {"zh-Hans": "简体", "zh-Hant": "繁體", "zh-TW": "台灣", "zh-HK": "香港"}
DEFAULT = "zh-Hans"
COOKIE = "script"
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


# Words OpenCC's regional conversions get wrong in this domain (a standard is 發布, never 釋出; a policy
# 文件 is not a computer 檔案, a term's 类型 not a programmer's 型別; 並 not 併 in 批准并发布), and the one
# spelling of 台灣 the selector uses. A concept's own regional name is a curated label, not an entry here.
# Each is written as it should read; the rest of the text around it is converted as usual.
_ALL_TRADITIONAL = {"发布": "發布", "并发布": "並發布", "台湾": "台灣"}
OVERRIDES: dict[str, dict[str, str]] = {
    "zh-TW": {**_ALL_TRADITIONAL, "文件": "文件", "程序": "程序", "类型": "類型"},
    "zh-HK": dict(_ALL_TRADITIONAL),
    "zh-Hant": dict(_ALL_TRADITIONAL),
}


@lru_cache(maxsize=8)
def _override_pattern(script: str) -> re.Pattern | None:
    words = OVERRIDES.get(script)
    if not words:
        return None
    return re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)))


def convert(text: str, script: str) -> str:
    """``text`` in ``script`` by OpenCC, with the words of ``OVERRIDES`` as curated."""
    pattern = _override_pattern(script)
    if pattern is None or not pattern.search(text):
        return render(text, script)
    out, at = [], 0
    for found in pattern.finditer(text):
        out.append(render(text[at:found.start()], script) if found.start() > at else "")
        out.append(OVERRIDES[script][found.group()])
        at = found.end()
    out.append(render(text[at:], script) if at < len(text) else "")
    return "".join(out)


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
