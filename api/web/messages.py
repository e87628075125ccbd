"""Every word of the web pages' errors and notices in one place, in Simplified Chinese (pages convert it).

The registry and the JSON API speak English with a stable ``code`` per problem; an HTML page reads the same
problem through this catalogue: a title per status, a message per code, and the registry's detail sentences
(and msgspec's validation messages) rendered in Chinese by pattern. What no entry covers falls back to the
code's own message, so no English sentence reaches a page.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from msgspec import Struct

from . import labels

TITLES = {400: "请求无效", 401: "需要登录", 403: "没有权限", 404: "找不到", 405: "不接受这种请求方式",
          409: "与当前状态冲突", 412: "内容已被他人修改", 413: "内容太大", 414: "网址太长", 415: "不支持的内容类型",
          422: "内容无效", 429: "请求太频繁", 500: "服务器出错", 503: "服务暂时不可用"}

# one message per problem code (the last part of the problem's ``type``, or the status for ``about:blank``)
BY_CODE = {
    "invalid-input": "请求中有缺少或格式不对的内容。",
    "invalid-body": "提交的内容有字段不符合要求。",
    "not-found": "没有这个页面或条目。",
    "method-not-allowed": "这个网址不接受这种请求方式。请从网站的页面上操作。",
    "unauthorized": "需要先登录。",
    "forbidden": "您的角色不能做这件事。",
    "csrf": "表单已过期或无法确认来自本站(跨站请求校验未通过)。请回到上一页,刷新后再提交一次。",
    "rule-violation": "内容违反了登记库的规则。",
    "conflict": "这项操作与提案或条目的当前状态冲突。",
    "precondition-failed": "您看到的版本已不是最新的,请刷新后再操作。",
    "too-large": "提交的内容太大。",
    "query-too-long": "网址中的查询内容太长,请缩短检索词后再试。",
    "too-many-requests": "请求太频繁,请稍后再试。",
    "store-unavailable": "数据存储暂时无法访问,请稍后再试。",
    "search-unavailable": "检索索引正在重建,请稍后再试。",
    "internal-error": "服务器无法完成这个请求,已记录在日志中。",
    "invalid-vocabulary": "词表文件有错误。",
    "invalid-url": "网址无效：只接受 http(s) 网址。",
}
STATUS_CODES = {400: "invalid-input", 401: "unauthorized", 403: "forbidden", 404: "not-found",
                405: "method-not-allowed", 409: "conflict", 412: "precondition-failed", 413: "too-large",
                414: "query-too-long", 422: "invalid-body", 429: "too-many-requests", 500: "internal-error", 503: "store-unavailable"}

DOING = {"reviewing a proposal": "审核提案", "proposing": "提出提案", "editing a proposal": "修改提案",
         "edit": "修改", "submit": "提交", "withdraw": "撤回", "comment on": "评论", "review": "审核",
         "rebase": "重新套用"}

# the change notes the registry writes itself, as readers see them
CHANGE_NOTES = {"loaded from the bundled vocabulary": "随软件附带的词表载入", "bundled vocabulary": "随软件附带的词表",
                "imported": "导入"}

# a word of Latin letters that is not a code, an id or a number: what must not reach a Chinese page
HAN = re.compile(r"[\u3400-\u9fff]")
ENGLISH_WORD = re.compile(r"(?<![A-Za-z0-9_./:@#-])[A-Za-z]{3,}(?![A-Za-z0-9_./:@#-])")


def code_of(problem_type: str, status: int) -> str:
    """The stable code of a problem: the last part of its type, else the status's own."""
    if problem_type and problem_type != "about:blank":
        return problem_type.rstrip("/").rsplit("/", 1)[-1]
    return STATUS_CODES.get(status, "error")


def title(status: int) -> str:
    return TITLES.get(status, "出错了")


def _field(name: str) -> str:
    return labels.field_name(name)


def _state(name: str) -> str:
    return labels.PROPOSAL_STATES.get(name, name)


def _role(name: str) -> str:
    return labels.ROLES.get(name, name)


class Pattern(Struct, frozen=True):
    """An English sentence of the registry or of msgspec, and its Chinese rendering."""

    regex: re.Pattern
    render: Callable[[re.Match], str]


def _p(regex: str, render: Callable[[re.Match], str]) -> Pattern:
    return Pattern(re.compile(regex), render)


PATTERNS = [
    # registry/workflow.py
    _p(r"^(?P<doing>.+?) needs the (?P<role>\w+) role; (?P<who>\S+) is (?P<has>\w+)$",
       lambda m: f"{DOING.get(m['doing'], '这项操作')}需要{_role(m['role'])}角色;{m['who']} 是{_role(m['has'])}。"),
    _p(r"^(?P<who>\S+) wrote \(part of\) proposal (?P<id>\S+) and may not review it",
       lambda m: f"{m['who']} 撰写了提案 {m['id']}(或其中一部分),不能审核自己的提案;须由另一位审核人审核。"),
    _p(r"^proposal (?P<id>\S+) is (?P<state>\w+); only a submitted proposal is reviewed",
       lambda m: f"提案 {m['id']} 现在是“{_state(m['state'])}”,只有待审核的提案才能审核。"),
    _p(r"^proposal (?P<id>\S+) is (?P<state>\w+); cannot (?P<doing>[\w ]+?) it",
       lambda m: f"提案 {m['id']} 现在是“{_state(m['state'])}”,不能{DOING.get(m['doing'], '这样操作')}。"),
    _p(r"^only the author of proposal (?P<id>\S+) \((?P<who>[^)]*)\) may (?P<doing>[\w ]+?) it",
       lambda m: f"只有提案 {m['id']} 的作者({m['who']})可以{DOING.get(m['doing'], '这样操作')}。"),
    _p(r"^(?P<kind>concept|standard) (?P<id>\S+) exists already",
       lambda m: f"{labels.ENTITY_KINDS[m['kind']]} {m['id']} 已经存在;请提出修订。"),
    _p(r"^base version (?P<v>\d+) does not exist",
       lambda m: f"基础版本 v{m['v']} 不存在。"),
    _p(r"^a comment needs text", lambda m: "请填写意见。"),
    _p(r"^a deprecation names what replaces", lambda m: "废弃提案须写明取代概念或废弃理由。"),
    _p(r"^nothing to change", lambda m: "没有修改。"),
    _p(r"must not contain the NUL character", lambda m: "文字中不能含有空字符(U+0000)。"),
    # registry/rules.py (a field name starts at a word's start: ``\w+`` let free inside a word tried every
    # position of a long one, a quadratic search over an 8 KB id quoted in a 404)
    _p(r"needs exactly one preferred zh-Hans term, has (?P<n>\d+)",
       lambda m: f"须有且只有一个简体规范术语,现在有 {m['n']} 个。"),
    _p(r"preferred label '(?P<label>[^']*)' is already the preferred label of (?P<owner>\S+) in scheme (?P<scheme>\S+)",
       lambda m: f"规范术语“{m['label']}”已是同一方案中另一概念({m['owner']})的规范术语(按简繁折叠后比较)。"),
    _p(r"(?<!\w)(?P<field>\w+) points at itself", lambda m: f"{_field(m['field'])}不能指向概念自身。"),
    _p(r"(?<!\w)(?P<field>\w+) names unknown concept '(?P<id>[^']*)'",
       lambda m: f"{_field(m['field'])}中的概念“{m['id']}”不存在。"),
    _p(r"broader links form a cycle", lambda m: "上位概念形成了循环。"),
    _p(r"(?<!\w)(?P<field>\w+) holds a blank text", lambda m: f"{_field(m['field'])}不能为空(只有空格或不可见字符也算空)。"),
    _p(r"unknown scheme '(?P<id>[^']*)'", lambda m: f"方案“{m['id']}”不存在。"),
    # the drafting tools (drafting/, api/drafting.py)
    _p(r"is not a \.docx file", lambda m: "上传的文件不是 .docx 文件(.docx 是 zip 压缩包,这个文件不是)。"),
    _p(r"is a zip archive but not a Word document", lambda m: "上传的文件是 zip 压缩包,但不是 Word 文档。"),
    _p(r"not UTF-8 text", lambda m: "上传的文件不是 UTF-8 编码的文本;请把草案另存为 UTF-8。"),
    _p(r"looks like a binary file", lambda m: "这看起来是二进制文件,不是文本;请粘贴文字,或上传 .txt、.md 或 .docx 文件。"),
    _p(r"upload a \.txt, \.md or \.docx file", lambda m: "请上传 .txt、.md 或 .docx 文件。"),
    _p(r"holds (?P<n>[\d,]+) parts; a \.docx is read with at most (?P<most>[\d,]+)",
       lambda m: f"文件过大，未予检查：这个 .docx 有 {m['n']} 个部件，最多 {m['most']} 个。"),
    _p(r"unpacks to (?P<n>[\d,]+) bytes; a \.docx is read up to (?P<most>[\d,]+)",
       lambda m: f"文件过大，未予检查：这个 .docx 解压后有 {m['n']} 字节，最多 {m['most']} 字节。"),
    _p(r"unpacks to (?P<n>[\d,]+) bytes; a part is read up to (?P<most>[\d,]+)",
       lambda m: f"文件过大，未予检查：这个 .docx 的一个部件解压后有 {m['n']} 字节，最多 {m['most']} 字节。"),
    _p(r"this looks like a zip bomb",
       lambda m: "文件过大，未予检查：这个 .docx 的部件压缩比异常（疑似压缩炸弹）。"),
    _p(r"^the text is empty", lambda m: "文字为空。"),
    _p(r"^(?P<f>\w+) is blank \(empty", lambda m: f"{_field(m['f'])}不能为空(只有空格或不可见字符也算空)。"),
    _p(r" is empty$", lambda m: "上传的文件为空。"),
    _p(r"script is zh-Hans, zh-TW or zh-HK", lambda m: "字形须为简体、台湾或香港。"),
    _p(r"^at most (?P<n>\d+) ids", lambda m: f"最多 {m['n']} 个概念。"),
    _p(r"^revision (?P<n>\d+) does not exist yet", lambda m: f"修订号 {m['n']} 还不存在。"),
    _p(r"^give ids, or a scheme", lambda m: "请选择概念,或选择一个方案(及其上位概念)。"),
    _p(r"^(?P<n>\d+) concepts; a clause holds at most (?P<most>\d+)",
       lambda m: f"选了 {m['n']} 个概念;一个条款最多 {m['most']} 个。"),
    _p(r"^concept (?P<id>\S+) is in scheme (?P<a>\S+), not (?P<b>\S+)",
       lambda m: f"概念 {m['id']} 属于另一个方案({m['a']}),不属于 {m['b']}。"),
    _p(r"^the body is not valid JSON", lambda m: "请求内容不是有效的 JSON。"),
    # registry/urls.py: a stored URL
    _p(r"only http and https URLs are stored", lambda m: "网址无效：只接受以 http:// 或 https:// 开头的网址。"),
    _p(r"must not carry a user name or password", lambda m: "网址无效：不能含用户名和密码（user:pass@）。"),
    _p(r"a URL holds no whitespace", lambda m: "网址无效：不能含空白、控制字符、反斜杠、引号或尖括号。"),
    _p(r"a URL needs a host", lambda m: "网址无效：须有主机名（http://主机/…）。"),
    _p(r"a URL is at most (?P<n>[\d,]+) characters", lambda m: f"网址无效：最多 {m['n']} 个字符。"),
    _p(r"not a URL \(", lambda m: "网址无效：不是有效的网址。"),
    # msgspec validation (forms and query parameters); the field is named in Chinese
    _p(r"Expected `(?P<t>\w+)` of length <= (?P<n>\d+)(?: - at `\$\.(?P<f>\w+)`)?",
       lambda m: f"{_at(m)}太长:最多 {m['n']} {'项' if m['t'] == 'array' else '个字符'}。"),
    _p(r"Expected `(?P<t>\w+)` of length >= (?P<n>\d+)(?: - at `\$\.(?P<f>\w+)`)?",
       lambda m: f"{_at(m)}不能为空。" if m["n"] == "1" else f"{_at(m)}至少要 {m['n']} 项。"),
    _p(r"Expected `str` matching regex .*?(?: - at `\$\.(?P<f>\w+)`)?$", lambda m: f"{_at(m)}的格式不对。"),
    _p(r"Invalid enum value '(?P<v>[^']*)'(?: - at `\$\.(?P<f>\w+)`)?", lambda m: f"{_at(m)}的取值“{m['v']}”无效。"),
    _p(r"Object missing required field `(?P<name>\w+)`", lambda m: f"缺少必填的{_field(m['name'])}。"),
    _p(r"Expected `(?P<t>\w+)`, got `\w+`(?: - at `\$\.(?P<f>\w+)`)?", lambda m: f"{_at(m)}的格式不对。"),
    # litestar
    _p(r"^CSRF token", lambda m: BY_CODE["csrf"]),
    _p(r"^Method Not Allowed", lambda m: BY_CODE["method-not-allowed"]),
    _p(r"^Not Found", lambda m: BY_CODE["not-found"]),
]


def _at(m: re.Match) -> str:
    name = m.groupdict().get("f") or ""
    return _field(name) if name else "这一项"


def detail(text: str, code: str = "", field: str | None = None) -> str:
    """A problem's detail for a Chinese page: as it is when it is Chinese already, else by the catalogue."""
    text = (text or "").strip()
    if text and HAN.search(text) and len(english(text)) < 2 or text and not english(text):
        # written in Chinese (a name or an id inside is fine); an English sentence quoting a label is not
        return text
    for part in re.split(r"(?<=\S); (?=\w+: )", text):  # several parameter errors "q: ...; limit: ..."
        name, _, rest = part.partition(": ")
        sentence = rest if rest and re.fullmatch(r"[a-z_]+", name) else part
        for pattern in PATTERNS:
            found = pattern.regex.search(sentence)
            if found:
                rendered = pattern.render(found)
                if sentence is rest and name and "这一项" in rendered:
                    rendered = rendered.replace("这一项", _field(name))
                return rendered
    message = BY_CODE.get(code) or "请求无法完成。"
    return f"{_field(field)}:{message}" if field and field in labels.FIELDS else message


def change_note(note: str) -> str:
    """A version's change note: the registry's own notes in Chinese, an editor's as written."""
    return CHANGE_NOTES.get(note, note) if note else note


def english(text: str) -> list[str]:
    """The English words in ``text`` (three letters or more, not part of a code, id, path or address)."""
    return ENGLISH_WORD.findall(text)


def problem_text(problem: Any) -> tuple[str, str]:
    """(title, detail) of a problem for an HTML page."""
    code = getattr(problem, "code", "") or code_of(getattr(problem, "type", ""), problem.status)
    return title(problem.status), detail(getattr(problem, "detail", ""), code, getattr(problem, "field", None))
