"""Reading a draft into the text the term checker reads: UTF-8 bytes, pasted text or an upload (.txt, .md,
.docx), each refused with a clear message when it is empty, binary or too large."""

from __future__ import annotations

import io
import unicodedata
import zipfile
from pathlib import PurePath

from registry.errors import InvalidInput
from registry.text import is_blank

MAX_TEXT_BYTES = 1_048_576  # the bound of a checked text, in UTF-8 bytes (documented in docs/drafting.md)
MAX_UPLOAD_BYTES = 10 * MAX_TEXT_BYTES  # a .docx may hold pictures; its text must still fit the bound
# A .docx is a zip archive: what its central directory says it unpacks to is bounded before any part is
# read (python-docx reads every part whole; a 400 KB archive can hold 400 MB of zeros). zipfile never
# returns more than an entry's declared size, so the declared sizes bound what is actually unpacked.
MAX_DOCX_UNPACKED = 64 * 1_048_576  # bytes, all parts together
MAX_DOCX_PARTS = 1_000  # entries in the archive (a long report with pictures has a few hundred)
MAX_DOCX_PART = 16 * 1_048_576  # bytes of one part: a 1 MiB text is a few MiB of Word XML; lxml holds ~10x
MAX_DOCX_RATIO = 100  # unpacked / packed, for a part over RATIO_FLOOR bytes (Word's XML packs 5-20x)
RATIO_FLOOR = 1_048_576
TEXT_SUFFIXES = {".txt", ".md", ".markdown", ".text", ""}


class TextTooLarge(InvalidInput):
    status = 413
    type = "/problems/too-large"
    title = "Payload too large"


def decode_text(data: bytes, name: str = "text") -> str:
    """A draft's bytes as text: UTF-8 (a BOM is dropped), not empty, not binary, within the bound."""
    if len(data) > MAX_TEXT_BYTES:
        raise TextTooLarge(f"the text is {len(data):,} bytes; at most {MAX_TEXT_BYTES:,} are checked", field=name)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInput(f"not UTF-8 text (byte {exc.start} is {data[exc.start]:#04x}); save the draft as UTF-8",
                           field=name) from None
    return require_draft(text, name)


def require_draft(text: str, name: str = "text") -> str:
    """``text`` itself, when it is a draft the checker reads: within the bound, not empty, not binary."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_TEXT_BYTES:
        raise TextTooLarge(f"the text is over {MAX_TEXT_BYTES:,} bytes of UTF-8", field=name)
    if "\x00" in text or text and _control_share(text) > 0.05:
        raise InvalidInput("this looks like a binary file, not text; paste the text or upload .txt, .md or .docx",
                           field=name)
    if is_blank(text):  # spaces or zero-width characters alone: nothing to check
        raise InvalidInput("the text is empty", field=name)
    return text


def _control_share(text: str) -> float:
    sample = text[:4096]
    controls = sum(1 for ch in sample if unicodedata.category(ch) == "Cc" and ch not in "\t\n\r\f")
    return controls / len(sample)


def read_draft(filename: str, data: bytes, field: str = "file") -> str:
    """The text of an uploaded draft: UTF-8 text for .txt and .md, the paragraphs (and table cells) of a
    .docx one per line; anything else, empty, binary or too large is refused with a clear message."""
    suffix = PurePath(filename or "").suffix.lower()
    if len(data) > MAX_UPLOAD_BYTES:
        raise TextTooLarge(f"{filename}: {len(data):,} bytes; uploads are at most {MAX_UPLOAD_BYTES:,}", field=field)
    if not data:
        raise InvalidInput(f"{filename or 'the upload'} is empty", field=field)
    if suffix == ".docx":
        return require_draft(docx_text(data, filename, field), field)
    if suffix not in TEXT_SUFFIXES:
        raise InvalidInput(f"{filename}: upload a .txt, .md or .docx file", field=field)
    return decode_text(data, field)


def docx_text(data: bytes, filename: str = "draft.docx", field: str = "file") -> str:
    from docx import Document
    from docx.opc.exceptions import PackageNotFoundError

    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise InvalidInput(f"{filename} is not a .docx file (a .docx is a zip archive; this is not one)", field=field)
    check_docx_bounds(data, filename, field)
    try:
        document = Document(io.BytesIO(data))
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise InvalidInput(f"{filename} is a zip archive but not a Word document ({exc})", field=field) from None
    except Exception as exc:  # lxml errors on a broken document part, and the like
        raise InvalidInput(f"{filename} could not be read as a Word document ({type(exc).__name__})", field=field) from None
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines.append("\t".join(cell.text for cell in row.cells))
    return "\n".join(lines)


def check_docx_bounds(data: bytes, filename: str = "draft.docx", field: str = "file") -> None:
    """Refuse (413) a .docx whose central directory says it unpacks to too much: over
    ``MAX_DOCX_PARTS`` entries, over ``MAX_DOCX_UNPACKED`` bytes in all, a part over ``MAX_DOCX_PART``,
    or a large part packed more than ``MAX_DOCX_RATIO`` times (a zip bomb). Reads only the directory,
    never a part."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as exc:
        raise InvalidInput(f"{filename} is not a readable zip archive ({exc})", field=field) from None
    if len(entries) > MAX_DOCX_PARTS:
        raise TextTooLarge(f"{filename} holds {len(entries):,} parts; a .docx is read with at most "
                           f"{MAX_DOCX_PARTS:,}", field=field)
    unpacked = sum(e.file_size for e in entries)
    if unpacked > MAX_DOCX_UNPACKED:
        raise TextTooLarge(f"{filename} unpacks to {unpacked:,} bytes; a .docx is read up to "
                           f"{MAX_DOCX_UNPACKED:,}", field=field)
    for e in entries:
        if e.file_size > MAX_DOCX_PART:
            raise TextTooLarge(f"{filename}: the part {e.filename[:200]} unpacks to {e.file_size:,} bytes; a part is "
                               f"read up to {MAX_DOCX_PART:,}", field=field)
        if e.file_size > RATIO_FLOOR and e.file_size > MAX_DOCX_RATIO * max(e.compress_size, 1):
            raise TextTooLarge(f"{filename}: the part {e.filename[:200]} unpacks {e.file_size // max(e.compress_size, 1):,} "
                               f"times its packed size (at most {MAX_DOCX_RATIO}); this looks like a zip bomb",
                               field=field)
