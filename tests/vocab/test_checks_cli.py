"""`shuyu check` runs the content rules too, and `shuyu stats` counts what they are about."""

from __future__ import annotations

from click.testing import CliRunner

from api.cli import main
from vocab.loader import bundled_files

SCHEME = '[scheme]\nid = "x-terms"\ntitle = "t"\n\n'


def test_check_names_file_line_and_field_of_each_content_problem(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(
        SCHEME
        + '[[concept]]\nid = "a-b"\npref = "数字乡村"\ndefinition = "数字乡村的乡村。"\n'
        + 'sources = [{ document = "shared/reference/facts.md", url = "https://example.cn/page240" }]\n\n'
        + '[[concept]]\nid = "c-d"\npref = "专项债券"\nabbr = ["专项债券们"]\ndefinition = "地方政府为有收益的公益项目发行的债券。"\n',
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["check", str(bad)])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert any(line.startswith(f"{bad}:9: sources: a-b: source 'shared/reference/facts.md' names a file") for line in lines)
    assert any(line.startswith(f"{bad}:8: definition: a-b: the definition contains its own term") for line in lines)
    assert any("only restates the term" in line for line in lines)
    assert any(line.startswith(f"{bad}:14: abbr: c-d: abbreviation '专项债券们'") for line in lines)
    assert f"{bad}:9: sources: a-b: no source of record (a public document with its number or code, or its issuer and date)" in lines
    assert any(line.startswith(f"{bad}:") and "c-d: no origin of the definition" in line for line in lines)
    assert any("https://example.cn/page240" in line and "not on an issuer's own site" in line for line in lines)
    assert lines[-1] == "error: 9 content problem(s) in 1 file(s)"


def test_check_of_the_bundled_vocabulary_is_clean():
    result = CliRunner().invoke(main, ["check", *map(str, bundled_files())])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("ok: 4 file(s)")


def test_stats_prints_kinds_urls_and_english_definitions():
    result = CliRunner(env={"COLUMNS": "200"}).invoke(main, ["stats"])
    assert result.exit_code == 0, result.output
    assert "concepts per kind" in result.output and "专项工作 (kind-programme)" in result.output
    assert "English definition" in result.output and "with source of record" in result.output
    assert "URL on an official host" in result.output and "without URL" in result.output
    for row in (line for line in result.output.splitlines() if line.startswith("│ 数字乡村术语 (dv-terms)") or "(standards)" in line):
        assert row.split("│")[-2].strip() == "0", "no URL off an issuer's own site"
    none_row = next(line for line in result.output.splitlines() if "none (no broader" in line)
    assert none_row.split("│")[-3].strip() == "0"
    assert "dv-terms:" in result.output and "genus/kind mismatches: 0" in result.output


def test_check_refuses_a_url_that_is_not_http_by_the_registrys_rule(tmp_path):
    """A stored URL that is not http(s) breaks a registry rule (registry/urls.py): file, line and field."""
    bad = tmp_path / "bad.toml"
    bad.write_text(SCHEME + '[[concept]]\nid = "a-b"\npref = "数字乡村"\ndefinition = "在乡村应用数字技术的发展方式。"\n'
                   + 'sources = [{ document = "d", url = "sme-s.com page240" }]\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(bad)])
    assert result.exit_code == 1
    assert f"{bad}:9: sources[0].url: concept a-b: only http and https URLs are stored, and this one has none" in result.output


def test_check_names_a_sibling_overlap_and_a_pasted_grade_rule_of_the_classification(tmp_path):
    """The classification's rules run with the others: a leaf claiming its sibling's example and a leaf whose
    grade rule is pasted from another are each reported with file, line and field."""
    files = [str(path) for path in bundled_files() if not str(path).endswith("agri-data.toml")]
    source = next(path for path in bundled_files() if str(path).endswith("agri-data.toml")).read_text(encoding="utf-8")
    assert 'examples = ["粮食收购量", "粮食销售量"]' in source
    edited = source.replace('examples = ["粮食收购量", "粮食销售量"]', 'examples = ["粮食收购量", "粮食销售量", "储备粮库存数量"]')
    rule = next(line for line in source.splitlines() if line.startswith('notes = ["默认级别') and "田间管理记录" in line)
    edited = edited.replace(next(line for line in source.splitlines() if "投入品使用记录所涉" in line), rule)
    agri = tmp_path / "agri-data.toml"
    agri.write_text(edited, encoding="utf-8")
    result = CliRunner().invoke(main, ["check", *files, str(agri)])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert any(line.startswith(f"{agri}:") and ": definition: ad-grain-trade: 030501 claims '储备粮库存数量'" in line
               for line in lines), lines
    assert any(line.startswith(f"{agri}:") and ": notes: ad-agri-inputs: the same grade rule" in line for line in lines), lines


def test_stats_reports_the_classification_and_the_seed_items():
    result = CliRunner(env={"COLUMNS": "200"}).invoke(main, ["stats"])
    assert result.exit_code == 0, result.output
    line = next(line for line in result.output.splitlines() if line.startswith("agri-data:"))
    assert "sibling overlaps: 0" in line and "classification problems: 0" in line
    leaves, distinct = (int(n) for n in line.split("leaves with a grade rule: ")[1].split("; ")[0].split(", distinct rules: "))
    assert leaves == distinct > 60
    seed = next(line for line in result.output.splitlines() if line.startswith("seed items"))
    present, total = seed.split(": ")[1].split(" present")[0].split(" of ")
    assert present == total
