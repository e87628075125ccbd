"""The ``shuyu`` command. Click code only; heavy imports happen inside commands so ``--help`` is instant.

One module per command group: ``operations`` (serve, reindex, backup, restore, tokens), ``content`` (check,
stats), ``exchange`` (import, export and their reporting), ``drafting`` (check-text, clause, report).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from functools import wraps

import click

from registry.errors import ShuyuError

from api.settings import SETTINGS, Settings


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


def progress_bar(*, transient: bool = True):
    """A rich progress bar on standard error, drawn only on a terminal: piped or in a log, the output is
    the command's lines alone (a bar left a blank line before them)."""
    from rich.console import Console
    from rich.progress import Progress

    console = Console(stderr=True)
    return Progress(transient=transient, console=console, disable=not console.is_terminal)


def write_file(output: str, parts: Iterable[bytes]) -> None:
    """Write ``parts`` to the file ``output``, aside and renamed (a reader never sees half a file), with the
    mode the umask gives as ``open()`` would; an error names ``output`` or its folder, never the name aside."""
    import os
    import tempfile
    from pathlib import Path

    from registry.errors import InvalidInput

    target = Path(output)
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise InvalidInput(f"no folder {folder} to write {target.name} in", field="output")
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.")
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.fchmod(handle, 0o666 & ~umask)  # mkstemp's 0600 is for secrets
        with os.fdopen(handle, "wb") as out:
            for part in parts:
                out.write(part)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


data_dir_option = click.option(
    "--data-dir", type=click.Path(file_okay=False), default=None,
    help=f"{SETTINGS['data_dir'][1]} [env SHUYU_DATA_DIR; default {SETTINGS['data_dir'][0]}]",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="shuyu")
def main() -> None:
    """shuyu 术语 — a versioned registry of digital-village terms and standards."""



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


def _loaded_store(data_dir: str | None):
    """The store of the data folder, with the bundled vocabulary loaded into it if it is empty (as
    ``serve`` does): what the commands that read the registry (export, the drafting tools) open, so that
    in a new folder they answer from the vocabulary a server there would serve, never from an empty store."""
    from vocab.loader import load_bundled_if_empty

    settings = Settings.from_env(data_dir=data_dir)
    store = _open_store(data_dir)
    try:
        if settings.load_bundled:
            load_bundled_if_empty(store)
    except BaseException:
        store.close()
        raise
    return store


# the command groups register themselves on ``main``
from . import content, drafting, exchange, operations  # noqa: E402,F401

__all__ = ["main", "one_line_errors", "data_dir_option"]
