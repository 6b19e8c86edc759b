"""Time tracker's commands against the tools a user would reach for instead.

    python tests/benchmarks/run.py                      # 10,000, 100,000 and 1,000,000
    python tests/benchmarks/run.py --sizes 10000 100000 --runs 3
    python tests/benchmarks/run.py --reference /tmp/ref/.venv/bin/tracker   # and an earlier tracker
    python tests/benchmarks/run.py --sizes 1000000 --runs 3 --only stats visits

Every figure is a whole process (start-up included), run several times; the table
shows medians. Each child's own peak memory comes from ``os.wait4`` (its ``ru_maxrss``).
The peers run in the same session, on the same database, one after another:

- sqlite-utils (the Python peer) running the equivalent SQL (``--table``/``--csv``);
- the sqlite3 shell (the floor for reads);
- a plain Python ``csv`` + ``sqlite3`` ``executemany`` into one table (the import floor).

With ``--reference TRACKER`` (another tracker, say a worktree of an earlier commit
with its own virtual environment), every read is also timed on it, taking turns with
this tracker, in a row of its own beside the same peers; and the import and the cost of
a rejected row are measured against it (``compare.py``, which can also run alone).

``--only`` picks the questions whose name begins with one of the words given
(``--only stats visits`` times the reads of ``stats`` and ``visits`` alone; ``export``,
``import``, ``tracker --help`` name the others).

Before timing, each tracker's modules are compiled to bytecode (``compile_bytecode``),
as installing it would: under ``PYTHONDONTWRITEBYTECODE`` an editable install would
otherwise compile them from source at every start, which the peers, installed, never do.

The databases come from ``generate.py`` (built once per size and reused). The table is
printed and written to ``results.md`` beside this file, with the machine and the date.
Timings on a shared machine are noisy: compare ratios from one run, not across runs.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from tests.benchmarks import generate  # noqa: E402

SIZES = (10_000, 100_000, 1_000_000)
IMPORT_ROWS = 100_000
HEAVY = ("alembic", "icalendar", "edtf", "yaml", "rapidfuzz", "sqlalchemy")

PLACE = """
  LEFT JOIN visit AS v ON v.id = m.visit_id
  LEFT JOIN place AS ve ON ve.id = m.venue_id
  LEFT JOIN place AS de ON de.id = coalesce(m.venue_id, v.destination_id)
  LEFT JOIN place AS ci ON ci.id = CASE WHEN de.kind = 'city' THEN de.id ELSE de.parent_id END
"""
TIMELINE_SELECT = f"""
SELECT m.edtf AS date, m.edtf, m.earliest, m.latest, m.kind, m.title,
  (SELECT group_concat(p.name, '; ') FROM visit_traveller AS t
     JOIN person AS p ON p.id = t.person_id WHERE t.visit_id = m.visit_id) AS envoys,
  (SELECT group_concat(p.name, '; ') FROM meeting_participant AS mp
     JOIN person AS p ON p.id = mp.person_id
     WHERE mp.meeting_id = m.id AND mp.person_id NOT IN
       (SELECT person_id FROM visit_traveller WHERE visit_id = m.visit_id)) AS counterparts,
  ve.name AS venue, ci.name AS city, coalesce(de.country, ci.country) AS country,
  m.duration_minutes, m.duration_qualifier, m.outcome, m.outcome_summary,
  (SELECT group_concat(s.url, '; ') FROM meeting_source AS ms
     JOIN source AS s ON s.id = ms.source_id WHERE ms.meeting_id = m.id) AS sources,
  m.uid
FROM meeting AS m {PLACE}"""
ORDER = " ORDER BY m.earliest, m.latest, m.id"


def month_sql(month: str) -> str:
    first = f"{month}-01"
    last = generate._bounds(month)[1]
    return f"{TIMELINE_SELECT} WHERE m.latest >= '{first}' AND m.earliest <= '{last}'{ORDER}"


def search_sql(word: str) -> str:
    return (
        f"{TIMELINE_SELECT} WHERE m.id IN (SELECT rowid FROM meeting_fts"
        f" WHERE meeting_fts MATCH '\"{word}\"' UNION SELECT s.meeting_id FROM statement AS s"
        f" JOIN statement_fts AS f ON f.rowid = s.id WHERE statement_fts MATCH '\"{word}\"')"
        f"{ORDER}"
    )


PEOPLE_SQL = """
SELECT p.name, p.country,
  (SELECT group_concat(CASE WHEN a.lang IS NULL OR a.lang = '' THEN a.name
     ELSE a.name || ' (' || a.lang || ')' END, '; ')
   FROM person_alias AS a WHERE a.person_id = p.id) AS aliases,
  (SELECT group_concat(r.title, '; ') FROM person_role AS r WHERE r.person_id = p.id) AS roles,
  p.wikidata, p.uid
FROM person AS p ORDER BY p.key, p.id"""
PLACES_SQL = """
SELECT p.name, p.kind, p.country, parent.name AS parent,
  (SELECT group_concat(CASE WHEN a.lang IS NULL OR a.lang = '' THEN a.name
     ELSE a.name || ' (' || a.lang || ')' END, '; ')
   FROM place_alias AS a WHERE a.place_id = p.id) AS aliases,
  p.uid
FROM place AS p LEFT JOIN place AS parent ON parent.id = p.parent_id ORDER BY p.key, p.id"""


def show_sql(uid: str) -> str:
    """One meeting in full: its fields, participants, sources and statements."""
    return f"""
SELECT m.uid, m.edtf, m.kind, m.title, m.status, m.outcome, m.outcome_summary,
  m.duration_minutes, m.duration_qualifier, v.uid AS visit, {PLACE_NAMES}
  (SELECT group_concat(p.name || ' (' || coalesce(mp.role, '') || ', '
     || coalesce(mp.side, '') || ')', '; ')
   FROM meeting_participant AS mp JOIN person AS p ON p.id = mp.person_id
   WHERE mp.meeting_id = m.id) AS participants,
  (SELECT group_concat(coalesce(s.publisher, '') || ' ' || coalesce(s.url, ''), '; ')
   FROM meeting_source AS ms JOIN source AS s ON s.id = ms.source_id
   WHERE ms.meeting_id = m.id) AS sources,
  (SELECT group_concat(sp.name || ': ' || st.text, '; ') FROM statement AS st
   JOIN person AS sp ON sp.id = st.speaker_id WHERE st.meeting_id = m.id) AS statements
FROM meeting AS m {PLACE}
WHERE m.uid = '{uid}'"""


PLACE_NAMES = "ve.name AS venue, ci.name AS city, coalesce(de.country, ci.country) AS country,"


def visits_sql(name: str) -> str:
    return f"""
SELECT row_number() OVER (ORDER BY v.earliest, v.id) AS n, v.edtf AS date,
  d.name AS destination, d.country,
  CAST(julianday(v.latest) - julianday(v.earliest) + 1 AS INTEGER) AS days,
  (SELECT count(*) FROM meeting AS m WHERE m.visit_id = v.id) AS meetings,
  (SELECT group_concat(DISTINCT p.name) FROM meeting AS m
     JOIN meeting_participant AS mp ON mp.meeting_id = m.id
     JOIN person AS p ON p.id = mp.person_id
     WHERE m.visit_id = v.id AND mp.person_id NOT IN
       (SELECT person_id FROM visit_traveller WHERE visit_id = v.id)) AS counterparts,
  (SELECT m.outcome FROM meeting AS m WHERE m.visit_id = v.id
     ORDER BY m.kind IN ('talks', 'summit', 'meeting') DESC,
       coalesce(m.duration_minutes, -1) DESC, m.id LIMIT 1) AS outcome
FROM visit AS v
  JOIN visit_traveller AS t ON t.visit_id = v.id
  JOIN place AS d ON d.id = v.destination_id
WHERE t.person_id = (SELECT id FROM person WHERE name = '{name}')
ORDER BY v.earliest, v.id"""


TRAVELS = """
WITH t AS (
  SELECT t.person_id, v.id, v.edtf, v.earliest, v.destination_id
  FROM visit_traveller AS t JOIN visit AS v ON v.id = t.visit_id),
r AS (
  SELECT person_id, edtf, earliest, row_number() OVER w AS nth,
    count(*) OVER (PARTITION BY person_id) AS n,
    julianday(earliest) - julianday(lag(earliest) OVER w) AS gap
  FROM t WINDOW w AS (PARTITION BY person_id ORDER BY earliest, id))"""
ENVOYS_SQL = f"""{TRAVELS},
h AS (
  SELECT x.person_id, count(*) AS meetings
  FROM visit_traveller AS x JOIN meeting AS m ON m.visit_id = x.visit_id
  GROUP BY x.person_id),
d AS (
  SELECT person_id, group_concat(name, '; ') AS destinations FROM (
    SELECT DISTINCT t.person_id, p.name FROM t JOIN place AS p ON p.id = t.destination_id)
  GROUP BY person_id)
SELECT p.name AS envoy, count(*) AS visits, h.meetings,
  max(CASE WHEN nth = 1 THEN edtf END) AS first, max(CASE WHEN nth = n THEN edtf END) AS last,
  d.destinations, p.uid
FROM r JOIN person AS p ON p.id = r.person_id
  LEFT JOIN h ON h.person_id = r.person_id LEFT JOIN d ON d.person_id = r.person_id
GROUP BY r.person_id ORDER BY min(r.earliest), p.name"""
STATS_SQL = f"""{TRAVELS},
h AS (
  SELECT x.person_id, count(*) AS meetings, count(m.duration_minutes) AS timed,
    sum(m.duration_minutes) AS minutes,
    max(m.duration_qualifier = 'at-least') AS at_least,
    max(m.duration_qualifier = 'about') AS about
  FROM visit_traveller AS x JOIN meeting AS m ON m.visit_id = x.visit_id
  GROUP BY x.person_id),
o AS (
  SELECT person_id, group_concat(outcome || ' ' || n, '; ') AS outcomes FROM (
    SELECT x.person_id, m.outcome, count(*) AS n
    FROM visit_traveller AS x JOIN meeting AS m ON m.visit_id = x.visit_id
    GROUP BY x.person_id, m.outcome) GROUP BY person_id)
SELECT p.name AS envoy, count(*) AS visits, h.meetings,
  max(CASE WHEN nth = 1 THEN edtf END) AS first, max(CASE WHEN nth = n THEN edtf END) AS last,
  round(avg(gap), 1) AS mean_gap_days, max(gap) AS longest_gap_days,
  h.minutes, h.at_least, h.about, h.meetings - h.timed AS without_duration, o.outcomes, p.uid
FROM r JOIN person AS p ON p.id = r.person_id
  LEFT JOIN h ON h.person_id = r.person_id LEFT JOIN o ON o.person_id = r.person_id
GROUP BY r.person_id ORDER BY min(r.earliest), p.name"""


FLOOR_SCRIPT = """
import csv, sqlite3, sys
with open(sys.argv[1], newline="", encoding="utf-8") as handle:
    reader = csv.reader(handle)
    header = next(reader)
    rows = list(reader)
connection = sqlite3.connect(sys.argv[2])
connection.execute("CREATE TABLE meetings (" + ", ".join(f'"{k}" TEXT' for k in header) + ")")
connection.executemany(
    "INSERT INTO meetings VALUES (" + ", ".join("?" * len(header)) + ")", rows
)
connection.commit()
connection.close()
"""


# -- measuring ------------------------------------------------------------------------


@dataclass
class Sample:
    seconds: float
    peak_mib: float
    cpu_seconds: float = 0.0  # user and system time: what a busy machine changes least


@dataclass
class Timing:
    samples: list[Sample] = field(default_factory=list)

    @property
    def seconds(self) -> float:
        return statistics.median(s.seconds for s in self.samples)

    @property
    def peak_mib(self) -> float:
        return statistics.median(s.peak_mib for s in self.samples)

    @property
    def cpu_seconds(self) -> float:
        return statistics.median(s.cpu_seconds for s in self.samples)


# A child's ru_maxrss on Linux starts from the high-water mark of the process it was
# forked from (the memory map it replaced at exec). So children are started by a small
# helper process, started first, whose own mark is a few MiB, not by this script.
LAUNCHER = """
import json, os, subprocess, sys, time
for line in sys.stdin:
    job = json.loads(line)
    with open(job["stdout"] or os.devnull, "wb") as out:
        started = time.perf_counter()
        child = subprocess.Popen(job["command"], stdout=out, stderr=subprocess.PIPE)
        errors = child.stderr.read()
        _pid, status, usage = os.wait4(child.pid, 0)
        elapsed = time.perf_counter() - started
    code = os.waitstatus_to_exitcode(status)
    reply = {"seconds": elapsed, "kib": usage.ru_maxrss, "code": code, "errors": errors.decode(),
             "cpu": usage.ru_utime + usage.ru_stime}
    print(json.dumps(reply), flush=True)
"""


class Launcher:
    """The helper process that runs and times each command."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-I", "-S", "-c", LAUNCHER],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def run(self, command: list[str], stdout_path: Path | None = None) -> Sample:
        """Run ``command`` to completion: wall time and the child's own peak RSS."""
        assert self.process.stdin is not None
        assert self.process.stdout is not None
        job = {"command": command, "stdout": str(stdout_path) if stdout_path else None}
        self.process.stdin.write(json.dumps(job) + "\n")
        self.process.stdin.flush()
        reply = json.loads(self.process.stdout.readline())
        if reply["code"] != 0:
            raise SystemExit(f"failed ({reply['code']}): {' '.join(command)}\n{reply['errors']}")
        return Sample(reply["seconds"], reply["kib"] / 1024, reply["cpu"])

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait()


LAUNCH: Launcher | None = None


def run_once(command: list[str], stdout_path: Path | None = None) -> Sample:
    assert LAUNCH is not None, "start the launcher first"
    return LAUNCH.run(command, stdout_path)


def measure(
    command: list[str], runs: int, *, prepare: object = None, stdout_path: Path | None = None
) -> Timing:
    timing = Timing()
    for _ in range(runs):
        if callable(prepare):
            prepare()
        timing.samples.append(run_once(command, stdout_path))
    return timing


def measure_in_turns(commands: list[list[str]], runs: int) -> list[Timing]:
    """Each of ``commands`` timed ``runs`` times, one after the other in each turn, so
    that a busy spell of the machine falls on all of them alike."""
    timings = [Timing() for _ in commands]
    for _ in range(runs):
        for command, timing in zip(commands, timings, strict=True):
            timing.samples.append(run_once(command))
    return timings


def tool(name: str) -> str:
    beside = Path(sys.executable).with_name(name)
    found = str(beside) if beside.exists() else shutil.which(name)
    if found is None:
        raise SystemExit(
            f"{name} is not installed (pip install -e '.[bench]', apt install sqlite3)"
        )
    return found


COMPILE_SCRIPT = """
import compileall, importlib.util, sys
for name in ("tracker", "db", "cli", "seeds"):
    spec = importlib.util.find_spec(name)
    for folder in spec.submodule_search_locations or []:
        compileall.compile_dir(folder, quiet=1)
"""


def compile_bytecode(tracker: str) -> None:
    """Compile the modules of the tracker whose script is ``tracker`` to bytecode, as
    pip does when it installs a package (sqlite-utils', click's and Rich's were). An
    editable install run with ``PYTHONDONTWRITEBYTECODE`` would otherwise compile every
    one of its modules from source at every start, which an installed tracker never does."""
    python = Path(tracker).with_name("python")
    subprocess.run(
        [str(python), "-c", COMPILE_SCRIPT],
        check=True,
        capture_output=True,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": ""},
        cwd=python.parent,  # not this checkout's packages, found first from its folder
    )


# -- the benchmarks -------------------------------------------------------------------


@dataclass
class Row:
    """One line of the table: tracker, its Python peer and the floor on one question."""

    question: str
    size: str
    tracker: Timing
    peer: Timing | None = None
    floor: Timing | None = None
    rows: int | None = None  # for throughput
    query: float | None = None  # tracker's query part: the command run in-process, warm
    floor_query: float | None = None  # the sqlite3 shell's own timer for the same SQL
    reference: bool = False  # the figures of the tracker given as --reference

    def cells(self) -> list[str]:
        def seconds(t: Timing | None) -> str:
            return f"{t.seconds:.3f}" if t is not None else "–"

        def ratio(t: Timing | None) -> str:
            return f"{self.tracker.seconds / t.seconds:.2f}×" if t is not None else "–"

        def part(value: float | None) -> str:
            return f"{value:.3f}" if value is not None else "–"

        query, floor_query = self.query, self.floor_query
        query_ratio = f"{query / floor_query:.1f}×" if query is not None and floor_query else "–"
        rate = f"{self.rows / self.tracker.seconds:,.0f}" if self.rows else "–"
        peer_rate = f"{self.rows / self.peer.seconds:,.0f}" if self.rows and self.peer else "–"
        peer_mib = f"{self.peer.peak_mib:.0f}" if self.peer is not None else "–"
        return [
            self.question,
            self.size,
            str(len(self.tracker.samples)),
            seconds(self.tracker),
            seconds(self.peer),
            seconds(self.floor),
            ratio(self.peer),
            ratio(self.floor),
            part(query),
            part(floor_query),
            query_ratio,
            f"{self.tracker.peak_mib:.0f}",
            peer_mib,
            rate,
            peer_rate,
        ]


HEADER = [
    "question",
    "meetings",
    "runs",
    "tracker s",
    "sqlite-utils s",
    "floor s",
    "÷ sqlite-utils",
    "÷ floor",
    "tracker query s",
    "floor query s",
    "query ÷ floor",
    "tracker MiB",
    "sqlite-utils MiB",
    "tracker rows/s",
    "sqlite-utils rows/s",
]


def wanted(question: str, only: list[str] | None) -> bool:
    """Whether ``question`` is one of those ``--only`` picks (all without it)."""
    return only is None or any(question.startswith(word) for word in only)


def read_benchmarks(
    db: Path,
    size: int,
    runs: int,
    workdir: Path,
    *,
    only: list[str] | None = None,
    reference: str | None = None,
) -> list[Row]:
    """The read questions and the export on the database of ``size`` meetings; with
    ``reference`` (another tracker), each read also on it, taking turns."""
    tracker = [tool("tracker"), "--db", str(db)]
    earlier = [reference, "--db", str(db)] if reference else None
    utils = [tool("sqlite-utils"), str(db)]
    shell = [tool("sqlite3"), "-readonly", str(db)]
    label = f"{size:,}"
    rows: list[Row] = []
    middle = f"bench-m{size // 2:07d}"  # a meeting's uid (the generator numbers them)
    questions = [
        ("visits (every envoy)", ["visits"], ENVOYS_SQL),
        ("stats (every envoy)", ["stats"], STATS_SQL),
        (
            f"visits {generate.FEATURED!r}",
            ["visits", generate.FEATURED],
            visits_sql(generate.FEATURED),
        ),
        (
            f"timeline --from/--to {generate.MONTH}",
            ["timeline", "--from", generate.MONTH, "--to", generate.MONTH],
            month_sql(generate.MONTH),
        ),
        (
            f"timeline --search {generate.RARE_WORD}",
            ["timeline", "--search", generate.RARE_WORD],
            search_sql(generate.RARE_WORD),
        ),
        (f"show {middle}", ["show", middle], show_sql(middle)),
        ("people", ["people"], PEOPLE_SQL),
        ("places", ["places"], PLACES_SQL),
    ]
    for question, args, sql in questions:
        if not wanted(question, only):
            continue
        print(f"  {question}", flush=True)
        commands = [[*tracker, *args], [*utils, sql, "--table"], [*shell, sql]]
        if earlier is not None:
            commands.append([*earlier, *args])
        mine, peer, floor, *theirs = measure_in_turns(commands, runs)
        rows.append(
            Row(
                question,
                label,
                mine,
                peer,
                floor,
                query=query_part(db, args, runs),
                floor_query=shell_query_part(db, sql, runs),
            )
        )
        for timing in theirs:
            rows.append(Row(f"{question} (reference)", label, timing, peer, floor, reference=True))
    # A whole export is timed as often as every other question (at most three times):
    # one run of an export of 1,000,000 meetings, seconds long and writing hundreds of
    # megabytes, varies by a fifth from one run to the next on a shared machine.
    export_runs = min(runs, 3)
    out = workdir / "export.out"
    for fmt, peer_option in (("csv", ["--csv"]), ("ndjson", ["--nl"])):
        if not wanted(f"export --format {fmt}", only):
            continue
        print(f"  export --format {fmt}", flush=True)
        rows.append(
            Row(
                f"export --format {fmt} (every meeting)",
                label,
                measure([*tracker, "export", "--format", fmt], export_runs, stdout_path=out),
                measure(
                    [*utils, TIMELINE_SELECT + ORDER, *peer_option], export_runs, stdout_path=out
                ),
                rows=size,
            )
        )
    out.unlink(missing_ok=True)
    return rows


# The query part of a read command: the command run in one process, several times
# after a first run has paid for the imports and the model set-up; each run opens the
# database and runs the command's queries and output anew (into a buffer).
QUERY_SCRIPT = """
import json, statistics, sys, time
from click.testing import CliRunner
from cli.app import main
runs, args = int(sys.argv[1]), sys.argv[2:]
runner = CliRunner()
times = []
for _ in range(runs + 1):
    started = time.perf_counter()
    result = runner.invoke(main, args, catch_exceptions=False)
    times.append(time.perf_counter() - started)
    if result.exit_code != 0:
        raise SystemExit(result.output)
print(json.dumps(statistics.median(times[1:])))
"""


def query_part(db: Path, args: list[str], runs: int) -> float:
    """The median time of tracker's command once started (see ``QUERY_SCRIPT``)."""
    result = subprocess.run(
        [sys.executable, "-c", QUERY_SCRIPT, str(runs), "--db", str(db), *args],
        capture_output=True,
        text=True,
        check=True,
    )
    return float(json.loads(result.stdout.strip().splitlines()[-1]))


def shell_query_part(db: Path, sql: str, runs: int) -> float:
    """The median of the sqlite3 shell's own timer (``.timer on``) for ``sql``."""
    found = []
    for _ in range(runs):
        result = subprocess.run(
            [tool("sqlite3"), "-readonly", str(db)],
            input=f".timer on\n{sql};\n",
            capture_output=True,
            text=True,
            check=True,
        )
        timer = re.findall(r"Run Time: real ([0-9.]+)", result.stdout)
        if not timer:
            raise SystemExit(f"the sqlite3 shell printed no timer for:\n{sql}")
        found.append(float(timer[-1]))
    return statistics.median(found)


def import_benchmark(workdir: Path, runs: int, count: int = IMPORT_ROWS) -> Row:
    """A timeline CSV of ``count`` rows into a new database (schema at head): tracker
    import with full validation, sqlite-utils insert --csv, and the executemany floor."""
    print(f"  import of {count:,} rows", flush=True)
    source = generate.timeline_csv(count, workdir / f"import-{count}.csv")
    template = workdir / f"empty-{generate.version_key()}.db"
    if not template.exists():
        generate.run_tracker(template, "db", "upgrade")
    target = workdir / "import-target.db"

    def fresh(copy: bool) -> None:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        if copy:
            shutil.copy(template, target)

    tracker = measure(
        [tool("tracker"), "--db", str(target), "import", "--create", str(source)],
        runs,
        prepare=lambda: fresh(True),
    )
    peer = measure(
        [tool("sqlite-utils"), "insert", str(target), "meetings", str(source), "--csv"],
        runs,
        prepare=lambda: fresh(False),
    )
    floor = measure(
        [sys.executable, "-c", FLOOR_SCRIPT, str(source), str(target)],
        runs,
        prepare=lambda: fresh(False),
    )
    fresh(False)
    return Row(f"import {count:,}-row csv", "new db", tracker, peer, floor, count)


def startup_benchmarks(runs: int) -> list[Row]:
    print("  start-up", flush=True)
    utils_help = measure([tool("sqlite-utils"), "--help"], runs)
    return [
        Row("tracker --help", "–", measure([tool("tracker"), "--help"], runs), utils_help),
        Row("tracker --version", "–", measure([tool("tracker"), "--version"], runs), utils_help),
    ]


TABLE_EXPORTS = ("csv", "ndjson", "markdown")
"""The export formats that are reads like any other (no SQLAlchemy on SQLite)."""


def heavy_imports(db: Path) -> dict[str, list[str]]:
    """For each read command, the heavy modules it imports (``python -X importtime``)."""
    commands = {
        "visits": ["visits"],
        "visits ENVOY": ["visits", generate.FEATURED],
        "stats": ["stats"],
        "timeline": ["timeline", "--from", generate.MONTH, "--to", generate.MONTH],
        "timeline --search": ["timeline", "--search", generate.RARE_WORD],
        **{f"export --format {fmt}": ["export", "--format", fmt] for fmt in TABLE_EXPORTS},
        "--help": ["--help"],
    }
    found: dict[str, list[str]] = {}
    for name, args in commands.items():
        result = subprocess.run(
            [sys.executable, "-X", "importtime", tool("tracker"), "--db", str(db), *args],
            stdout=subprocess.DEVNULL,  # an export's rows: only the import times are read
            stderr=subprocess.PIPE,
            text=True,
            check=True,
        )
        modules = re.findall(r"\|\s+([\w.]+)$", result.stderr, re.MULTILINE)
        found[name] = sorted({m.split(".")[0] for m in modules if m.split(".")[0] in HEAVY})
    return found


# -- the report -----------------------------------------------------------------------


def table(rows: list[Row]) -> str:
    lines = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    lines += ["| " + " | ".join(row.cells()) + " |" for row in rows]
    return "\n".join(lines)


def machine() -> str:
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    sqlite = subprocess.run([tool("sqlite3"), "--version"], capture_output=True, text=True)
    utils = subprocess.run([tool("sqlite-utils"), "--version"], capture_output=True, text=True)
    return (
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC; {os.cpu_count()} CPUs (nproc), "
        f"{memory:.1f} GiB memory, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}; sqlite3 shell "
        f"{sqlite.stdout.split()[0] if sqlite.stdout else '?'}; {utils.stdout.strip()}"
    )


def growth(rows: list[Row]) -> list[str]:
    """How much each read question's tracker time grows from the smallest size to the
    largest."""
    by_question: dict[str, list[Row]] = {}
    for row in rows:
        if row.size not in ("–", "new db"):
            by_question.setdefault(row.question, []).append(row)
    lines = []
    for question, found in by_question.items():
        if len(found) > 1:
            first, last = found[0], found[-1]
            lines.append(
                f"- {question}: {first.tracker.seconds:.3f} s at {first.size} → "
                f"{last.tracker.seconds:.3f} s at {last.size} "
                f"({last.tracker.seconds / first.tracker.seconds:.2f}×; peak memory "
                f"{first.tracker.peak_mib:.0f} → {last.tracker.peak_mib:.0f} MiB)"
            )
    return lines


def _verdict(met: bool) -> str:
    return "**met**" if met else "**not met**"


def targets(rows: list[Row], heavy: dict[str, list[str]], elapsed: float) -> list[str]:
    """One line per target (this tracker's, not the reference's): met or not, and the
    figures it rests on."""
    sized = [row for row in rows if row.size not in ("–", "new db") and not row.reference]
    largest = sized[-1].size if sized else "–"
    reads = [
        (row, row.tracker.seconds / row.peer.seconds)
        for row in sized
        if row.size == largest and row.rows is None and row.peer is not None
    ]
    lines = []
    if reads:
        ratios = ", ".join(f"{row.question} {ratio:.2f}×" for row, ratio in reads)
        lines.append(
            f"- Reads at {largest} meetings no slower than sqlite-utils (≤ 1.0×): "
            f"{_verdict(all(ratio <= 1.0 for _row, ratio in reads))} ({ratios})."
        )
        parts = [
            (row.question, row.query, row.floor_query)
            for row, _ratio in reads
            if row.query is not None and row.floor_query
        ]
        within = all(q <= 3 * f for _question, q, f in parts if q is not None and f)
        lines.append(
            f"- Query part within 3× of the sqlite3 shell's: {_verdict(bool(parts) and within)} ("
            + ", ".join(f"{name} {q:.3f} s vs {f:.3f} s" for name, q, f in parts if q is not None)
            + ")."
        )
    exports = [row for row in sized if row.rows is not None and "csv" in row.question]
    if exports:
        first, last = exports[0], exports[-1]
        rate = last.rows / last.tracker.seconds if last.rows else 0.0
        lines.append(
            f"- Export at least 200,000 rows/s: {_verdict(rate >= 200_000)} "
            f"({rate:,.0f} rows/s at {last.size})."
        )
        spread = last.tracker.peak_mib - first.tracker.peak_mib
        lines.append(
            f"- Export memory flat within 20 MiB: {_verdict(abs(spread) <= 20)} "
            f"({first.tracker.peak_mib:.0f} MiB at {first.size}, "
            f"{last.tracker.peak_mib:.0f} MiB at {last.size})."
        )
    for row in rows:
        if row.size == "new db" and row.floor is not None and row.peer is not None:
            factor = row.tracker.seconds / row.floor.seconds
            lines.append(
                f"- Import within 3× of the executemany floor: {_verdict(factor <= 3)} "
                f"({factor:.1f}×; the floor is {row.peer.seconds / row.floor.seconds:.1f}× "
                "faster than sqlite-utils)."
            )
        if row.question == "tracker --help" and row.peer is not None:
            lines.append(
                "- `tracker --help` no slower than `sqlite-utils --help`: "
                f"{_verdict(row.tracker.seconds <= row.peer.seconds)} "
                f"({row.tracker.seconds:.3f} s vs {row.peer.seconds:.3f} s)."
            )
    heavy_found = {name: mods for name, mods in heavy.items() if mods}
    lines.append(
        f"- Nothing heavy imported on the read path: {_verdict(not heavy_found)}"
        + (f" ({heavy_found})." if heavy_found else ".")
    )
    memory = []
    for question in dict.fromkeys(row.question for row in sized):
        found = [row for row in sized if row.question == question]
        if len(found) > 1:
            memory.append((question, found[0].tracker.peak_mib, found[-1].tracker.peak_mib))
    if memory:
        lines.append(
            f"- Peak memory of every read flat (within 20 MiB) from {sized[0].size} to "
            f"{largest} meetings: {_verdict(all(abs(b - a) <= 20 for _q, a, b in memory))} ("
            + ", ".join(f"{q} {a:.0f} → {b:.0f} MiB" for q, a, b in memory)
            + ")."
        )
    growths = []
    for question in dict.fromkeys(row.question for row in sized if row.rows is None):
        found = [row for row in sized if row.question == question]
        if len(found) > 1:
            growths.append((question, found[-1].tracker.seconds / found[0].tracker.seconds))
    if growths:
        lines.append(
            f"- Reads grow by no more than 1.3× from {sized[0].size} to {largest} meetings: "
            f"{_verdict(all(g <= 1.3 for _q, g in growths))} ("
            + ", ".join(f"{q} {g:.2f}×" for q, g in growths)
            + ")."
        )
    lines.append(
        f"- The run finishes in under 10 minutes: {_verdict(elapsed < 600)} ({elapsed:.0f} s)."
    )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--runs", type=int, default=5, help="runs per figure (median)")
    parser.add_argument(
        "--import-rows", type=int, default=IMPORT_ROWS, help="rows of the import benchmark"
    )
    parser.add_argument("--workdir", type=Path, default=generate.default_workdir())
    parser.add_argument("--output", type=Path, default=HERE / "results.md")
    parser.add_argument(
        "--reference",
        metavar="TRACKER",
        help="also time the reads and compare the import with this tracker",
    )
    parser.add_argument(
        "--only",
        nargs="+",
        metavar="WORD",
        help="only the questions whose name begins with one of these words "
        "(stats, visits, timeline, show, people, places, export, import, tracker)",
    )
    args = parser.parse_args()
    global LAUNCH
    LAUNCH = Launcher()
    for tracker in (tool("tracker"), args.reference):
        if tracker:
            compile_bytecode(tracker)
    started = time.perf_counter()
    args.workdir.mkdir(parents=True, exist_ok=True)
    databases = {}
    for size in args.sizes:
        print(f"database of {size:,} meetings", flush=True)
        databases[size] = generate.build(size, args.workdir)
    building = time.perf_counter() - started
    rows: list[Row] = []
    for size, db in databases.items():
        print(f"{size:,} meetings", flush=True)
        rows += read_benchmarks(
            db, size, args.runs, args.workdir, only=args.only, reference=args.reference
        )
    importing = wanted(f"import {args.import_rows:,}-row csv", args.only)
    if importing:
        with tempfile.TemporaryDirectory(dir=args.workdir) as tmp:
            # Each sqlite-utils import of 100,000 rows takes about 20 s: two runs of each.
            rows.append(import_benchmark(Path(tmp), max(1, args.runs // 2), args.import_rows))
    reference: list[str] = []
    if args.reference and importing:
        from tests.benchmarks.compare import compare

        with tempfile.TemporaryDirectory(dir=args.workdir) as tmp:
            reference = [
                f"Import against {args.reference} (taking turns, medians):",
                "",
                *compare(Path(tmp), args.reference, args.import_rows, args.runs),
                "",
            ]
    if wanted("tracker --help", args.only):
        rows += startup_benchmarks(args.runs)
    heavy = heavy_imports(databases[min(databases)])
    elapsed = time.perf_counter() - started
    report = [
        "# Benchmark results",
        "",
        f"Machine: {machine()}.",
        "Medians of the runs shown (whole processes, start-up included, each tracker's"
        " modules compiled to bytecode first, as an install does);"
        " the machine is shared, so figures are noisy: read the ratios.",
        "",
        table(rows),
        "",
        *reference,
        "Growth of tracker's time with the database:",
        "",
        *growth(rows),
        "",
        "Heavy modules imported (python -X importtime):",
        "",
        *(f"- tracker {name}: {', '.join(mods) or 'none'}" for name, mods in heavy.items()),
        "",
        f"Total run time: {elapsed:.0f} s, of which {building:.0f} s building the databases"
        " (a database already built for this generator and schema is reused).",
        "",
        "Targets, judged from the figures above:",
        "",
        *targets(rows, heavy, elapsed),
        "",
    ]
    LAUNCH.close()
    text = "\n".join(report)
    print()
    print(text)
    args.output.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
