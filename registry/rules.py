"""The rules the registry enforces on every write, whoever the caller.

Rules see the registry through a small ``State`` view, so the same checks run against a store inside
its write transaction and against a batch of files before anything is written.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol

from msgspec import Struct

from .errors import RuleViolation
from .languages import is_simplified
from .model import ConceptVersion, Scheme, Source, StandardVersion, Version, kind_of
from .text import fold_to_simplified, is_blank, visible
from .urls import check_url


class State(Protocol):
    def concept_exists(self, concept_id: str) -> bool: ...

    def scheme_exists(self, scheme_id: str) -> bool: ...

    def preferred_owner(self, scheme_id: str, folded_label: str) -> str | None: ...

    def broader_of(self, concept_id: str) -> Sequence[str]: ...

    def held_preferred(self, concept_id: str) -> set[str]:
        """The folded preferred labels the concept's current version claims (none for a new concept)."""
        ...


def preferred_keys(version: ConceptVersion) -> set[str]:
    """The folded preferred labels a published concept claims in its scheme: folded as search folds them,
    after dropping what shows nothing (数字\u200b乡村 looks like, and so is, 数字乡村)."""
    if version.status != "published":
        return set()
    return {fold_to_simplified(visible(t.text)) for t in version.terms if t.type == "preferred"}


class Homonym(Struct, frozen=True):
    """Two concepts of one scheme with the same preferred label (after folding): allowed for imports."""

    scheme: str
    label: str
    concept: str
    other: str


def check_versions(batch: Sequence[Version], state: State, *, imported: bool = False,
                   problems: list[RuleViolation] | None = None, homonyms: list[Homonym] | None = None,
                   homonym_labels: set[str] | None = None) -> None:
    """Raise ``RuleViolation`` naming the first broken rule in ``batch`` against ``state``.

    ``state`` must already see the concepts of the batch (a batch may refer to itself). With ``problems``,
    every concept's first broken rule is appended there instead of raised. ``imported``: a file from
    outside may hold homonyms (ISO 704: one label, several concepts; listed in ``homonyms``, not refused)
    and concepts with no Chinese preferred term (another language's preferred term names them, or, with no
    preferred term at all, e.g. a termbase entry whose terms are all deprecated, its first term). Without
    ``imported``, a concept may keep a preferred label it already holds with a homonym (an editor revising an
    imported homonym; listed in ``homonyms``), never take one another concept holds. ``homonym_labels``: the
    folded labels an imported version may share with another concept (those its import brought in, for an
    import proposal an editor changed); None: any, as in the file itself.
    """
    claimed: dict[tuple[str, str], str] = {}
    cycles = _Cycles(state)
    for version in batch:
        try:
            check_urls(version.sources, version.uri, f"{kind_of(version)} {version.id}")
            check_not_blank(version, f"{kind_of(version)} {version.id}")
            if isinstance(version, ConceptVersion):
                _check_concept(version, state, claimed, imported, homonyms, homonym_labels, cycles)
            else:
                _check_standard(version, state)
        except RuleViolation as exc:
            if problems is None:
                raise
            problems.append(exc)


def check_urls(sources: Sequence[Source], uri: str, owner: str) -> None:
    """Every URL a version or scheme stores follows the URL rule (``registry/urls.py``)."""
    for i, source in enumerate(sources):
        check_url(source.url, f"sources[{i}].url", owner)
    check_url(uri, "uri", owner)


def check_schemes(schemes: Iterable[Scheme]) -> None:
    """The rules for schemes as written: their links follow the URL rule, their titles are not blank."""
    for scheme in schemes:
        check_urls(scheme.sources, scheme.uri, f"scheme {scheme.id}")
        check_not_blank(scheme, f"scheme {scheme.id}")


def _required_texts(record: Version | Scheme) -> Iterable[tuple[str, str]]:
    """(field, text) of every text of ``record`` that must say something when it is there: a term, a title, a
    note, an example, a body, a cited document (the model's ``Text`` and ``ShortText``, at least one character)."""
    yield from (("terms", t.text) for t in getattr(record, "terms", ()))
    yield from (("definitions", d.text) for d in getattr(record, "definitions", ()))
    yield from (("sources", s.document) for s in record.sources)
    if not isinstance(record, ConceptVersion):
        yield "title", record.title
    for field in ("notes", "examples", "bodies", "replaces"):
        yield from ((field, text) for text in getattr(record, field, ()))
    if isinstance(record, StandardVersion):
        yield from (("replaced_by", text) for text in record.replaced_by)


def check_not_blank(record: Version | Scheme, owner: str) -> None:
    """No text that must say something is blank: only spaces or invisible characters (``text.is_blank``)."""
    for field, text in _required_texts(record):
        if is_blank(text):
            raise RuleViolation(f"{owner}: {field} holds a blank text (only spaces or invisible characters)",
                                field=field)


def _check_concept(c: ConceptVersion, state: State, claimed: dict[tuple[str, str], str], imported: bool = False,
                   homonyms: list[Homonym] | None = None, homonym_labels: set[str] | None = None,
                   cycles: _Cycles | None = None) -> None:
    where = f"concept {c.id}"
    if not state.scheme_exists(c.scheme):
        raise RuleViolation(f"{where}: unknown scheme {c.scheme!r}", field="scheme")
    # the concept's Chinese name: a preferred term under a Simplified tag (zh-Hans, or zh-CN, zh ... as imported);
    # a file from outside may give one per tag (zh-Hans and zh-CN), checked per language below
    preferred = [t for t in c.terms if t.type == "preferred" and is_simplified(t.lang)]
    if not imported and len(preferred) != 1:
        raise RuleViolation(
            f"{where}: needs exactly one preferred zh-Hans term, has {len(preferred)}", field="terms"
        )
    per_language: set[str] = set()
    for term in c.terms if imported else ():  # a file from outside: one preferred term per language (SKOS)
        if term.type == "preferred":
            if term.lang in per_language:
                raise RuleViolation(f"{where}: has two preferred {term.lang} terms", field="terms")
            per_language.add(term.lang)
    held: set[str] | None = None
    for key in preferred_keys(c):
        owner = claimed.get((c.scheme, key)) or state.preferred_owner(c.scheme, key)
        if owner and owner != c.id:
            if held is None:
                held = set() if imported and homonym_labels is None else state.held_preferred(c.id)
            # a file from outside may hold homonyms (an edited import proposal: those its import brought in); an
            # editor may keep the one the concept already has, never take a label another concept holds
            if (imported and (homonym_labels is None or key in homonym_labels)) or key in held:
                if homonyms is not None:  # named by the label the two share, not by the concept's name
                    shared = next((t.text for t in c.terms if t.type == "preferred" and fold_to_simplified(t.text) == key),
                                  c.preferred)
                    homonyms.append(Homonym(c.scheme, shared, c.id, owner))
                continue
            raise RuleViolation(
                f"{where}: preferred label {c.preferred!r} is already the preferred label "
                f"of {owner} in scheme {c.scheme} (compared after Simplified/Traditional folding)",
                field="terms",
            )
        claimed[(c.scheme, key)] = c.id
    for field, targets in (("broader", c.broader), ("related", c.related), ("replaced_by", c.replaced_by),
                           ("grade_factors", c.grade_factors)):
        for target in targets:
            if target == c.id:
                raise RuleViolation(f"{where}: {field} points at itself", field=field)
            if not state.concept_exists(target):
                raise RuleViolation(f"{where}: {field} names unknown concept {target!r}", field=field)
    if cycles is not None and tuple(cycles.broader(c.id)) == tuple(c.broader):  # (the batch's own version)
        if cycles.on_cycle(c.id):
            raise RuleViolation(f"concept {c.id}: broader links form a cycle", field="broader")
    else:
        _check_no_cycle(c, state)


class _Cycles:
    """Which concepts lie on a cycle of broader links (reach themselves again): the strongly connected
    components of the hierarchy (Tarjan's, without recursion), found once per check as concepts are asked
    about, each concept's broader links read once. A walk up from every concept of a batch read a chain of
    n concepts n²/2 times (8,000 concepts: 8 s)."""

    def __init__(self, state: State) -> None:
        self.state = state
        self.links: dict[str, Sequence[str]] = {}
        self.cyclic: dict[str, bool] = {}  # concept → on a cycle, for every concept whose component is done

    def broader(self, concept_id: str) -> Sequence[str]:
        links = self.links.get(concept_id)
        if links is None:
            links = self.links[concept_id] = self.state.broader_of(concept_id)
        return links

    def on_cycle(self, start: str) -> bool:
        if start in self.cyclic:
            return self.cyclic[start]
        index: dict[str, int] = {}
        low: dict[str, int] = {}
        stack: list[str] = []  # Tarjan's stack of concepts whose component is not done
        on_stack: set[str] = set()
        work = [(start, iter(self.broader(start)))]
        index[start] = low[start] = 0
        stack.append(start)
        on_stack.add(start)
        while work:
            node, links = work[-1]
            for target in links:
                if target in self.cyclic:  # in a component done before: no cycle through here
                    continue
                if target not in index:
                    index[target] = low[target] = len(index)
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, iter(self.broader(target))))
                    break
                if target in on_stack:
                    low[node] = min(low[node], index[target])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:  # the root of a component: pop it whole
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    cyclic = len(component) > 1 or node in self.broader(node)
                    for member in component:
                        self.cyclic[member] = cyclic
        return self.cyclic[start]


def _check_no_cycle(c: ConceptVersion, state: State) -> None:
    seen: set[str] = set()
    stack: list[str] = list(c.broader)
    while stack:
        current = stack.pop()
        if current == c.id:
            raise RuleViolation(f"concept {c.id}: broader links form a cycle", field="broader")
        if current in seen:
            continue
        seen.add(current)
        stack.extend(state.broader_of(current))


def _check_standard(s: StandardVersion, state: State) -> None:
    for target in s.concepts:
        if not state.concept_exists(target):
            raise RuleViolation(f"standard {s.id}: names unknown concept {target!r}", field="concepts")


class BatchState:
    """A ``State`` over in-memory versions, layered on another state (or nothing)."""

    def __init__(self, versions: Iterable[Version], schemes: Iterable[str], base: State | None = None):
        self.concepts = {v.id: v for v in versions if isinstance(v, ConceptVersion)}
        self.schemes = set(schemes)
        self.base = base
        self.preferred: dict[tuple[str, str], str] = {}
        for c in self.concepts.values():  # the first claimant keeps a label; a later one is the duplicate
            for key in preferred_keys(c):
                self.preferred.setdefault((c.scheme, key), c.id)

    def concept_exists(self, concept_id: str) -> bool:
        return concept_id in self.concepts or bool(self.base and self.base.concept_exists(concept_id))

    def scheme_exists(self, scheme_id: str) -> bool:
        return scheme_id in self.schemes or bool(self.base and self.base.scheme_exists(scheme_id))

    def preferred_owner(self, scheme_id: str, folded_label: str) -> str | None:
        if self.base:
            owner = self.base.preferred_owner(scheme_id, folded_label)
            # a concept revised in this batch holds only the labels its new version claims
            if owner and owner not in self.concepts:
                return owner
        return self.preferred.get((scheme_id, folded_label))

    def held_preferred(self, concept_id: str) -> set[str]:
        return self.base.held_preferred(concept_id) if self.base else set()

    def broader_of(self, concept_id: str) -> Sequence[str]:
        if concept_id in self.concepts:
            return self.concepts[concept_id].broader
        return self.base.broader_of(concept_id) if self.base else ()
