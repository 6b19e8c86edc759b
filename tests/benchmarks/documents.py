"""Time reading tracker/1 documents: tracker's bounded loader against the plain parsers.

    python tests/benchmarks/documents.py                 # the registries of generate.py
    python tests/benchmarks/documents.py --copies 4 --runs 5

The document is the registries document that ``generate.py`` imports (about 2,000
people and 2,000 places with their aliases), repeated ``--copies`` times with fresh
uids, written as JSON and as YAML by tracker's own writers. Each parser reads the same
text ``--runs`` times in this process; the table shows the median seconds and the peak
memory the parse allocates (``tracemalloc``), beside the reference measured in the same
run: ``json.loads`` for JSON, ``yaml.safe_load`` (what tracker used before) and
libyaml's ``CSafeLoader`` for YAML. Compare ratios from one run, not across runs.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

import yaml  # noqa: E402

from tests.benchmarks import generate  # noqa: E402
from tracker.document import document_json, document_yaml  # noqa: E402
from tracker.structured import parse_text  # noqa: E402


def build(copies: int) -> dict[str, Any]:
    registries = generate.World(random.Random(generate.SEED)).document()
    document: dict[str, Any] = {"format": "tracker/1", "people": [], "places": []}
    for copy in range(copies):
        for section in ("people", "places"):
            for record in registries[section]:  # type: ignore[attr-defined]
                document[section].append({**record, "uid": f"{record['uid']}-{copy}"})
    return document


def measure(parse: Callable[[], object], runs: int) -> tuple[float, float]:
    """Median seconds and peak MiB allocated by ``parse``."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        parse()
        times.append(time.perf_counter() - started)
    tracemalloc.start()
    parse()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return statistics.median(times), peak / 1024**2


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--copies", type=int, default=2)
    parser.add_argument("--runs", type=int, default=3)
    options = parser.parse_args()
    document = build(options.copies)
    as_json, as_yaml = document_json(document), document_yaml(document)
    assert parse_text(as_json, origin="d.json", kind="json") == document
    assert parse_text(as_yaml, origin="d.yaml", kind="yaml") == document
    records = len(document["people"]) + len(document["places"])
    print(
        f"{records:,} records; json {len(as_json) / 1024**2:.1f} MiB, "
        f"yaml {len(as_yaml) / 1024**2:.1f} MiB; median of {options.runs} runs"
    )
    cases: list[tuple[str, str, Callable[[], object]]] = [
        ("json", "json.loads", lambda: json.loads(as_json)),
        ("json", "tracker", lambda: parse_text(as_json, origin="d.json", kind="json")),
        ("yaml", "yaml.safe_load", lambda: yaml.safe_load(as_yaml)),
        ("yaml", "yaml CSafeLoader", lambda: yaml.load(as_yaml, Loader=yaml.CSafeLoader)),
        ("yaml", "tracker", lambda: parse_text(as_yaml, origin="d.yaml", kind="yaml")),
    ]
    print("| format | parser | s | peak MiB | ÷ first of format |\n|---|---|---|---|---|")
    reference: dict[str, float] = {}
    for fmt, name, parse in cases:
        seconds, peak = measure(parse, options.runs)
        base = reference.setdefault(fmt, seconds)
        print(f"| {fmt} | {name} | {seconds:.3f} | {peak:.0f} | {seconds / base:.2f}× |")


if __name__ == "__main__":
    main()
