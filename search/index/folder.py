"""What in an index folder is the index's: decided by whoosh's own tables of contents (``_shuyu_<n>.toc``
lists the segments; a segment's files are named from its id), never by a name prefix, so that nothing
else in the folder (a store called ``shuyu_main.db``) can be taken for the index and deleted."""

from __future__ import annotations

import logging
import re
from pathlib import Path

from whoosh.filedb.filestore import FileStorage

from registry.errors import InvalidInput

from .adapter import segment_ids
from .schema import make_schema

INDEX_NAME = "shuyu"
STATE_FILE = "shuyu-index.json"
TOC_NAME = re.compile(rf"^_{INDEX_NAME}_([0-9]+)\.toc$")  # whoosh's table of contents, one per generation
WRITE_LOCK = f"{INDEX_NAME}_WRITELOCK"
SQLITE_MAGIC = b"SQLite format 3\x00"
log = logging.getLogger("shuyu")

class UnsafeIndexFolder(InvalidInput):
    """An index folder that holds something the index did not make and must not lose (the store)."""


def index_files(folder: str | Path) -> tuple[set[str], list[str]]:
    """The files of the index in ``folder``, as its own tables of contents say, and the tables of
    contents that cannot be read.

    A file is the index's when it is a table of contents (``_shuyu_<generation>.toc``) that reads, a
    file of a segment such a table lists (named ``<segment id>.<ext>``, as whoosh names them), the
    writer's lock or our state file; never because its name starts like one (``shuyu_main.db``)."""
    folder = Path(folder)
    try:
        names = {child.name for child in folder.iterdir() if child.is_file()}
    except OSError:
        return set(), []
    ours = names & {STATE_FILE, STATE_FILE + ".tmp", WRITE_LOCK}
    broken: list[str] = []
    storage = FileStorage(str(folder))
    schema = None
    for name in sorted(names):
        match = TOC_NAME.match(name)
        if not match:
            continue
        try:
            schema = schema or make_schema()  # given, the TOC's pickled schema is skipped, not unpickled
            listed = segment_ids(storage, INDEX_NAME, int(match.group(1)), schema)
        except Exception:  # zero length, garbage, truncated: whoosh raises many kinds
            broken.append(name)
            continue
        ours.add(name)
        for segment_id in listed:
            ours.update(n for n in names if n.startswith(f"{segment_id}."))
    return ours, broken


class TocStorage(FileStorage):
    """whoosh's file storage, except that it deletes only the index's files as its tables of contents
    name them. whoosh's own clean-up deletes every ``shuyu_<letters>.<anything>`` that is not a current
    segment, which would take ``shuyu_main.db`` for an old segment."""

    def __init__(self, path: str | Path) -> None:
        super().__init__(str(path))
        self._known: set[str] = set()

    def create_file(self, name, *args, **kwargs):
        self._known.add(name)
        return super().create_file(name, *args, **kwargs)

    def delete_file(self, name):
        if name not in self._known and not TOC_NAME.match(name):
            # files of old generations stay known once seen, even after their TOC is deleted
            self._known |= index_files(self.folder)[0]
        if name in self._known or TOC_NAME.match(name):
            return super().delete_file(name)
        log.warning("index folder %s: left %s alone (no table of contents of the index names it)", self.folder, name)

    def remember(self) -> TocStorage:
        self._known |= index_files(self.folder)[0]
        return self


def check_index_folder(folder: str | Path) -> None:
    """Refuse an index folder holding a SQLite database (e.g. the data folder with ``shuyu.db``):
    creating or rebuilding the index must never be able to touch the store."""
    folder = Path(folder)
    if not folder.is_dir():
        return
    ours = index_files(folder)[0]
    for child in folder.iterdir():
        if child.name in ours or not child.is_file():
            continue
        try:
            with child.open("rb") as f:
                head = f.read(len(SQLITE_MAGIC))
        except OSError:
            continue
        if head == SQLITE_MAGIC or child.suffix in (".db", ".db-wal", ".db-shm"):
            raise UnsafeIndexFolder(
                f"the index folder {folder} holds the database {child.name}; give the index a folder of "
                "its own (SHUYU_INDEX_DIR, default <data_dir>/index)", field="index_dir")
