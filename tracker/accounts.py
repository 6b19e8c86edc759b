"""Accounts of a fact: what each source says a meeting's or a visit's date, venue,
duration, participants, outcome, summary or status was.

A fact may carry several accounts; the preferred one is the record's value. A fact is
*disputed* when its accounts give more than one value (two sources giving the same
value agree). Values are kept in their canonical form, as the tracker/1 document writes
the record's own key: an EDTF text for a date, ``{"minutes", "qualifier"}`` for a
duration, a place's uid for a venue or destination, ``[{"person", "side", "role"}]``
for participants, the text of an outcome, summary or status.

This module holds the rules over values (which fields a record has, how a value reads
and compares); :mod:`tracker.write.accounts` changes accounts through the write layer.
Which facts are disputed is one question, asked of the database by every view
(:mod:`tracker.query.disputes`); the listings here take its answer.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from tracker.errors import InvalidInput
from tracker.models import Account, AccountPerson, AccountSource, Meeting, Visit
from tracker.query.display import shown_value
from tracker.query.disputes import RecordKind, disputed_fields, value_key
from tracker.vocab import AccountField

Doc = dict[str, Any]

MEETING_FIELDS = (
    AccountField.DATE.value,
    AccountField.VENUE.value,
    AccountField.DURATION.value,
    AccountField.PARTICIPANTS.value,
    AccountField.OUTCOME.value,
    AccountField.OUTCOME_SUMMARY.value,
    AccountField.STATUS.value,
)
VISIT_FIELDS = (AccountField.DATE.value, AccountField.DESTINATION.value)
PLACE_FIELDS = (AccountField.VENUE.value, AccountField.DESTINATION.value)

# Other names a user may type for a field: the option of `tracker edit` that sets it.
_TYPED = {"place": {"meeting": "venue", "visit": "destination"}, "summary": "outcome_summary"}


def fields_of(record: Meeting | Visit) -> tuple[str, ...]:
    return MEETING_FIELDS if isinstance(record, Meeting) else VISIT_FIELDS


def field_named(record: Meeting | Visit, typed: str, field: str = "field") -> str:
    """The field ``typed`` names on ``record`` (``place`` and ``summary`` as `tracker
    edit` calls them are understood too)."""
    kind = "meeting" if isinstance(record, Meeting) else "visit"
    wanted = "_".join(typed.strip().casefold().replace("-", " ").split())
    alias = _TYPED.get(wanted)
    if isinstance(alias, dict):
        wanted = alias[kind]
    elif isinstance(alias, str):
        wanted = alias
    allowed = fields_of(record)
    if wanted not in allowed:
        raise InvalidInput(field, f"a fact a {kind} has: {', '.join(allowed)}", typed)
    return wanted


# -- values -----------------------------------------------------------------------------


def value_of(account: Account) -> Any:
    """The account's value in its canonical form."""
    if account.field in PLACE_FIELDS:
        return account.place.uid if account.place is not None else None
    if account.field == AccountField.PARTICIPANTS.value:
        return [{"person": p.person.uid, "side": p.side, "role": p.role} for p in account.people]
    return json.loads(account.value) if account.value is not None else None


def stored_value(field: str, value: Any) -> str | None:
    """The ``value`` column for a value of ``field`` (places and people have their own
    columns)."""
    if field in PLACE_FIELDS or field == AccountField.PARTICIPANTS.value:
        return None
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def same_value(field: str, first: Any, second: Any) -> bool:
    """Whether two values of ``field`` say the same."""
    return value_key(field, first) == value_key(field, second)


def no_value(field: str, value: Any) -> bool:
    """A value that states nothing: empty, or an outcome recorded as unknown."""
    if value is None or value == [] or value == "":
        return True
    return field == AccountField.OUTCOME.value and value == "unknown"


# -- facts ------------------------------------------------------------------------------


def by_field(accounts: Iterable[Account]) -> dict[str, list[Account]]:
    """Accounts grouped by field, each group in the order recorded."""
    groups: dict[str, list[Account]] = {}
    for account in sorted(accounts, key=lambda a: (a.field, a.position)):
        groups.setdefault(account.field, []).append(account)
    return groups


def preferred(group: Sequence[Account]) -> Account | None:
    """The preferred account of one field's accounts (the first, if none is marked)."""
    for account in group:
        if account.preferred:
            return account
    return group[0] if group else None


# -- how a value reads ------------------------------------------------------------------


def shown(account: Account) -> str:
    """The account's value as people read it (``shown_value``)."""
    field = account.field
    if field in PLACE_FIELDS:
        return shown_value(field, None, place=account.place.name if account.place else None)
    if field == AccountField.PARTICIPANTS.value:
        return shown_value(field, None, people=[p.person.name for p in account.people])
    return shown_value(field, value_of(account))


# -- listing ----------------------------------------------------------------------------

ACCOUNT_KEYS = (
    "field",
    "n",
    "preferred",
    "disputed",
    "value",
    "canonical",
    "sources",
    "quote",
    "speaker",
    "language",
    "note",
)


def source_label(account: Account) -> list[str]:
    """Each source of ``account`` as one line names it: its URL, else its publisher
    (else title)."""
    from tracker.query.display import source_name

    return [source_name(link.source) for link in account.source_links]


@dataclass(frozen=True)
class Fact:
    """One fact of a record that has accounts: its field, whether it is disputed, its
    accounts in the order recorded (numbered from 1 as `account prefer` takes them) and
    the preferred one."""

    field: str
    disputed: bool
    accounts: list[Account]
    chosen: Account | None


def facts(
    record_fields: Sequence[str],
    accounts: Iterable[Account],
    disputes: Collection[str],
    name: str | None = None,
) -> list[Fact]:
    """The facts that ``accounts`` (all of one record's) speak of, in the record's field
    order (``record_fields``); of field ``name`` only, if given. ``disputes`` names the
    record's disputed facts, as the database answers it
    (:func:`tracker.query.disputes.disputed_fields`, the one question every view asks)."""
    groups = by_field(accounts)
    return [
        Fact(field, field in disputes, groups[field], preferred(groups[field]))
        for field in record_fields
        if field in groups and (name is None or field == name)
    ]


def account_rows(session: Session, record: Meeting | Visit, name: str | None = None) -> list[Doc]:
    """One row per account of ``record`` (of field ``name`` only, if given), fields in
    the record's order, each field's accounts numbered from 1 in the order recorded."""
    session.flush()  # the question is asked of the stored accounts
    kind: RecordKind = "meeting" if isinstance(record, Meeting) else "visit"
    disputes: Collection[str] = disputed_fields(session, [record.id], kind).get(record.id, ())
    rows: list[Doc] = []
    for fact in facts(fields_of(record), record.accounts, disputes, name):
        for number, account in enumerate(fact.accounts, start=1):
            rows.append(
                {
                    "field": fact.field,
                    "n": number,
                    "preferred": account is fact.chosen,
                    "disputed": fact.disputed,
                    "value": shown(account),
                    "canonical": value_of(account),
                    "sources": source_label(account),
                    "quote": account.quote,
                    "speaker": account.speaker.name if account.speaker is not None else None,
                    "language": account.language,
                    "note": account.note,
                }
            )
    return rows


def meeting_accounts(session: Session, meeting_ids: Sequence[int]) -> dict[int, list[Account]]:
    """The accounts of many meetings in one query (for a page of meetings: ``facts``
    reads them as it reads one record's), with their places, people, speakers and
    sources loaded; keyed by meeting id, meetings without accounts left out."""
    found: dict[int, list[Account]] = {}
    if not meeting_ids:
        return found
    query = (
        select(Account)
        .where(Account.meeting_id.in_(meeting_ids))
        .order_by(Account.meeting_id, Account.field, Account.position)
        .options(
            selectinload(Account.place),
            selectinload(Account.speaker),
            selectinload(Account.people).selectinload(AccountPerson.person),
            selectinload(Account.source_links).selectinload(AccountSource.source),
        )
    )
    for account in session.scalars(query):
        assert account.meeting_id is not None
        found.setdefault(account.meeting_id, []).append(account)
    return found
