"""Content checks: the rules of terminology work that the bundled vocabulary keeps (see docs/vocabulary.md).

``read_bundle`` enforces what the registry itself must refuse (ids, cycles, unique preferred labels);
these checks are editorial: followable sources, definitions that do not restate their term, a concept
system with top concepts, a classification whose parents are graded at least as high as their children.
``shuyu check`` prints each problem as ``file:line: field: message``; the content tests assert there are none.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from urllib.parse import urlsplit

from msgspec import Struct

from registry.citation import THIS_REGISTRY, is_record, record_messages, url_message
from registry.languages import ZH_HK, ZH_TW, is_simplified, regional_set
from registry.model import ConceptVersion, Scheme, Source, StandardVersion
from registry.text import converter, fold_to_simplified

from . import classification
from .classification import CLASSIFICATION_SCHEME
from .loader import Bundle

TERMS_SCHEME = "dv-terms"
OUR_PROPOSAL = "本登记库提议"
# A note that says no document of record was found: the gap is stated, counted by `shuyu stats`, not hidden.
UNSOURCED = "出处待核"
GRADE_ORDER = {"general": 0, "important": 1, "core": 2}
# A source that names a file of this repository instead of a public document.
_REPOSITORY_FILE = re.compile(r"(^|[\s/])(shared|vocab|docs|tests|reference)/|\.(md|toml|py)\b|facts\.md")
_HAN = re.compile(r"[\u3400-\u9fff]")


class Problem(Struct, frozen=True, kw_only=True):
    entity_id: str
    field: str
    message: str


def check_bundle(bundle: Bundle) -> list[Problem]:
    """Every editorial problem in ``bundle``, in file order."""
    concepts = {c.id: c for c in bundle.concepts()}
    problems: list[Problem] = []
    for scheme in bundle.schemes:
        problems += _scheme_problems(scheme, concepts)
    for version in bundle.versions:
        problems += _source_problems(version)
        if isinstance(version, ConceptVersion):
            problems += _concept_problems(version, concepts)
        else:
            problems += [Problem(entity_id=version.id, field=f, message=m) for f, m in standard_messages(version)]
    problems += _shared_labels(bundle.concepts())
    return problems


def locate(bundle: Bundle, problem: Problem) -> str:
    """``file:line: field: message`` for one problem."""
    for parsed in bundle.files:
        if any(v.id == problem.entity_id for v in parsed.versions) or (parsed.scheme and parsed.scheme.id == problem.entity_id):
            line = parsed.line_of(problem.entity_id, problem.field) or 1
            return f"{parsed.path}:{line}: {problem.field}: {problem.entity_id}: {problem.message}"
    return f"<vocabulary>: {problem.field}: {problem.entity_id}: {problem.message}"


# -- sources ------------------------------------------------------------------------------------------

def url_problem(url: str) -> str | None:
    """Why ``url`` is not a URL of record (http(s), on an issuer's own site), or None."""
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or "." not in parts.netloc:
        return f"URL {url!r} does not parse as http(s)://host/path"
    if any(ch.isspace() for ch in url):
        return f"URL {url!r} contains white space"
    return url_message(Source(document="-", url=url))


def _source_problems(version: ConceptVersion | StandardVersion | Scheme) -> list[Problem]:
    return [Problem(entity_id=version.id, field="sources", message=m) for m in source_messages(version.sources)]


def source_messages(sources: Iterable[Source]) -> list[str]:
    messages = []
    for source in sources:
        if problem := url_problem(source.url):
            messages.append(problem)
        else:
            messages += record_messages(source)
        if any(_REPOSITORY_FILE.search(text) for text in (source.document, source.locator, source.url)):
            messages.append(f"source {source.document!r} names a file of this repository; cite the public document")
    return messages


def _scheme_problems(scheme: Scheme, concepts: dict[str, ConceptVersion]) -> list[Problem]:
    problems = [Problem(entity_id=scheme.id, field="sources", message=m) for m in source_messages(scheme.sources)]
    for top in scheme.top_concepts:
        concept = concepts.get(top)
        if concept is None or concept.scheme != scheme.id:
            problems.append(Problem(entity_id=scheme.id, field="top_concepts", message=f"top concept {top!r} is not a concept of the scheme"))
        elif concept.broader:
            problems.append(Problem(entity_id=top, field="broader", message="a top concept has no broader concept"))
    return problems


# -- standards ---------------------------------------------------------------------------------------

_COMMITTEE = re.compile(r"TC\d|技术委员会|归口|提出")


def standard_messages(s: StandardVersion) -> list[tuple[str, str]]:
    """A standard's record: a status its facts allow, issuers apart from the technical committee."""
    found = []
    if s.status in ("proposed", "planned") and (s.code or s.issued):
        found.append(("status", f"a {s.status} standard has no code or issue date yet"))
    if s.status == "replaced" and not s.replaced_by:
        found.append(("replaced_by", "a replaced standard names what replaces it (withdrawn is without a replacement)"))
    if s.status != "replaced" and s.replaced_by:
        found.append(("status", "a standard with replaced_by has the status replaced"))
    if s.status != "proposed" and not s.status_date and s.status in ("published", "in_force", "replaced", "withdrawn") and s.issued:
        found.append(("status_date", "the date the standard reached its status is known (issued / in force): give it"))
    for body in s.bodies:
        if _COMMITTEE.search(body):
            found.append(("bodies", f"{body!r} is a technical committee or administering body: put it in committee"))
    if not s.sources and not s.code:
        found.append(("sources", "no source of record and no code"))
    return found


# -- concepts -----------------------------------------------------------------------------------------

def genus(definition: str) -> str:
    """The nearest broader concept a Chinese definition names: what follows its last 的 (or all of it)."""
    body = definition.rstrip("。").strip()
    return body.rsplit("的", 1)[-1] if "的" in body else body


def definition_messages(concept: ConceptVersion) -> list[str]:
    """Circularity: the definition neither contains its own terms nor has the term (or only its head word
    with nothing new) as its genus."""
    text = concept.chinese_definition
    if not text:
        return []
    messages = []
    own = [t.text for t in concept.terms if is_simplified(t.lang) and t.type in ("preferred", "admitted") and len(t.text) > 1]
    for term in own:
        if term in text:
            messages.append(f"the definition contains its own term {term!r}")
    head = genus(text)
    pref = concept.preferred
    if head == pref or (head and pref.endswith(head) and len(head) >= len(pref) - 1):
        messages.append(f"the genus {head!r} is the term itself")
    elif head and pref.endswith(head):
        # genus = the term's head word: the features must add something the term does not already say.
        differentia = text[: text.rfind(head)]
        new = {ch for ch in _HAN.findall(differentia)} - set(pref)
        if len(new) < 4:
            messages.append(f"the definition only restates the term: genus {head!r} is its head word, and the features add nothing")
    return messages


# zh-TW / zh-HK: the OpenCC conversion that folds a regional label back to Simplified, the TOML field, and
# the conversion that writes a Simplified label in that region's wording.
_REGIONAL = {ZH_TW: ("tw2sp", "tw", "s2twp"), ZH_HK: ("hk2s", "hk", "s2hk")}


def regional_label_message(concept: ConceptVersion, label: str, lang: str) -> str | None:
    """A curated regional label earns its place only where OpenCC cannot do its work, either way: when
    OpenCC folds the label back to one of the concept's own Simplified labels *and* writes that label
    so in the region's wording (流動 ↔ 流动), search and pages do without it; when it folds it to
    something else (智慧農業 → 智能农业), search needs it; when it writes the Simplified label otherwise
    (数字乡村 → 數字鄉村, not Taiwan's 數位鄉村), the pages need it."""
    fold, _, write = _REGIONAL[regional_set(lang) or lang]
    folded = converter(fold).convert(label)
    own = {t.text for t in concept.terms if is_simplified(t.lang)}
    if folded in own and label in {converter(write).convert(text) for text in own}:
        return f"regional label {label!r} only repeats what OpenCC gives ({folded!r})"
    return None


def citation_messages(c: ConceptVersion) -> list[str]:
    """A concept cites at least one public document of record, and says where its definition comes
    from (本登记库, or a document it is taken or adapted from), apart from where the term is used."""
    messages = []
    if not any(is_record(s) for s in c.sources) and not any(n.startswith(UNSOURCED) for n in c.notes):
        messages.append("no source of record (a public document with its number or code, or its issuer and date)")
    if c.chinese_definition and not any(s.role in ("definition", "adapted") for s in c.sources):
        messages.append(f"no origin of the definition (a source with role \"definition\" — {THIS_REGISTRY} for our own — or \"adapted\")")
    return messages


def _concept_problems(c: ConceptVersion, concepts: dict[str, ConceptVersion]) -> list[Problem]:
    problems = [Problem(entity_id=c.id, field="definition", message=m) for m in definition_messages(c)]
    problems += [Problem(entity_id=c.id, field="sources", message=m) for m in citation_messages(c)]
    for term in c.terms:
        region = regional_set(term.lang)
        if region and (message := regional_label_message(c, term.text, term.lang)):
            problems.append(Problem(entity_id=c.id, field=_REGIONAL[region][1], message=message))
    for term in c.terms:
        # a Latin abbreviation (IoT, BDS) abbreviates the English term; a Chinese one the Chinese term
        full = c.english if term.text.isascii() and c.english else c.preferred
        if term.type == "abbreviation" and len(term.text) >= len(full):
            problems.append(Problem(entity_id=c.id, field="abbr", message=f"abbreviation {term.text!r} is not shorter than {full!r}"))
    if c.status == "deprecated":
        return problems
    for parent_id in c.broader:
        parent = concepts.get(parent_id)
        if parent is not None and parent.scheme != c.scheme:
            problems.append(Problem(entity_id=c.id, field="broader", message=f"broader {parent_id!r} is in another scheme; use related"))
        if parent is not None and c.grade and parent.grade and GRADE_ORDER[parent.grade] < GRADE_ORDER[c.grade]:
            problems.append(Problem(
                entity_id=parent_id, field="grade",
                message=f"graded {parent.grade} below its child {c.id} ({c.grade}); a parent is graded at least as high (就高从严)",
            ))
    if c.grade == "core":
        problems.append(Problem(entity_id=c.id, field="grade", message="no category is fixed at core: only the national authorities "
                                "designate core data; mark it a candidate in a note"))
    for factor in c.grade_factors:
        if factor not in concepts or "grading-factor" not in concepts[factor].broader:
            problems.append(Problem(entity_id=c.id, field="grade_factors", message=f"{factor!r} is not a grading factor"))
    return problems


# -- the concept system of the terms scheme -----------------------------------------------------------

# The genus of a definition (what follows its last 的) names a concept of some kind; this lexicon says which,
# by the longest matching ending. A concept's stated ``kind`` must be the kind its genus names, so that a
# platform is never defined as a mechanism, nor 数字乡村 as a programme. A genus the lexicon does not know is
# a problem too: add it here when it is a sound genus, or reword the definition.
KIND_GENERA: dict[str, tuple[str, ...]] = {
    "kind-policy": ("政策文件", "发展规划", "年度报告"),
    "kind-strategy": ("国家战略",),
    "kind-programme": ("工程", "项目", "行动", "计划", "试点", "试点工作", "专项工作", "会议", "赛事", "助农活动",
                       "培训活动", "推介活动", "常态化活动", "专题活动", "工作项目"),
    "kind-platform": ("信息系统", "平台", "网上博物馆"),
    "kind-mechanism": ("工作方式", "做法", "机制", "制度安排", "监测制度", "监测工作", "监测活动", "合格评定活动",
                       "标准化活动", "方式", "方法", "模式", "组织形式", "气象服务", "手段", "工具", "扶持政策",
                       "一张图", "枫桥经验", "监测"),
    "kind-technology": ("技术", "方法体系", "技术体系", "导航系统", "算法", "模型", "技术应用"),
    "kind-equipment": ("装备", "机器或设备", "器件", "芯片", "拖拉机", "插秧机", "收割机", "航空器", "终端", "终端设备", "车载系统"),
    "kind-facility": ("设施", "物质技术条件", "基地", "公路", "农场", "网络", "广播系统", "机构", "站点",
                      "物流网络", "图书馆服务体系"),
    "kind-indicator": ("指标", "百分比"),
    "kind-data": ("数据", "记录", "数据资源", "档案", "目录", "凭证"),
    "kind-field": ("社会活动", "经济活动", "经营活动", "服务活动", "物流活动", "旅游活动", "减灾活动", "治理活动",
                   "管理活动", "电子商务活动", "建设活动", "业态", "形态", "形式", "发展方式", "公共文化服务", "金融服务",
                   "数字普惠金融", "进程", "领域", "事务"),
    "kind-actor": ("主体", "组织或个人", "人员", "人才", "儿童", "老年人", "干部", "从业者", "经营者", "科技人员", "骨干",
                   "组织", "工作组"),
    "kind-object": ("地理实体", "客体", "土地", "陆地表层", "耕地", "地区", "行政区", "乡镇", "森林公园", "水体", "线路", "区域"),
    "kind-waste": ("废弃物", "物质", "污水", "废物"),
    "kind-goal": ("目标", "状态", "要求", "效应", "能力"),
    "kind-risk": ("风险", "状况", "行为", "表现", "污染"),
}
_GENERA = sorted(((ending, kind) for kind, endings in KIND_GENERA.items() for ending in endings), key=lambda e: -len(e[0]))


def kind_of_genus(genus_text: str) -> str | None:
    """The kind whose lexicon holds the longest ending of ``genus_text``, or None."""
    return next((kind for ending, kind in _GENERA if genus_text.endswith(ending)), None)


def kind_problems(bundle: Bundle) -> list[Problem]:
    """In the terms scheme: every concept states its kind, a top concept of the scheme; a broader concept
    is of the same kind; the genus of the definition names that kind."""
    scheme = next((s for s in bundle.schemes if s.id == TERMS_SCHEME), None)
    if scheme is None:
        return []
    tops = set(scheme.top_concepts)
    concepts = {c.id: c for c in bundle.concepts()}
    problems = []
    for c in (c for c in concepts.values() if c.scheme == TERMS_SCHEME):
        if c.kind not in tops:
            problems.append(Problem(entity_id=c.id, field="kind", message=f"kind {c.kind!r} is not a top concept of the scheme"))
            continue
        if c.id in tops and c.kind != c.id:
            problems.append(Problem(entity_id=c.id, field="kind", message="a top concept is its own kind"))
        for parent in (concepts.get(b) for b in c.broader):
            if parent is not None and parent.kind != c.kind:
                problems.append(Problem(entity_id=c.id, field="broader", message=f"broader {parent.id!r} is of kind {parent.kind!r}, not {c.kind!r}"))
        if c.id in tops or c.status != "published" or not c.definition:
            continue
        head = genus(c.definition)
        found = kind_of_genus(head)
        if found is None:
            problems.append(Problem(entity_id=c.id, field="definition",
                                    message=f"genus {head!r} is in no kind's lexicon (vocab/checks.py KIND_GENERA)"))
        elif found != c.kind:
            problems.append(Problem(entity_id=c.id, field="definition",
                                    message=f"genus {head!r} names a concept of kind {found!r}, but the concept is of kind {c.kind!r}"))
    return problems


def entry_number_problems(bundle: Bundle) -> list[Problem]:
    """GB/T 20001.1 entry numbers in systematic order: a top concept is numbered n, a narrower concept its
    broader concept's number and one more part (3 → 3.2 → 3.2.1); numbers are unique and every
    published concept of the terms scheme has one."""
    problems = []
    concepts = {c.id: c for c in bundle.concepts()}
    seen: dict[str, str] = {}
    for c in (c for c in concepts.values() if c.scheme == TERMS_SCHEME and c.status == "published"):
        if not re.fullmatch(r"\d+(\.\d+)*", c.notation):
            problems.append(Problem(entity_id=c.id, field="notation", message=f"entry number {c.notation!r} is not of the form 3.2.1"))
            continue
        if c.notation in seen:
            problems.append(Problem(entity_id=c.id, field="notation", message=f"entry number {c.notation} is also {seen[c.notation]}'s"))
        seen[c.notation] = c.id
        parent = concepts.get(c.broader[0]) if c.broader else None
        expected = parent.notation if parent else ""
        if c.notation.rpartition(".")[0] != expected:
            problems.append(Problem(entity_id=c.id, field="notation",
                                    message=f"entry number {c.notation} does not extend its broader concept's {expected or '(none)'}"))
    return problems


def top_concept_problems(bundle: Bundle) -> list[Problem]:
    """Every published concept of the terms scheme has a broader concept or is one of its top concepts."""
    scheme = next((s for s in bundle.schemes if s.id == TERMS_SCHEME), None)
    if scheme is None:
        return []
    return [
        Problem(entity_id=c.id, field="broader", message="no broader concept and not a top concept of the scheme")
        for c in bundle.concepts()
        if c.scheme == TERMS_SCHEME and c.status == "published" and not c.broader and c.id not in scheme.top_concepts
    ]


def _shared_labels(concepts: list[ConceptVersion]) -> list[Problem]:
    """A preferred label used by two concepts (in different schemes) needs a note naming the other."""
    owners: dict[str, list[ConceptVersion]] = defaultdict(list)
    for c in concepts:
        if c.status == "published":
            owners[fold_to_simplified(c.preferred)].append(c)
    problems = []
    for label, same in owners.items():
        for c in same if len(same) > 1 else ():
            others = [o.id for o in same if o.id != c.id]
            if not any(other in note for note in c.notes for other in others):
                problems.append(Problem(entity_id=c.id, field="pref",
                                        message=f"preferred label {label!r} is shared with {', '.join(others)} without a note naming it"))
    return problems


def kind_of(concept: ConceptVersion, concepts: dict[str, ConceptVersion], tops: Iterable[str]) -> str | None:
    """The top concept a concept falls under (following its first broader link), or None."""
    tops = set(tops)
    seen: set[str] = set()
    current: ConceptVersion | None = concept
    while current is not None and current.id not in seen:
        if current.id in tops:
            return current.id
        seen.add(current.id)
        current = concepts.get(current.broader[0]) if current.broader else None
    return None


def classification_problems(bundle: Bundle) -> list[Problem]:
    """Sibling overlaps, residual classes, genus and grade rules of the classification (vocab/classification.py)."""
    return [Problem(entity_id=i, field=f, message=m) for i, f, m in classification.problems(bundle)]


def all_problems(bundle: Bundle) -> list[Problem]:
    return (check_bundle(bundle) + top_concept_problems(bundle) + kind_problems(bundle) + entry_number_problems(bundle)
            + classification_problems(bundle))


__all__ = ("CLASSIFICATION_SCHEME", "KIND_GENERA", "Problem", "all_problems", "check_bundle", "classification_problems",
           "definition_messages", "entry_number_problems", "genus", "kind_of", "kind_of_genus", "kind_problems", "locate",
           "url_problem")
