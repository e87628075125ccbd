"""The drafting commands: ``shuyu check-text``, ``shuyu clause`` and ``shuyu report harmonisation``."""

from __future__ import annotations

import io
import json

import pytest
from click.testing import CliRunner
from docx import Document

from api.cli import main


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory) -> str:
    return str(tmp_path_factory.mktemp("drafting-cli"))


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def test_drafting_commands_have_help():
    for command in (["check-text"], ["clause"], ["report", "harmonisation"], ["report"]):
        result = run(*command, "--help")
        assert result.exit_code == 0 and "Usage" in result.output and len(result.output) > 100


def test_check_text_names_file_line_and_column_and_exits_1(tmp_path, data_dir):
    draft = tmp_path / "draft.txt"
    draft.write_text("第一行写得很好。\n推进數位鄉村建设。\n", encoding="utf-8")
    result = run("check-text", str(draft), "--data-dir", data_dir)
    assert result.exit_code == 1
    assert f"{draft}:2:3: regional: " in result.output and "数字乡村" in result.output


def test_check_text_of_a_clean_draft_exits_0_and_prints_json(tmp_path, data_dir):
    draft = tmp_path / "clean.md"
    draft.write_text("# 数字乡村\n\n推进数字乡村建设。\n", encoding="utf-8")
    result = run("check-text", str(draft), "--data-dir", data_dir, "--json")
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert body["problems"] == [] and [m["start"] for m in body["matches"]] == [2, 10]


def test_check_text_reads_docx_and_taiwan_script(tmp_path, data_dir):
    document = Document()
    document.add_paragraph("推動數位鄉村。")
    path = tmp_path / "draft.docx"
    document.save(path)
    assert run("check-text", str(path), "--data-dir", data_dir, "--script", "zh-TW").exit_code == 0
    assert run("check-text", str(path), "--data-dir", data_dir).exit_code == 1


@pytest.mark.parametrize("name,content,words", [
    ("empty.txt", b"", "empty"),
    ("gbk.txt", "数字乡村".encode("gbk"), "not UTF-8"),
    ("binary.txt", b"\x00\x01\x02" * 50, "binary"),
    ("fake.docx", b"not a zip at all", "not a .docx"),
])
def test_check_text_bad_files_are_one_line(tmp_path, data_dir, name, content, words):
    path = tmp_path / name
    path.write_bytes(content)
    result = run("check-text", str(path), "--data-dir", data_dir)
    assert result.exit_code == 2
    assert result.output.count("\n") == 1 and str(path) in result.output and words in result.output


def test_check_text_of_a_missing_file_is_one_line(tmp_path, data_dir):
    result = run("check-text", str(tmp_path / "missing.txt"), "--data-dir", data_dir)
    assert result.exit_code == 2 and result.output.count("\n") == 1 and "missing.txt" in result.output


def test_clause_command_writes_markdown_and_docx(tmp_path, data_dir):
    markdown = run("clause", "--ids", "smart-agriculture", "--data-dir", data_dir)
    assert markdown.exit_code == 0 and "### 3.1" in markdown.output and "**智慧农业**" in markdown.output
    target = tmp_path / "clause.docx"
    word = run("clause", "--scheme", "dv-terms", "--broader", "smart-agriculture", "--format", "docx",
               "-o", str(target), "--data-dir", data_dir)
    assert word.exit_code == 0, word.output
    assert "3.1" in [p.text for p in Document(io.BytesIO(target.read_bytes())).paragraphs]
    assert run("clause", "--ids", "smart-agriculture", "--format", "docx", "--data-dir", data_dir).exit_code == 2
    unknown = run("clause", "--ids", "no-such-concept", "--data-dir", data_dir)
    assert unknown.exit_code == 1 and unknown.output.count("\n") == 1 and "no-such-concept" in unknown.output


def test_report_harmonisation(data_dir):
    text = run("report", "harmonisation", "--data-dir", data_dir)
    assert text.exit_code == 0 and "== labels naming more than one concept:" in text.output
    body = json.loads(run("report", "harmonisation", "--format", "json", "--data-dir", data_dir).output)
    assert body["summary"]["shared_labels"] == len(body["shared_labels"])
