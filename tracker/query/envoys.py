"""The envoy rule for queries built with SQLAlchemy: ``taking_part`` wraps the SQL of
``tracker.query.sides`` (the one rule) as a subquery, for the writes that build their
SQL with SQLAlchemy. The envoys' visits and statistics are in ``tracker.query.travels``,
on a plain read."""

from __future__ import annotations

from sqlalchemy import Boolean, Integer, String, Subquery, column, text

from tracker.query.sides import TAKING_PART


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
