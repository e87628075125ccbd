"""api/memory.py: freed heap goes back to the system where the C library can do it, and nothing happens
where it cannot."""

from __future__ import annotations

from api import memory


def test_trim_returns_heap_on_glibc_and_is_harmless_twice():
    assert memory.trim() in (True, False)
    assert memory.trim() in (True, False)


def test_trim_does_nothing_without_malloc_trim(monkeypatch):
    monkeypatch.setattr(memory, "_malloc_trim", lambda: None)
    assert memory.trim() is False


def test_the_mmap_threshold_is_fixed_where_glibc_takes_it(monkeypatch):
    assert memory.keep_large_blocks_apart() in (True, False)  # the real call: harmless, glibc or not
    calls = []
    monkeypatch.setattr(memory, "_mallopt", lambda: (lambda param, value: calls.append((param, value)) or 1))
    assert memory.keep_large_blocks_apart() is True
    assert calls == [(memory.M_MMAP_THRESHOLD, memory.MMAP_THRESHOLD)]
    monkeypatch.setattr(memory, "_mallopt", lambda: None)
    assert memory.keep_large_blocks_apart() is False
