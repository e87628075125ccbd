"""All of it in Chinese (issue 22, item 3): a page-by-page scan finds no English word on any HTML page outside
proper names, codes and what is marked ``lang="en"`` (English terms and definitions); error pages and form
errors come from the message catalogue; the JSON API keeps English with a stable ``code`` per problem."""

from __future__ import annotations

import httpx
import lxml.html
import pytest

from api.web import messages
from tests.web.pages import DRAFTING_PAGES, READER_PAGES, editor_pages
from tests.web.test_whole_version import signed_in_client

# names and codes a Chinese page may show as they are
PROPER = {"shuyu", "API", "OpenAPI", "JSON", "CSV", "TBX", "SKOS", "HTML", "Markdown", "docx", "DCMM", "CSRF",
          "URL", "Swagger", "ReDoc", "GB", "GBT", "ISO", "NY", "DB", "Turtle", "XML", "RDF", "PDF", "SVG",
          "AI", "APEC", "IoT", "GIS", "APP", "App", "ICS", "CCS", "MiB", "Word", "szxc",
          "broader", "related"}  # SKOS's property names, quoted as such in a scheme's description
SKIP = {"script", "style", "noscript", "code", "kbd", "samp", "template"}


def english_words(html: str) -> list[str]:
    """The English words a reader sees on the page (text and the attributes read out), outside lang="en"."""
    root = lxml.html.fromstring(html)
    found: list[str] = []

    def walk(el, english: bool) -> None:
        if not isinstance(el.tag, str) or el.tag in SKIP:
            return
        lang = el.get("lang") or ""
        # lang="en" (English terms), romanised Chinese (pinyin) and translate="no" (people's names) are not
        # interface wording
        english = english or lang.startswith("en") or "Latn" in lang or el.get("translate") == "no"
        if not english:
            for attr in ("title", "placeholder", "aria-label", "alt"):
                found.extend(messages.english(el.get(attr) or ""))
            found.extend(messages.english(el.text or ""))
        for child in el:
            walk(child, english)
            if not english:
                found.extend(messages.english(child.tail or ""))

    head_title = root.find(".//title")
    if head_title is not None:
        found.extend(messages.english(head_title.text or ""))
    body = root.find(".//body")
    walk(body if body is not None else root, False)
    return [w for w in found if w not in PROPER]


def _pages(site) -> list[tuple[str, str]]:
    return READER_PAGES + DRAFTING_PAGES + editor_pages(site) + [
        ("not-found", "/concepts/no-such-concept"),
        ("no-page", "/no/such/page"),
        ("bad-query", "/?q=" + "长" * 300),
    ]


@pytest.mark.parametrize("script", ["zh-Hans", "zh-TW"])
def test_no_english_word_on_any_page(site, script):
    client = signed_in_client(site, "rose")  # a reviewer sees every editor page
    problems = {}
    for name, path in _pages(site):
        joiner = "&" if "?" in path else "?"
        answer = client.get(f"{path}{joiner}script={script}")
        assert answer.headers["content-type"].startswith("text/html"), (name, answer.status_code)
        words = english_words(answer.text)
        if words:
            problems[name] = sorted(set(words))[:12]
    client.close()
    assert not problems, problems


def test_error_pages_speak_chinese(site):
    client = signed_in_client(site, "emil")  # an editor, not a reviewer
    proposal = site.seeded["proposal"]
    # 405: a GET on a form's address
    answer = client.get(f"/editor/proposals/{proposal}/comment")
    assert answer.status_code == 405
    assert not english_words(answer.text), english_words(answer.text)
    assert "不接受这种请求方式" in answer.text
    # CSRF failure: a post without the token
    answer = client.post(f"/editor/proposals/{proposal}/comment", data={"comment": "x"})
    assert answer.status_code == 403
    assert not english_words(answer.text), english_words(answer.text)
    assert "跨站请求校验" in answer.text
    # 403: an editor on the reviewers' queue
    answer = client.get("/editor/review")
    assert answer.status_code == 403
    assert not english_words(answer.text), english_words(answer.text)
    assert "审核人角色" in answer.text and "编辑" in answer.text
    # 414: a search whose query string is over the bound (1,000 characters, 9 bytes each once percent-encoded)
    answer = client.get("/", params={"q": "术" * 1000})
    assert answer.status_code == 414
    assert not english_words(answer.text), english_words(answer.text)
    assert "网址太长" in answer.text and "缩短检索词" in answer.text
    client.close()


def test_the_catalogue_renders_the_registrys_sentences():
    assert messages.detail("reviewing a proposal needs the reviewer role; alice is editor", "forbidden") == \
        "审核提案需要审核人角色;alice 是编辑。"
    assert messages.detail("q: Expected `str` of length <= 200", "invalid-input") == "检索词太长:最多 200 个字符。"
    assert messages.detail("CSRF token verification failed", "forbidden").startswith("表单已过期")
    assert not messages.english(messages.detail("something nobody wrote a rendering for", "conflict"))
    assert messages.change_note("loaded from the bundled vocabulary") == "随软件附带的词表载入"
    assert messages.detail("已经是中文的说明", "conflict") == "已经是中文的说明"
    quoted = ("concept x: preferred label '智慧农业' is already the preferred label of smart-agriculture in scheme "
              "dv-terms (compared after Simplified/Traditional folding)")  # English quoting a Chinese label
    assert messages.detail(quoted, "rule-violation", "terms").startswith("规范术语“智慧农业”已是")


def test_the_json_api_stays_english_with_a_stable_code(site):
    answer = httpx.get(site.url + "/api/v1/concepts/no-such-concept", timeout=30)
    body = answer.json()
    assert answer.status_code == 404 and body["code"] == "not-found"
    answer = httpx.post(site.url + "/api/v1/proposals", json={}, timeout=30)
    assert answer.json()["code"] == "unauthorized"
