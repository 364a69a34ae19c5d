"""The cycle collector's pace while the tracker builds or reads many rows at once."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

# Thresholds while many rows are in flight (Python's default: 700, 10, 10).
BULK_GC_THRESHOLD = (50_000, 50, 100)


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Run the cycle collector less often for the duration, then as before.

    An import batch or a picture holds tens or hundreds of thousands of young containers
    (rows, claims, views) that die by reference counting, not in cycles. At the default
    thresholds they set off full collections that walk the whole, growing heap again and
    again: 11% of a 200,000-row import (gc.callbacks: 3.3 s of GC, 0.5 s at these
    thresholds) and 15% of `show` at 1,000,000 claims (5.7 s, 4.9 s at these thresholds),
    which also made that time grow faster than the number of claims.
    """
    before = gc.get_threshold()
    gc.set_threshold(*BULK_GC_THRESHOLD)
    try:
        yield
    finally:
        gc.set_threshold(*before)
