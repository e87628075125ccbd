"""A label holding a right-to-left override (U+202E) turns around only its own text, not the page after it (a
search hit's 匹配 line was drawn inside the label):
every element that shows stored text isolates its direction (``unicode-bidi: isolate`` in shuyu.css)."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from registry.model import ConceptVersion, Term

SPOOF = "双向\u202e覆盖标签"  # U+202E RIGHT-TO-LEFT OVERRIDE, never closed by U+202C


@pytest.fixture(scope="module")
def spoofed(site):
    store = site.services.store
    if "bidi-override" not in site.services.search.catalog.concepts:
        store.append([ConceptVersion(id="bidi-override", scheme="dv-terms", terms=(Term(text=SPOOF, type="preferred"),),
                                     definition=f"定义里也有{SPOOF}一段文字。")], actor="test")
        site.services.search.catch_up()
    return site


def test_the_hit_after_the_override_reads_left_to_right(spoofed, browser):
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    page.goto(f"{spoofed.url}/?q={quote('双向')}")
    hit = page.locator("li[data-id='bidi-override']")
    label, how = hit.locator("a.label").bounding_box(), hit.locator(".how").bounding_box()
    # on one line, the explanation that follows the label in the markup stays to its right
    assert abs(label["y"] - how["y"]) < label["height"] and how["x"] > label["x"] + label["width"] - 1, (label, how)
    page.close()
