"""Search hits as the web page shows them: the label and definition with highlights, the English and
regional terms, and how the hit matched in words a reader understands."""

from __future__ import annotations

from msgspec import Struct

from registry.languages import EN, ZH_HANS, ZH_HANT, ZH_HK, ZH_TW, is_english, is_regional, is_simplified, regional_set
from registry.text import converter
from search.analysis import CJK_RUN
from search.highlight import highlight
from search.labels import DEFINITION, NEAR, PARTIAL, SOUND
from search.service import Hit

from ..views import qualifier
from .script import convert as render
from .labels import TERM_TYPES
from .script import curated_labels, official

HOW_LANG = {ZH_TW: "台湾用语", ZH_HK: "香港用语", EN: "英文"}


def how_lang(lang: str) -> str | None:
    """How a term's language reads on a hit: 台湾用语 (zh-TW, zh-Hant-TW), 香港用语 (zh-HK, zh-MO), 英文 (en-*)."""
    return HOW_LANG.get(regional_set(lang) or (EN if is_english(lang) else ""))
HOW_TYPE = {**TERM_TYPES, "code": "标准编号", "title": "标准名称"}  # how a hit matched: a term's type, or a standard's


class WebHit(Struct, kw_only=True):
    id: str
    kind: str
    href: str
    label: str  # HTML (escaped, with <mark>)
    code: str
    definition: str  # HTML
    english: str
    regional: list[tuple[str, str]]  # (lang, text)
    scheme: str
    status: str
    grade: str | None
    how: str
    matched: str
    replaced_by: list[tuple[str, str]]
    qualifier: str = ""  # a homonym's broader concept or scheme
    near: bool = False  # a near match (label-near): the page lists these under a heading of their own


def how_matched(hit: Hit, query: str) -> str:
    """The way a hit matched, in a reader's words: 台湾用语, 拼音, 英文, 缩略语, 定义 ..."""
    if hit.tier == DEFINITION:
        return "定义"
    if hit.tier == NEAR:
        return "相近词语"
    if hit.tier == SOUND:
        return "读音相近"
    if hit.tier == PARTIAL:
        return "部分相符"
    if hit.matched_lang and (how := how_lang(hit.matched_lang)):
        return how
    if (query.isascii() and any(ch.isalpha() for ch in query) and not hit.matched_lang
            and (hit.kind == "concept" or hit.matched_type == "title")):  # a standard's title by its pinyin
        return "拼音"
    if hit.matched_type in HOW_TYPE and hit.matched_type != "preferred":
        return HOW_TYPE[hit.matched_type]
    simplified = converter("t2s").convert(query)
    taiwan = converter("tw2sp").convert(query)
    # 數位鄉村 found 数字乡村 through Taiwan's wording, not through its characters alone (数位乡村); in a
    # query of several terms (数字乡村，智慧农业) only a label that is Taiwan's wording of one of them
    if taiwan not in (simplified, query) and _holds(taiwan, hit.matched) and not _holds(simplified, hit.matched):
        return "台湾用语"
    if simplified != query and not _own_term_simplified(query, hit.matched):
        return "繁体"
    return "规范术语" if hit.kind == "concept" else HOW_TYPE.get(hit.matched_type, "")


def _own_term_simplified(query: str, label: str) -> bool:
    """In a query of several terms (耕地，三務), whether the one that found ``label`` is written as
    Simplified is (耕地): it did not match as Traditional because another term is Traditional."""
    runs = CJK_RUN.findall(query)
    if runs == [query]:
        return False
    t2s = converter("t2s").convert
    return any(_holds(run, label) and t2s(run) == run for run in runs)


def _holds(form: str, label: str) -> bool:
    """A folded query form and a label one of which holds the other (数字乡村 and 数字乡村发展)."""
    return label in form or form in label


def _typed_taiwan_wording(asked: str, label: str) -> str:
    """The words of the query, as typed, that are Taiwan's wording of ``label``: the whole query, or
    in a query of several terms, or a term among Latin words, the run of characters that is (數位鄉村 of
    數位鄉村、智慧農業 or of 數位鄉村 smart agriculture)."""
    runs = CJK_RUN.findall(asked)
    if runs == [asked]:
        return asked
    # the label itself (a curated 行動支付 in 行動支付 資通安全) or what tw2sp makes of the run (數位鄉村)
    return next((run for run in runs if run == label or _holds(converter("tw2sp").convert(run), label)), asked)


def web_hit(catalog, hit: Hit, terms: tuple[str, ...], query: str, script: str) -> WebHit:
    how = how_matched(hit, query)
    if hit.kind == "standard":
        s = catalog.standards[hit.id]
        notes = "；".join(s.notes)
        title = official(s.title, script)
        return WebHit(id=s.id, kind="standard", href=f"/standards/{s.id}", code=s.code,
                      label=highlight(s.title, terms, ZH_HANT if script != ZH_HANS else script) or _esc(title),
                      definition=highlight(notes, terms, script) or _esc(render(notes, script)),
                      english=s.title_en, regional=[], scheme="standards", status=s.status, grade=None, how=how,
                      matched=official(hit.matched, script), replaced_by=[], near=hit.tier == NEAR)  # as its title
    c = catalog.concepts[hit.id]
    regional = [(t.lang, t.text) for t in c.terms if is_regional(t.lang) and t.type != "hidden"]
    asked = query.strip()
    regional_hit = next(((lang, text) for lang, text in regional if text == asked), None)
    if regional_hit and hit.tier != DEFINITION:  # 數位鄉村 matched as the Taiwan term it is, not as 繁体 数字乡村
        how, matched = how_lang(regional_hit[0]) or how, regional_hit[1]
    curated_names = curated_labels(catalog, script)
    if not regional_hit:
        if how == "台湾用语":
            matched = _typed_taiwan_wording(asked, hit.matched)  # the Taiwan word as typed
        elif hit.matched_lang and not is_simplified(hit.matched_lang):
            matched = hit.matched  # a regional or English term is quoted as it is written
        else:  # a Simplified label, quoted in the page's script (公文包 on a zh-TW page: 公文包 → 公事包 if curated)
            matched = curated_names.get(hit.matched) or render(hit.matched, script)
    curated = next((text for lang, text in regional if is_regional(lang, script)), None)
    label = (highlight(curated, terms) or _esc(curated)) if curated else (
        highlight(c.preferred, terms, script) or _esc(render(c.preferred, script)))
    return WebHit(
        id=c.id, kind="concept", href=f"/concepts/{c.id}", code=c.notation, label=label,
        definition=highlight(c.chinese_definition, terms, script) or _esc(render(c.chinese_definition, script)),
        english=c.english, regional=regional, scheme=c.scheme, status=c.status, grade=c.grade, how=how,
        matched=matched, near=hit.tier == NEAR,
        replaced_by=[(r, curated_names.get(catalog.concepts[r].preferred) or render(catalog.concepts[r].preferred, script))
                     for r in c.replaced_by if r in catalog.concepts],
        qualifier=qualifier(catalog, c, script),
    )


def _esc(text: str) -> str:
    from html import escape
    return escape(text)
