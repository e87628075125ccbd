"""Browser tests of the web site: a live server with real tokens, Debian's chromium driven by Playwright.

Screenshots go to ``tests/artifacts/`` (ignored by git, kept by CI) so that a person can look at them.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

import msgspec

from api.settings import Settings
from registry.model import ConceptContent, Term
from registry.tokens import create_token
from registry.workflow import Actor, Editorial
from tests.conftest import LiveServer

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
PEOPLE = [("alice", "editor"), ("emil", "editor"), ("rose", "reviewer"), ("bob", "reviewer"), ("rita", "reader")]


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Iterator[LiveServer]:
    """A server of its own (the editorial tests change content), with a token for each person."""
    with LiveServer(Settings(data_dir=str(tmp_path_factory.mktemp("web")), sync_interval=0.1)) as live:
        store = live.services.store
        live.tokens = {name: create_token(store, name, role, actor="test")[1] for name, role in PEOPLE}
        live.seeded = seed_history(live)
        yield live


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    assert Path(CHROMIUM).exists(), "the browser tests need Debian's chromium: apt-get install chromium"
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield b
        b.close()


def seed_history(live: LiveServer) -> dict[str, str]:
    """A second version of 数字乡村 and a release, through the workflow, so history, diff and release pages
    have something to show; and a proposal left open for the proposal page."""
    store = live.services.store
    editorial = Editorial(store)
    alice, rose = Actor("alice", "editor"), Actor("rose", "reviewer")
    current = store.get("concept", "digital-village")
    content = ConceptContent(**{name: getattr(current, name) for name in ConceptContent.__struct_fields__})
    revised = msgspec.structs.replace(
        content, terms=(*content.terms, Term(text="数码乡村", type="admitted")),
        definition=content.definition.removesuffix("。") + "与智能化。")  # whatever the bundled wording
    p = editorial.propose(alice, kind="revise", target_kind="concept", target_id="digital-village",
                          concept=revised, note="补充许用术语", submit=True)
    editorial.review(rose, p.id, "approve", "")
    store.add_release("2026.1", actor="test", note="第一次发布")
    open_one = editorial.propose(alice, kind="revise", target_kind="concept", target_id="beidou",
                                 concept=_content(store.get("concept", "beidou"), note="北斗的注"), note="加注",
                                 submit=True)
    live.services.search.catch_up()
    return {"proposal": open_one.id}


def _content(version, **changes) -> ConceptContent:
    content = ConceptContent(**{name: getattr(version, name) for name in ConceptContent.__struct_fields__})
    if "note" in changes:
        content = msgspec.structs.replace(content, notes=(*content.notes, changes["note"]))
    return content


def shoot(page: Page, name: str) -> Path:
    """A full-page screenshot into tests/artifacts/ for people to look at."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def sign_in(page: Page, site: LiveServer, name: str) -> None:
    page.goto(site.url + "/signin")
    page.fill("#token", site.tokens[name])
    page.click("form.form button[type=submit]")
    page.wait_for_url("**/editor")
