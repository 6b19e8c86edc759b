"""Loading a tracker/1 document through the write layer.

Each record is read into its canonical form (:mod:`tracker.record_reader`) and matched
to a stored record: by its uid, or, without one, by the rules every path uses (a person
or place by the name resolver, a source by its identity, a visit by the visit rule, a
meeting by the duplicate rule, a statement by its speaker, meeting and text). A matched
record is updated in the keys the document gives and nothing else (an absent
``aliases:`` keeps the aliases; a present list adds and removes what differs); an
unchanged one is not written at all. References by name go through the resolver,
which knows the records of this document too. Loading the same file twice changes
nothing the second time.

A person or place merged into another is followed there (through later merges of that
one): a reference to its uid names the kept record, and a record given with its uid
updates the kept record, unless the document holds the kept record too (or another
record merged into it, earlier), which then speaks for it. An undo, restoring records
as they were, gives a merged record back its own uid instead.

The first invalid record raises ``InvalidInput`` naming its path in the document; the
caller's transaction then writes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.accounts import (
    MEETING_FIELDS,
    PLACE_FIELDS,
    VISIT_FIELDS,
    by_field,
    preferred,
    same_value,
    value_of,
)
from tracker.canonical import LOAD_OPTIONS, MODELS, canonical
from tracker.dates import parse_when
from tracker.errors import Ambiguous, Deleted, InvalidInput, NotFound, TrackerError
from tracker.models import (
    Meeting,
    Person,
    Place,
    Source,
    Statement,
    Tombstone,
    Visit,
)
from tracker.record_reader import Reader, alias, derived_uid, duration, role, unique
from tracker.vocab import (
    AccountField,
    MeetingKind,
    MeetingStatus,
    Outcome,
    ParticipantRole,
    PlaceKind,
    StatementKind,
)
from tracker.write.apply import (
    apply_meeting,
    apply_person,
    apply_place,
    apply_source,
    apply_statement,
    apply_visit,
)
from tracker.write.merge import merged_into
from tracker.write.report import ChangeReport
from tracker.write.rules import shape
from tracker.write.sources import identity
from tracker.write.writer import ENVOY, Writer, deleted_reference

FORMAT = "tracker/1"
SECTIONS = ("people", "places", "sources", "visits", "meetings", "statements")
SINGULAR = {
    "people": "person",
    "places": "place",
    "sources": "source",
    "visits": "visit",
    "meetings": "meeting",
    "statements": "statement",
}

Doc = dict[str, Any]
Hook = Callable[[str, Any, Doc, Doc], Doc]
"""``seed`` decides what of a record to write: ``(section, stored record, its
canonical form, the document's) -> the form to write``."""


def load_document(
    session: Session,
    data: Mapping[str, Any],
    *,
    origin: str = "document",
    report: ChangeReport | None = None,
    decide: Hook | None = None,
    restoring: bool = False,
) -> ChangeReport:
    """Load a ``tracker/1`` document into the session; return what was done.

    Nothing is committed here: the caller owns the transaction (and rolls it back for
    a dry run or on error).
    """
    loader = Loader(session, origin, report or ChangeReport(), decide)
    loader.restoring = restoring
    loader.load(data)
    return loader.report


def load_record(
    session: Session, section: str, raw: Doc, *, report: ChangeReport | None = None
) -> Any:
    """Load one record of ``section`` (given with its uid), as a document holding only
    it would be, and return it. Errors name the record's own fields (``country``,
    ``aliases[1].lang``), as a command that fills them in names them."""
    prefix = f"{section}[0]"
    try:
        load_document(session, {"format": FORMAT, section: [raw]}, origin="", report=report)
    except TrackerError as exc:
        if exc.field and exc.field.startswith(f": {prefix}"):
            exc.field = exc.field[len(prefix) + 2 :].lstrip(".") or SINGULAR[section]
        raise
    model = MODELS[section]
    return session.scalars(select(model).where(model.uid == raw["uid"])).one()


class Loader:
    def __init__(
        self, session: Session, origin: str, report: ChangeReport, decide: Hook | None
    ) -> None:
        self.session = session
        self.origin = origin
        self.report = report
        self.decide = decide
        self.restoring = False  # an undo gives records back their own (merged) uids
        self.writer = Writer(session, report=report)
        self.objects: dict[str, dict[str, Any]] = {section: {} for section in SECTIONS}
        self.doc_uids: dict[str, set[str]] = {section: set() for section in SECTIONS}
        self.loaded: list[tuple[str, str]] = []  # (section, uid) of every record read
        self._stored: set[tuple[str, str]] = set()  # (section, uid) of the records stored
        self.merged: dict[str, str] = {}  # uids of people and places merged away
        # A merged-away uid -> the uid of the record it is now (``merged_into``).
        self.followed: dict[str, dict[str, str]] = {"people": {}, "places": {}}
        # The stored form of each place before the loader changed it (places are
        # counted once their parents are set).
        self._befores: dict[tuple[str, str], Doc | None] = {}
        self._written: list[tuple[str, str, Doc | None, Any]] = []

    def load(self, data: Mapping[str, Any]) -> None:
        if data.get("format") != FORMAT:
            raise InvalidInput(f"{self.origin}: format", f'"{FORMAT}"', data.get("format"))
        unknown = sorted(set(data) - {"format", *SECTIONS})
        if unknown:
            raise InvalidInput(
                f"{self.origin}: {unknown[0]}", "one of the sections " + ", ".join(SECTIONS)
            )
        sections: dict[str, list[Any]] = {}
        for section in SECTIONS:
            records = data.get(section) or []
            if not isinstance(records, list):
                raise InvalidInput(f"{self.origin}: {section}", "a list of records")
            sections[section] = records
            for raw in records:
                if isinstance(raw, dict) and isinstance(raw.get("uid"), str):
                    self.doc_uids[section].add(raw["uid"])
        for section in SECTIONS:
            with self.session.no_autoflush:
                getattr(self, f"_{section}")(sections[section])
            self.session.flush()
            # Each record written, reported in its state after (ids and uids now set).
            for name, uid, before, record in self._written:
                self.report.record(name, uid, before, canonical(name, record))
            self._written.clear()

    # Sections -------------------------------------------------------------------------

    def _people(self, records: list[Any]) -> None:
        for path, raw, uid in self._each("people", records):
            doc = Reader(path, raw)
            full: Doc = {
                "uid": uid,
                "name": doc.name("name"),
                "country": doc.country("country"),
                "wikidata": doc.wikidata("wikidata"),
                "notes": doc.text("notes"),
                "aliases": doc.items("aliases", alias),
                "roles": doc.items("roles", role),
            }
            doc.done()
            found = self._named("people", uid, full["name"], path)
            person = self._store("people", path, full, doc, found, Person, apply_person)
            if person is not None:
                self.writer.registered(person)

    def _places(self, records: list[Any]) -> None:
        pending: list[tuple[str, Doc, Reader, Any]] = []
        for path, raw, uid in self._each("places", records):
            doc = Reader(path, raw)
            full: Doc = {
                "uid": uid,
                "name": doc.name("name"),
                "kind": doc.choice("kind", PlaceKind, required=True),
                "country": doc.country("country"),
                "parent": None,
                "lat": doc.number("lat", -90, 90),
                "lon": doc.number("lon", -180, 180),
                "wikidata": doc.wikidata("wikidata"),
                "notes": doc.text("notes"),
                "aliases": doc.items("aliases", alias),
            }
            parent_ref = doc.text("parent", limit=200)
            doc.done()
            found = self._named("places", uid, full["name"], path)
            # Parents may come later in the document: every place is stored (with the
            # parent it has) first, so that a parent named by name is found.
            full["parent"] = found.parent.uid if found is not None and found.parent else None
            given = uid
            place = self._store("places", path, full, doc, found, Place, apply_place, quiet=True)
            if place is None:
                continue
            self.writer.registered(place)
            pending.append((path, full, doc, (parent_ref, given)))
        for path, full, doc, (parent_ref, given) in pending:
            if parent_ref is not None:
                full["parent"] = self._ref("places", parent_ref, f"{path}.parent")
                if full["parent"] == full["uid"]:
                    raise InvalidInput(f"{path}.parent", "another place than the place itself")
            place = self.objects["places"][full["uid"]]
            before = self._befores.pop(("places", full["uid"]))
            wanted = self._wanted("places", place, before, full, doc, given)
            if before is not None and wanted == before:
                self.report.record("places", full["uid"], before, before)
                continue
            apply_place(place, wanted)
            place.parent = self._object("places", wanted["parent"]) if wanted["parent"] else None
            self.session.flush()
            self.writer.registered(place)
            self.report.record("places", full["uid"], before, canonical("places", place))
        self._check_place_cycles(pending)

    def _sources(self, records: list[Any]) -> None:
        for path, raw, uid in self._each("sources", records):
            doc = Reader(path, raw)
            full: Doc = {
                "uid": uid,
                "url": doc.url("url"),
                "publisher": doc.text("publisher", limit=300),
                "title": doc.text("title", limit=1000),
                "published": doc.date("published"),
                "language": doc.lang("language"),
                "notes": doc.text("notes"),
            }
            doc.done()
            if not (full["url"] or full["publisher"] or full["title"]):
                raise InvalidInput(path, "a source with a url, a publisher or a title")
            found = None
            if uid not in self.objects["sources"] and "uid" not in raw:
                sid = self.writer.sources.find(
                    identity(full["url"], full["publisher"], full["title"])
                )
                found = self.session.get(Source, sid) if isinstance(sid, int) else None
            source = self._store("sources", path, full, doc, found, Source, apply_source)
            key = identity(source.url, source.publisher, source.title)
            self.writer.sources.remember(key, source)

    def _visits(self, records: list[Any]) -> None:
        for path, raw, uid in self._each("visits", records):
            doc = Reader(path, raw)
            full: Doc = {
                "uid": uid,
                "travellers": doc.items("travellers", self._traveller),
                "destination": self._optional_ref(doc, "places", "destination"),
                "date": doc.date("date", required=True),
                "purpose": doc.text("purpose"),
                "notes": doc.text("notes"),
                "sources": self._refs(doc, "sources", "sources"),
                "accounts": doc.items("accounts", self._account_reader(VISIT_FIELDS)),
            }
            doc.done()
            self._check_accounts(path, raw, full, "visits")
            if not full["travellers"]:
                raise InvalidInput(f"{path}.travellers", "at least one traveller")
            unique(full["travellers"], "person", f"{path}.travellers")
            found = None
            if uid not in self.objects["visits"] and "uid" not in raw:
                found = self._same_visit(full)
            self._store("visits", path, full, doc, found, Visit, self._with_refs(apply_visit))

    def _meetings(self, records: list[Any]) -> None:
        for path, raw, uid in self._each("meetings", records):
            doc = Reader(path, raw)
            topics = doc.list_of("topics", lambda p, v: Reader.name_value(p, v))
            full: Doc = {
                "uid": uid,
                "visit": self._optional_ref(doc, "visits", "visit"),
                "kind": doc.choice("kind", MeetingKind, default=MeetingKind.MEETING),
                "title": doc.text("title", required=True, limit=500),
                "date": doc.date("date", required=True),
                "venue": self._optional_ref(doc, "places", "venue"),
                "duration": doc.nested("duration", duration),
                "participants": doc.items("participants", self._participant),
                "topics": list(dict.fromkeys(topics)),
                "outcome": doc.choice("outcome", Outcome, default=Outcome.UNKNOWN),
                "outcome_summary": doc.text("outcome_summary"),
                "status": doc.choice("status", MeetingStatus, default=MeetingStatus.HELD),
                "notes": doc.text("notes"),
                "sources": self._refs(doc, "sources", "sources"),
                "accounts": doc.items("accounts", self._account_reader(MEETING_FIELDS)),
            }
            doc.done()
            unique(full["participants"], "person", f"{path}.participants")
            self._check_accounts(path, raw, full, "meetings")
            found = None
            if uid not in self.objects["meetings"] and "uid" not in raw:
                found = self._same_meeting(full, "kind" in raw)
            self._store("meetings", path, full, doc, found, Meeting, self._with_refs(apply_meeting))

    def _statements(self, records: list[Any]) -> None:
        for path, raw, uid in self._each("statements", records):
            doc = Reader(path, raw)
            speaker = doc.text("speaker", required=True, limit=200)
            full: Doc = {
                "uid": uid,
                "speaker": self._ref("people", speaker or "", f"{path}.speaker"),
                "meeting": self._optional_ref(doc, "meetings", "meeting"),
                "kind": doc.choice("kind", StatementKind, default=StatementKind.QUOTE),
                "date": doc.date("date", required=True),
                "language": doc.lang("language"),
                "text": doc.text("text", required=True),
                "notes": doc.text("notes"),
                "sources": self._refs(doc, "sources", "sources"),
            }
            doc.done()
            found = None
            if uid not in self.objects["statements"] and "uid" not in raw:
                found = self._same_statement(full)
            self._store(
                "statements", path, full, doc, found, Statement, self._with_refs(apply_statement)
            )

    # Records --------------------------------------------------------------------------

    def _each(self, section: str, records: list[Any]) -> Iterator[tuple[str, Any, str]]:
        seen: set[str] = set()
        uids = [r.get("uid") for r in records if isinstance(r, dict)]
        self._prefetch(section, [u for u in uids if isinstance(u, str)])
        for index, raw in enumerate(records):
            path = f"{self.origin}: {section}[{index}]"
            if not isinstance(raw, dict):
                raise InvalidInput(path, f"a {SINGULAR[section]} record (a mapping)")
            uid = raw.get("uid")
            if uid is None:
                uid = derived_uid(SINGULAR[section], raw)
            elif not isinstance(uid, str) or not _valid_uid(uid):
                raise InvalidInput(f"{path}.uid", "1-64 letters, digits, '.', '_', ':' or '-'", uid)
            if uid in seen:
                raise InvalidInput(f"{path}.uid", "a uid not used twice in one document", uid)
            seen.add(uid)
            yield path, raw, uid

    def _prefetch(self, section: str, uids: list[str]) -> None:
        model = MODELS[section]
        options = LOAD_OPTIONS.get(section, ())
        for start in range(0, len(uids), 500):
            chunk = uids[start : start + 500]
            query = select(model).where(model.uid.in_(chunk)).options(*options)
            for record in self.session.scalars(query):
                self.objects[section][record.uid] = record
            if section in ("people", "places"):
                gone = select(Tombstone.uid, Tombstone.label).where(
                    Tombstone.kind == SINGULAR[section], Tombstone.uid.in_(chunk)
                )
                for uid, label in self.session.execute(gone):
                    self.merged[uid] = label
                    if uid not in self.objects[section] and not self.restoring:
                        self._follow(section, uid)

    def _store(
        self,
        section: str,
        path: str,
        full: Doc,
        doc: Reader,
        found: Any,
        model: type[Any],
        apply: Callable[[Any, Doc], None],
        *,
        quiet: bool = False,
    ) -> Any:
        """Add the record, or update the stored one in the keys the document gives.
        ``found`` is the stored record matched without a uid (the document's record
        then takes its uid). ``quiet``: counted later (places, after their parents)."""
        uid = full["uid"]
        existing = self.objects[section].get(uid)
        if existing is None and found is not None:
            existing = found
            full["uid"] = uid = found.uid
            if section in ("people", "places"):
                # Found by its name: the name is how the record was found, not a change.
                full["name"] = found.name
        given = uid
        kept = self.followed.get(section, {}).get(uid)
        if existing is None and kept is not None:
            # A person or place merged into another: the kept record stands for it,
            # unless a record of this document (its own, or another merged into it,
            # earlier) writes the kept record.
            if kept in self.doc_uids[section] or (section, kept) in self._stored:
                stored = canonical(section, self.objects[section][kept])
                self.report.record(section, kept, stored, stored)
                return None
            existing = self.objects[section][kept]
            full["uid"] = uid = kept
        if existing is None and uid in self.merged and not self.restoring:
            # A person or place merged away, whose chain of merges ends at no record:
            # its uid is never given again.
            raise Deleted(SINGULAR[section], uid, self.merged[uid], field=f"{path}.uid")
        self._stored.add((section, uid))
        if existing is not None:
            before: Doc | None = canonical(section, existing)
            wanted = self._wanted(section, existing, before, full, doc, given)
        else:
            before = None
            wanted = dict(full)
            if self.decide is not None:
                wanted = self.decide(section, None, {}, wanted)
        self.loaded.append((section, uid))
        if quiet:
            self._befores[(section, uid)] = before
        record = existing if existing is not None else model(uid=uid)
        self.objects[section][uid] = record
        if existing is not None and wanted == before:
            if not quiet:
                self.report.record(section, uid, before, before)
            return record
        apply(record, wanted)
        if existing is None:
            self.session.add(record)
        if not quiet:
            self._written.append((section, uid, before, record))
        return record

    def _wanted(
        self,
        section: str,
        existing: Any,
        before: Doc | None,
        full: Doc,
        doc: Reader,
        given: str | None = None,
    ) -> Doc:
        """What a stored record becomes: as it is, with the keys the document gives.
        ``seed`` decides on the record under the uid the document gave (``given``: a
        merged-away uid for the kept record that stands for it)."""
        if before is None:
            return dict(full)
        wanted = {**before, **doc.carried(full)}
        if self.decide is not None:
            wanted = self.decide(
                section, existing, before, {**wanted, "uid": given or before["uid"]}
            )
        wanted["uid"] = before["uid"]
        return wanted

    # Matching records given without a uid ---------------------------------------------

    def _named(self, section: str, uid: str, name: str, path: str) -> Any:
        """The stored person or place a record without a uid names, if any."""
        if uid in self.objects[section] or uid in self.doc_uids[section]:
            return None
        index = self.writer.people if section == "people" else self.writer.places
        result = index.resolve(name)
        if len(result.found) > 1:
            index.one(name, f"{path}.name")
        if not result.found:
            return None
        model = Person if section == "people" else Place
        found = result.found[0]
        return found if isinstance(found, model) else self.session.get(model, found)

    def _same_visit(self, full: Doc) -> Visit | None:
        if full["destination"] is None:
            return None
        when = parse_when(full["date"])
        travellers = [self._object("people", t["person"]).id for t in full["travellers"]]
        destination = self._object("places", full["destination"])
        return self.writer.visit_to_join(destination, travellers, when.earliest, when.latest)

    def _same_meeting(self, full: Doc, kind_stated: bool) -> Meeting | None:
        when = parse_when(full["date"])
        people = {p["person"]: self._object("people", p["person"]).id for p in full["participants"]}
        envoys = [people[p["person"]] for p in full["participants"] if p["role"] == ENVOY]
        others = [people[p["person"]] for p in full["participants"] if p["role"] != ENVOY]
        venue = self._object("places", full["venue"]).id if full["venue"] else None
        destination = None
        if full["visit"]:
            destination = self._object("visits", full["visit"]).destination_id
        candidate = shape(
            self.writer.tree,
            None,
            full["kind"] if kind_stated else None,
            when.earliest,
            when.latest,
            venue,
            destination,
            envoys,
            others,
        )
        found = self.writer.duplicates(candidate)
        return found[0] if found else None

    def _same_statement(self, full: Doc) -> Statement | None:
        speaker = self._object("people", full["speaker"])
        meeting = self._object("meetings", full["meeting"]) if full["meeting"] else None
        return self.writer.same_statement(speaker, meeting, full["text"])

    # References -----------------------------------------------------------------------

    def _ref(self, section: str, ref: str, path: str) -> str:
        """The uid that ``ref`` (a uid, or a name for people and places) stands for."""
        if not isinstance(ref, str) or not ref.strip():
            raise InvalidInput(path, f"a {SINGULAR[section]} uid or name", ref)
        ref = ref.strip()
        followed = self.followed.get(section, {}).get(ref)
        if followed is not None:
            return followed
        if ref in self.objects[section] or ref in self.doc_uids[section]:
            return ref
        model = MODELS[section]
        stored = self.session.scalars(
            select(model).where(model.uid == ref).options(*LOAD_OPTIONS.get(section, ()))
        ).first()
        if stored is not None:
            self.objects[section][ref] = stored
            return ref
        if section in ("people", "places"):
            index = self.writer.people if section == "people" else self.writer.places
            result = index.resolve(ref)
            if len(result.found) > 1:
                raise Ambiguous(
                    SINGULAR[section], ref, [index.describe(h) for h in result.found], field=path
                )
            if result.found:
                handle = result.found[0]
                record = handle if isinstance(handle, model) else self.session.get(model, handle)
                assert record is not None
                self.objects[section][record.uid] = record
                return str(record.uid)
            kept = self._follow(section, ref)
            if kept is not None:
                return kept
            merged = deleted_reference(self.session, SINGULAR[section], uid=ref)
            if merged is not None:
                raise Deleted(SINGULAR[section], ref, merged, field=path)
            raise NotFound(SINGULAR[section], ref, result.suggestions, field=path)
        deleted = deleted_reference(self.session, SINGULAR[section], uid=ref)
        if deleted is not None:
            raise Deleted(SINGULAR[section], ref, deleted, field=path)
        raise NotFound(SINGULAR[section], ref, field=path)

    def _follow(self, section: str, uid: str) -> str | None:
        """The uid of the record that the merged-away ``uid`` is now, if any (kept in
        :attr:`followed`, the record in :attr:`objects`)."""
        kept = merged_into(self.session, SINGULAR[section], uid)
        if kept is None:
            return None
        self.objects[section].setdefault(kept.uid, kept)
        self.followed[section][uid] = kept.uid
        return str(kept.uid)

    def _optional_ref(self, doc: Reader, section: str, key: str) -> str | None:
        ref = doc.text(key, limit=200)
        return None if ref is None else self._ref(section, ref, f"{doc.path}.{key}")

    def _refs(self, doc: Reader, section: str, key: str) -> list[str]:
        refs = doc.list_of(key, lambda p, v: self._ref(section, v, p))
        return list(dict.fromkeys(refs))

    def _object(self, section: str, uid: str) -> Any:
        if uid not in self.objects[section]:
            self._ref(section, uid, section)
        return self.objects[section][uid]

    def _traveller(self, reader: Reader) -> Doc:
        person = reader.text("person", required=True, limit=200) or ""
        return {
            "person": self._ref("people", person, f"{reader.path}.person"),
            "role": reader.text("role", limit=100),
        }

    def _participant(self, reader: Reader) -> Doc:
        person = reader.text("person", required=True, limit=200) or ""
        role_value = reader.choice("role", ParticipantRole)
        return {
            "person": self._ref("people", person, f"{reader.path}.person"),
            "side": reader.text("side", limit=100),
            "role": role_value,
        }

    def _account_reader(self, allowed: Sequence[str]) -> Callable[[Reader], Doc]:
        def read(reader: Reader) -> Doc:
            name = reader.choice("field", AccountField, required=True)
            if name not in allowed:
                raise InvalidInput(f"{reader.path}.field", "one of " + ", ".join(allowed), name)
            chosen = reader.get("preferred")
            if chosen is not None and not isinstance(chosen, bool):
                raise InvalidInput(f"{reader.path}.preferred", "true or false", chosen)
            return {
                "field": name,
                "value": self._account_value(reader, str(name)),
                "preferred": bool(chosen),
                "sources": self._refs(reader, "sources", "sources"),
                "quote": reader.nested("quote", self._quote),
                "note": reader.text("note"),
            }

        return read

    def _account_value(self, reader: Reader, name: str) -> Any:
        path = f"{reader.path}.value"
        if name == AccountField.DATE.value:
            return reader.date("value", required=True)
        if name in PLACE_FIELDS:
            ref = reader.text("value", required=True, limit=200) or ""
            return self._ref("places", ref, path)
        if name == AccountField.DURATION.value:
            value = reader.nested("value", duration)
            if value is None:
                raise InvalidInput(path, "a duration with minutes and a qualifier")
            return value
        if name == AccountField.PARTICIPANTS.value:
            people = reader.items("value", self._participant)
            if not people:
                raise InvalidInput(path, "at least one participant")
            unique(people, "person", path)
            return people
        if name == AccountField.OUTCOME.value:
            return reader.choice("value", Outcome, required=True)
        if name == AccountField.STATUS.value:
            return reader.choice("value", MeetingStatus, required=True)
        return reader.text("value", required=True)

    def _quote(self, reader: Reader) -> Doc:
        speaker = reader.text("speaker", limit=200)
        return {
            "text": reader.text("text"),
            "speaker": None
            if speaker is None
            else self._ref("people", speaker, f"{reader.path}.speaker"),
            "language": reader.lang("language"),
        }

    def _check_accounts(self, path: str, raw: Mapping[str, Any], full: Doc, section: str) -> None:
        """A fact with accounts has the value of its preferred one: a record that gives
        both must agree with itself, and one that gives only the value must agree with
        the accounts stored. Without accounts, the key is left out (as the canonical
        form leaves it out)."""
        stored = self.objects[section].get(full["uid"])
        if not full["accounts"] and (stored is None or not stored.accounts):
            del full["accounts"]  # "accounts": [] clears the accounts stored, if any
        # Stored accounts are read back field by field (in the order recorded within
        # each): the document's are taken in that order, so that loading it again
        # finds them unchanged.
        full.get("accounts", []).sort(key=lambda account: account["field"])
        groups: dict[str, list[Doc]] = {}
        for account in full.get("accounts", []):
            groups.setdefault(account["field"], []).append(account)
        for name, group in groups.items():
            marked = [a for a in group if a["preferred"]]
            if len(marked) > 1:
                raise InvalidInput(f"{path}.accounts", f"one preferred account of {name}")
            if not marked:
                group[0]["preferred"] = True
            chosen = next(a for a in group if a["preferred"])
            if name in raw and not same_value(name, full[name], chosen["value"]):
                raise InvalidInput(
                    f"{path}.{name}", f"the value of its preferred account, {chosen['value']!r}"
                )
        if stored is None or "accounts" in raw:
            return
        for name, stored_group in by_field(stored.accounts).items():
            chosen_account = preferred(stored_group)
            if name in raw and chosen_account is not None:
                value = value_of(chosen_account)
                if not same_value(name, full[name], value):
                    raise InvalidInput(
                        f"{path}.{name}",
                        f"the value of its preferred account, {value!r} (change the"
                        " accounts to change it)",
                    )

    def _with_refs(
        self, apply: Callable[[Any, Doc, Callable[[str, str], Any]], None]
    ) -> Callable[[Any, Doc], None]:
        return lambda record, doc: apply(record, doc, self._object)

    def _check_place_cycles(self, pending: Sequence[tuple[str, Doc, Reader, Any]]) -> None:
        for path, full, _doc, _parent in pending:
            seen = {full["uid"]}
            place = self.objects["places"][full["uid"]].parent
            while place is not None:
                if place.uid in seen:
                    raise InvalidInput(f"{path}.parent", "a chain of parents without a cycle")
                seen.add(place.uid)
                place = place.parent


def _valid_uid(uid: str) -> bool:
    from tracker import fields

    try:
        fields.uid(uid, "uid")
    except InvalidInput:
        return False
    return True
