"""Run the fault cases and print, per case: tried, got through, lost, duplicated, 5xx.

    .venv/bin/python -m bench.faults [--quick] [--db sqlite|postgresql|both] [--case NAME]

Target for every case: 0 got through, 0 lost, 0 duplicated, 0 5xx. The default sizes take a
few minutes on 2 cores; --quick takes seconds per case (the test suite runs it).
"""

from __future__ import annotations

import argparse
import sys
import time

from bench.faults.cases import CASES
from bench.faults.central import DATABASES, DatabaseMissing
from bench.faults.tally import Tally

COLUMNS = ("tried", "got through", "lost", "duplicated", "5xx")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes: seconds per case")
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--case", action="append", choices=[case.name for case in CASES],
                        help="run only this case (repeatable)")  # fmt: skip
    args = parser.parse_args()
    databases = DATABASES if args.db == "both" else (args.db,)
    chosen = [case for case in CASES if not args.case or case.name in args.case]
    print(f"fault cases ({'quick' if args.quick else 'full'} sizes); "
          "target: 0 got through, 0 lost, 0 duplicated, 0 5xx")  # fmt: skip
    names = (f"{'case':<46}", f"{'database':<10}", *COLUMNS, "target ", "  s")
    print("| " + " | ".join(names) + " |")
    print("|" + "|".join("-" * (len(name) + 2) for name in names) + "|")
    missed = 0
    for case in chosen:
        for database in databases if case.per_database else ("sqlite",):
            started = time.monotonic()
            try:
                tally = case.run(database, args.quick)
            except DatabaseMissing as error:
                print(f"| {case.title:<46} | {database:<10} | skipped: {error} |")
                continue
            seconds = time.monotonic() - started
            shown = database if case.per_database else "station"
            missed += not tally.met
            print(row(case.title, shown, tally, seconds), flush=True)
            for text in tally.notes:
                print(f"|   ↳ {text}")
    print("all targets met" if not missed else f"{missed} case(s) missed the target")
    return 1 if missed else 0


def row(title: str, database: str, tally: Tally, seconds: float) -> str:
    values = (tally.tried, tally.got_through, tally.lost, tally.duplicated, tally.five_xx)
    cells = " | ".join(f"{value:>{len(name)},}" for value, name in zip(values, COLUMNS,
                                                                        strict=True))  # fmt: skip
    verdict = "met" if tally.met else "NOT MET"
    return f"| {title:<46} | {database:<10} | {cells} | {verdict:<7} | {seconds:3.0f} |"


if __name__ == "__main__":
    sys.exit(main())
