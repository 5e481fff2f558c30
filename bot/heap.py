"""Giving memory back to the operating system after start-up.

Building the recommendation and title indexes of a large library makes many short-lived
buffers (the library read in columns, the sort keys). glibc keeps most of what they freed
in the process's heap, and after it has seen a large block freed it also stops handing
later large blocks back: at 100k stories about 90 MB of resident memory was free space.
`malloc_trim(0)` returns the free pages. Elsewhere (macOS, musl) there is nothing to do.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging

log = logging.getLogger("storybot.heap")


def release_free_memory() -> bool:
    """Hand the heap's free pages back to the system; False where that is not possible."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        trim = libc.malloc_trim
    except (OSError, AttributeError):
        return False
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    trim(0)
    return True
