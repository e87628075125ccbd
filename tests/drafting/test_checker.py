"""The term checker (drafting/checker.py): every problem of a use named with its fix — deprecated,
non-preferred, regional, other script, inconsistent — on the bundled content and on small registries
built here; what it remembers per revision changes no answer."""

from __future__ import annotations

import re

import pytest

from drafting.checker import MAX_FORMS_NAMED, check, memo_for
from drafting.matching import matcher_for
from registry.model import ConceptVersion, Term
from registry.text import converter
from search.analysis import expand_query
from search.catalog import Catalog
from tests.drafting.conftest import at, small


def only_concept(catalog: Catalog, label: str) -> ConceptVersion:
    matches = catalog.lookup(label, expand_query(label))
    assert len({m.id for m in matches}) == 1, f"{label} should name one concept: {matches}"
    return catalog.concepts[matches[0].id]


def unique_term(catalog: Catalog, wanted) -> tuple[ConceptVersion, Term]:
    """The first term of the content (by concept id) that ``wanted`` accepts and that names only its concept."""
    for c in sorted(catalog.concepts.values(), key=lambda c: c.id):
        for term in c.terms:
            if wanted(c, term) and {m.id for m in catalog.lookup(term.text)} == {c.id}:
                return c, term
    pytest.fail("the bundled content has no such term")


def test_sample_draft_paragraph_is_marked_up_with_every_problem_and_fix(bundled_catalog):
    """Must show: 數位鄉村, 行動支付, a deprecated term, an abbreviation, an English term and one concept
    written two ways, each found at its offset, each problem named with its fix."""
    catalog = bundled_catalog
    village = only_concept(catalog, "數位鄉村")
    payment = only_concept(catalog, "行動支付")
    smart = only_concept(catalog, "农村电商")  # a concept with an English term and an admitted synonym
    used = {village.id, payment.id, smart.id}
    old_concept, old_term = unique_term(catalog, lambda c, t: t.type in ("deprecated", "superseded") and c.status == "published"
                                        and t.lang == "zh-Hans" and c.id not in used)
    abbr_concept, abbr = unique_term(catalog, lambda c, t: t.type == "abbreviation" and re.fullmatch(r"[A-Za-z0-9]+", t.text)
                                     and c.status == "published" and c.id not in used)
    admitted = next(t.text for t in smart.terms if t.type == "admitted" and t.lang == "zh-Hans")
    pieces = [
        ("各地推进", None), ("數位鄉村", village), ("建设，推广", None), ("行動支付", payment), ("，不再提", None),
        (old_term.text, old_concept), ("；按照 ", None), (abbr.text, abbr_concept), (" 评估；发展", None),
        (smart.english, smart), ("（", None), (smart.preferred, smart), ("），又称", None), (admitted, smart),
        ("。", None),
    ]
    text, offsets = "", []
    for piece, owner in pieces:
        if owner is not None:
            offsets.append((len(text), piece, owner))
        text += piece
    result = check(catalog, text)

    for start, piece, owner in offsets:
        match = at(result, start)
        assert (match.end, match.text, match.concept) == (start + len(piece), piece, owner.id)
        assert text[match.start:match.end] == piece
    forms = {m.text: m.form for m in result.matches}
    assert forms["數位鄉村"] == forms["行動支付"] == "regional"
    assert forms[old_term.text] == "deprecated"
    assert forms[abbr.text] == "abbreviation"
    assert forms[smart.english] == "preferred" and at(result, text.index(smart.english)).english
    assert forms[admitted] == "admitted"

    problems = {(p.kind, p.text): p for p in result.problems}
    assert problems[("regional", "數位鄉村")].fix == village.preferred
    assert problems[("regional", "行動支付")].fix == payment.preferred
    assert problems[("deprecated", old_term.text)].fix == old_concept.preferred
    assert problems[("non_preferred", admitted)].fix == smart.preferred
    inconsistent = problems[("inconsistent", smart.preferred)]
    assert inconsistent.fix == smart.preferred and len(inconsistent.occurrences) == 2
    assert not any(p.text in (abbr.text, smart.english) for p in result.problems)  # legitimate forms
    assert all(p.fix and p.fix in p.message for p in result.problems)
    assert result.summary["regional"] == 2 and result.summary["deprecated"] == 1
    assert result.summary["non_preferred"] == 1 and result.summary["inconsistent"] == 1
    assert result.summary["problems"] == len(result.problems) == 5


def test_deprecated_terms_and_deprecated_concepts_name_their_replacement():
    result = check(small(), "手机支付和消费扶贫")
    fixes = {p.text: (p.kind, p.fix) for p in result.problems}
    assert fixes == {"手机支付": ("deprecated", "移动支付"), "消费扶贫": ("deprecated", "消费帮扶")}


def test_taiwan_text_wants_taiwan_wording():
    result = check(small(), "行動支付與移动支付、數位鄉村", script="zh-TW")
    kinds = {(p.kind, p.text, p.fix) for p in result.problems}
    assert ("regional", "移动支付", "行動支付") in kinds
    assert not any(p.text in ("行動支付", "數位鄉村") and p.kind != "inconsistent" for p in result.problems)
    assert ("inconsistent", "行動支付", "行動支付") in kinds


def test_the_taiwan_wording_asked_for_is_the_sites(bundled_catalog):
    """Without a curated Taiwan term, the wording a Taiwan draft is told to use is the one the site shows:
    发布 is 發布 there, where OpenCC alone says 釋出."""
    from search.analysis import render

    preferred = "气象灾害预警信息发布体系"
    concept = only_concept(bundled_catalog, preferred)
    for text in ("本系統接入氣象災害預警資訊發布體系。", "本系统接入气象灾害预警信息发布体系。"):
        found = [m for m in check(bundled_catalog, text, script="zh-TW").matches if m.concept == concept.id]
        assert found and found[0].use == render(preferred, "zh-TW") == "氣象災害預警資訊發布體系", found
    clean = check(bundled_catalog, "本系統接入氣象災害預警資訊發布體系。", script="zh-TW")
    assert not [p for p in clean.problems if p.kind == "regional"]
    # Taiwan's word for digital is 數位, for 数字农业 as for the curated 數位鄉村
    told = check(bundled_catalog, "推動數字農業與數位鄉村。", script="zh-TW")
    assert [(p.kind, p.text, p.fix) for p in told.problems] == [("regional", "數字農業", "數位農業")]
    assert not check(bundled_catalog, "推動數位農業與數位鄉村。", script="zh-TW").problems


def test_a_clean_text_has_no_problems():
    result = check(small(), "数字乡村治理与移动支付(DCMM)。")
    assert result.problems == [] and result.summary["matches"] == 3 and result.ok


def test_a_long_draft_gives_what_its_paragraphs_give_one_by_one(bundled_catalog, bundled_store):
    """The checker remembers per revision what each label and each way of writing it says: a dense
    draft (the benchmark's, from the content's own labels, a fifth in Traditional characters, English
    among them, every third paragraph in Taiwan wording) checked whole finds exactly the matches and problems of its paragraphs checked one by
    one in reverse order against a second snapshot of the same content (so with nothing remembered in
    common), offsets shifted, and the same in a Taiwan text; only ``inconsistent`` looks across
    paragraphs."""
    from tests.bench.bench_checker import draft

    sentences = draft(bundled_catalog, size=30_000, seed=5).split("。")
    paragraphs = ["。".join(sentences[i:i + 7]) + "。" for i in range(0, len(sentences), 7)]
    taiwan = converter("s2twp").convert
    paragraphs = [taiwan(p) if i % 3 == 2 else p for i, p in enumerate(paragraphs)]
    text = "\n\n".join(paragraphs)
    starts = [sum(len(p) + 2 for p in paragraphs[:i]) for i in range(len(paragraphs))]
    fresh = Catalog.from_store(bundled_store)
    for script in ("zh-Hans", "zh-TW"):
        whole = check(bundled_catalog, text, script)
        matches, problems = [], []
        for at_, paragraph in reversed(list(zip(starts, paragraphs))):
            part = check(fresh, paragraph, script)
            matches += [(m.start + at_, m.end + at_, m.text, m.concept, m.form, m.use, m.others) for m in part.matches]
            problems += [(p.kind, p.start + at_, p.end + at_, p.text, p.message, p.fix) for p in part.problems
                         if p.kind != "inconsistent"]
        assert len(matches) > 300 and {m[4] for m in matches} >= {"preferred", "admitted", "regional", "deprecated"}
        assert {p[0] for p in problems} >= {"deprecated", "non_preferred", "regional", "script"}
        assert all(p[3] in p[4] for p in problems)  # each message quotes the text as written there
        assert [(m.start, m.end, m.text, m.concept, m.form, m.use, m.others) for m in whole.matches] == sorted(matches)
        assert [(p.kind, p.start, p.end, p.text, p.message, p.fix) for p in whole.problems
                if p.kind != "inconsistent"] == sorted(problems, key=lambda p: (p[1], p[0]))
        assert check(bundled_catalog, text, script) == whole  # what was remembered changes nothing


def test_the_remembered_verdicts_are_bounded(monkeypatch):
    """Past ``MAX_VERDICTS`` ways of writing labels the memo starts again, and answers stay the same."""
    import drafting.checker as checker

    text = "數字鄉村、手机支付、消费扶贫、乡村数字治理、行動支付、數位鄉村"
    expected = check(small(), text)
    monkeypatch.setattr(checker._Memo, "MAX_VERDICTS", 2)
    catalog = small()
    first, again = check(catalog, text), check(catalog, text)
    assert first == again == expected and len(expected.problems) >= 5
    assert len(memo_for(matcher_for(catalog), "zh-Hans").verdicts) <= 2


def _every_script_mix(label: str) -> list[str]:
    """Every way of writing ``label`` with each character Simplified or Traditional (OpenCC s2t)."""
    traditional = converter("s2t").convert(label)
    forms = [""]
    for simple, trad in zip(label, traditional):
        forms = [f + ch for f in forms for ch in dict.fromkeys((simple, trad))]
    return forms


def test_an_inconsistent_use_names_a_few_forms_however_many_were_written(bundled_catalog):
    # a label of many characters with a Traditional form, written in hundreds of mixes of the two scripts:
    # the message named every form (353 KB for a 1 MB draft), and the check page repeats it on each use
    concept = max((c for c in bundled_catalog.concepts.values()
                   if c.status == "published" and not set(c.preferred) & set("“”、，。 ")),
                  key=lambda c: (len(_every_script_mix(c.preferred)), c.id))
    forms = _every_script_mix(concept.preferred)[:300]
    assert len(forms) == 300
    result = check(bundled_catalog, "，".join(forms) + "。")
    [problem] = [p for p in result.problems if p.kind == "inconsistent" and p.concept == concept.id]
    assert len(problem.occurrences) == 300
    assert problem.message.startswith("同一概念写成了300种形式：") and problem.fix == concept.preferred
    named = re.findall("“([^”]*)”", problem.message.split("，全文")[0])
    assert named == forms[:MAX_FORMS_NAMED] and problem.message.endswith(f"”等，全文统一用“{concept.preferred}”")
    # a few forms: every one named, as before
    few = check(bundled_catalog, "，".join(forms[:3]))
    [problem] = [p for p in few.problems if p.kind == "inconsistent" and p.concept == concept.id]
    assert problem.message == "同一概念写成了3种形式：" + "、".join(f"“{f}”" for f in forms[:3]) + \
        f"，全文统一用“{concept.preferred}”"
