"""The in-memory catalog: an immutable snapshot of the current versions, with what search derives.

A snapshot answers exact lookups, prefix suggestions and the label tiers of search without touching
the store or the index, and renders search hits. It is never changed once published: ``applied``
builds the next revision's snapshot off to the side (copying only the containers a change touches)
and the service swaps it in with one assignment, so a request that grabs ``service.catalog`` once
reads one revision throughout.
"""

from __future__ import annotations

import gc
import os
import pickle
import re
from bisect import bisect_left, insort
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import msgspec
from msgspec import Struct

from registry.model import TYPE_RANK, ConceptVersion, Scheme, StandardVersion, Term, Version, is_chinese
from registry.store import Store

from .analysis import (
    CJK_RUN,
    english_words,
    fold_to_simplified,
    label_grams,
    pinyin_keys,
)

CODE_NUMBER = re.compile(r"\d+(?:\.\d+)?(?:-\d{4})?")
NUMBER = re.compile(r"\d{2,}")
SNAPSHOT_FILE = "catalog-snapshot.pickle"
SNAPSHOT_FORMAT = 3  # a new layout ignores older files
_CONCEPTS_ENCODER = msgspec.msgpack.Encoder()
_CONCEPTS_DECODER = msgspec.msgpack.Decoder(list[ConceptVersion])
_KEY_SEPARATOR = "\n"  # between the prefix keys of a saved snapshot (keys are folded: no line breaks)


def code_keys(code: str) -> set[str]:
    """The forms a standard code is found by: ``GB/T 43697-2024``, ``gbt43697``, ``43697`` ..."""
    compact = fold_to_simplified(code).replace(" ", "")
    if not compact:
        return set()
    keys = {compact, compact.replace("/", "")}
    undated = re.sub(r"-\d{4}$", "", compact)
    keys |= {undated, undated.replace("/", "")}
    for number in CODE_NUMBER.findall(compact):
        keys |= {number, re.sub(r"-\d{4}$", "", number)}
    return keys


def query_code_key(text: str) -> str:
    return fold_to_simplified(text).replace(" ", "")


class LabelMatch(Struct, frozen=True):
    id: str
    term: Term


class Suggestion(Struct, frozen=True, kw_only=True):
    id: str
    kind: str
    label: str
    matched: str


SUGGEST_SCAN = 400  # prefix entries looked at per form, at most
BULK = 1000  # versions applied at once above which the prefix list is rebuilt rather than updated

SORTED = {"postings", "en_postings", "by_sound", "by_code"}
# the containers of a snapshot; each maps a key to an immutable value (a tuple, a Struct)
_MAPS = ("schemes", "concepts", "standards", "by_label", "by_title", "by_code", "by_sound", "narrower",
         "standards_of", "postings", "en_postings")


class Catalog:
    """One revision of the read model. Treat as read-only: ``applied`` returns a new snapshot."""

    def __init__(self) -> None:
        self.revision = 0
        self.schemes: dict[str, Scheme] = {}
        self.concepts: dict[str, ConceptVersion] = {}
        self.standards: dict[str, StandardVersion] = {}
        self.by_label: dict[str, tuple[LabelMatch, ...]] = {}  # folded label → concepts naming it
        self.by_title: dict[str, tuple[str, ...]] = {}  # folded standard title → standard ids
        self.by_code: dict[str, tuple[str, ...]] = {}  # code key (notation, standard code, number) → ids
        self.by_sound: dict[str, tuple[str, ...]] = {}  # full pinyin → folded Chinese labels and titles
        self.narrower: dict[str, tuple[str, ...]] = {}
        self.standards_of: dict[str, tuple[str, ...]] = {}
        # label postings for search: CJK bigram (or the one character of a one-character label) and
        # English word → the folded labels and titles holding it
        self.postings: dict[str, tuple[str, ...]] = {}
        self.en_postings: dict[str, tuple[str, ...]] = {}
        # sorted (key, id, label) for prefix suggestions: folded labels, pinyin, initials, English, codes
        # (what a version's entries were is derived again from it when it is replaced: keeping them per
        # concept made the snapshot a tenth larger and slower to read at every start)
        self.prefixes: list[tuple[str, str, str]] = []

    @classmethod
    def from_store(cls, store: Store) -> Catalog:
        revision = store.revision()
        base = cls()
        base.schemes = {s.id: s for s in store.schemes()}
        with _collector_paused():
            return base.applied([*store.current("concept"), *store.current("standard")], revision)

    def applied(self, versions: Iterable[Version], revision: int, schemes: Iterable[Scheme] = ()) -> Catalog:
        """The snapshot after replacing the versions given (new or newer), at ``revision``."""
        builder = _Builder(self)
        builder.apply(list(versions), list(schemes))
        return builder.finish(max(self.revision, revision))

    # -- persistence beside the index ---------------------------------------------------------
    def save(self, folder: str | Path) -> None:
        """Write the snapshot (atomically) so a restart skips the folding, pinyin and postings work."""
        path = Path(folder) / SNAPSHOT_FILE
        tmp = path.with_name(f"{SNAPSHOT_FILE}.{os.getpid()}.tmp")  # workers may save at once
        with tmp.open("wb") as out:
            pickle.dump((SNAPSHOT_FORMAT, self.revision), out, protocol=pickle.HIGHEST_PROTOCOL)  # read first
            pickle.dump(self._saved_state(), out, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(path)

    def _saved_state(self) -> dict:
        """The containers as saved: concepts as one msgpack document (msgspec decodes 100k concepts
        in a third of the time pickle rebuilds them, one keyword dict per struct), and each label's
        holders as concept id, position of the term, id, position ... (one flat tuple: 300k fewer
        objects to read) so that they share the concepts' terms again when read back; the prefix
        entries as their keys joined into one string, their ids and their labels."""
        state = dict(self.__dict__)
        state["concepts"] = _CONCEPTS_ENCODER.encode(list(self.concepts.values()))
        state["by_label"] = {label: tuple(x for m in matches for x in (m.id, _position(self.concepts[m.id].terms, m.term)))
                             for label, matches in self.by_label.items()}
        keys, ids, labels = zip(*self.prefixes) if self.prefixes else ((), (), ())
        joined = _KEY_SEPARATOR.join(keys)
        if joined.count(_KEY_SEPARATOR) == len(keys) - 1:  # no key holds the separator: 700k fewer tuples to read
            state["prefixes"] = (joined, ids, labels)
        return state

    @classmethod
    def _from_saved_state(cls, state: dict) -> Catalog:
        concepts = {c.id: c for c in _CONCEPTS_DECODER.decode(state["concepts"])}
        state["concepts"] = concepts
        state["by_label"] = {label: tuple([LabelMatch(i, concepts[i].terms[n]) for i, n in zip(flat[::2], flat[1::2])])
                             for label, flat in state["by_label"].items()}
        if isinstance(state["prefixes"], tuple):
            joined, ids, labels = state["prefixes"]
            state["prefixes"] = list(zip(joined.split(_KEY_SEPARATOR), ids, labels)) if ids else []
        catalog = cls.__new__(cls)
        catalog.__dict__.update(state)
        return catalog

    @classmethod
    def load(cls, folder: str | Path, max_revision: int) -> Catalog | None:
        """The snapshot saved in ``folder`` if it is readable and not ahead of the store, else None."""
        try:
            with (Path(folder) / SNAPSHOT_FILE).open("rb") as source, _collector_paused():
                header = pickle.load(source)
                if header[0] != SNAPSHOT_FORMAT or header[1] > max_revision:
                    return None  # an older layout (or one ahead of the store) is not read further
                return cls._from_saved_state(pickle.load(source))
        except Exception:  # noqa: BLE001 - a missing, partial or old file is only a cache miss
            return None

    # -- reading -----------------------------------------------------------------------------
    def lookup(self, label: str, forms: Iterable[str] = ()) -> list[LabelMatch]:
        """Concepts that have ``label`` (or one of its expanded ``forms``) as a label, one match each.

        The label as written (folded) wins over its expansions, so 數位鄉村 is reported as the Taiwan
        label it is; then preferred before admitted, abbreviation, hidden and deprecated terms.
        """
        rank = TYPE_RANK
        best: dict[str, tuple[tuple[int, int], LabelMatch]] = {}
        for order, form in enumerate(dict.fromkeys((fold_to_simplified(label), *forms))):
            for match in self.by_label.get(form, ()):
                key = (order, rank[match.term.type])
                if match.id not in best or key < best[match.id][0]:
                    best[match.id] = (key, match)
        return [m for _, m in sorted(best.values(), key=lambda item: (item[0][1], item[0][0], item[1].id))]

    def suggest(self, forms: Iterable[str], limit: int = 10) -> list[Suggestion]:
        """Concepts and standards with a label, pinyin, initials or code starting with one of ``forms``."""
        found: dict[str, tuple[tuple, Suggestion]] = {}
        for order, form in enumerate(dict.fromkeys(f for f in forms if f)):
            start = bisect_left(self.prefixes, (form,))
            for key, entity_id, label in self.prefixes[start : start + SUGGEST_SCAN]:
                if not key.startswith(form):
                    break
                rank = self._suggest_rank(entity_id, key == form, order, label)
                if entity_id not in found or rank < found[entity_id][0]:
                    kind = "concept" if entity_id in self.concepts else "standard"
                    display = self.concepts[entity_id].preferred if kind == "concept" else self.standards[entity_id].title
                    found[entity_id] = (rank, Suggestion(id=entity_id, kind=kind, label=display, matched=label))
        return [s for _, s in sorted(found.values(), key=lambda item: item[0])[:limit]]

    def prefixed(self, prefix: str, limit: int) -> dict[str, tuple[bool, str]]:
        """Entities with a key (label, pinyin, initials, English, code) starting with ``prefix``:
        id → (whether a key equals it, the label of the best key)."""
        start = bisect_left(self.prefixes, (prefix,))
        found: dict[str, tuple[bool, str]] = {}
        prefixes = self.prefixes
        for position in range(start, len(prefixes)):  # by index: a slice would copy the whole tail
            key, entity_id, label = prefixes[position]
            if not key.startswith(prefix):
                break
            exact = key == prefix
            if entity_id not in found:
                if len(found) >= limit:
                    break
                found[entity_id] = (exact, label)
            elif exact and not found[entity_id][0]:
                found[entity_id] = (True, label)
        return found

    def _suggest_rank(self, entity_id: str, exact: bool, order: int, label: str) -> tuple:
        """Live before deprecated, whole key before prefix, the literal form before other expansions."""
        concept = self.concepts.get(entity_id)
        preferred = concept is not None and label == concept.preferred
        deprecated = concept is not None and concept.status == "deprecated"
        return (deprecated, not exact, order, not preferred, len(label), entity_id)

    def label_postings(self) -> list[tuple[str, list[LabelMatch]]]:
        """(folded label, the concepts and terms it names) for every label of the current versions:
        what the term checker builds its automaton from (``drafting/matching.py``)."""
        return [(key, list(matches)) for key, matches in self.by_label.items()]

    def folded_labels(self) -> dict[str, tuple[LabelMatch, ...]]:
        """Every folded label (Simplified, normalised) → the concepts naming it, with the term: what a
        term checker matches a text against. Read-only, like the whole snapshot."""
        return self.by_label


def _position(terms: tuple[Term, ...], term: Term) -> int:
    """Where ``term`` is among a concept's terms (the same object; else an equal one)."""
    for n, candidate in enumerate(terms):
        if candidate is term:
            return n
    return terms.index(term)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """The cyclic garbage collector off while a whole snapshot is made or read, and what was made then
    frozen (left out of every later collection): millions of new objects, none of them garbage, would
    otherwise trigger dozens of full passes over them (at 100k concepts reading a snapshot took 2.8 s
    without and 6–7 s with them; docs/performance.md), and the first allocation after re-enabling would
    pass over all of them at once (1.8 s). A snapshot holds no reference cycles: when a newer one
    replaces it, reference counting frees it, frozen or not. Garbage already waiting is collected
    first, so that no cycle is frozen with the snapshot (cheap: what start-up made is frozen too)."""
    was_enabled = gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()


class _Builder:
    """Builds the next snapshot from the last one: the containers a change touches are copied, and
    their touched values rebuilt as new tuples, so the snapshot being read is left exactly as it was."""

    def __init__(self, base: Catalog) -> None:
        self.new = Catalog.__new__(Catalog)
        self.new.__dict__.update(base.__dict__)
        self._work: dict[str, dict[str, list]] = {name: {} for name in _MAPS}  # touched keys → new values
        self._bulk: tuple[set[str], list[tuple[str, str, str]]] | None = None

    def _values(self, name: str, key: str) -> list:
        work = self._work[name]
        values = work.get(key)
        if values is None:
            values = work[key] = list(getattr(self.new, name).get(key, ()))
        return values

    def _has(self, name: str, key: str) -> bool:
        values = self._work[name].get(key)
        return bool(values) if values is not None else key in getattr(self.new, name)

    def _add(self, name: str, key: str, value) -> bool:
        """Add ``value`` under ``key``; True when the key was empty."""
        values = self._values(name, key)
        if self._bulk is None and value in values:
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
        return getattr(self.new, name).get(key)

    def apply(self, versions: list[Version], schemes: list[Scheme]) -> None:
        for scheme in schemes:
            self._set("schemes", scheme.id, scheme)
        # a big batch (a start, a reload) re-sorts the prefix list once instead of inserting one by one
        self._bulk = (set(), []) if len(versions) > BULK else None
        if self._bulk is None:
            self.new.prefixes = list(self.new.prefixes)
        for version in versions:
            if isinstance(version, ConceptVersion):
                self._forget_concept(version.id)
                self._add_concept(version)
            else:
                self._forget_standard(version.id)
                self._add_standard(version)
        if self._bulk is not None:
            stale, pending = self._bulk
            self.new.prefixes = sorted([e for e in self.new.prefixes if e[1] not in stale] + pending)
            self._bulk = None

    def finish(self, revision: int) -> Catalog:
        single = {"schemes", "concepts", "standards"}  # one value per key
        for name, work in self._work.items():
            if not work:
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
        self.new.revision = revision
        return self.new

    # -- labels shared by concepts and standards ---------------------------------------------
    def _label_in(self, text: str) -> None:
        """Postings and sound of a folded label or title that just became present."""
        for gram in label_grams(text):
            self._add("postings", gram, text)
        for word in english_words(text):
            self._add("en_postings", word, text)
        if CJK_RUN.search(text):
            self._add("by_sound", pinyin_keys(text)[0], text)

    def _label_out(self, text: str) -> None:
        if self._has("by_label", text) or self._has("by_title", text):
            return  # another concept or standard still holds it
        for gram in label_grams(text):
            self._remove("postings", gram, text)
        for word in english_words(text):
            self._remove("en_postings", word, text)
        if CJK_RUN.search(text):
            self._remove("by_sound", pinyin_keys(text)[0], text)

    def _add_concept(self, c: ConceptVersion) -> None:
        self._set("concepts", c.id, c)
        folded = _folded(c)
        for key, term in folded:
            present = self._has("by_label", key) or self._has("by_title", key)
            self._add("by_label", key, LabelMatch(c.id, term))
            if not present:
                self._label_in(key)
        for parent in c.broader:
            self._add("narrower", parent, c.id)
        codes = {n for key, _ in folded for n in NUMBER.findall(key)} | (code_keys(c.notation) if c.notation else set())
        for code in codes:
            self._add("by_code", code, c.id)
        self._add_prefixes(c.id, _concept_prefixes(folded))

    def _forget_concept(self, concept_id: str) -> None:
        old = self._get("concepts", concept_id)
        if old is None:
            return
        folded = _folded(old)
        self._pop("concepts", concept_id)
        for key, term in folded:
            self._remove("by_label", key, LabelMatch(concept_id, term))
            self._label_out(key)
        for parent in old.broader:
            self._remove("narrower", parent, concept_id)
        codes = {n for key, _ in folded for n in NUMBER.findall(key)} | (code_keys(old.notation) if old.notation else set())
        for code in codes:
            self._remove("by_code", code, concept_id)
        self._forget_prefixes(concept_id, _concept_prefixes(folded))

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
        self._forget_prefixes(standard_id, _standard_prefixes(old))

    # -- prefix entries ----------------------------------------------------------------------
    def _add_prefixes(self, entity_id: str, keys: dict[str, str]) -> None:
        entries = _prefix_entries(entity_id, keys)
        if self._bulk is not None:
            self._bulk[1].extend(entries)
        else:
            for entry in entries:
                insort(self.new.prefixes, entry)

    def _forget_prefixes(self, entity_id: str, keys: dict[str, str]) -> None:
        """Drop the entries ``_add_prefixes`` made from ``keys`` (derived again from the old version)."""
        if self._bulk is not None:
            self._bulk[0].add(entity_id)  # its sorted entries are dropped when the batch ends
            return
        prefixes = self.new.prefixes
        for entry in _prefix_entries(entity_id, keys):
            at = bisect_left(prefixes, entry)
            if at < len(prefixes) and prefixes[at] == entry:
                del prefixes[at]


def _prefix_entries(entity_id: str, keys: dict[str, str]) -> tuple[tuple[str, str, str], ...]:
    return tuple((key, entity_id, label) for key, label in keys.items() if key)


def _folded(c: ConceptVersion) -> tuple[tuple[str, Term], ...]:
    """(folded text, term) for each term of a concept version."""
    return tuple((fold_to_simplified(term.text), term) for term in c.terms)


def _standard_prefixes(s: StandardVersion) -> dict[str, str]:
    """A standard's prefix keys — folded title, codes, English title, pinyin — each with its label."""
    title = fold_to_simplified(s.title)
    keys = {title: s.title, **{k: s.code for k in code_keys(s.code)}}
    if s.title_en:
        keys.setdefault(fold_to_simplified(s.title_en), s.title_en)
    keys.update(dict.fromkeys(pinyin_keys(title), s.title))
    return keys


def _concept_prefixes(folded: Iterable[tuple[str, Term]]) -> dict[str, str]:
    """A concept's prefix keys — folded labels, full pinyin and initials — each with its label."""
    keys: dict[str, str] = {}
    for key, term in folded:
        keys.setdefault(key, term.text)
        if is_chinese(term.lang):  # only Chinese has a pinyin reading (imported es, fi, zu … labels have none)
            for sound in pinyin_keys(key):
                keys.setdefault(sound, term.text)
    return keys
