"""The field rules: one function per kind of value, called by every write path.

``log`` and ``edit``, the document loader and the CSV importer all check a text, a URL,
a uid, a country, a language or a source the same way, with the same limits on SQLite
and PostgreSQL (the limits are those of the PostgreSQL columns, checked before anything
is written, so a database exported from one backend always imports into the other).
Each raises ``InvalidInput`` naming the field it was given; the caller says which
field that is (``title``, ``meetings[3].title``, ``row 7, column "Title"``).
"""

from __future__ import annotations

import re

from tracker.countries import resolve_country
from tracker.errors import InvalidInput

MAX_TEXT = 100_000
TITLE_LIMIT = 500
PUBLISHER_LIMIT = 300
SOURCE_TITLE_LIMIT = 1000
ROLE_LIMIT = 100
SIDE_LIMIT = 100
URL_BYTES = 2000
"""A URL's length in UTF-8 bytes: ``source.url`` is indexed, and PostgreSQL's btree
refuses an index row past about 2,700 bytes (2,000 CJK characters are 6,000 bytes)."""

_UID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}")
_LANG = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})*")
_URL = re.compile(r"https?://[^\s\x00-\x1f\x7f]+", re.IGNORECASE)
_WIKIDATA = re.compile(r"Q[1-9][0-9]{0,11}")


def text(value: object, field: str, *, required: bool = False, limit: int = MAX_TEXT) -> str | None:
    """Free text, stripped; empty is ``None`` (or an error when ``required``)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise InvalidInput(field, "a value (it is required)")
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise InvalidInput(field, "text", value)
    result = str(value).strip()
    if "\x00" in result:
        raise InvalidInput(field, "text without NUL characters")
    if len(result) > limit:
        raise InvalidInput(field, f"at most {limit} characters")
    return result


def url(value: object, field: str) -> str | None:
    """An http:// or https:// URL without spaces or control characters."""
    found = text(value, field, limit=URL_BYTES * 4)
    if found is None:
        return None
    if not _URL.fullmatch(found):
        raise InvalidInput(field, "an http:// or https:// URL without spaces", found)
    if len(found.encode("utf-8")) > URL_BYTES:
        raise InvalidInput(field, f"a URL of at most {URL_BYTES} bytes in UTF-8", found)
    return found


def is_url(value: str) -> bool:
    """Whether a source given as one value (``--source``, a ``sources`` cell) is a URL
    rather than a publisher's name."""
    return value.strip().lower().startswith(("http://", "https://"))


def uid(value: object, field: str) -> str:
    if not isinstance(value, str) or not _UID.fullmatch(value):
        raise InvalidInput(field, "1-64 letters, digits, '.', '_', ':' or '-'", value)
    return value


def country(value: object, field: str) -> str | None:
    """A country's code: ISO 3166-1 alpha-2, or a former country's ISO 3166-3 code,
    from a code or a name in any language (:mod:`tracker.countries`)."""
    found = text(value, field, limit=200)
    if found is None:
        return None
    return resolve_country(found, field)


def language(value: object, field: str) -> str | None:
    found = text(value, field, limit=16)
    if found is None:
        return None
    if not _LANG.fullmatch(found):
        raise InvalidInput(field, "a language code such as en, pl or ru", value)
    return found


def wikidata(value: object, field: str) -> str | None:
    found = text(value, field, limit=20)
    if found is not None and not _WIKIDATA.fullmatch(found):
        raise InvalidInput(field, "a Wikidata id such as Q7747", value)
    return found


def identity_text(value: str | None) -> str | None:
    """A publisher or title as a source's identity compares it: white space collapsed."""
    if value is None:
        return None
    return " ".join(value.split()) or None
