"""Making catalog snapshots: the next revision's from the last one, and the saved file beside the index.

``Catalog.applied`` and ``Catalog.from_store`` build here (``_Builder``); ``Catalog.save`` and
``Catalog.load`` write and read here. The snapshot model and its look-ups are in ``catalog.py``.
"""

from __future__ import annotations

import gc
import os
import pickle
from array import array
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager, nullcontext
from functools import partial
from pathlib import Path

from registry.languages import is_chinese
from registry.model import ConceptVersion, Scheme, StandardVersion, Term, Version
from registry.text import fold_many

from .analysis import CJK_RUN, english_words, fold_to_simplified, label_grams, pinyin_keys
from .catalog import NUMBER, Catalog, LabelMatch, code_keys
from .compact import REPACK, KeyTable, OneOrMany, PrefixTable, prefix_entries
from .concept_table import Compressed, ConceptTable
from .phrases import held_as_dict

SNAPSHOT_FILE = "catalog-snapshot.pickle"
SNAPSHOT_FORMAT = 9  # a new layout ignores older files (7: concepts packed and compressed, by_label flat;
# 8: postings packed, label matches flat; 9: prefix keys as UTF-8)

# key tables packed (search/compact.py) and their values sorted; the bigram postings too, read a few
# dozen times per search: a packed look-up costs more than a dict's, so the values made are kept for
# the next searches (compact.KEEP_ITEMS)
PACKED = ("postings", "en_postings", "by_sound", "by_code")
SORTED = set(PACKED)
BULK = 1000  # versions applied at once from which no duplicate is checked for (a start, a reload)
# the containers of a snapshot; each maps a key to an immutable value (a tuple, a Struct)
_MAPS = ("schemes", "concepts", "standards", "by_label", "by_title", "by_code", "by_sound", "narrower",
         "standards_of", "postings", "en_postings")


# -- the saved snapshot ----------------------------------------------------------------------------
def save(catalog: Catalog, folder: str | Path) -> None:
    """Write the snapshot (atomically) so a restart skips the folding, pinyin and postings work."""
    path = Path(folder) / SNAPSHOT_FILE
    tmp = path.with_name(f"{SNAPSHOT_FILE}.{os.getpid()}.tmp")  # workers may save at once
    with tmp.open("wb") as out:
        pickle.dump((SNAPSHOT_FORMAT, catalog.revision), out, protocol=pickle.HIGHEST_PROTOCOL)  # read first
        pickle.dump(_saved_state(catalog), out, protocol=pickle.HIGHEST_PROTOCOL)
    tmp.replace(path)


def load(folder: str | Path, max_revision: int) -> Catalog | None:
    """The snapshot saved in ``folder`` if it is readable and not ahead of the store, else None."""
    try:
        with (Path(folder) / SNAPSHOT_FILE).open("rb") as source, collector_paused():
            header = pickle.load(source)
            if header[0] != SNAPSHOT_FORMAT or header[1] > max_revision:
                return None  # an older layout (or one ahead of the store) is not read further
            return _from_saved_state(pickle.load(source))
    except Exception:  # noqa: BLE001 - a missing, partial or old file is only a cache miss
        return None


def _saved_state(catalog: Catalog) -> dict:
    """The containers as saved: the concepts and the packed tables as their arrays and bytes, and the
    labels' holders as the labels, how many each has, and one flat list of concept id, term text,
    language, type, id ... (a few large objects: reading them leaves no small ones behind to fragment
    the heap; a text equal to its label, and each language tag and type, is one string, saved once)."""
    state = dict(catalog.__dict__)
    once: dict[str, str] = {}
    held = once.setdefault
    flat = [x for matches in catalog.by_label.values() for m in matches
            for x in (m.id, m.text, held(m.lang, m.lang), held(m.type, m.type))]
    state["by_label"] = (tuple(catalog.by_label), array("I", map(len, catalog.by_label.values())), flat)
    return state


def _from_saved_state(state: dict) -> Catalog:
    state["by_label"] = _matches(*state["by_label"])
    catalog = Catalog.__new__(Catalog)
    catalog.__dict__.update(state)
    return catalog


def _matches(labels: tuple[str, ...], counts: array, flat: list[str]) -> OneOrMany:
    """The by_label matches from the labels, their counts and the flat list."""
    out: dict[str, LabelMatch | tuple[LabelMatch, ...]] = {}
    at = 0
    for label, count in zip(labels, counts):
        if count == 1:  # most labels: the match itself (OneOrMany)
            out[label] = LabelMatch(flat[at], flat[at + 1], flat[at + 2], flat[at + 3])  # type: ignore[arg-type]
            at += 4
            continue
        end = at + 4 * count
        out[label] = tuple([LabelMatch(flat[n], flat[n + 1], flat[n + 2], flat[n + 3])  # type: ignore[arg-type]
                            for n in range(at, end, 4)])
        at = end
    return OneOrMany(out)


@contextmanager
def collector_paused() -> Iterator[None]:
    """The cyclic garbage collector off while a whole snapshot is made or read, and what was made then
    frozen (left out of every later collection): millions of new objects, none of them garbage, would
    otherwise trigger dozens of full passes over them (docs/performance.md), and the first allocation
    after re-enabling would pass over all of them at once. A snapshot holds no reference cycles: when a
    newer one replaces it, reference counting frees it, frozen or not. Garbage already waiting is
    collected first, so that no cycle is frozen with the snapshot (cheap: what start-up made is frozen
    too); not when the collector is off already (inside an enclosing pause, which collected when it began
    and freezes when it ends: a second pass would walk everything made since)."""
    was_enabled = gc.isenabled()
    if was_enabled:
        gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()


# -- the next snapshot ---------------------------------------------------------------------------
def from_store(store, folded: Mapping[str, tuple[ConceptVersion, Folded]] | None = None,
               sounds: Callable[[], dict[str, tuple[str, str]]] | None = None,
               compressed: Callable[[], Compressed | None] | None = None) -> Catalog:
    """The catalog of a store's current versions. ``folded``: concept id → (the version, its folded
    labels), made already; ``sounds``: called once, at the end, for ``pinyin_keys`` of labels computed
    meanwhile elsewhere (``search/build.py``: by the index's writing process), the rest computed here;
    ``compressed``: called once, at the very end, for the concepts compressed elsewhere (in store order)."""
    revision = store.revision()
    base = Catalog()
    base.schemes = {s.id: s for s in store.schemes()}
    with collector_paused():
        builder = _Builder(base, folded, sounds, compressed, unique=True)
        builder.apply([*store.current("concept"), *store.current("standard")], [])
        return builder.finish(max(base.revision, revision))


def applied(catalog: Catalog, versions: Iterable[Version], revision: int, schemes: Iterable[Scheme] = ()) -> Catalog:
    builder = _Builder(catalog)
    builder.apply(list(versions), list(schemes))
    return builder.finish(max(catalog.revision, revision))


class _Builder:
    """Builds the next snapshot from the last one: the containers a change touches are copied (a packed
    table gets an overlay of the touched keys), and their touched values rebuilt as new tuples, so the
    snapshot being read is left exactly as it was."""

    def __init__(self, base: Catalog, folded: Mapping[str, tuple[ConceptVersion, Folded]] | None = None,
                 sounds: Callable[[], dict[str, tuple[str, str]]] | None = None,
                 compressed: Callable[[], Compressed | None] | None = None, unique: bool = False) -> None:
        """``unique``: each entity comes once in the versions applied (a store's current versions)."""
        self.new = Catalog.__new__(Catalog)
        self.new.__dict__.update(base.__dict__)
        self._work: dict[str, dict[str, list]] = {name: {} for name in _MAPS}  # touched keys → new values
        self._forgotten: set[str] = set()  # entities whose prefix entries are dropped
        self._added: dict[str, dict[str, str]] = {}  # entity id → its prefix keys added (key → label)
        self._bulk = False
        # a first build (nothing to copy from or to check against): keys looked up in the work only
        self._fresh = not (base.concepts or base.standards or base.by_label or base.by_title)
        self._known_folded = folded or {}
        # with ``sounds``, a first build's pinyin (sounds, prefix entries) is left to ``finish``
        self._sounds = sounds if self._fresh else None
        self._compressed = compressed if self._fresh else None
        self._sound_texts: list[str] = []  # labels and titles whose sound is posted at the end
        # a first build in bulk of unique entities: the labels and titles present, posted (grams,
        # words) by ``finish`` (with repeats, a label posted, dropped and posted again keeps the first
        # gram objects as keys: posted as they come, for the same saved bytes)
        self._defer_labels = self._fresh and unique
        self._new_labels: dict[str, None] = {}
        self._pending: dict[str, ConceptVersion | StandardVersion] = {}  # entities whose prefixes are too

    def _values(self, name: str, key: str) -> list:
        work = self._work[name]
        values = work.get(key)
        if values is None:
            values = work[key] = [] if self._fresh else list(getattr(self.new, name).get(key, ()))
        return values

    def _has(self, name: str, key: str) -> bool:
        values = self._work[name].get(key)
        if values is not None:
            return bool(values)
        return not self._fresh and key in getattr(self.new, name)

    def _add(self, name: str, key: str, value) -> bool:
        """Add ``value`` under ``key``; True when the key was empty."""
        values = self._work[name].get(key)
        if values is None:
            values = self._values(name, key)
        if not self._bulk and value in values:
            return False
        values.append(value)
        return len(values) == 1

    def _remove(self, name: str, key: str, value) -> None:
        values = self._values(name, key)
        if value in values:
            values.remove(value)

    def _set(self, name: str, key: str, value) -> None:
        self._work[name][key] = [value]

    def _pop(self, name: str, key: str) -> None:
        """Drop a one-value key (a concept, a standard, their derived entries)."""
        self._work[name][key] = []

    def _get(self, name: str, key: str):
        values = self._work[name].get(key)
        if values is not None:
            return values[0] if values else None
        return None if self._fresh else getattr(self.new, name).get(key)

    def apply(self, versions: list[Version], schemes: list[Scheme]) -> None:
        for scheme in schemes:
            self._set("schemes", scheme.id, scheme)
        self._bulk = len(versions) > BULK  # a start, a reload: no duplicate checks on the way
        # many labels cut for their pinyin, unless it is computed elsewhere (``from_store``'s ``sounds``)
        with held_as_dict() if self._bulk and self._sounds is None else nullcontext():
            for version in versions:
                if isinstance(version, ConceptVersion):
                    self._forget_concept(version.id)
                    self._add_concept(version)
                else:
                    self._forget_standard(version.id)
                    self._add_standard(version)
        self._bulk = False

    def finish(self, revision: int) -> Catalog:
        single = {"schemes", "concepts", "standards"}  # one value per key
        pinyin: Callable[[str], tuple[str, str]] = pinyin_keys
        if self._new_labels:  # first: it needs no pinyin, so it is done while the sounds may still be computed elsewhere
            self._post_new_labels()
        if self._sounds is not None and (self._sound_texts or self._pending):
            known = self._sounds()
            pinyin = partial(_known_pinyin, known)
            many = sum(text not in known for text in self._sound_texts) > BULK  # computed here
            with held_as_dict() if many else nullcontext():
                sounds = self._work["by_sound"]
                for text in self._sound_texts:
                    sounds.setdefault(pinyin(text)[0], []).append(text)
                self._add_pending_prefixes(pinyin)
        for name, work in self._work.items():
            if not work or name == "concepts":
                continue
            if name == "by_label":
                labels = self.new.by_label
                labels = labels if isinstance(labels, OneOrMany) else OneOrMany.of(labels)
                self.new.by_label = labels.updated(work)
                continue
            if name in PACKED:
                table = getattr(self.new, name)
                table = table if isinstance(table, KeyTable) else KeyTable.of(table)
                if not table and len(work) > REPACK:  # a first build: what ``updated`` would pack, at once
                    setattr(self.new, name, KeyTable.of(work, sort=True))
                    continue
                setattr(self.new, name, table.updated({key: tuple(sorted(values)) for key, values in work.items()}))
                continue
            target = dict(getattr(self.new, name))
            for key, values in work.items():
                if not values:
                    target.pop(key, None)
                elif name in single:
                    target[key] = values[0]
                else:  # label postings sorted: the same order however the snapshot was reached
                    target[key] = tuple(sorted(values)) if name in SORTED else tuple(values)
            setattr(self.new, name, target)
        self._add_pending_prefixes(pinyin)
        if self._forgotten or self._added:
            prefixes = self.new.prefixes
            prefixes = prefixes if isinstance(prefixes, PrefixTable) else PrefixTable.of(prefixes)
            if not len(prefixes):  # a first build: packed at once, in the entities' id order
                self.new.prefixes = PrefixTable.of_entities(sorted(self._added.items()))
            else:
                added = [entry for entity_id, keys in self._added.items() for entry in prefix_entries(entity_id, keys)]
                self.new.prefixes = prefixes.replaced(self._forgotten, added)
        # the concepts last of all: their compressed bytes may come from elsewhere (``from_store``), and
        # what is made here meanwhile is made first
        work = self._work["concepts"]
        if work and self._compressed is not None and not self.new.concepts and len(work) > REPACK:
            # what ``updated`` makes of an empty table: every version packed, in this order
            self.new.concepts = ConceptTable.of([values[0] for values in work.values() if values], self._compressed())
        elif work:
            concepts = self.new.concepts
            concepts = concepts if isinstance(concepts, ConceptTable) else ConceptTable.of(concepts)
            self.new.concepts = concepts.updated({key: values[0] if values else None for key, values in work.items()})
        self.new.revision = revision
        return self.new

    def _add_pending_prefixes(self, pinyin: Callable[[str], tuple[str, str]]) -> None:
        """The prefix entries of the entities left to ``finish`` (a first build's, with ``sounds``)."""
        if self._pending:
            for entity in self._pending.values():
                keys = (_concept_prefixes(self._labels_of(entity), pinyin) if isinstance(entity, ConceptVersion)
                        else _standard_prefixes(entity, pinyin))
                self._add_prefixes(entity.id, keys)
            self._pending = {}

    def _post_new_labels(self) -> None:
        """The grams and English words of a first build's labels, packed at once: the labels taken in
        sorted order, each key's values are numbers into them, already ascending (what ``KeyTable.of``
        would make of the postings, sorted, without numbering and sorting the millions of values)."""
        labels = sorted(self._new_labels)
        for name, cut in (("postings", label_grams), ("en_postings", english_words)):
            runs: dict[str, list[int]] = {}
            vocab: list[str] = []
            for text in labels:
                keys = () if name == "postings" and text.isascii() else cut(text)  # no CJK in ASCII
                if keys:
                    number = len(vocab)
                    vocab.append(text)
                    for key in keys:
                        runs.setdefault(key, []).append(number)
            if len(runs) > REPACK and not getattr(self.new, name) and not self._work[name]:
                setattr(self.new, name, KeyTable.numbered(runs, tuple(vocab)))
            else:  # a few: posted in the order the labels came, as ``_label_in`` would have (the same dict)
                work = self._work[name]
                for text in self._new_labels:
                    for key in cut(text):
                        work.setdefault(key, []).append(text)

    # -- labels shared by concepts and standards ---------------------------------------------
    def _label_in(self, text: str) -> None:
        """Postings and sound of a folded label or title that just became present."""
        if self._defer_labels and self._bulk:  # posted by ``finish``
            self._new_labels[text] = None
        elif self._fresh and self._bulk:  # what ``_add`` does then, for the many grams
            postings = self._work["postings"]
            for gram in label_grams(text):
                postings.setdefault(gram, []).append(text)
            for word in english_words(text):
                self._add("en_postings", word, text)
        else:
            for gram in label_grams(text):
                self._add("postings", gram, text)
            for word in english_words(text):
                self._add("en_postings", word, text)
        if CJK_RUN.search(text):
            if self._sounds is not None and self._bulk:
                self._sound_texts.append(text)  # posted by ``finish``
            else:
                self._add("by_sound", pinyin_keys(text)[0], text)

    def _label_out(self, text: str) -> None:
        if self._has("by_label", text) or self._has("by_title", text):
            return  # another concept or standard still holds it
        if text in self._new_labels:  # not posted yet
            del self._new_labels[text]
        else:
            for gram in label_grams(text):
                self._remove("postings", gram, text)
            for word in english_words(text):
                self._remove("en_postings", word, text)
        if CJK_RUN.search(text):
            self._remove("by_sound", pinyin_keys(text)[0], text)

    def _add_concept(self, c: ConceptVersion) -> None:
        self._set("concepts", c.id, c)
        folded = self._labels_of(c)
        for key, term in folded:
            present = self._has("by_label", key) or self._has("by_title", key)
            self._add("by_label", key, LabelMatch.of(c.id, term))
            if not present:
                self._label_in(key)
        for parent in c.broader:
            self._add("narrower", parent, c.id)
        codes = {n for key, _ in folded for n in NUMBER.findall(key)} | (code_keys(c.notation) if c.notation else set())
        for code in codes:
            self._add("by_code", code, c.id)
        if self._sounds is not None and self._bulk:
            self._pending[c.id] = c  # its prefix entries made by ``finish``
        else:
            self._add_prefixes(c.id, _concept_prefixes(folded))

    def _labels_of(self, c: ConceptVersion) -> Folded:
        known = self._known_folded.get(c.id)
        return known[1] if known is not None and known[0] is c else folded_labels(c)

    def _forget_concept(self, concept_id: str) -> None:
        old = self._get("concepts", concept_id)
        if old is None:
            return
        folded = folded_labels(old)
        self._pop("concepts", concept_id)
        for key, term in folded:
            self._remove("by_label", key, LabelMatch.of(concept_id, term))
            self._label_out(key)
        for parent in old.broader:
            self._remove("narrower", parent, concept_id)
        codes = {n for key, _ in folded for n in NUMBER.findall(key)} | (code_keys(old.notation) if old.notation else set())
        for code in codes:
            self._remove("by_code", code, concept_id)
        self._forget_prefixes(concept_id)

    def _add_standard(self, s: StandardVersion) -> None:
        self._set("standards", s.id, s)
        for concept_id in s.concepts:
            self._add("standards_of", concept_id, s.id)
        title = fold_to_simplified(s.title)
        present = self._has("by_label", title) or self._has("by_title", title)
        self._add("by_title", title, s.id)
        if not present:
            self._label_in(title)
        for code in code_keys(s.code):
            self._add("by_code", code, s.id)
        if self._sounds is not None and self._bulk:
            self._pending[s.id] = s
        else:
            self._add_prefixes(s.id, _standard_prefixes(s))

    def _forget_standard(self, standard_id: str) -> None:
        old = self._get("standards", standard_id)
        if old is None:
            return
        self._pop("standards", standard_id)
        for concept_id in old.concepts:
            self._remove("standards_of", concept_id, standard_id)
        title = fold_to_simplified(old.title)
        self._remove("by_title", title, standard_id)
        self._label_out(title)
        for code in code_keys(old.code):
            self._remove("by_code", code, standard_id)
        self._forget_prefixes(standard_id)

    def _add_prefixes(self, entity_id: str, keys: dict[str, str]) -> None:
        self._added[entity_id] = keys

    def _forget_prefixes(self, entity_id: str) -> None:
        """Drop every prefix entry of an entity (all of them come from its one current version)."""
        self._forgotten.add(entity_id)
        self._pending.pop(entity_id, None)
        self._added.pop(entity_id, None)  # added earlier in this batch


Folded = tuple[tuple[str, Term], ...]


def _known_pinyin(known: dict[str, tuple[str, str]], text: str) -> tuple[str, str]:
    """``pinyin_keys(text)``, computed elsewhere or here (then kept in ``known``: a label's sound and
    its prefix entries both read it)."""
    keys = known.get(text)
    if keys is None:
        keys = known[text] = pinyin_keys(text)
    return keys


def folded_labels(c: ConceptVersion) -> Folded:
    """(folded text, term) for each term of a concept version; a text folded to itself is the term's own
    object (held once)."""
    return tuple((_same(fold_to_simplified(term.text), term.text), term) for term in c.terms)


def folded_labels_of(versions: list[ConceptVersion]) -> list[Folded]:
    """``folded_labels`` of each version, the labels folded in one go (``fold_many``)."""
    texts = [term.text for c in versions for term in c.terms]
    folded = iter(map(_same, fold_many(texts), texts))
    return [tuple((next(folded), term) for term in c.terms) for c in versions]


def _same(text: str, original: str) -> str:
    return original if text == original else text


def _standard_prefixes(s: StandardVersion, pinyin: Callable[[str], tuple[str, str]] = pinyin_keys) -> dict[str, str]:
    """A standard's prefix keys — folded title, codes, English title, pinyin — each with its label."""
    title = fold_to_simplified(s.title)
    keys = {title: s.title, **{k: s.code for k in code_keys(s.code)}}
    if s.title_en:
        keys.setdefault(fold_to_simplified(s.title_en), s.title_en)
    keys.update(dict.fromkeys(pinyin(title), s.title))
    return keys


def _concept_prefixes(folded: Iterable[tuple[str, Term]],
                      pinyin: Callable[[str], tuple[str, str]] = pinyin_keys) -> dict[str, str]:
    """A concept's prefix keys — folded labels, full pinyin and initials — each with its label."""
    keys: dict[str, str] = {}
    for key, term in folded:
        keys.setdefault(key, term.text)
        if is_chinese(term.lang):  # only Chinese has a pinyin reading (imported es, fi, zu … labels have none)
            for sound in pinyin(key):
                keys.setdefault(sound, term.text)
    return keys
