"""The "术语和定义" clause (drafting/clause.py): on the bundled content (智慧农业 and what is under it) and
on a small concept system built here."""

from __future__ import annotations

import io
import re
import subprocess
import sys

import pytest
from docx import Document
from hypothesis import given, settings
from hypothesis import strategies as st

from drafting.clause import (CODE, build_clause, citation, clause_for, select, standard_code, to_docx, to_html, to_markdown,
                             versions_at)
from registry.errors import NotFound
from registry.model import Source, StandardVersion, Term
from search.analysis import expand_query
from tests.conftest import concept

SOURCE = re.compile(r"^\[来源：[^\]]+\]$")


def subtree(catalog, root: str) -> set[str]:
    found, stack = set(), [root]
    while stack:
        current = stack.pop()
        if current not in found and catalog.concepts[current].status != "deprecated":
            found.add(current)
            stack.extend(catalog.narrower.get(current, ()))
    return found


def entry_blocks(markdown: str) -> dict[str, str]:
    parts = re.split(r"^### (3\.\d+)\n\n", markdown, flags=re.M)
    return dict(zip(parts[1::2], parts[2::2]))


def test_clause_for_smart_agriculture_and_its_narrower_concepts(bundled_catalog):
    """Must show: numbered entries in concept-system order, English equivalents, [来源：…] sources, in
    Markdown and in a .docx opened again with python-docx."""
    catalog = bundled_catalog
    smart = catalog.concepts[catalog.lookup("智慧农业", expand_query("智慧农业"))[0].id]
    wanted = subtree(catalog, smart.id)
    clause = build_clause(select(catalog.concepts, scheme=smart.scheme, broader=smart.id),
                          catalog.standards.values())
    assert clause.lead_in == "下列术语和定义适用于本文件。"
    assert [e.number for e in clause.entries] == [f"3.{n}" for n in range(1, len(wanted) + 1)]
    assert {e.concept for e in clause.entries} == wanted and clause.entries[0].concept == smart.id
    number = {e.concept: n for n, e in enumerate(clause.entries)}
    for e in clause.entries:  # broader before narrower
        assert all(number[p] < number[e.concept] for p in catalog.concepts[e.concept].broader if p in number)

    markdown = to_markdown(clause)
    assert markdown.startswith("## 3 术语和定义\n\n下列术语和定义适用于本文件。\n")
    blocks = entry_blocks(markdown)
    assert list(blocks) == [e.number for e in clause.entries]
    for e in clause.entries:
        c = catalog.concepts[e.concept]
        block = blocks[e.number]
        assert block.startswith(f"**{c.preferred}**" + (f"　{c.english}" if c.english else ""))
        assert c.definition.rstrip("。") in block
        sources = [line for line in block.splitlines() if line.startswith("[来源")]
        assert len(sources) == (1 if c.sources else 0)
        assert all(SOURCE.match(line) for line in sources)
    assert smart.english and f"**{smart.preferred}**　{smart.english}" in markdown

    document = Document(io.BytesIO(to_docx(clause)))
    paragraphs = [p.text for p in document.paragraphs if p.text]
    assert paragraphs[:2] == ["3 术语和定义", "下列术语和定义适用于本文件。"]
    numbers = [p for p in paragraphs if re.fullmatch(r"3\.\d+", p)]
    assert numbers == [e.number for e in clause.entries]
    terms = [paragraphs[paragraphs.index(n) + 1] for n in numbers]
    expected = [catalog.concepts[e.concept] for e in clause.entries]
    assert terms == [c.preferred + (f"　{c.english}" if c.english else "") for c in expected]
    term_paragraph = next(p for p in document.paragraphs if p.text.startswith(smart.preferred))
    assert term_paragraph.runs[0].bold
    assert sum(1 for p in paragraphs if SOURCE.match(p)) == sum(1 for c in expected if c.sources)


def small_system():
    root = concept("agri", "智慧农业", notation="A", terms=(Term(text="smart agriculture", lang="en"),
                                                            Term(text="数字农业", type="admitted"),
                                                            Term(text="SA", type="abbreviation"),
                                                            Term(text="旧农业", type="deprecated")),
                   definition="以信息技术贯穿农业全链条的现代农业形态",
                   notes=("第一条注。", "第二条注。"), examples=("智慧农场。",),
                   sources=(Source(document="GB/T 43697-2024", locator="3.1，有修改"),))
    second = concept("field", "智慧大田", notation="A2", broader=("agri",), definition="大田种植的智慧农业。",
                     sources=(Source(document="农业标准", locator="2.1"),))
    first = concept("greenhouse", "智慧温室", notation="A1", broader=("agri",), definition="温室的智慧农业。",
                    sources=(Source(document="工作要点", locator="任务6"), Source(document="工作要点", locator="任务7")))
    leaf = concept("sensor", "温室传感器", notation="A1.1", broader=("greenhouse",), definition="温室用的传感器。")
    cited = concept("data", "数据", definition="任何以电子或者其他方式对信息的记录。")
    standards = [StandardVersion(id="std-agri", code="NY/T 1234-2020", title="农业标准"),
                 StandardVersion(id="std-data", code="GB/T 43697-2024", title="数据安全技术 数据分类分级规则",
                                 concepts=("data",))]
    return {c.id: c for c in (root, second, first, leaf, cited)}, standards


def test_entries_follow_the_concept_system_and_the_layout_of_gb_t_1_1():
    concepts, standards = small_system()
    clause = build_clause(select(concepts, ids=["sensor", "field", "agri", "greenhouse"]), standards)
    assert [(e.number, e.concept) for e in clause.entries] == [
        ("3.1", "agri"), ("3.2", "greenhouse"), ("3.3", "sensor"), ("3.4", "field")]
    first = clause.entries[0]
    assert (first.english, first.admitted, first.abbreviations) == ("smart agriculture", ["数字农业"], ["SA"])
    assert first.definition == "以信息技术贯穿农业全链条的现代农业形态。"
    assert first.source == "[来源：GB/T 43697—2024，3.1，有修改]"
    assert clause.entries[1].source == "[来源：《工作要点》，任务6、任务7]"
    assert clause.entries[3].source == "[来源：NY/T 1234—2020，2.1]"  # a standard's title becomes its code
    assert clause.entries[2].source == ""  # no source: nothing printed
    markdown = to_markdown(clause)
    block = entry_blocks(markdown)["3.1"]
    assert block.split("\n\n")[:8] == [
        "**智慧农业**　smart agriculture", "数字农业", "SA", "以信息技术贯穿农业全链条的现代农业形态。",
        "示例：智慧农场。", "注1：第一条注。", "注2：第二条注。", "[来源：GB/T 43697—2024，3.1，有修改]"]
    assert "旧农业" not in markdown  # deprecated terms are not listed
    html = to_html(clause)
    assert '<p class="term"><strong>智慧农业</strong> <span lang="en">smart agriculture</span></p>' in html


def test_a_concept_of_a_cited_standard_is_referenced_not_repeated():
    concepts, standards = small_system()
    clause = build_clause(select(concepts, ids=["data", "agri"]), standards, cite=[standards[1]])
    assert clause.lead_in == "GB/T 43697—2024界定的以及下列术语和定义适用于本文件。"
    assert [e.concept for e in clause.entries] == ["agri"]
    only = build_clause(select(concepts, ids=["data"]), standards, cite=[standards[1]])
    assert only.entries == [] and only.lead_in == "GB/T 43697—2024界定的术语和定义适用于本文件。"


def test_cited_standards_are_named_by_id_or_code_and_an_unknown_one_is_not_found():
    concepts, standards = small_system()
    by_code = clause_for(concepts, standards, ids=["data", "agri"], cite=["GB/T 43697-2024"], revision=3)
    by_id = clause_for(concepts, standards, ids=["data", "agri"], cite=["std-data"], revision=3)
    assert by_code == by_id and [e.concept for e in by_id.entries] == ["agri"] and by_id.revision == 3
    with pytest.raises(NotFound, match="no standard GB/T 9-1999") as missing:
        clause_for(concepts, standards, ids=["agri"], cite=["std-data", "GB/T 9-1999"])
    assert missing.value.field == "cite"


def test_versions_at_a_revision_leave_out_what_came_later(sqlite_store):
    from tests.conftest import SCHEME

    first = sqlite_store.append([concept("agri", "智慧农业")], actor="t", schemes=[SCHEME])
    sqlite_store.append([concept("agri", "智能农业", version=2), concept("later", "后来的概念"),
                         StandardVersion(id="std", title="后来的标准")], actor="t")
    concepts, standards = versions_at(sqlite_store, first, ["agri", "later"], ["std"])
    assert {i: c.preferred for i, c in concepts.items()} == {"agri": "智慧农业"} and standards == []


def test_markup_in_content_is_escaped():
    concepts, standards = small_system()
    evil = concept("evil", "<script>x</script>", definition="a *b* <i>c</i>")
    clause = build_clause([evil], standards)
    assert "<script>" not in to_html(clause) and "&lt;script&gt;" in to_html(clause)
    assert "\\<script>" in to_markdown(clause) and "\\*b\\*" in to_markdown(clause)


def test_citation_forms():
    assert citation([]) == ""
    assert citation([Source(document="《中华人民共和国数据安全法》", locator="第三条")]) == "[来源：《中华人民共和国数据安全法》，第三条]"
    assert citation([Source(document="GB/T 36073—2018")]) == "[来源：GB/T 36073—2018]"
    assert citation([Source(document="A", locator="1"), Source(document="GB/T 1.1-2020", locator="3.1 有修改")]) == \
        "[来源：《A》，1；GB/T 1.1—2020，3.1，有修改]"


# the code pattern up to 2026-12-06: ``T/[A-Z0-9]+`` and the number after it overlap on digits, so a code
# that ends unmatched after a run of digits was split every way (quadratic)
_OLD_CODE = re.compile(r"^(?P<prefix>(?:GB|GB/T|GB/Z|[A-Z]{2}/T|[A-Z]{2}|T/[A-Z0-9]+|ISO(?:/IEC)?|IEC)\s*[\d.]+)"
                       r"\s*[-—–]\s*(?P<year>\d{4})$")


@pytest.mark.slow
@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(["T/", "GB/T", "GB", "ISO/IEC", "CA", "A", "Z", "1", "9", ".", " ", "-", "—",
                                 "2024", "x"]), max_size=10).map("".join))
def test_the_code_pattern_reads_codes_as_it_did(text):
    old, new = _OLD_CODE.match(text), CODE.match(text)
    assert (old and old.groupdict()) == (new and new.groupdict())


@pytest.mark.slow
def test_a_long_association_code_is_read_in_one_pass():
    # "T/" and 200,000 digits: every split of the digits between the body's name and its number was tried
    code = "from drafting.clause import CODE; print(CODE.match('T/' + '1' * 200_000 + 'x'))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert done.stdout.strip() == "None"
    assert standard_code("T/CAS 115-2005") == "T/CAS 115—2005" and standard_code("T/3SAE12.1 – 2020") == "T/3SAE12.1—2020"
