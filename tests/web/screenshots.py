"""Screenshots of the main pages at 1280 and 390 px for the README: ``python -m tests.web.screenshots``.

Starts a server of its own on a temporary data folder (the bundled vocabulary, one revised concept, a release
and an open proposal, as the browser tests have them) and writes ``docs/screenshots/{page}-{width}.png``.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from api.settings import Settings
from registry.tokens import create_token
from tests.conftest import ARGS, CHROMIUM, LiveServer
from tests.web.conftest import PEOPLE, seed_history

OUT = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
WIDTHS = (1280, 390)
# (file name, path, signed in as, full page?): the pages a reader, an editor and a reviewer see first
PAGES = [
    ("home", "/", None, False),
    ("search", "/?q=数字乡村", None, False),
    ("search-taiwan", "/?q=數位鄉村&script=zh-TW", None, False),
    ("scheme", "/schemes/dv-terms?script=zh-Hans", None, False),
    ("concept", "/concepts/mobile-payment", None, False),
    ("history", "/concepts/digital-village/history", None, True),
    ("standard", "/standards/gbt-43697-2024", None, False),
    ("check", "/check", None, False),
    ("revise-form", "/editor/propose/revise/science-technology-backyard", "emil", True),
    ("proposal", "{proposal}", "rose", False),
]


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as data, LiveServer(Settings(data_dir=data, sync_interval=0.1)) as live:
        live.tokens = {name: create_token(live.services.store, name, role, actor="screenshots")[1]
                       for name, role in PEOPLE}
        live.seeded = seed_history(live)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
            for width in WIDTHS:
                contexts = {}
                for name, path, person, full in PAGES:
                    if person not in contexts:
                        context = browser.new_context(viewport={"width": width, "height": 900 if width > 600 else 844},
                                                      device_scale_factor=1, locale="zh-CN")
                        page = context.new_page()
                        if person:
                            page.goto(live.url + "/signin")
                            page.fill("#token", live.tokens[person])
                            page.click("form.form button[type=submit]")
                            page.wait_for_url("**/editor")
                        contexts[person] = page
                    page = contexts[person]
                    url = path.format(proposal=f"/editor/proposals/{live.seeded['proposal']}")
                    page.goto(live.url + url)
                    target = OUT / f"{name}-{width}.png"
                    page.screenshot(path=str(target), full_page=full)
                    print(target.relative_to(OUT.parents[1]))
                for page in contexts.values():
                    page.context.close()
            browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
