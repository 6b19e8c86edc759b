"""Text from the data in an html page: escaped, with hidden characters shown."""

from __future__ import annotations

from html import escape as html_escape

from tracker.text import visible

WHITESPACE = "\n\t"
"""Characters of the data written as they are: the page shows them as white space."""


def escape(value: str) -> str:
    """``value`` for the page: hidden characters shown as escapes (``\\x1b``, ``\\u202e``,
    as the terminal views show them; line breaks and tabs are whitespace here), then
    HTML-escaped."""
    return html_escape(visible(value, keep=WHITESPACE), quote=True)


def attr(value: str) -> str:
    return escape(value)


def anchor(uid: str) -> str:
    """The id of a meeting's row."""
    return "m-" + uid
