"""One source per URL, or per publisher and title when there is no URL: the identity
of a source, and the find-or-create every path uses."""

from __future__ import annotations

import re
from collections.abc import Hashable, Iterable, Iterator, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker import fields
from tracker.errors import InvalidInput
from tracker.models import Source

Identity = tuple[str, str | None, str | None]
"""``("url", URL, None)`` or ``("publisher", PUBLISHER, TITLE)``."""

IN_CHUNK = 500


_OTHER_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s:][^\s]*")
"""A URL of another kind (``javascript:``, ``ftp://``, ``mailto:``): no publisher's name."""

SourceSpec = tuple[str | None, str | None, str | None]
"""``(url, publisher, title)``: what a write is told about one source."""


def source_spec(
    value: str | None,
    publisher: str | None = None,
    title: str | None = None,
    *,
    fields_named: tuple[str, str, str] = ("source", "publisher", "source title"),
) -> SourceSpec | None:
    """One source as a user gives it: ``value`` is a URL, or a publisher's name when it
    is not one (``Kommersant``: then it is the publisher, and ``publisher`` is not
    used; a URL of another scheme, ``javascript:...``, is refused); without a value,
    ``publisher`` alone. ``None`` when nothing is given.
    ``fields_named`` are the names of the three fields in errors."""
    source, publisher_field, title_field = fields_named
    given_title = fields.text(title, title_field, limit=fields.SOURCE_TITLE_LIMIT)
    value = value.strip() if value else None
    if value and fields.is_url(value):
        return (
            fields.url(value, source),
            fields.text(publisher, publisher_field, limit=fields.PUBLISHER_LIMIT),
            given_title,
        )
    if value and _OTHER_SCHEME.fullmatch(value):
        raise InvalidInput(source, "an http:// or https:// URL, or a publisher's name", value)
    if value:
        return None, fields.text(value, source, limit=fields.PUBLISHER_LIMIT), given_title
    found = fields.text(publisher, publisher_field, limit=fields.PUBLISHER_LIMIT)
    if found is None and given_title is None:
        return None
    return None, found, given_title


def identity(url: str | None, publisher: str | None, title: str | None) -> Identity:
    """What makes two sources one: the URL, or (without one) publisher and title."""
    if url:
        return ("url", url, None)
    return ("publisher", fields.identity_text(publisher), fields.identity_text(title))


class SourceBook:
    """The sources a write has seen, by identity: found in the database (a few
    queries, however many rows name them) or created by this write."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.known: dict[Identity, Hashable] = {}
        self.asked: set[Identity] = set()
        self._empty: bool | None = None

    def load(self, identities: Iterable[Identity]) -> None:
        """Look up at once every identity not asked about yet."""
        wanted = [i for i in dict.fromkeys(identities) if i not in self.asked]
        self.asked.update(wanted)
        if self._none_stored():
            return
        urls = sorted({i[1] for i in wanted if i[0] == "url" and i[1]})
        for chunk in _chunks(urls):
            for sid, url in self.session.execute(
                select(Source.id, Source.url).where(Source.url.in_(chunk)).order_by(Source.id)
            ):
                self.known.setdefault(("url", url, None), sid)
        publishers = sorted({i[1] for i in wanted if i[0] == "publisher" and i[1]})
        titles = {i for i in wanted if i[0] == "publisher"}
        for chunk in _chunks(publishers):
            query = (
                select(Source.id, Source.publisher, Source.title)
                .where(Source.url.is_(None), Source.publisher.in_(chunk))
                .order_by(Source.id)
            )
            for sid, publisher, title in self.session.execute(query):
                key = identity(None, publisher, title)
                if key in titles:
                    self.known.setdefault(key, sid)
        if any(i[0] == "publisher" and not i[1] for i in wanted):
            untitled = select(Source.id, Source.title).where(
                Source.url.is_(None), Source.publisher.is_(None)
            )
            for sid, title in self.session.execute(untitled):
                key = identity(None, None, title)
                if key in titles:
                    self.known.setdefault(key, sid)

    def _none_stored(self) -> bool:
        """Whether the database holds no source at all (asked once: a first import into
        a new database need not look up its thousands of sources one chunk at a time)."""
        if self._empty is None:
            self._empty = self.session.execute(select(Source.id).limit(1)).first() is None
        return self._empty

    def find(self, key: Identity) -> Hashable | None:
        """The source of this identity (its id, or what this write created), if any."""
        if key not in self.asked:
            self.load([key])
        return self.known.get(key)

    def remember(self, key: Identity, handle: Hashable) -> None:
        self.known[key] = handle
        self.asked.add(key)

    def source(self, url: str | None, publisher: str | None, title: str | None) -> Source:
        """The one source of this identity, created if there is none (ORM paths)."""
        key = identity(url, publisher, title)
        found = self.find(key)
        if isinstance(found, Source):
            return found
        if found is not None:
            stored = self.session.get(Source, found)
            if stored is not None:
                return stored
        created = Source(url=url, publisher=publisher, title=title)
        self.session.add(created)
        self.remember(key, created)
        return created


def _chunks(values: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), IN_CHUNK):
        yield values[start : start + IN_CHUNK]
