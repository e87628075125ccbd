"""Drafting tools: the term checker, the terms-and-definitions clause, the harmonisation report."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import click

from registry.errors import ShuyuError

from . import _loaded_store, data_dir_option, main, one_line_errors, write_file


@main.command("check-text")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--script", type=click.Choice(["zh-Hans", "zh-TW", "zh-HK"]), default="zh-Hans", show_default=True,
              help="the script the draft is written for: mainland (zh-Hans), Taiwan or Hong Kong wording")
@click.option("--json", "as_json", is_flag=True, help="print the full result as JSON instead of one line per problem")
@data_dir_option
def check_text(file: str, script: str, as_json: bool, data_dir: str | None) -> None:
    """Check a draft (.txt, .md or .docx; - for stdin) against the registry's terms.

    Prints FILE:LINE:COLUMN: kind: message for every deprecated, non-preferred, regional, other-script
    or inconsistent use, then a summary. Exits 1 when it finds a problem (so a drafting group's CI can
    run it), 0 when the draft is clean, 2 when the file cannot be checked.
    """
    import msgspec

    from search.catalog import Catalog
    from drafting.checker import check
    from drafting.drafts import read_draft

    try:
        if file == "-":
            name, data = "<stdin>", click.get_binary_stream("stdin").read()  # type: ignore[operator]  # as in exchange
        else:
            name, data = file, open(file, "rb").read()
        text = read_draft(name if file != "-" else "stdin.txt", data)
        store = _loaded_store(data_dir)
        try:
            catalog = Catalog.from_store(store)
        finally:
            store.close()
        result = check(catalog, text, script)
    except ShuyuError as exc:
        click.echo(f"error: {file}: {exc.detail}", err=True)
        sys.exit(2)
    except OSError as exc:
        click.echo(f"error: {file}: {exc.strerror or exc}", err=True)
        sys.exit(2)
    if as_json:
        click.echo(msgspec.json.encode(result).decode())
    else:
        starts = [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]
        from bisect import bisect_right

        for p in result.problems:
            line = bisect_right(starts, p.start)
            click.echo(f"{name}:{line}:{p.start - starts[line - 1] + 1}: {p.kind}: {p.message}")
        counts = ", ".join(f"{k} {v}" for k, v in result.summary.items() if v or k in ("matches", "problems"))
        click.echo(f"{name}: {counts}", err=True)
    sys.exit(1 if result.problems else 0)


def _write_output(body: bytes | str, output: str | None) -> None:
    if output:
        from pathlib import Path

        path = Path(output)
        write_file(output, [body if isinstance(body, bytes) else body.encode("utf-8")])  # never half a file
        click.echo(f"wrote {path}", err=True)
    elif isinstance(body, bytes):
        raise click.UsageError("a .docx is written to a file: give --output FILE")
    else:
        click.echo(body, nl=False)


@main.command()
@click.option("--ids", default="", help="concept ids, comma-separated, in the order wanted")
@click.option("--scheme", default=None, help="a scheme id: its concepts (with --broader, only that concept and those under it)")
@click.option("--broader", default=None, help="a concept id: it and every concept under it")
@click.option("--cite", default="", help="standards (ids or codes) the draft cites: their concepts are referenced, not repeated")
@click.option("--format", "fmt", type=click.Choice(["markdown", "html", "docx", "json"]), default="markdown", show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False), default=None, help="write to this file (needed for docx)")
@click.option("--at", default=None, help="a revision number or ISO date: the clause as it stood then")
@click.option("--release", default=None, help="a release tag: the clause as it stood at that release")
@data_dir_option
@one_line_errors
def clause(ids: str, scheme: str | None, broader: str | None, cite: str, fmt: str, output: str | None,
           at: str | None, release: str | None, data_dir: str | None) -> None:
    """Write the GB/T 1.1-2020 clause 3 "术语和定义" for chosen concepts (Markdown, HTML, Word or JSON)."""
    import msgspec

    from drafting.clause import clause_for, to_docx, to_html, to_markdown, versions_at
    from registry.history import revision_of
    from registry.model import ConceptVersion, StandardVersion

    store = _loaded_store(data_dir)
    try:
        revision = revision_of(store, at, release)
        if revision is None:
            revision = store.revision()
            concepts = {c.id: c for c in store.current("concept") if isinstance(c, ConceptVersion)}
            standards = [s for s in store.current("standard") if isinstance(s, StandardVersion)]
        else:
            concepts, standards = versions_at(store, revision, (c.id for c in store.current("concept")),
                                              (s.id for s in store.current("standard")))
    finally:
        store.close()
    result = clause_for(concepts, standards, ids=[i.strip() for i in ids.split(",") if i.strip()], scheme=scheme,
                        broader=broader, cite=[c.strip() for c in cite.split(",") if c.strip()], revision=revision)
    writers: dict[str, Callable[[Any], bytes | str]] = {"markdown": to_markdown, "html": to_html, "docx": to_docx,
               "json": lambda c: msgspec.json.format(msgspec.json.encode(c)).decode() + "\n"}
    _write_output(writers[fmt](result), output)


@main.group()
def report() -> None:
    """Reports over the registry."""


@report.command("harmonisation")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@data_dir_option
@one_line_errors
def report_harmonisation(fmt: str, data_dir: str | None) -> None:
    """Labels naming more than one concept, terms preferred in one concept and not in another,
    near-duplicate definitions, and standards that define one term differently."""
    import msgspec

    from drafting.harmonisation import harmonisation_report

    store = _loaded_store(data_dir)
    try:
        result = harmonisation_report(store.current("concept"), store.current("standard"), revision=store.revision())
    finally:
        store.close()
    if fmt == "json":
        click.echo(msgspec.json.format(msgspec.json.encode(result)).decode())
        return
    titles = {"shared_labels": "labels naming more than one concept", "status_conflicts": "preferred here, not there",
              "standards_differ": "standards defining one term differently"}
    for key, title in titles.items():
        findings = getattr(result, key)
        click.echo(f"== {title}: {len(findings)}")
        for f in findings:
            click.echo(f"{f.label}")
            for c in f.concepts:
                click.echo(f"  {c.id} [{c.scheme}] {c.term} ({c.type}): {c.definition}")
    click.echo(f"== near-duplicate definitions: {len(result.near_duplicates)}")
    for d in result.near_duplicates:
        click.echo(f"{d.similarity}: " + " | ".join(f"{c.id}: {c.definition}" for c in d.concepts))
