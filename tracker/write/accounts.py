"""Writing accounts of a fact: add one, prefer one, delete one; and writing a record's
accounts from its canonical form (the document loader, ``seed``).

Every change goes through a :class:`~tracker.write.writer.Writer`: the meeting or visit
is touched before and reported after, so an account's change is a change of its
record (and of its change set, where history is kept).

The preferred account of a fact is the record's value: preferring another, or deleting
the preferred one, sets the record's field to the new preferred value (and a meeting
whose date or venue moves leaves a visit it no longer falls in, as `tracker edit`
does). A fact's first account is preferred unless the user chooses another.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker import fields
from tracker.accounts import (
    PLACE_FIELDS,
    by_field,
    field_named,
    no_value,
    preferred,
    same_value,
    value_of,
)
from tracker.canonical import canonical
from tracker.dates import parse_when
from tracker.durations import parse_duration
from tracker.errors import InvalidInput
from tracker.models import (
    Account,
    AccountSource,
    Meeting,
    Person,
    Place,
    Source,
    Visit,
)
from tracker.names import clean_name
from tracker.query.disputes import value_key
from tracker.vocab import AccountField, MeetingStatus, Outcome, ParticipantRole, choose
from tracker.write.apply import apply_field, set_value
from tracker.write.report import ChangeReport
from tracker.write.writer import Writer, day_part

Doc = dict[str, Any]
Lookup = Callable[[str, str], Any]

FIRST_RECORDED = "the value first recorded, credited to the record's sources"
JOINED = "the value of the visits joined into one trip, credited to its sources"


@dataclass
class AccountRequest:
    """What `tracker account add` is told: a fact, its value as typed, and who says so."""

    field: str
    value: str
    sources: list[str]
    quote: str | None = None
    speaker: str | None = None
    language: str | None = None
    note: str | None = None
    prefer: bool = False
    publisher: str | None = None
    source_title: str | None = None


def accounts_of(record: Meeting | Visit, name: str) -> list[Account]:
    """The accounts of one field of ``record``, in the order recorded."""
    return by_field(record.accounts).get(name, [])


def numbered(record: Meeting | Visit, name: str, number: int) -> Account:
    """Account ``number`` (from 1) of field ``name``; InvalidInput when there is none."""
    group = accounts_of(record, name)
    if not group:
        raise InvalidInput("field", f"a fact with accounts ({_with_accounts(record)})", name)
    if not 1 <= number <= len(group):
        raise InvalidInput("number", f"an account number from 1 to {len(group)}", number)
    return group[number - 1]


def _with_accounts(record: Meeting | Visit) -> str:
    names = sorted(by_field(record.accounts))
    return "this record has none" if not names else "this record has " + ", ".join(names)


# -- the commands ----------------------------------------------------------------------


def add_account(
    session: Session,
    record: Meeting | Visit,
    request: AccountRequest,
    *,
    report: ChangeReport | None = None,
) -> tuple[Account, list[str]]:
    """Record an account of a fact of ``record``; returns it and sentences saying what
    else changed.

    The first account of a fact whose stored value differs from it is added after an
    account of that stored value (credited to the record's sources): the value the
    record had is one account too, and it stays preferred unless ``request.prefer``.
    """
    from tracker.records import source_specs

    writer = Writer(session, report=report)
    name = field_named(record, request.field)
    value = typed_value(writer, record, name, request.value)
    quote = fields.text(request.quote, "quote")
    note = fields.text(request.note, "note")
    language = fields.language(request.language, "language")
    speaker = writer.person(request.speaker, "speaker") if request.speaker else None
    specs = source_specs(request.sources, request.publisher, request.source_title)
    if not specs:
        raise InvalidInput("source", "at least one source (a URL, or a publisher's name)")
    sources = [writer.source(*spec) for spec in specs]
    session.flush()
    writer.touch(record)
    lookup = _lookup(session)
    group = accounts_of(record, name)
    current = canonical(_section(record), record).get(name)
    if not group and not no_value(name, current) and not same_value(name, current, value):
        first = _new_account(record, name, current, lookup, position=0)
        first.preferred = True
        first.note = FIRST_RECORDED
        first.source_links = [
            AccountSource(source=source, position=i) for i, source in enumerate(record.sources)
        ]
        group = [first]
    account = _new_account(record, name, value, lookup, position=len(group))
    account.quote, account.speaker, account.language, account.note = quote, speaker, language, note
    account.source_links = [AccountSource(source=s, position=i) for i, s in enumerate(sources)]
    account.preferred = not group
    group.append(account)
    moved: list[str] = []
    if request.prefer or account.preferred:
        moved = _make_preferred(writer, record, group, account)
    writer.finish()
    return account, moved


def prefer_account(
    session: Session,
    record: Meeting | Visit,
    typed_field: str,
    number: int,
    *,
    report: ChangeReport | None = None,
) -> tuple[Account, list[str]]:
    """Make account ``number`` of a fact the preferred one, and the record's value."""
    writer = Writer(session, report=report)
    name = field_named(record, typed_field)
    account = numbered(record, name, number)
    writer.touch(record)
    moved = _make_preferred(writer, record, accounts_of(record, name), account)
    writer.finish()
    return account, moved


def delete_account(
    session: Session,
    record: Meeting | Visit,
    typed_field: str,
    number: int,
    *,
    report: ChangeReport | None = None,
) -> tuple[Account, list[str]]:
    """Delete account ``number`` of a fact. When it was the preferred one, the first of
    the others becomes preferred (and the record's value); the last one gone, the
    record keeps its value."""
    writer = Writer(session, report=report)
    name = field_named(record, typed_field)
    account = numbered(record, name, number)
    writer.touch(record)
    group = [a for a in accounts_of(record, name) if a is not account]
    was_preferred = preferred(accounts_of(record, name)) is account
    record.accounts.remove(account)
    for position, other in enumerate(group):
        other.position = position
    moved: list[str] = []
    if was_preferred and group:
        moved = _make_preferred(writer, record, group, group[0])
    writer.finish()
    return account, moved


def take_accounts(writer: Writer, gone: Visit, into: Visit) -> None:
    """The accounts of ``gone`` become accounts of ``into``, a visit it was joined to
    (one trip, so the same facts): each after ``into``'s own accounts of its fact, and
    preferred only where ``into`` had no account of that fact. Then each fact of
    ``into`` keeps the record's value as its preferred account: the one preferred, else
    the first that gives the value, else a new account of it, credited to the trip's
    sources (the joined trip's dates may be no source's)."""
    groups = by_field(into.accounts)
    for account in sorted(gone.accounts, key=lambda a: (a.field, a.position)):
        group = groups.setdefault(account.field, [])
        if any(other.visit is into for other in group):
            account.preferred = False
        account.position = len(group)
        group.append(account)
        account.visit = into
    record = canonical("visits", into)
    lookup = _lookup(writer.session)
    for name, group in groups.items():
        wanted = value_key(name, record.get(name))
        chosen = preferred(group)
        if chosen is None or chosen.value_key != wanted:
            chosen = next((a for a in group if a.value_key == wanted), None)
        if chosen is None:
            chosen = _new_account(into, name, record.get(name), lookup, position=len(group))
            chosen.note = JOINED
            chosen.source_links = [
                AccountSource(source=link.source, position=i)
                for i, link in enumerate(into.source_links)
            ]
            group.append(chosen)
        for account in group:
            account.preferred = account is chosen


def _make_preferred(
    writer: Writer, record: Meeting | Visit, group: Sequence[Account], chosen: Account
) -> list[str]:
    for account in group:
        account.preferred = account is chosen
    lookup = _lookup(writer.session)
    apply_field(record, chosen.field, _value_for_record(chosen), lookup)
    writer.session.flush()
    if isinstance(record, Meeting) and chosen.field in ("date", "venue"):
        moved = writer.keep_in_its_visit(record)
        return [moved] if moved else []
    return []


def _value_for_record(account: Account) -> Any:
    if account.field in PLACE_FIELDS:
        return account.place
    if account.field == AccountField.PARTICIPANTS.value:
        return [(p.person, p.side, p.role) for p in account.people]
    return value_of(account)


# -- values typed on the command line ---------------------------------------------------


def typed_value(writer: Writer, record: Meeting | Visit, name: str, text: str) -> Any:
    """The canonical value of ``text`` typed for field ``name`` (errors name ``value``)."""
    if not text.strip():
        raise InvalidInput("value", f"a value for {name}")
    if name == AccountField.DATE.value:
        when = parse_when(text, field="value")
        return (day_part(when) if isinstance(record, Visit) else when).edtf
    if name in PLACE_FIELDS:
        place = writer.place(text, "value")
        writer.session.flush()
        return place.uid
    if name == AccountField.DURATION.value:
        minutes, qualifier = parse_duration(text, "value")
        return {"minutes": minutes, "qualifier": qualifier.value}
    if name == AccountField.PARTICIPANTS.value:
        return _typed_participants(writer, record, text)
    if name == AccountField.OUTCOME.value:
        return choose(Outcome, text, "value").value
    if name == AccountField.STATUS.value:
        return choose(MeetingStatus, text, "value").value
    return fields.text(text, "value", required=True)


def _typed_participants(writer: Writer, record: Meeting | Visit, text: str) -> list[Doc]:
    """``NAME[:ROLE[:SIDE]], ...``: a person's role and side default to the ones the
    meeting gives them, else to the person's country as side."""
    assert isinstance(record, Meeting)
    known = {p.person_id: p for p in record.participants}
    people: list[Doc] = []
    seen: set[int] = set()
    for item in text.split(","):
        if not item.strip():
            continue
        name, _, rest = item.partition(":")
        role_text, _, side_text = rest.partition(":")
        person = writer.person(clean_name(name, "value"), "value")
        if person.id in seen:
            raise InvalidInput("value", "each person once", name.strip())
        seen.add(person.id)
        given = known.get(person.id)
        role = choose(ParticipantRole, role_text, "value").value if role_text.strip() else None
        side = clean_name(side_text, "value") if side_text.strip() else None
        people.append(
            {
                "person": person.uid,
                "side": side or (given.side if given else person.country),
                "role": role or (given.role if given else None),
            }
        )
    if not people:
        raise InvalidInput("value", "participants as NAME[:ROLE[:SIDE]], separated by commas")
    return people


# -- writing values -----------------------------------------------------------------------


def _new_account(
    record: Meeting | Visit, name: str, value: Any, lookup: Lookup, *, position: int
) -> Account:
    account = Account(field=name, position=position, preferred=False)
    set_value(account, value, lookup)
    record.accounts.append(account)
    return account


def _lookup(session: Session) -> Lookup:
    models: dict[str, Any] = {"places": Place, "people": Person, "sources": Source}

    def lookup(section: str, uid: str) -> Any:
        model = models[section]
        found = session.scalars(select(model).where(model.uid == uid)).first()
        if found is None:
            raise InvalidInput(section, "a stored record", uid)
        return found

    return lookup


def _section(record: Meeting | Visit) -> str:
    return "meetings" if isinstance(record, Meeting) else "visits"
