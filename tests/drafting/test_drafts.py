"""Reading a draft (drafting/drafts.py): UTF-8 text within its bound, nothing empty or binary, and a .docx
bounded by its zip directory before any part is read."""

from __future__ import annotations

import io
import os
import zipfile

import pytest

from drafting.drafts import MAX_TEXT_BYTES, TextTooLarge, check_docx_bounds, decode_text
from registry.errors import InvalidInput


def test_bad_texts_are_refused():
    with pytest.raises(InvalidInput, match="empty"):
        decode_text(b"  \n ")
    with pytest.raises(InvalidInput, match="UTF-8"):
        decode_text("数字乡村".encode("gb18030"))
    with pytest.raises(InvalidInput, match="binary"):
        decode_text(b"PK\x03\x04\x00\x00binary")
    with pytest.raises(InvalidInput) as too_large:
        decode_text(b"a" * (MAX_TEXT_BYTES + 1))
    assert too_large.value.status == 413
    assert decode_text("\ufeff数字乡村".encode()) == "数字乡村"  # a BOM is not part of the text


def _zip(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize("parts,words", [
    ({"word/document.xml": os.urandom(200_000) + bytes(17 << 20)}, "a part is read up to 16,777,216"),
    ({"word/document.xml": bytes(3 << 20)}, "looks like a zip bomb"),
    ({f"word/media/{i}.bin": b"" for i in range(1001)}, "at most 1,000"),
])
def test_a_docx_is_bounded_by_its_zip_directory(parts, words):
    with pytest.raises(TextTooLarge, match=words):
        check_docx_bounds(_zip(parts))


@pytest.mark.parametrize("blank", ["\u200b\u200b", "\u3000\n\u200d", "\ufeff\ufeff\u2060"])
def test_a_draft_of_invisible_characters_alone_is_empty(blank):
    """outside9: only spaces were empty; zero-width spaces alone were "checked" with nothing found."""
    with pytest.raises(InvalidInput, match="empty"):
        decode_text(blank.encode())
