"""Names: one key for every name and alias, what a name may hold, and its look-alikes.

``name_key`` folds case, accents and script (``Władimir Putin``, ``Владимир Путин``
and ``wladimir putin`` share parts of one key space through the aliases that hold
them), so a person or place is found by its name or any alias, however it is typed;
``skeleton`` maps look-alike letters to one. The resolver (:mod:`tracker.resolve`) and
the look-ups by name (:mod:`tracker.lookup`) are built on them.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Literal

from tracker.errors import InvalidInput

_NOT_WORD = re.compile(r"[^0-9a-z]+")

Kind = Literal["person", "place"]


def name_key(name: str) -> str:
    """The lookup key of a name: transliterated to ASCII, case-folded, punctuation and
    white space collapsed to single spaces.

    >>> name_key("  Władimir   PUTIN ")
    'wladimir putin'
    >>> name_key("Владимир Путин")
    'vladimir putin'

    A name with letters that anyascii has no transliteration for keeps them, folded,
    so it can still be found by what was typed.
    """
    folded = unicodedata.normalize("NFKC", name).casefold()
    ascii_text = folded
    if not folded.isascii():
        # Imported here: anyascii loads importlib.resources and its archive modules, which
        # a read that looks up an ASCII name (most of them) never needs.
        from anyascii import anyascii

        ascii_text = anyascii(folded).casefold()
    key = _NOT_WORD.sub(" ", ascii_text).strip()
    if key:
        return key
    return " ".join("".join(ch if ch.isalnum() else " " for ch in folded).split())


KEY_LIMIT = 200
"""Characters of a name's search key (``person.key``, ``place.key``: VARCHAR(200) on
PostgreSQL). A name is refused when its key would be longer, on every backend."""

NAME_LIMIT = 200

# Code points that show nothing (Unicode's Default_Ignorable_Code_Point, plus the blank
# Braille pattern): a name made of them, or holding one, looks like another name or none.
_INVISIBLE = (
    (0x00AD, 0x00AD), (0x034F, 0x034F), (0x061C, 0x061C), (0x115F, 0x1160),
    (0x17B4, 0x17B5), (0x180B, 0x180F), (0x200B, 0x200F), (0x202A, 0x202E),
    (0x2060, 0x206F), (0x2800, 0x2800), (0x3164, 0x3164), (0xFE00, 0xFE0F),
    (0xFEFF, 0xFEFF), (0xFFA0, 0xFFA0), (0xFFF0, 0xFFF8), (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A), (0xE0000, 0xE0FFF),
)  # fmt: skip


_INVISIBLE_RE = re.compile(
    "[" + "".join(f"{re.escape(chr(low))}-{re.escape(chr(high))}" for low, high in _INVISIBLE) + "]"
)


def is_invisible(ch: str) -> bool:
    """Whether ``ch`` shows nothing on screen (a filler, a joiner, a variation selector)."""
    return _INVISIBLE_RE.match(ch) is not None


def clean_name(name: object, field: str = "name") -> str:
    """A display name as given, with white space collapsed; raise if it is empty, has
    control or invisible characters, or is too long for its search key."""
    if not isinstance(name, str):
        raise InvalidInput(field, "a name (text)", name)
    text = " ".join(name.split())
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co") for ch in text):
        raise InvalidInput(field, "a name without control or invisible characters", name)
    if text and _INVISIBLE_RE.search(text) is not None:
        if all(is_invisible(ch) or ch.isspace() for ch in text):
            raise InvalidInput(field, "a name with a visible letter or digit", name)
        raise InvalidInput(field, "a name without control or invisible characters", name)
    if not text or not name_key(text):
        raise InvalidInput(field, "a name with at least one letter or digit", name)
    if len(text) > NAME_LIMIT:
        raise InvalidInput(field, f"a name of at most {NAME_LIMIT} characters", name[:40] + "...")
    key = name_key(text)
    if len(key) > KEY_LIMIT:
        raise InvalidInput(
            field,
            f"a name whose search key has at most {KEY_LIMIT} characters"
            f" (this one spells out to {len(key)})",
            name[:40] + ("..." if len(name) > 40 else ""),
        )
    return text


def skeleton(name: str) -> str:
    """The confusable skeleton of ``name`` (after Unicode TR39): every character that
    looks like another is replaced by one representative of its look-alikes, so
    ``Ѕteve Wіtkoff`` (with Cyrillic letters) and ``Steve Witkoff`` have one skeleton."""
    classes = _confusable_classes()
    text = unicodedata.normalize("NFD", " ".join(name.split()))
    mapped = "".join(classes.get(ch, ch) for ch in text)
    return unicodedata.normalize("NFD", mapped).casefold()


_CLASSES: dict[str, str] = {}


def _confusable_classes() -> dict[str, str]:
    """Each single character of the confusables table mapped to the smallest character
    it can be confused with (the look-alike relation closed over, as union-find)."""
    if _CLASSES:
        return _CLASSES
    import json
    from importlib.resources import files

    data = json.loads(
        files("confusable_homoglyphs").joinpath("confusables.json").read_text(encoding="utf-8")
    )
    parent: dict[str, str] = {}

    def root(ch: str) -> str:
        while parent.get(ch, ch) != ch:
            parent[ch] = parent.get(parent[ch], parent[ch])
            ch = parent[ch]
        return ch

    for char, glyphs in data.items():
        if len(char) != 1:
            continue
        for glyph in glyphs:
            other = glyph.get("c", "")
            if len(other) == 1:
                a, b = root(char), root(other)
                if a != b:
                    parent[max(a, b)] = min(a, b)
    _CLASSES.update({ch: root(ch) for ch in parent})
    return _CLASSES
