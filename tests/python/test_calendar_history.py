"""Shops of any history: a 1990s shop, one spanning 2000, one 42 years long, and
orders beyond the shipped calendars (1850, 2300), which must stop the build
with a clear message instead of failing a not_null test.

A few hand-made customers are appended to the generated 1990s shop, so that
seasons, stage history, campaign and nurture dates can be checked by hand:

* H1 buys on 1997-02-03 (the last day of the winter of 1996: Start of Spring
  1997 is Feb 4), 1997-02-04 (spring) and 1997-11-07 (Start of Winter 1997).
* H2 bought once, big, on 1996-07-01: churned, high order value, so warm-up
  care for Double 11 1998, sent on the nearest holiday within
  warm_up_lead_days (21) before its start on 1998-10-21: Mid-Autumn,
  1998-10-05 (National Day, Oct 1, is earlier).
* H3 first buys on 1998-05-01: a new customer as of 1998-06-30, greeted on
  520 (1998-05-20), Dragon Boat (1998-05-30) and Qixi (1998-08-28), the
  holidays within nurture_window_days (120) after the first purchase.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import duckdb
import pytest
from conftest import run_cli

from crm_marts.generate import generate_shop

CUSTOMERS = 300
HAND_CUSTOMERS = [
    # customer_id, registered_at, email, accepts_email, accepts_sms
    ("H1", "1996-12-01 09:00:00", "h1@example.com", "true", "true"),
    ("H2", "1996-06-01 09:00:00", "h2@example.com", "true", "true"),
    ("H3", "1998-04-30 09:00:00", "h3@example.com", "true", "true"),
]
HAND_ORDERS = [
    # order_id, customer_id, created_at, paid_amount
    ("HO1", "H1", "1997-02-03 10:00:00", "50.00"),
    ("HO2", "H1", "1997-02-04 10:00:00", "50.00"),
    ("HO3", "H1", "1997-11-07 10:00:00", "50.00"),
    ("HO4", "H2", "1996-07-01 10:00:00", "20000.00"),
    ("HO5", "H3", "1998-05-01 10:00:00", "60.00"),
]


def _query(database: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(database), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def _append_hand_rows(shop: Path) -> None:
    with (shop / "customers.csv").open("a", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        for (
            customer_id,
            registered_at,
            email,
            accepts_email,
            accepts_sms,
        ) in HAND_CUSTOMERS:
            writer.writerow(
                [customer_id, registered_at, "", "", email, "13800000000"]
                + [accepts_email, accepts_sms, "false", ""]
            )
    with (shop / "orders.csv").open("a", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        for order_id, customer_id, created_at, amount in HAND_ORDERS:
            paid_at = created_at.replace("10:00:00", "10:05:00")
            writer.writerow(
                [order_id, customer_id, created_at, paid_at, "completed", amount]
                + ["0.00", "0.00", "web", "", "false", "", ""]
            )
    with (shop / "order_items.csv").open("a", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        for order_id, _, _, amount in HAND_ORDERS:
            writer.writerow([order_id, "P0001", 1, amount])


def _build(
    workdir: Path, end_date: dt.date, years: int, hand_rows: bool = False
) -> Path:
    shop = workdir / "shop"
    generate_shop(shop, customers=CUSTOMERS, seed=7, end_date=end_date, years=years)
    if hand_rows:
        _append_hand_rows(shop)
    database = workdir / "crm.duckdb"
    loaded = run_cli("load", str(shop), database=database)
    assert loaded.returncode == 0, loaded.stderr
    # Every model and data test; the unit tests do not read the shop.
    # The shops end mid-year, months before their next Double 11: a lead
    # window of a year lets the campaign tests see it.
    built = run_cli(
        "build",
        "--as-of",
        end_date.isoformat(),
        "--vars",
        "{campaign_lead_window_days: 366}",
        "--exclude",
        "test_type:unit",
        database=database,
    )
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr
    return database


@pytest.fixture(scope="module")
def shop_1990s(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """1996-06-30 to 1998-06-30, with the hand-made customers."""
    return _build(tmp_path_factory.mktemp("shop_1990s"), dt.date(1998, 6, 30), 2, True)


@pytest.fixture(scope="module")
def shop_2000(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """1998-06-30 to 2002-06-30: across the turn of the millennium."""
    return _build(tmp_path_factory.mktemp("shop_2000"), dt.date(2002, 6, 30), 4)


@pytest.fixture(scope="module")
def shop_42_years(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """1982-12-31 to 2024-12-31."""
    return _build(tmp_path_factory.mktemp("shop_42y"), dt.date(2024, 12, 31), 42)


def test_1990s_orders_fall_in_the_solar_term_seasons(shop_1990s: Path) -> None:
    rows = _query(
        shop_1990s,
        "select order_id, season_name, season_year "
        "from intermediate.int_orders_enriched "
        "where customer_id = 'H1' order by order_id",
    )
    assert rows == [
        ("HO1", "winter", 1996),
        ("HO2", "spring", 1997),
        ("HO3", "winter", 1997),
    ]
    (seasons,) = _query(
        shop_1990s,
        "select seasons_bought from marts.customers where customer_id = 'H1'",
    )[0]
    assert seasons == "spring, winter"


def test_1990s_seasonal_marts_are_filled(shop_1990s: Path) -> None:
    window = _query(
        shop_1990s,
        "select distinct window_start_date, window_end_date "
        "from marts.customer_seasons",
    )
    # As of 1998-06-30 (summer 1998 from May 6), the window is the four complete
    # seasons before: summer 1997 (from 1997-05-05) to spring 1998 (to May 5).
    assert window == [(dt.date(1997, 5, 5), dt.date(1998, 5, 5))]
    (purchasers,) = _query(shop_1990s, "select count(*) from marts.customer_seasons")[0]
    assert purchasers > 100
    (categories,) = _query(
        shop_1990s,
        "select count(distinct category) from marts.category_season_affinity "
        "where items_count > 0",
    )[0]
    assert categories > 1


def test_1990s_stage_history_has_every_month_end(shop_1990s: Path) -> None:
    rows = _query(
        shop_1990s,
        "select month_end_date, purchases_count, days_since_last_purchase "
        "from marts.customer_stage_history where customer_id = 'H1' "
        "order by month_end_date",
    )
    # February 1997 to June 1998 (the as-of date is a month end): 17 months.
    assert len(rows) == 17
    assert rows[0] == (dt.date(1997, 2, 28), 2, 24)
    assert rows[-1] == (dt.date(1998, 6, 30), 3, 235)
    (first_month_end,) = _query(
        shop_1990s, "select min(month_end_date) from marts.customer_stage_history"
    )[0]
    assert first_month_end < dt.date(1997, 1, 1)


def test_1990s_churn_series_covers_every_day(shop_1990s: Path) -> None:
    ((first, last, days, rate_1998),) = _query(
        shop_1990s,
        "select min(calendar_date), max(calendar_date), count(*), "
        "max(case when calendar_date = date '1998-06-30' then churn_rate end) "
        "from marts.churn_rate_daily",
    )
    (first_purchase,) = _query(
        shop_1990s,
        "select min(purchase_date) from intermediate.int_purchases_sequenced",
    )[0]
    assert first == first_purchase <= dt.date(1996, 7, 1)
    assert last == dt.date(1998, 6, 30)
    assert days == (last - first).days + 1
    assert rate_1998 > 0  # H2, last seen 1996-07-01, has churned by then


def test_1990s_campaign_dates_come_from_the_1998_calendars(shop_1990s: Path) -> None:
    peaks = _query(
        shop_1990s, "select distinct campaign_peak_date from marts.campaign_audiences"
    )
    assert peaks == [(dt.date(1998, 11, 11),)]
    warm_up = _query(
        shop_1990s,
        "select send_date from marts.campaign_audiences "
        "where customer_id = 'H2' and audience = 'warm_up_care'",
    )
    assert warm_up == [(dt.date(1998, 10, 5),)]  # Mid-Autumn 1998


def test_1990s_nurture_greets_the_1998_holidays(shop_1990s: Path) -> None:
    rows = _query(
        shop_1990s,
        "select distinct holiday_name, due_date from marts.nurture_touchpoints "
        "where customer_id = 'H3' and touchpoint = 'holiday' order by due_date",
    )
    assert rows == [
        ("day_520", dt.date(1998, 5, 20)),
        ("dragon_boat", dt.date(1998, 5, 30)),
        ("qixi", dt.date(1998, 8, 28)),
    ]


def test_history_across_2000_keeps_the_1990s(shop_2000: Path) -> None:
    month_ends = [
        row[0]
        for row in _query(
            shop_2000,
            "select distinct month_end_date from marts.customer_stage_history "
            "order by 1",
        )
    ]
    assert month_ends[0] < dt.date(1999, 1, 1)
    assert dt.date(1999, 12, 31) in month_ends
    assert dt.date(2000, 2, 29) in month_ends
    assert month_ends[-1] == dt.date(2002, 6, 30)
    # One row per month: none missing between the first and the last.
    assert len(month_ends) == (2002 - month_ends[0].year) * 12 + 6 - (
        month_ends[0].month - 1
    )
    ((days, leap_day),) = _query(
        shop_2000,
        "select count(*), count(case when calendar_date = date '2000-02-29' "
        "then 1 end) from marts.churn_rate_daily",
    )
    assert leap_day == 1
    assert days > 3 * 365
    cohorts = _query(
        shop_2000,
        "select count(distinct cohort_month) from marts.cohort_retention "
        "where cohort_month < date '2000-01-01'",
    )
    assert cohorts[0][0] > 0


def test_a_42_year_history_is_built_in_full(shop_42_years: Path) -> None:
    ((first, last, days),) = _query(
        shop_42_years,
        "select min(calendar_date), max(calendar_date), count(*) "
        "from marts.churn_rate_daily",
    )
    assert first < dt.date(1984, 1, 1)
    assert last == dt.date(2024, 12, 31)
    assert days == (last - first).days + 1  # no cap on the daily series
    ((seasons, first_season),) = _query(
        shop_42_years,
        "select count(*), min(season_start_date) from intermediate.int_seasons_dated",
    )
    # The first order is in 1983, so the span starts on 1982-01-01: from the
    # winter holding it (from 1981-11-07) to the one holding 2025-12-31, the
    # seasons of 1982..2025 plus the winter of 1981.
    assert first_season == dt.date(1981, 11, 7)
    assert seasons == 44 * 4 + 1
    (months,) = _query(
        shop_42_years,
        "select count(distinct month_end_date) from marts.customer_stage_history",
    )[0]
    assert months > 40 * 12
    (promotion_years,) = _query(
        shop_42_years,
        "select count(distinct promotion_year) from intermediate.int_promotions_dated",
    )[0]
    assert promotion_years == 2025 - 1982 + 1
    (audience,) = _query(
        shop_42_years, "select count(*) from marts.campaign_audiences"
    )[0]
    assert audience > 0


@pytest.mark.parametrize(
    ("end_date", "vars_yaml", "expected"),
    [
        (
            dt.date(1851, 6, 30),
            "{}",
            [
                "orders from 1850-07-02 to the as-of date 1851-06-30",
                "need calendar dates from 1849-01-01 to 1852-12-31",
                "seeds/solar_term_dates.csv covers 1898-11-07 to 2102-02-03",
                "seeds/lunar_holiday_dates.csv the years 1899 to 2101",
                "generate_season_calendar.py --first-year 1849 --last-year 2101",
            ],
        ),
        (
            dt.date(2300, 6, 30),
            "{season_calendar_system: meteorological}",
            [
                "orders from 2299-07-02 to the as-of date 2300-06-30",
                "need calendar dates from 2298-01-01 to 2301-12-31",
                "seeds/lunar_holiday_dates.csv the years 1899 to 2101",
                "--first-year 1899 --last-year 2301",
            ],
        ),
    ],
)
def test_orders_beyond_the_calendars_stop_the_build_with_the_fix(
    tmp_path: Path, end_date: dt.date, vars_yaml: str, expected: list[str]
) -> None:
    shop = tmp_path / "shop"
    generate_shop(shop, customers=50, seed=3, end_date=end_date, years=1)
    database = tmp_path / "crm.duckdb"
    assert run_cli("load", str(shop), database=database).returncode == 0
    built = run_cli(
        "build",
        "--vars",
        vars_yaml,
        "--select",
        "+int_calendar_span_checked",
        database=database,
    )
    output = built.stdout + built.stderr
    assert built.returncode == 2, output[-3000:]
    # Exit 2 (bad input), the checking model named, no test failing instead.
    assert "stopped on the input data:\n  - int_calendar_span_checked:" in output
    assert " FAIL " not in output
    for text in expected:
        assert text in output, text
