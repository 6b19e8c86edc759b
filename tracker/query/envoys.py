"""The envoy rule for queries built with SQLAlchemy: ``taking_part`` and
``who_met_whom`` wrap the SQL of ``tracker.query.sides`` (the one rule) as subqueries,
for the reads and exports that still build their SQL with SQLAlchemy. The envoys'
visits and statistics are in ``tracker.query.travels``, on a plain read."""

from __future__ import annotations

from sqlalchemy import Boolean, Integer, Select, String, Subquery, column, select, text

from tracker.query.sides import TAKING_PART, WHO_MET_WHOM


def taking_part(name: str = "sides") -> Subquery:
    """Who took part in each meeting, and on which side (``tracker.query.sides``: the
    one rule every listing, filter, summary and export follows): ``meeting_id``,
    ``person_id``, ``side``, ``position``, and ``envoy``, true for the meeting's envoys
    (its participants in the role of envoy), false for its counterparts."""
    return (
        text(TAKING_PART)
        .columns(
            column("meeting_id", Integer),
            column("person_id", Integer),
            column("side", String),
            column("position", Integer),
            column("envoy", Boolean),
        )
        .subquery(name)
    )


def as_envoy(person_id: int) -> Select[tuple[int]]:
    """The ids of the meetings the person ``person_id`` took part in as an envoy."""
    sides = taking_part()
    return select(sides.c.meeting_id).where(sides.c.person_id == person_id, sides.c.envoy)


def who_met_whom() -> Subquery:
    """Who met whom (``tracker.query.sides``): a row per held meeting and ordered pair
    of its participants who met there: ``meeting_id``, ``person_id``, ``envoy`` (of
    that person) and ``other_id``."""
    return (
        text(WHO_MET_WHOM)
        .columns(
            column("meeting_id", Integer),
            column("person_id", Integer),
            column("envoy", Boolean),
            column("other_id", Integer),
        )
        .subquery("met")
    )
