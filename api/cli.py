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
    index up to date with the store, then serves.
    """
    import os

    import uvicorn

    from .services import prepare

    settings = Settings.from_env(host=host, port=port, data_dir=data_dir, workers=workers)
    # Prepare once in this process, so workers start on a loaded store and a current index.
    click.echo(prepare(settings), err=True)
    os.environ.update(settings.to_env())
    uvicorn.run(
        "api.app:app_from_environment", factory=True, host=settings.host, port=settings.port,
        workers=settings.workers, log_level="info", access_log=False,
    )


@main.command()
@data_dir_option
@one_line_errors
def reindex(data_dir: str | None) -> None:
    """Rebuild the search index from the store (stop the server first)."""
    from rich.progress import Progress

    from registry.store import open_store
    from search.service import SearchService

    settings = Settings.from_env(data_dir=data_dir)
    store = open_store(settings.store)
    try:
        service = SearchService(store, settings.index)
        with Progress(transient=False) as progress:
            task = progress.add_task("indexing", total=service.document_count())
            count = service.rebuild(lambda n: progress.advance(task, n))
        service.index.close()
        click.echo(f"indexed {count} documents at revision {service.index.revision} in {settings.index}")
    finally:
        store.close()


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
    """Count concepts per scheme and kind, sources, English definitions and standards per status.

    Reads the given vocabulary files (default: the bundled ones).
    """
    from rich.console import Console
    from rich.table import Table

    from vocab.checks import kind_of
    from vocab.loader import bundled_files, read_bundle

    bundle = read_bundle(files or bundled_files())
    everything = {c.id: c for c in bundle.concepts()}
    table = Table(title="shuyu vocabulary")
    for column in ("scheme / catalogue", "entries", "with definition", "English definition", "with source", "sources", "with URL"):
        table.add_column(column, justify="left" if column.startswith("scheme") else "right")
    for scheme in bundle.schemes:
        concepts = [c for c in bundle.concepts() if c.scheme == scheme.id]
        sources = [s for c in concepts for s in c.sources]
        table.add_row(
            f"{scheme.title} ({scheme.id}){' [draft]' if scheme.status == 'draft' else ''}",
            str(len(concepts)),
            str(sum(1 for c in concepts if c.definition)),
            str(sum(1 for c in concepts if c.definition_en)),
            str(sum(1 for c in concepts if c.sources)),
            str(len(sources)),
            str(sum(1 for s in sources if s.url)),
        )
    standards = bundle.standards()
    standard_sources = [s for st in standards for s in st.sources]
    table.add_row("标准目录 (standards)", str(len(standards)), "", "", str(sum(1 for s in standards if s.sources)),
                  str(len(standard_sources)), str(sum(1 for s in standard_sources if s.url)))
    Console().print(table)
    for scheme in (s for s in bundle.schemes if s.top_concepts):
        kinds = Table(title=f"{scheme.title} ({scheme.id}): concepts per kind (top concept)")
        kinds.add_column("top concept")
        kinds.add_column("concepts", justify="right")
        concepts = [c for c in bundle.concepts() if c.scheme == scheme.id]
        found = [kind_of(c, everything, scheme.top_concepts) for c in concepts]
        for top in scheme.top_concepts:
            kinds.add_row(f"{everything[top].preferred} ({top})", str(found.count(top)))
        kinds.add_row("none (no broader, not a top concept)", str(found.count(None)))
        Console().print(kinds)
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


@main.group()
def token() -> None:
    """Create, list and revoke API tokens (stored only as hashes)."""


def _open_store(data_dir: str | None):
    from registry.store import open_store

    settings = Settings.from_env(data_dir=data_dir)
    return open_store(settings.store)


@token.command("create")
@click.option("--name", required=True, help="who uses the token; names the actor in the change log")
@click.option("--role", required=True, type=click.Choice(["reader", "editor", "reviewer", "admin"]),
              help="editor proposes; reviewer also reviews (never their own); admin also cuts releases")
@data_dir_option
@one_line_errors
def token_create(name: str, role: str, data_dir: str | None) -> None:
    """Create a token and print its secret once."""
    from registry.tokens import create_token

    store = _open_store(data_dir)
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
    store = _open_store(data_dir)
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
    store = _open_store(data_dir)
    try:
        revoked = store.revoke_token(token_id, actor="cli")
    finally:
        store.close()
    click.echo(f"revoked {revoked.id} ({revoked.name})")


if __name__ == "__main__":  # pragma: no cover
    main()
