"""The controlled vocabularies of the event model.

Each is a ``StrEnum`` whose values are what the database stores, what the document
format writes and what the command line accepts.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TypeVar

from tracker.errors import InvalidInput


class PlaceKind(StrEnum):
    COUNTRY = "country"
    REGION = "region"
    CITY = "city"
    VENUE = "venue"


class MeetingKind(StrEnum):
    TALKS = "talks"
    MEETING = "meeting"
    SUMMIT = "summit"
    CALL = "call"
    WORKING_MEAL = "working-meal"
    WALK = "walk"
    PRESS_EVENT = "press-event"
    OTHER = "other"


class DurationQualifier(StrEnum):
    EXACT = "exact"
    ABOUT = "about"
    AT_LEAST = "at-least"
    AT_MOST = "at-most"


class ParticipantRole(StrEnum):
    ENVOY = "envoy"
    HOST = "host"
    PRINCIPAL = "principal"
    DELEGATE = "delegate"
    ADVISER = "adviser"
    INTERPRETER = "interpreter"
    OBSERVER = "observer"


class Outcome(StrEnum):
    AGREEMENT = "agreement"
    PARTIAL_AGREEMENT = "partial-agreement"
    NO_AGREEMENT = "no-agreement"
    POSTPONED = "postponed"
    UNKNOWN = "unknown"


class MeetingStatus(StrEnum):
    ANNOUNCED = "announced"
    HELD = "held"
    CANCELLED = "cancelled"
    POSTPONED = "postponed"


class AccountField(StrEnum):
    """The facts of a meeting or a visit that can carry competing accounts, named as
    the tracker/1 document names them."""

    DATE = "date"
    VENUE = "venue"
    DESTINATION = "destination"
    DURATION = "duration"
    PARTICIPANTS = "participants"
    OUTCOME = "outcome"
    OUTCOME_SUMMARY = "outcome_summary"
    STATUS = "status"


class StatementKind(StrEnum):
    QUOTE = "quote"
    READOUT = "readout"
    ASSESSMENT = "assessment"
    REACTION = "reaction"


E = TypeVar("E", bound=StrEnum)


def choose(enum: type[E], value: str, field: str) -> E:
    """The member of ``enum`` that ``value`` names (case and ``_``/space-insensitive).

    Raises InvalidInput naming ``field`` and listing the accepted values.
    """
    wanted = "-".join(value.strip().casefold().replace("_", " ").split())
    for member in enum:
        if member.value == wanted:
            return member
    raise InvalidInput(field, "one of " + ", ".join(m.value for m in enum), value)
