"""Running and keeping a registry: serve, reindex, backup, restore, and the API tokens."""

from __future__ import annotations


import click

from api.settings import SETTINGS, Settings

from . import data_dir_option, main, one_line_errors, progress_bar

from . import _open_store


@main.command()
@click.option("--host", default=None, help=f"{SETTINGS['host'][1]} [env SHUYU_HOST; default {SETTINGS['host'][0]}]")
@click.option("--port", type=click.IntRange(1, 65535), default=None, help=f"{SETTINGS['port'][1]} [env SHUYU_PORT; default {SETTINGS['port'][0]}]")
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

    from api.services import prepare

    from api.workers import PARENT_ENV

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
    # ws="none": no route is a websocket, and uvicorn's websocket protocol would import its library into
    # every worker
    uvicorn.run(
        "api.workers:worker_app", factory=True, host=settings.host, port=settings.port,
        workers=settings.workers, log_level="info", access_log=False, ws="none",
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
    from registry.store import open_store
    from search.service import SearchService

    store = open_store(settings.store)
    try:
        service = SearchService(store, settings.index)
        try:
            with progress_bar(transient=False) as progress:
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
    from registry.backup import backup as copy_store

    settings = Settings.from_env(data_dir=data_dir)
    with progress_bar() as progress:
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


@main.group()
def token() -> None:
    """Create, list and revoke API tokens (stored only as hashes)."""



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

