"""Checks on the calendar lookup seeds: the solar terms behind the solar_terms
seasons and the lunar holiday dates, against published dates."""

from __future__ import annotations

import csv
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
NORTHERN_ORDER = ["spring", "summer", "autumn", "winter"]


def _rows(name: str) -> list[dict[str, str]]:
    with (SEEDS / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def solar_terms() -> list[tuple[str, date]]:
    return [
        (row["northern_season_name"], date.fromisoformat(row["term_date"]))
        for row in _rows("solar_term_dates.csv")
    ]


@pytest.fixture(scope="module")
def lunar_holidays() -> dict[tuple[str, int], date]:
    dates: dict[tuple[str, int], date] = {}
    for row in _rows("lunar_holiday_dates.csv"):
        day = date.fromisoformat(row["holiday_date"])
        key = (row["holiday_name"], day.year)
        assert key not in dates, f"two dates for {key}"
        dates[key] = day
    return dates


def test_solar_terms_cover_1899_to_2101(solar_terms: list[tuple[str, date]]) -> None:
    # The first term opens the season holding 1899-01-01; the last one closes
    # the season holding 2101-12-31.
    assert solar_terms[0] == ("winter", date(1898, 11, 7))
    assert solar_terms[-1] == ("spring", date(2102, 2, 4))
    assert len(solar_terms) == (2101 - 1899 + 1) * 4 + 2


def test_solar_terms_follow_each_other_85_to_97_days_apart(
    solar_terms: list[tuple[str, date]],
) -> None:
    for (name, day), (next_name, next_day) in zip(
        solar_terms, solar_terms[1:], strict=False
    ):
        assert NORTHERN_ORDER.index(next_name) == (NORTHERN_ORDER.index(name) + 1) % 4
        assert 85 <= (next_day - day).days <= 97, (name, day)


@pytest.mark.parametrize(
    ("season_name", "published"),
    [
        ("spring", date(1900, 2, 4)),  # 立春 1900
        ("spring", date(1997, 2, 4)),  # 立春 1997
        ("summer", date(1997, 5, 5)),  # 立夏 1997
        ("autumn", date(1997, 8, 7)),  # 立秋 1997
        ("winter", date(1997, 11, 7)),  # 立冬 1997
        ("summer", date(1998, 5, 6)),  # 立夏 1998
        ("spring", date(2024, 2, 4)),  # 立春 2024-02-04 16:27 CST
        ("summer", date(2024, 5, 5)),  # 立夏 2024-05-05 08:10 CST
        ("autumn", date(2024, 8, 7)),  # 立秋 2024-08-07 08:09 CST
        ("winter", date(2024, 11, 7)),  # 立冬 2024-11-07 06:20 CST
        ("spring", date(2025, 2, 3)),  # 立春 2025-02-03 22:10 CST
    ],
)
def test_solar_terms_match_published_dates(
    solar_terms: list[tuple[str, date]], season_name: str, published: date
) -> None:
    assert (season_name, published) in solar_terms


def test_every_lunar_holiday_has_one_date_a_year_1899_to_2101(
    lunar_holidays: dict[tuple[str, int], date],
) -> None:
    lunar = {
        row["holiday_name"]
        for row in _rows("holidays.csv")
        if row["calendar_basis"] == "lunar"
    }
    assert lunar == {
        "spring_festival",
        "lantern_festival",
        "dragon_boat",
        "qixi",
        "mid_autumn",
    }
    years = Counter(name for name, _ in lunar_holidays)
    assert years == dict.fromkeys(lunar, 2101 - 1899 + 1)
    assert {year for _, year in lunar_holidays} == set(range(1899, 2102))


def test_lantern_festival_is_14_days_after_spring_festival(
    lunar_holidays: dict[tuple[str, int], date],
) -> None:
    for year in range(1899, 2102):
        spring = lunar_holidays[("spring_festival", year)]
        assert (lunar_holidays[("lantern_festival", year)] - spring).days == 14
        assert date(year, 1, 21) <= spring <= date(year, 2, 20)


@pytest.mark.parametrize(
    ("holiday_name", "published"),
    [
        ("spring_festival", date(1900, 1, 31)),
        ("spring_festival", date(1997, 2, 7)),
        ("dragon_boat", date(1997, 6, 9)),
        ("mid_autumn", date(1997, 9, 16)),
        ("spring_festival", date(1998, 1, 28)),
        ("mid_autumn", date(1998, 10, 5)),
        ("spring_festival", date(2000, 2, 5)),
        ("mid_autumn", date(2020, 10, 1)),  # with National Day
        ("spring_festival", date(2024, 2, 10)),
        ("dragon_boat", date(2024, 6, 10)),
        ("qixi", date(2024, 8, 10)),
        ("mid_autumn", date(2024, 9, 17)),
        ("spring_festival", date(2025, 1, 29)),
        ("spring_festival", date(2100, 2, 9)),
    ],
)
def test_lunar_holidays_match_published_dates(
    lunar_holidays: dict[tuple[str, int], date], holiday_name: str, published: date
) -> None:
    assert lunar_holidays[(holiday_name, published.year)] == published
