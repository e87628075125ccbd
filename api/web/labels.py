"""The names readers see for the registry's codes: term types, languages, kinds, statuses, grades, stages.

Written in Simplified Chinese; pages convert them to the reader's script (``script.ui``).
"""

from __future__ import annotations

from registry.languages import EN, ZH_HANS, ZH_HK, ZH_TW, is_english, is_simplified, is_traditional, regional_set
from registry.model import GRADE_LABELS, STANDARD_STATUS_LABELS

TERM_TYPES = {"preferred": "规范术语", "admitted": "许用术语", "deprecated": "拒用术语",
              "superseded": "被取代术语", "abbreviation": "缩略语", "hidden": "检索用词"}


class _Tags(dict):
    """Language names; an imported tag of Chinese or English is named with its tag (简体（zh-CN）, 台湾（zh-Hant-TW）,
    英文（en-US）), any other (an imported es, fi, zu … term) is shown as the tag itself."""

    def __missing__(self, tag: str) -> str:
        if is_simplified(tag):
            return f"{self[ZH_HANS]}（{tag}）"
        if region := regional_set(tag):
            return f"{self[region]}（{tag}）"
        if is_traditional(tag):
            return f"繁体（{tag}）"
        if is_english(tag):
            return f"{self[EN]}（{tag}）"
        return tag


LANGS = _Tags({ZH_HANS: "简体", ZH_TW: "台湾", ZH_HK: "香港", EN: "英文"})


def shown_lang(lang: str, script: str) -> str:
    """The ``lang`` attribute of a term as a page shows it: Simplified text is rendered in the reader's script."""
    return script if is_simplified(lang) else lang
STANDARD_KINDS = {"national": "国家标准", "sector": "行业标准", "local": "地方标准", "group": "团体标准",
                  "guide": "指南", "specification": "规范", "policy": "政策文件"}
# concept statuses read differently from standard statuses, so the status facet never shows one name twice
CONCEPT_STATUSES = {"published": "有效", "deprecated": "已废弃"}
STANDARD_STATUSES = STANDARD_STATUS_LABELS
GRADES = GRADE_LABELS
GRADE_SHORT = {"core": "核心", "important": "重要", "general": "一般"}
ENTITY_KINDS = {"concept": "概念", "standard": "标准"}
FACETS = {"kind": "类型", "scheme": "方案", "status": "状态", "grade": "级别", "standard": "标准"}
PROPOSAL_KINDS = {"create": "新增概念", "revise": "修订", "deprecate": "废弃"}
PROPOSAL_STATES = {"draft": "草稿", "submitted": "待审核", "changes_requested": "需修改", "approved": "已批准",
                   "rejected": "已驳回", "withdrawn": "已撤回"}
DECISIONS = {"approve": "批准", "reject": "驳回", "request_changes": "要求修改"}
ROLES = {"reader": "读者", "editor": "编辑", "reviewer": "审核人", "admin": "管理员"}
FIELDS = {"terms": "术语", "definition": "定义", "definition_en": "英文定义", "notes": "注", "examples": "示例",
          "notation": "编码", "broader": "上位概念", "related": "相关概念", "grade": "级别", "sources": "来源",
          "status": "状态", "replaced_by": "取代概念", "scheme": "方案", "code": "编号", "title": "标题",
          "title_en": "英文标题", "kind": "类别", "status_date": "状态日期", "issued": "发布日期",
          "in_force": "实施日期", "bodies": "发布/归口单位", "replaces": "代替", "concepts": "涉及概念",
          "note": "说明", "base_version": "基础版本", "comment": "意见", "target_id": "标识",
          "grade_factors": "定级因素", "uri": "统一资源标识", "document": "文件", "locator": "位置", "url": "网址",
          "issuer": "发布机构", "date": "日期", "number": "文号", "text": "文字", "lang": "语言", "type": "类型",
          "author": "作者", "created": "时间", "change_note": "修改说明", "version": "版本", "id": "标识",
          "q": "检索词", "limit": "条数", "offset": "起始位置", "page": "页码", "from": "起始版本", "to": "目标版本"}


def field_name(name: str) -> str:
    """A field of the content model as people read it; a field added later reads as 其他字段 until named here."""
    return FIELDS.get(name) or f"其他字段({name})"
# the lifecycle as readers know it: 规划 → 起草 → 征求意见 → 送审 → 报批 → 发布 → 实施 → 废止
LIFECYCLE = (("planned", "规划"), ("drafting", "起草"), ("consultation", "征求意见"), ("review", "送审"),
             ("approval", "报批"), ("published", "发布"), ("in_force", "实施"), ("withdrawn", "废止"))
# where the statuses outside the main line sit on it
STAGE_OF = {"to_be_issued": "approval", "under_revision": "in_force"}


def facet_value(catalog, name: str, value: str) -> str:
    """A facet value as people read it (Simplified; the page converts it)."""
    if name == "scheme":
        return catalog.schemes[value].title if value in catalog.schemes else "标准目录"
    if name == "standard" and value in catalog.standards:
        s = catalog.standards[value]
        return s.code or s.title
    if name == "grade":
        return GRADES.get(value, value)
    if name == "kind":
        return ENTITY_KINDS.get(value, value)
    if name == "status":
        return CONCEPT_STATUSES.get(value) or STANDARD_STATUSES.get(value, value)
    return value
