"""Generate ``seeds/lunar_holiday_dates.csv``: the Gregorian date, each year, of
every lunar holiday listed in ``seeds/holidays.csv``.

A lunar holiday is a day of the Chinese lunar calendar (Spring Festival = 1st
day of the 1st month, Mid-Autumn = 15th day of the 8th month, ...), so its
Gregorian date moves every year; ``holiday_month`` and ``holiday_day`` of its
``holidays.csv`` row are the lunar month and day (never a leap month). The
conversion uses ``lunar_python`` (寿星天文历: new moons and solar terms in
China Standard Time, with the corrections for historical published calendars).
Gregorian holidays need no table: dbt dates them by rule for any year.

For every Gregorian year from ``--first-year`` to ``--last-year``, the row of
each lunar holiday that falls in that year (the lunar years before and after
are looked at too, so a holiday of the 12th lunar month that falls in January
is found). dbt (``int_holidays_dated``) fails with a clear error when the
data's years reach beyond the table.

Checks, on every run: the published dates in KNOWN_HOLIDAY_DATES; exactly one
date per holiday and year; and, when ``lunardate`` is installed (a table
transcribed from the Hong Kong Observatory, lunar years 1900-2099), every date
against it. The two agree on every date but one: Mid-Autumn 1978, which
lunardate puts on 1978-09-16. The new moon that opens the 8th lunar month fell
at 00:08 CST on 1978-09-03, so the 15th day is 1978-09-17, as lunar_python has
it (KNOWN_LUNARDATE_DIFFERENCES).

Usage (dev only; the build never runs this)::

    pip install -c constraints.txt -e ".[calendars]"
    python scripts/generate_holiday_calendar.py [--first-year 1899] [--last-year 2101]
"""

from __future__ import annotations

import argparse
import csv
import sys
import warnings
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_FIRST_YEAR = 1899
DEFAULT_LAST_YEAR = 2101
HOLIDAYS_SEED = ROOT / "seeds" / "holidays.csv"
DEFAULT_OUT = ROOT / "seeds" / "lunar_holiday_dates.csv"
COLUMNS = ("holiday_name", "holiday_date")

# Published dates (the official Chinese calendar), checked on every run whose
# year range covers them.
KNOWN_HOLIDAY_DATES = {
    ("spring_festival", 1900): date(1900, 1, 31),
    ("spring_festival", 1997): date(1997, 2, 7),
    ("lantern_festival", 1997): date(1997, 2, 21),
    ("dragon_boat", 1997): date(1997, 6, 9),
    ("qixi", 1997): date(1997, 8, 9),
    ("mid_autumn", 1997): date(1997, 9, 16),
    ("spring_festival", 1998): date(1998, 1, 28),
    ("spring_festival", 2000): date(2000, 2, 5),
    ("mid_autumn", 2020): date(2020, 10, 1),
    ("spring_festival", 2024): date(2024, 2, 10),
    ("lantern_festival", 2024): date(2024, 2, 24),
    ("dragon_boat", 2024): date(2024, 6, 10),
    ("qixi", 2024): date(2024, 8, 10),
    ("mid_autumn", 2024): date(2024, 9, 17),
    ("spring_festival", 2025): date(2025, 1, 29),
    ("mid_autumn", 2025): date(2025, 10, 6),
}
# (holiday, lunar year): lunardate's date, where it is known to be wrong.
KNOWN_LUNARDATE_DIFFERENCES = {("mid_autumn", 1978): date(1978, 9, 16)}


def import_lunar_python() -> ModuleType:
    try:
        import lunar_python
    except ImportError:
        sys.exit(
            "error: the 'lunar_python' package is required to convert lunar dates; "
            'install it with: pip install -c constraints.txt -e ".[calendars]"'
        )
    return lunar_python


def read_lunar_holidays(seed: Path) -> list[tuple[str, int, int]]:
    """(holiday_name, lunar month, lunar day) of the lunar rows of holidays.csv."""
    with seed.open(encoding="utf-8", newline="") as handle:
        return [
            (row["holiday_name"], int(row["holiday_month"]), int(row["holiday_day"]))
            for row in csv.DictReader(handle)
            if row["calendar_basis"] == "lunar"
        ]


def lunar_to_gregorian(
    lunar_python: ModuleType, lunar_year: int, month: int, day: int
) -> date:
    solar = lunar_python.Lunar.fromYmd(lunar_year, month, day).getSolar()
    return date(solar.getYear(), solar.getMonth(), solar.getDay())


def holiday_dates(
    lunar_python: ModuleType,
    holidays: Sequence[tuple[str, int, int]],
    first_year: int,
    last_year: int,
) -> list[tuple[str, date, int]]:
    """(holiday_name, Gregorian date, lunar year) of every lunar holiday that
    falls in first_year..last_year, by date then name."""
    rows = []
    for name, month, day in holidays:
        for lunar_year in range(first_year - 1, last_year + 2):
            gregorian = lunar_to_gregorian(lunar_python, lunar_year, month, day)
            if first_year <= gregorian.year <= last_year:
                rows.append((name, gregorian, lunar_year))
    return sorted(rows, key=lambda row: (row[1], row[0]))


def check_one_per_year(
    rows: Sequence[tuple[str, date, int]],
    holidays: Sequence[tuple[str, int, int]],
    first_year: int,
    last_year: int,
) -> None:
    found = {(name, day.year) for name, day, _ in rows}
    expected = {
        (name, year)
        for name, _, _ in holidays
        for year in range(first_year, last_year + 1)
    }
    if len(rows) != len(found) or found != expected:
        raise RuntimeError(
            "not exactly one date per lunar holiday and year: "
            f"missing {sorted(expected - found)[:5]}, rows {len(rows)}"
        )


def check_known_dates(rows: Sequence[tuple[str, date, int]]) -> None:
    computed = {(name, day.year): day for name, day, _ in rows}
    for key, expected in KNOWN_HOLIDAY_DATES.items():
        if key in computed and computed[key] != expected:
            raise RuntimeError(
                f"{key} computed as {computed[key]}, published {expected}"
            )


def check_against_lunardate(
    rows: Sequence[tuple[str, date, int]], holidays: Sequence[tuple[str, int, int]]
) -> int:
    """Compare every date lunardate knows; return the dates compared (0 when the
    package is not installed)."""
    try:
        import lunardate
    except ImportError:
        print("note: lunardate is not installed; skipped the cross-check")
        return 0
    lunar_day = {name: (month, day) for name, month, day in holidays}
    compared, differences = 0, []
    for name, gregorian, lunar_year in rows:
        if not 1900 <= lunar_year <= 2099:  # lunardate's table
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            other = lunardate.LunarDate(lunar_year, *lunar_day[name]).toSolarDate()
        compared += 1
        if (
            other != gregorian
            and KNOWN_LUNARDATE_DIFFERENCES.get((name, lunar_year)) != other
        ):
            differences.append(f"{name} {lunar_year}: {gregorian} vs {other}")
    if differences:
        raise RuntimeError(
            "lunar_python and lunardate disagree: " + "; ".join(differences)
        )
    return compared


def write_csv(rows: Sequence[tuple[str, date, int]], out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(COLUMNS)
        writer.writerows((name, day.isoformat()) for name, day, _ in rows)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Write the lunar holiday dates seed from seeds/holidays.csv."
    )
    parser.add_argument("--first-year", type=int, default=DEFAULT_FIRST_YEAR)
    parser.add_argument("--last-year", type=int, default=DEFAULT_LAST_YEAR)
    parser.add_argument("--holidays", type=Path, default=HOLIDAYS_SEED)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    if args.first_year > args.last_year:
        parser.error("--first-year must not be after --last-year")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    lunar_python = import_lunar_python()
    holidays = read_lunar_holidays(args.holidays)
    rows = holiday_dates(lunar_python, holidays, args.first_year, args.last_year)
    check_one_per_year(rows, holidays, args.first_year, args.last_year)
    check_known_dates(rows)
    compared = check_against_lunardate(rows, holidays)
    write_csv(rows, args.out)
    print(
        f"wrote {len(rows)} lunar holiday dates to {args.out}"
        + (f" ({compared} checked against lunardate)" if compared else "")
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
