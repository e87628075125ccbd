"""Exchange formats: one module per format behind one small interface.

Every format module offers ``read(data, name, context) -> Vocabulary`` and
``write(vocabulary, context) -> Iterator[bytes]``. A ``Vocabulary`` is what a file holds: schemes,
concepts and standards as the registry's own Structs, plus where each entity was found so that a rule
broken later (a cycle, a duplicate label) is reported with its file and line or RDF subject.
"""

from __future__ import annotations

import codecs
import hashlib
import re
from collections.abc import Callable, Iterator
from importlib import import_module
from pathlib import Path

from msgspec import Struct

from registry.errors import VocabularyError
from registry.languages import UNDETERMINED, ZH_HANS, ZH_HANT, bcp47, is_chinese
from registry.model import TYPE_RANK, ConceptVersion, Scheme, StandardVersion, Term
from registry.text import converter

DEFAULT_BASE_URI = "http://localhost:8000"
# what one import reads at most (docs/vocabulary.md, "Limits"): bytes per file, RDF triples per file, nesting
# depth (XML elements, JSON-LD and TOML brackets); over them a file is refused, 413 for size, 400 for the rest
LIMITS = {"bytes": 64 * 1024 * 1024, "triples": 500_000, "depth": 200}


class TooLarge(VocabularyError):
    """A file over an import limit (bytes, triples): refused before or while it is read."""

    status = 413
    type = "/problems/too-large"
    title = "Payload too large"

STANDARDS = "standards"  # the pseudo-scheme id under which the standards catalogue is exported

# format name → (module, file extension, media type)
FORMATS: dict[str, tuple[str, str, str]] = {
    "toml": ("toml", "toml", "application/toml"),
    "ttl": ("skos", "ttl", "text/turtle"),
    "rdf": ("skos", "rdf", "application/rdf+xml"),
    "jsonld": ("skos", "jsonld", "application/ld+json"),
    "nt": ("skos", "nt", "application/n-triples"),
    "tbx": ("tbx", "tbx", "application/x-tbx+xml"),
    "csv": ("csv", "csv", "text/csv"),
}
EXTENSIONS = {
    ".toml": "toml", ".ttl": "ttl", ".turtle": "ttl", ".rdf": "rdf", ".owl": "rdf", ".xml": "rdf",
    ".jsonld": "jsonld", ".json": "jsonld", ".nt": "nt", ".tbx": "tbx", ".csv": "csv",
}
MEDIA_TYPES = {media: name for name, (_, _, media) in FORMATS.items()}


class Context(Struct, kw_only=True):
    """What a format needs beyond the file: the registry's base URI, ids already taken, a forced scheme."""

    base_uri: str = DEFAULT_BASE_URI
    scheme: str | None = None  # --scheme: every concept of the file goes into this scheme
    ids_by_uri: dict[str, str] = {}  # URIs of concepts already in the registry → their ids
    known_ids: set[str] = set()  # ids already in the registry: an id made from a new URI must not take one
    tbx_dialect: str = "basic"  # TBX export: basic (TBX-Basic), min (TBX-Min) or core (TBX-Core)
    tbx_style: str = "dca"  # TBX export: dca (<descrip type="definition">) or dct (<basic:definition>)

    @property
    def base(self) -> str:
        return self.base_uri.rstrip("/")

    def concept_uri(self, concept_id: str) -> str:
        return f"{self.base}/concepts/{concept_id}"

    def scheme_uri(self, scheme_id: str) -> str:
        return f"{self.base}/schemes/{scheme_id}"

    def standard_uri(self, standard_id: str) -> str:
        return f"{self.base}/standards/{standard_id}"


class Vocabulary(Struct, kw_only=True):
    """What one file holds, as registry Structs; ``where`` says where each entity was found."""

    name: str = ""
    schemes: list[Scheme] = []
    concepts: list[ConceptVersion] = []
    standards: list[StandardVersion] = []
    where: dict[str, tuple[int | None, str | None]] = {}  # entity id → (line, RDF subject)
    warnings: list[str] = []
    problems: list[VocabularyError] = []  # every problem found in the file (an entity with one is left out)
    scheme_complete: bool = True  # False where the format cannot carry a scheme's full description (TBX)

    def problem(self, entity_id: str, detail: str, field: str | None = None) -> VocabularyError:
        """An error about an entity of this file, naming the file and the entity's line or subject."""
        line, subject = self.where.get(entity_id, (None, None))
        error = problem(self.name, detail, line=line, subject=subject, field=field)
        error.entity = entity_id  # type: ignore[attr-defined]
        return error


def problem(name: str, detail: str, *, line: int | None = None, subject: str | None = None,
            field: str | None = None) -> VocabularyError:
    path = f"{name}: <{subject}>" if subject and not line else name
    return VocabularyError(detail, path=path, line=line, field=field)


def format_of(path: str | Path, given: str | None = None) -> str:
    """The format named by ``given``, else guessed from the file name's extension."""
    if given:
        if given not in FORMATS:
            raise VocabularyError(f"unknown format {given!r}; use one of {', '.join(FORMATS)}", path=str(path),
                                  field="format")
        return given
    name = str(path).lower()
    for suffix, fmt in EXTENSIONS.items():
        if name.endswith(suffix):
            return fmt
    raise VocabularyError(f"cannot tell the format from the file name; give --format ({', '.join(FORMATS)})",
                          path=str(path), field="format")


def module(fmt: str):
    return import_module(f"vocab.formats.{FORMATS[fmt][0]}")


def read(data: bytes, name: str, fmt: str, context: Context | None = None) -> Vocabulary:
    """Parse one file in ``fmt``; raises ``VocabularyError`` naming file, line (or subject) and field."""
    if fmt in ("toml", "jsonld"):
        check_depth(data, name)
    return module(fmt).read(data, name, context or Context(), fmt)


_TOKENS = re.compile(rb'\\.|["\'\[\]{}]')  # an escaped character (skipped whole), a quote or a bracket


def check_depth(data: bytes, name: str) -> None:
    """Refuse brackets nested deeper than ``LIMITS["depth"]`` (TOML arrays and tables, JSON) before a parser
    recurses into them; strings are skipped, so a bracket inside one does not count."""
    depth, quote = 0, b""
    limit = LIMITS["depth"]
    for match in _TOKENS.finditer(data):
        token = match.group()
        if quote:
            if token == quote:
                quote = b""
        elif token in (b'"', b"'"):
            quote = token
        elif token in (b"[", b"{"):
            depth += 1
            if depth > limit:
                raise problem(name, f"nested more than {limit} levels deep; an import reads at most {limit}",
                              line=data[:match.start()].count(b"\n") + 1, field="depth")
        elif token in (b"]", b"}"):
            depth -= 1


def write(vocabulary: Vocabulary, fmt: str, context: Context | None = None) -> Iterator[bytes]:
    return module(fmt).write(vocabulary, context or Context(), fmt)


# -- shared helpers of the format modules ----------------------------------------------------------

_SLUG = re.compile(r"[^a-z0-9]+")
_ID = re.compile(r"^[a-z][a-z0-9-]{1,63}$")


def is_id(text: str) -> bool:
    return bool(_ID.match(text))


def slug(text: str) -> str:
    """An id made from a name or a URI's last part: lower case, ASCII letters, digits and hyphens."""
    tail = re.split(r"[/#:]", text.rstrip("/#"))[-1] if "/" in text or "#" in text or ":" in text else text
    candidate = _SLUG.sub("-", tail.lower()).strip("-")[:60].strip("-")
    if candidate and not candidate[0].isalpha():
        candidate = f"c-{candidate}"[:60]
    return candidate if is_id(candidate) else ""


def id_from_uri(uri: str) -> str:
    """A stable id for a URI: its readable last part, or a hash when that part makes no id."""
    return slug(uri) or hashed_id(uri)


def hashed_id(uri: str) -> str:
    return "c-" + hashlib.sha1(uri.encode("utf-8")).hexdigest()[:12]


def language(tag: str) -> str:
    """The tag a term or definition is stored with: its own, only put in BCP 47's case (``zh-cn`` → ``zh-CN``,
    ``en_us`` → ``en-US``). Never re-tagged: a zh-CN term stays zh-CN and is exported as zh-CN; what the tag
    means (Simplified, regional, English) is asked of registry/languages.py."""
    return bcp47(tag)


def untagged(text: str) -> str:
    """The tag of a text that carries none: Chinese by its characters (zh-Hans, or zh-Hant when OpenCC
    folds it to other characters), else ``und`` (undetermined)."""
    if not _CJK.search(text):
        return UNDETERMINED
    return ZH_HANT if is_traditional(text) else ZH_HANS


def is_traditional(text: str) -> bool:
    return converter("t2s").convert(text) != text


_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
_MOJIBAKE = re.compile(r"[\u00c0-\u02ff]")


def has_cjk(text: str) -> bool:
    return bool(_CJK.search(text))


def looks_mojibake(text: str, lang: str) -> bool:
    """Chinese text decoded with the wrong code page: replacement characters, or Latin letters and no CJK that
    give Chinese back when their bytes are read as UTF-8 (``æ•°å­—`` → 数字). Romanised Chinese is not
    mojibake: Hakka and Min Nan in Pe̍h-ōe-jī (``O-pô-lòi``@hak, as Wikidata labels them), pinyin with tones."""
    if not is_chinese(lang):
        return False
    if "\ufffd" in text or unescaped(text):
        return True
    if _CJK.search(text) or not _MOJIBAKE.search(text):
        return False
    for code_page in ("cp1252", "latin-1"):
        try:
            if _CJK.search(text.encode(code_page).decode("utf-8")):
                return True
        except UnicodeError:
            continue
    return False


_ESCAPED_BYTES = re.compile(r"(?:\\x[0-9A-Fa-f]{2})+")


def unescaped(text: str) -> str:
    """The Chinese a text spells as escaped UTF-8 bytes (AGROVOC labels recorded as ``\\xE9\\x85\\xAA\\xE5\\xA5\\xB6``
    read 酪奶), else empty."""
    if not _ESCAPED_BYTES.search(text):
        return ""
    try:
        decoded = _ESCAPED_BYTES.sub(lambda m: bytes.fromhex(m.group().replace("\\x", "")).decode("utf-8"), text)
    except UnicodeDecodeError:
        return ""
    return decoded if _CJK.search(decoded) else ""


def mojibake_shown(text: str) -> str:
    """A mis-decoded text as a warning quotes it: with what it reads when it is escaped bytes."""
    reading = unescaped(text)
    return f"{text} (reads {reading})" if reading else text


TYPE_ORDER = TYPE_RANK  # registry.model's order, under the name csv and skos import


def dedupe_terms(terms: list[Term]) -> tuple[Term, ...]:
    """Terms without repeats of the same text and language (the first, strongest type wins)."""
    seen: set[tuple[str, str]] = set()
    kept = []
    for term in terms:
        key = (term.text, term.lang)
        if key not in seen:
            seen.add(key)
            kept.append(term)
    return tuple(kept)


def chunks(parts: Callable[[], Iterator[str]], size: int = 65536) -> Iterator[bytes]:
    """Encode an iterator of text parts to UTF-8 chunks of about ``size`` bytes."""
    buffer: list[str] = []
    length = 0
    for part in parts():
        buffer.append(part)
        length += len(part)
        if length >= size:
            yield "".join(buffer).encode("utf-8")
            buffer, length = [], 0
    if buffer:
        yield "".join(buffer).encode("utf-8")


_BOMS = ((codecs.BOM_UTF32_LE, "UTF-32"), (codecs.BOM_UTF32_BE, "UTF-32"), (codecs.BOM_UTF8, "UTF-8"),
         (codecs.BOM_UTF16_LE, "UTF-16"), (codecs.BOM_UTF16_BE, "UTF-16"))


def _bom(data: bytes) -> str | None:
    """The encoding a byte-order mark names (UTF-32's marks first: FF FE 00 00 begins with UTF-16's FF FE)."""
    return next((codec for bom, codec in _BOMS if data.startswith(bom)), None)


def decode_text(data: bytes, name: str) -> str:
    """UTF-8 text with or without a byte-order mark; a bad byte is reported with its line, a UTF-16 or UTF-32
    file by its byte-order mark."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        marked = _bom(data)
        found = f": the file is {marked}, it starts with a byte-order mark" if marked else \
            f" (byte 0x{data[exc.start]:02x})"
        hint = " (in Excel: 'CSV UTF-8')" if name.lower().endswith(".csv") else ""
        raise VocabularyError(f"not UTF-8{found}; save the file as UTF-8{hint}", path=name, line=line,
                              field="encoding") from None


_XML_ENCODING = re.compile(rb"""^<\?xml[^>]*?\sencoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")


def xml_as_utf8(data: bytes, name: str) -> bytes:
    """An XML file's bytes as UTF-8, whatever encoding XML allows it (a byte-order mark, UTF-16 without one, or
    the declaration's ``encoding``: GB18030, Big5 ...), its declaration saying UTF-8: so that every check made
    on the bytes (a DOCTYPE, an entity declaration) sees what the parser will, in any encoding."""
    marked = _bom(data)
    if marked is None and data[:4] in (b"<\x00?\x00", b"\x00<\x00?"):
        marked = "UTF-16-LE" if data[0] == 0x3C else "UTF-16-BE"
    declared = _XML_ENCODING.match(data)
    codec = marked or (declared.group(1).decode("ascii") if declared else "UTF-8")
    if codec.upper().replace("_", "-") in ("UTF-8", "UTF8", "US-ASCII", "ASCII") and not data.startswith(codecs.BOM_UTF8):
        return data
    try:
        text = data.decode("utf-8-sig" if codec == "UTF-8" else codec)
    except LookupError:
        raise VocabularyError(f"the XML declaration names an encoding Python does not know: {codec!r}", path=name,
                              line=1, field="encoding") from None
    except UnicodeDecodeError as exc:
        line = data[: exc.start].decode(codec, errors="replace").count("\n") + 1
        raise VocabularyError(f"not {codec}, as the file says it is (byte 0x{data[exc.start]:02x}); save it as "
                              "UTF-8", path=name, line=line, field="encoding") from None
    text = re.sub(r"""^(<\?xml[^>]*?\s)encoding\s*=\s*["'][^"']*["']""", r'\1encoding="UTF-8"', text.lstrip("\ufeff"))
    return text.encode("utf-8")
