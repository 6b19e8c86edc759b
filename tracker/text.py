"""Text from the data, shown as itself wherever people read it.

A title may hold an escape byte (``\\x1b[2J`` clears a terminal), a bidi control
(U+202E shows the text after it reversed) or an invisible character. Everywhere the
record is read by a person (terminal tables, trees, markdown, html, TimelineJS, ics) such
characters are written as visible escapes, the same everywhere; csv and json keep the
exact text for programs.
"""

from __future__ import annotations

import unicodedata

HIDDEN = frozenset(("Cc", "Cf", "Cs", "Co", "Zl", "Zp"))
"""Unicode categories that print as nothing or act on the text around them: controls,
format characters (bidi controls, zero-width ones), surrogates, private use, and the
line and paragraph separators."""

_NAMED = {"\n": "\\n", "\t": "\\t", "\r": "\\r"}


def visible(text: str, keep: str = "") -> str:
    """``text`` with every hidden character shown as an escape (``\\x1b``, ``\\u202e``,
    ``\\n``), except those in ``keep`` (a format that has its own way of writing a line
    break keeps ``\\n``)."""
    if text.isprintable():
        return text
    out: list[str] = []
    for ch in text:
        if ch == " " or ch in keep or unicodedata.category(ch) not in HIDDEN:
            out.append(ch)
        elif ch in _NAMED:
            out.append(_NAMED[ch])
        elif ord(ch) < 0x100:
            out.append(f"\\x{ord(ch):02x}")
        elif ord(ch) < 0x10000:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(f"\\U{ord(ch):08x}")
    return "".join(out)
