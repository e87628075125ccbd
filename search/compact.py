"""Compact read-only tables for the catalog snapshot: few Python objects per entry, fast enough to read.

A snapshot's key tables (bigram postings, English words, sounds, codes, prefix entries) hold millions of
small entries. As dicts of tuples (or a list of tuples) each entry cost a key ``str``, a tuple and a dict
slot, 130–200 bytes; here the keys of a table are one string (``pool``; the prefix keys as UTF-8 bytes)
cut by an ``array`` of offsets, in sorted order, and the values numbers into a tuple of the strings they
stand for (``vocab``: the same objects the rest of the snapshot holds), so an entry costs a few bytes of
arrays. ``OneOrMany`` keeps a dict, and only spares the tuple of a key with one value.

A table is immutable. A new revision's table shares the packed part (``_Packed``) of the last one and
keeps what changed since in a small overlay; when the overlay grows past ``REPACK`` entries it is
packed in with the rest. So a follower's change costs about the size of the change, and every
snapshot still reads as one revision.

Finding a key: a key table's through its hash slots; the prefix table's by ``bisect`` over every
``SPARSE``-th key (real bytes, a C bisect), then over the few keys of its block read from the pool.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Mapping, Sequence
from heapq import merge
from itertools import accumulate, chain, islice, repeat
from operator import eq, ge, itemgetter
from typing import Any
from zlib import crc32

SPARSE = 64  # every 64th prefix key kept apart to bisect on (then six steps in the pool)
REPACK = 4096  # overlay entries (changed keys, or prefix entries added or hidden) packed in past this
LONG_RUN = 16  # values above which a key's tuple is made by ``itemgetter`` (a list comprehension below)
KEEP_ITEMS = 1 << 18  # values made from the packed arrays are kept, up to this many strings in all per table
# (then dropped at once): the keys a search reads recur from query to query (a common bigram's labels most)


def _hash(key: str) -> int:
    """A key's hash, the same in every process (``hash`` of a str is not): the slots are saved."""
    return crc32(key.encode("utf-8", "surrogatepass"))


class _Packed:
    """Sorted keys in one string, each with a run of numbers (``items[offsets[i]:offsets[i + 1]]``),
    found through ``slots``, an open-addressing hash table of key positions + 1 (0: empty)."""

    __slots__ = ("pool", "starts", "offsets", "items", "slots")

    def __init__(self, keys: list[str], runs: Iterable[Sequence[Any]], number: Mapping[Any, int] | None = None) -> None:
        """``runs``: each key's numbers, or its values to be numbered by ``number``."""
        self.pool = "".join(keys)
        self.starts = array("I", accumulate(map(len, keys), initial=0))
        runs = runs if isinstance(runs, list) else list(runs)
        values = chain.from_iterable(runs)
        self.items = array("I", values if number is None else map(number.__getitem__, values))
        self.offsets = array("I", accumulate(map(len, runs), initial=0))
        self.slots = array("I")
        if keys:
            size = 1 << (len(keys) + len(keys) // 2).bit_length()  # at most two thirds full
            slots = [0] * size
            mask = size - 1
            for i, code in enumerate(map(crc32, map(str.encode, keys, repeat("utf-8"), repeat("surrogatepass"))), 1):
                at = code & mask  # ``_hash``
                while slots[at]:
                    at = (at + 1) & mask
                slots[at] = i
            self.slots = array("I", slots)

    def __getstate__(self) -> tuple:
        return self.pool, self.starts, self.offsets, self.items, self.slots

    def __setstate__(self, state: tuple) -> None:
        self.pool, self.starts, self.offsets, self.items, self.slots = state

    def __len__(self) -> int:
        return len(self.starts) - 1

    def key(self, i: int) -> str:
        return self.pool[self.starts[i] : self.starts[i + 1]]

    def find(self, key: str) -> int:
        """The position of ``key``, or -1."""
        slots = self.slots
        if not slots:
            return -1
        mask = len(slots) - 1
        at = _hash(key) & mask
        pool, starts, size = self.pool, self.starts, len(key)
        while True:
            i = slots[at] - 1
            if i < 0:
                return -1
            s = starts[i]
            if starts[i + 1] - s == size and pool.startswith(key, s):
                return i
            at = (at + 1) & mask

    def run(self, i: int) -> array:
        return self.items[self.offsets[i] : self.offsets[i + 1]]


_EMPTY = _Packed([], [])


def _numbering(values: Iterable[str]) -> tuple[tuple[str, ...], dict[str, int]]:
    vocab = tuple(sorted(set(values)))
    return vocab, dict(zip(vocab, range(len(vocab))))


class KeyTable(Mapping[str, tuple[str, ...]]):
    """An immutable mapping of key → tuple of strings (labels, ids), packed (see the module)."""

    __slots__ = ("_packed", "_vocab", "_overlay", "_size", "_kept", "_kept_items")

    def __init__(self, packed: _Packed = _EMPTY, vocab: tuple[str, ...] = (),
                 overlay: dict[str, tuple[str, ...]] | None = None) -> None:
        self._packed = packed
        self._vocab = vocab
        self._overlay = overlay or {}
        self._kept: dict[str, tuple[str, ...]] = {}  # values already made (a cache: never saved)
        self._kept_items = 0
        size = len(packed)
        for key, values in self._overlay.items():  # an empty tuple: a packed key removed
            in_packed = packed.find(key) >= 0
            size += (bool(values) and not in_packed) - (not values and in_packed)
        self._size = size

    @classmethod
    def of(cls, entries: Mapping[str, Iterable[str]], sort: bool = False) -> KeyTable:
        """A table packed from a plain mapping (keys with no values left out), each key's values in
        the order given, or with ``sort`` in sorted order."""
        items = {key: values for key, values in entries.items() if values}
        if any(not isinstance(values, (tuple, list)) for values in items.values()):  # made once
            items = {key: values for key, values in ((k, tuple(v)) for k, v in items.items()) if values}
        vocab, number = _numbering(chain.from_iterable(items.values()))
        keys = sorted(items)
        runs: list[Any] = list(map(items.__getitem__, keys))  # lists and tuples (made once above)
        if sort:  # a run of one value (most codes and sounds) is in order as it is
            runs = [run if len(run) < 2 else sorted(run) for run in runs]
        # the vocabulary is sorted: a key's values in order are its numbers in order
        return cls(_Packed(keys, runs, number), vocab)

    @classmethod
    def numbered(cls, runs: Mapping[str, list[int]], vocab: tuple[str, ...]) -> KeyTable:
        """What ``of(entries, sort=True)`` packs, from the numbers of the values: ``vocab`` sorted and
        distinct, each of its strings a value of some key; each run ascending, without repeats."""
        keys = sorted(runs)
        return cls(_Packed(keys, list(map(runs.__getitem__, keys))), vocab)

    def updated(self, changes: Mapping[str, tuple[str, ...]]) -> KeyTable:
        """This table with ``changes`` (key → its new values; an empty tuple removes the key)."""
        overlay = {**self._overlay, **changes}
        if len(overlay) <= REPACK:
            return KeyTable(self._packed, self._vocab, overlay)
        merged = dict(self._packed_items())
        merged.update(overlay)
        return KeyTable.of(merged)

    def _packed_items(self) -> Iterator[tuple[str, tuple[str, ...]]]:
        packed, vocab = self._packed, self._vocab
        for i in range(len(packed)):
            yield packed.key(i), tuple([vocab[n] for n in packed.run(i)])

    def get(self, key: str, default: Any = None) -> Any:  # the hot path: no exception raised on a miss
        overlay = self._overlay
        if overlay:
            values = overlay.get(key)
            if values is not None:
                return values if values else default
        kept = self._kept.get(key)
        if kept is not None:
            return kept
        packed = self._packed
        i = packed.find(key)
        if i < 0:
            return default
        vocab, offsets = self._vocab, packed.offsets
        start, end = offsets[i], offsets[i + 1]
        if end - start == 1:  # most codes and sounds
            return (vocab[packed.items[start]],)
        run = packed.items[start:end]
        # the same tuple either way; a long run (a common bigram's labels) made in one C call
        values = itemgetter(*run)(vocab) if end - start > LONG_RUN else tuple([vocab[n] for n in run])
        self._kept_items += end - start
        if self._kept_items > KEEP_ITEMS:
            self._kept, self._kept_items = {}, end - start
        self._kept[key] = values
        return values

    def __getitem__(self, key: str) -> tuple[str, ...]:
        values = self.get(key)
        if values is None:
            raise KeyError(key)
        return values

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self.get(key) is not None

    def __len__(self) -> int:
        return self._size

    def __iter__(self) -> Iterator[str]:
        for key, _ in self.items():
            yield key

    def items(self) -> Iterator[tuple[str, tuple[str, ...]]]:  # type: ignore[override]
        """(key, values) in key order."""
        overlay = self._overlay
        if not overlay:
            yield from self._packed_items()
            return
        packed = ((key, values) for key, values in self._packed_items() if key not in overlay)
        changed = sorted((key, values) for key, values in overlay.items() if values)
        yield from merge(packed, changed)

    def values(self) -> Iterator[tuple[str, ...]]:  # type: ignore[override]
        for _, values in self.items():
            yield values

    def sizes(self, length: int) -> Iterator[tuple[str, int]]:
        """(key, how many values it has) of every key of ``length`` characters, without making the values."""
        overlay = self._overlay
        packed = self._packed
        pool, starts, offsets = packed.pool, packed.starts, packed.offsets
        for i in range(len(packed)):
            if starts[i + 1] - starts[i] == length:
                key = pool[starts[i] : starts[i + 1]]
                if key not in overlay:
                    yield key, offsets[i + 1] - offsets[i]
        for key, values in overlay.items():
            if len(key) == length and values:
                yield key, len(values)

    def size(self, key: str) -> int | None:
        """How many values ``key`` has (None: not a key), without making them."""
        overlay = self._overlay
        if overlay:
            values = overlay.get(key)
            if values is not None:
                return len(values) if values else None
        packed = self._packed
        i = packed.find(key)
        return None if i < 0 else packed.offsets[i + 1] - packed.offsets[i]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Mapping):
            return len(self) == len(other) and dict(self.items()) == dict(other.items())
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"KeyTable({len(self)} keys)"

    def __reduce__(self) -> tuple:
        if self._overlay:  # saved packed whole
            return _table_of, (dict(self.items()),)
        return KeyTable, (self._packed, self._vocab)


def sizes(table: Mapping[str, tuple[str, ...]], length: int) -> Iterator[tuple[str, int]]:
    """(key, how many values it has) of every key of ``length`` characters of a mapping: a packed
    table's without making its values (a snapshot's 266k bigram postings are read this way at once)."""
    if isinstance(table, KeyTable):
        return table.sizes(length)
    return ((key, len(values)) for key, values in table.items() if len(key) == length)


def size(table: Mapping[str, tuple[str, ...]], key: str) -> int | None:
    """How many values ``key`` has in a mapping (None: not a key): a packed table's without making them."""
    if isinstance(table, KeyTable):
        return table.size(key)
    values = table.get(key)
    return None if values is None else len(values)


def _table_of(entries: dict[str, tuple[str, ...]]) -> KeyTable:
    return KeyTable.of(entries)


Entry = tuple[str, str, str]  # (key, entity id, label)


def prefix_entries(entity_id: str, keys: Mapping[str, str]) -> Iterator[Entry]:
    """An entity's prefix entries (an empty key left out)."""
    return ((key, entity_id, label) for key, label in keys.items() if key)


def _found(found: dict[str, tuple[bool, str]], entity_id: str, exact: bool, label: str, limit: int) -> bool:
    """Record an entry in ``found`` as ``PrefixTable.prefixed`` does; False when the limit is reached."""
    old = found.get(entity_id)
    if old is None:
        if len(found) >= limit:
            return False
        found[entity_id] = (exact, label)
    elif exact and not old[0]:
        found[entity_id] = (True, label)
    return True


def _utf8(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


class _SortedKeys:
    """Sorted keys as their UTF-8 in one ``bytes`` cut by an array of offsets. UTF-8 keeps the order of
    code points, so the bytes sort as the strings do; a pinyin, initials or code key (two thirds of a
    snapshot's prefix keys) costs a byte a character rather than the two of a ``str`` that holds Chinese
    too. Every ``SPARSE``-th key is kept apart to bisect on."""

    __slots__ = ("pool", "starts", "sparse")

    def __init__(self, keys: Iterable[str]) -> None:
        keys = keys if isinstance(keys, list) else list(keys)
        encoded = list(map(str.encode, keys, repeat("utf-8"), repeat("surrogatepass")))  # ``_utf8``
        self.pool = b"".join(encoded)
        self.starts = array("I", accumulate(map(len, encoded), initial=0))
        self.sparse = encoded[::SPARSE]

    def __getstate__(self) -> tuple:
        return self.pool, self.starts

    def __setstate__(self, state: tuple) -> None:
        self.pool, self.starts = state
        pool, starts = self.pool, self.starts
        self.sparse = [pool[starts[i] : starts[i + 1]] for i in range(0, len(starts) - 1, SPARSE)]

    def __len__(self) -> int:
        return len(self.starts) - 1

    def key(self, i: int) -> str:
        return self.pool[self.starts[i] : self.starts[i + 1]].decode("utf-8", "surrogatepass")

    def lower(self, key: bytes) -> int:
        """The position of the first key not below ``key`` (encoded)."""
        block = bisect_left(self.sparse, key)
        if block == 0:
            return 0
        lo = (block - 1) * SPARSE + 1  # the block's first key is below ``key``
        hi = min(block * SPARSE, len(self))
        pool, starts = self.pool, self.starts
        while lo < hi:
            mid = (lo + hi) // 2
            if pool[starts[mid] : starts[mid + 1]] < key:
                lo = mid + 1
            else:
                hi = mid
        return lo


_NO_KEYS = _SortedKeys(())


def _sorted_distinct(entries: Iterable[Entry]) -> list[Entry]:
    """``sorted(set(entries))``: sorted first, the set made only when two neighbours are equal (a
    first build's entries are distinct: an entity's keys are, and each entity adds them once)."""
    ordered = sorted(entries)
    if any(map(eq, ordered, islice(ordered, 1, None))):
        return sorted(set(ordered))
    return ordered


class PrefixTable:
    """The sorted prefix entries (key, entity id, label) of a snapshot, packed (see the module): an
    entity's entries always change together, so the overlay is the entities whose packed entries are
    hidden and the entries added since, sorted."""

    __slots__ = ("_keys", "_ids", "_labels", "_id_vocab", "_label_vocab", "_hidden", "_added")

    def __init__(self, keys: _SortedKeys = _NO_KEYS, ids: array | None = None, labels: array | None = None,
                 id_vocab: tuple[str, ...] = (), label_vocab: tuple[str, ...] = (),
                 hidden: frozenset[str] = frozenset(), added: tuple[Entry, ...] = ()) -> None:
        self._keys = keys
        self._ids = ids if ids is not None else array("I")
        self._labels = labels if labels is not None else array("I")
        self._id_vocab = id_vocab
        self._label_vocab = label_vocab
        self._hidden = hidden
        self._added = added

    @classmethod
    def of(cls, entries: Iterable[Entry], presorted: bool = False) -> PrefixTable:
        """A table packed from entries: sorted here, unless ``presorted`` (sorted and distinct already)."""
        ordered = list(entries) if presorted else _sorted_distinct(entries)
        keys, ids, labels = zip(*ordered) if ordered else ((), (), ())
        id_vocab, id_number = _numbering(ids)
        label_vocab, label_number = _numbering(labels)
        return cls(_SortedKeys(list(keys)), array("I", map(id_number.__getitem__, ids)),
                   array("I", map(label_number.__getitem__, labels)), id_vocab, label_vocab)

    @classmethod
    def of_entities(cls, entities: Sequence[tuple[str, Mapping[str, str]]]) -> PrefixTable:
        """``of`` the entries of ``entities``: each (entity id, its keys → their labels; an empty key
        left out), the ids ascending and distinct. No entry tuple is made: the entries are sorted by key
        alone, stably, so equal keys (of different entities: an entity's keys are distinct) stay in id
        order, which is the order of the (key, id, label) tuples; an entity's number is its rank."""
        if any(map(ge, (e[0] for e in entities), islice((e[0] for e in entities), 1, None))):
            return cls.of(entry for entity_id, keys in entities for entry in prefix_entries(entity_id, keys))
        keys: list[str] = []
        labels: list[str] = []
        owners = array("I")
        id_vocab: list[str] = []
        for entity_id, held in entities:
            if "" in held:
                held = {key: label for key, label in held.items() if key}
            if held:
                keys += held
                labels += held.values()
                owners.extend(repeat(len(id_vocab), len(held)))
                id_vocab.append(entity_id)
        order = sorted(range(len(keys)), key=keys.__getitem__)
        label_vocab, label_number = _numbering(labels)
        return cls(_SortedKeys(list(map(keys.__getitem__, order))), array("I", map(owners.__getitem__, order)),
                   array("I", map(label_number.__getitem__, map(labels.__getitem__, order))),
                   tuple(id_vocab), label_vocab)

    def replaced(self, forgotten: Iterable[str], added: Iterable[Entry]) -> PrefixTable:
        """This table without the entries of the entities ``forgotten``, with the entries ``added``."""
        if not self._ids and not self._added:  # a first build: sorted once
            return PrefixTable.of(added)
        forgotten = set(forgotten)
        hidden = self._hidden | forgotten
        new = sorted({*(e for e in self._added if e[1] not in forgotten), *added})
        if len(new) + len(hidden) <= REPACK:
            return PrefixTable(self._keys, self._ids, self._labels, self._id_vocab, self._label_vocab,
                               frozenset(hidden), tuple(new))
        return PrefixTable.of(merge(self._packed_from(0, hidden), new), presorted=True)  # an entity's entries are in one part

    def _packed_from(self, start: int, hidden: frozenset[str] | set[str]) -> Iterator[Entry]:
        keys, ids, labels = self._keys, self._ids, self._labels
        id_vocab, label_vocab = self._id_vocab, self._label_vocab
        pool, starts = keys.pool, keys.starts
        for i in range(start, len(ids)):
            entity_id = id_vocab[ids[i]]
            if entity_id not in hidden:
                yield pool[starts[i] : starts[i + 1]].decode("utf-8", "surrogatepass"), entity_id, label_vocab[labels[i]]

    def prefixed(self, prefix: str, limit: int) -> dict[str, tuple[bool, str]]:
        """Entities with a key starting with ``prefix``, at most ``limit``, in key order: id → (whether
        a key equals it, the label of its first such key, or of its first key equal to it)."""
        found: dict[str, tuple[bool, str]] = {}
        added = self._added
        if added:
            at = bisect_left(added, (prefix,))
            if at < len(added) and added[at][0].startswith(prefix):  # merged with the packed entries
                for key, entity_id, label in self.starting(prefix):
                    if not key.startswith(prefix):
                        break
                    if not _found(found, entity_id, key == prefix, label, limit):
                        break
                return found
        keys, ids, labels = self._keys, self._ids, self._labels
        id_vocab, label_vocab, hidden = self._id_vocab, self._label_vocab, self._hidden
        pool, starts = keys.pool, keys.starts
        code = _utf8(prefix)
        size = len(code)
        for i in range(keys.lower(code), len(ids)):  # the packed entries alone: read in place
            start, end = starts[i], starts[i + 1]
            if not pool.startswith(code, start, end):
                break
            entity_id = id_vocab[ids[i]]
            if hidden and entity_id in hidden:
                continue
            exact = end - start == size
            old = found.get(entity_id)
            if old is None:
                if len(found) >= limit:
                    break
                found[entity_id] = (exact, label_vocab[labels[i]])
            elif exact and not old[0]:
                found[entity_id] = (True, label_vocab[labels[i]])
        return found

    def first(self, prefix: str, count: int) -> list[tuple[bool, str, str]]:
        """(whether the key equals ``prefix``, entity id, label) of the first ``count`` entries whose key
        starts with ``prefix``, in order."""
        if self._added or self._hidden:
            out = []
            for key, entity_id, label in islice(self.starting(prefix), count):
                if not key.startswith(prefix):
                    break
                out.append((key == prefix, entity_id, label))
            return out
        keys, ids, labels = self._keys, self._ids, self._labels
        id_vocab, label_vocab = self._id_vocab, self._label_vocab
        pool, starts = keys.pool, keys.starts
        code = _utf8(prefix)
        start = keys.lower(code)
        end = min(start + count, len(ids))
        size = len(code)
        out = []
        for i in range(start, end):
            begin, stop = starts[i], starts[i + 1]
            if not pool.startswith(code, begin, stop):
                break
            out.append((stop - begin == size, id_vocab[ids[i]], label_vocab[labels[i]]))
        return out

    def starting(self, prefix: str) -> Iterator[Entry]:
        """The entries from the first whose key is not below ``prefix``, in order (the caller stops
        when a key no longer starts with it)."""
        packed = self._packed_from(self._keys.lower(_utf8(prefix)), self._hidden)
        if not self._added:
            return packed
        added = self._added
        return merge(packed, added[bisect_left(added, (prefix,)) :])

    def __iter__(self) -> Iterator[Entry]:
        return self.starting("")

    def __len__(self) -> int:
        hidden = sum(1 for n in self._ids if self._id_vocab[n] in self._hidden) if self._hidden else 0
        return len(self._ids) - hidden + len(self._added)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, PrefixTable):
            return list(self) == list(other)
        if isinstance(other, list):
            return list(self) == other
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"PrefixTable({len(self._ids)} packed, {len(self._added)} added, {len(self._hidden)} hidden)"

    def __reduce__(self) -> tuple:
        if self._hidden or self._added:  # saved packed whole
            return PrefixTable.of, (list(self),)
        return PrefixTable, (self._keys, self._ids, self._labels, self._id_vocab, self._label_vocab)


class OneOrMany(Mapping[str, tuple[Any, ...]]):
    """An immutable mapping of key → a tuple of objects (never tuples themselves), holding a key's only
    object as itself rather than in a tuple of one: most labels name one concept, and a tuple of one
    costs 48 bytes more per key. Reads give tuples, as a dict of tuples would."""

    __slots__ = ("_items",)

    def __init__(self, items: dict[str, Any] | None = None) -> None:
        self._items: dict[str, Any] = items if items is not None else {}

    @classmethod
    def of(cls, entries: Mapping[str, Iterable[Any]]) -> OneOrMany:
        """A mapping made from a plain one (keys with no values left out)."""
        items: dict[str, Any] = {}
        for key, values in entries.items():
            values = tuple(values)
            if values:
                items[key] = values[0] if len(values) == 1 else values
        return cls(items)

    def updated(self, changes: Mapping[str, Iterable[Any]]) -> OneOrMany:
        """A copy with ``changes`` (key → its new values; none removes the key)."""
        items = dict(self._items)
        for key, values in changes.items():
            values = tuple(values)
            if not values:
                items.pop(key, None)
            else:
                items[key] = values[0] if len(values) == 1 else values
        return OneOrMany(items)

    def get(self, key: str, default: Any = None) -> Any:
        value = self._items.get(key)
        if value is None:
            return default
        return value if type(value) is tuple else (value,)

    def __getitem__(self, key: str) -> tuple[Any, ...]:
        value = self._items[key]
        return value if type(value) is tuple else (value,)

    def __contains__(self, key: object) -> bool:
        return key in self._items

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def items(self) -> Iterator[tuple[str, tuple[Any, ...]]]:  # type: ignore[override]
        for key, value in self._items.items():
            yield key, value if type(value) is tuple else (value,)

    def values(self) -> Iterator[tuple[Any, ...]]:  # type: ignore[override]
        for value in self._items.values():
            yield value if type(value) is tuple else (value,)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, OneOrMany):
            return self._items == other._items
        if isinstance(other, Mapping):
            return len(self) == len(other) and all(other.get(key) == values for key, values in self.items())
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"OneOrMany({len(self)} keys)"
