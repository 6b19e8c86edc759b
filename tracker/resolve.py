"""The one name resolver for people and places, used by every path that reads a name.

A name finds a record, in this order:

1. its uid;
2. its name or any alias, ignoring case, accents and script (the name key);
3. the words of a name or alias (``Witkoff``, ``Putin``: a surname or short form);
4. word stems, for declined forms (Polish ``Witkoffowi`` finds ``Witkoff``).

The first step that finds anything decides: one record is the answer, several are
ambiguous (an error listing them). Nothing found is unknown: a "did you mean" list,
where a look-alike of a known name (the same confusable skeleton, e.g. ``Ѕteve
Wіtkoff`` typed with Cyrillic letters) comes first and may never be created as a new
record.

An index holds every key of one registry in memory (one query for names, one for
aliases), so a bulk import resolves thousands of names at the cost of dictionary
lookups; records a write creates are added to it, so a later row finds them too.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from tracker.errors import Ambiguous, InvalidInput, NotFound
from tracker.names import name_key, skeleton

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from tracker.sql import Reader

Kind = Literal["person", "place"]
Handle = Hashable
"""What the index knows a record by: its id, or the object a write is creating."""

# What an index is loaded from, in plain SQL (a session and a plain read run the same):
# each record's id, uid, name, country and kind (a person's kind is NULL), and the aliases.
RECORDS_SQL = {
    "person": "SELECT id, uid, name, country, NULL FROM person",
    "place": "SELECT id, uid, name, country, kind FROM place",
}
ALIASES_SQL = {
    "person": "SELECT person_id, name FROM person_alias",
    "place": "SELECT place_id, name FROM place_alias",
}

STEM_MIN = 4
STEM_ENDING = 3
"""A declined word is a known word of at least ``STEM_MIN`` letters plus an ending of
at most ``STEM_ENDING`` letters (``Witkoff`` + ``owi``, ``Uszakow`` + ``a``)."""


@dataclass
class Resolution:
    """What a name found: ``found`` (one or more handles), else ``suggestions`` (the
    nearest known names, worked out when asked for); ``look_alike`` when the name has
    the skeleton of a known name but is not it."""

    name: str
    found: list[Handle] = field(default_factory=list)
    look_alike: list[Handle] = field(default_factory=list)
    index: NameIndex | None = None
    _suggestions: list[str] | None = None

    @property
    def suggestions(self) -> list[str]:
        if self._suggestions is None:
            self._suggestions = self.index.suggest(self) if self.index is not None else []
        return self._suggestions


class NameIndex:
    """Every name and alias of one registry, by key, by word and by skeleton."""

    def __init__(self, kind: Kind) -> None:
        self.kind: Kind = kind
        self.by_uid: dict[str, Handle] = {}
        self.by_key: dict[str, list[Handle]] = {}
        self.by_word: dict[str, set[Handle]] = {}
        self.by_skeleton: dict[str, list[Handle]] = {}
        self.names: dict[Handle, str] = {}
        self.details: dict[Handle, str] = {}
        self.pending: set[Handle] = set()  # being created by this write: never suggested
        # What names found, remembered: those found by their whole key stay valid as
        # records are added (but for a record of the same key); the others do not.
        self._memo: dict[str, Resolution] = {}
        self._loose: set[str] = set()
        self._by_key: dict[str, list[str]] = {}
        self._keys: dict[str, str] = {}

    @classmethod
    def load(cls, session: Session, kind: Kind) -> NameIndex:
        """The index of the stored people or places."""
        from sqlalchemy import text

        return cls.from_rows(
            kind,
            session.execute(text(RECORDS_SQL[kind])),
            session.execute(text(ALIASES_SQL[kind])),
        )

    @classmethod
    def read(cls, reader: Reader, kind: Kind) -> NameIndex:
        """The index of the stored people or places, on a plain read."""
        return cls.from_rows(kind, reader.rows(RECORDS_SQL[kind]), reader.rows(ALIASES_SQL[kind]))

    @classmethod
    def from_rows(
        cls,
        kind: Kind,
        records: Iterable[Sequence[Any]],
        aliases: Iterable[Sequence[Any]],
    ) -> NameIndex:
        """The index of ``RECORDS_SQL``'s and ``ALIASES_SQL``'s rows."""
        index = cls(kind)
        for rid, uid, name, country, record_kind in records:
            index.add(rid, uid, [name], detail=detail(record_kind, country))
        for owner, alias in aliases:
            index.add_names(owner, [alias])
        return index

    def add(
        self,
        handle: Handle,
        uid: str | None,
        names: Iterable[str],
        *,
        detail: str,
        pending: bool = False,
    ) -> None:
        """Register a record (stored, or ``pending``: planned by a bulk write that has
        not written it yet, which later names find but suggestions never offer)."""
        names = list(names)
        if pending:
            self.pending.add(handle)
        if uid:
            self.by_uid[uid] = handle
        if names:
            self.names.setdefault(handle, names[0])
        self.details[handle] = detail
        self.add_names(handle, names)

    def key(self, name: str) -> str:
        """``name_key(name)``, remembered (a file repeats its names a lot)."""
        found = self._keys.get(name)
        if found is None:
            if len(self._keys) > 200_000:
                self._keys.clear()
            found = self._keys[name] = name_key(name)
        return found

    def add_names(self, handle: Handle, names: Iterable[str]) -> None:
        for name in names:
            key = self.key(name)
            self._forget(key)
            holders = self.by_key.setdefault(key, [])
            if handle not in holders:
                holders.append(handle)
            for word in key.split():
                self.by_word.setdefault(word, set()).add(handle)
            if handle in self.pending:
                continue  # never a look-alike's answer (see ``_resolve``): no skeleton
            shape = skeleton(name)
            shaped = self.by_skeleton.setdefault(shape, [])
            if handle not in shaped:
                shaped.append(handle)

    def _forget(self, key: str) -> None:
        """Forget what may change once a record with ``key`` is known."""
        for name in self._loose:
            self._memo.pop(name, None)
        self._loose.clear()
        for name in self._by_key.pop(key, ()):
            self._memo.pop(name, None)

    def drop(self, handle: Handle) -> None:
        """A record that is gone (merged into another): no name finds it any more."""
        for mapping in (self.by_key, self.by_skeleton):
            for key in [k for k, holders in mapping.items() if handle in holders]:
                mapping[key].remove(handle)
                if not mapping[key]:
                    del mapping[key]
        for word in [w for w, holders in self.by_word.items() if handle in holders]:
            self.by_word[word].discard(handle)
            if not self.by_word[word]:
                del self.by_word[word]
        for uid in [u for u, h in self.by_uid.items() if h == handle]:
            del self.by_uid[uid]
        self.names.pop(handle, None)
        self.details.pop(handle, None)
        self._memo.clear()
        self._loose.clear()
        self._by_key.clear()

    def replace(self, old: Handle, new: Handle) -> None:
        """A record created by this write now has its id: find it by that too."""
        for mapping in (self.by_key, self.by_skeleton):
            for holders in mapping.values():
                if old in holders:
                    holders[holders.index(old)] = new
        for words in self.by_word.values():
            if old in words:
                words.discard(old)
                words.add(new)
        for uid, handle in list(self.by_uid.items()):
            if handle == old:
                self.by_uid[uid] = new
        self.names[new] = self.names.pop(old, "")
        self.details[new] = self.details.pop(old, "")
        self._memo.clear()
        self._loose.clear()
        self._by_key.clear()

    # Resolving ------------------------------------------------------------------------

    def resolve(self, name: str) -> Resolution:
        """What ``name`` finds (remembered: files repeat their names)."""
        known = self._memo.get(name)
        if known is None:
            if len(self._memo) > 200_000:
                self._memo.clear()
                self._loose.clear()
                self._by_key.clear()
            known = self._memo[name] = self._resolve(name)
            key = self.key(name)
            if known.found and self.by_key.get(key):
                self._by_key.setdefault(key, []).append(name)
            else:
                self._loose.add(name)
        return known

    def _resolve(self, name: str) -> Resolution:
        text = name.strip()
        result = Resolution(name)
        handle = self.by_uid.get(text)
        if handle is not None:
            result.found = [handle]
            return result
        key = self.key(text)
        exact = self.by_key.get(key)
        if exact:
            result.found = list(exact)
            return result
        words = key.split()
        if words:
            result.found = self._order(self._all_words(words))
            if not result.found:
                result.found = self._order(self._all_stems(words))
        if result.found:
            return result
        if self.by_skeleton:  # an empty registry has no look-alikes to find
            alike = self.by_skeleton.get(skeleton(text), [])
            result.look_alike = [h for h in alike if h not in self.pending]
        result.index = self
        return result

    def suggest(self, result: Resolution) -> list[str]:
        """The names nearest to an unknown name: look-alikes first, then the closest
        spellings (never a record this write has yet to create)."""
        found = list(dict.fromkeys(self.names[h] for h in result.look_alike))
        for suggestion in self._nearest(name_key(result.name)):
            if suggestion not in found:
                found.append(suggestion)
        return found[:3]

    def _all_words(self, words: Sequence[str]) -> set[Handle]:
        found: set[Handle] | None = None
        for word in words:
            holders = self.by_word.get(word, set())
            found = set(holders) if found is None else found & holders
            if not found:
                return set()
        return found or set()

    def _all_stems(self, words: Sequence[str]) -> set[Handle]:
        found: set[Handle] | None = None
        for word in words:
            holders: set[Handle] = set()
            for cut in range(1, STEM_ENDING + 1):
                stem = word[:-cut]
                if len(stem) >= STEM_MIN:
                    holders |= self.by_word.get(stem, set())
            found = holders if found is None else found & holders
            if not found:
                return set()
        return found or set()

    def _order(self, handles: set[Handle]) -> list[Handle]:
        return sorted(handles, key=lambda h: (isinstance(h, int), h if isinstance(h, int) else 0))

    def _nearest(self, key: str, limit: int = 3) -> list[str]:
        """The names nearest to ``key`` (rapidfuzz over names and aliases)."""
        if not key or not self.by_key:
            return []
        from rapidfuzz import fuzz, process, utils

        best = process.extract(
            key,
            list(self.by_key),
            scorer=fuzz.WRatio,
            processor=utils.default_process,
            limit=limit * 3,
            score_cutoff=70,
        )
        seen: list[str] = []
        for choice, _score, _index in best:
            for handle in self.by_key[choice]:
                if handle in self.pending:
                    continue
                label = self.names.get(handle, choice)
                if label not in seen:
                    seen.append(label)
            if len(seen) >= limit:
                break
        return seen[:limit]

    def one(self, name: str, field: str) -> Handle:
        """The one record ``name`` finds; raise Ambiguous or NotFound naming ``field``."""
        result = self.resolve(name)
        if len(result.found) == 1:
            return result.found[0]
        if result.found:
            raise Ambiguous(self.kind, name, [self.describe(h) for h in result.found], field=field)
        raise NotFound(self.kind, name, result.suggestions, field=field)

    def describe(self, handle: Handle) -> str:
        """A short line telling records with one name apart."""
        uid = next((u for u, h in self.by_uid.items() if h == handle), None)
        return f"{self.names.get(handle, '?')} ({self.details.get(handle, '')}; uid {uid})"


def detail(kind: str | None, country: str | None) -> str:
    """What tells records of one name apart: a person's country, a place's kind and
    country."""
    if kind is None:
        return country or "no country"
    return f"{kind}, {country or 'no country'}"


def creatable(result: Resolution, field: str) -> None:
    """Refuse to create a record for a look-alike of a known name, even when asked."""
    if result.look_alike:
        raise InvalidInput(
            field,
            "a name that is not a look-alike of a known one (it mixes letters that look"
            f" the same); did you mean {', '.join(repr(s) for s in result.suggestions)}?",
            result.name,
        )


def handles_of(records: Iterable[Any]) -> list[Handle]:
    return [record.id for record in records]
