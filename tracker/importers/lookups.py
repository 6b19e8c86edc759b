"""The lookups of an import: the people, places, countries and sources its rows name,
found by the write layer's resolver and source identity, or planned as new (and then
listed: an import creates them only when it may)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from tracker.countries import find_country, resolve_country, split_qualified
from tracker.errors import InvalidInput
from tracker.importers.existing import Existing
from tracker.importers.plan import Id, Plan, Ref, new_uid
from tracker.importers.rows import RowError, RowErrors, name_key
from tracker.resolve import Resolution
from tracker.vocab import PlaceKind
from tracker.write.report import ChangeReport, NewName
from tracker.write.rules import PlaceInfo
from tracker.write.sources import identity

_COUNTRY = PlaceKind.COUNTRY.value

Source3 = tuple[str | None, str | None, str | None]
Where = tuple[str | None, Id | None, str | None, Id | None, Id | None, Id | None, str | None]
"""Where a row is: country code and place, region name and place, city, venue, and
what the venue is (``"city"``, ``"country"`` or ``None``: a venue of its own)."""


class Lookups:
    """Names and sources, as the rows of one import name them."""

    def __init__(self, existing: Existing, report: ChangeReport, now: datetime) -> None:
        self.existing = existing
        self.report = report
        self.now = now
        self.plan = Plan()
        self.file_uids: set[str] = set()
        self.codes: dict[str, tuple[str, str | None]] = {}
        self.named_countries: dict[tuple[str, str, Id | None], bool] = {}
        self.found_places: dict[tuple[str, tuple[str, ...], str | None, Id | None], Id] = {}
        self.found_where: dict[tuple[str | None, ...], Where] = {}
        # Lookups that cannot change while the import runs: a name that is a person's
        # whole name or alias (a new person never has a key a name found already), and
        # a source's identity.
        self.exact_people: dict[str, Id] = {}
        self.source_of: dict[Source3, Id] = {}
        self.new_people: dict[Id, NewName] = {}
        self.new_places: dict[Id, NewName] = {}
        # Countries found in the ISO 3166 table (by code or name): created without
        # asking, since they cannot be a misspelling, and named in the report.
        self.new_countries: dict[Id, NewName] = {}

    # People and places (lookups first, creation after the row is known to be good) ------

    def person(self, name: str, field_name: str) -> Id | None:
        """The one person ``name`` finds; ``None`` when it finds nobody."""
        result = self.existing.people.resolve(name)
        if len(result.found) > 1:
            listed = "; ".join(self.existing.people.describe(h) for h in result.found)
            raise RowError(field_name, f"one person, found {listed}", name)
        if result.found:
            return result.found[0]
        if result.look_alike:
            raise RowError(
                field_name,
                "a name that is not a look-alike of a known one; did you mean "
                + ", ".join(repr(s) for s in result.suggestions)
                + "?",
                name,
            )
        return None

    def new_person(self, name: str) -> Id:
        found = self.existing.people.resolve(name).found
        if found:
            return found[0]  # created by an earlier row of this file
        ref = Ref()
        self.plan.people.append((ref, (new_uid(), name, name_key(name), None)))
        self.existing.people.add(ref, None, [name], detail="no country", pending=True)
        self.existing.person_country[ref] = None
        self.new_people[ref] = NewName("person", name)
        self.report.added["people"] += 1
        return ref

    def country(self, text: str) -> tuple[str, Id | None, str | None]:
        """The code of the country ``text`` names, its stored country place (if any),
        and the place within it that a qualifier names (``Denmark (Greenland)``)."""
        found = self.codes.get(text)
        if found is None:
            found = self.codes[text] = self._country(text)
        code, within = found
        return code, self.existing.countries.get(code), within

    def _country(self, text: str) -> tuple[str, str | None]:
        try:
            return resolve_country(text, "country", self._stored_countries), None
        except InvalidInput as exc:
            qualified = split_qualified(text)
            if qualified is None:
                raise RowError("country", exc.expected, text) from None
            return qualified

    def _stored_countries(self, name: str) -> list[str]:
        places = self.existing.tree.places
        codes = []
        for p in self.existing.places.resolve(name).found:
            info = places.get(p)
            if info is not None and info.kind == _COUNTRY and info.country:
                codes.append(info.country)
        return codes

    def place(
        self, name: str, kinds: tuple[str, ...], country: str | None, parent: Id | None
    ) -> Id | None:
        """The existing place named ``name`` of one of ``kinds``, preferring those in
        ``country`` or under ``parent``; ``None`` when there is none."""
        memo = (name, kinds, country, parent)
        known = self.found_places.get(memo)
        if known is not None:
            return known
        found = self._place(name, kinds, country, parent)
        if found is not None:  # a miss is not kept: the row goes on to create the place
            self.found_places[memo] = found
        return found

    def _place(
        self, name: str, kinds: tuple[str, ...], country: str | None, parent: Id | None
    ) -> Id | None:
        tree = self.existing.tree
        result = self.existing.places.resolve(name)
        found = [p for p in result.found if p in tree.places and tree.places[p].kind in kinds]
        if country is not None:
            found = [p for p in found if tree.country_of(p) in (None, country)]
        if len(found) > 1 and parent is not None:
            under = [p for p in found if parent in tree.chain(p)]
            found = under or found
        if len(found) > 1 and country is not None:
            same = [p for p in found if tree.country_of(p) == country]
            found = same or found
        field_name = "city" if "city" in kinds else "venue"
        if len(found) > 1:
            names = "; ".join(
                f"{tree.places[p].name} ({tree.country_of(p) or 'no country'})" for p in found
            )
            raise RowError(field_name, f"one place, found {names}", name)
        if not found and not result.found and result.look_alike:
            raise RowError(
                field_name,
                "a name that is not a look-alike of a known one; did you mean "
                + ", ".join(repr(s) for s in result.suggestions)
                + "?",
                name,
            )
        return found[0] if found else None

    def new_place(
        self,
        name: str,
        kind: str,
        country: str | None,
        parent: Id | None,
        at: tuple[float | None, float | None] = (None, None),
    ) -> Ref:
        """Plan a new place (``at``: its latitude and longitude, when known)."""
        ref = Ref()
        values = (new_uid(), name, name_key(name), kind, country, *at)
        self.plan.places.append((ref, values, parent))
        self.existing.places.add(
            ref, None, [name], detail=f"{kind}, {country or 'no country'}", pending=True
        )
        self.existing.tree.add(ref, PlaceInfo(kind, parent, country, name))
        if kind == _COUNTRY and country:
            self.existing.countries.setdefault(country, ref)
        new = NewName("place", name)
        if kind == _COUNTRY:
            self.new_countries[ref] = new
        else:
            self.new_places[ref] = new
        self.report.added["places"] += 1
        return ref

    def source(self, spec: Source3) -> Id:
        known = self.source_of.get(spec)
        if known is not None:
            return known
        found = self.source_of[spec] = self._source(spec)
        return found

    def _source(self, spec: Source3) -> Id:
        key = identity(*spec)
        found = self.existing.sources.find(key)
        if found is not None:
            return found
        url, publisher, title = spec
        ref = Ref()
        self.plan.sources.append((ref, (new_uid(), url, publisher, title)))
        self.existing.sources.remember(key, ref)
        self.report.added["sources"] += 1
        return ref

    def refused(self) -> list[NewName]:
        """The new people and places, each with the nearest stored names."""
        found: list[NewName] = []
        for index, names in (
            (self.existing.places, self.new_places),
            (self.existing.people, self.new_people),
        ):
            for new in names.values():
                suggestions = index.suggest(Resolution(new.name))
                found.append(NewName(new.kind, new.name, tuple(suggestions)))
        return found

    def _people(self, names: Sequence[str], field_name: str) -> list[Id | None]:
        exact = self.exact_people
        if len(names) == 1:  # a name seen before, alone in its cell: most rows
            person = exact.get(names[0])
            if person is not None:
                return [person]
        found: list[Id | None] = [exact.get(name) for name in names]
        if None not in found:  # names seen before: most rows of a big file
            return found
        errors: list[RowError] = []
        for position, name in enumerate(names):
            if found[position] is None:
                try:
                    person = found[position] = self.person(name, field_name)
                except RowError as exc:
                    errors.append(exc)  # and the cell's other names are still looked up
                    continue
                index = self.existing.people
                if person is not None and index.by_key.get(index.key(name)) == [person]:
                    exact[name] = person
        if errors:
            raise RowErrors(errors)
        return found

    def _names_country(self, name: str, key: str, code: str, country: Id | None) -> bool:
        memo = (key, code, country)
        found = self.named_countries.get(memo)
        if found is None:
            places = self.existing.tree.places
            found = find_country(name) == code or (
                country is not None and name_key(places[country].name) == key
            )
            self.named_countries[memo] = found
        return found
