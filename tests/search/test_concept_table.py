"""The catalog's concept table reads like the dict of versions it replaces, in the same order, through
any sequence of changes (overlay and repacking both), and after a pickle round trip; its columns answer
what the decoded versions say."""

from __future__ import annotations

import pickle
import random
from collections import Counter

import pytest

from registry.model import ConceptVersion, Definition, Term
from search import concept_table
from search.concept_table import ConceptTable


@pytest.fixture(params=[2, 4096])
def repack(request, monkeypatch):
    monkeypatch.setattr(concept_table, "REPACK", request.param)  # small: packed again every few changes
    monkeypatch.setattr(concept_table, "RECENT", 3)  # decoded versions forgotten almost at once
    return request.param


def _version(rng: random.Random, concept_id: str, version: int) -> ConceptVersion:
    terms = [Term(text=f"词{rng.randint(0, 9)}{concept_id}", type="preferred", lang=rng.choice(["zh-Hans", "en"]))]
    terms += [Term(text=f"别名{n}", lang="zh-Hant") for n in range(rng.randint(0, 2))]
    definitions = tuple(Definition(text=f"釋義{n}", lang=rng.choice(["zh-CN", "en", "zh-TW"])) for n in range(rng.randint(0, 2)))
    return ConceptVersion(id=concept_id, scheme=rng.choice(["sa", "sb", "sc"]), version=version, terms=tuple(terms),
                          definition="定义" * rng.randint(0, 3), status=rng.choice(["published", "deprecated"]),
                          grade=rng.choice([None, "core", "general"]), author=rng.choice(["", "甲"]),
                          definitions=definitions, notation=rng.choice(["", f"N{version}"]),
                          replaced_by=tuple(rng.sample(["ra", "rb", "rc"], rng.randint(0, 2))))


def test_a_concept_table_reads_like_the_dict_it_replaces_through_every_change(repack):
    rng = random.Random(25)
    model: dict[str, ConceptVersion] = {}
    table = ConceptTable()
    for step in range(200):
        changes: dict[str, ConceptVersion | None] = {}
        for _ in range(rng.randint(1, 5)):
            concept_id = f"c{rng.randint(0, 40)}"
            old = changes.get(concept_id) or model.get(concept_id)
            changes[concept_id] = _version(rng, concept_id, old.version + 1 if old else 1)
        before = dict(table.items())
        new = table.updated(changes)
        assert dict(table.items()) == before  # the old table is left as it was
        table = new
        model.update(changes)  # type: ignore[arg-type]
        assert len(table) == len(model) and list(table) == list(model)  # a dict's order: new ids last
        for concept_id in [*model, "c99", ""]:
            assert table.get(concept_id) == model.get(concept_id) and (concept_id in table) == (concept_id in model)
        for concept_id, c in model.items():
            assert (table.preferred(concept_id), table.status(concept_id), table.scheme(concept_id),
                    table.grade(concept_id)) == (c.preferred, c.status, c.scheme, c.grade)
            assert table.facet_fields(concept_id) == (c.scheme, c.status, c.grade)
            excerpt = table.excerpt(concept_id)
            assert (excerpt.definition, excerpt.definitions, excerpt.notation, excerpt.replaced_by,
                    excerpt.chinese_definition) == (c.definition, c.definitions, c.notation, c.replaced_by,
                                                    c.chinese_definition)
        assert table.scheme_counts() == Counter(c.scheme for c in model.values())
        assert ConceptTable.of(model).ids_where("sa") == [i for i, c in model.items() if c.scheme == "sa"]
        for scheme in ("sa", "sb", "sc"):
            assert table.ids_where(scheme) == [i for i, c in model.items() if c.scheme == scheme]
        if step % 40 == 0:
            assert pickle.loads(pickle.dumps(table)) == model
    assert table == model and ConceptTable.of(model) == table and dict(ConceptTable.of(model).items()) == model
    with pytest.raises(KeyError):
        table["不在表里"]
    with pytest.raises(KeyError):
        table.status("不在表里")


def test_a_removed_concept_is_gone_from_every_reading():
    rng = random.Random(3)
    table = ConceptTable.of([_version(rng, i, 1) for i in ("xx", "yy", "zz")])
    table = table.updated({"yy": None})
    assert list(table) == ["xx", "zz"] and len(table) == 2 and "yy" not in table and table.get("yy") is None
    with pytest.raises(KeyError):
        table.scheme("yy")
    with pytest.raises(KeyError):
        table.facet_fields("yy")
    with pytest.raises(KeyError):
        table.excerpt("yy")
    assert list(pickle.loads(pickle.dumps(table))) == ["xx", "zz"]
