"""Row checking speed against another commit's row checker, side by side in one run.

    python tests/benchmarks/rows.py --reference main --rows 100000 --runs 5

An import checks every row of a table (``tracker.importers.rows.parse_row``) before it
looks anything up. This times that step alone, in this process, for this tree's row
checker and for the one ``git show REFERENCE:tracker/importers/rows.py`` gives (loaded
as a module of its own, over this tree's other modules), on two tables of ``--rows``
good rows: the timeline table of the import benchmark (``generate.timeline_csv``) and
a foreign table read through a mapping (start and end, country, city, a duration, a
role, a source URL and notes). The two checkers take turns within each run, so that a
busy machine slows both alike; the figures are medians of CPU time
(``time.process_time``).
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import io
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))

from tests.benchmarks import generate  # noqa: E402
from tracker.importers import rows as this_rows  # noqa: E402
from tracker.importers.mapping import column_fields  # noqa: E402

FOREIGN_HEADER = [
    "traveller",
    "traveller_role",
    "start",
    "end",
    "country",
    "city",
    "duration",
    "source_url",
    "notes",
]


def reference_module(revision: str) -> ModuleType:
    """``tracker/importers/rows.py`` as it is at ``revision``, as a module of its own."""
    source = subprocess.run(
        ["git", "-C", str(ROOT), "show", f"{revision}:tracker/importers/rows.py"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    path = Path(tempfile.mkdtemp()) / "reference_rows.py"
    path.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("reference_rows", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def foreign_table(n: int) -> str:
    """A foreign table of ``n`` good rows (trips, some with a duration)."""
    rng = random.Random(11)
    countries = [("RU", "Moscow"), ("Turkey", "Ankara"), ("CH", "Geneva"), ("QA", "Doha")]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(FOREIGN_HEADER)
    for row in range(n):
        country, city = countries[row % len(countries)]
        day = 1 + row % 27
        writer.writerow(
            [
                f"Envoy {row % 300}",
                "Special Envoy" if row % 2 else "",
                f"{2000 + row % 25}-{1 + row % 12:02d}-{day:02d}",
                f"{2000 + row % 25}-{1 + row % 12:02d}-{day + 1:02d}" if row % 3 else "",
                country,
                city,
                f"{rng.randint(1, 9)}h" if row % 4 == 0 else "",
                f"https://example.org/{row % 5000}",
                "talks" if row % 7 == 0 else "",
            ]
        )
    return buffer.getvalue()


def records(text: str) -> tuple[list[str], list[list[str]]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader)
    return header, list(reader)


def check_all(module: Any, fields: dict[int, str], table: list[list[str]]) -> float:
    """CPU seconds that ``module`` takes to check every record of ``table``."""
    parsers = module.Parsers(fields)
    parse: Callable[..., Any] = module.parse_row
    started = time.process_time()
    for position, record in enumerate(table):
        parse(position + 2, record, parsers)
    return time.process_time() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--reference", default="main", help="a git revision (default: main)")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--workdir", type=Path, default=generate.default_workdir())
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    reference = reference_module(args.reference)
    timeline = generate.timeline_csv(args.rows, args.workdir / f"import-{args.rows}.csv")
    tables = {
        "timeline table": records(timeline.read_text(encoding="utf-8")),
        "foreign table": records(foreign_table(args.rows)),
    }
    print(f"Checking {args.rows:,} good rows: CPU seconds, median of {args.runs} runs")
    print(f"| table | this tree | {args.reference} | ratio |")
    print("|---|---:|---:|---:|")
    for name, (header, table) in tables.items():
        _layout, fields, _ignored = column_fields(header, {}, name)
        times: dict[str, list[float]] = {"this": [], "reference": []}
        for turn in range(args.runs + 1):  # the first turn warms the caches, uncounted
            order = [("this", this_rows), ("reference", reference)]
            if turn % 2:
                order.reverse()
            for label, module in order:
                spent = check_all(module, fields, table)
                if turn:
                    times[label].append(spent)
        ours, theirs = statistics.median(times["this"]), statistics.median(times["reference"])
        print(f"| {name} | {ours:.3f} | {theirs:.3f} | {ours / theirs:.2f}× |")


if __name__ == "__main__":
    main()
