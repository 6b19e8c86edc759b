"""A person's roles over time, as the trips they made in them show: a role given for a
trip (an import's ``traveller_role``) is the person's role on the trip's dates, and one
role held on several trips covers them all."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.dates import When, parse_when
from tracker.models import PersonRole


@dataclass
class Span:
    """A role's first and last day as EDTF (as precise as the trips that show it)."""

    start: str
    end: str

    def widened(self, start: str, end: str) -> Span:
        first = min((self.start, start), key=lambda edtf: parse_when(edtf).earliest)
        last = max((self.end, end), key=lambda edtf: parse_when(edtf).latest)
        return Span(first, last)


def span_of(when: When) -> tuple[str, str]:
    """The first and last day of a trip's dates, each as EDTF."""
    if when.start is not None:
        return when.start.edtf, (when.end or when.start).edtf
    return when.earliest.isoformat(), when.latest.isoformat()


def title_key(title: str) -> str:
    """Two titles are one role when they differ only in case and spacing."""
    return " ".join(title.casefold().split())


def hold_roles(session: Session, roles: Iterable[tuple[int, str, Span]]) -> None:
    """Record each ``(person id, title, span)``: a role the person has by that title is
    widened to cover the span; otherwise a new role is added."""
    wanted: dict[tuple[int, str], tuple[str, Span]] = {}
    for person, title, span in roles:
        known = wanted.get((person, title_key(title)))
        widened = known[1].widened(span.start, span.end) if known else span
        wanted[(person, title_key(title))] = (known[0] if known else title, widened)
    if not wanted:
        return
    people = sorted({person for person, _title in wanted})
    stored: dict[tuple[int, str], PersonRole] = {}
    for start in range(0, len(people), 500):
        chunk = people[start : start + 500]
        for held in session.scalars(select(PersonRole).where(PersonRole.person_id.in_(chunk))):
            stored.setdefault((held.person_id, title_key(held.title)), held)
    for (person, key), (title, span) in wanted.items():
        role = stored.get((person, key))
        if role is None:
            session.add(
                PersonRole(person_id=person, title=title, start_edtf=span.start, end_edtf=span.end)
            )
            continue
        if role.start_edtf is None or role.end_edtf is None:
            continue  # a role without a start or end already covers more than a trip
        covered = Span(role.start_edtf, role.end_edtf).widened(span.start, span.end)
        role.start_edtf, role.end_edtf = covered.start, covered.end
