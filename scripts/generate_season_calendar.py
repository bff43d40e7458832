"""Generate ``seeds/solar_term_dates.csv``: the dates of the four season-opening
solar terms, the lookup behind the ``solar_terms`` season calendar.

The Chinese seasons start at the solar terms Start of Spring (立春), Start of
Summer (立夏), Start of Autumn (立秋) and Start of Winter (立冬): the moments when
the Sun's apparent geocentric ecliptic longitude reaches 315°, 45°, 135° and
225°. Each moment is computed with ``ephem`` (VSOP87, ΔT included), bisected to
one second and dated in China Standard Time (UTC+8), as the Chinese calendar
and the Hong Kong Observatory's published tables date it.

The rows run from the Start of Winter of the year before ``--first-year`` to
the Start of Spring of the year after ``--last-year``, so that every day of
the years in between falls in a season that starts and ends inside the table.
dbt (``int_seasons_dated``) turns these starts into seasons; the
meteorological seasons and the southern hemisphere need no table (they follow
fixed rules in SQL).

Checks, on every run: the published dates in KNOWN_SOLAR_TERM_DATES; and, when
the ``lunar_python`` package is installed, every date against its solar-term
table (an independent implementation: 寿星天文历), failing on any difference.
Both agree on every date 1898-2102.

Usage (dev only; the build never runs this)::

    pip install -c constraints.txt -e ".[calendars]"
    python scripts/generate_season_calendar.py [--first-year 1899] [--last-year 2101]
"""

from __future__ import annotations

import argparse
import csv
import math
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from types import ModuleType

DEFAULT_FIRST_YEAR = 1899
DEFAULT_LAST_YEAR = 2101
DEFAULT_OUT = Path(__file__).resolve().parent.parent / "seeds" / "solar_term_dates.csv"

COLUMNS = ("solar_term", "northern_season_name", "term_date")
NORTHERN_SEASONS = ("spring", "summer", "autumn", "winter")
SOLAR_TERM_NAME = {
    "spring": "start_of_spring",
    "summer": "start_of_summer",
    "autumn": "start_of_autumn",
    "winter": "start_of_winter",
}
SOLAR_TERM_CHINESE = {
    "spring": "立春",
    "summer": "立夏",
    "autumn": "立秋",
    "winter": "立冬",
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

CHINA_STANDARD_TIME = timedelta(hours=8)
# Published solar-term dates (China Standard Time), checked on every run whose
# year range covers them.
KNOWN_SOLAR_TERM_DATES = {
    ("spring", 1997): date(1997, 2, 4),
    ("summer", 1997): date(1997, 5, 5),
    ("autumn", 1997): date(1997, 8, 7),
    ("winter", 1997): date(1997, 11, 7),
    ("spring", 2024): date(2024, 2, 4),
    ("summer", 2024): date(2024, 5, 5),
    ("autumn", 2024): date(2024, 8, 7),
    ("winter", 2024): date(2024, 11, 7),
    ("spring", 2025): date(2025, 2, 3),
}


@dataclass(frozen=True)
class SolarTerm:
    season_name: str  # the northern season it opens
    year: int
    moment: datetime  # China Standard Time

    def as_row(self) -> dict[str, str]:
        return {
            "solar_term": SOLAR_TERM_NAME[self.season_name],
            "northern_season_name": self.season_name,
            "term_date": self.moment.date().isoformat(),
        }


def import_ephem() -> ModuleType:
    try:
        import ephem
    except ImportError:
        sys.exit(
            "error: the 'ephem' package is required to compute the solar terms; "
            'install it with: pip install -c constraints.txt -e ".[calendars]"'
        )
    return ephem


def apparent_solar_longitude(ephem: ModuleType, when: float) -> float:
    """Apparent geocentric ecliptic longitude of the Sun, radians, of date."""
    sun = ephem.Sun(when)
    # g_ra/g_dec are apparent geocentric coordinates for the equinox of date.
    equatorial = ephem.Equatorial(sun.g_ra, sun.g_dec, epoch=when)
    return float(ephem.Ecliptic(equatorial, epoch=when).lon)


def solar_term_moment(ephem: ModuleType, season_name: str, year: int) -> datetime:
    """China Standard Time moment at which the northern season starts."""
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
    return ephem.Date(after).datetime() + CHINA_STANDARD_TIME


def solar_terms(ephem: ModuleType, first_year: int, last_year: int) -> list[SolarTerm]:
    """From the Start of Winter before first_year to the Start of Spring after
    last_year, in date order."""
    wanted = [(first_year - 1, "winter")]
    for year in range(first_year, last_year + 1):
        wanted += [(year, name) for name in NORTHERN_SEASONS]
    wanted.append((last_year + 1, "spring"))
    return [
        SolarTerm(name, year, solar_term_moment(ephem, name, year))
        for year, name in wanted
    ]


def check_known_dates(terms: Sequence[SolarTerm]) -> None:
    computed = {(term.season_name, term.year): term.moment.date() for term in terms}
    for key, expected in KNOWN_SOLAR_TERM_DATES.items():
        if key in computed and computed[key] != expected:
            raise RuntimeError(
                f"solar term {key} computed as {computed[key]}, published {expected}"
            )


def check_against_lunar_python(terms: Sequence[SolarTerm]) -> int:
    """Compare every date with lunar_python's table; return the dates compared
    (0 when the package is not installed)."""
    try:
        from lunar_python import Solar
    except ImportError:
        print("note: lunar_python is not installed; skipped the cross-check")
        return 0
    differences = []
    for term in terms:
        table = Solar.fromYmd(term.year, 6, 1).getLunar().getJieQiTable()
        other = table[SOLAR_TERM_CHINESE[term.season_name]]
        other_date = date(other.getYear(), other.getMonth(), other.getDay())
        if other_date != term.moment.date():
            differences.append(f"{term.season_name} {term.year}: {other.toYmdHms()}")
    if differences:
        raise RuntimeError(
            f"ephem ({len(terms)} terms) and lunar_python disagree on: "
            + "; ".join(differences)
        )
    return len(terms)


def write_csv(terms: Sequence[SolarTerm], out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(term.as_row() for term in terms)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Write the solar term dates seed (the solar_terms seasons)."
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
        help="CSV file to write (default: seeds/solar_term_dates.csv)",
    )
    args = parser.parse_args(argv)
    if args.first_year > args.last_year:
        parser.error("--first-year must not be after --last-year")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    ephem = import_ephem()
    terms = solar_terms(ephem, args.first_year, args.last_year)
    check_known_dates(terms)
    compared = check_against_lunar_python(terms)
    write_csv(terms, args.out)
    print(
        f"wrote {len(terms)} solar terms to {args.out}"
        + (f" (all {compared} equal to lunar_python's)" if compared else "")
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
