"""What the vocabulary files hold: ``shuyu check`` and ``shuyu stats``."""

from __future__ import annotations

import sys

import click


from . import main, one_line_errors


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@one_line_errors
def check(files: tuple[str, ...]) -> None:
    """Validate vocabulary files (TOML) together, without writing anything.

    First the registry's rules (the first problem found, as one line naming file, line and field), then
    the content rules of docs/vocabulary.md (every problem, one line each): URLs that parse, no
    repository files as sources, no circular definitions, a broader or top concept for every term,
    parents graded at least as high as their children, no unexplained shared preferred labels,
    abbreviations shorter than their term, curated regional labels that OpenCC cannot produce.
    Exits 1 if anything is wrong.
    """
    from vocab.checks import all_problems, locate
    from vocab.loader import count, read_bundle

    bundle = read_bundle(files)
    problems = all_problems(bundle)
    for problem in problems:
        click.echo(locate(bundle, problem), err=True)
    if problems:
        click.echo(f"error: {len(problems)} content problem(s) in {len(files)} file(s)", err=True)
        sys.exit(1)
    counts = ", ".join(f"{name}: {n}" for name, n in count(bundle).items())
    click.echo(f"ok: {len(files)} file(s); {counts}")


@main.command()
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False))
@one_line_errors
def stats(files: tuple[str, ...]) -> None:
    """Count concepts per scheme and kind, sources of record, English definitions and standards per status.

    Sources are counted by where their URL points: on an issuer's own site (registry/citation.py), no
    URL (the document cited by title, issuer, date and number), or another site (a reprint: none allowed).

    Reads the given vocabulary files (default: the bundled ones).
    """
    from rich.console import Console
    from rich.table import Table

    from registry.citation import is_record, official_host
    from vocab.checks import CLASSIFICATION_SCHEME, TERMS_SCHEME, classification_problems, kind_of, kind_problems
    from vocab.classification import categories, overlaps, sibling_pairs
    from vocab.loader import bundled_files, read_bundle
    from vocab.seed import SEED_ITEMS

    bundle = read_bundle(files or bundled_files())
    everything = {c.id: c for c in bundle.concepts()}
    table = Table(title="shuyu vocabulary")
    columns = ("scheme / catalogue", "entries", "with definition", "English definition", "with source of record",
               "sources", "URL on an official host", "without URL", "other URL")
    for column in columns:
        table.add_column(column, justify="left" if column.startswith("scheme") else "right")

    def source_cells(entries, sources) -> list[str]:
        return [str(sum(1 for e in entries if any(is_record(s) for s in e.sources))), str(len(sources)),
                str(sum(1 for s in sources if s.url and official_host(s.url))),
                str(sum(1 for s in sources if not s.url)),
                str(sum(1 for s in sources if s.url and not official_host(s.url)))]

    for scheme in bundle.schemes:
        concepts = [c for c in bundle.concepts() if c.scheme == scheme.id]
        sources = [s for c in concepts for s in c.sources]
        table.add_row(
            f"{scheme.title} ({scheme.id}){' [draft]' if scheme.status == 'draft' else ''}",
            str(len(concepts)),
            str(sum(1 for c in concepts if c.definition)),
            str(sum(1 for c in concepts if c.definition_en)),
            *source_cells(concepts, sources),
        )
    standards = bundle.standards()
    standard_sources = [s for st in standards for s in st.sources]
    table.add_row("标准目录 (standards)", str(len(standards)), "", "", *source_cells(standards, standard_sources))
    Console().print(table)
    for scheme in (s for s in bundle.schemes if s.top_concepts):
        kinds = Table(title=f"{scheme.title} ({scheme.id}): concepts per kind (top concept)")
        kinds.add_column("top concept")
        kinds.add_column("concepts", justify="right")
        kinds.add_column("under a narrower generic concept", justify="right")
        concepts = [c for c in bundle.concepts() if c.scheme == scheme.id and c.status == "published"]
        tops = set(scheme.top_concepts)
        for top in scheme.top_concepts:
            group = [c for c in concepts if c.kind == top and c.id != top]
            kinds.add_row(f"{everything[top].preferred} ({top})", str(len(group)),
                          str(sum(1 for c in group if c.broader and c.broader[0] not in tops)))
        found = [kind_of(c, everything, scheme.top_concepts) for c in concepts]
        kinds.add_row("none (no broader, not a top concept)", str(found.count(None)), "")
        Console().print(kinds)
        below = [c for c in concepts if c.id not in tops]
        deeper = sum(1 for c in below if c.broader and c.broader[0] not in tops)
        mismatches = [p for p in kind_problems(bundle) if p.field == "definition"] if scheme.id == TERMS_SCHEME else []
        click.echo(f"{scheme.id}: {deeper} of {len(below)} non-top concepts ({deeper / max(len(below), 1):.0%}) have a "
                   f"broader concept other than a top concept; genus/kind mismatches: {len(mismatches)}")
    live = categories(bundle)
    if live:
        pairs = len(sibling_pairs(live))
        leaves = [c for code, c in live.items() if len(code) == 6 and not code.endswith("99")]
        rules = {n for c in leaves for n in c.notes if n.startswith("默认级别")}
        click.echo(f"{CLASSIFICATION_SCHEME}: {len(live)} categories, {pairs} sibling pairs compared, sibling overlaps: "
                   f"{len(overlaps(live))}; leaves with a grade rule: {len(leaves)}, distinct rules: {len(rules)}; "
                   f"classification problems: {len(classification_problems(bundle))}")
    published = {c.preferred for c in bundle.concepts() if c.scheme == TERMS_SCHEME and c.status == "published"}
    missing = [name for name in SEED_ITEMS if name not in published]
    click.echo(f"seed items of the test list (vocab/seed.py): {len(SEED_ITEMS) - len(missing)} of {len(SEED_ITEMS)} present"
               + (f"; missing: {', '.join(missing)}" if missing else ""))
    by_status = Table(title="标准目录 standards by status")
    by_status.add_column("status")
    by_status.add_column("standards", justify="right")
    by_status.add_column("with code", justify="right")
    by_status.add_column("linked to concepts", justify="right")
    for status in sorted({s.status for s in standards}):
        members = [s for s in standards if s.status == status]
        by_status.add_row(status, str(len(members)), str(sum(1 for s in members if s.code)),
                          str(sum(1 for s in members if s.concepts)))
    by_status.add_row("all", str(len(standards)), str(sum(1 for s in standards if s.code)),
                      str(sum(1 for s in standards if s.concepts)))
    Console().print(by_status)

