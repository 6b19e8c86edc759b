"""Time importing a foreign table whose country column is written as people write it.

    python tests/benchmarks/countries.py                   # 4,000 rows, 200 spellings
    python tests/benchmarks/countries.py --rows 4000 --spellings 200 --runs 3

The table has ``--rows`` trips (traveller, start, country, city) whose country cells
use ``--spellings`` distinct spellings: codes (alpha-3, numeric), English names as
ISO writes them (inverted: ``Korea, Republic of``), names in Polish, Russian and German,
dotted abbreviations and former countries. The reference, imported in the same run, is
the same table with every country cell an ISO alpha-2 code (no name to resolve), so the
difference is what resolving the names costs. Each import is a whole ``tracker import
--create`` process into a new database (start-up included); the table shows medians.

Below it, in this process: the time to build each tier of the resolver's index (built
once, when first needed) and to resolve every spelling once.
"""

from __future__ import annotations

import argparse
import csv
import random
import shutil
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from tests.benchmarks import run as bench  # noqa: E402

SEED = 13


def spellings(count: int) -> list[tuple[str, str]]:
    """``count`` distinct (spelling, code) pairs, taken round-robin from the ways a
    table writes a country."""
    import pycountry
    from babel import Locale

    languages = {lang: Locale(lang).territories for lang in ("pl", "ru", "de")}
    former = [
        ("U.S.S.R.", "SUHH"), ("Soviet Union", "SUHH"), ("Yugoslavia", "YUCS"),
        ("Czechoslovakia", "CSHH"), ("German Democratic Republic", "DDDE"),
        ("Serbia and Montenegro", "CSXX"), ("Burma", "MM"), ("Zaire", "CD"),
        ("Ceylon", "LK"), ("U.K.", "GB"), ("U.S.", "US"), ("Korea, South", "KR"),
    ]  # fmt: skip
    found: dict[str, str] = dict(former)
    countries = sorted(pycountry.countries, key=lambda c: c.alpha_2)
    ways = ("alpha_3", "numeric", "name", "pl", "ru", "de")
    turn = 0
    while len(found) < count:
        for country in countries:
            if len(found) >= count:
                break
            way = ways[turn % len(ways)]
            turn += 1
            if way in languages:
                text = languages[way].get(country.alpha_2)
            else:
                text = getattr(country, way, None)
            if text and text not in found:
                found[text] = country.alpha_2
        if turn > 10 * count:
            raise SystemExit(f"only {len(found)} spellings could be made")
    return list(found.items())[:count]


def write_tables(rows: int, pairs: list[tuple[str, str]], folder: Path) -> tuple[Path, Path]:
    """The table as written (names) and the reference (alpha-2 codes), row for row."""
    chooser = random.Random(SEED)
    named, coded = folder / "named.csv", folder / "coded.csv"
    with (
        named.open("w", newline="", encoding="utf-8") as a,
        coded.open("w", newline="", encoding="utf-8") as b,
    ):
        first, second = csv.writer(a), csv.writer(b)
        header = ["traveller", "start", "country", "city"]
        first.writerow(header)
        second.writerow(header)
        for number in range(rows):
            # every spelling once, then at random
            text, code = pairs[number] if number < len(pairs) else chooser.choice(pairs)
            day = (date(2000, 1, 1) + timedelta(days=number)).isoformat()
            traveller = f"Envoy {number % 40}"
            city = f"Capital of {code}"
            first.writerow([traveller, day, text, city])
            second.writerow([traveller, day, code, city])
    return named, coded


def resolver_figures(pairs: list[tuple[str, str]]) -> list[str]:
    """Build the index tier by tier and resolve every spelling, in this process."""
    started = time.perf_counter()
    from tracker import countries

    index = countries._index()
    built = time.perf_counter() - started
    lines = [f"- codes and English names: index built in {built:.3f} s"]
    for number, label in ((0, "first languages"), (1, "every other language")):
        started = time.perf_counter()
        index.tier(number)
        lines.append(f"- {label}: built in {time.perf_counter() - started:.3f} s")
    started = time.perf_counter()
    wrong = [(text, code) for text, code in pairs if countries.find_country(text) != code]
    elapsed = time.perf_counter() - started
    lines.append(
        f"- {len(pairs)} spellings resolved in {elapsed * 1000:.1f} ms"
        f" ({len(wrong)} to another code than the generator meant"
        + (f": {wrong[:5]}" if wrong else "")
        + ")"
    )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--rows", type=int, default=4000)
    parser.add_argument("--spellings", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3, help="runs per figure (median)")
    args = parser.parse_args()
    pairs = spellings(args.spellings)
    bench.LAUNCH = bench.Launcher()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        named, coded = write_tables(args.rows, pairs, folder)
        target = folder / "target.db"

        def fresh() -> None:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{target}{suffix}").unlink(missing_ok=True)

        tracker = [shutil.which("tracker") or bench.tool("tracker"), "--db", str(target)]
        timings = {}
        for label, table in (("names as written", named), ("alpha-2 codes (reference)", coded)):
            timings[label] = bench.measure(
                [*tracker, "import", "--create", str(table)], args.runs, prepare=fresh
            )
    bench.LAUNCH.close()
    print(f"import of {args.rows:,} rows, {len(pairs)} distinct country spellings")
    print()
    print("| country column | runs | seconds (median) | peak MiB | rows/s |")
    print("|---|---|---|---|---|")
    for label, timing in timings.items():
        print(
            f"| {label} | {len(timing.samples)} | {timing.seconds:.3f} |"
            f" {timing.peak_mib:.0f} | {args.rows / timing.seconds:,.0f} |"
        )
    ratio = timings["names as written"].seconds / timings["alpha-2 codes (reference)"].seconds
    print()
    print(f"names ÷ codes: {ratio:.2f}×")
    print()
    print("The resolver, in this process:")
    print()
    print("\n".join(resolver_figures(pairs)))


if __name__ == "__main__":
    main()
