"""Reading one record of a tracker/1 document: each field checked by the field rules
(:mod:`tracker.fields`) and named by its path in the document on error
(``meetings[3].duration.qualifier``). The reader also says which keys a record
carries: a stored record is updated in those only.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from tracker import fields
from tracker.dates import parse_when
from tracker.errors import InvalidInput
from tracker.names import clean_name
from tracker.vocab import DurationQualifier, choose

Doc = dict[str, Any]
R = TypeVar("R")

MAX_TEXT = fields.MAX_TEXT


class Reader:
    """Reads the fields of one record, validating each and naming its path on error."""

    def __init__(self, path: str, raw: Mapping[str, Any]) -> None:
        self.path = path
        self.raw = raw
        self.read: set[str] = {"uid"}

    def carried(self, canonical: Doc) -> Doc:
        """The keys of ``canonical`` that the record gives (with its uid)."""
        return {k: v for k, v in canonical.items() if k == "uid" or k in self.raw}

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
        found = fields.text(value, f"{self.path}.{key}", required=required, limit=limit)
        # Text stays as written (the document is lossless); only empty text is None.
        return None if found is None else str(value)

    def url(self, key: str) -> str | None:
        return fields.url(self.get(key), f"{self.path}.{key}")

    def name(self, key: str) -> str:
        return self.name_value(f"{self.path}.{key}", self.get(key))

    @staticmethod
    def name_value(path: str, value: Any) -> str:
        if value is None:
            raise InvalidInput(path, "a value (it is required)")
        return clean_name(value, path)

    def country(self, key: str) -> str | None:
        return fields.country(self.get(key), f"{self.path}.{key}")

    def lang(self, key: str) -> str | None:
        return fields.language(self.get(key), f"{self.path}.{key}")

    def wikidata(self, key: str) -> str | None:
        return fields.wikidata(self.get(key), f"{self.path}.{key}")

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

    def items(self, key: str, read: Callable[[Reader], Doc]) -> list[Doc]:
        def one(path: str, item: Any) -> Doc:
            if not isinstance(item, dict):
                raise InvalidInput(path, "a mapping")
            reader = Reader(path, item)
            reader.read.discard("uid")
            result = read(reader)
            reader.done()
            return result

        return self.list_of(key, one)

    def nested(self, key: str, read: Callable[[Reader], Doc]) -> Doc | None:
        value = self.get(key)
        if value is None:
            return None
        if not isinstance(value, dict):
            raise InvalidInput(f"{self.path}.{key}", "a mapping")
        reader = Reader(f"{self.path}.{key}", value)
        reader.read.discard("uid")
        result = read(reader)
        reader.done()
        return result


def alias(reader: Reader) -> Doc:
    return {"name": reader.name("name"), "lang": reader.lang("lang")}


def role(reader: Reader) -> Doc:
    return {
        "title": reader.text("title", required=True, limit=300),
        "organisation": reader.text("organisation", limit=300),
        "from": reader.date("from"),
        "to": reader.date("to"),
    }


def duration(reader: Reader) -> Doc:
    minutes = reader.get("minutes")
    if isinstance(minutes, bool) or not isinstance(minutes, int) or not 0 <= minutes <= 100_000:
        raise InvalidInput(f"{reader.path}.minutes", "a whole number of minutes", minutes)
    qualifier = reader.choice("qualifier", DurationQualifier, default=DurationQualifier.EXACT)
    return {"minutes": minutes, "qualifier": qualifier}


def unique(items: list[Doc], key: str, path: str) -> None:
    seen: set[str] = set()
    for item in items:
        if item[key] in seen:
            raise InvalidInput(path, f"each {key} once", item[key])
        seen.add(item[key])


def derived_uid(singular: str, raw: Mapping[str, Any]) -> str:
    """A stable uid for a record given without one, from its content."""
    digest = hashlib.sha1(
        json.dumps(raw, sort_keys=True, default=str, ensure_ascii=False).encode()
    ).hexdigest()
    return f"{singular}-{digest[:20]}"
