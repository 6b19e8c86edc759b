"""A generated record for the aggregate tests: envoys with many visits, meetings of
every kind, durations with every qualifier, dates to the day, the month and as ranges,
calls outside any trip. Deterministic (a fixed seed)."""

from __future__ import annotations

import random
from typing import Any

OUTCOMES = ["agreement", "partial-agreement", "no-agreement", "postponed", "unknown"]
KINDS = ["talks", "meeting", "summit", "call", "working-meal", "walk", "press-event", "other"]
QUALIFIERS = [None, "exact", "about", "at-least", "at-most"]
COUNTRIES = {"RU": ["Moscow", "Sochi"], "SA": ["Riyadh", "Jeddah"], "TR": ["Istanbul", "Ankara"]}


def document(seed: int = 11, visits: int = 240) -> dict[str, Any]:
    rng = random.Random(seed)
    envoys = [f"Envoy {chr(65 + n // 26)}{chr(97 + n % 26)}" for n in range(24)]
    hosts = [f"Host {n}" for n in range(12)]
    people = [{"uid": _uid(name), "name": name, "country": "US"} for name in envoys + hosts]
    places: list[dict[str, Any]] = []
    cities: list[str] = []
    for code, names in COUNTRIES.items():
        places.append(
            {"uid": f"c-{code}", "name": f"Country {code}", "kind": "country", "country": code}
        )
        for name in names:
            places.append(
                {
                    "uid": f"t-{name}",
                    "name": name,
                    "kind": "city",
                    "country": code,
                    "parent": f"c-{code}",
                }
            )
            cities.append(f"t-{name}")
    trips: list[dict[str, Any]] = []
    meetings: list[dict[str, Any]] = []
    for number in range(visits):
        year, month, day = rng.choice([2024, 2025]), rng.randint(1, 12), rng.randint(1, 28)
        shape = rng.random()
        if shape < 0.15:
            when = f"{year}-{month:02d}"
        elif shape < 0.3:
            when = f"{year}-{month:02d}-{day:02d}/{year}-{month:02d}-{day + 1:02d}"
        else:
            when = f"{year}-{month:02d}-{day:02d}"
        travellers = rng.sample(envoys, rng.choice([1, 1, 2]))
        uid = f"v-{number}"
        trips.append(
            {
                "uid": uid,
                "travellers": [{"person": _uid(name), "role": "envoy"} for name in travellers],
                "destination": rng.choice(cities),
                "date": when,
            }
        )
        for index in range(rng.choice([0, 1, 1, 2, 3])):
            minutes = rng.choice([None, 30, 90, 180, 300])
            meeting: dict[str, Any] = {
                "uid": f"m-{number}-{index}",
                "visit": uid,
                "kind": rng.choice(KINDS),
                "title": f"Meeting {number}.{index}",
                "date": when,
                "participants": [{"person": _uid(name), "role": "envoy"} for name in travellers]
                + [{"person": _uid(rng.choice(hosts)), "role": "host"}],
                "outcome": rng.choice(OUTCOMES),
            }
            if minutes is not None:
                meeting["duration"] = {"minutes": minutes, "qualifier": rng.choice(QUALIFIERS)}
            meetings.append(meeting)
    return {
        "format": "tracker/1",
        "people": people,
        "places": places,
        "visits": trips,
        "meetings": meetings,
    }


def _uid(name: str) -> str:
    return "p-" + name.replace(" ", "-")
