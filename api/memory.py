"""Giving the heap that start-up freed back to the system.

Opening the services (reading the saved snapshot, or building it) allocates and frees far more than the
snapshot keeps; glibc's malloc holds the freed pages, so a worker's RSS stays near its peak. ``trim``
asks glibc to return them (``malloc_trim(0)``); elsewhere (musl, macOS, Windows) it does nothing.

``keep_large_blocks_apart`` fixes glibc's mmap threshold for a serving worker: left to itself, glibc raises
it to the largest mapped block freed (up to 32 MB; loading the snapshot frees such blocks), so later large
buffers (a definition table read, a page rendered) are carved from the heap, whose freed pages stay in the
worker. A fixed threshold maps each large block on its own and unmaps it when freed.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from functools import cache


@cache
def _malloc_trim():
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        trim = libc.malloc_trim  # glibc only
    except (OSError, AttributeError):
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return trim


M_MMAP_THRESHOLD = -3  # mallopt's parameter number (malloc.h)
MMAP_THRESHOLD = 256 * 1024  # blocks this large or larger are mapped apart (glibc starts at 128 KiB)


@cache
def _mallopt():
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt  # glibc (and a few others) only
    except (OSError, AttributeError):
        return None
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    return mallopt


def keep_large_blocks_apart(threshold: int = MMAP_THRESHOLD) -> bool:
    """Blocks of ``threshold`` bytes or more mapped on their own from now on, whatever is freed; True
    when the C library took it (glibc's ``mallopt`` answers 1)."""
    mallopt = _mallopt()
    return bool(mallopt and mallopt(M_MMAP_THRESHOLD, threshold) == 1)


def trim() -> bool:
    """Return free heap pages to the system; True when glibc released some."""
    malloc_trim = _malloc_trim()
    return bool(malloc_trim and malloc_trim(0))
