"""``seed``: the bundled seed documents, loaded so that local edits survive.

Each seeded record's canonical form is kept (``seed_record``) as ``seed`` last wrote it.
The next ``seed`` compares, field by field, the stored record with that form: a field
still as seeded takes the new seed's value (a newer tracker corrects its seed data); a
field the user changed since is kept, and reported. A record missing from the database
is added. A record that has no kept form (seeded by a tracker before this one, or added
by hand with a seed's uid) keeps every field in which it differs from the seed.

A seeded person or place merged into another record (a stub an import made, say) is
followed there by the loader: the kept record stands for the seeded one. It is
compared with the form kept under the seed's uid, so a field the merge brought over as
seeded follows a newer seed, and one in which the kept record differs (its own name,
the aliases the merge gave it) is the user's: kept, and reported under the kept
record's uid. The form stays under the seed's uid; the kept record gets none of its own.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.document import parse_document_text
from tracker.loader import load_document
from tracker.models import SeedRecord
from tracker.write.report import ChangeReport, Kept

Doc = dict[str, Any]


def seed_documents() -> Iterator[tuple[str, Doc]]:
    """The bundled seed documents (package data of ``seeds``), by file name."""
    from importlib.resources import files

    folder = files("seeds").joinpath("data")
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith((".yaml", ".yml", ".json")):
            yield (
                entry.name,
                parse_document_text(entry.read_text(encoding="utf-8"), origin=entry.name),
            )


def seed(session: Session) -> ChangeReport:
    """Load every seed document (see the module's docstring); return what was done."""
    report = ChangeReport()
    for name, document in seed_documents():
        _Seeder(session).load(document, f"seeds/{name}", report)
    return report


class _Seeder:
    def __init__(self, session: Session) -> None:
        self.session = session
        self.baselines: dict[tuple[str, str], SeedRecord] = {
            (row.section, row.uid): row for row in session.scalars(select(SeedRecord))
        }
        self.seeded: dict[tuple[str, str], Doc] = {}
        self.kept: dict[tuple[str, str], tuple[str, ...]] = {}

    def load(self, document: Doc, origin: str, report: ChangeReport) -> None:
        load_document(self.session, document, origin=origin, report=report, decide=self.decide)
        for (section, uid), form in self.seeded.items():
            text = json.dumps(form, ensure_ascii=False, sort_keys=True)
            stored = self.baselines.get((section, uid))
            if stored is None:
                self.session.add(SeedRecord(section=section, uid=uid, document=text))
            elif stored.document != text:
                stored.document = text
        for (section, uid), fields in self.kept.items():
            report.kept.append(Kept(section, uid, fields))
        self.session.flush()

    def decide(self, section: str, record: Any, stored: Doc, seeded: Doc) -> Doc:
        """The form to write: the seed's, except in the fields the user changed.
        ``seeded`` carries the seed's uid, ``stored`` the record's (another when the
        seeded record was merged into it)."""
        uid = str(seeded["uid"])
        self.seeded[(section, uid)] = dict(seeded)
        if record is None:
            return seeded
        baseline_row = self.baselines.get((section, uid))
        baseline = json.loads(baseline_row.document) if baseline_row is not None else None
        wanted = dict(seeded)
        kept: list[str] = []
        for key, value in seeded.items():
            if key == "uid" or stored.get(key) == value:
                continue
            changed_here = baseline is None or stored.get(key) != baseline.get(key)
            if changed_here:
                wanted[key] = stored.get(key)
                kept.append(key)
        where = (section, str(stored["uid"]))
        if kept:
            self.kept[where] = tuple(sorted(kept))
        else:
            self.kept.pop(where, None)
        return wanted
