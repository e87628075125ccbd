"""Vocabulary files: every problem is reported as one line naming file, line and field; nothing is written."""

from __future__ import annotations

import textwrap

import pytest

from registry.errors import Conflict, VocabularyError
from vocab.loader import load_bundled_if_empty, load_into, read_bundle

HEAD = """\
[scheme]
id = "t-scheme"
title = "测试"
"""


def write(tmp_path, body: str, name: str = "t.toml"):
    path = tmp_path / name
    path.write_text(HEAD + textwrap.dedent(body), encoding="utf-8")
    return path


def error_of(*paths) -> VocabularyError:
    with pytest.raises(VocabularyError) as info:
        read_bundle(paths)
    return info.value


def test_a_good_file_becomes_versions_with_terms_by_role(tmp_path):
    path = write(tmp_path, """
        [[concept]]
        id = "mobile-payment"
        pref = "移动支付"
        alt = ["手机支付"]
        abbr = ["MP"]
        tw = ["行動支付"]
        hk = ["流動支付"]
        en = "mobile payment"
        definition = "用移动终端完成的支付。"
        tasks = [20]
    """)
    (c,) = read_bundle([path]).concepts()
    assert c.preferred == "移动支付" and c.english == "mobile payment"
    assert {(t.text, t.lang, t.type) for t in c.terms} == {
        ("移动支付", "zh-Hans", "preferred"), ("手机支付", "zh-Hans", "admitted"),
        ("MP", "zh-Hans", "abbreviation"), ("行動支付", "zh-TW", "admitted"),
        ("流動支付", "zh-HK", "admitted"), ("mobile payment", "en", "preferred"),
    }
    assert c.sources[0].document == "2024年数字乡村发展工作要点" and c.sources[0].locator == "任务20"


def test_syntax_error_names_file_and_line(tmp_path):
    path = write(tmp_path, """
        [[concept]]
        id = "a-b"
        pref = "甲乙
    """)
    err = error_of(path)
    assert str(err).startswith(f"{path}:7: not valid TOML")


def test_wrong_type_names_line_and_field(tmp_path):
    path = write(tmp_path, """
        [[concept]]
        id = "a-b"
        pref = "甲乙"

        [[concept]]
        id = "c-d"
        pref = "丙丁"
        broader = [3]
    """)
    assert str(error_of(path)) == f"{path}:12: broader: Expected `str`, got `int`"


def test_unknown_field_and_bad_value_are_refused(tmp_path):
    unknown = write(tmp_path, """
        [[concept]]
        id = "a-b"
        pref = "甲乙"
        colour = "red"
    """, "unknown.toml")
    assert str(error_of(unknown)) == f"{unknown}:8: colour: Object contains unknown field `colour`"
    grade = write(tmp_path, """
        [[concept]]
        id = "a-b"
        pref = "甲乙"
        grade = "secret"
    """, "grade.toml")
    assert str(error_of(grade)) == f"{grade}:8: grade: Invalid enum value 'secret'"


def test_bad_standard_status_is_refused(tmp_path):
    path = write(tmp_path, """
        [[standard]]
        id = "s-1"
        title = "标准"
        status = "rumoured"
    """)
    err = error_of(path)
    assert err.line == 8 and err.field == "status"


def test_duplicate_preferred_label_after_folding_points_at_the_second(tmp_path):
    path = write(tmp_path, """
        [[concept]]
        id = "a-b"
        pref = "数字乡村"

        [[concept]]
        id = "c-d"
        pref = "數字鄉村"
    """)
    err = error_of(path)
    assert (err.line, err.field) == (11, "pref")
    assert "already the preferred label of a-b" in str(err)


def test_dangling_relation_and_cycle_name_the_field(tmp_path):
    dangling = write(tmp_path, """
        [[concept]]
        id = "a-b"
        pref = "甲乙"
        related = ["nowhere"]
    """, "dangling.toml")
    err = error_of(dangling)
    assert (err.line, err.field) == (8, "related")
    cycle = write(tmp_path, """
        [[concept]]
        id = "a-b"
        pref = "甲乙"
        broader = ["c-d"]

        [[concept]]
        id = "c-d"
        pref = "丙丁"
        broader = ["a-b"]
    """, "cycle.toml")
    assert error_of(cycle).field == "broader"


def test_ids_are_unique_across_files(tmp_path):
    first = write(tmp_path, '[[concept]]\nid = "a-b"\npref = "甲乙"\n', "one.toml")
    second = tmp_path / "two.toml"
    second.write_text('[scheme]\nid = "u-scheme"\ntitle = "另"\n[[concept]]\nid = "a-b"\npref = "丙丁"\n', encoding="utf-8")
    err = error_of(first, second)
    assert err.path == str(second) and err.line == 5 and f"{first}:4" in str(err)


def test_concepts_need_a_scheme(tmp_path):
    path = tmp_path / "x.toml"
    path.write_text('[[concept]]\nid = "a-b"\npref = "甲乙"\n', encoding="utf-8")
    assert "scheme" in str(error_of(path))


def test_a_failed_load_writes_nothing(tmp_path, store):
    good = write(tmp_path, '[[concept]]\nid = "a-b"\npref = "甲乙"\n', "good.toml")
    load_into(store, read_bundle([good]))
    before = store.revision()
    bad = write(tmp_path, '[[concept]]\nid = "a-b"\npref = "甲乙"\n', "again.toml")
    with pytest.raises(Conflict):
        load_into(store, read_bundle([bad]))  # version 1 of a-b exists: a conflict, rolled back whole
    assert store.revision() == before


def test_bundled_vocabulary_loads_once(store):
    assert load_bundled_if_empty(store) is True
    revision = store.revision()
    assert load_bundled_if_empty(store) is False
    assert store.revision() == revision
