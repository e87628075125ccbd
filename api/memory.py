"""Giving the heap that start-up freed back to the system.

Opening the services (reading the saved snapshot, or building it) allocates and frees far more than the
snapshot keeps; glibc's malloc holds the freed pages, so a worker's RSS stays near its peak. ``trim``
asks glibc to return them (``malloc_trim(0)``); elsewhere (musl, macOS, Windows) it does nothing.
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


def trim() -> bool:
    """Return free heap pages to the system; True when glibc released some."""
    malloc_trim = _malloc_trim()
    return bool(malloc_trim and malloc_trim(0))
