"""The packed tables of the catalog snapshot read like the dicts and sorted lists they replace, through
any sequence of changes (overlay and repacking both), and after a pickle round trip."""

from __future__ import annotations

import pickle
import random

import pytest

from search import compact
from search.compact import KeyTable, OneOrMany, PrefixTable, size, sizes

WORDS = ["数字", "乡村", "数字乡村", "农业", "智慧农业", "a", "ab", "abc", "b", "gbt43697", "43697", "zz", "数", "\n",
         "x\ny", "é", "𠀀字"]


@pytest.fixture(params=[2, 4096])
def repack(request, monkeypatch):
    monkeypatch.setattr(compact, "REPACK", request.param)  # small: packed again every few changes
    monkeypatch.setattr(compact, "KEEP_ITEMS", 5 if request.param == 2 else 1 << 18)  # the kept values dropped often
    return request.param


def test_a_key_table_reads_like_the_dict_it_was_given_through_every_change(repack):
    rng = random.Random(25)
    model: dict[str, tuple[str, ...]] = {}
    table = KeyTable()
    for step in range(300):
        changes = {}
        for _ in range(rng.randint(1, 6)):
            key = rng.choice(WORDS) + rng.choice(["", "", str(rng.randint(0, 40))])
            values = tuple(sorted(rng.sample(WORDS, rng.randint(0, 3))))
            changes[key] = values
        before = dict(table.items())
        new = table.updated(changes)
        assert dict(table.items()) == before  # the old table is left as it was
        table = new
        model.update(changes)
        model = {k: v for k, v in model.items() if v}
        assert len(table) == len(model) and list(table) == sorted(model)
        for key in [*WORDS, *changes, "", "数字乡村振兴"] * 2:  # twice: made, then (maybe) kept
            assert table.get(key) == model.get(key) and (key in table) == (key in model)
            assert size(table, key) == size(model, key) == (len(model[key]) if key in model else None)
        for length in (1, 2, 4):
            assert sorted(sizes(table, length)) == sorted((k, len(v)) for k, v in model.items() if len(k) == length)
            assert sorted(sizes(model, length)) == sorted(sizes(table, length))
        if step % 50 == 0:
            assert pickle.loads(pickle.dumps(table)) == model
    assert table == model and KeyTable.of(model) == table
    with pytest.raises(KeyError):
        table["不在表里"]


def test_a_key_s_values_read_the_same_however_many():
    """A key's tuple is made one way for a few values and another for many (``LONG_RUN``): the same tuple."""
    words = [f"label{i:04}" for i in range(200)]
    model = {str(n): tuple(words[:n]) for n in (1, 2, compact.LONG_RUN, compact.LONG_RUN + 1, 200)}
    table = KeyTable.of(model)
    for key, values in model.items():
        assert table.get(key) == values and type(table.get(key)) is tuple, key
        assert table.get(key) == values  # kept


def test_one_or_many_reads_like_the_dict_of_tuples_it_was_given_through_every_change():
    rng = random.Random(3)
    model: dict[str, tuple[object, ...]] = {}
    table = OneOrMany()
    for _ in range(200):
        changes = {rng.choice(WORDS): tuple(rng.sample(range(9), rng.randint(0, 3))) for _ in range(rng.randint(1, 4))}
        before = dict(table.items())
        new = table.updated(changes)
        assert dict(table.items()) == before
        table = new
        model.update(changes)
        model = {k: v for k, v in model.items() if v}
        assert table == model and dict(table) == model and list(table.values()) == list(model.values())
        for key in [*WORDS, "不在表里"]:
            assert table.get(key, ()) == model.get(key, ()) and (key in table) == (key in model)
    assert OneOrMany.of(model) == table and pickle.loads(pickle.dumps(table)) == table


def test_a_prefix_table_reads_like_the_sorted_list_it_replaces(repack):
    rng = random.Random(15)
    entities: dict[str, list[tuple[str, str, str]]] = {}
    table = PrefixTable()
    for _ in range(200):
        forgotten = set(rng.sample(sorted(entities), min(len(entities), rng.randint(0, 2))))
        added = []
        for entity in rng.sample([f"e{n}" for n in range(30)], rng.randint(0, 3)):
            if entity in entities and entity not in forgotten:
                forgotten.add(entity)
            entries = [(rng.choice(WORDS) + rng.choice(["", "x"]), entity, rng.choice(WORDS)) for _ in range(rng.randint(1, 3))]
            entities[entity] = entries
            added += entries
        for entity in forgotten:
            if not any(e[1] == entity for e in added):
                entities.pop(entity, None)
        expected = sorted({e for entries in entities.values() for e in entries})
        before = list(table)
        new = table.replaced(forgotten, added)
        assert list(table) == before
        table = new
        assert list(table) == expected and len(table) == len(expected)
        for prefix in ["", "数", "数字", "a", "ab", "zz", "𠀀", "\uffff"]:
            assert list(table.starting(prefix)) == [e for e in expected if e >= (prefix,)]
            assert table.first(prefix, 3) == [(k == prefix, i, label) for k, i, label in expected
                                              if k >= prefix and k.startswith(prefix)][:3]
            for limit in (1, 3, 100):
                assert table.prefixed(prefix, limit) == _prefixed(expected, prefix, limit)
    assert pickle.loads(pickle.dumps(table)) == table == PrefixTable.of(list(table))


def test_a_prefix_table_of_entities_is_the_table_of_their_entries():
    rng = random.Random(25)
    entities = {f"e{n:02}": {rng.choice(WORDS) + rng.choice(["", "x", "5g"]): rng.choice(WORDS)
                             for _ in range(rng.randint(0, 4))} for n in range(60)}
    entities["e07"][""] = "空"  # an empty key has no entry
    entries = [(key, entity_id, label) for entity_id, keys in entities.items() for key, label in keys.items() if key]
    expected = PrefixTable.of(entries)
    ordered = sorted(entities.items())
    assert pickle.dumps(PrefixTable.of_entities(ordered)) == pickle.dumps(expected)
    assert list(PrefixTable.of_entities(ordered[::-1])) == list(expected)  # not in id order: sorted whole
    assert list(PrefixTable.of_entities([])) == []


def _prefixed(entries: list[tuple[str, str, str]], prefix: str, limit: int) -> dict[str, tuple[bool, str]]:
    """What the catalog's prefix look-up answered from its sorted list of entries."""
    found: dict[str, tuple[bool, str]] = {}
    for key, entity_id, label in (e for e in entries if e >= (prefix,)):
        if not key.startswith(prefix):
            break
        exact = key == prefix
        if entity_id not in found:
            if len(found) >= limit:
                break
            found[entity_id] = (exact, label)
        elif exact and not found[entity_id][0]:
            found[entity_id] = (True, label)
    return found
