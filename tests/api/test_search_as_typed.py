"""The search page and API over real HTTP for queries as people type them (tried by hand on 2026-12-06,
branch ``search10``): what each hit says about how it matched, in the page's script."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from api.settings import Settings
from tests.conftest import LiveServer


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[LiveServer]:
    with LiveServer(Settings(data_dir=str(tmp_path_factory.mktemp("typed-site")))) as live:
        yield live


@pytest.fixture()
def client(site) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=site.url, timeout=30) as c:
        yield c


def how(page: str, entity_id: str) -> str:
    hit = page.split(f'data-id="{entity_id}"', 1)[1].split("</li>", 1)[0]
    return hit.split('class="how">', 1)[1].split("</span>", 1)[0]


@pytest.mark.parametrize("script, quoted", [
    ("zh-Hans", "物联网 智慧农业数据传输技术应用指南"),
    ("zh-TW", "物聯網 智慧農業數據傳輸技術應用指南"),
    ("zh-HK", "物聯網 智慧農業數據傳輸技術應用指南"),
])
def test_a_standard_matched_in_part_is_quoted_in_the_pages_script(client, script, quoted):
    """Until 2026-12-06 a standard's matched title was quoted in Simplified on a Traditional page, beside
    its title in Traditional (a concept's matched label was rendered)."""
    page = client.get("/", params={"q": "物联网数据传输", "script": script}).text
    assert how(page, "gbt-43440-2023") == f"匹配:部分相符 <q>{quoted}</q>"
