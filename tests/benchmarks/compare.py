"""Import or export speed against another tracker (an earlier commit), side by side in
one run.

    git worktree add /tmp/ref 86d238d
    (cd /tmp/ref && python3 -m venv .venv && .venv/bin/pip install -e .)
    python tests/benchmarks/compare.py --reference /tmp/ref/.venv/bin/tracker
    python tests/benchmarks/run.py --reference /tmp/ref/.venv/bin/tracker   # with the rest
    python tests/benchmarks/compare.py --reference /tmp/ref/.venv/bin/tracker \
        --question export --sizes 10000 1000000

``--question export``: ``export --format csv`` and ``--format ndjson`` of every meeting
of the generated databases, each tracker reading the database built for its own schema
revision (``generate.py``; the reference's is looked up by the reference's own schema
head, and must have been built, by the reference's ``generate.py``), its output written
to a file and compared: the two must write the same bytes. Rows per second are meetings
over wall-clock seconds.

The import questions (the default), each asked of this tracker and of the reference:

- **import**: a timeline CSV of ``--rows`` meetings (``generate.timeline_csv``) into a
  new database already at the tracker's own schema head (``db upgrade``), creating the
  people and places it names;
- **rejected rows**: the same import with ``--skip-invalid`` of a table in which every
  tenth row has a date no calendar has, against the valid rows alone: the difference,
  divided by the rows rejected, is what one rejected row costs;
- **history off**: the first import again, this tracker run with the recording of its
  history switched off in the process (``history.py``'s "without" mode), so that the
  import's own work is compared with the reference, which keeps no history.

``--question parts``: where the big import's extra time goes. The same import by the
reference, and by this tracker as it is and with what later work added to every
imported row switched off one after the other (``PARTS``): its history, then also the
new meetings' list cells (written empty), then also the two indexes that hold a
meeting's participants and sources in order (dropped from its template). Besides the
times, each row gives the database's size after the import. The databases it writes
with the list cells off are wrong on purpose: this question only measures them. With
``--instructions`` each part runs once under valgrind (``cachegrind``) and the table
gives the instructions it ran, whole process: a count that a busy machine, whose
timings can vary by a quarter from run to run, leaves the same.

    python tests/benchmarks/compare.py --reference /tmp/ref/.venv/bin/tracker \
        --question parts --rows 20000 --instructions

Both trackers' modules are compiled to bytecode first, as installing them would
(``run.compile_bytecode``). The two trackers take turns within each run (this one
first, then the other way round) so that a busy machine slows both alike. Every figure
is a whole process; the table shows medians of the wall-clock time, of the CPU time
(user and system, which a machine shared with other work disturbs far less) and of
each child's own peak memory, all from ``os.wait4``.
"""

from __future__ import annotations

import argparse
import csv
import filecmp
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from tests.benchmarks import generate, run  # noqa: E402
from tests.benchmarks.history import MODES  # noqa: E402
from tracker.write.cells import PARTICIPANTS_IN_ORDER, SOURCES_IN_ORDER  # noqa: E402

HISTORY_OFF = MODES["without history"]
"""This tracker started with the recording of its history switched off (history.py)."""

CELLS_OFF = """
import tracker.importers.bulk
tracker.importers.bulk.Writer._new_cells = lambda self, plan, people: ({}, {})
"""
"""Put before a start of this tracker: the import writes its new meetings with empty
list cells instead of building them."""

PARTS: dict[str, tuple[str | None, bool]] = {
    "as it is": (None, False),
    "history off": (HISTORY_OFF, False),
    "history and list cells off": (CELLS_OFF + HISTORY_OFF, False),
    "history, list cells and in-order indexes off": (CELLS_OFF + HISTORY_OFF, True),
}
"""This tracker's import, part by part: the script it starts with (``None``: as
installed) and whether its database lacks the in-order indexes (``IN_ORDER``)."""

IN_ORDER = (PARTICIPANTS_IN_ORDER, SOURCES_IN_ORDER)


def started(script: str | None) -> list[str]:
    """How this tracker starts: as installed (``None``), or in this Python with
    ``script`` (one of ``PARTS``' scripts)."""
    return [run.tool("tracker")] if script is None else [sys.executable, "-c", script]


BROKEN_EVERY = 10


def creates_flag(tracker: str) -> list[str]:
    """``--create`` for a tracker that asks for it (before the one write layer, an
    import created unknown names without being asked)."""
    shown = subprocess.run([tracker, "import", "--help"], capture_output=True, text=True)
    return ["--create"] if "--create" in shown.stdout else []


def with_broken_rows(source: Path, workdir: Path) -> tuple[Path, Path, int]:
    """The table with every tenth row's date made impossible, the valid rows alone, and
    how many rows were broken."""
    broken = workdir / f"{source.stem}-broken.csv"
    valid = workdir / f"{source.stem}-valid.csv"
    count = 0
    with (
        source.open(newline="", encoding="utf-8") as handle,
        broken.open("w", newline="", encoding="utf-8") as out_broken,
        valid.open("w", newline="", encoding="utf-8") as out_valid,
    ):
        reader = csv.reader(handle)
        header = next(reader)
        date = header.index("edtf")
        writers = [csv.writer(f, lineterminator="\r\n") for f in (out_broken, out_valid)]
        for writer in writers:
            writer.writerow(header)
        for number, row in enumerate(reader):
            if number % BROKEN_EVERY == BROKEN_EVERY - 1:
                row[date] = "2025-02-30"
                count += 1
                writers[0].writerow(row)
            else:
                writers[0].writerow(row)
                writers[1].writerow(row)
    return broken, valid, count


def template(tracker: str, workdir: Path, name: str) -> Path:
    """A new database at ``tracker``'s own schema head (``db upgrade``)."""
    path = workdir / f"template-{name.replace(' ', '-')}.db"
    path.unlink(missing_ok=True)
    subprocess.run([tracker, "--db", str(path), "db", "upgrade"], check=True,
                   capture_output=True)  # fmt: skip
    return path


def fresh(target: Path, base: Path) -> None:
    """``target``: a copy of ``base``, with no write-ahead log left by a run before."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    shutil.copy(base, target)


def compare(workdir: Path, reference: str, rows: int, runs: int) -> list[str]:
    """The comparison as Markdown lines (a table, then what one rejected row costs)."""
    trackers = {"this tracker": run.tool("tracker"), "reference": reference}
    source = generate.timeline_csv(rows, workdir / f"import-{rows}.csv")
    some = max(1000, rows // 5)
    small = generate.timeline_csv(some, workdir / f"import-{some}.csv")
    broken, valid, rejected = with_broken_rows(small, workdir)
    templates = {name: template(tracker, workdir, name) for name, tracker in trackers.items()}
    target = workdir / "target.db"

    # The last question runs this tracker with its history switched off (as
    # history.py does), against the same import by the reference, which has none.
    questions = {
        f"import {rows:,}-row csv": (source, [], True),
        f"import {valid.stem} ({some - rejected:,} rows)": (valid, [], True),
        f"import {broken.stem} --skip-invalid ({rejected:,} rejected)": (
            broken,
            ["--skip-invalid", "--rejects", str(workdir / "rejects.csv")],
            True,
        ),
        f"import {rows:,}-row csv, this tracker's history off": (source, [], False),
    }
    flags = {name: creates_flag(tracker) for name, tracker in trackers.items()}
    timings: dict[tuple[str, str], run.Timing] = {}
    for turn in range(runs):
        order = list(trackers) if turn % 2 == 0 else list(reversed(trackers))
        for question, (path, extra, history) in questions.items():
            for name in order:
                tracker = [trackers[name]]
                if not history and name == "this tracker":
                    tracker = started(HISTORY_OFF)
                fresh(target, templates[name])
                command = [*tracker, "--db", str(target), "import", *flags[name], str(path),
                           *extra]  # fmt: skip
                timing = timings.setdefault((question, name), run.Timing())
                timing.samples.append(run.run_once(command))
                print(f"  {question}, {name}: {timing.samples[-1].seconds:.2f} s", flush=True)
    lines = [
        "| question | runs | this tracker s | reference s | ÷ reference | this tracker CPU s"
        " | reference CPU s | CPU ÷ reference | this tracker MiB | reference MiB |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for question in questions:
        ours, theirs = timings[(question, "this tracker")], timings[(question, "reference")]
        lines.append(
            f"| {question} | {len(ours.samples)} | {ours.seconds:.3f} | {theirs.seconds:.3f}"
            f" | {ours.seconds / theirs.seconds:.2f}× | {ours.cpu_seconds:.3f}"
            f" | {theirs.cpu_seconds:.3f} | {ours.cpu_seconds / theirs.cpu_seconds:.2f}×"
            f" | {ours.peak_mib:.0f} | {theirs.peak_mib:.0f} |"
        )
    lines.append("")
    names = list(questions)
    for name in trackers:
        broken_t, valid_t = timings[(names[2], name)], timings[(names[1], name)]
        cost = (broken_t.seconds - valid_t.seconds) / rejected
        cpu = (broken_t.cpu_seconds - valid_t.cpu_seconds) / rejected
        lines.append(
            f"- One rejected row costs {name} {cost * 1000:.2f} ms"
            f" ({cpu * 1000:.2f} ms of CPU) with --skip-invalid."
        )
    return lines


def without_in_order(base: Path, path: Path) -> Path:
    """A copy of ``base`` at ``path`` without the in-order indexes (``IN_ORDER``)."""
    shutil.copy(base, path)
    with closing(sqlite3.connect(path)) as connection:
        for index in IN_ORDER:
            connection.execute(f"DROP INDEX {index}")
    return path


def instructions(command: list[str], workdir: Path) -> int:
    """The instructions ``command`` runs, whole process, counted by valgrind's cachegrind:
    the same count however busy the machine is."""
    out = workdir / "cachegrind.out"
    if command[0] != sys.executable:  # a tracker's script: count its Python too
        command = [str(Path(command[0]).with_name("python")), *command]
    subprocess.run(["valgrind", "--tool=cachegrind", "--cache-sim=no",
                    f"--cachegrind-out-file={out}", *command],
                   check=True, capture_output=True)  # fmt: skip
    summary = next(line for line in out.read_text().splitlines() if line.startswith("summary:"))
    return int(summary.split()[1])


def count_parts(workdir: Path, reference: str, rows: int) -> list[str]:
    """``PARTS`` counted in instructions, once each, as Markdown lines."""
    asked = Parts.made(workdir, reference, rows)
    counts: dict[str, int] = {}
    sizes: dict[str, int] = {}
    for part in asked.starts:
        counts[part] = instructions(asked.command(part), workdir)
        sizes[part] = asked.target.stat().st_size
        print(f"  {part}: {counts[part] / 1e9:.2f} billion instructions", flush=True)
    lines = [
        f"| import {rows:,}-row csv | instructions (billions) | ÷ reference | database MB |",
        "|---|---|---|---|",
    ]
    for part, count in counts.items():
        lines.append(
            f"| {_named(part)} | {count / 1e9:.2f} | {count / counts['reference']:.2f}×"
            f" | {sizes[part] / 1e6:.1f} |"
        )
    return lines


def _named(part: str) -> str:
    return "reference" if part == "reference" else f"this tracker, {part}"


@dataclass
class Parts:
    """The import of ``source`` by each part (``PARTS``, then the reference): how it
    starts, its flags and its template."""

    starts: dict[str, tuple[list[str], list[str], Path]]
    source: Path
    target: Path

    @classmethod
    def made(cls, workdir: Path, reference: str, rows: int) -> Parts:
        ours = run.tool("tracker")
        whole = template(ours, workdir, "this tracker")
        unordered = without_in_order(whole, workdir / "template-without-in-order-indexes.db")
        flags = creates_flag(ours)
        starts = {
            part: (
                started(script),
                flags,
                unordered if without_indexes else whole,
            )
            for part, (script, without_indexes) in PARTS.items()
        }
        starts["reference"] = (
            [reference],
            creates_flag(reference),
            template(reference, workdir, "reference"),
        )
        source = generate.timeline_csv(rows, workdir / f"import-{rows}.csv")
        return cls(starts, source, workdir / "target.db")

    def command(self, part: str) -> list[str]:
        """``part``'s import, into a fresh copy of its template (``target``)."""
        start, flags, base = self.starts[part]
        fresh(self.target, base)
        return [*start, "--db", str(self.target), "import", *flags, str(self.source)]


def compare_parts(workdir: Path, reference: str, rows: int, runs: int) -> list[str]:
    """Where the import's extra time goes (``PARTS``), as Markdown lines."""
    asked = Parts.made(workdir, reference, rows)
    timings: dict[str, run.Timing] = {}
    sizes: dict[str, int] = {}
    for turn in range(runs):
        for part in list(asked.starts) if turn % 2 == 0 else list(reversed(asked.starts)):
            command = asked.command(part)
            timing = timings.setdefault(part, run.Timing())
            timing.samples.append(run.run_once(command))
            sizes[part] = asked.target.stat().st_size
            print(f"  {part}: {timing.samples[-1].seconds:.2f} s", flush=True)
    theirs = timings["reference"]
    lines = [
        f"| import {rows:,}-row csv | runs | s | ÷ reference | CPU s | CPU ÷ reference"
        " | MiB | database MB |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for part, timing in timings.items():
        lines.append(
            f"| {_named(part)} | {len(timing.samples)} | {timing.seconds:.3f}"
            f" | {timing.seconds / theirs.seconds:.2f}× | {timing.cpu_seconds:.3f}"
            f" | {timing.cpu_seconds / theirs.cpu_seconds:.2f}× | {timing.peak_mib:.0f}"
            f" | {sizes[part] / 1e6:.1f} |"
        )
    return lines


EXPORT_FORMATS = ("csv", "ndjson")


def reference_database(reference: str, size: int, workdir: Path) -> Path:
    """The database of ``size`` meetings built for the reference's schema revision."""
    python = Path(reference).with_name("python")
    head = subprocess.run(
        [str(python), "-c", "from db.revisions import HEAD; print(HEAD)"],
        capture_output=True,
        text=True,
        check=True,
        cwd=workdir,  # not this checkout's own packages
    ).stdout.strip()
    path = workdir / f"tracker-{size}-g{generate.GENERATOR_VERSION}-s{head}.db"
    if not path.exists():
        raise SystemExit(
            f"{path} is not there: build it with the reference's own generator "
            f"({python} REFERENCE/tests/benchmarks/generate.py {size} --workdir {workdir})"
        )
    return path


def compare_exports(workdir: Path, reference: str, sizes: list[int], runs: int) -> list[str]:
    """The export comparison as Markdown lines."""
    trackers = {"this tracker": run.tool("tracker"), "reference": reference}
    databases = {
        size: {
            "this tracker": generate.build(size, workdir),
            "reference": reference_database(reference, size, workdir),
        }
        for size in sizes
    }
    outputs = {name: workdir / f"export-{name.replace(' ', '-')}.out" for name in trackers}
    timings: dict[tuple[int, str, str], run.Timing] = {}
    for size in sizes:
        for fmt in EXPORT_FORMATS:
            for turn in range(runs):
                order = list(trackers) if turn % 2 == 0 else list(reversed(trackers))
                for name in order:
                    command = [trackers[name], "--db", str(databases[size][name]), "export",
                               "--format", fmt]  # fmt: skip
                    timing = timings.setdefault((size, fmt, name), run.Timing())
                    timing.samples.append(run.run_once(command, outputs[name]))
                    print(f"  {size:,} {fmt}, {name}: {timing.samples[-1].seconds:.2f} s",
                          flush=True)  # fmt: skip
                same = filecmp.cmp(outputs["this tracker"], outputs["reference"], shallow=False)
                if not same:
                    raise SystemExit(f"export --format {fmt} of {size:,} meetings differs")
    for path in outputs.values():
        path.unlink(missing_ok=True)
    lines = [
        "| export, every meeting | meetings | runs | this tracker s | reference s"
        " | ÷ reference | this tracker rows/s | reference rows/s | this tracker CPU s"
        " | reference CPU s | this tracker MiB | reference MiB |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for (size, fmt, name), ours in timings.items():
        if name != "this tracker":
            continue
        theirs = timings[(size, fmt, "reference")]
        lines.append(
            f"| --format {fmt} | {size:,} | {len(ours.samples)} | {ours.seconds:.3f}"
            f" | {theirs.seconds:.3f} | {ours.seconds / theirs.seconds:.2f}×"
            f" | {size / ours.seconds:,.0f} | {size / theirs.seconds:,.0f}"
            f" | {ours.cpu_seconds:.3f} | {theirs.cpu_seconds:.3f}"
            f" | {ours.peak_mib:.0f} | {theirs.peak_mib:.0f} |"
        )
    lines += ["", "Both wrote the same bytes in every run."]
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--reference", required=True, help="the other tracker executable")
    parser.add_argument("--question", choices=["import", "parts", "export"], default="import")
    parser.add_argument("--rows", type=int, default=run.IMPORT_ROWS)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 1_000_000],
                        help="export: meetings of the databases exported")  # fmt: skip
    parser.add_argument("--runs", type=int, default=5, help="runs per figure (median)")
    parser.add_argument("--instructions", action="store_true",
                        help="parts: count each part's instructions once (valgrind)"
                        " instead of timing it")  # fmt: skip
    parser.add_argument("--workdir", type=Path, default=generate.default_workdir())
    args = parser.parse_args()
    run.LAUNCH = run.Launcher()
    for tracker in (run.tool("tracker"), args.reference):
        run.compile_bytecode(tracker)  # as run.py does: as installing each would
    args.workdir.mkdir(parents=True, exist_ok=True)
    try:
        if args.question == "export":
            lines = compare_exports(args.workdir, args.reference, args.sizes, args.runs)
        else:
            with tempfile.TemporaryDirectory(dir=args.workdir) as tmp:
                if args.question == "import":
                    lines = compare(Path(tmp), args.reference, args.rows, args.runs)
                elif args.instructions:
                    lines = count_parts(Path(tmp), args.reference, args.rows)
                else:
                    lines = compare_parts(Path(tmp), args.reference, args.rows, args.runs)
    finally:
        run.LAUNCH.close()
    print()
    print("\n".join(lines))


if __name__ == "__main__":
    main()
