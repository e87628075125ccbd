"""The domain: what the registry holds.

Versions and events are frozen: a change produces a new version, never an edit. New fields get
defaults so that stored data stays readable.
"""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from msgspec import Meta, Struct

Id = Annotated[str, Meta(pattern=r"^[a-z][a-z0-9-]{1,63}$")]
Text = Annotated[str, Meta(min_length=1, max_length=2000)]
ShortText = Annotated[str, Meta(min_length=1, max_length=300)]
Date = Annotated[str, Meta(pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$")]

Lang = Literal["zh-Hans", "zh-TW", "zh-HK", "en"]
TermType = Literal["preferred", "admitted", "deprecated", "abbreviation", "hidden"]
ConceptStatus = Literal["published", "deprecated"]
Grade = Literal["core", "important", "general"]
SchemeStatus = Literal["draft", "published"]
StandardKind = Literal["national", "sector", "local", "group", "guide", "specification", "policy"]
# The Chinese drafting stages: planned → 起草 → 征求意见稿 → 送审稿 → 报批稿 → (待印发) → 发布 → 实施;
# later 修订 / 废止.
StandardStatus = Literal[
    "planned",
    "drafting",
    "consultation",
    "review",
    "approval",
    "to_be_issued",
    "published",
    "in_force",
    "under_revision",
    "withdrawn",
]
EntityKind = Literal["concept", "standard"]

GRADE_LABELS = {"core": "核心数据", "important": "重要数据", "general": "一般数据"}
STANDARD_STATUS_LABELS = {
    "planned": "计划",
    "drafting": "起草中",
    "consultation": "征求意见稿",
    "review": "送审稿",
    "approval": "报批稿",
    "to_be_issued": "待印发",
    "published": "已发布",
    "in_force": "现行",
    "under_revision": "修订中",
    "withdrawn": "废止",
}


class Term(Struct, frozen=True, kw_only=True):
    """A designation of a concept (ISO 704 / TBX): its text, language or region, and status."""

    text: ShortText
    lang: Lang = "zh-Hans"
    type: TermType = "admitted"


class Source(Struct, frozen=True, kw_only=True):
    """Where a fact or a concept comes from: a document and a place in it (task, clause, page)."""

    document: ShortText
    locator: str = ""
    url: str = ""


class Scheme(Struct, frozen=True, kw_only=True):
    id: Id
    title: ShortText
    title_en: str = ""
    description: str = ""
    status: SchemeStatus = "published"
    sources: tuple[Source, ...] = ()


class ConceptVersion(Struct, frozen=True, kw_only=True):
    """One immutable version of a concept."""

    id: Id
    scheme: Id
    version: int = 1
    terms: tuple[Term, ...]
    definition: str = ""
    definition_en: str = ""
    notes: tuple[str, ...] = ()
    examples: tuple[str, ...] = ()
    notation: str = ""
    broader: tuple[Id, ...] = ()
    related: tuple[Id, ...] = ()
    grade: Grade | None = None
    sources: tuple[Source, ...] = ()
    status: ConceptStatus = "published"
    replaced_by: tuple[Id, ...] = ()
    author: str = ""
    created: str = ""
    change_note: str = ""
    proposal_id: str | None = None

    @property
    def preferred(self) -> str:
        """The preferred Simplified Chinese term (the first one when none is marked)."""
        for term in self.terms:
            if term.type == "preferred" and term.lang == "zh-Hans":
                return term.text
        return self.terms[0].text

    @property
    def english(self) -> str:
        return next((t.text for t in self.terms if t.lang == "en"), "")


class StandardVersion(Struct, frozen=True, kw_only=True):
    """One immutable version of a standard in the catalogue; versioned like a concept."""

    id: Id
    version: int = 1
    code: str = ""
    title: ShortText
    title_en: str = ""
    kind: StandardKind = "national"
    status: StandardStatus = "planned"
    issued: Date | None = None
    in_force: Date | None = None
    bodies: tuple[str, ...] = ()
    replaces: tuple[str, ...] = ()
    concepts: tuple[Id, ...] = ()  # the concepts it defines or governs
    notes: tuple[str, ...] = ()
    sources: tuple[Source, ...] = ()
    author: str = ""
    created: str = ""
    change_note: str = ""
    proposal_id: str | None = None


class Event(Struct, frozen=True, kw_only=True):
    """One entry of the append-only change log; ``revision`` is its sequence number."""

    revision: int
    at: str
    actor: str
    action: Literal["create", "revise", "deprecate", "scheme"]
    kind: EntityKind | Literal["scheme"]
    entity_id: str
    version: int
    note: str = ""


Version = ConceptVersion | StandardVersion

encoder = msgspec.json.Encoder()
concept_decoder = msgspec.json.Decoder(ConceptVersion)
standard_decoder = msgspec.json.Decoder(StandardVersion)
scheme_decoder = msgspec.json.Decoder(Scheme)


def kind_of(version: Version) -> EntityKind:
    return "concept" if isinstance(version, ConceptVersion) else "standard"
