"""/schema renders in a real browser with the network cut off: the OpenAPI viewer is served by us."""

from __future__ import annotations

from urllib.parse import urlsplit





def test_the_openapi_viewer_renders_offline(browser, live_server):
    context = browser.new_context()
    refused: list[str] = []
    fetched: list[str] = []

    def only_localhost(route):
        url = route.request.url
        if urlsplit(url).hostname in ("127.0.0.1", "localhost") or url.startswith(("data:", "blob:")):
            fetched.append(url)
            route.continue_()
        else:
            refused.append(url)
            route.abort()

    context.route("**/*", only_localhost)
    page = context.new_page()
    page.goto(live_server.url + "/schema", wait_until="networkidle")
    page.wait_for_selector(".opblock", timeout=30_000)
    assert page.locator(".opblock").count() >= 25  # every operation is listed
    assert "shuyu" in page.locator(".title").first.inner_text()
    assert refused == [], refused  # nothing from a CDN or a font service
    assert any(url.endswith("/static/swagger-ui/swagger-ui-bundle.js") for url in fetched)
    # an operation opens and shows its documented problems
    page.locator(".opblock-summary-path", has_text="/api/v1/search").first.click()
    page.wait_for_selector(".responses-table")
    assert "application/problem+json" in page.locator(".opblock-body").first.inner_text()
    context.close()
