"""The ``shuyu`` command. Click code only; heavy imports happen inside commands so ``--help`` is instant."""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import wraps

import click

from registry.errors import ShuyuError

from .settings import SETTINGS, Settings


def one_line_errors(command: Callable) -> Callable:
    """Print a registry error as one line on stderr and exit 1, instead of a stack trace."""

    @wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except ShuyuError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(1)
        except OSError as exc:  # a folder that cannot be made, a port in use ...
            click.echo(f"error: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": "), err=True)
            sys.exit(1)

    return wrapper


data_dir_option = click.option(
    "--data-dir", type=click.Path(file_okay=False), default=None,
    help=f"{SETTINGS['data_dir'][1]} [env SHUYU_DATA_DIR; default {SETTINGS['data_dir'][0]}]",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="shuyu")
def main() -> None:
    """shuyu 术语 — a versioned registry of digital-village terms and standards."""


@main.command()
@click.option("--host", default=None, help=f"{SETTINGS['host'][1]} [env SHUYU_HOST; default {SETTINGS['host'][0]}]")
@click.option("--port", type=int, default=None, help=f"{SETTINGS['port'][1]} [env SHUYU_PORT; default {SETTINGS['port'][0]}]")
@data_dir_option
@click.option("--workers", type=click.IntRange(1, 64), default=None,
              help=f"{SETTINGS['workers'][1]} [env SHUYU_WORKERS; default {SETTINGS['workers'][0]}]")
@one_line_errors
def serve(host: str | None, port: int | None, data_dir: str | None, workers: int | None) -> None:
    """Serve the API and the web page.

    Creates the data folder, loads the bundled vocabulary into an empty store, brings the search
    index up to date with the store, then serves. With --workers N, the workers end when this
    process ends, however it ends.
    """
    import os

    import uvicorn

    from .services import prepare

    from .workers import PARENT_ENV

    settings = Settings.from_env(host=host, port=port, data_dir=data_dir, workers=workers)
    # Prepare once in this process, so workers start on a loaded store and a current index.
    click.echo(prepare(settings), err=True)
    os.environ.update(settings.to_env())
    if settings.workers > 1:  # request metrics add up over the workers (prometheus_client's multiprocess mode)
        import shutil
        from pathlib import Path

        metrics_dir = Path(settings.data_dir) / "metrics"
        shutil.rmtree(metrics_dir, ignore_errors=True)
        metrics_dir.mkdir(parents=True)
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir.resolve())
    if settings.workers > 1:  # workers end with this process, even when it is killed with SIGKILL
        os.environ[PARENT_ENV] = str(os.getpid())
    else:
        os.environ.pop(PARENT_ENV, None)
    # X-Forwarded-Proto/-For are believed only from the proxies named in trust_proxy (uvicorn would
    # otherwise trust 127.0.0.1 by default): https there marks cookies Secure, and the throttles count the
    # client's address, not the proxy's
    trusted = settings.trust_proxy.strip()
    uvicorn.run(
        "api.workers:worker_app", factory=True, host=settings.host, port=settings.port,
        workers=settings.workers, log_level="info", access_log=False,
        proxy_headers=bool(trusted), forwarded_allow_ips=trusted or None,
    )


def _sqlite_path(settings: Settings) -> str:
    """The embedded store's file; PostgreSQL has its own tools for this."""
    url = settings.store
    if "://" in url and not url.startswith("sqlite:///"):
        raise click.UsageError("the store is PostgreSQL: back it up with pg_dump and restore it with "
                               "pg_restore, then run `shuyu reindex` on each node (docs/operations.md)")
    return url.removeprefix("sqlite:///")


def _rebuild_index(settings: Settings) -> None:
    """Rebuild the index of ``settings`` from its store, with a progress bar."""
    from rich.progress import Progress

    from registry.store import open_store
    from search.service import SearchService

    store = open_store(settings.store)
    try:
        service = SearchService(store, settings.index)
        try:
            with Progress(transient=False) as progress:
                task = progress.add_task("indexing", total=service.document_count())
                count = service.rebuild(lambda n: progress.advance(task, n))
            click.echo(f"indexed {count} documents at revision {service.index.revision} in {settings.index}")
        finally:
            service.index.close()
    finally:
        store.close()


@main.command()
@data_dir_option
@one_line_errors
def reindex(data_dir: str | None) -> None:
    """Rebuild the search index from the store (stop the server first)."""
    _rebuild_index(Settings.from_env(data_dir=data_dir))


@main.command()
@click.argument("file", type=click.Path(dir_okay=False))
@data_dir_option
@one_line_errors
def backup(file: str, data_dir: str | None) -> None:
    """Copy the SQLite store to FILE, consistently, while the server keeps serving."""
    from rich.progress import Progress

    from registry.backup import backup as copy_store

    settings = Settings.from_env(data_dir=data_dir)
    with Progress(transient=True) as progress:
        task = progress.add_task("backing up", total=None)
        revision = copy_store(_sqlite_path(settings), file,
                              lambda done, total: progress.update(task, completed=done, total=total))
    click.echo(f"backed up revision {revision} to {file}")


@main.command()
@click.argument("file", type=click.Path(dir_okay=False))
@data_dir_option
@click.option("--force", is_flag=True, help="overwrite a store that already holds a registry")
@one_line_errors
def restore(file: str, data_dir: str | None, force: bool) -> None:
    """Replace the SQLite store with the backup FILE and rebuild the search index (stop the server first).

    The backup is checked first (SQLite integrity check, a shuyu schema); a store that already holds
    a registry is only overwritten with --force.
    """
    from registry.backup import restore as restore_store

    settings = Settings.from_env(data_dir=data_dir)
    revision = restore_store(file, _sqlite_path(settings), force=force)
    click.echo(f"restored revision {revision} from {file}")
    _rebuild_index(settings)


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
    from vocab.checks import TERMS_SCHEME, kind_of, kind_problems
    from vocab.loader import bundled_files, read_bundle

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
    by_status = Table(title="标准目录 standards by status")
    by_status.add_column("status")
    by_status.add_column("standards", justify="right")
    by_status.add_column("with code", justify="right")
    by_status.add_column("linked to concepts", justify="right")
    for status in sorted({s.status for s in standards}):
        group = [s for s in standards if s.status == status]
        by_status.add_row(status, str(len(group)), str(sum(1 for s in group if s.code)),
                          str(sum(1 for s in group if s.concepts)))
    by_status.add_row("all", str(len(standards)), str(sum(1 for s in standards if s.code)),
                      str(sum(1 for s in standards if s.concepts)))
    Console().print(by_status)


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

    from rich.console import Console
    from rich.progress import Progress

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
        console = Console(stderr=True)
        with Progress(transient=True, console=console, disable=not console.is_terminal) as progress:
            task = progress.add_task("importing", total=None)

            def advance(done: int, total: int | None = None) -> None:
                progress.update(task, completed=done, total=total)

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
    import os
    import tempfile
    from pathlib import Path

    from vocab.exchange import export as export_scheme

    settings = Settings.from_env(data_dir=data_dir)
    store = _open_store(data_dir)
    try:
        shot, parts = export_scheme(store, scheme, fmt, base_uri=settings.uri_base, release=release, at=at,
                                    tbx_dialect=tbx_dialect, tbx_style=tbx_style)
        if output is None:
            stream = click.get_binary_stream("stdout")
            for part in parts:
                stream.write(part)
            stream.flush()
            return
        target = Path(output)
        handle, temporary = tempfile.mkstemp(dir=target.parent if str(target.parent) else ".", prefix=f".{target.name}.")
        try:  # written aside and renamed: a reader never sees half a file
            with os.fdopen(handle, "wb") as out:
                for part in parts:
                    out.write(part)
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    finally:
        store.close()
    counts = len(shot.vocabulary.concepts) or len(shot.vocabulary.standards)
    click.echo(f"wrote {output}: {scheme} at revision {shot.revision}{f' (release {release})' if release else ''}, "
               f"{counts} entries", err=True)
# -- drafting tools: the term checker, the terms-and-definitions clause, the harmonisation report ------

def _loaded_store(data_dir: str | None):
    """The store of the data folder, with the bundled vocabulary loaded into it if it is empty (as
    ``serve`` does)."""
    from registry.store import open_store
    from vocab.loader import load_bundled_if_empty

    settings = Settings.from_env(data_dir=data_dir)
    store = open_store(settings.store)
    try:
        if settings.load_bundled:
            load_bundled_if_empty(store)
    except BaseException:
        store.close()
        raise
    return store


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
            name, data = "<stdin>", click.get_binary_stream("stdin").read()
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
        temporary = path.with_name(path.name + ".part")
        temporary.write_bytes(body if isinstance(body, bytes) else body.encode("utf-8"))
        temporary.replace(path)  # never a half-written file
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

    from drafting.clause import build_clause, select, to_docx, to_html, to_markdown
    from registry.errors import NotFound
    from registry.history import revision_of

    store = _loaded_store(data_dir)
    try:
        revision = revision_of(store, at, release)
        if revision is None:
            concepts = {c.id: c for c in store.current("concept")}
            standards = store.current("standard")
            revision = store.revision()
        else:
            concepts, standards = {}, []
            for c in store.current("concept"):
                try:
                    concepts[c.id] = store.get_at("concept", c.id, revision)
                except NotFound:
                    pass
            for s in store.current("standard"):
                try:
                    standards.append(store.get_at("standard", s.id, revision))
                except NotFound:
                    pass
    finally:
        store.close()
    chosen = select(concepts, ids=[i.strip() for i in ids.split(",") if i.strip()], scheme=scheme, broader=broader)
    by_key = {s.id: s for s in standards} | {s.code: s for s in standards if s.code}
    cited = [c.strip() for c in cite.split(",") if c.strip()]
    missing = [c for c in cited if c not in by_key]
    if missing:
        raise NotFound(f"no standard {', '.join(missing)}", field="cite")
    result = build_clause(chosen, standards, cite=[by_key[c] for c in cited], revision=revision)
    writers = {"markdown": to_markdown, "html": to_html, "docx": to_docx,
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


@main.group()
def token() -> None:
    """Create, list and revoke API tokens (stored only as hashes)."""


def _open_store(data_dir: str | None, *, create: bool = True):
    """The store of the data folder; with ``create=False`` (the token commands) only an existing one:
    a token in a new, empty store is one the server never sees."""
    from registry.errors import StoreError
    from registry.store import open_store

    settings = Settings.from_env(data_dir=data_dir)
    if create:
        return open_store(settings.store)
    try:
        return open_store(settings.store, create=False)
    except StoreError as exc:
        raise StoreError(f"{exc.detail}; run `shuyu serve` once to create it, or give the --data-dir "
                         "(or SHUYU_STORE_URL) of the server's store") from None


@token.command("create")
@click.option("--name", required=True, help="who uses the token; names the actor in the change log")
@click.option("--role", required=True, type=click.Choice(["reader", "editor", "reviewer", "admin"]),
              help="editor proposes; reviewer also reviews (never their own); admin also cuts releases")
@data_dir_option
@one_line_errors
def token_create(name: str, role: str, data_dir: str | None) -> None:
    """Create a token and print its secret once."""
    from registry.tokens import create_token

    store = _open_store(data_dir, create=False)
    try:
        created, secret = create_token(store, name, role, actor="cli")  # type: ignore[arg-type]
    finally:
        store.close()
    click.echo(f"token {created.id} for {created.name} ({created.role}); the secret is shown only now:", err=True)
    click.echo(secret)


@token.command("list")
@data_dir_option
@one_line_errors
def token_list(data_dir: str | None) -> None:
    """List tokens (never their secrets)."""
    store = _open_store(data_dir, create=False)
    try:
        for t in store.tokens():
            state = f"revoked {t.revoked}" if t.revoked else "active"
            click.echo(f"{t.id}\t{t.name}\t{t.role}\t{t.created}\t{state}")
    finally:
        store.close()


@token.command("revoke")
@click.argument("token_id")
@data_dir_option
@one_line_errors
def token_revoke(token_id: str, data_dir: str | None) -> None:
    """Revoke a token by its id; it stops working at once."""
    store = _open_store(data_dir, create=False)
    try:
        revoked = store.revoke_token(token_id, actor="cli")
    finally:
        store.close()
    click.echo(f"revoked {revoked.id} ({revoked.name})")


if __name__ == "__main__":  # pragma: no cover
    main()
