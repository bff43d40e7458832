"""Checks on the generated seed seeds/season_calendar.csv."""

from __future__ import annotations

import csv
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path

import pytest

SEED = Path(__file__).resolve().parents[2] / "seeds" / "season_calendar.csv"
COLUMNS = [
    "calendar_system",
    "hemisphere",
    "season_year",
    "season_name",
    "season_start_date",
    "season_end_date",
]
GROUPS = [
    (calendar_system, hemisphere)
    for calendar_system in ("solar_terms", "meteorological")
    for hemisphere in ("north", "south")
]
COVERED_FROM = date(2015, 1, 1)
COVERED_TO = date(2040, 12, 31)

Season = tuple[int, str, date, date]  # season_year, season_name, start, end


def read_seasons() -> dict[tuple[str, str], list[Season]]:
    with SEED.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        assert reader.fieldnames == COLUMNS
        seasons: dict[tuple[str, str], list[Season]] = defaultdict(list)
        for row in reader:
            seasons[(row["calendar_system"], row["hemisphere"])].append(
                (
                    int(row["season_year"]),
                    row["season_name"],
                    date.fromisoformat(row["season_start_date"]),
                    date.fromisoformat(row["season_end_date"]),
                )
            )
    return dict(seasons)


@pytest.fixture(scope="module")
def seasons() -> dict[tuple[str, str], list[Season]]:
    return read_seasons()


def season_on(
    seasons: dict[tuple[str, str], list[Season]],
    calendar_system: str,
    hemisphere: str,
    day: date,
) -> str:
    names = [
        name
        for _, name, start, end in seasons[(calendar_system, hemisphere)]
        if start <= day <= end
    ]
    assert len(names) == 1, f"{day} is in {len(names)} seasons"
    return names[0]


def test_groups_are_exactly_both_systems_and_hemispheres(
    seasons: dict[tuple[str, str], list[Season]],
) -> None:
    assert sorted(seasons) == sorted(GROUPS)


@pytest.mark.parametrize(("calendar_system", "hemisphere"), GROUPS)
def test_seasons_tile_the_covered_range_without_gap_or_overlap(
    seasons: dict[tuple[str, str], list[Season]],
    calendar_system: str,
    hemisphere: str,
) -> None:
    rows = seasons[(calendar_system, hemisphere)]
    assert rows == sorted(rows, key=lambda season: season[2]), "rows not sorted"
    first_start, last_end = rows[0][2], rows[-1][3]
    assert first_start <= COVERED_FROM
    assert last_end >= COVERED_TO
    for previous, current in zip(rows, rows[1:], strict=False):
        assert current[2] == previous[3] + timedelta(days=1), (previous, current)
    for season_year, _, start, end in rows:
        assert start <= end
        assert season_year == start.year


@pytest.mark.parametrize(("calendar_system", "hemisphere"), GROUPS)
def test_seasons_follow_each_other_in_order(
    seasons: dict[tuple[str, str], list[Season]],
    calendar_system: str,
    hemisphere: str,
) -> None:
    order = ["spring", "summer", "autumn", "winter"]
    names = [name for _, name, _, _ in seasons[(calendar_system, hemisphere)]]
    for previous, current in zip(names, names[1:], strict=False):
        assert order.index(current) == (order.index(previous) + 1) % 4


@pytest.mark.parametrize(
    ("season_name", "season_year", "published_start"),
    [
        ("spring", 2024, date(2024, 2, 4)),  # 立春 2024-02-04 16:27 CST
        ("summer", 2024, date(2024, 5, 5)),  # 立夏 2024-05-05 08:10 CST
        ("autumn", 2024, date(2024, 8, 7)),  # 立秋 2024-08-07 08:09 CST
        ("winter", 2024, date(2024, 11, 7)),  # 立冬 2024-11-07 06:20 CST
        ("spring", 2025, date(2025, 2, 3)),  # 立春 2025-02-03 22:10 CST
    ],
)
def test_solar_terms_match_published_dates(
    seasons: dict[tuple[str, str], list[Season]],
    season_name: str,
    season_year: int,
    published_start: date,
) -> None:
    starts = {
        (name, year): start
        for year, name, start, _ in seasons[("solar_terms", "north")]
    }
    assert starts[(season_name, season_year)] == published_start


def test_winter_2024_runs_to_the_day_before_start_of_spring_2025(
    seasons: dict[tuple[str, str], list[Season]],
) -> None:
    winter_2024 = [
        (start, end)
        for year, name, start, end in seasons[("solar_terms", "north")]
        if (year, name) == (2024, "winter")
    ]
    assert winter_2024 == [(date(2024, 11, 7), date(2025, 2, 2))]


def test_leap_day_falls_in_the_right_season(
    seasons: dict[tuple[str, str], list[Season]],
) -> None:
    leap_day = date(2028, 2, 29)
    # Meteorological winter runs Dec 1 to the end of February, leap day included.
    assert season_on(seasons, "meteorological", "north", leap_day) == "winter"
    assert season_on(seasons, "meteorological", "south", leap_day) == "summer"
    # By the solar terms, spring has already begun (立春 2028 is Feb 4).
    assert season_on(seasons, "solar_terms", "north", leap_day) == "spring"
    assert season_on(seasons, "solar_terms", "south", leap_day) == "autumn"


def test_meteorological_winter_ends_on_the_last_day_of_february(
    seasons: dict[tuple[str, str], list[Season]],
) -> None:
    winter_ends = {
        year: end
        for year, name, _, end in seasons[("meteorological", "north")]
        if name == "winter"
    }
    assert winter_ends[2027] == date(2028, 2, 29)
    assert winter_ends[2028] == date(2029, 2, 28)


def test_meteorological_summer_starts_on_june_first(
    seasons: dict[tuple[str, str], list[Season]],
) -> None:
    assert season_on(seasons, "meteorological", "north", date(2024, 5, 31)) == "spring"
    assert season_on(seasons, "meteorological", "north", date(2024, 6, 1)) == "summer"
    assert season_on(seasons, "meteorological", "south", date(2024, 6, 1)) == "winter"


@pytest.mark.parametrize(("calendar_system", "hemisphere"), GROUPS)
def test_every_season_lasts_85_to_97_days(
    seasons: dict[tuple[str, str], list[Season]],
    calendar_system: str,
    hemisphere: str,
) -> None:
    for season_year, name, start, end in seasons[(calendar_system, hemisphere)]:
        length = (end - start).days + 1
        assert 85 <= length <= 97, (season_year, name, length)
