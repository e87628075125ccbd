"""The catalog's concepts, kept as their msgpack bytes and decoded on use.

100k decoded ``ConceptVersion`` structs are about 23 objects and 1.7 KB each (a new ``str`` for every
scheme, author, time, language tag ... after decoding): the largest part of a worker's memory. Search
reads only a few fields of a concept per hit (status, scheme, grade, preferred label); those are kept
in columns (a tuple of the preferred labels, one byte or two per concept into a small tuple of the
values), and everything else is one ``bytes`` of every concept's msgpack, each compressed against a
shared dictionary and cut by an ``array`` of offsets, decoded when a concept is asked for (the last
``RECENT`` decoded are kept).

Like the tables of ``compact.py`` a table is immutable: a new revision's table shares the packed part
and holds what changed since in an overlay of decoded versions, packed in with the rest past
``REPACK`` of them. It reads as a ``Mapping`` in the order a dict would (new ids after the others).
"""

from __future__ import annotations

import zlib
from array import array
from collections import Counter, OrderedDict
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import msgspec

from registry.model import ConceptExcerpt, ConceptVersion

REPACK = 4096  # overlay entries (changed concepts) packed in past this
RECENT = 2048  # decoded concepts kept (the pages being rendered, the hits being ranked)
SAMPLE = 64  # concepts whose bytes make the compression dictionary
WBITS = -13  # raw deflate, an 8 KB window (and dictionary)
_ENCODE = msgspec.msgpack.Encoder().encode
_DECODE = msgspec.msgpack.Decoder(ConceptVersion).decode
_DECODE_EXCERPT = msgspec.msgpack.Decoder(ConceptExcerpt).decode  # skips the other fields
_MISSING = object()


class _Column:
    """A few distinct values (statuses, schemes, grades) for every row: one small number a row."""

    __slots__ = ("values", "codes")

    def __init__(self, values: tuple, codes: array) -> None:
        self.values, self.codes = values, codes

    @classmethod
    def of(cls, values: Iterable) -> _Column:
        numbers: dict = {}
        codes = array("H", [numbers.setdefault(v, len(numbers)) for v in values])
        return cls(tuple(numbers), codes)

    def __getitem__(self, row: int) -> Any:
        return self.values[self.codes[row]]

    def __reduce__(self) -> tuple:
        return _Column, (self.values, self.codes)


Row = tuple[str, "ConceptVersion | int", str, str, str, "str | None"]  # id, version (or a row of the base) ...


class _Packed:
    """Concepts in rows: ids, preferred labels and the columns, and every concept's msgpack bytes, each
    compressed on its own (raw deflate) against one preset dictionary made of sample concepts: the field
    names and the values concepts share are most of a concept's bytes (about a quarter is left)."""

    __slots__ = ("ids", "rows", "blob", "ends", "preferred", "status", "scheme", "grade", "zdict")

    def __init__(self, ids: tuple[str, ...], blob: bytes, ends: array, preferred: tuple[str, ...],
                 status: _Column, scheme: _Column, grade: _Column, zdict: bytes = b"") -> None:
        self.ids, self.blob, self.ends, self.preferred = ids, blob, ends, preferred
        self.status, self.scheme, self.grade, self.zdict = status, scheme, grade, zdict
        self.rows = {concept_id: row for row, concept_id in enumerate(ids)}

    @classmethod
    def of(cls, rows: Iterable[Row], base: _Packed | None = None, compressed: Compressed | None = None) -> _Packed:
        """Rows of (id, version or its row in ``base``, preferred, status, scheme, grade). The base's
        dictionary is kept (its rows copied as they are) unless the table has more than doubled since.
        ``compressed``: what ``compress`` made of the rows' versions already (elsewhere), without a base."""
        rows = list(rows)
        base = base or _EMPTY
        if not base.ids:  # every row new
            if compressed is None or len(compressed[2]) != len(rows):
                compressed = compress([_ENCODE(v) for _, v, *_ in rows])
            return cls._new(rows, *compressed)
        if base.zdict and 2 * len(base.ids) >= len(rows):
            zdict = base.zdict
        else:
            zdict = _dictionary(base.plain(v) if isinstance(v, int) else _ENCODE(v)
                                for _, v, *_ in rows[:: max(1, len(rows) // SAMPLE)])
        template = zlib.compressobj(6, zlib.DEFLATED, WBITS, 8, zlib.Z_DEFAULT_STRATEGY, zdict)
        blob = bytearray()
        ends = array("Q")
        for _, version, *_ in rows:
            if isinstance(version, int) and zdict is base.zdict:
                blob += base.raw(version)
            else:
                packer = template.copy()
                blob += packer.compress(base.plain(version) if isinstance(version, int) else _ENCODE(version))
                blob += packer.flush()
            ends.append(len(blob))
        return cls._new(rows, zdict, bytes(blob), ends)

    @classmethod
    def _new(cls, rows: list[Row], zdict: bytes, blob: bytes, ends: array) -> _Packed:
        return cls(tuple(r[0] for r in rows), blob, ends, tuple(r[2] for r in rows),
                   _Column.of(r[3] for r in rows), _Column.of(r[4] for r in rows), _Column.of(r[5] for r in rows),
                   zdict)

    def __reduce__(self) -> tuple:
        return _Packed, (self.ids, self.blob, self.ends, self.preferred, self.status, self.scheme, self.grade,
                         self.zdict)

    def raw(self, row: int) -> memoryview:
        return memoryview(self.blob)[self.ends[row - 1] if row else 0 : self.ends[row]]

    def plain(self, row: int) -> bytes:
        """A row's msgpack bytes."""
        return zlib.decompressobj(WBITS, self.zdict).decompress(self.raw(row))

    def row_of(self, row: int) -> Row:
        return self.ids[row], row, self.preferred[row], self.status[row], self.scheme[row], self.grade[row]


Compressed = tuple[bytes, bytes, array]  # the dictionary, every version's compressed bytes, where each ends


def dictionary(plain: list[bytes]) -> bytes:
    """The preset dictionary of a new table whose rows' msgpack bytes are ``plain``."""
    return _dictionary(plain[:: max(1, len(plain) // SAMPLE)])


def compress(plain: list[bytes], zdict: bytes | None = None) -> Compressed:
    """New rows' msgpack bytes (every row of a table, or a run of them with the table's ``dictionary``),
    compressed as ``_Packed.of`` compresses them: each row on its own, so runs can be joined."""
    zdict = dictionary(plain) if zdict is None else zdict
    template = zlib.compressobj(6, zlib.DEFLATED, WBITS, 8, zlib.Z_DEFAULT_STRATEGY, zdict)
    blob = bytearray()
    ends = array("Q")
    for data in plain:
        packer = template.copy()
        blob += packer.compress(data)
        blob += packer.flush()
        ends.append(len(blob))
    return zdict, bytes(blob), ends


def _dictionary(samples: Iterable[bytes]) -> bytes:
    """A preset dictionary: the end of the samples' bytes (deflate looks back ``2 ** -WBITS`` bytes)."""
    return b"".join(samples)[-(1 << -WBITS) :]


_EMPTY = _Packed((), b"", array("Q"), (), _Column((), array("H")), _Column((), array("H")), _Column((), array("H")))


def _row(c: ConceptVersion) -> Row:
    return c.id, c, c.preferred, c.status, c.scheme, c.grade


class ConceptTable(Mapping[str, ConceptVersion]):
    """An immutable mapping of concept id → ``ConceptVersion``, packed (see the module)."""

    __slots__ = ("_packed", "_overlay", "_size", "_recent")

    def __init__(self, packed: _Packed = _EMPTY, overlay: dict[str, ConceptVersion | None] | None = None) -> None:
        self._packed = packed
        self._overlay = overlay or {}  # id → its newer version (None: removed)
        rows = packed.rows
        self._size = len(packed.ids) + sum((c is not None) - (i in rows) for i, c in self._overlay.items())
        # the oldest dropped first (a dict's first key is found past every key deleted before it)
        self._recent: OrderedDict[int, ConceptVersion] = OrderedDict()

    @classmethod
    def of(cls, concepts: Mapping[str, ConceptVersion] | Iterable[ConceptVersion],
           compressed: Compressed | None = None) -> ConceptTable:
        """``compressed``: what ``compress`` made of the concepts' msgpack bytes, in this order."""
        versions = concepts.values() if isinstance(concepts, Mapping) else concepts
        return cls(_Packed.of((_row(c) for c in versions), compressed=compressed))

    def updated(self, changes: Mapping[str, ConceptVersion | None]) -> ConceptTable:
        """This table with ``changes`` (id → its new version; None removes it)."""
        overlay = {**self._overlay, **changes}
        if len(overlay) <= REPACK:
            return ConceptTable(self._packed, overlay)
        return ConceptTable(_Packed.of(self._rows(overlay), self._packed))

    def _rows(self, overlay: Mapping[str, ConceptVersion | None]) -> Iterator[Row]:
        """The rows in mapping order: the packed ones (replaced where the overlay has them), then the new."""
        packed = self._packed
        for row, concept_id in enumerate(packed.ids):
            newer = overlay.get(concept_id, _MISSING)
            if newer is _MISSING:
                yield packed.row_of(row)
            elif newer is not None:
                yield _row(newer)  # type: ignore[arg-type]
        for concept_id, newer in overlay.items():
            if newer is not None and concept_id not in packed.rows:
                yield _row(newer)

    # -- reading --------------------------------------------------------------------------------
    def get(self, key: str, default: Any = None) -> Any:  # the hot path: no exception raised on a miss
        overlay = self._overlay
        if overlay:
            newer = overlay.get(key, _MISSING)
            if newer is not _MISSING:
                return default if newer is None else newer
        row = self._packed.rows.get(key)
        if row is None:
            return default
        recent = self._recent
        concept = recent.get(row)
        if concept is None:
            concept = _DECODE(self._packed.plain(row))
            if len(recent) >= RECENT:
                try:
                    recent.popitem(last=False)
                except KeyError:  # another thread got there first
                    pass
            recent[row] = concept
        return concept

    def excerpt(self, key: str) -> ConceptVersion | ConceptExcerpt:
        """What a search hit shows of a concept besides the columns (``ConceptExcerpt``'s fields): the
        decoded version when there is one, else only those fields decoded (a tenth of a whole decode)."""
        overlay = self._overlay
        if overlay and key in overlay:
            newer = overlay[key]
            if newer is None:
                raise KeyError(key)
            return newer
        packed = self._packed
        row = packed.rows[key]
        concept = self._recent.get(row)
        return concept if concept is not None else _DECODE_EXCERPT(packed.plain(row))

    def _field(self, key: str, name: str) -> Any:
        overlay = self._overlay
        if overlay:
            if key in overlay:
                newer = overlay[key]
                if newer is None:
                    raise KeyError(key)
                return newer.preferred if name == "preferred" else getattr(newer, name)
        packed = self._packed
        row = packed.rows[key]
        return packed.preferred[row] if name == "preferred" else getattr(packed, name)[row]

    def preferred(self, key: str) -> str:
        """A concept's preferred label (``ConceptVersion.preferred``) without decoding it."""
        return self._field(key, "preferred")

    def status(self, key: str) -> str:
        return self._field(key, "status")

    def scheme(self, key: str) -> str:
        return self._field(key, "scheme")

    def grade(self, key: str) -> str | None:
        return self._field(key, "grade")

    def facet_fields(self, key: str) -> tuple[str, str, str | None]:
        """(``scheme``, ``status``, ``grade``) of a concept, with one look-up of its row."""
        overlay = self._overlay
        if overlay and key in overlay:
            newer = overlay[key]
            if newer is None:
                raise KeyError(key)
            return newer.scheme, newer.status, newer.grade
        packed = self._packed
        row = packed.rows[key]
        return packed.scheme[row], packed.status[row], packed.grade[row]

    def __getitem__(self, key: str) -> ConceptVersion:
        concept = self.get(key)
        if concept is None:
            raise KeyError(key)
        return concept

    def __contains__(self, key: object) -> bool:
        overlay = self._overlay
        if overlay and key in overlay:
            return overlay[key] is not None
        return key in self._packed.rows

    def __len__(self) -> int:
        return self._size

    def __iter__(self) -> Iterator[str]:
        overlay, packed = self._overlay, self._packed
        if not overlay:
            return iter(packed.ids)
        return (row[0] for row in self._rows(overlay))

    def ids_where(self, scheme: str) -> list[str]:
        """The ids of a scheme's concepts, in mapping order, without decoding any."""
        packed = self._packed
        if self._overlay:
            return [concept_id for concept_id in self if self.scheme(concept_id) == scheme]
        if scheme not in packed.scheme.values:
            return []
        code, ids = packed.scheme.values.index(scheme), packed.ids
        return [ids[row] for row, held in enumerate(packed.scheme.codes) if held == code]

    def scheme_counts(self) -> Counter[str]:
        """How many concepts each scheme holds, from the scheme column (nothing decoded)."""
        packed, overlay = self._packed, self._overlay
        counts: Counter[str] = Counter()
        for code, count in Counter(packed.scheme.codes).items():
            counts[packed.scheme.values[code]] = count
        for concept_id, newer in overlay.items():
            if concept_id in packed.rows:
                counts[packed.scheme[packed.rows[concept_id]]] -= 1
            if newer is not None:
                counts[newer.scheme] += 1
        return +counts  # schemes left with none dropped

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Mapping):
            return len(self) == len(other) and all(other.get(k, _MISSING) == v for k, v in self.items())
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"ConceptTable({len(self)} concepts, {len(self._overlay)} in the overlay)"

    def __reduce__(self) -> tuple:
        if self._overlay:  # saved packed whole
            return ConceptTable, (_Packed.of(self._rows(self._overlay), self._packed),)
        return ConceptTable, (self._packed,)
