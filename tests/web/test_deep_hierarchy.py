"""A hierarchy as deep as an import can make it (a chain of thousands of concepts, each under the one
before): the scheme's tree and a clause of it are made without recursion, and the tree's nesting is bounded."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from api.web.browse import MAX_TREE_DEPTH, Node, _sort_key, scheme_tree
from drafting.clause import system_order
from tests.conftest import concept


class _Concepts(dict):
    def ids_where(self, scheme_id: str) -> list[str]:
        return [cid for cid, c in self.items() if c.scheme == scheme_id]


class _Catalog:
    def __init__(self, concepts) -> None:
        self.concepts = _Concepts((c.id, c) for c in concepts)


def _old_tree(catalog, scheme_id: str) -> list[Node]:
    """``scheme_tree`` as it was up to 2026-12-06 (recursive, without a bound on the nesting)."""
    members = {cid: catalog.concepts[cid] for cid in catalog.concepts.ids_where(scheme_id)}
    children: dict[str, list] = {}
    tops = []
    for c in members.values():
        parents = [b for b in c.broader if b in members]
        if not parents:
            tops.append(c)
        for parent in parents[:1]:
            children.setdefault(parent, []).append(c)

    def node(c, seen: frozenset) -> Node:
        kids = [] if c.id in seen else sorted(children.get(c.id, []), key=_sort_key)
        return Node(id=c.id, label=c.preferred, notation=c.notation, grade=c.grade,
                    deprecated=c.status == "deprecated", children=[node(k, seen | {c.id}) for k in kids])

    return [node(c, frozenset()) for c in sorted(tops, key=_sort_key)]


def _depth(nodes: list[Node]) -> int:
    deepest, level = 0, [(n, 1) for n in nodes]
    while level:
        n, d = level.pop()
        deepest = max(deepest, d)
        level.extend((k, d + 1) for k in n.children)
    return deepest


def _ids(nodes: list[Node]) -> list[str]:
    out, stack = [], list(reversed(nodes))
    while stack:
        n = stack.pop()
        out.append(n.id)
        stack.extend(reversed(n.children))
    return out


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 30), st.integers(0, 30), st.sampled_from(["", "1", "2.1"])), max_size=MAX_TREE_DEPTH - 4))
def test_a_shallow_tree_is_the_one_it_was(links):
    # forests and cycles of fewer concepts than the bound has levels: the tree as before
    concepts = [concept(f"c{i}", f"概念{i}", notation=notation, broader=(f"c{parent}",) if parent != i else ())
                for i, (parent, _, notation) in enumerate(links)]
    catalog = _Catalog(concepts)
    assert scheme_tree(catalog, "test-scheme") == _old_tree(catalog, "test-scheme")


def test_a_chain_of_thousands_makes_a_tree_of_bounded_depth_holding_every_concept():
    n = 5000  # recursion gave up past some 500 (a RecursionError: the scheme's page was a 500)
    chain = [concept("c0", "概念0")] + [concept(f"c{i}", f"概念{i}", broader=(f"c{i - 1}",)) for i in range(1, n)]
    random.Random(1).shuffle(chain)
    tree = scheme_tree(_Catalog(chain), "test-scheme")
    assert _depth(tree) == MAX_TREE_DEPTH + 1  # the deepest level lists what lies below it
    assert _ids(tree) == [f"c{i}" for i in range(n)]  # every concept once, in the chain's order


def test_a_clause_of_a_chain_of_a_thousand_is_in_system_order():
    chain = [concept("c0", "概念0")] + [concept(f"c{i}", f"概念{i}", broader=(f"c{i - 1}",)) for i in range(1, 1000)]
    assert [c.id for c in system_order(list(reversed(chain)))] == [f"c{i}" for i in range(1000)]
