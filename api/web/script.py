"""One script everywhere: which script a request reads in, and converting page text into it.

The choice comes from ``?script=`` (and is then kept in a cookie), else the cookie, else the browser's
``Accept-Language`` on a first visit. Interface text is converted with the regional OpenCC conversions
(s2twp, s2hk); official titles only character by character (s2t), so that a standard's title keeps its
mainland wording (GB/T 43697 stays 數據安全技術, never 資料安全技術).
"""

from __future__ import annotations

from litestar import Request

from search.analysis import render

from ..views import official_title

SCRIPTS = {"zh-Hans": "简体", "zh-Hant": "繁體", "zh-TW": "台灣", "zh-HK": "香港"}
DEFAULT = "zh-Hans"
COOKIE = "script"
ONE_YEAR = 365 * 24 * 3600


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
        if not tag.startswith("zh"):
            continue
        if tag.endswith(("-tw",)) or tag == "zh-hant-tw":
            return "zh-TW"
        if tag.endswith(("-hk", "-mo")):
            return "zh-HK"
        if "hant" in tag:
            return "zh-Hant"
        return "zh-Hans"
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


def ui(text: str, script: str) -> str:
    """Interface text (labels, headings, facet names) in ``script``, regional wording included."""
    return render(text, script) if text else text


def official(text: str, script: str) -> str:
    """An official title in ``script``: characters only, never regional wording."""
    return official_title(text, script)
