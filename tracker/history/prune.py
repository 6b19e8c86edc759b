"""Pruning the history: change sets older than a time removed, the records they
touched left as they are. The prune is itself a change set, which says from when on
the history is complete (``--as-of`` reaches no further back)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from tracker.history.record import PRUNED_BEFORE
from tracker.models import Change, ChangeSet


def prune_history(session: Session, before: datetime) -> tuple[int, int]:
    """Remove the change sets made before ``before``; return how many change sets and
    record changes went."""
    old = select(ChangeSet.id).where(ChangeSet.at < before)
    changes = session.scalar(
        select(func.count()).select_from(Change).where(Change.change_set_id.in_(old))
    )
    sets = session.scalar(select(func.count()).select_from(ChangeSet).where(ChangeSet.at < before))
    session.execute(delete(Change).where(Change.change_set_id.in_(old)))
    session.execute(delete(ChangeSet).where(ChangeSet.at < before))
    session.info[PRUNED_BEFORE] = before
    return int(sets or 0), int(changes or 0)
