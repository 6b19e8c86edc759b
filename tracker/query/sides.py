"""The one rule for who is an envoy of a meeting and who a counterpart, and who met whom
by it, written once as SQL that runs on SQLite and PostgreSQL alike. The SQLAlchemy
queries (``tracker.query.envoys``) and the plain reads (``tracker.query.where``) both
embed this text; nothing here imports SQLAlchemy.

``TAKING_PART``: a row per meeting and participant (``meeting_id``, ``person_id``,
``side``, ``position``) with ``envoy``, true when they are one of the meeting's envoys,
false when a counterpart.

A meeting's envoys are its participants in the role ``envoy``: the people who took part
in it as envoys, whoever travelled. The travellers of its visit are not its envoys for
being on the trip: a traveller who did not take part (Kirill Dmitriev flew to Anchorage
but is no participant of the summit) is neither envoy nor counterpart, and an envoy
without a recorded visit of theirs is still an envoy (Steve Witkoff at Anchorage, and at
the Shell Bay talks with Rustem Umerov, who travelled). So ``timeline --envoy Witkoff``
lists every meeting Witkoff took part in as an envoy, the summit included, and
``counterparts Witkoff`` counts the same meetings; an envoy of the other side keeps the
role the record gives them (Dmitriev, Putin's envoy, is an envoy of the Kremlin talks,
not a counterpart). It is also how a meeting is written: ``log -e`` makes its envoys
participants in the role ``envoy``, and a meeting joining a visit makes none of its
travellers envoys, so a meeting reads back as it was logged.

``WHO_MET_WHOM``: a row per held meeting and ordered pair of its participants who met
there (``meeting_id``, ``person_id``, ``envoy`` as ``TAKING_PART`` says of that person,
``other_id``): both took part, on different sides, or either of them on no side (sides
compare ignoring case). Members of one delegation do not meet each other by sitting at
the same table; an announced, postponed or cancelled meeting is not a meeting anyone
had. ``tracker counterparts`` reads the pairs whose first member is an envoy; the
network export reads each pair once.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from typing import TypeVar

from tracker.vocab import MeetingStatus, ParticipantRole

P = TypeVar("P", bound=Hashable)


def is_envoy(participant: str) -> str:
    """The condition that the row ``participant`` (a name of ``meeting_participant``)
    is one of its meeting's envoys: NULL, not true, for a participant with no role."""
    return f"{participant}.role = '{ParticipantRole.ENVOY.value}'"


def envoy_role(role: str | None) -> bool:
    """``is_envoy`` in Python, of a participant's ``role``: true for an envoy, false for
    every other participant (any other role, or none)."""
    return role == _ENVOY


_ENVOY = ParticipantRole.ENVOY.value


TAKING_PART = (
    "SELECT meeting_id, person_id, side, position,"
    f" CASE WHEN {is_envoy('meeting_participant')} THEN TRUE ELSE FALSE END AS envoy"
    " FROM meeting_participant"
)

_NO_SIDE = "({0}.side IS NULL OR {0}.side = '')"

WHO_MET_WHOM = (
    "SELECT one.meeting_id, one.person_id, one.envoy, other.person_id AS other_id"
    f" FROM ({TAKING_PART}) AS one"
    f" JOIN ({TAKING_PART}) AS other"
    " ON other.meeting_id = one.meeting_id AND other.person_id <> one.person_id"
    f" AND ({_NO_SIDE.format('one')} OR {_NO_SIDE.format('other')}"
    " OR lower(one.side) <> lower(other.side))"
    " JOIN meeting AS held ON held.id = one.meeting_id"
    f" WHERE held.status = '{MeetingStatus.HELD.value}'"
)


def sides(participants: Iterable[tuple[P, bool]]) -> tuple[list[P], list[P]]:
    """The envoys of a meeting and its counterparts, from its participants (in order),
    each with ``envoy`` as ``TAKING_PART`` gives it: the envoys, then every other
    participant, each once."""
    taking = list(participants)
    envoys = list(dict.fromkeys(person for person, envoy in taking if envoy))
    counterparts = list(dict.fromkeys(p for p, _envoy in taking if p not in envoys))
    return envoys, counterparts
