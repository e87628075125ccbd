"""api/rendering.py: the render cache is bounded by the bytes it holds, oldest dropped first, and an
entry of an older revision is made again."""

from __future__ import annotations

from api.rendering import ENTRY_OVERHEAD, MAX_BYTES, RenderCache, held_bytes


def fill(cache: RenderCache, key: str, size: int, revision: int = 1) -> bytes:
    return cache._get(("concept", key, "zh-Hans"), revision, lambda: b"x" * size)


def test_the_bytes_held_stay_under_the_bound_and_the_oldest_go_first():
    one = held_bytes(b"x" * 1000) + ENTRY_OVERHEAD
    cache = RenderCache(max_bytes=one * 3)
    for key in "abcd":
        fill(cache, key, 1000)
    assert cache.bytes == one * 3 <= cache.max_bytes
    assert [k[1] for k in cache._entries] == ["b", "c", "d"]  # a went first
    fill(cache, "e", 1500)  # a larger entry pushes out as many as it needs
    assert cache.bytes <= cache.max_bytes
    assert [k[1] for k in cache._entries] == ["d", "e"]


def test_a_hit_is_not_made_again_and_a_new_revision_replaces_the_entry():
    cache = RenderCache(max_bytes=100_000)
    made = []
    for revision in (1, 1, 2):
        cache._get(("concept", "a", "zh-Hans"), revision, lambda: made.append(1) or b"y" * 500)
    assert len(made) == 2 and cache.hits == 1 and cache.misses == 2
    assert len(cache._entries) == 1
    assert cache.bytes == held_bytes(b"y" * 500) + ENTRY_OVERHEAD


def test_a_value_larger_than_the_bound_is_answered_but_not_kept():
    cache = RenderCache(max_bytes=1000)
    assert fill(cache, "big", 5000) == b"x" * 5000
    assert cache.bytes == 0 and not cache._entries


def test_hit_parts_count_their_fields():
    parts = (b"a" * 100, "数字乡村" * 50)
    assert held_bytes(parts) > held_bytes(b"a" * 100) + 200


def test_the_default_bound_is_eight_megabytes():
    assert RenderCache().max_bytes == MAX_BYTES == 8 * 1024 * 1024
