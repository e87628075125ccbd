"""Reading an uploaded draft (.txt, .md, .docx) into the text the term checker reads."""

from __future__ import annotations

import io
import zipfile
from pathlib import PurePath

from registry.errors import InvalidInput

from .checker import MAX_TEXT_BYTES, TextTooLarge, decode_text, require_draft

MAX_UPLOAD_BYTES = 10 * MAX_TEXT_BYTES  # a .docx may hold pictures; its text must still fit the bound
TEXT_SUFFIXES = {".txt", ".md", ".markdown", ".text", ""}


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
