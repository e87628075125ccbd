"""Loading vocabulary files into a store: all files checked together, then written in one transaction."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from importlib import resources
from pathlib import Path

from msgspec import Struct

from registry.errors import RuleViolation, VocabularyError
from registry.model import ConceptVersion, Scheme, StandardVersion
from registry.rules import BatchState, check_schemes, check_versions
from registry.store import Store

from .format import ParsedFile
from .formats.toml import parse_file  # the TOML exchange format: the bundled files are one more import

LOADER_ACTOR = "vocab-loader"


class Bundle(Struct, kw_only=True):
    files: list[ParsedFile]

    @property
    def schemes(self) -> list[Scheme]:
        return [f.scheme for f in self.files if f.scheme]

    @property
    def versions(self) -> list[ConceptVersion | StandardVersion]:
        return [v for f in self.files for v in f.versions]

    def concepts(self) -> list[ConceptVersion]:
        return [v for v in self.versions if isinstance(v, ConceptVersion)]

    def standards(self) -> list[StandardVersion]:
        return [v for v in self.versions if isinstance(v, StandardVersion)]


def bundled_files() -> list[Path]:
    """The vocabulary files shipped inside the package, in name order."""
    folder = resources.files("vocab") / "data"
    return sorted(Path(str(p)) for p in folder.iterdir() if p.name.endswith(".toml"))


def read_bundle(paths: Iterable[str | Path]) -> Bundle:
    """Parse and check files as one whole: ids unique across files, and every registry rule."""
    bundle = Bundle(files=[parse_file(p) for p in paths])
    owners: dict[str, ParsedFile] = {}
    for parsed in bundle.files:
        for version in parsed.versions:
            if version.id in owners:
                first = owners[version.id]
                raise VocabularyError(
                    f"id {version.id!r} is already used in {first.path}:{first.line_of(version.id)}",
                    path=parsed.path,
                    line=_nth_line(parsed, version.id),
                    field="id",
                )
            owners[version.id] = parsed
    for parsed in bundle.files:  # a scheme's links, named by its file
        try:
            check_schemes([parsed.scheme] if parsed.scheme else [])
        except RuleViolation as exc:
            line = next((n + 1 for n, text in enumerate(parsed.text.splitlines()) if re.match(r"\s*\[scheme\]", text)), None)
            raise VocabularyError(exc.detail, path=parsed.path, line=line, field=exc.field) from None
    try:
        check_versions(bundle.versions, BatchState(bundle.versions, (s.id for s in bundle.schemes)))
    except RuleViolation as exc:
        raise _locate_violation(exc, owners) from None
    return bundle


def _nth_line(parsed: ParsedFile, entity_id: str) -> int | None:
    """The line of the second definition of a duplicated id in one file, or of its first."""
    lines = [n + 1 for n, line in enumerate(parsed.text.splitlines()) if re.match(rf"""\s*id\s*=\s*["']{re.escape(entity_id)}["']""", line)]
    return lines[-1] if lines else None


def _locate_violation(exc: RuleViolation, owners: dict[str, ParsedFile]) -> VocabularyError:
    match = re.match(r"(?:concept|standard) ([a-z0-9-]+):", exc.detail)
    parsed = owners.get(match.group(1)) if match else None
    if parsed is None or match is None:
        return VocabularyError(exc.detail, path="<vocabulary>", field=exc.field)
    field = {"terms": "pref"}.get(exc.field or "", exc.field)
    key = re.sub(r"\[\d+\]\..*", "", field or "")  # sources[0].url is on the line of sources
    return VocabularyError(exc.detail, path=parsed.path, line=parsed.line_of(match.group(1), key or field), field=field)


def load_into(store: Store, bundle: Bundle, *, actor: str = LOADER_ACTOR) -> int:
    """Write a checked bundle into ``store`` in one transaction; returns the new revision."""
    return store.append(bundle.versions, schemes=bundle.schemes, actor=actor, note="bundled vocabulary")


def load_bundled_if_empty(store: Store) -> bool:
    """Load the shipped vocabulary into an empty store; True if it loaded anything.

    Emptiness is checked again inside the write transaction, so two first starts at once (two
    ``shuyu serve`` on one new data folder) load it exactly once and both succeed."""
    if not store.is_empty():
        return False
    bundle = read_bundle(bundled_files())
    return store.append(bundle.versions, schemes=bundle.schemes, actor=LOADER_ACTOR,
                        note="bundled vocabulary", only_if_empty=True) > 0


def count(bundle: Bundle) -> dict[str, int]:
    counts: dict[str, int] = {}
    for concept in bundle.concepts():
        counts[concept.scheme] = counts.get(concept.scheme, 0) + 1
    counts["standards"] = len(bundle.standards())
    return counts


__all__: Sequence[str] = ("Bundle", "bundled_files", "read_bundle", "load_into", "load_bundled_if_empty", "count")
