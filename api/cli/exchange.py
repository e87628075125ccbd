"""``shuyu import`` and ``shuyu export``: the exchange formats from the command line, with progress and a report."""

from __future__ import annotations

import sys

import click

from api.settings import Settings

from . import _loaded_store, data_dir_option, main, one_line_errors, progress_bar, write_file

EXCHANGE_FORMATS = ["toml", "ttl", "rdf", "jsonld", "nt", "tbx", "csv"]  # vocab.formats.FORMATS, kept light here


@main.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(EXCHANGE_FORMATS), default=None,
              help="the files' format (default: from each file name's extension)")
@click.option("--scheme", default=None, help="put every concept of the files into this scheme (created if new)")
@click.option("--dry-run", is_flag=True, help="check and print what would change; write nothing")
@click.option("--as-proposals", is_flag=True, help="submit every change as a proposal for review instead of publishing it")
@click.option("--author", default=None, help="who imports: the author of the versions or proposals [default: import]")
@click.option("--deprecate-missing", is_flag=True,
              help="deprecate concepts of the imported schemes that the files no longer hold (else only listed)")
@click.option("--skip-invalid", is_flag=True,
              help="import the valid entries and list the others (else any problem writes nothing)")
@data_dir_option
@one_line_errors
def import_(files: tuple[str, ...], fmt: str | None, scheme: str | None, dry_run: bool, as_proposals: bool,
            author: str | None, deprecate_missing: bool, skip_invalid: bool, data_dir: str | None) -> None:
    """Import vocabulary files (TOML, SKOS, TBX, CSV) into the registry, in one transaction.

    A new scheme is created from the files; in an existing one only concepts whose content changed get
    a new version. Every problem is listed at once (file, line or RDF subject, field); with any, nothing is
    written, unless --skip-invalid. --dry-run lists them with the counts. Limits: docs/vocabulary.md.
    """
    from pathlib import Path

    from registry.errors import VocabularyError
    from vocab.exchange import import_files

    if as_proposals and not author:
        raise click.UsageError("--as-proposals needs --author NAME (the proposals' author)")
    contents = []
    for name in files:
        try:
            contents.append((name, Path(name).read_bytes()))
        except OSError as exc:
            raise VocabularyError(f"cannot read file: {exc.strerror}", path=name) from None
    from registry.store import open_store

    settings = Settings.from_env(data_dir=data_dir)
    Path(settings.data_dir).mkdir(parents=True, exist_ok=True)
    store = open_store(settings.store)  # an import may start a registry: the store is made if new
    try:
        with progress_bar() as progress:
            task = progress.add_task("importing", total=None)

            def advance(done: int, total: int | None, what: str) -> None:
                """Each stage's real progress: bytes read, entities compared, then the one write."""
                progress.update(task, completed=done, total=total, description=what)

            report = import_files(
                store, contents, actor=author or "import", fmt=fmt, scheme=scheme, base_uri=settings.uri_base,
                dry_run=dry_run, as_proposals=as_proposals, deprecate_missing=deprecate_missing,
                skip_invalid=skip_invalid, progress=advance,
            )
    finally:
        store.close()
    click.echo(report.summary())
    if dry_run and report.problems and not skip_invalid:
        sys.exit(1)  # a dry run that finds problems fails, as the import would


@main.command("export")
@click.option("--scheme", required=True, help="the scheme id, or 'standards' for the standards catalogue")
@click.option("--format", "fmt", type=click.Choice(EXCHANGE_FORMATS), required=True, help="the file format")
@click.option("--release", default=None, help="export the scheme as it was at this release tag")
@click.option("--at", default=None, help="export the scheme as it was at a revision number or an ISO date/time")
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None, help="write to FILE (default: stdout)")
@click.option("--tbx-dialect", type=click.Choice(["basic", "min", "core"]), default="basic", show_default=True,
              help="TBX: TBX-Basic, TBX-Min or TBX-Core (ISO 30042:2019); Min and Core carry less")
@click.option("--tbx-style", type=click.Choice(["dca", "dct"]), default="dca", show_default=True,
              help="TBX: data categories as attributes (dca) or as elements (dct)")
@data_dir_option
@one_line_errors
def export(scheme: str, fmt: str, release: str | None, at: str | None, output: str | None, tbx_dialect: str,
           tbx_style: str, data_dir: str | None) -> None:
    """Export a scheme (now, or at a release or revision) as TOML, SKOS, TBX or CSV."""
    from vocab.exchange import export as export_scheme

    settings = Settings.from_env(data_dir=data_dir)
    store = _loaded_store(data_dir)
    try:
        shot, parts = export_scheme(store, scheme, fmt, base_uri=settings.uri_base, release=release, at=at,
                                    tbx_dialect=tbx_dialect, tbx_style=tbx_style)
        if output is None:
            stream = click.get_binary_stream("stdout")  # type: ignore[operator]  # click types it as an object
            for part in parts:
                stream.write(part)
            stream.flush()
            return
        write_file(output, parts)
    finally:
        store.close()
    counts = len(shot.vocabulary.concepts) or len(shot.vocabulary.standards)
    click.echo(f"wrote {output}: {scheme} at revision {shot.revision}{f' (release {release})' if release else ''}, "
               f"{counts} entries", err=True)
