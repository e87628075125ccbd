"""Label clashes: a term of a proposed version that is already a label of another concept (a preferred
label that is someone else's hidden or admitted term, say). Not an error (homonyms exist), a hint for the
editor on the form and for the reviewer on the proposal page."""

from __future__ import annotations

from msgspec import Struct

from ..views import distinction


class Clash(Struct, kw_only=True, frozen=True):
    text: str
    type: str  # the type of the proposed term
    other_id: str
    other_label: str
    other_type: str  # what the text is for the other concept
    other_qualifier: str = ""  # what tells the other concept apart: 泰尔（Tyre）


def label_clashes(catalog, terms, own_id: str) -> list[Clash]:
    """Each proposed term (text, type) that another concept has as a label, compared after folding."""
    out: list[Clash] = []
    seen: set[tuple[str, str]] = set()
    for term in terms:
        text, kind = (term.text, term.type) if hasattr(term, "text") else term
        if not text:
            continue
        for match in catalog.lookup(text):
            if match.id == own_id or (text, match.id) in seen or match.id not in catalog.concepts:
                continue
            seen.add((text, match.id))
            other = catalog.concepts[match.id]
            out.append(Clash(text=text, type=kind, other_id=match.id, other_label=other.preferred,
                             other_type=match.term.type, other_qualifier=distinction(catalog, other)))
    return out
