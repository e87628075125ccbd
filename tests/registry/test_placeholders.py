"""The store's SQL is written once in psycopg's format; each database reads it as meant."""

from __future__ import annotations

import pytest

from registry.sql import to_qmark


def test_sqlite_gets_question_marks_and_literal_percent():
    assert to_qmark("SELECT '100%%', x FROM t WHERE a = %s AND b LIKE %s") == \
        "SELECT '100%', x FROM t WHERE a = ? AND b LIKE ?"


@pytest.mark.parametrize("sql", ["SELECT ? ", "SELECT '5%'", "SELECT %d"])
def test_anything_the_two_databases_would_read_differently_is_refused(sql):
    with pytest.raises(ValueError):
        to_qmark(sql)


def test_a_literal_percent_survives_on_both_stores(store):
    assert tuple(store._db.execute("SELECT '100%%', %s", ("x",)).fetchone()) == ("100%", "x")
    assert tuple(store._db.execute("SELECT %s || '%%'", ("50",)).fetchone()) == ("50%",)


def test_postgresqls_question_mark_operator_survives(postgres_store):
    row = postgres_store._db.execute("""SELECT '{"a": 1}'::jsonb ? %s, '{"a": 1}'::jsonb ? %s""", ("a", "b")).fetchone()
    assert tuple(row) == (True, False)
