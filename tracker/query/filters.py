"""What a listing is narrowed to (``Filters``) and the WHERE conditions that ask it of
the meetings and the visits: dates that overlap, a place and every place under it, a
country, an envoy, a participant, a topic, an outcome, words to search for, a disputed
fact."""

from __future__ import annotations

import math
from datetime import timedelta

from sqlalchemy import (
    ColumnElement,
    Integer,
    column,
    exists,
    func,
    select,
    text,
)
from sqlalchemy.orm import Session

from tracker.countries import resolve_country
from tracker.errors import InvalidInput
from tracker.models import (
    Meeting,
    MeetingTopic,
    Participant,
    Place,
    Visit,
    span_days,
)
from tracker.names import find_places, name_key, resolve_person, resolve_place
from tracker.query.disputes import disputed_meetings_sql
from tracker.query.where import DateRange, Filters, date_range
from tracker.search import matching_meeting_ids
from tracker.vocab import Outcome, PlaceKind, choose

__all__ = ["DateRange", "Filters", "date_range", "meeting_conditions", "visit_conditions"]


def country_code(session: Session, value: str) -> str:
    """The code of the country ``value`` names (:func:`tracker.countries.resolve_country`):
    a code, a name in any language, a stored country place's name or alias, or a former
    country (``USSR`` is ``SUHH``: what was recorded under it)."""

    def stored(name: str) -> list[str]:
        return [
            place.country
            for place in find_places(session, name)
            if place.kind == PlaceKind.COUNTRY and place.country
        ]

    return resolve_country(value, "--country", stored)


def places_under(session: Session, name: str) -> set[int]:
    """The ids of the place ``name`` and of every place under it (via parents)."""
    root = resolve_place(session, name)
    children: dict[int, list[int]] = {}
    for place_id, parent_id in session.execute(select(Place.id, Place.parent_id)):
        if parent_id is not None:
            children.setdefault(parent_id, []).append(place_id)
    found = {root.id}
    pending = [root.id]
    while pending:
        for child in children.get(pending.pop(), []):
            if child not in found:
                found.add(child)
                pending.append(child)
    return found


def _overlap(
    session: Session, record: type[Meeting] | type[Visit], bounds: DateRange
) -> list[ColumnElement[bool]]:
    """The conditions for the records of ``record``'s table that overlap ``bounds``.

    Besides ``latest >= start``, ``earliest`` is bounded from below by the start minus
    the longest span stored (one lookup on ``ix_*_span``), so that the index on
    ``(earliest, latest)`` is read over a range that does not grow with the table.
    """
    conditions: list[ColumnElement[bool]] = []
    if bounds.earliest is not None:
        conditions.append(record.latest >= bounds.earliest)
        longest = session.scalar(select(func.max(span_days(record.earliest, record.latest))))
        if longest is not None:
            try:
                floor = bounds.earliest - timedelta(days=math.ceil(longest))
            except OverflowError:  # before year 1: no lower bound to add
                pass
            else:
                conditions.append(record.earliest >= floor)
    if bounds.latest is not None:
        conditions.append(record.earliest <= bounds.latest)
    return conditions


def meeting_conditions(session: Session, filters: Filters) -> list[ColumnElement[bool]]:
    """The WHERE conditions on ``Meeting`` that ``filters`` ask for (resolving names)."""
    conditions = _overlap(session, Meeting, date_range(filters))
    destination = (
        select(Visit.destination_id)
        .where(Visit.id == Meeting.visit_id)
        .correlate(Meeting)
        .scalar_subquery()
    )
    place_of_meeting = func.coalesce(Meeting.venue_id, destination)
    if filters.place is not None:
        conditions.append(place_of_meeting.in_(places_under(session, filters.place)))
    if filters.country is not None:
        code = country_code(session, filters.country)
        conditions.append(place_of_meeting.in_(select(Place.id).where(Place.country == code)))
    if filters.envoy is not None:
        # The meetings whose envoys (``taking_part``) include them: imported here, as
        # the envoys module reads the filters.
        from tracker.query.envoys import as_envoy

        envoy = resolve_person(session, filters.envoy, "--envoy")
        conditions.append(Meeting.id.in_(as_envoy(envoy.id)))
    if filters.with_person is not None:
        person = resolve_person(session, filters.with_person, "--with")
        conditions.append(
            Meeting.id.in_(select(Participant.meeting_id).where(Participant.person_id == person.id))
        )
    if filters.topic is not None:
        key = name_key(filters.topic)
        if not key:
            raise InvalidInput(
                "--topic", "a topic with at least one letter or digit", filters.topic
            )
        conditions.append(
            exists().where(MeetingTopic.meeting_id == Meeting.id, MeetingTopic.key == key)
        )
    if filters.outcome is not None:
        conditions.append(Meeting.outcome == choose(Outcome, filters.outcome, "--outcome").value)
    if filters.search is not None:
        conditions.append(Meeting.id.in_(matching_meeting_ids(session, filters.search)))
    if filters.disputed:
        disputed = text(disputed_meetings_sql()).columns(column("meeting_id", Integer))
        conditions.append(Meeting.id.in_(disputed))
    return conditions


def visit_conditions(session: Session, filters: Filters) -> list[ColumnElement[bool]]:
    """The WHERE conditions on ``Visit`` for ``--from``/``--to``/``--place``/``--country``."""
    conditions = _overlap(session, Visit, date_range(filters))
    if filters.place is not None:
        conditions.append(Visit.destination_id.in_(places_under(session, filters.place)))
    if filters.country is not None:
        code = country_code(session, filters.country)
        conditions.append(Visit.destination_id.in_(select(Place.id).where(Place.country == code)))
    return conditions
