"""What the history costs: ``tracker import`` of a 100,000-row CSV and ``tracker log``,
each with the history recorded and without it, side by side in one run, and the
database growth the history brings per 100,000 imported rows.

    python tests/benchmarks/history.py                  # 100,000 rows, 2 imports, 15 logs
    python tests/benchmarks/history.py --rows 10000 --runs 1 --logs 5

"Without" runs the same code with the recording switched off in the process (the
change set written by ``Database.writing`` and the bulk path's before/after reads),
so the two differ by the history alone. Both start the same way (``python -c``, the
application's ``main``). Runs alternate (with, without, with, ...) so that a busy
machine weighs on both alike; the table shows medians and the ratio.
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import statistics
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from tests.benchmarks import generate  # noqa: E402
from tests.benchmarks.run import Launcher, Sample, machine  # noqa: E402

WITH = """
import sys
from cli.app import main
sys.argv[0] = "tracker"
main()
"""
WITHOUT = """
import contextlib, sys
import db.engine, tracker.importers.tabular, tracker.importers.touched
db.engine.record_change_set = lambda session, author: None
tracker.importers.tabular.reported = lambda session, plan, report: contextlib.nullcontext(
    tracker.importers.touched.stored_touched(plan)
)
from cli.app import main
sys.argv[0] = "tracker"
main()
"""
MODES = {"with history": WITH, "without history": WITHOUT}


def log_args(index: int) -> list[str]:
    return [
        "log", "--create", "--duplicate",
        "--envoy", "Steve Witkoff", "--with", "Vladimir Putin:host:RU",
        "--date", f"2026-{1 + index % 12:02d}-{1 + index % 28:02d}",
        "--place", "Moscow", "--country", "RU",
        "--title", f"Benchmark talks {index}",
        "--duration", "5h+",
        "--source", f"https://example.org/bench/{index}",
        "--statement", "Vladimir Putin: not closer to peace, but not further either",
    ]  # fmt: skip


def fresh(target: Path, template: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    shutil.copy(template, target)


def size(db: Path) -> int:
    with sqlite3.connect(db) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    return db.stat().st_size


def history_rows(db: Path) -> tuple[int, int]:
    with sqlite3.connect(db) as connection:
        sets = connection.execute("SELECT count(*) FROM change_set").fetchone()[0]
        changes = connection.execute("SELECT count(*) FROM change").fetchone()[0]
    connection.close()
    return sets, changes


def median(samples: list[Sample]) -> tuple[float, float]:
    return (
        statistics.median(s.seconds for s in samples),
        statistics.median(s.peak_mib for s in samples),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000, help="rows of the imported CSV")
    parser.add_argument("--runs", type=int, default=2, help="imports per mode")
    parser.add_argument("--logs", type=int, default=15, help="tracker log runs per mode")
    options = parser.parse_args()
    workdir = generate.default_workdir()
    workdir.mkdir(parents=True, exist_ok=True)
    source = generate.timeline_csv(options.rows, workdir / f"import-{options.rows}.csv")
    template = workdir / f"empty-{generate.version_key()}.db"
    if not template.exists():
        generate.run_tracker(template, "db", "upgrade")
    targets = {mode: workdir / f"history-{i}.db" for i, mode in enumerate(MODES)}
    launcher = Launcher()
    imports: dict[str, list[Sample]] = {mode: [] for mode in MODES}
    logs: dict[str, list[Sample]] = {mode: [] for mode in MODES}
    sizes: dict[str, int] = {}
    try:
        print(f"import of {options.rows:,} rows, {options.runs} run(s) per mode", flush=True)
        for _run in range(options.runs):
            for mode, script in MODES.items():
                fresh(targets[mode], template)
                command = [sys.executable, "-c", script, "--db", str(targets[mode])]
                imports[mode].append(launcher.run([*command, "import", "--create", str(source)]))
                print(f"  {mode}: {imports[mode][-1].seconds:.2f} s", flush=True)
        for mode in MODES:
            sizes[mode] = size(targets[mode])
        print(f"tracker log into those databases, {options.logs} run(s) per mode", flush=True)
        for index in range(options.logs):
            for mode, script in MODES.items():
                command = [sys.executable, "-c", script, "--db", str(targets[mode])]
                logs[mode].append(launcher.run([*command, *log_args(index)]))
    finally:
        launcher.close()
    sets, changes = history_rows(targets["with history"])
    lines = [
        "# History benchmark",
        "",
        f"Machine: {machine()}.",
        "Medians of whole processes (start-up included), with and without the history"
        " recorded, alternating in one run; the machine is shared: read the ratios.",
        "",
        "| command | runs | with history s | without s | with ÷ without | with MiB | without MiB |",
        "|---|---|---|---|---|---|---|",
    ]
    verdicts = []
    for name, samples, budget in (
        (f"import {options.rows:,}-row csv (new db)", imports, 1.5),
        (f"tracker log (db of {options.rows:,} rows)", logs, 1.25),
    ):
        (w, wm), (n, nm) = median(samples["with history"]), median(samples["without history"])
        lines.append(
            f"| {name} | {len(samples['with history'])} | {w:.3f} | {n:.3f} | {w / n:.2f}× |"
            f" {wm:.0f} | {nm:.0f} |"
        )
        verdicts.append(
            f"- {name}: {w / n:.2f}× (budget {budget:.2f}×): "
            f"**{'met' if w / n <= budget else 'not met'}**"
        )
    growth = sizes["with history"] - sizes["without history"]
    per_100k = growth * 100_000 / options.rows
    lines += [
        "",
        *verdicts,
        "",
        f"Database after the import: {sizes['with history']:,} bytes with history,"
        f" {sizes['without history']:,} without: the history adds {growth:,} bytes"
        f" ({per_100k / 2**20:.1f} MiB per 100,000 imported rows; {sets} change set(s),"
        f" {changes:,} record changes after the import and the logs).",
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    (HERE / "history-results.md").write_text(text, encoding="utf-8")
    for db in targets.values():
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)


if __name__ == "__main__":
    main()
