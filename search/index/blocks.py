"""A term's postings cut into the blocks whoosh 3's codec writes them in (``W3PostingsWriter``), each with
the statistics its header and the term's table entry keep. Pure Python on lists, a block at a time: the
codec's writer takes a call per posting, a rebuild's longest part. ``adapter.Segment`` pickles and writes
them; ``tests/search/test_index_segment.py`` compares the segment with the one whoosh's writer makes.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator, Sequence
from operator import sub
from typing import Any, NamedTuple


class Block(NamedTuple):
    data: tuple[Any, Any, Any]  # what the codec pickles: (ids, weights, values), made small as below
    size: int  # postings
    last: int  # the last document number
    top: float  # the highest weight, 0 when none is above 0 (where the codec starts)
    low: int | None  # the shortest length of a document of the block (0 is none: not counted), None if none
    high: int  # the longest, 0 if none
    total: float  # the weights' sum, as float32 each (as the codec holds them)


def blocks(ids: Sequence[int], weights: Sequence[float], values: Sequence[bytes], lengths: Sequence[int],
           size: int, fixed: int | None) -> Iterator[Block]:
    """``size`` postings a block, in order. In ``data`` the ids are deltas (the first from 0), the weights
    None when all are 1.0, one float32 when all are equal, else each one; the values none when ``fixed``
    (the format's value size) is 0, joined when it is set, else a tuple of those not empty."""
    for at in range(0, len(ids), size):
        block, held, kept = ids[at : at + size], array("f", weights[at : at + size]), values[at : at + size]
        known = [n for n in lengths[at : at + size] if n]
        same = held.count(held[0]) == len(held)
        data = ((block[0], *map(sub, block[1:], block)), None if same and held[0] == 1.0 else held[0] if same else tuple(held),
                None if fixed == 0 else b"".join(kept) if fixed else tuple(filter(None, kept)))
        yield Block(data, len(block), block[-1], max(0, max(weights[at : at + size])),
                    min(known) if known else None, max(known, default=0), sum(held))


def summary(cut: Sequence[Block]) -> tuple[float, float, int | None, int]:
    """The term's statistics from its blocks, as ``W3TermInfo.add_block`` adds them up: the weights'
    sum, the highest weight, the shortest and the longest length (None and 0 when none is known)."""
    total, top, least, most = 0.0, 0.0, None, 0
    for block in cut:
        total, top, most = total + block.total, max(top, block.top), max(most, block.high)
        least = block.low if least is None else least if block.low is None else min(least, block.low)
    return total, top, least, most
