"""The document format ``tracker/1``: a lossless reader and writer.

A document is a mapping::

    {"format": "tracker/1", "people": [...], "places": [...], "sources": [...],
     "visits": [...], "meetings": [...], "statements": [...]}

Records refer to each other by uid, or by name for people and places. The reader is
idempotent by uid: loading a document twice changes nothing, and loading a corrected
document updates the records it names. Each record is first turned into its canonical
form (every key present, references as uids) and compared with the canonical form of
the stored record, so an unchanged record is not written at all.

The first invalid record raises ``InvalidInput`` naming its path in the document
(``meetings[3].duration.qualifier``); the caller's transaction then writes nothing.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from tracker.dates import parse_when
from tracker.errors import Ambiguous, InvalidInput, NotFound
from tracker.models import (
    Meeting,
    MeetingSource,
    MeetingTopic,
    Participant,
    Person,
    PersonAlias,
    PersonRole,
    Place,
    PlaceAlias,
    Source,
    Statement,
    StatementSource,
    Visit,
    VisitSource,
    VisitTraveller,
)
from tracker.names import clean_name, find_people, find_places, name_key
from tracker.vocab import (
    DurationQualifier,
    MeetingKind,
    MeetingStatus,
    Outcome,
    ParticipantRole,
    PlaceKind,
    StatementKind,
    choose,
)

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
R = TypeVar("R")

_UID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}")
_COUNTRY = re.compile(r"[A-Z]{2}")
_LANG = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})*")
_URL = re.compile(r"https?://[^\s\x00-\x1f\x7f]+", re.IGNORECASE)
_WIKIDATA = re.compile(r"Q[1-9][0-9]{0,11}")

MAX_TEXT = 100_000


# -- the report -----------------------------------------------------------------------


@dataclass
class LoadReport:
    """What loading a document did (or, in a dry run, would do), per section."""

    added: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    unchanged: Counter[str] = field(default_factory=Counter)

    def count(self, outcome: str, section: str) -> None:
        getattr(self, outcome)[section] += 1

    @property
    def totals(self) -> dict[str, int]:
        return {
            "added": sum(self.added.values()),
            "updated": sum(self.updated.values()),
            "unchanged": sum(self.unchanged.values()),
        }

    def as_dict(self) -> dict[str, dict[str, int]]:
        return {
            outcome: {s: getattr(self, outcome)[s] for s in SECTIONS}
            for outcome in ("added", "updated", "unchanged")
        }


# -- reading --------------------------------------------------------------------------


def parse_document_text(text: str, *, origin: str, kind: str | None = None) -> Doc:
    """Parse JSON or YAML text into a document mapping, within the bounds and rules of
    ``tracker.structured`` (no aliases, bounded nesting, each key once, text as written).

    ``kind`` is ``json`` or ``yaml``; when ``None`` it is guessed from ``origin``'s
    extension, then from the text.
    """
    if kind is None:
        lowered = origin.lower()
        if lowered.endswith(".json"):
            kind = "json"
        elif lowered.endswith((".yaml", ".yml")):
            kind = "yaml"
        else:
            kind = "json" if text.lstrip().startswith(("{", "[")) else "yaml"
    from tracker.structured import parse_text  # loads yaml: only when a document is read

    data = parse_text(text, origin=origin, kind=kind)
    if not isinstance(data, dict):
        raise InvalidInput(origin, f'a mapping with "format": "{FORMAT}"')
    return data


def load_document(
    session: Session, data: Mapping[str, Any], *, origin: str = "document"
) -> LoadReport:
    """Load a ``tracker/1`` document into the session; return what was done.

    Nothing is committed here: the caller owns the transaction (and rolls it back for
    a dry run or on error).
    """
    return _Loader(session, origin).load(data)


class _Loader:
    def __init__(self, session: Session, origin: str) -> None:
        self.session = session
        self.origin = origin
        self.report = LoadReport()
        # uid -> ORM object for every record of this document (and those referenced)
        self.objects: dict[str, dict[str, Any]] = {section: {} for section in SECTIONS}
        # uids defined in this document, and name key -> uids of its people and places
        self.doc_uids: dict[str, set[str]] = {section: set() for section in SECTIONS}
        self.doc_names: dict[str, dict[str, list[str]]] = {"people": {}, "places": {}}

    # The entry point --------------------------------------------------------------

    def load(self, data: Mapping[str, Any]) -> LoadReport:
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
        self._index_names(sections)
        with self.session.no_autoflush:
            self._people(sections["people"])
            self._places(sections["places"])
            self._sources(sections["sources"])
        self.session.flush()
        with self.session.no_autoflush:
            self._visits(sections["visits"])
        self.session.flush()
        with self.session.no_autoflush:
            self._meetings(sections["meetings"])
        self.session.flush()
        with self.session.no_autoflush:
            self._statements(sections["statements"])
        self.session.flush()
        return self.report

    # Sections ---------------------------------------------------------------------

    def _people(self, records: list[Any]) -> None:
        for path, raw, uid in self._each("people", records):
            doc = _Reader(path, raw)
            canonical: Doc = {
                "uid": uid,
                "name": doc.name("name"),
                "country": doc.country("country"),
                "wikidata": doc.pattern("wikidata", _WIKIDATA, "a Wikidata id such as Q7747"),
                "notes": doc.text("notes"),
                "aliases": doc.items("aliases", _alias),
                "roles": doc.items("roles", _role),
            }
            doc.done()
            self._store("people", uid, canonical, Person, person_to_doc, _apply_person)

    def _places(self, records: list[Any]) -> None:
        pending: list[tuple[str, Doc, str | None]] = []
        for path, raw, uid in self._each("places", records):
            doc = _Reader(path, raw)
            canonical: Doc = {
                "uid": uid,
                "name": doc.name("name"),
                "kind": doc.choice("kind", PlaceKind, required=True),
                "country": doc.country("country"),
                "parent": None,
                "lat": doc.number("lat", -90, 90),
                "lon": doc.number("lon", -180, 180),
                "notes": doc.text("notes"),
                "aliases": doc.items("aliases", _alias),
            }
            parent_ref = doc.text("parent", limit=200)
            doc.done()
            pending.append((path, canonical, parent_ref))
        # Parents may come later in the document: resolve them once all are known.
        for path, canonical, parent_ref in pending:
            if parent_ref is not None:
                canonical["parent"] = self._ref("places", parent_ref, f"{path}.parent")
                if canonical["parent"] == canonical["uid"]:
                    raise InvalidInput(f"{path}.parent", "another place than the place itself")
        for _path, canonical, _parent in pending:
            self._store("places", canonical["uid"], canonical, Place, place_to_doc, _apply_place)
        for _path, canonical, _parent in pending:
            place = self.objects["places"][canonical["uid"]]
            parent = canonical["parent"]
            place.parent = self._object("places", parent) if parent else None
        self._check_place_cycles(pending)

    def _sources(self, records: list[Any]) -> None:
        for path, raw, uid in self._each("sources", records):
            doc = _Reader(path, raw)
            published = doc.date("published")
            canonical: Doc = {
                "uid": uid,
                "url": doc.pattern("url", _URL, "an http:// or https:// URL", limit=2000),
                "publisher": doc.text("publisher", limit=300),
                "title": doc.text("title", limit=1000),
                "published": published,
                "language": doc.lang("language"),
                "notes": doc.text("notes"),
            }
            doc.done()
            if not (canonical["url"] or canonical["publisher"] or canonical["title"]):
                raise InvalidInput(path, "a source with a url, a publisher or a title")
            self._store("sources", uid, canonical, Source, source_to_doc, _apply_plain)

    def _visits(self, records: list[Any]) -> None:
        for path, raw, uid in self._each("visits", records):
            doc = _Reader(path, raw)
            canonical: Doc = {
                "uid": uid,
                "travellers": doc.items("travellers", self._traveller),
                "destination": self._optional_ref(doc, "places", "destination"),
                "date": doc.date("date", required=True),
                "purpose": doc.text("purpose"),
                "notes": doc.text("notes"),
                "sources": self._refs(doc, "sources", "sources"),
            }
            doc.done()
            if not canonical["travellers"]:
                raise InvalidInput(f"{path}.travellers", "at least one traveller")
            _unique(canonical["travellers"], "person", f"{path}.travellers")
            self._store("visits", uid, canonical, Visit, visit_to_doc, self._apply_visit)

    def _meetings(self, records: list[Any]) -> None:
        for path, raw, uid in self._each("meetings", records):
            doc = _Reader(path, raw)
            topics = doc.list_of("topics", lambda p, v: _Reader.name_value(p, v))
            canonical: Doc = {
                "uid": uid,
                "visit": self._optional_ref(doc, "visits", "visit"),
                "kind": doc.choice("kind", MeetingKind, default=MeetingKind.MEETING),
                "title": doc.text("title", required=True, limit=500),
                "date": doc.date("date", required=True),
                "venue": self._optional_ref(doc, "places", "venue"),
                "duration": doc.nested("duration", _duration),
                "participants": doc.items("participants", self._participant),
                "topics": list(dict.fromkeys(topics)),
                "outcome": doc.choice("outcome", Outcome, default=Outcome.UNKNOWN),
                "outcome_summary": doc.text("outcome_summary"),
                "status": doc.choice("status", MeetingStatus, default=MeetingStatus.HELD),
                "notes": doc.text("notes"),
                "sources": self._refs(doc, "sources", "sources"),
            }
            doc.done()
            _unique(canonical["participants"], "person", f"{path}.participants")
            self._store("meetings", uid, canonical, Meeting, meeting_to_doc, self._apply_meeting)

    def _statements(self, records: list[Any]) -> None:
        for path, raw, uid in self._each("statements", records):
            doc = _Reader(path, raw)
            speaker = doc.text("speaker", required=True, limit=200)
            canonical: Doc = {
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
            self._store(
                "statements", uid, canonical, Statement, statement_to_doc, self._apply_statement
            )

    # Records ----------------------------------------------------------------------

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
                uid = _derived_uid(section, raw)
            elif not isinstance(uid, str) or not _UID.fullmatch(uid):
                raise InvalidInput(f"{path}.uid", "1-64 letters, digits, '.', '_', ':' or '-'", uid)
            if uid in seen:
                raise InvalidInput(f"{path}.uid", "a uid not used twice in one document", uid)
            seen.add(uid)
            yield path, raw, uid

    def _prefetch(self, section: str, uids: list[str]) -> None:
        model = _MODELS[section]
        options = _LOAD_OPTIONS.get(section, ())
        for start in range(0, len(uids), 500):
            chunk = uids[start : start + 500]
            query = select(model).where(model.uid.in_(chunk)).options(*options)
            for record in self.session.scalars(query):
                self.objects[section][record.uid] = record

    def _store(
        self,
        section: str,
        uid: str,
        canonical: Doc,
        model: type[Any],
        to_doc: Callable[[Any], Doc],
        apply: Callable[[Any, Doc], None],
    ) -> None:
        existing = self.objects[section].get(uid)
        if existing is not None and to_doc(existing) == canonical:
            self.report.count("unchanged", section)
            return
        record = existing if existing is not None else model(uid=uid)
        apply(record, canonical)
        if existing is None:
            self.session.add(record)
            self.objects[section][uid] = record
            self.report.count("added", section)
        else:
            self.report.count("updated", section)

    # References -------------------------------------------------------------------

    def _index_names(self, sections: Mapping[str, list[Any]]) -> None:
        for section in SECTIONS:
            for raw in sections[section]:
                if isinstance(raw, dict) and isinstance(raw.get("uid"), str):
                    self.doc_uids[section].add(raw["uid"])
        for section in ("people", "places"):
            for raw in sections[section]:
                if isinstance(raw, dict) and isinstance(raw.get("name"), str):
                    uid = raw.get("uid") if isinstance(raw.get("uid"), str) else None
                    names = [raw["name"]]
                    for alias in raw.get("aliases") or []:
                        if isinstance(alias, dict) and isinstance(alias.get("name"), str):
                            names.append(alias["name"])
                    for name in names:
                        key = name_key(name)
                        if key and uid:
                            self.doc_names[section].setdefault(key, []).append(uid)

    def _ref(self, section: str, ref: str, path: str) -> str:
        """The uid that ``ref`` (a uid, or a name for people and places) stands for."""
        if not isinstance(ref, str) or not ref.strip():
            raise InvalidInput(path, f"a {SINGULAR[section]} uid or name", ref)
        ref = ref.strip()
        if ref in self.objects[section] or ref in self.doc_uids[section]:
            return ref
        model = _MODELS[section]
        stored = self.session.scalars(
            select(model).where(model.uid == ref).options(*_LOAD_OPTIONS.get(section, ()))
        ).first()
        if stored is not None:
            self.objects[section][ref] = stored
            return ref
        if section in self.doc_names:
            in_doc = list(dict.fromkeys(self.doc_names[section].get(name_key(ref), [])))
            if len(in_doc) == 1:
                return in_doc[0]
            if len(in_doc) > 1:
                raise Ambiguous(SINGULAR[section], ref, in_doc, field=path)
            finder = find_people if section == "people" else find_places
            found: Sequence[Person | Place] = finder(self.session, ref)
            if len(found) == 1:
                self.objects[section][found[0].uid] = found[0]
                return found[0].uid
            if found:
                candidates = [f"{r.name} (uid {r.uid})" for r in found]
                raise Ambiguous(SINGULAR[section], ref, candidates, field=path)
        raise NotFound(SINGULAR[section], ref, field=path)

    def _optional_ref(self, doc: _Reader, section: str, key: str) -> str | None:
        ref = doc.text(key, limit=200)
        return None if ref is None else self._ref(section, ref, f"{doc.path}.{key}")

    def _refs(self, doc: _Reader, section: str, key: str) -> list[str]:
        refs = doc.list_of(key, lambda p, v: self._ref(section, v, p))
        return list(dict.fromkeys(refs))

    def _object(self, section: str, uid: str) -> Any:
        if uid not in self.objects[section]:
            self._ref(section, uid, section)
        return self.objects[section][uid]

    def _traveller(self, reader: _Reader) -> Doc:
        person = reader.text("person", required=True, limit=200) or ""
        return {
            "person": self._ref("people", person, f"{reader.path}.person"),
            "role": reader.text("role", limit=100),
        }

    def _participant(self, reader: _Reader) -> Doc:
        person = reader.text("person", required=True, limit=200) or ""
        role = reader.choice("role", ParticipantRole)
        return {
            "person": self._ref("people", person, f"{reader.path}.person"),
            "side": reader.text("side", limit=100),
            "role": role,
        }

    def _check_place_cycles(self, pending: list[tuple[str, Doc, str | None]]) -> None:
        for path, canonical, _parent in pending:
            seen = {canonical["uid"]}
            place = self.objects["places"][canonical["uid"]].parent
            while place is not None:
                if place.uid in seen:
                    raise InvalidInput(f"{path}.parent", "a chain of parents without a cycle")
                seen.add(place.uid)
                place = place.parent

    # Applying canonical forms -----------------------------------------------------

    def _apply_visit(self, visit: Visit, doc: Doc) -> None:
        _apply_dated(visit, doc["date"])
        visit.destination = (
            self._object("places", doc["destination"]) if doc["destination"] else None
        )
        visit.purpose = doc["purpose"]
        visit.notes = doc["notes"]
        visit.travellers = [
            VisitTraveller(person=self._object("people", t["person"]), role=t["role"], position=i)
            for i, t in enumerate(doc["travellers"])
        ]
        visit.source_links = [
            VisitSource(source=self._object("sources", uid), position=i)
            for i, uid in enumerate(doc["sources"])
        ]

    def _apply_meeting(self, meeting: Meeting, doc: Doc) -> None:
        _apply_dated(meeting, doc["date"])
        meeting.visit = self._object("visits", doc["visit"]) if doc["visit"] else None
        meeting.kind = doc["kind"]
        meeting.title = doc["title"]
        meeting.venue = self._object("places", doc["venue"]) if doc["venue"] else None
        duration = doc["duration"]
        meeting.duration_minutes = duration["minutes"] if duration else None
        meeting.duration_qualifier = duration["qualifier"] if duration else None
        meeting.outcome = doc["outcome"]
        meeting.outcome_summary = doc["outcome_summary"]
        meeting.status = doc["status"]
        meeting.notes = doc["notes"]
        meeting.participants = [
            Participant(
                person=self._object("people", p["person"]),
                side=p["side"],
                role=p["role"],
                position=i,
            )
            for i, p in enumerate(doc["participants"])
        ]
        meeting.topics = [
            MeetingTopic(topic=t, key=name_key(t), position=i) for i, t in enumerate(doc["topics"])
        ]
        meeting.source_links = [
            MeetingSource(source=self._object("sources", uid), position=i)
            for i, uid in enumerate(doc["sources"])
        ]

    def _apply_statement(self, statement: Statement, doc: Doc) -> None:
        _apply_dated(statement, doc["date"])
        statement.speaker = self._object("people", doc["speaker"])
        statement.meeting = self._object("meetings", doc["meeting"]) if doc["meeting"] else None
        statement.kind = doc["kind"]
        statement.language = doc["language"]
        statement.text = doc["text"]
        statement.notes = doc["notes"]
        statement.source_links = [
            StatementSource(source=self._object("sources", uid), position=i)
            for i, uid in enumerate(doc["sources"])
        ]


# -- validating one record ------------------------------------------------------------


class _Reader:
    """Reads the fields of one record, validating each and naming its path on error."""

    def __init__(self, path: str, raw: Mapping[str, Any]) -> None:
        self.path = path
        self.raw = raw
        self.read: set[str] = {"uid"}

    def done(self) -> None:
        unknown = sorted(set(self.raw) - self.read, key=str)
        if unknown:
            known = ", ".join(sorted(self.read))
            raise InvalidInput(f"{self.path}.{unknown[0]}", f"one of the fields {known}")

    def get(self, key: str) -> Any:
        self.read.add(key)
        return self.raw.get(key)

    def text(self, key: str, *, required: bool = False, limit: int = MAX_TEXT) -> str | None:
        value = self.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                raise InvalidInput(f"{self.path}.{key}", "a value (it is required)")
            return None
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise InvalidInput(f"{self.path}.{key}", "text", value)
        text = str(value)
        if "\x00" in text:
            raise InvalidInput(f"{self.path}.{key}", "text without NUL characters")
        if len(text) > limit:
            raise InvalidInput(f"{self.path}.{key}", f"at most {limit} characters")
        return text

    def name(self, key: str) -> str:
        return self.name_value(f"{self.path}.{key}", self.get(key))

    @staticmethod
    def name_value(path: str, value: Any) -> str:
        if value is None:
            raise InvalidInput(path, "a value (it is required)")
        return clean_name(value, path)

    def pattern(
        self, key: str, regex: re.Pattern[str], expected: str, *, limit: int = 200
    ) -> str | None:
        value = self.text(key, limit=limit)
        if value is not None and not regex.fullmatch(value.strip()):
            raise InvalidInput(f"{self.path}.{key}", expected, value)
        return value.strip() if value is not None else None

    def country(self, key: str) -> str | None:
        value = self.text(key, limit=10)
        if value is None:
            return None
        code = value.strip().upper()
        if not _COUNTRY.fullmatch(code):
            raise InvalidInput(f"{self.path}.{key}", "an ISO 3166-1 alpha-2 code such as RU", value)
        return code

    def lang(self, key: str) -> str | None:
        value = self.text(key, limit=16)
        if value is None:
            return None
        code = value.strip()
        if not _LANG.fullmatch(code):
            raise InvalidInput(f"{self.path}.{key}", "a language code such as en, pl or ru", value)
        return code

    def date(self, key: str, *, required: bool = False) -> str | None:
        value = self.get(key)
        if value is None or value == "":
            if required:
                raise InvalidInput(f"{self.path}.{key}", "a date (it is required)")
            return None
        if not isinstance(value, str | int):
            raise InvalidInput(f"{self.path}.{key}", "an EDTF date such as 2025-04-11", value)
        return parse_when(str(value), field=f"{self.path}.{key}").edtf

    def choice(
        self, key: str, enum: type[Any], *, required: bool = False, default: Any = None
    ) -> str | None:
        value = self.get(key)
        if value is None or value == "":
            if required:
                raise InvalidInput(
                    f"{self.path}.{key}", "one of " + ", ".join(m.value for m in enum)
                )
            return None if default is None else str(default.value)
        if not isinstance(value, str):
            raise InvalidInput(
                f"{self.path}.{key}", "one of " + ", ".join(m.value for m in enum), value
            )
        return str(choose(enum, value, f"{self.path}.{key}").value)

    def number(self, key: str, low: float, high: float) -> float | None:
        value = self.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise InvalidInput(f"{self.path}.{key}", f"a number from {low} to {high}", value)
        if not math.isfinite(value) or not low <= value <= high:
            raise InvalidInput(f"{self.path}.{key}", f"a number from {low} to {high}", value)
        return float(value)

    def list_of(self, key: str, read: Callable[[str, Any], R]) -> list[R]:
        value = self.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            raise InvalidInput(f"{self.path}.{key}", "a list")
        return [read(f"{self.path}.{key}[{i}]", item) for i, item in enumerate(value)]

    def items(self, key: str, read: Callable[[_Reader], Doc]) -> list[Doc]:
        def one(path: str, item: Any) -> Doc:
            if not isinstance(item, dict):
                raise InvalidInput(path, "a mapping")
            reader = _Reader(path, item)
            reader.read.discard("uid")
            result = read(reader)
            reader.done()
            return result

        return self.list_of(key, one)

    def nested(self, key: str, read: Callable[[_Reader], Doc]) -> Doc | None:
        value = self.get(key)
        if value is None:
            return None
        if not isinstance(value, dict):
            raise InvalidInput(f"{self.path}.{key}", "a mapping")
        reader = _Reader(f"{self.path}.{key}", value)
        reader.read.discard("uid")
        result = read(reader)
        reader.done()
        return result


def _alias(reader: _Reader) -> Doc:
    return {"name": reader.name("name"), "lang": reader.lang("lang")}


def _role(reader: _Reader) -> Doc:
    return {
        "title": reader.text("title", required=True, limit=300),
        "organisation": reader.text("organisation", limit=300),
        "from": reader.date("from"),
        "to": reader.date("to"),
    }


def _duration(reader: _Reader) -> Doc:
    minutes = reader.get("minutes")
    if isinstance(minutes, bool) or not isinstance(minutes, int) or not 0 <= minutes <= 100_000:
        raise InvalidInput(f"{reader.path}.minutes", "a whole number of minutes", minutes)
    qualifier = reader.choice("qualifier", DurationQualifier, default=DurationQualifier.EXACT)
    return {"minutes": minutes, "qualifier": qualifier}


def _unique(items: list[Doc], key: str, path: str) -> None:
    seen: set[str] = set()
    for item in items:
        if item[key] in seen:
            raise InvalidInput(path, f"each {key} once", item[key])
        seen.add(item[key])


def _derived_uid(section: str, raw: Mapping[str, Any]) -> str:
    """A stable uid for a record given without one, from its content."""
    digest = hashlib.sha1(
        json.dumps(raw, sort_keys=True, default=str, ensure_ascii=False).encode()
    ).hexdigest()
    return f"{SINGULAR[section]}-{digest[:20]}"


# -- applying simple records ----------------------------------------------------------


def _apply_dated(record: Visit | Meeting | Statement, edtf: str) -> None:
    when = parse_when(edtf)
    record.edtf, record.earliest, record.latest = when.edtf, when.earliest, when.latest


def _apply_person(person: Person, doc: Doc) -> None:
    person.name = doc["name"]
    person.key = name_key(doc["name"])
    person.country = doc["country"]
    person.wikidata = doc["wikidata"]
    person.notes = doc["notes"]
    _replace_aliases(person.aliases, doc["aliases"], PersonAlias)
    person.roles = [
        PersonRole(
            title=r["title"], organisation=r["organisation"], start_edtf=r["from"], end_edtf=r["to"]
        )
        for r in doc["roles"]
    ]


def _apply_place(place: Place, doc: Doc) -> None:
    """Everything but the parent, which is set once every place of the document exists."""
    place.name = doc["name"]
    place.key = name_key(doc["name"])
    place.kind = doc["kind"]
    place.country = doc["country"]
    place.lat = doc["lat"]
    place.lon = doc["lon"]
    place.notes = doc["notes"]
    _replace_aliases(place.aliases, doc["aliases"], PlaceAlias)


def _replace_aliases(
    current: list[Any], wanted: list[Doc], model: type[PersonAlias] | type[PlaceAlias]
) -> None:
    seen = set()
    new = []
    for alias in wanted:
        if (alias["name"], alias["lang"]) in seen:
            continue
        seen.add((alias["name"], alias["lang"]))
        new.append(model(name=alias["name"], key=name_key(alias["name"]), lang=alias["lang"]))
    current[:] = new


def _apply_plain(source: Source, doc: Doc) -> None:
    for key in ("url", "publisher", "title", "published", "language", "notes"):
        setattr(source, key, doc[key])


# -- writing --------------------------------------------------------------------------


def person_to_doc(person: Person) -> Doc:
    return {
        "uid": person.uid,
        "name": person.name,
        "country": person.country,
        "wikidata": person.wikidata,
        "notes": person.notes,
        "aliases": _unique_aliases(person.aliases),
        "roles": [
            {
                "title": r.title,
                "organisation": r.organisation,
                "from": r.start_edtf,
                "to": r.end_edtf,
            }
            for r in person.roles
        ],
    }


def place_to_doc(place: Place) -> Doc:
    return {
        "uid": place.uid,
        "name": place.name,
        "kind": place.kind,
        "country": place.country,
        "parent": place.parent.uid if place.parent is not None else None,
        "lat": place.lat,
        "lon": place.lon,
        "notes": place.notes,
        "aliases": _unique_aliases(place.aliases),
    }


def _unique_aliases(aliases: Iterable[PersonAlias | PlaceAlias]) -> list[Doc]:
    return [{"name": a.name, "lang": a.lang} for a in aliases]


def source_to_doc(source: Source) -> Doc:
    return {
        "uid": source.uid,
        "url": source.url,
        "publisher": source.publisher,
        "title": source.title,
        "published": source.published,
        "language": source.language,
        "notes": source.notes,
    }


def visit_to_doc(visit: Visit) -> Doc:
    return {
        "uid": visit.uid,
        "travellers": [{"person": t.person.uid, "role": t.role} for t in visit.travellers],
        "destination": visit.destination.uid if visit.destination is not None else None,
        "date": visit.edtf,
        "purpose": visit.purpose,
        "notes": visit.notes,
        "sources": [link.source.uid for link in visit.source_links],
    }


def meeting_to_doc(meeting: Meeting) -> Doc:
    duration = None
    if meeting.duration_minutes is not None:
        duration = {
            "minutes": meeting.duration_minutes,
            "qualifier": meeting.duration_qualifier or DurationQualifier.EXACT.value,
        }
    return {
        "uid": meeting.uid,
        "visit": meeting.visit.uid if meeting.visit is not None else None,
        "kind": meeting.kind,
        "title": meeting.title,
        "date": meeting.edtf,
        "venue": meeting.venue.uid if meeting.venue is not None else None,
        "duration": duration,
        "participants": [
            {"person": p.person.uid, "side": p.side, "role": p.role} for p in meeting.participants
        ],
        "topics": [t.topic for t in meeting.topics],
        "outcome": meeting.outcome,
        "outcome_summary": meeting.outcome_summary,
        "status": meeting.status,
        "notes": meeting.notes,
        "sources": [link.source.uid for link in meeting.source_links],
    }


def statement_to_doc(statement: Statement) -> Doc:
    return {
        "uid": statement.uid,
        "speaker": statement.speaker.uid,
        "meeting": statement.meeting.uid if statement.meeting is not None else None,
        "kind": statement.kind,
        "date": statement.edtf,
        "language": statement.language,
        "text": statement.text,
        "notes": statement.notes,
        "sources": [link.source.uid for link in statement.source_links],
    }


_MODELS: dict[str, Any] = {
    "people": Person,
    "places": Place,
    "sources": Source,
    "visits": Visit,
    "meetings": Meeting,
    "statements": Statement,
}

_LOAD_OPTIONS: dict[str, tuple[Any, ...]] = {
    "people": (selectinload(Person.aliases), selectinload(Person.roles)),
    "places": (selectinload(Place.aliases), selectinload(Place.parent)),
    "visits": (
        selectinload(Visit.travellers).selectinload(VisitTraveller.person),
        selectinload(Visit.destination),
        selectinload(Visit.source_links).selectinload(VisitSource.source),
    ),
    "meetings": (
        selectinload(Meeting.participants).selectinload(Participant.person),
        selectinload(Meeting.topics),
        selectinload(Meeting.source_links).selectinload(MeetingSource.source),
        selectinload(Meeting.visit),
        selectinload(Meeting.venue),
    ),
    "statements": (
        selectinload(Statement.speaker),
        selectinload(Statement.meeting),
        selectinload(Statement.source_links).selectinload(StatementSource.source),
    ),
}


def dump_document(session: Session, meeting_uids: Iterable[str] | None = None) -> Doc:
    """The database (or the meetings named, with what they refer to) as a document.

    Records are ordered by what they hold (names, dates), never by row ids, so an
    export imported into an empty database exports the same again.
    """
    meetings_query = select(Meeting).options(*_LOAD_OPTIONS["meetings"])
    visits_query = select(Visit).options(*_LOAD_OPTIONS["visits"])
    statements_query = select(Statement).options(*_LOAD_OPTIONS["statements"])
    if meeting_uids is None:
        meetings = list(session.scalars(meetings_query))
        visits = list(session.scalars(visits_query))
        statements = list(session.scalars(statements_query))
        people = list(session.scalars(select(Person).options(*_LOAD_OPTIONS["people"])))
        places = list(session.scalars(select(Place).options(*_LOAD_OPTIONS["places"])))
        sources = list(session.scalars(select(Source)))
    else:
        wanted = list(meeting_uids)
        meetings = list(session.scalars(meetings_query.where(Meeting.uid.in_(wanted))))
        meeting_ids = [m.id for m in meetings]
        visit_ids = {m.visit_id for m in meetings if m.visit_id is not None}
        visits = list(session.scalars(visits_query.where(Visit.id.in_(visit_ids))))
        statements = list(
            session.scalars(statements_query.where(Statement.meeting_id.in_(meeting_ids)))
        )
        people, places, sources = _referenced(meetings, visits, statements)
    return {
        "format": FORMAT,
        "people": [person_to_doc(p) for p in sorted(people, key=lambda p: (p.name, p.uid))],
        "places": [place_to_doc(p) for p in _places_in_order(places)],
        "sources": [
            source_to_doc(s)
            for s in sorted(sources, key=lambda s: (s.published or "", s.publisher or "", s.uid))
        ],
        "visits": [visit_to_doc(v) for v in sorted(visits, key=_chronological)],
        "meetings": [meeting_to_doc(m) for m in sorted(meetings, key=_chronological)],
        "statements": [statement_to_doc(s) for s in sorted(statements, key=_chronological)],
    }


def _chronological(record: Visit | Meeting | Statement) -> tuple[Any, ...]:
    return (record.earliest, record.latest, record.uid)


def _places_in_order(places: Iterable[Place]) -> list[Place]:
    """Countries first, then the places under them, each level by name."""
    order = {kind.value: i for i, kind in enumerate(PlaceKind)}
    return sorted(places, key=lambda p: (order.get(p.kind, 99), p.name, p.uid))


def _referenced(
    meetings: list[Meeting], visits: list[Visit], statements: list[Statement]
) -> tuple[list[Person], list[Place], list[Source]]:
    people: dict[str, Person] = {}
    places: dict[str, Place] = {}
    sources: dict[str, Source] = {}

    def add_place(place: Place | None) -> None:
        while place is not None and place.uid not in places:
            places[place.uid] = place
            place = place.parent

    for visit in visits:
        add_place(visit.destination)
        people.update((t.person.uid, t.person) for t in visit.travellers)
        sources.update((link.source.uid, link.source) for link in visit.source_links)
    for meeting in meetings:
        add_place(meeting.venue)
        people.update((p.person.uid, p.person) for p in meeting.participants)
        sources.update((link.source.uid, link.source) for link in meeting.source_links)
    for statement in statements:
        people[statement.speaker.uid] = statement.speaker
        sources.update((link.source.uid, link.source) for link in statement.source_links)
    return list(people.values()), list(places.values()), list(sources.values())


def document_json(document: Doc) -> str:
    """The canonical JSON text of a document (stable: export, import, export is identical)."""
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def document_yaml(document: Doc) -> str:
    """The document as YAML (block style, keys in document order, Unicode kept)."""
    from tracker.structured import yaml_text

    return yaml_text(document)


# -- seeds ----------------------------------------------------------------------------


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
