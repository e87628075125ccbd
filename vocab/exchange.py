"""Import and export: used alike by ``shuyu import`` / ``shuyu export`` and the API.

An import reads every file first, plans what changes against the registry (created, revised,
unchanged, deprecated, missing), checks every rule over the whole batch, and only then writes, in one
transaction of ordinary versions (author: the importer; change note: the file). Nothing is written when
anything is wrong. An export reads a scheme as it is now, or at a revision or release.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import msgspec
from msgspec import Struct

from registry.errors import NotFound, RuleViolation, VocabularyError
from registry.history import revision_of
from registry.model import (
    StandardVersion,
    ConceptContent,
    ConceptVersion,
    Proposal,
    Scheme,
    StandardContent,
    Version,
    now,
)
from registry.rules import BatchState, Homonym, check_schemes, check_versions, preferred_keys
from registry.store import Store

from .formats import (
    LIMITS,
    STANDARDS,
    Context,
    TooLarge,
    Vocabulary,
    format_of,
    problem,
    read,
    write,
)

BOOKKEEPING = {"id", "version", "author", "created", "change_note", "proposal_id"}
MAX_LISTED = 20
MAX_PROBLEMS = 1000  # listed in an error or a report; the count says how many more
MAX_ROUNDS = 5
HOSTILE = {"size", "triples", "depth", "DOCTYPE"}  # problems that stop an import at once, even a dry run


class ImportReport(Struct, kw_only=True):
    """What an import did (or, with ``dry_run``, would do)."""

    files: list[str]
    dry_run: bool
    as_proposals: bool = False
    revision: int | None = None  # the registry revision after the write
    schemes_created: list[str] = []
    schemes_updated: list[str] = []
    created: list[str] = []
    revised: list[str] = []
    unchanged: list[str] = []
    deprecated: list[str] = []
    missing: list[str] = []  # in the registry's schemes, not in the files, left as they are
    standards_created: list[str] = []
    standards_revised: list[str] = []
    standards_unchanged: list[str] = []
    proposals: list[str] = []
    warnings: list[str] = []
    problems: list[str] = []  # every problem found (a dry run lists them; --skip-invalid imports the rest)
    skipped: list[str] = []  # ids left out by --skip-invalid
    homonyms: list[str] = []  # "label: id, id" — concepts of one scheme sharing a preferred label (kept)
    totals: dict[str, int] = {}  # the counts of the lists above (what ``summary`` prints)

    def counts(self) -> dict[str, int]:
        return {
            "created": len(self.created), "revised": len(self.revised), "unchanged": len(self.unchanged),
            "deprecated": len(self.deprecated), "missing": len(self.missing),
            "standards created": len(self.standards_created), "standards revised": len(self.standards_revised),
            "standards unchanged": len(self.standards_unchanged), "skipped": len(self.skipped),
            "problems": len(self.problems), "warnings": len(self.warnings), "homonyms": len(self.homonyms),
        }

    def summary(self) -> str:
        verb = "would change" if self.dry_run else ("proposed" if self.as_proposals else "imported")
        counts = ", ".join(f"{name}: {n}" for name, n in self.counts().items() if n or name in ("created", "revised", "unchanged"))
        head = f"{verb}: {', '.join(self.files)}; {counts}"
        if self.schemes_created:
            head += f"; new schemes: {', '.join(self.schemes_created)}"
        lines = [head]
        if self.missing:
            shown = ", ".join(self.missing[:MAX_LISTED]) + (" …" if len(self.missing) > MAX_LISTED else "")
            lines.append(f"missing from the files (kept; --deprecate-missing deprecates them): {shown}")
        lines += [f"problem: {p}" for p in self.problems[:MAX_PROBLEMS]]
        if len(self.problems) > MAX_PROBLEMS:
            lines.append(f"… and {len(self.problems) - MAX_PROBLEMS} more problems")
        lines += [f"warning: {w}" for w in self.warnings[:MAX_LISTED]]
        if self.homonyms:
            lines.append(f"homonyms (kept; see the harmonisation report): {'; '.join(self.homonyms[:MAX_LISTED])}"
                         + (" …" if len(self.homonyms) > MAX_LISTED else ""))
        if self.revision is not None:
            lines.append(f"revision {self.revision}")
        return "\n".join(lines)


class ImportProblems(VocabularyError):
    """Every problem an import found, at once (file, line or subject, field, message): nothing was written."""

    def __init__(self, problems: list[VocabularyError]) -> None:
        first = problems[0]
        super().__init__(first.detail, path=first.path, line=first.line, field=first.field)
        self.problems = problems

    def __str__(self) -> str:
        if len(self.problems) == 1:
            return VocabularyError.__str__(self.problems[0])
        lines = [f"{len(self.problems)} problems; nothing was imported (--skip-invalid imports the rest):"]
        lines += [VocabularyError.__str__(p) for p in self.problems[:MAX_PROBLEMS]]
        if len(self.problems) > MAX_PROBLEMS:
            lines.append(f"… and {len(self.problems) - MAX_PROBLEMS} more")
        return "\n".join(lines)


def content_key(version: Version) -> bytes:
    """A version's content without bookkeeping, multi-valued fields in a fixed order: equal keys, no change.

    RDF has no order, so a re-imported SKOS file must not count a reordered list as a change.
    """
    fields = {k: v for k, v in msgspec.structs.asdict(version).items() if k not in BOOKKEEPING}
    for name, value in fields.items():
        if isinstance(value, tuple):
            fields[name] = sorted(value, key=lambda item: msgspec.json.encode(item))
    return msgspec.json.encode(fields)


def base_context(store: Store, base_uri: str, scheme: str | None = None) -> Context:
    """The context an import reads in: the URIs the registry's concepts were imported with."""
    entities = [*store.current("concept"), *store.current("standard")]
    ids_by_uri = {v.uri: v.id for v in entities if v.uri}
    return Context(base_uri=base_uri, scheme=scheme, ids_by_uri=ids_by_uri, known_ids={v.id for v in entities})


def read_files(files: Sequence[tuple[str, bytes]], fmt: str | None, context: Context,
               problems: list[VocabularyError] | None = None,
               progress: Callable[[int, int | None, str], None] | None = None) -> list[Vocabulary]:
    """Parse every file; ids must be unique across them. Problems go to ``problems`` (else the first is raised);
    an entity with a problem is left out of its vocabulary."""
    collected: list[VocabularyError] = [] if problems is None else problems
    vocabularies = []
    size, done = sum(len(data) for _, data in files), 0
    for name, data in files:
        if progress:  # the bytes read so far, of all the files
            progress(done, size, f"reading {Path(name).name}")
        done += len(data)
        try:
            check_size(name, data)
            vocabulary = read(data, name, format_of(name, fmt), context)
        except VocabularyError as exc:
            if exc.field in HOSTILE:  # over a limit, or unsafe XML: refused at once, dry run or not
                raise
            collected += getattr(exc, "problems", None) or [exc]
            continue
        except RecursionError:  # a parser of nested data (TOML, JSON-LD) recursing: refused, never a 500
            raise problem(name, "nested too deeply for the parser; an import reads at most "
                                f"{LIMITS['depth']} levels", field="depth") from None
        collected += vocabulary.problems
        vocabularies.append(vocabulary)
        # an id made from a URI in a later file must not take one this file uses
        context.known_ids = context.known_ids | {e.id for e in _entities(vocabulary)}
    owners: dict[str, Vocabulary] = {}
    for vocabulary in vocabularies:
        kept: dict[str, list[Version]] = {"concepts": [], "standards": []}
        for key in kept:
            for entity in getattr(vocabulary, key):
                try:
                    _validate(vocabulary, entity)
                    first = owners.get(entity.id)
                    if first is not None:
                        raise vocabulary.problem(entity.id, f"id {entity.id!r} is also given in {first.name}", "id")
                except VocabularyError as exc:
                    collected.append(exc)
                    continue
                owners[entity.id] = vocabulary
                kept[key].append(entity)
        vocabulary.concepts = [e for e in kept["concepts"] if isinstance(e, ConceptVersion)]
        vocabulary.standards = [e for e in kept["standards"] if isinstance(e, StandardVersion)]
    if problems is None and collected:
        raise ImportProblems(collected)
    return vocabularies


def check_size(name: str, data: bytes) -> None:
    if len(data) > LIMITS["bytes"]:
        raise TooLarge(f"the file has {len(data):,} bytes; an import reads at most {LIMITS['bytes']:,} per file "
                       "(split it)", path=name, field="size")


_PATH = re.compile(r"at `\$\.(\w+)")
_STEP = re.compile(r"\.(\w+)|\[(\d+)\]")


def _validate(vocabulary: Vocabulary, entity: Version) -> None:
    """Every field within the registry's bounds (ids, lengths, grades, statuses), as a decoded body would be;
    a value out of bounds is named with its place and itself (``terms[3].lang = 'en-abcdefghijk'``)."""
    plain = msgspec.to_builtins(entity)
    try:
        msgspec.convert(plain, type(entity))
    except msgspec.ValidationError as exc:
        field = _PATH.search(str(exc))
        message = re.sub(r" - at `.*`$", "", str(exc))
        where = re.search(r"at `\$(.*)`$", str(exc))
        if where:
            value = plain
            for name, index in _STEP.findall(where.group(1)):
                try:
                    value = value[name] if name else value[int(index)]
                except (KeyError, IndexError, TypeError):
                    value = None
                    break
            shown = repr(value) if isinstance(value, str | int | float) else ""
            message = f"{where.group(1).lstrip('.')}{' = ' + shown[:120] if shown else ''}: {message}"
        raise vocabulary.problem(entity.id, message, field.group(1) if field else None) from None


def import_files(
    store: Store,
    files: Sequence[tuple[str, bytes]],
    *,
    actor: str,
    fmt: str | None = None,
    scheme: str | None = None,
    base_uri: str,
    dry_run: bool = False,
    as_proposals: bool = False,
    deprecate_missing: bool = False,
    skip_invalid: bool = False,
    progress: Callable[[int, int | None, str], None] | None = None,
) -> ImportReport:
    """Import files into ``store`` in one transaction, or report what would change (``dry_run``).

    Every problem is collected: with any, nothing is written (``ImportProblems`` lists them all), except with
    ``skip_invalid``, which imports the valid entities and lists the others; a dry run lists them in its report.
    """
    context = base_context(store, base_uri, scheme)
    problems: list[VocabularyError] = []
    vocabularies = read_files(files, fmt, context, problems, progress)
    names = [Path(name).name for name, _ in files]
    note = f"imported from {', '.join(names)}"
    current: dict[tuple[str, str], Version] = {("concept", v.id): v for v in store.current("concept")}
    current.update({("standard", v.id): v for v in store.current("standard")})
    left_out: set[str] = set()
    for _ in range(MAX_ROUNDS):  # --skip-invalid: leaving an entity out may break a link to it; check again
        report = ImportReport(files=names, dry_run=dry_run, as_proposals=as_proposals)
        for vocabulary in vocabularies:
            report.warnings += [f"{vocabulary.name}: {w}" for w in vocabulary.warnings]
            vocabulary.concepts = [c for c in vocabulary.concepts if c.id not in left_out]
            vocabulary.standards = [s for s in vocabulary.standards if s.id not in left_out]
        schemes = _plan_schemes(store, vocabularies, scheme, report)
        try:
            check_schemes(schemes)
        except RuleViolation as exc:  # a scheme's link breaks the URL rule: the whole import is refused
            raise VocabularyError(exc.detail, path=", ".join(names), field=exc.field) from None
        entities = sum(len(v.concepts) + len(v.standards) for v in vocabularies)
        step = _counter(progress, entities, "comparing with the registry") if progress else None
        versions = _plan_versions(current, vocabularies, actor, note, deprecate_missing, report, step)
        owners = {e.id: v for v in vocabularies for e in _entities(v)}
        violations: list[RuleViolation] = []
        homonyms: list[Homonym] = []
        check_versions(versions, BatchState(versions, (s.id for s in schemes), base=store), imported=True,
                       problems=violations, homonyms=homonyms)
        located = [_locate(v, owners) for v in violations]
        problems += located
        if not (skip_invalid and located):
            break
        left_out |= {i for v in violations if (i := _entity_of(v))}
    report.problems = [str(p) for p in problems]
    if skip_invalid:
        report.skipped = sorted(left_out | {e for p in problems if (e := _entity_named(p))})
    _report_homonyms(report, homonyms, store, versions)
    if problems and not skip_invalid and not dry_run:
        raise ImportProblems(problems)
    report.totals = report.counts()
    if dry_run:
        return report
    if as_proposals:  # a new scheme is structure, not content: it is created with its concepts proposed
        proposals = _proposals(store, versions, actor, note)
        report.revision = store.propose_all(proposals, schemes=schemes, actor=actor, note=note)
        report.proposals = [p.id for p in proposals]
        return report
    if progress:  # one transaction: its progress is not known until it commits
        progress(0, None, f"writing {len(versions)} versions in one transaction")
    try:
        report.revision = store.append(versions, schemes=schemes, actor=actor, note=note, imported=True)
    except RuleViolation as exc:
        raise _locate(exc, owners) from None
    if progress:
        progress(len(versions), len(versions), "written")
    return report


def _counter(progress: Callable[[int, int | None, str], None], total: int, what: str) -> Callable[[int], None]:
    """A step callback that reports ``done`` of ``total`` as each step is taken."""
    done = 0

    def step(n: int) -> None:
        nonlocal done
        done += n
        progress(done, total, what)

    return step


def _entities(vocabulary: Vocabulary) -> list[ConceptVersion | StandardVersion]:
    """A file's concepts and standards, in that order."""
    return [*vocabulary.concepts, *vocabulary.standards]


def _entity_of(violation: RuleViolation) -> str | None:
    match = re.match(r"(?:concept|standard) ([a-z0-9-]+):", violation.detail)
    return match.group(1) if match else None


def _entity_named(p: VocabularyError) -> str | None:
    return getattr(p, "entity", None)


def _report_homonyms(report: ImportReport, homonyms: list[Homonym], store: Store,
                     versions: Sequence[Version]) -> None:
    """One line per shared label: ``泰尔 (scheme): sur 泰尔（Sur）, tyre 泰尔（Tyre）`` (each concept with what tells
    it apart: its broader concept's label, else its name in another language), or just the ids."""
    groups: dict[tuple[str, str], set[str]] = {}
    for h in homonyms:
        groups.setdefault((h.scheme, h.label), set()).update((h.concept, h.other))
    known = {v.id: v for v in versions if isinstance(v, ConceptVersion)}

    def concept(concept_id: str) -> ConceptVersion | None:
        if concept_id not in known:
            try:
                found = store.get("concept", concept_id)
            except NotFound:
                return None
            if isinstance(found, ConceptVersion):
                known[concept_id] = found
        return known.get(concept_id)

    def named(concept_id: str) -> str:
        c = concept(concept_id)
        if c is None:
            return concept_id
        broader = next((b for b in map(concept, c.broader) if b is not None), None)
        qualifier = broader.preferred if broader is not None else c.other_name
        return f"{concept_id} {c.preferred}（{qualifier}）" if qualifier else concept_id

    report.homonyms = [f"{label} ({scheme}): {', '.join(named(i) for i in sorted(ids))}"
                       for (scheme, label), ids in sorted(groups.items())]
    if report.homonyms:
        report.warnings.append(f"{len(report.homonyms)} preferred label(s) name several concepts of one scheme "
                               "(homonyms, kept; the web and API show each with its broader concept or scheme)")


def _plan_schemes(store: Store, vocabularies: list[Vocabulary], forced: str | None,
                  report: ImportReport) -> list[Scheme]:
    existing = {s.id: s for s in store.schemes()}
    wanted: dict[str, Scheme] = {}
    partial: set[str] = set()
    for vocabulary in vocabularies:
        for s in vocabulary.schemes:
            s = msgspec.structs.replace(s, id=forced) if forced else s
            wanted.setdefault(s.id, s)
            if not vocabulary.scheme_complete:
                partial.add(s.id)
        for c in vocabulary.concepts:  # a scheme named only by its concepts (CSV, --scheme)
            if c.scheme not in wanted and c.scheme not in existing:
                wanted[c.scheme] = Scheme(id=c.scheme, title=c.scheme)
    changed = []
    for scheme_id, s in wanted.items():
        before = existing.get(scheme_id)
        if before is not None and not s.top_concepts:  # formats other than TOML do not name them: keep them
            s = msgspec.structs.replace(s, top_concepts=before.top_concepts)
        if before is None:
            report.schemes_created.append(scheme_id)
            changed.append(s)
        elif msgspec.json.encode(before) != msgspec.json.encode(s) and s.title != s.id and scheme_id not in partial:
            report.schemes_updated.append(scheme_id)
            changed.append(s)
    return changed


def _plan_versions(current: dict[tuple[str, str], Version], vocabularies: list[Vocabulary], actor: str, note: str,
                   deprecate_missing: bool, report: ImportReport,
                   progress: Callable[[int], None] | None) -> list[Version]:
    versions: list[Version] = []
    seen: set[str] = set()
    scheme_ids: set[str] = set()
    for vocabulary in vocabularies:
        file_note = f"imported from {Path(vocabulary.name).name}"
        for entity in _entities(vocabulary):
            kind = "concept" if isinstance(entity, ConceptVersion) else "standard"
            if isinstance(entity, ConceptVersion):
                scheme_ids.add(entity.scheme)
            seen.add(entity.id)
            before = current.get((kind, entity.id))
            fresh = msgspec.structs.replace(entity, version=(before.version + 1) if before else 1, author=actor,
                                            created="", change_note=file_note, proposal_id=None)
            if before is not None and content_key(before) == content_key(fresh):
                (report.unchanged if kind == "concept" else report.standards_unchanged).append(entity.id)
            else:
                if kind == "concept":
                    (report.revised if before else report.created).append(entity.id)
                else:
                    (report.standards_revised if before else report.standards_created).append(entity.id)
                versions.append(fresh)
            if progress:
                progress(1)
    for (_, entity_id), before in current.items():
        if not isinstance(before, ConceptVersion) or entity_id in seen or before.scheme not in scheme_ids \
                or before.status != "published":
            continue
        report.missing.append(entity_id)
        if deprecate_missing:
            versions.append(msgspec.structs.replace(
                before, version=before.version + 1, status="deprecated", author=actor, created="",
                change_note=f"deprecated: missing from {note.removeprefix('imported from ')}", proposal_id=None))
            report.deprecated.append(entity_id)
    return versions


def _locate(exc: RuleViolation, owners: dict[str, Vocabulary]) -> VocabularyError:
    match = re.match(r"(?:concept|standard) ([a-z0-9-]+):", exc.detail)
    vocabulary = owners.get(match.group(1)) if match else None
    if match is None or vocabulary is None:
        return VocabularyError(exc.detail, path="<import>", field=exc.field)
    return vocabulary.problem(match.group(1), exc.detail, exc.field)


def _proposals(store: Store, versions: list[Version], actor: str, note: str) -> list[Proposal]:
    """Every change as a submitted proposal: reviewers publish them through the ordinary workflow."""
    proposals = []
    for version in versions:
        at = now()
        concept = isinstance(version, ConceptVersion)
        content_type = ConceptContent if concept else StandardContent
        content = content_type(**{name: getattr(version, name) for name in content_type.__struct_fields__})
        deprecating = concept and version.status == "deprecated" and version.version > 1 and \
            store.get("concept", version.id).status != "deprecated"
        proposal = Proposal(
            id=f"p-{secrets.token_hex(5)}",
            kind="create" if version.version == 1 else ("deprecate" if deprecating else "revise"),
            target_kind="concept" if concept else "standard", target_id=version.id,
            base_version=version.version - 1,
            concept=content if isinstance(content, ConceptContent) else None,
            standard=content if isinstance(content, StandardContent) else None,
            replaced_by=version.replaced_by if deprecating else (),
            note=note, author=actor, state="submitted", created=at, updated=at, imported=True,
            imported_labels=tuple(sorted(preferred_keys(version))) if isinstance(version, ConceptVersion) else (),
        )
        proposals.append(proposal)
    return proposals


# -- export ---------------------------------------------------------------------------------------

class Snapshot(Struct, kw_only=True):
    vocabulary: Vocabulary
    revision: int
    release: str | None = None


def snapshot(store: Store, scheme_id: str, *, release: str | None = None, at: str | None = None) -> Snapshot:
    """A scheme (or the standards catalogue, ``standards``) as it is now, or at a revision or release."""
    revision = revision_of(store, at, release)
    pinned = revision if revision is not None else store.revision()
    if scheme_id == STANDARDS:
        standards = _at(store, "standard", revision)
        return Snapshot(vocabulary=Vocabulary(name=STANDARDS, standards=standards), revision=pinned, release=release)
    schemes = {s.id: s for s in store.schemes()}
    if scheme_id not in schemes:
        raise NotFound(f"no scheme {scheme_id!r}; the schemes are {', '.join(schemes) or 'none'} and {STANDARDS}")
    concepts = [c for c in _at(store, "concept", revision) if c.scheme == scheme_id]
    return Snapshot(vocabulary=Vocabulary(name=scheme_id, schemes=[schemes[scheme_id]], concepts=concepts),
                    revision=pinned, release=release)


def _at(store: Store, kind: str, revision: int | None) -> list:
    current = store.current(kind)  # type: ignore[arg-type]
    if revision is None:
        return current
    versions = []
    for version in current:
        try:
            versions.append(store.get_at(kind, version.id, revision))  # type: ignore[arg-type]
        except NotFound:  # created after that revision
            continue
    return versions


def export(store: Store, scheme_id: str, fmt: str, *, base_uri: str, release: str | None = None,
           at: str | None = None, tbx_dialect: str = "basic", tbx_style: str = "dca") -> tuple[Snapshot, Iterator[bytes]]:
    """The snapshot and the file's bytes, in chunks (TBX: TBX-Basic in DCA style unless told otherwise)."""
    shot = snapshot(store, scheme_id, release=release, at=at)
    return shot, write(shot.vocabulary, fmt, Context(base_uri=base_uri, tbx_dialect=tbx_dialect, tbx_style=tbx_style))


def export_file_name(scheme_id: str, fmt: str, release: str | None, revision: int) -> str:
    from .formats import FORMATS

    which = release if release else f"r{revision}"
    return f"{scheme_id}-{which}.{FORMATS[fmt][1]}"
