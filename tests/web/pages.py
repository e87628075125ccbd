"""The pages of the site, as (name, path) pairs: every reader page and every editor page."""

from __future__ import annotations

from urllib.parse import quote

READER_PAGES = [
    ("home", "/"),
    ("search", "/?q=" + quote("数据")),
    ("scheme-terms", "/schemes/dv-terms"),
    ("scheme-agri-data", "/schemes/agri-data"),
    ("concept", "/concepts/smart-agriculture"),
    ("concept-deprecated-or-graded", "/concepts/mobile-payment"),
    ("history", "/concepts/digital-village/history"),
    ("old-version", "/concepts/digital-village/versions/1"),
    ("diff", "/concepts/digital-village/diff?from=1&to=2"),
    ("changes", "/changes"),
    ("releases", "/releases"),
    ("release", "/releases/2026.1"),
    ("standards", "/standards"),
    ("standards-filtered", "/standards?status=in_force&kind=national"),
    ("standard", "/standards/gbt-43697-2024"),
]

# the drafting tools (issue 13); the checker's page with a result is reached by submitting its form
DRAFTING_PAGES = [
    ("check", "/check"),
    ("clause-empty-basket", "/clause"),
    ("clause-basket", "/clause?add=smart-agriculture"),
    ("clause-broader", "/clause?scheme=dv-terms&broader=smart-agriculture"),
    ("harmonisation", "/reports/harmonisation"),
]
# a draft with every kind of finding: regional and Traditional wording, a term written two ways, English
SAMPLE_DRAFT = "各地推进數位鄉村建设，推广行動支付和移动支付；发展智慧农业（smart agriculture）与智慧農業。\n第二段：数字乡村。"


def editor_pages(site) -> list[tuple[str, str]]:
    return [
        ("signin", "/signin"),
        ("my-proposals", "/editor"),
        ("review-queue", "/editor/review"),
        ("propose-new", "/editor/propose/new?scheme=dv-terms"),
        ("propose-revision", "/editor/propose/revise/smart-agriculture"),
        ("propose-deprecation", "/editor/propose/deprecate/rural-broadband"),
        ("propose-standard-status", "/editor/propose/standard/gbt-43697-2024"),
        ("proposal", f"/editor/proposals/{site.seeded['proposal']}"),
    ]
