"""How much of someone else's file tracker reads, at most.

A document or table comes from anywhere: a colleague, a scraper, an attacker. These
bounds keep a hostile file from costing more than a moment and a little memory; each is
far above what real data needs (the README's Reliability section lists them).
"""

from __future__ import annotations

MAX_DOCUMENT_BYTES = 64 * 1024**2
"""A ``tracker/1`` document or a mapping file: about 50,000 meetings in the lossless
format (a larger collection travels as a csv table)."""

MAX_TABLE_BYTES = 1024**3
"""A csv table: over a million meetings in the timeline layout."""

MAX_DEPTH = 100
"""Levels of nesting in a document (a tracker document needs five)."""

MAX_DIGITS = 100
"""Digits of a number in a document. A longer one is read as its text, so a number
field refuses it by name and a text field keeps it as written (Python itself refuses
to convert integers of more than 4,300 digits)."""


def size_text(count: int) -> str:
    """A byte count as people read it: ``64 MiB``, ``1 GiB``, ``10.5 GiB``, ``900 bytes``."""
    for unit, scale in (("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024)):
        if count >= scale:
            value = count / scale
            return f"{value:.0f} {unit}" if value == int(value) else f"{value:.1f} {unit}"
    return f"{count} bytes"
