"""Which facts of which meetings (or visits) are disputed: the one question every view
asks of the accounts.

A fact is *disputed* when its accounts give more than one value (``tracker.accounts``:
two sources giving the same value agree, so their accounts share a ``value_key``). The
database answers it, grouped by record and field, in SQL written once (``_DISPUTES``):
``disputed_fields`` for a batch of records (the ``disputed`` column and the marks of the
timeline, ``tracker show``), and ``disputed_meetings_sql`` as a subquery (``--disputed``,
the disputed durations of ``tracker stats``). Either runs on a plain read
(``tracker.sql.Reader``) or on a SQLAlchemy session; nothing here imports SQLAlchemy
until a session asks.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal, cast

from tracker.cells import ListCell
from tracker.vocab import AccountField

if TYPE_CHECKING:
    from sqlalchemy import Connection
    from sqlalchemy.orm import Session

    from tracker.sql import Reader

RecordKind = Literal["meeting", "visit"]

FIELD_ORDER: dict[str, int] = {
    name.value: index
    for index, name in enumerate(
        (
            AccountField.DATE,
            AccountField.VENUE,
            AccountField.DESTINATION,
            AccountField.DURATION,
            AccountField.PARTICIPANTS,
            AccountField.OUTCOME,
            AccountField.OUTCOME_SUMMARY,
            AccountField.STATUS,
        )
    )
}
"""The order disputed fields are listed in: a record's facts as `tracker show` lists them."""

_DISPUTES = (
    "SELECT {record}_id, field FROM account WHERE {record}_id IS NOT NULL{only}"
    " GROUP BY {record}_id, field HAVING count(DISTINCT value_key) > 1"
)
"""``(record id, field)`` for every disputed fact of the meetings (or visits): the
accounts of one fact with more than one value. ``{only}`` narrows the accounts read."""


def disputed_meetings_sql(field: AccountField | None = None) -> str:
    """A SELECT of ``meeting_id``: the meetings with a disputed fact (of ``field``, when
    given), for ``meeting.id IN (...)``. It takes no parameter."""
    only = "" if field is None else f" AND field = '{AccountField(field).value}'"
    return f"SELECT DISTINCT meeting_id FROM ({_DISPUTES.format(record='meeting', only=only)}) d"


def disputed_fields(
    read: Reader | Session | Connection, ids: Sequence[int], kind: RecordKind = "meeting"
) -> dict[int, ListCell]:
    """The disputed facts of each of the meetings (or visits) ``ids`` that has one, as
    field names in the order of ``FIELD_ORDER``: one statement, whatever the number of
    ids (callers pass a batch)."""
    if not ids:
        return {}
    rows: list[Any]
    if hasattr(read, "sql"):  # a plain read
        plain = cast("Reader", read)
        only = " AND " + plain.sql.among(f"{kind}_id", "ids")
        rows = plain.all(_DISPUTES.format(record=kind, only=only), {"ids": plain.sql.ids(ids)})
    else:
        from sqlalchemy import bindparam, text

        only = f" AND {kind}_id IN :ids"
        query = text(_DISPUTES.format(record=kind, only=only))
        query = query.bindparams(bindparam("ids", expanding=True))
        rows = list(read.execute(query, {"ids": list(ids)}))
    found: dict[int, ListCell] = {}
    for record_id, field in rows:
        found.setdefault(record_id, ListCell()).append(field)
    for fields in found.values():
        fields.sort(key=FIELD_ORDER.__getitem__)
    return found
