"""Python's cyclic garbage collector, paused around bulk work.

An import or an export allocates millions of small objects (rows, tuples, strings)
that never form cycles. Each allocation threshold starts a collection, and each
collection walks every object alive, all of SQLAlchemy's included: with the collector
running, a large import spent about a third of its time there and a csv export about a
sixth. Reference counting still frees every row as soon as it is dropped; the little
cyclic garbage left (a constant few hundred objects) waits for the next collection
after the block.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """The cyclic collector off for the block, and back on after if it was on."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
