"""Checks of the data classification (``agri-data``) that follow from dividing by one principle per level.

Whether a level divides by one principle is a reviewer's call; what a machine can see is what goes wrong when it
does not: two siblings claiming the same object of data, a residual class that does not say what it leaves to its
siblings or is graded below its parent, a category defined by a genus other than its parent, a grade rule with no
measurable threshold or the same rule pasted under several categories. ``shuyu check`` reports these with the other
content problems and ``shuyu stats`` counts the sibling overlaps.
"""

from __future__ import annotations

import re
from collections import Counter

from registry.model import ConceptVersion

from .loader import Bundle

CLASSIFICATION_SCHEME = "agri-data"
ROOT_LABEL = "农业农村数据"
RESIDUAL = "99"
GRADE_RULE = "默认级别"
# Words naming a property that the records of any category have (an area, an amount, a date, a place), not an object
# of data of their own: siblings may both record them, so they are not claims.
ATTRIBUTES = frozenset({
    "情况", "数量", "质量", "管理", "分布", "建设", "运行", "服务", "登记", "结果", "位置", "信息", "内容", "时间", "地点",
    "规模", "水平", "成效", "设置", "条件", "人员", "使用", "构成", "产量", "面积", "变化", "保护", "监测", "生产", "经营",
    "活动", "来源", "品种", "性状", "销售", "价格", "产品", "保护情况", "预报", "作业", "线路", "乡镇", "农户", "经营主体", "经营情况", "处置情况",
})
# A threshold names a number or a measure a reader can apply: a count, a scale, an administrative level, a list.
MEASURE = re.compile(r"\d|[一二两三四五六七八九十百千万]|省级|县|地块|国家级|名录|比例尺|米|小时|日|秒")
_SPLIT = re.compile(r"及其|以及|[、,和与及或]")


def categories(bundle: Bundle) -> dict[str, ConceptVersion]:
    """The published categories of the classification by code (two digits per level)."""
    return {c.notation: c for c in bundle.concepts()
            if c.scheme == CLASSIFICATION_SCHEME and c.notation.isdigit() and c.status == "published"}


def parent_label(code: str, live: dict[str, ConceptVersion]) -> str:
    parent = live.get(code[:-2]) if len(code) > 2 else None
    return parent.preferred if parent else ROOT_LABEL


def scope(definition: str, parent: str) -> str:
    """What a category's definition says it records: between 记录 and 的<parent>, without its 不含 clause."""
    body = definition.rstrip("。").removesuffix(parent).removesuffix("的")
    body = re.split(r"[,、]不含", body)[0]
    return re.sub(r"^(记录|由|对)", "", body)


def claims(c: ConceptVersion, parent: str) -> set[str]:
    """The objects of data a category claims: the items its scope lists, and its examples."""
    items = {part.strip() for part in _SPLIT.split(scope(c.definition, parent))}
    return {i for i in items if len(i) >= 2 and i not in ATTRIBUTES} | set(c.examples)


def sibling_pairs(live: dict[str, ConceptVersion]) -> list[tuple[str, str]]:
    """Every pair of sibling categories, residual classes left out (they claim nothing)."""
    return [(a, b) for a in sorted(live) for b in sorted(live)
            if a < b and len(a) == len(b) and a[:-2] == b[:-2] and not a.endswith(RESIDUAL) and not b.endswith(RESIDUAL)]


def overlaps(live: dict[str, ConceptVersion]) -> list[tuple[str, str, str]]:
    """(code, sibling code, object) for every object one category (or a category below it) claims that its sibling's
    branch also claims: in a scope or among the examples. Every pair of siblings at every level is compared."""
    def branch(code: str) -> list[str]:  # a residual below claims nothing: it names what it leaves out
        return [k for k in live if k.startswith(code) and not k.endswith(RESIDUAL)]
    claimed = {k: claims(c, parent_label(k, live)) for k, c in live.items()}
    said = {k: " ".join([scope(c.definition, parent_label(k, live)), *c.examples]) for k, c in live.items()}
    found = []
    for a, b in sibling_pairs(live):
        for one, other in ((a, b), (b, a)):
            text = " ".join(said[k] for k in branch(other))
            found += [(one, other, item) for item in sorted({i for k in branch(one) for i in claimed[k]}) if item in text]
    return found


def problems(bundle: Bundle) -> list[tuple[str, str, str]]:
    """(concept id, field, message) for every classification problem of ``bundle``."""
    return category_problems(categories(bundle))


def category_problems(live: dict[str, ConceptVersion]) -> list[tuple[str, str, str]]:
    """(concept id, field, message) for every problem of the categories ``live`` (by code)."""
    found: list[tuple[str, str, str]] = []
    for one, other, item in overlaps(live):
        found.append((live[one].id, "definition", f"{one} claims {item!r}, which its sibling {other} claims as well"))
    rules = Counter(n for c in live.values() for n in c.notes if n.startswith(GRADE_RULE))
    for code, c in live.items():
        parent = parent_label(code, live)
        if c.definition.rstrip("。").removesuffix(parent) == c.definition.rstrip("。"):
            found.append((c.id, "definition", f"a category is defined with its parent category {parent!r} as genus"))
        if scope(c.definition, parent).endswith("等"):
            found.append((c.id, "definition", "an open list ending in 等 does not say where the category ends"))
        if code.endswith(RESIDUAL):
            siblings = [k for k in live if len(k) == len(code) and k[:-2] == code[:-2] and k != code]
            missing = [live[k].preferred for k in siblings if live[k].preferred not in c.definition]
            if not c.definition.startswith("不属于") or missing:
                found.append((c.id, "definition", f"a residual class names every sibling it excludes (missing: {missing})"))
            if len(code) > 2 and c.grade != live[code[:-2]].grade:
                found.append((c.id, "grade", f"a residual class is graded like its parent ({live[code[:-2]].grade})"))
        elif len(code) == 6:
            rule = next((n for n in c.notes if n.startswith(GRADE_RULE)), "")
            clauses = [part for part in re.split(r"[:;]", rule) if "——" in part]
            if not rule or len(clauses) != len(c.grade_factors):
                found.append((c.id, "notes", "a leaf states its default grade and one threshold per grading factor"))
            found += [(c.id, "notes", f"threshold without a number or a measure: {part!r}")
                      for part in clauses if not MEASURE.search(part.split("——", 1)[1])]
            if rule and rules[rule] > 1:
                found.append((c.id, "notes", "the same grade rule is written under another category: say it of this one"))
    return found
