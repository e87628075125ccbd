"""Imports of adversarial files within the upload bound: every reader's cost grows with the file, never
with its square (each guarded by a subprocess with a generous timeout, or by equivalence with the old code)."""

from __future__ import annotations

import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vocab.format import ParsedFile


def _read_in_a_process(code: str, timeout: float = 120) -> str:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=timeout, check=True)
    return done.stdout.strip()


def _old_starts(lines: list[str]) -> dict[str, int]:
    """The entry starts as ``ParsedFile._index`` found them up to 2026-12-06: from each id line, back to its header."""
    import re

    id_line = re.compile(r"""^\s*id\s*=\s*["']([^"']*)["']""")
    starts: dict[str, int] = {}
    for number, line in enumerate(lines):
        match = id_line.match(line)
        if match:
            back = number
            while back > 0 and not lines[back].lstrip().startswith("[["):
                back -= 1
            starts.setdefault(match.group(1), back)
    return starts


@pytest.mark.slow
@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(['[[concept]]', '  [[standard]]', '[scheme]', 'id = "a"', ' id = "b"', "id='c'",
                                 'pref = "x"', '', 'id = "a" # again', '"""', '[[ concept ]]']), max_size=30))
def test_entry_starts_are_the_old_ones(lines):
    parsed = ParsedFile(path="t.toml", text="\n".join(lines), scheme=None, versions=[])
    assert parsed._index() == (parsed.text.splitlines(), _old_starts(parsed.text.splitlines()))


@pytest.mark.slow
def test_a_toml_file_of_id_lines_inside_a_string_is_read_in_one_pass():
    # 200 KB of `id = "x"` lines in a multi-line string: each walked back to its entry's header (17.7 s;
    # a 32 MB upload some 5 days)
    code = """if True:
        from vocab.formats import Context, read
        head = '[scheme]\\nid = "s1"\\ntitle = "测试"\\n\\n[[concept]]\\nid = "c1"\\npref = "数据"\\ndefinition = \\"\\"\\"\\n'
        data = (head + 'id = "x"\\n' * 500_000 + '\\"\\"\\"\\n').encode()
        vocabulary = read(data, "big.toml", "toml", Context())
        print(len(vocabulary.concepts), vocabulary.where["c1"])
    """
    assert _read_in_a_process(code) == "1 (5, None)"


TBX_HEAD = ('<?xml version="1.0" encoding="utf-8"?>\n<tbx type="TBX-Basic" style="dca" xml:lang="en" '
            'xmlns="urn:iso:std:iso:30042:ed:3.0"><tbxHeader><fileDesc><sourceDesc><p>x</p></sourceDesc></fileDesc>'
            '</tbxHeader><text><body>\n')
TBX_TAIL = "</body></text></tbx>\n"


def _tbx(entry: str) -> bytes:
    return (TBX_HEAD + f'<conceptEntry id="c1"><langSec xml:lang="zh">{entry}</langSec></conceptEntry>' + TBX_TAIL).encode()


def test_a_note_nested_in_notes_is_read_once(monkeypatch):
    # 250 notes one inside the other in a term section: each was read with all the text inside it, a note
    # per level (a 2 MB file: 11 s and 1 GB); the outer one holds it all, read once
    from vocab.formats import Context, read
    from vocab.formats import tbx

    read_chars = []
    monkeypatch.setattr(tbx, "inner", lambda element, inner=tbx.inner: read_chars.append(len(out := inner(element))) or out)
    body = "长文本 " * 2000
    data = _tbx("<termSec><term>数<hi>据</hi></term>" + "<note>" * 250 + body + "</note>" * 250 + "</termSec>")
    vocabulary = read(data, "deep.tbx", "tbx", Context())
    [c] = vocabulary.concepts
    assert [t.text for t in c.terms] == ["数据"] and c.notes == (f"数据: {body.strip()}",)
    assert not any("hi" in w for w in vocabulary.warnings)  # the term's inline markup is the term's text
    assert sum(read_chars) < 3 * len(data)


def test_groups_nested_around_a_note_are_not_read_as_text(monkeypatch):
    # 250 descripGrp around one note: each group's text (the whole note) was made and thrown away
    # (8 MB: 31 s)
    from vocab.formats import Context, read
    from vocab.formats import tbx

    read_chars = []
    monkeypatch.setattr(tbx, "inner", lambda element, inner=tbx.inner: read_chars.append(len(out := inner(element))) or out)
    body = "长文本 " * 2000
    data = _tbx("<termSec><term>数据</term></termSec>" + "<descripGrp>" * 250 + f"<note>{body}</note>"
                + "</descripGrp>" * 250)
    [c] = read(data, "deep.tbx", "tbx", Context()).concepts
    assert c.notes == (body.strip(),)
    assert sum(read_chars) < 3 * len(data)
