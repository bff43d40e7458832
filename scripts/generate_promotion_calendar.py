"""Write seeds/promotion_calendar.csv: the shop-wide promotions per year.

The dates are the conventional ones (618 runs Jun 1-18, Double 11 opens its presale
on Oct 21 and peaks on Nov 11, Double 12 is one day). Platforms move them a little
each year: edit the CSV (or this script) to match your shop's real calendar.

    python scripts/generate_promotion_calendar.py [--first-year 2015] [--last-year 2040]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COLUMNS = (
    "promotion_name",
    "promotion_year",
    "presale_start_date",
    "start_date",
    "peak_date",
    "end_date",
)


def promotions(
    year: int,
) -> list[tuple[str, dt.date | None, dt.date, dt.date, dt.date]]:
    """(name, presale start, start, peak, end) of each promotion in `year`."""
    return [
        ("618", None, dt.date(year, 6, 1), dt.date(year, 6, 18), dt.date(year, 6, 18)),
        (
            "double11",
            dt.date(year, 10, 21),
            dt.date(year, 10, 21),
            dt.date(year, 11, 11),
            dt.date(year, 11, 11),
        ),
        (
            "double12",
            None,
            dt.date(year, 12, 12),
            dt.date(year, 12, 12),
            dt.date(year, 12, 12),
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--first-year", type=int, default=2015)
    parser.add_argument("--last-year", type=int, default=2040)
    parser.add_argument(
        "--out", type=Path, default=ROOT / "seeds" / "promotion_calendar.csv"
    )
    args = parser.parse_args()
    rows = [
        (name, year, presale, start, peak, end)
        for year in range(args.first_year, args.last_year + 1)
        for name, presale, start, peak, end in promotions(year)
    ]
    with args.out.open("w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(COLUMNS)
        for name, year, presale, start, peak, end in sorted(rows):
            writer.writerow(
                [name, year, presale.isoformat() if presale else ""]
                + [day.isoformat() for day in (start, peak, end)]
            )


if __name__ == "__main__":
    main()
