"""The domain: what the registry holds.

Versions and events are frozen: a change produces a new version, never an edit. New fields get
defaults so that stored data stays readable.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, UTC
from types import MappingProxyType
from typing import Annotated, Literal

import msgspec
from msgspec import Meta, Struct

from .languages import ZH_HANS, is_chinese, is_english, is_simplified, lang_key

Id = Annotated[str, Meta(pattern=r"^[a-z][a-z0-9-]{1,63}$")]
Text = Annotated[str, Meta(min_length=1, max_length=2000)]
ShortText = Annotated[str, Meta(min_length=1, max_length=300)]
Date = Annotated[str, Meta(pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$")]

# A BCP 47 language tag, kept as written (zh-CN, zh-Hant, en-US, es, zu ...); what a tag means (Chinese,
# Simplified, a regional label, English) is answered by registry/languages.py alone.
# a well-formed BCP 47 tag (RFC 5646 2.1): a primary subtag of 2-8 letters (``zh``, ``yue``, Wikidata's
# ``tokipona``), then subtags of 1-8 letters or digits (``zh-Hant-TW``, ``be-tarask``, ``zh-min-nan``); or a
# private-use tag (``x-`` and subtags: ``x-shuyu-pinyin``) or a grandfathered ``i-`` one (``i-hak``: Hakka,
# ``i-default``), which RFC 5646 keeps well-formed and real files carry
LANG_PATTERN = r"^(?:[A-Za-z]{2,8}|[XxIi](?=-))(-[A-Za-z0-9]{1,8}){0,7}$"
Lang = Annotated[str, Meta(pattern=LANG_PATTERN, max_length=35)]
# superseded: an older term replaced by the preferred one (TBX supersededTerm); deprecated: advised against.
TermType = Literal["preferred", "admitted", "deprecated", "superseded", "abbreviation", "hidden"]
# Which term names a concept first when a label is several terms (lookup, the checker, harmonisation,
# the order of imported terms): a hidden term is a search form of a current name, so it comes before the
# names advised against. The one home of this order; a test refuses a second definition.
TYPE_RANK: Mapping[str, int] = MappingProxyType(
    {"preferred": 0, "admitted": 1, "abbreviation": 2, "hidden": 3, "deprecated": 4, "superseded": 4})
ConceptStatus = Literal["published", "deprecated"]
Grade = Literal["core", "important", "general"]
SchemeStatus = Literal["draft", "published"]
StandardKind = Literal["national", "sector", "local", "group", "guide", "specification", "policy"]
# The Chinese drafting stages: planned → 起草 → 征求意见稿 → 送审稿 → 报批稿 → (待印发) → 发布 → 实施;
# later 修订 / 废止.
StandardStatus = Literal[
    "proposed",  # named for development (研制) with no approved project (立项) yet
    "planned",  # an approved project (立项 / 计划下达)
    "drafting",
    "consultation",
    "review",
    "approval",
    "to_be_issued",
    "published",
    "in_force",
    "under_revision",
    "replaced",  # 被代替: superseded by a newer edition or another standard (see ``replaced_by``)
    "withdrawn",  # 废止: withdrawn without a replacement
]
EntityKind = Literal["concept", "standard"]

GRADE_LABELS = {"core": "核心数据", "important": "重要数据", "general": "一般数据"}
STANDARD_STATUS_LABELS = {
    "proposed": "拟研制",
    "planned": "已立项",
    "drafting": "起草中",
    "consultation": "征求意见稿",
    "review": "送审稿",
    "approval": "报批稿",
    "to_be_issued": "待印发",
    "published": "已发布",
    "in_force": "现行",
    "under_revision": "修订中",
    "replaced": "被代替",
    "withdrawn": "废止",
}


class Term(Struct, frozen=True, kw_only=True):
    """A designation of a concept (ISO 704 / TBX): its text, language or region, and status."""

    text: ShortText
    lang: Lang = ZH_HANS
    type: TermType = "admitted"


# What a source is cited for (registry/citation.py): ``usage`` where the term is used (the work points,
# task N); ``definition`` where the definition comes from as it stands (本登记库 for our own wording);
# ``adapted`` a definition adapted from the document's clause; ``record`` the document of record for the
# facts of an entry (a standard's code, title, dates).
SourceRole = Literal["record", "usage", "definition", "adapted"]
SOURCE_ROLES: tuple[str, ...] = SourceRole.__args__  # type: ignore[attr-defined]


class Definition(Struct, frozen=True, kw_only=True):
    """A definition other than the registry's own two fields (``definition`` in zh-Hans, ``definition_en`` in
    en), kept with its tag (zh-CN, en-US, es ...)."""

    text: Annotated[str, Meta(min_length=1, max_length=4000)]
    lang: Lang


class Source(Struct, frozen=True, kw_only=True):
    """A bibliographic record: the document's title (``document``), its issuer, date and number (a
    document number such as 中发〔2024〕1号, or a standard code), the place in it (task, clause, page),
    what it is cited for (``role``) and a URL only when it is on the issuer's own site."""

    document: ShortText
    locator: str = ""
    url: str = ""
    issuer: str = ""
    date: str = ""
    number: str = ""
    role: SourceRole = "record"


class Scheme(Struct, frozen=True, kw_only=True):
    id: Id
    title: ShortText
    title_en: str = ""
    description: str = ""
    status: SchemeStatus = "published"
    sources: tuple[Source, ...] = ()
    top_concepts: tuple[Id, ...] = ()  # SKOS hasTopConcept: the heads of the scheme's concept system
    uri: str = ""  # the URI a scheme was imported with, kept so that a re-import finds it


class ConceptVersion(Struct, frozen=True, kw_only=True):
    """One immutable version of a concept."""

    id: Id
    scheme: Id
    version: int = 1
    terms: tuple[Term, ...]
    definition: str = ""
    definition_en: str = ""
    definitions: tuple[Definition, ...] = ()  # other languages' definitions, each with its own tag
    notes: tuple[str, ...] = ()
    examples: tuple[str, ...] = ()
    notation: str = ""
    broader: tuple[Id, ...] = ()
    related: tuple[Id, ...] = ()
    grade: Grade | None = None
    grade_factors: tuple[Id, ...] = ()  # grading factors (concept ids) that raise ``grade``, the default
    kind: str = ""  # the kind of concept (a top concept's id in the terms scheme), stated, not derived
    sources: tuple[Source, ...] = ()
    status: ConceptStatus = "published"
    replaced_by: tuple[Id, ...] = ()
    author: str = ""
    created: str = ""
    change_note: str = ""
    proposal_id: str | None = None
    uri: str = ""  # the URI a concept was imported with, kept so that a re-import updates it

    @property
    def preferred(self) -> str:
        """The preferred Simplified Chinese term; for an imported concept without one, its first preferred
        term in another language (the first term when none is marked)."""
        preferred = [t for t in self.terms if t.type == "preferred"]
        for fits in (is_simplified, is_chinese, is_english):
            fitting = [t for t in preferred if fits(t.lang)]
            if fitting:  # in the languages' order: zh-Hans, then zh, zh-CN … before Hakka or Min Nan (lang_key)
                return min(fitting, key=lambda t: lang_key(t.lang)[0]).text
        return preferred[0].text if preferred else self.terms[0].text

    @property
    def other_name(self) -> str:
        """Its preferred term in another language (English first) that differs from ``preferred``: what tells
        a homonym apart when it has no broader concept (泰尔 → Tyre)."""
        others = sorted((t for t in self.terms if t.type == "preferred" and t.text != self.preferred),
                        key=lambda t: (not is_english(t.lang), t.lang))
        return others[0].text if others else ""

    @property
    def english(self) -> str:
        return next((t.text for t in self.terms if is_english(t.lang)), "")

    @property
    def chinese_definition(self) -> str:
        """The concept's Chinese definition: the registry's own (zh-Hans), else one imported under another
        Simplified tag (zh-CN, zh, zh-SG ...), which stays stored and exported with that tag."""
        return chinese_definition(self.definition, self.definitions)

    @property
    def english_definition(self) -> str:
        """The concept's English definition: the registry's own (en), else one imported as en-US, en-GB ..."""
        return self.definition_en or next((d.text for d in self.definitions if is_english(d.lang)), "")


def chinese_definition(definition: str, definitions: tuple[Definition, ...]) -> str:
    """``ConceptVersion.chinese_definition`` of these two fields."""
    return definition or next((d.text for d in definitions if is_simplified(d.lang)), "")


class ConceptExcerpt(Struct, frozen=True, kw_only=True):
    """The fields of a ``ConceptVersion`` that a search hit shows besides its id, preferred label, status,
    scheme and grade: decoded from a version's msgpack, every other field skipped (defaults as there)."""

    definition: str = ""
    definitions: tuple[Definition, ...] = ()
    notation: str = ""
    replaced_by: tuple[Id, ...] = ()

    @property
    def chinese_definition(self) -> str:
        return chinese_definition(self.definition, self.definitions)


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
    bodies: tuple[str, ...] = ()  # the issuing bodies (发布机构)
    committee: str = ""  # the technical committee that proposed or administers it (提出 / 归口), e.g. SAC/TC260
    replaces: tuple[str, ...] = ()
    replaced_by: tuple[str, ...] = ()  # codes of the standards that replace it (status ``replaced``)
    status_date: Date | None = None  # when the standard reached its status
    concepts: tuple[Id, ...] = ()  # the concepts it defines or governs
    notes: tuple[str, ...] = ()
    sources: tuple[Source, ...] = ()
    author: str = ""
    created: str = ""
    change_note: str = ""
    proposal_id: str | None = None
    uri: str = ""  # the URI a standard was imported with


EventAction = Literal[
    "create", "revise", "deprecate", "scheme",  # versions
    "propose", "edit", "submit", "request_changes", "approve", "reject", "withdraw", "comment",  # proposals
    "release", "token_create", "token_revoke",
]


class Event(Struct, frozen=True, kw_only=True):
    """One entry of the append-only change log; ``revision`` is its sequence number."""

    revision: int
    at: str
    actor: str
    action: EventAction
    kind: EntityKind | Literal["scheme", "proposal", "release", "token"]
    entity_id: str
    version: int
    note: str = ""


# -- the editorial workflow -----------------------------------------------------------------------

Role = Literal["reader", "editor", "reviewer", "admin"]
ProposalKind = Literal["create", "revise", "deprecate"]
ProposalState = Literal["draft", "submitted", "changes_requested", "approved", "rejected", "withdrawn"]
Decision = Literal["approve", "reject", "request_changes"]


class ConceptContent(Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The full proposed content of a concept version (what an editor writes)."""

    scheme: Id
    terms: Annotated[tuple[Term, ...], Meta(min_length=1, max_length=200)]
    definition: Annotated[str, Meta(max_length=2000)] = ""
    definition_en: Annotated[str, Meta(max_length=2000)] = ""
    definitions: Annotated[tuple[Definition, ...], Meta(max_length=200)] = ()
    notes: Annotated[tuple[Text, ...], Meta(max_length=50)] = ()
    examples: Annotated[tuple[Text, ...], Meta(max_length=50)] = ()
    notation: Annotated[str, Meta(max_length=64)] = ""
    broader: Annotated[tuple[Id, ...], Meta(max_length=50)] = ()
    related: Annotated[tuple[Id, ...], Meta(max_length=200)] = ()
    grade: Grade | None = None
    grade_factors: Annotated[tuple[Id, ...], Meta(max_length=20)] = ()
    kind: Annotated[str, Meta(max_length=64)] = ""
    sources: Annotated[tuple[Source, ...], Meta(max_length=50)] = ()
    uri: Annotated[str, Meta(max_length=2000)] = ""


class StandardContent(Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The full proposed content of a standard version."""

    code: Annotated[str, Meta(max_length=64)] = ""
    title: ShortText
    title_en: Annotated[str, Meta(max_length=300)] = ""
    kind: StandardKind = "national"
    status: StandardStatus = "planned"
    status_date: Date | None = None
    issued: Date | None = None
    in_force: Date | None = None
    bodies: Annotated[tuple[ShortText, ...], Meta(max_length=20)] = ()
    committee: Annotated[str, Meta(max_length=300)] = ""
    replaces: Annotated[tuple[ShortText, ...], Meta(max_length=20)] = ()
    replaced_by: Annotated[tuple[ShortText, ...], Meta(max_length=20)] = ()
    concepts: Annotated[tuple[Id, ...], Meta(max_length=500)] = ()
    notes: Annotated[tuple[Text, ...], Meta(max_length=50)] = ()
    sources: Annotated[tuple[Source, ...], Meta(max_length=50)] = ()
    uri: Annotated[str, Meta(max_length=2000)] = ""


class Comment(Struct, frozen=True, kw_only=True):
    author: str
    at: str
    text: str


class Review(Struct, frozen=True, kw_only=True):
    reviewer: str
    at: str
    decision: Decision
    comment: str = ""
    content_version: int | None = None  # the content revision reviewed (None: recorded before it was tracked)


class Proposal(Struct, frozen=True, kw_only=True):
    """A proposed change, reviewed by a second person before it publishes a version."""

    id: str
    kind: ProposalKind
    target_kind: EntityKind
    target_id: Id
    base_version: int  # 0 for a new entity
    concept: ConceptContent | None = None
    standard: StandardContent | None = None
    replaced_by: tuple[Id, ...] = ()
    note: str = ""
    author: str
    state: ProposalState = "draft"
    created: str
    updated: str
    reviews: tuple[Review, ...] = ()
    comments: tuple[Comment, ...] = ()
    published_version: int | None = None
    # Every change of the content (a PATCH, a rebase) makes the next content revision; reviews,
    # comments and state changes do not. ``If-Match`` and the ETag name it.
    content_version: int = 1
    contributors: tuple[str, ...] = ()  # everyone who wrote a content revision, the author first
    imported: bool = False  # made by an import (--as-proposals): checked by the import's rules (homonyms kept)
    # the folded preferred labels the import brought in: an edit keeps these as homonyms, never adds another
    # that a concept holds (empty for a proposal made before they were recorded: any homonym is kept)
    imported_labels: tuple[str, ...] = ()

    def wrote(self, name: str) -> bool:
        """Whether ``name`` wrote any part of the content (and so may not review it)."""
        return name == self.author or name in self.contributors


class Release(Struct, frozen=True, kw_only=True):
    tag: Annotated[str, Meta(pattern=r"^[0-9A-Za-z][0-9A-Za-z._-]{0,31}$")]
    revision: int
    created: str
    actor: str
    note: str = ""


class Token(Struct, frozen=True, kw_only=True):
    """A bearer token as stored: only the hash of its secret."""

    id: str
    name: str
    role: Role
    hash: str
    created: str
    revoked: str | None = None


Version = ConceptVersion | StandardVersion

def find_nul(value: object, field: str = "") -> str | None:
    """The field (dotted path) of the first text holding a NUL character, or None."""
    if isinstance(value, str):
        return field if "\x00" in value else None
    if isinstance(value, (tuple, list)):
        for i, item in enumerate(value):
            if (found := find_nul(item, f"{field}[{i}]")) is not None:
                return found
    elif isinstance(value, Struct):
        for name in value.__struct_fields__:
            if (found := find_nul(getattr(value, name), f"{field}.{name}" if field else name)) is not None:
                return found
    return None


def now() -> str:
    """The time of a write, as stored: ISO 8601 in UTC, to the second."""
    return datetime.now(UTC).isoformat(timespec="seconds")


encoder = msgspec.json.Encoder()
concept_decoder = msgspec.json.Decoder(ConceptVersion)
standard_decoder = msgspec.json.Decoder(StandardVersion)
scheme_decoder = msgspec.json.Decoder(Scheme)
proposal_decoder = msgspec.json.Decoder(Proposal)
comment_decoder = msgspec.json.Decoder(Comment)
review_decoder = msgspec.json.Decoder(Review)


def kind_of(version: Version) -> EntityKind:
    return "concept" if isinstance(version, ConceptVersion) else "standard"
