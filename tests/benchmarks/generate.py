"""Build a realistic tracker database of N meetings, through tracker's own import path.

    python tests/benchmarks/generate.py 1000000            # prints the database's path

What goes in, all of it through ``tracker import`` in child processes:

1. a tracker/1 document with the registries: about 500 envoys and 1,500 officials
   (each with one or two aliases, some in Cyrillic) and 2,000 places (20 countries,
   200 cities, 1,780 venues; every place with an alias);
2. the meetings as timeline-table CSV files (the layout ``tracker export --format csv``
   writes) of up to ``CHUNK`` rows each: visits of 1 to 5 meetings on one day, one or
   two envoys per visit, one to three counterparts per meeting, a source URL per
   visit, some durations, outcomes and summaries;
3. a tracker/1 document of statements (one per 500 meetings, at least 20) on a sample
   of the meetings.

The data has the same shape at every size, so that a question with a bounded answer
has the same answer size at 10,000 and at 1,000,000 meetings: meetings are spread at
``PER_DAY`` a day going back from 2025-12-31 (so ``MONTH`` always holds the same
number), the envoy ``FEATURED`` always has ``FEATURED_VISITS`` visits, and the word
``RARE_WORD`` is in exactly ``RARE_COUNT`` titles.

Databases are kept in the work directory, named by N and ``VERSION`` (which covers the
generator and the schema head): a second run reuses the one it built.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from tracker.query import TIMELINE_KEYS

GENERATOR_VERSION = 1
CHUNK = 200_000
PER_DAY = 25
LAST_DAY = date(2025, 12, 31)
MONTH = "2025-06"
FEATURED = "Ambrose Whitcombe"
FEATURED_VISITS = 60
RARE_WORD = "armistice"
RARE_COUNT = 100
SEED = 7

TIMELINE_HEADER = TIMELINE_KEYS  # the layout `tracker export --format csv` writes

COUNTRIES = {
    "RU": ("Russia", "Россия"),
    "US": ("United States", "США"),
    "UA": ("Ukraine", "Україна"),
    "SA": ("Saudi Arabia", "Saudi-Arabien"),
    "TR": ("Turkey", "Türkiye"),
    "CH": ("Switzerland", "Schweiz"),
    "AE": ("United Arab Emirates", "Emirates"),
    "FR": ("France", "Frankreich"),
    "DE": ("Germany", "Deutschland"),
    "GB": ("United Kingdom", "Britain"),
    "CN": ("China", "Китай"),
    "IN": ("India", "Bharat"),
    "QA": ("Qatar", "Katar"),
    "EG": ("Egypt", "Misr"),
    "PL": ("Poland", "Polska"),
    "IL": ("Israel", "Izrael"),
    "JP": ("Japan", "Nippon"),
    "BR": ("Brazil", "Brasil"),
    "ZA": ("South Africa", "Suid-Afrika"),
    "HU": ("Hungary", "Magyarország"),
}
SYLLABLES = [
    "ka",
    "ri",
    "mo",
    "len",
    "sa",
    "to",
    "vi",
    "an",
    "el",
    "dor",
    "ber",
    "gan",
    "ul",
    "mir",
    "os",
    "tes",
    "fa",
    "lun",
    "ko",
    "ra",
    "ne",
    "zim",
    "bar",
    "ol",
    "ta",
    "hel",
    "vor",
    "im",
    "sen",
    "dra",
    "po",
    "lis",
    "ur",
    "cas",
]
LATIN_TO_CYRILLIC = str.maketrans("abdefgiklmnoprstuvz", "абдефгиклмнопрстувз")
TOPICS = (
    "energy",
    "trade",
    "grain exports",
    "prisoner exchange",
    "sanctions",
    "security guarantees",
    "nuclear safety",
    "shipping",
    "maritime corridor",
    "reconstruction",
    "investment",
    "humanitarian access",
    "border crossings",
    "visa regime",
    "fisheries",
    "water rights",
    "debt relief",
    "climate finance",
    "arms control",
    "consular affairs",
)
KINDS = ("talks", "talks", "meeting", "meeting", "meeting", "working-meal", "press-event", "walk")
OUTCOMES = ("unknown", "unknown", "agreement", "partial-agreement", "no-agreement", "postponed")
QUALIFIERS = ("exact", "about", "at-least", "at-most")
SUMMARIES = (
    "Both sides called the talks constructive and agreed to meet again.",
    "A joint statement on {topic} was signed.",
    "No agreement on {topic}; working groups will continue.",
    "The parties exchanged draft texts on {topic}.",
)


def version_key() -> str:
    """The generator's version and the schema head: a database built under another
    key is built again."""
    from db.schema import HEAD

    return f"g{GENERATOR_VERSION}-s{HEAD}"


def tracker_command() -> list[str]:
    """The ``tracker`` executable of the running environment."""
    beside = Path(sys.executable).with_name("tracker")
    found = str(beside) if beside.exists() else shutil.which("tracker")
    if found is None:
        raise SystemExit("tracker is not installed in this environment (pip install -e .)")
    return [found]


def run_tracker(db: Path, *args: str) -> None:
    result = subprocess.run(
        [*tracker_command(), "--db", str(db), *args], capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise SystemExit(f"tracker {' '.join(args)} failed:\n{result.stdout}{result.stderr}")


# -- the registries -------------------------------------------------------------------


class World:
    """People and places, with the names the CSV rows use."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        used: set[str] = set()
        self.envoys = [FEATURED] + [self._person_name(used) for _ in range(499)]
        self.officials: dict[str, list[str]] = {
            code: [self._person_name(used) for _ in range(75)] for code in COUNTRIES
        }
        self.cities: list[tuple[str, str]] = []  # (name, country code)
        self.venues: dict[str, list[str]] = {}  # city -> venues
        codes = list(COUNTRIES)
        for index in range(200):
            code = codes[index % len(codes)]
            name = self._place_name(used, "")
            self.cities.append((name, code))
            self.venues[name] = []
        for index in range(1780):
            city = self.cities[index % len(self.cities)][0]
            self.venues[city].append(self._place_name(used, rng.choice(VENUE_WORDS)))

    def _word(self, low: int, high: int) -> str:
        return "".join(self.rng.choice(SYLLABLES) for _ in range(self.rng.randint(low, high)))

    def _person_name(self, used: set[str]) -> str:
        while True:
            name = f"{self._word(2, 3).capitalize()} {self._word(2, 4).capitalize()}"
            if name.casefold() not in used:
                used.add(name.casefold())
                return name

    def _place_name(self, used: set[str], word: str) -> str:
        while True:
            base = self._word(2, 4).capitalize()
            name = f"{base} {word}" if word else base
            if name.casefold() not in used:
                used.add(name.casefold())
                return name

    def document(self) -> dict[str, object]:
        """The registries as a tracker/1 document."""
        people = []
        for name in [*self.envoys, *(n for names in self.officials.values() for n in names)]:
            given, family = name.split(" ", 1)
            aliases = [{"name": f"{family}, {given}", "lang": None}]
            if self.rng.random() < 0.5:
                aliases.append({"name": name.lower().translate(LATIN_TO_CYRILLIC), "lang": "ru"})
            people.append({"uid": _uid("person", name), "name": name, "aliases": aliases})
        places: list[dict[str, object]] = []
        for code, (name, alias) in COUNTRIES.items():
            places.append(
                {
                    "uid": f"place-{code.lower()}",
                    "name": name,
                    "kind": "country",
                    "country": code,
                    "aliases": [{"name": alias, "lang": None}],
                }
            )
        for city, code in self.cities:
            places.append(
                {
                    "uid": _uid("place", city),
                    "name": city,
                    "kind": "city",
                    "country": code,
                    "parent": f"place-{code.lower()}",
                    "aliases": [{"name": city.lower().translate(LATIN_TO_CYRILLIC), "lang": "ru"}],
                }
            )
            for venue in self.venues[city]:
                places.append(
                    {
                        "uid": _uid("place", venue),
                        "name": venue,
                        "kind": "venue",
                        "parent": _uid("place", city),
                        "aliases": [{"name": f"The {venue}", "lang": "en"}],
                    }
                )
        return {"format": "tracker/1", "people": people, "places": places}


VENUE_WORDS = ("Palace", "House", "Hotel", "Ministry", "Hall", "Residence", "Centre")


def _uid(kind: str, name: str) -> str:
    return f"{kind}-" + "-".join(name.casefold().replace(",", "").split())


# -- the meetings ---------------------------------------------------------------------


def meetings(world: World, n: int, rng: random.Random) -> list[dict[str, str]]:
    """``n`` timeline rows, oldest first: visits of 1 to 5 meetings on one day. Each is
    keyed by column: a column the table gains later (empty here) moves none of them."""
    days = max(1, n // PER_DAY)
    first_day = LAST_DAY - timedelta(days=days - 1)
    featured_every = max(1, n // 3 // FEATURED_VISITS)
    rare_every = max(1, n // RARE_COUNT)
    rows: list[dict[str, str]] = []
    visit = 0
    rare_left = RARE_COUNT
    featured_left = FEATURED_VISITS
    while len(rows) < n:
        day = first_day + timedelta(days=len(rows) * days // n)
        if featured_left and visit % featured_every == 0:
            envoys = [FEATURED]
            featured_left -= 1
        else:
            envoys = rng.sample(world.envoys[1:], 1 if rng.random() < 0.8 else 2)
        city, code = rng.choice(world.cities)
        edtf = day.isoformat()
        roll = rng.random()
        if roll < 0.02:
            edtf = edtf[:7]
        elif roll < 0.03:
            edtf += "~"
        source = f"https://news.example.org/{code.lower()}/{day.year}/visit-{visit}"
        count = min(rng.randint(1, 5), n - len(rows))
        officials = rng.sample(world.officials[code], min(count * 3, 75))
        for index in range(count):
            number = len(rows)
            kind = rng.choice(KINDS)
            topic = rng.choice(TOPICS)
            counterparts = officials[index * 3 : index * 3 + rng.randint(1, 3)]
            title = f"{kind.replace('-', ' ').capitalize()} with {counterparts[0]} on {topic}"
            if rare_left and number % rare_every == 0:
                title += f" ({RARE_WORD} terms)"
                rare_left -= 1
            minutes = rng.choice(("", "", "45", "60", "90", "180", "300"))
            outcome = rng.choice(OUTCOMES)
            summary = rng.choice(SUMMARIES).format(topic=topic) if rng.random() < 0.4 else ""
            earliest, latest = _bounds(edtf)
            rows.append(
                {
                    "edtf": edtf,
                    "earliest": earliest,
                    "latest": latest,
                    "kind": kind,
                    "title": title,
                    "envoys": "; ".join(envoys),
                    "counterparts": "; ".join(counterparts),
                    "venue": rng.choice(world.venues[city]),
                    "city": city,
                    "country": code,
                    "duration_minutes": minutes,
                    "duration_qualifier": rng.choice(QUALIFIERS) if minutes else "",
                    "outcome": outcome,
                    "outcome_summary": summary,
                    "sources": source,
                    "uid": f"bench-m{number:07d}",
                }
            )
        visit += 1
    return rows


def _bounds(edtf: str) -> tuple[str, str]:
    text = edtf.rstrip("~")
    if len(text) == 7:
        year, month = int(text[:4]), int(text[5:])
        after = date(year + (month == 12), month % 12 + 1, 1)
        return f"{text}-01", (after - timedelta(days=1)).isoformat()
    return text, text


def write_csv(path: Path, rows: list[dict[str, str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(TIMELINE_HEADER)
        writer.writerows([row.get(key, "") for key in TIMELINE_HEADER] for row in rows)


def statements(rows: list[dict[str, str]], rng: random.Random) -> dict[str, object]:
    """A tracker/1 document of statements on a sample of the meetings."""
    count = max(20, len(rows) // 500)
    items = []
    for index, row in enumerate(rng.sample(rows, min(count, len(rows)))):
        speaker = row["envoys"].split("; ")[0]
        topic = row["title"].rsplit(" on ", 1)[-1]
        items.append(
            {
                "uid": f"bench-s{index:06d}",
                "speaker": _uid("person", speaker),
                "meeting": row["uid"],
                "kind": "quote",
                "date": row["edtf"],
                "language": "en",
                "text": f"We had a frank exchange on {topic} and will report to our capitals.",
            }
        )
    return {"format": "tracker/1", "statements": items}


# -- building -------------------------------------------------------------------------


def database_path(workdir: Path, n: int) -> Path:
    return workdir / f"tracker-{n}-{version_key()}.db"


def build(n: int, workdir: Path, *, log: bool = True) -> Path:
    """The database of ``n`` meetings in ``workdir``, built unless it is there already."""
    target = database_path(workdir, n)
    if target.exists():
        return target
    workdir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    rng = random.Random(SEED)
    world = World(rng)
    rows = meetings(world, n, rng)
    with tempfile.TemporaryDirectory(dir=workdir) as tmp:
        folder = Path(tmp)
        db = folder / "building.db"
        registries = folder / "registries.json"
        registries.write_text(json.dumps(world.document()), encoding="utf-8")
        run_tracker(db, "import", str(registries))
        for start in range(0, len(rows), CHUNK):
            chunk = folder / f"meetings-{start}.csv"
            write_csv(chunk, rows[start : start + CHUNK])
            run_tracker(db, "import", str(chunk))
            chunk.unlink()
            if log:
                done = min(start + CHUNK, len(rows))
                print(f"  {done:>9,} meetings  {time.perf_counter() - started:6.1f} s", flush=True)
        said = folder / "statements.json"
        said.write_text(json.dumps(statements(rows, rng)), encoding="utf-8")
        run_tracker(db, "import", str(said))
        _checkpoint(db)
        os.replace(db, target)
    if log:
        print(f"built {target} in {time.perf_counter() - started:.1f} s", flush=True)
    return target


def _checkpoint(db: Path) -> None:
    """Fold the write-ahead log into the file, so the database is one file to keep."""
    import sqlite3

    with sqlite3.connect(db) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()


def timeline_csv(n: int, path: Path) -> Path:
    """A timeline-table CSV of ``n`` meetings (the import benchmark's input)."""
    if not path.exists():
        rng = random.Random(SEED + 1)
        write_csv(path, meetings(World(rng), n, rng))
    return path


def registries_document(path: Path) -> Path:
    """The registries document alone (people and places), for an import benchmark."""
    if not path.exists():
        path.write_text(json.dumps(World(random.Random(SEED + 1)).document()), encoding="utf-8")
    return path


def default_workdir() -> Path:
    return Path(os.environ.get("TRACKER_BENCH_DIR", Path(tempfile.gettempdir()) / "tracker-bench"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("meetings", type=int, nargs="?", default=1_000_000)
    parser.add_argument("--workdir", type=Path, default=default_workdir())
    args = parser.parse_args()
    print(build(args.meetings, args.workdir))


if __name__ == "__main__":
    main()
