"""Countries: every way a person or a table names one, resolved to one code.

The one country resolver of the product (``log --country``, every ``--country`` filter,
documents and CSV import). What it knows comes from pycountry:

- ISO 3166-1: alpha-2, alpha-3 and numeric codes, and the official and common names;
- ISO 3166-3, the former countries: a **renamed** country is its successor (Burma and
  Zaire are ``MM`` and ``CD``); a **dissolved** one (the Soviet Union, Yugoslavia,
  Czechoslovakia, the German Democratic Republic, Serbia and Montenegro) is a country of
  its own with its four-letter code (``SUHH``, ``YUCS``, ``CSHH``, ``DDDE``, ``CSXX``);
- the translations pycountry ships (gettext catalogues of the official names, for over
  a hundred languages: ``Federacja Rosyjska``), with the short names that CLDR gives
  through Babel (``Rosja``, ``Россия``, ``Russland``: the catalogues do not have those).

Names are matched by their key (``tracker.names.name_key``: case, accents and script
folded), also as tables write them: inverted (``Korea, Republic of``), dotted
(``U.S.S.R.``), with or without an article (``the Netherlands``). ``_EXTRA`` adds what no
catalogue has: the usual English short names (``Russia``, ``UK``), older names
(``Ceylon``, ``Byelorussia``) and the territories with their codes (Kosovo ``XK``).

A name with a qualifier in parentheses (``Denmark (Greenland)``) is the country outside
and a place within it (:func:`split_qualified`), unless the whole text or the qualifier
names the same country (``Burma (Myanmar)``).

The index is built once, when first needed: codes and English names first (enough for
almost every table), then the names in the languages most tables are written in, and
the other languages only when a name is found in none of those. The translated names
are kept in the user's cache folder, so that only the first run builds them.
"""

from __future__ import annotations

import gettext
import hashlib
import json
import os
import pickle
import re
from collections.abc import Callable, Iterable
from contextlib import suppress
from functools import cache, partial
from pathlib import Path
from typing import Any

from tracker.errors import InvalidInput
from tracker.names import name_key

EXPECTED = "a country's name (in any language) or ISO 3166 code, such as RU, RUS, 643 or Rosja"

_EXTRA = """
AE United Arab Emirates|UAE|Emirates
BA Bosnia and Herzegovina|Bosnia
BO Bolivia
BN Brunei
BS Bahamas|The Bahamas
BY Belarus|Byelorussia|Belorussia|White Russia
CD Democratic Republic of the Congo|DR Congo|DRC|Congo-Kinshasa|Congo (Kinshasa)|Zaire
CG Republic of the Congo|Congo-Brazzaville|Congo (Brazzaville)
CI Côte d'Ivoire|Cote d'Ivoire|Ivory Coast
CN China|PRC|Mainland China
CV Cabo Verde|Cape Verde
CZ Czechia|Czech Republic
DE Germany|West Germany|FRG|BRD|Federal Republic of Germany
FM Micronesia
GB United Kingdom|UK|Great Britain|Britain
GM Gambia|The Gambia
IR Iran|Persia
KG Kyrgyzstan|Kirghizia|Kirgizia
KH Cambodia|Kampuchea
KP North Korea|DPRK|Korea, North|Korea (North)
KR South Korea|Korea|ROK|Korea, South|Korea (South)
LA Laos
LK Sri Lanka|Ceylon
MD Moldova
MK North Macedonia|Macedonia|FYROM
MM Myanmar|Burma|Burma (Myanmar)|Myanmar (Burma)
NL Netherlands|Holland
PS Palestine|State of Palestine|Palestinian Territories|Occupied Palestinian Territory
PS West Bank|Gaza Strip|Palestinian Authority
RU Russia
SY Syria
SZ Eswatini|Swaziland
TH Thailand|Siam
TL Timor-Leste|East Timor
TR Turkey|Türkiye|Turkiye
TW Taiwan|Republic of China|Chinese Taipei
TZ Tanzania
US United States|USA|America|United States of America
VA Vatican City|Holy See|Vatican|Vatican City State
VE Venezuela
VN Vietnam
WS Samoa|Western Samoa
XK Kosovo
ZW Zimbabwe|Rhodesia
SUHH Soviet Union|USSR|SSSR|CCCP|Union of Soviet Socialist Republics
SUHH Związek Radziecki|ZSRR|Советский Союз
YUCS Yugoslavia|SFRY|Socialist Federal Republic of Yugoslavia|Federal Republic of Yugoslavia
CSHH Czechoslovakia
DDDE German Democratic Republic|East Germany|GDR|DDR
CSXX Serbia and Montenegro
YDYE South Yemen|People's Democratic Republic of Yemen
"""
"""What no catalogue knows: a code, the name a new country place gets, then other names
people write for it (a code's further lines add names)."""

_TERRITORIES = {"XK": "XKX"}
"""Codes in common use that ISO 3166-1 has not assigned (user-assigned elements)."""

_OWN_PLACE = frozenset({"DDDE", "YUCS", "YDYE", "SKIN"})
"""Former countries with a successor code in ISO 3166-3 that were nonetheless states of
their own (absorbed or merged, not renamed): each stays a country of its own, like the
dissolved ones (whose codes end in HH or XX)."""

_DOTTED = re.compile(r"(?:[a-z] )+[a-z]")
_QUALIFIED = re.compile(r"(.+?)\s*\(([^()]+)\)\s*")


class _Index:
    """Codes and keyed names, each to one code (current alpha-2, or a former country's
    alpha-4)."""

    def __init__(self) -> None:
        import pycountry

        self.codes: dict[str, str] = {}  # code as typed (upper case) -> code
        self.names: dict[str, str] = {}  # name key -> code
        self.display: dict[str, str] = {}  # code -> the name a new country place gets
        self.former: dict[str, str] = {}  # code -> its name, for former countries
        self.english: dict[str, str] = {}  # catalogue msgid -> code
        current = {c.alpha_2 for c in pycountry.countries}
        for country in pycountry.countries:
            code = country.alpha_2
            self.codes.setdefault(code, code)
            self.codes.setdefault(country.alpha_3, code)
            numeric = getattr(country, "numeric", None)
            if numeric:
                self.codes.setdefault(numeric, code)
            for attr in ("common_name", "name", "official_name"):
                name = getattr(country, attr, None)
                if name:
                    self.english.setdefault(name, code)
            common = getattr(country, "common_name", None)
            self.display.setdefault(code, common or _uninverted(country.name))
        for code, alpha_3 in _TERRITORIES.items():
            self.codes.setdefault(code, code)
            self.codes.setdefault(alpha_3, code)
        historic = list(pycountry.historic_countries)
        numbers = [getattr(c, "numeric", None) for c in historic]
        for country in historic:
            alpha_4 = country.alpha_4
            successor = alpha_4[2:] if alpha_4[2:] != "AA" else country.alpha_2
            if alpha_4 in _OWN_PLACE or alpha_4.endswith(("HH", "XX")) or successor not in current:
                code = alpha_4
                self.former[code] = country.name
                self.display.setdefault(code, _short(country.name))
            else:
                code = successor
            self.codes.setdefault(alpha_4, code)
            self.codes.setdefault(country.alpha_3, code)
            numeric = getattr(country, "numeric", None)
            if numeric and numbers.count(numeric) == 1:  # 891 was two countries
                self.codes.setdefault(numeric, code)
            self.english.setdefault(country.name, code)
        # The extras first: their spellings win over a catalogue's reading of a name.
        named: set[str] = set()
        for line in _EXTRA.strip().splitlines():
            code, _, rest = line.partition(" ")
            spellings = rest.split("|")
            if code not in named:
                named.add(code)
                self.display[code] = spellings[0]
            for spelling in spellings:
                _add(self.names, spelling, code)
        # Whole names before the parts of others (``Congo`` is CG, not the first part
        # of ``Congo, The Democratic Republic of the``).
        for whole in (True, False):
            for name, code in self.english.items():
                for form in _forms(name, whole=whole):
                    _add(self.names, form, code)
        self._tiers: list[dict[str, str]] = []

    def tier(self, number: int) -> dict[str, str] | None:
        """The translated names of tier ``number`` (built when first asked for), or
        ``None`` past the last: 0 is the names in the languages most tables are
        written in, 1 every other language CLDR and pycountry's catalogues have."""
        while len(self._tiers) <= number < 2:
            first = not self._tiers
            self._tiers.append(
                _kept_tier(len(self._tiers), partial(self._translations, first=first))
            )
        return self._tiers[number] if number < 2 else None

    def _translations(self, *, first: bool) -> dict[str, str]:
        """Translated names, keyed; a key two countries share in different languages
        is left out (it names neither for sure)."""
        found: dict[str, str] = {}
        clashes: set[str] = set()
        known = [self.names, *self._tiers]
        keys: dict[str, str] = {}

        def add(text: str, code: str) -> None:
            key = keys.get(text)
            if key is None:
                key = keys[text] = _key(text)
            if not key or any(key in tier for tier in known):
                return
            if found.setdefault(key, code) != code:
                clashes.add(key)

        for language in _cldr_languages(first):
            for code, name in _cldr_names(language):
                if code in self.display and code not in self.former:
                    add(name, code)
        for catalogue in _catalogues(first):
            for msgid, text in catalogue.items():
                named = self.english.get(msgid)
                if named is not None:
                    for form in _forms(text):
                        add(form, named)
        for key in clashes:
            del found[key]
        return found

    def find(self, text: str) -> str | None:
        value = text.strip()
        code = self.codes.get(value.upper()) if value.isascii() else None
        if code is not None and (len(value) != 2 or value.isalpha()):
            return code
        keys = [_key(form) for form in _inputs(value)]
        for key in keys:
            found = self.names.get(key)
            if found is None and key.isalpha() and len(key) <= 4:
                found = self.codes.get(key.upper())  # dotted: U.S., U.K.
            if found is not None:
                return found
        number = 0
        while (names := self.tier(number)) is not None:
            for key in keys:
                found = names.get(key)
                if found is not None:
                    return found
            number += 1
        return None


def _kept_tier(number: int, build: Callable[[], dict[str, str]]) -> dict[str, str]:
    """Tier ``number``'s names as ``build`` makes them, kept in the user's cache folder
    from one run to the next.

    Building the second tier reads the names of some 130 languages (over half a second,
    which the first venue of an import that names no country pays); reading them back
    takes a hundredth of that. The file's name holds a digest of what the names come
    from (this module, and the installed Babel and pycountry), so that a change to any
    of them builds the tier again. A cache that cannot be read or written only costs
    the time to build."""
    path = _tier_path(number)
    if path is not None:
        try:
            kept = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            kept = None
        if isinstance(kept, dict) and all(
            isinstance(key, str) and isinstance(code, str) for key, code in kept.items()
        ):
            return kept
    found = build()
    if path is not None:
        temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            text = json.dumps(found, ensure_ascii=False, separators=(",", ":"))
            temporary.write_text(text, encoding="utf-8")
            os.replace(temporary, path)  # whole, for a reader running at the same time
        except OSError:
            with suppress(OSError):
                temporary.unlink()
    return found


def _tier_path(number: int) -> Path | None:
    """Where tier ``number`` is kept (``None``: the sources of its names cannot be read).

    Named by a digest of this module's text and of the files that hold the installed
    Babel's and pycountry's versions (their size and time: a new version rewrites
    them), so that every copy of the same tracker shares one file, and a tracker of
    another version, installed beside it, keeps its own. Babel is found, not imported
    (importing it takes longer than reading the names back)."""
    from importlib.util import find_spec

    import pycountry
    from platformdirs import user_cache_path

    babel = find_spec("babel")
    try:
        digest = hashlib.sha256(Path(__file__).read_bytes())
        for source in (babel and babel.origin, pycountry.__file__):
            found = os.stat(source or "")
            digest.update(f" {source} {found.st_size} {found.st_mtime_ns}".encode())
    except OSError:
        return None
    name = f"countries-{number}-{digest.hexdigest()[:16]}.json"
    return user_cache_path("tracker", appauthor=False) / name


FIRST_LANGUAGES = ("pl", "ru", "de", "fr", "es", "it", "uk", "pt", "nl", "cs", "ar", "zh")
"""The languages whose names are looked at before all others (most tables are written
in one of them); the others are loaded only when a name is not found in these."""


def _cldr_languages(first: bool) -> list[str]:
    """``FIRST_LANGUAGES``, or the other languages pycountry has catalogues for."""
    import pycountry
    from babel import localedata

    if first:
        return list(FIRST_LANGUAGES)
    known = set(localedata.locale_identifiers())
    return sorted(
        {
            name.split("_")[0]
            for name in os.listdir(pycountry.LOCALES_DIR)
            if name.split("_")[0] in known and name.split("_")[0] not in FIRST_LANGUAGES
        }
    )


def _cldr_names(language: str) -> Iterable[tuple[str, str]]:
    """The territory names of CLDR (the short names people write: ``Rosja``), as
    ``babel.localedata.load(language)`` has them: the locale's own over its parents'.

    Read from Babel's files directly: ``load`` merges every part of a locale's data
    with its parents' (the calendars, the number formats, ...) and keeps the result,
    which for the hundred and more languages of the second tier costs several times
    what reading their territories does. Babel's own cache is left alone (a locale
    cached without its parents would lack what other callers need)."""
    from babel.core import get_global

    chain = [language]
    exceptions = get_global("parent_exceptions")
    while chain[-1] != "root":
        name = chain[-1]
        chain.append(exceptions.get(name) or (name.rpartition("_")[0] or "root"))
    territories: dict[str, str] = {}
    for name in reversed(chain):
        territories.update(_own_territories(name))
    return territories.items()


@cache
def _own_territories(name: str) -> dict[str, str]:
    """The territory names in one of Babel's locale files (``root`` is read once)."""
    from babel import localedata

    with open(localedata.resolve_locale_filename(name), "rb") as handle:
        data: dict[str, Any] = pickle.load(handle)
    return dict(data.get("territories", {}))


def _catalogues(first: bool) -> Iterable[dict[str, str]]:
    """pycountry's gettext catalogues (official names, and former countries): the
    languages of ``FIRST_LANGUAGES``, or all the others."""
    import pycountry

    locales = pycountry.LOCALES_DIR
    for language in sorted(os.listdir(locales)):
        if (language.split("_")[0] in FIRST_LANGUAGES) != first:
            continue
        for domain in ("iso3166-1", "iso3166-3"):
            path = os.path.join(locales, language, "LC_MESSAGES", f"{domain}.mo")
            if os.path.exists(path):
                with open(path, "rb") as handle:
                    catalogue = gettext.GNUTranslations(handle)
                entries = catalogue._catalog  # type: ignore[attr-defined]
                yield {k: v for k, v in entries.items() if isinstance(k, str)}


def _add(index: dict[str, str], name: str, code: str) -> None:
    key = _key(name)
    if key:
        index.setdefault(key, code)


def _key(name: str) -> str:
    """A name's key as the index holds it: a dotted abbreviation joined up (``u s s r``
    is ``ussr``), a leading article dropped."""
    key = name_key(name)
    if _DOTTED.fullmatch(key):
        return key.replace(" ", "")
    if "the " in key:
        key = " ".join(word for word in key.split() if word != "the")
    return key


def _uninverted(name: str) -> str:
    """``Korea, Republic of`` as people say it: ``Republic of Korea``."""
    head, sep, tail = name.partition(", ")
    if not sep or "," in tail:
        return name
    return f"{tail} {head}"


def _short(name: str) -> str:
    """A former country's short name: ``USSR, Union of ...`` is ``USSR``."""
    return name.partition(", ")[0]


def _forms(name: str, *, whole: bool | None = None) -> Iterable[str]:
    """The names a catalogue's entry stands for: as written and uninverted (``whole``),
    and its parts: before any comma, without a parenthesised part."""
    if whole is not False:
        yield name
        if ", " in name:
            yield _uninverted(name)
    if whole is not True:
        if ", " in name:
            yield name.partition(", ")[0]
        match = _QUALIFIED.fullmatch(name)
        if match is not None:
            yield match.group(1)


def _inputs(text: str) -> Iterable[str]:
    """The readings of what a user typed: as written, and uninverted."""
    yield text
    if ", " in text:
        yield _uninverted(text)


@cache
def _index() -> _Index:
    return _Index()


def release() -> None:
    """Let go of the country names read so far (in every language): a big import does
    once it has planned its rows, so that its writing does not keep them in memory. A
    later lookup reads them again."""
    _index.cache_clear()


def find_country(text: str) -> str | None:
    """The code of the country ``text`` names (a code, or a name in any language as
    tables write it); ``None`` when it names none."""
    if not text or not text.strip():
        return None
    return _index().find(text)


def split_qualified(text: str) -> tuple[str, str | None] | None:
    """The country ``text`` names and the place within it that a qualifier in
    parentheses names (``Denmark (Greenland)``: ``DK`` and ``Greenland``); ``None``
    when no country is named."""
    code = find_country(text)
    if code is not None:
        return code, None
    match = _QUALIFIED.fullmatch(text.strip())
    if match is None:
        return None
    code = find_country(match.group(1))
    if code is None:
        return None
    within = " ".join(match.group(2).split())
    if find_country(within) == code:
        return code, None
    return code, within


def country_name(code: str) -> str | None:
    """The name a new country place with ``code`` gets (``None`` if the code is
    unknown)."""
    return _index().display.get(code.upper())


def is_code(text: str) -> bool:
    """Whether ``text`` is a code of a country this resolver knows (any case)."""
    return text.upper() in _index().display


def is_former(code: str) -> bool:
    """Whether ``code`` is a former country's (ISO 3166-3) code."""
    return code in _index().former


def resolve_country(
    text: str,
    field: str,
    stored: Callable[[str], Iterable[str]] | None = None,
) -> str:
    """The code of the country ``text`` names; raise InvalidInput naming ``field``.

    ``stored`` gives the codes of the stored country places a name finds (a user's own
    spelling, kept as an alias, wins over the catalogues)."""
    value = " ".join(text.split())
    if not value:
        raise InvalidInput(field, EXPECTED, text)
    found = _index().codes.get(value.upper()) if len(value) == 2 and value.isalpha() else None
    if found is not None:
        return found
    if stored is not None:
        codes = set(stored(value))
        if len(codes) == 1:
            return codes.pop()
    found = find_country(value)
    if found is None:
        raise InvalidInput(field, EXPECTED, text)
    return found
