"""Every page: axe-core finds no serious or critical violation, nothing scrolls sideways at 390 px, one
h1 and a skip link; a screenshot of each goes to tests/artifacts/."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.web.conftest import shoot, sign_in
from tests.web.pages import DRAFTING_PAGES, READER_PAGES, SAMPLE_DRAFT, editor_pages

axe = Axe()


def check(page, name: str) -> list[str]:
    problems = []
    if page.locator("h1").count() != 1:
        problems.append(f"{name}: {page.locator('h1').count()} h1")
    if page.locator("a.skip[href='#main']").count() != 1:
        problems.append(f"{name}: no skip link")
    results = axe.run(page)
    for v in results.response["violations"]:
        if v["impact"] in ("serious", "critical"):
            problems.append(f"{name}: {v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}")
    return problems


def sideways(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


def look(page, name: str, width: int, problems: list[str]) -> None:
    """At 390 px: nothing scrolls sideways; wider: one h1, a skip link and no serious axe violation.
    A screenshot of every page either way."""
    if width == 390:
        overflow = sideways(page)
        if overflow > 0:
            problems.append(f"{name}: scrolls {overflow}px sideways at 390px")
    else:
        problems.extend(check(page, name))
    shoot(page, f"{name}-{width}")


@pytest.mark.parametrize("width", [1200, 390])
def test_reader_pages_are_accessible_and_fit(browser, site, width):
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    problems: list[str] = []
    for name, path in READER_PAGES:
        page.goto(site.url + path)
        look(page, name, width, problems)
    context.close()
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("width", [1200, 390])
def test_editor_pages_are_accessible_and_fit(browser, site, width):
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    sign_in(page, site, "rose")
    problems: list[str] = []
    for name, path in editor_pages(site):
        page.goto(site.url + path)
        look(page, f"editor-{name}", width, problems)
    context.close()
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("width", [1200, 390])
def test_drafting_pages_are_accessible_and_fit(browser, site, width):
    """The term checker (empty, and with a marked-up result), the clause page with and without a basket,
    and the harmonisation report."""
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    problems: list[str] = []
    for name, path in DRAFTING_PAGES:
        page.goto(site.url + path)
        look(page, f"drafting-{name}", width, problems)
    page.goto(site.url + "/check")
    page.fill("textarea[name=text]", SAMPLE_DRAFT)
    page.click("form.checker button[type=submit]")
    page.wait_for_selector(".draft mark.problem")
    look(page, "drafting-check-result", width, problems)
    context.close()
    assert not problems, "\n".join(problems)


def test_focus_is_visible(browser, site):
    page = browser.new_page()
    page.goto(site.url + "/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.className")
    assert focused == "skip"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert page.locator("a.skip").bounding_box()["x"] >= 0 and outline in ("solid", "auto")
    page.close()


def test_pages_and_schema_render_with_the_network_cut_off(browser, site):
    """Nothing comes from a CDN: with every other host unreachable, the pages and /schema still render."""
    context = browser.new_context()
    outside: list[str] = []

    def only_our_server(route):
        if route.request.url.startswith(site.url):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", only_our_server)
    page = context.new_page()
    for path in ("/", "/concepts/smart-agriculture", "/standards/gbt-43697-2024"):
        page.goto(site.url + path)
        assert page.evaluate("getComputedStyle(document.body).fontFamily").startswith("system-ui")
    page.goto(site.url + "/schema")
    page.wait_for_selector(".swagger-ui .info", timeout=30_000)
    assert "shuyu" in page.locator(".swagger-ui .info").inner_text()
    shoot(page, "schema-offline")
    assert not outside, outside
    context.close()
