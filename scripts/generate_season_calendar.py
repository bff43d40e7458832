"""Generate ``seeds/season_calendar.csv``: season boundaries per calendar system.

Two calendar systems, each for both hemispheres:

* ``solar_terms``: seasons start at the Chinese solar terms Start of Spring
  (立春), Start of Summer (立夏), Start of Autumn (立秋) and Start of Winter
  (立冬), the moments when the Sun's apparent geocentric ecliptic longitude
  reaches 315°, 45°, 135° and 225°. The moment is computed with ``ephem`` and
  dated in China Standard Time (UTC+8), as the Chinese calendar dates it.
* ``meteorological``: seasons start on Mar 1, Jun 1, Sep 1 and Dec 1.

The southern hemisphere keeps the same date boundaries and flips the names
(the northern summer is the southern winter, spring is autumn).

Each row is one season: ``season_year`` is the year it starts in and
``season_end_date`` is inclusive (the day before the next season starts). For
every (calendar_system, hemisphere), the rows tile Jan 1 of the first year to
Dec 31 of the last year without gap or overlap: the first row is the winter
that starts in the year before and the last is the winter that ends early in
the year after. The output is deterministic: sorted rows, fixed formatting.

Usage::

    pip install ephem==4.2.1
    python scripts/generate_season_calendar.py
"""

from __future__ import annotations

import argparse
import csv
import math
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from types import ModuleType

DEFAULT_FIRST_YEAR = 2015
DEFAULT_LAST_YEAR = 2040
DEFAULT_OUT = Path(__file__).resolve().parent.parent / "seeds" / "season_calendar.csv"

COLUMNS = (
    "calendar_system",
    "hemisphere",
    "season_year",
    "season_name",
    "season_start_date",
    "season_end_date",
)
NORTHERN_SEASONS = ("spring", "summer", "autumn", "winter")
SOUTHERN_NAME = {
    "spring": "autumn",
    "summer": "winter",
    "autumn": "spring",
    "winter": "summer",
}

# Apparent solar longitude (degrees) at which each northern season starts, and
# the (month, day) a few days before it, where the search for the moment begins.
SOLAR_TERM_LONGITUDE = {"spring": 315, "summer": 45, "autumn": 135, "winter": 225}
SOLAR_TERM_SEARCH_FROM = {
    "spring": (2, 1),
    "summer": (5, 2),
    "autumn": (8, 4),
    "winter": (11, 4),
}
METEOROLOGICAL_START = {
    "spring": (3, 1),
    "summer": (6, 1),
    "autumn": (9, 1),
    "winter": (12, 1),
}

CHINA_STANDARD_TIME_OFFSET_DAYS = 8 / 24
# Published solar-term dates (China Standard Time), checked on every run whose
# year range covers them.
KNOWN_SOLAR_TERM_DATES = {
    ("spring", 2024): date(2024, 2, 4),
    ("summer", 2024): date(2024, 5, 5),
    ("autumn", 2024): date(2024, 8, 7),
    ("winter", 2024): date(2024, 11, 7),
    ("spring", 2025): date(2025, 2, 3),
}


@dataclass(frozen=True)
class Season:
    calendar_system: str
    hemisphere: str
    season_year: int
    season_name: str
    season_start_date: date
    season_end_date: date

    def sort_key(self) -> tuple[str, str, date]:
        return (self.calendar_system, self.hemisphere, self.season_start_date)

    def as_row(self) -> dict[str, str]:
        return {
            "calendar_system": self.calendar_system,
            "hemisphere": self.hemisphere,
            "season_year": str(self.season_year),
            "season_name": self.season_name,
            "season_start_date": self.season_start_date.isoformat(),
            "season_end_date": self.season_end_date.isoformat(),
        }


def import_ephem() -> ModuleType:
    try:
        import ephem
    except ImportError:
        sys.exit(
            "error: the 'ephem' package is required to compute the solar terms; "
            "install it with: pip install ephem==4.2.1"
        )
    return ephem


def apparent_solar_longitude(ephem: ModuleType, when: float) -> float:
    """Apparent geocentric ecliptic longitude of the Sun, radians, of date."""
    sun = ephem.Sun(when)
    # g_ra/g_dec are apparent geocentric coordinates for the equinox of date.
    equatorial = ephem.Equatorial(sun.g_ra, sun.g_dec, epoch=when)
    return float(ephem.Ecliptic(equatorial, epoch=when).lon)


def solar_term_date(ephem: ModuleType, season_name: str, year: int) -> date:
    """China Standard Time date on which the northern season starts."""
    target = math.radians(SOLAR_TERM_LONGITUDE[season_name])

    def angle_past_target(when: float) -> float:
        # Wrapped to (-pi, pi]: negative before the moment, positive after.
        difference = apparent_solar_longitude(ephem, when) - target
        return math.pi - (math.pi - difference) % (2 * math.pi)

    month, day = SOLAR_TERM_SEARCH_FROM[season_name]
    before = float(ephem.Date(date(year, month, day)))
    after = before + 7  # the Sun moves about 7 degrees in that time
    if not angle_past_target(before) < 0 < angle_past_target(after):
        raise RuntimeError(f"solar term {season_name} {year} not within search window")
    while after - before > 1 / 86_400:  # bisect to one second
        middle = (before + after) / 2
        if angle_past_target(middle) < 0:
            before = middle
        else:
            after = middle
    moment_utc = ephem.Date(after).datetime()
    return (moment_utc + timedelta(days=CHINA_STANDARD_TIME_OFFSET_DAYS)).date()


def season_start_date(
    ephem: ModuleType, calendar_system: str, season_name: str, year: int
) -> date:
    """Start date of the northern season season_name of the given year."""
    if calendar_system == "solar_terms":
        return solar_term_date(ephem, season_name, year)
    return date(year, *METEOROLOGICAL_START[season_name])


def season_starts(
    ephem: ModuleType, calendar_system: str, first_year: int, last_year: int
) -> list[tuple[int, str, date]]:
    """(season_year, northern season name, start date) in date order, from the
    winter before first_year through the spring after last_year."""
    wanted = [(first_year - 1, "winter")]
    for year in range(first_year, last_year + 1):
        wanted += [(year, name) for name in NORTHERN_SEASONS]
    wanted.append((last_year + 1, "spring"))
    return [
        (year, name, season_start_date(ephem, calendar_system, name, year))
        for year, name in wanted
    ]


def build_seasons(
    ephem: ModuleType, first_year: int, last_year: int
) -> Iterator[Season]:
    for calendar_system in ("meteorological", "solar_terms"):
        starts = season_starts(ephem, calendar_system, first_year, last_year)
        # The last start (spring after last_year) only closes the final winter.
        for (year, name, start), (_, _, next_start) in zip(
            starts, starts[1:], strict=False
        ):
            for hemisphere in ("north", "south"):
                yield Season(
                    calendar_system=calendar_system,
                    hemisphere=hemisphere,
                    season_year=year,
                    season_name=name if hemisphere == "north" else SOUTHERN_NAME[name],
                    season_start_date=start,
                    season_end_date=next_start - timedelta(days=1),
                )


def check_known_dates(seasons: Sequence[Season]) -> None:
    starts = {
        (season.season_name, season.season_year): season.season_start_date
        for season in seasons
        if season.calendar_system == "solar_terms" and season.hemisphere == "north"
    }
    for key, expected in KNOWN_SOLAR_TERM_DATES.items():
        if key in starts and starts[key] != expected:
            raise RuntimeError(
                f"solar term {key} computed as {starts[key]}, published {expected}"
            )


def write_csv(seasons: Sequence[Season], out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(
            season.as_row() for season in sorted(seasons, key=Season.sort_key)
        )


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Write the season calendar seed (solar terms and meteorological)."
    )
    parser.add_argument(
        "--first-year",
        type=int,
        default=DEFAULT_FIRST_YEAR,
        help="first year covered from Jan 1 (default: %(default)s)",
    )
    parser.add_argument(
        "--last-year",
        type=int,
        default=DEFAULT_LAST_YEAR,
        help="last year covered to Dec 31 (default: %(default)s)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_OUT,
        help="CSV file to write (default: seeds/season_calendar.csv)",
    )
    args = parser.parse_args(argv)
    if args.first_year > args.last_year:
        parser.error("--first-year must not be after --last-year")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    ephem = import_ephem()
    seasons = list(build_seasons(ephem, args.first_year, args.last_year))
    check_known_dates(seasons)
    write_csv(seasons, args.out)
    print(f"wrote {len(seasons)} seasons to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
