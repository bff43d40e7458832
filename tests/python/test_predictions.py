"""Predictions: the fitter against published CDNOW estimates, the SQL scoring
against scipy, the summary by hand, tiny shops, the backtest."""

from __future__ import annotations

import csv
import datetime as dt
import json
import math
import sys
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pytest
from conftest import run_cli

from crm_marts import clv_models, predictions

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
from fetch_reference_data import REFERENCE_DIR  # noqa: E402

# Fader, Hardie & Lee (2005), table 1 / CLVTools' test of it: CDNOW, weeks.
PUBLISHED_BG_NBD = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
PUBLISHED_BG_NBD_LOG_LIKELIHOOD = -9582.4
CLVTOOLS_BG_NBD = {"r": 0.2425945, "alpha": 4.4136019, "a": 0.7929199, "b": 2.4258881}
# Fader & Hardie (2013), "The Gamma-Gamma model of monetary value".
PUBLISHED_GAMMA_GAMMA = {"p": 6.25, "q": 3.74, "v": 15.44}
# The papers print 3 significant digits (r = 0.243): half a unit of the last
# digit of the coarsest figure is 0.0005 / 0.243 = 2.1e-3 relative.
PUBLISHED_TOLERANCE = 2.1e-3

AS_OF = dt.date(2025, 6, 30)
HOLDOUT_DAYS = 30
# Days before AS_OF of each purchase; H6's first purchase day has two orders.
HISTORIES = {
    "H1": [0],  # bought once, on the as-of date: T = 0
    "H2": [400],
    "H3": [1000, 900],
    "H4": [42, 35, 28, 21, 14, 7],
    "H5": list(range(600, 0, -3)),  # 200 purchases: a large x
    "H6": [60, 60, 30],
    "H7": [3000, 2000, 1500, 1400],  # a large T
}
# CDNOW's published estimates with alpha in days, to score the hand shop.
DAYS_BG_NBD = {"r": 0.243, "alpha": 4.414 * 7, "a": 0.793, "b": 2.426}
GAMMA_GAMMA = {"p": 6.25, "q": 3.74, "v": 15.44}


def _reference_csv(name: str) -> list[dict[str, str]]:
    path = REFERENCE_DIR / name
    assert path.is_file(), f"{path} missing: run `make reference-data`"
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle))


def _assert_close(fitted: dict[str, float | None], published: dict[str, float]) -> None:
    for name, value in published.items():
        assert fitted[name] is not None
        assert math.isclose(fitted[name], value, rel_tol=PUBLISHED_TOLERANCE), (
            name,
            fitted[name],
            value,
        )


def test_bg_nbd_fit_reproduces_the_published_cdnow_estimates() -> None:
    rows = _reference_csv("cdnow_customers_summary.csv")
    x, t_x, t = (
        np.array([float(r[k]) for r in rows]) for k in ("frequency", "recency", "T")
    )
    fit = clv_models.fit_bg_nbd(x, t_x, t)
    assert (fit.status, fit.customers, fit.repeat_customers) == ("ok", 2357, 946)
    _assert_close(fit.parameters, PUBLISHED_BG_NBD)
    assert fit.log_likelihood == pytest.approx(
        PUBLISHED_BG_NBD_LOG_LIKELIHOOD, abs=0.05
    )
    # CLVTools' own estimates of the same fit, to 7 digits.
    for name, value in CLVTOOLS_BG_NBD.items():
        assert fit.parameters[name] == pytest.approx(value, rel=1e-4), name


def test_grouped_rows_fit_as_the_customers_do() -> None:
    rows = _reference_csv("cdnow_customers_summary.csv")
    triples = [
        (float(r["frequency"]), float(r["recency"]), float(r["T"])) for r in rows
    ]
    counts: dict[tuple[float, float, float], int] = defaultdict(int)
    for triple in triples:
        counts[triple] += 1
    grouped = sorted(counts)
    fit = clv_models.fit_bg_nbd(
        *zip(*grouped, strict=True), weights=[counts[key] for key in grouped]
    )
    assert fit.customers == 2357
    _assert_close(fit.parameters, PUBLISHED_BG_NBD)


def test_gamma_gamma_fit_reproduces_the_published_cdnow_estimates() -> None:
    rows = _reference_csv("cdnow_customers_summary_with_transactions.csv")
    x = np.array([float(r["x"]) for r in rows])
    m = np.array([float(r["zbar"]) for r in rows])
    fit = clv_models.fit_gamma_gamma(x, m)
    assert (fit.status, fit.repeat_customers) == ("ok", 946)
    _assert_close(fit.parameters, PUBLISHED_GAMMA_GAMMA)


def test_degenerate_data_is_reported_not_fitted() -> None:
    # Everyone bought again at once and never since: no dropout to estimate.
    fit = clv_models.fit_bg_nbd([1, 1, 2], [5, 3, 9], [10, 10, 10])
    assert fit.status == "invalid_parameters"
    assert fit.parameters == dict.fromkeys(("r", "alpha", "a", "b"))
    assert clv_models.fit_bg_nbd([0, 0], [0, 0], [5, 9]).status == "too_little_data"
    spend = clv_models.fit_gamma_gamma([1, 2, 3], [10, 10, 10])
    assert spend.status == "invalid_parameters"


def test_the_fit_var_keeps_every_digit() -> None:
    fit = clv_models.Fit(
        "bg_nbd", "ok", {"r": 0.1 + 0.2, "alpha": 1e-05}, -1.5, 3, 2, True, 7, "m"
    )
    text = fit.as_var()
    assert text["parameters"] == {"r": "0.30000000000000004", "alpha": "1e-05"}
    assert float(text["parameters"]["r"]) == 0.1 + 0.2


def test_a_selection_is_intersected_term_by_term() -> None:
    assert predictions._intersect(None, "tag:x+") == "tag:x+"
    assert predictions._intersect("a+ +b", "tag:x+") == "a+,tag:x+ +b,tag:x+"


# --- the broken shop: tiny, hand-checked ---------------------------------------


def _query(database: Path, sql: str) -> list[tuple[Any, ...]]:
    con = duckdb.connect(str(database), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_summary_is_hand_checked(built_broken_shop: Path) -> None:
    rows = _query(
        built_broken_shop,
        "select customer_id, frequency, recency_days, t_days, monetary_value, "
        "repeat_net_revenue from marts.customer_lifetimes_summary order by 1",
    )
    assert rows == [
        # O1 on May 1 (50.00, the first purchase); O2 (60.00) and O3 (40.00) on
        # May 11 merge into one repeat purchase of 100.00. As of Aug 10: T = 101.
        ("C1", 1, 10, 101, Decimal("100.00"), Decimal("100.00")),
        # One purchase on the as-of date (100.00 paid, 20.00 refunded).
        ("C4", 0, 0, 0, Decimal("0.00"), Decimal("0.00")),
    ]


def test_a_tiny_shop_says_too_little_data(built_broken_shop: Path) -> None:
    statuses = _query(
        built_broken_shop,
        "select distinct model_name, status, message, parameter_value "
        "from marts.prediction_parameters "
        "where parameter_name != 'frequency_spend_correlation' order by 1",
    )
    assert [row[:2] for row in statuses] == [
        ("bg_nbd", "too_little_data"),
        ("bg_nbd_calibration", "too_little_data"),
        ("gamma_gamma", "too_little_data"),
    ]
    assert (
        statuses[0][2] == "1 repeat customers, fewer than the 50 of "
        "prediction_min_repeat_customers"
    )
    assert all(value is None for *_, value in statuses)
    predicted = _query(
        built_broken_shop,
        "select prediction_status, probability_alive, expected_purchases_30_days, "
        "expected_purchases_365_days, expected_next_order_date, "
        "expected_average_order_value, predicted_clv, average_days_between_orders "
        "from marts.customer_predictions order by customer_id",
    )
    assert predicted == [
        ("too_little_data", None, None, None, None, None, None, 10.0),
        ("too_little_data", None, None, None, None, None, None, None),
    ]
    backtest = _query(
        built_broken_shop,
        "select frequency_bucket, status, customers, predicted_holdout_purchases "
        "from marts.prediction_backtest order by bucket_order",
    )
    assert [row[0] for row in backtest] == [
        "0",
        "1",
        "2",
        "3",
        "4",
        "5",
        "6",
        "7+",
        "all",
    ]
    assert {row[1:] for row in backtest} == {("too_little_data", 0, None)}


# --- the hand shop: SQL scoring against scipy ---------------------------------


def _write_shop(folder: Path) -> None:
    folder.mkdir()
    customers, orders, items = [], [], []
    for customer_id, days_before in HISTORIES.items():
        first = AS_OF - dt.timedelta(days=max(days_before))
        customers.append(
            [
                customer_id,
                f"{first - dt.timedelta(days=1)} 09:00:00",
                "",
                "",
                "",
                "",
                "false",
                "false",
                "false",
                "",
            ]
        )
        for number, days in enumerate(days_before):
            order_id = f"{customer_id}-{number}"
            day = AS_OF - dt.timedelta(days=days)
            created = f"{day} {9 + number % 12:02d}:00:00"
            amount = f"{20 + 3 * (number % 5) + len(customer_id)}.50"
            orders.append(
                [
                    order_id,
                    customer_id,
                    created,
                    created,
                    "completed",
                    amount,
                    "0",
                    "0",
                    "web",
                    "",
                    "false",
                    "",
                    "",
                ]
            )
            items.append([order_id, "P1", "1", amount])
    tables = {
        "customers": (
            "customer_id,registered_at,birthday,member_level,email,phone,"
            "accepts_email,accepts_sms,accepts_phone,unsubscribed_at",
            customers,
        ),
        "orders": (
            "order_id,customer_id,created_at,paid_at,status,paid_amount,"
            "discount_amount,refund_amount,channel,promotion_tag,is_presale,"
            "balance_due_at,received_at",
            orders,
        ),
        "order_items": ("order_id,product_id,quantity,unit_price", items),
        "products": (
            "product_id,product_name,category,consumption_days,unit_cost,launch_date",
            [["P1", "Tea", "tea", "", "5.00", "2010-01-01"]],
        ),
    }
    for name, (header, rows) in tables.items():
        lines = [header, *(",".join(row) for row in rows)]
        (folder / f"{name}.csv").write_text("\n".join(lines) + "\n")


def _fit_var(
    model: str, parameters: dict[str, float], customers: int, repeat: int
) -> dict[str, Any]:
    fit = clv_models.Fit(
        model, "ok", parameters, -1.0, customers, repeat, True, 1, "hand-picked"
    )
    return fit.as_var()


@pytest.fixture(scope="module")
def hand_shop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hand shop built with CDNOW's published parameters (in days) supplied
    as the fit, so that the scoring is tested on its own."""
    workdir = tmp_path_factory.mktemp("hand_shop")
    database = workdir / "crm.duckdb"
    _write_shop(workdir / "shop")
    loaded = run_cli("load", str(workdir / "shop"), database=database)
    assert loaded.returncode == 0, loaded.stderr
    fit = {
        # 7 purchasers, 5 of them repeat; 6 first bought by the calibration end.
        "bg_nbd": _fit_var("bg_nbd", DAYS_BG_NBD, 7, 5),
        "gamma_gamma": _fit_var("gamma_gamma", GAMMA_GAMMA, 5, 5),
        "bg_nbd_calibration": _fit_var("bg_nbd_calibration", DAYS_BG_NBD, 6, 5),
    }
    dbt_vars = {
        "prediction_fit": fit,
        "prediction_min_repeat_customers": 1,
        "prediction_holdout_days": HOLDOUT_DAYS,
    }
    built = run_cli(
        "build",
        "--as-of",
        AS_OF.isoformat(),
        "--vars",
        json.dumps(dbt_vars),
        "--select",
        "+customer_predictions +prediction_backtest",
        database=database,
    )
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr
    # a supplied fit is used as it is, not refitted
    assert "\npredictions: " not in built.stdout
    return database


def test_hand_shop_summary(hand_shop: Path) -> None:
    rows = _query(
        hand_shop,
        "select customer_id, frequency, recency_days, t_days "
        "from marts.customer_lifetimes_summary order by 1",
    )
    assert rows == [
        ("H1", 0, 0, 0),
        ("H2", 0, 0, 400),
        ("H3", 1, 100, 1000),
        ("H4", 5, 35, 42),
        ("H5", 199, 597, 600),
        ("H6", 1, 30, 60),  # the two orders of day 60 are one purchase
        ("H7", 3, 1600, 3000),
    ]


def test_sql_scoring_equals_scipy(hand_shop: Path) -> None:
    rows = _query(
        hand_shop,
        "select s.frequency, s.recency_days, s.t_days, "
        "cast(s.monetary_value as double), p.prediction_status, "
        "p.probability_alive, p.expected_purchases_30_days, "
        "p.expected_purchases_90_days, p.expected_purchases_365_days, "
        "p.expected_average_order_value, p.predicted_clv, "
        "p.expected_next_order_date "
        "from marts.customer_lifetimes_summary as s "
        "inner join marts.customer_predictions as p using (customer_id) "
        "order by s.customer_id",
    )
    assert {row[4] for row in rows} == {"ok"}
    bg_nbd = list(DAYS_BG_NBD.values())
    gamma_gamma = list(GAMMA_GAMMA.values())
    for x, t_x, t, m, _, alive, e30, e90, e365, spend, clv, next_order in rows:
        assert alive == pytest.approx(
            clv_models.probability_alive(bg_nbd, x, t_x, t).item(), rel=1e-12
        )
        for horizon, value in ((30, e30), (90, e90), (365, e365)):
            reference = clv_models.expected_purchases(bg_nbd, horizon, x, t_x, t).item()
            assert value == pytest.approx(reference, rel=1e-6), (x, t_x, t, horizon)
        assert spend == pytest.approx(
            clv_models.expected_spend(gamma_gamma, x, m).item(), rel=1e-12
        )
        reference_clv = clv_models.customer_lifetime_value(
            bg_nbd, gamma_gamma, x, t_x, t, m, 12, 0.01
        ).item()
        assert clv == pytest.approx(reference_clv, rel=1e-6)
        if x == 0:
            assert next_order is None
        else:
            r, alpha = DAYS_BG_NBD["r"], DAYS_BG_NBD["alpha"]
            median_wait = (alpha + t) * (2 ** (1 / (r + x)) - 1)
            assert next_order == AS_OF + dt.timedelta(
                days=math.floor(median_wait + 0.5)
            )


def test_series_terms_stay_small_and_bounded(hand_shop: Path) -> None:
    (terms, bound, converged) = _query(
        hand_shop,
        "select max(series_terms), max(error_bound), bool_and(is_converged) "
        "from intermediate.int_expected_purchases_summed",
    )[0]
    assert converged
    assert bound <= 1e-10
    # T = 0 and 365 days ahead is the slowest series (z = 365 / 396 = 0.92):
    # about 350 terms by the estimate, a fifth more and ten to spare.
    assert terms < 450


def test_backtest_predicts_the_holdout_per_bucket(hand_shop: Path) -> None:
    rows = _query(
        hand_shop,
        "select frequency_bucket, status, customers, actual_holdout_purchases, "
        "predicted_holdout_purchases, calibration_end_date "
        "from marts.prediction_backtest order by bucket_order",
    )
    # Calibration ends 2025-05-31: H1 is not in it; H2 (x 0), H3 and H6 (x 1),
    # H4 (x 1: days 42 and 35), H7 (x 3) and H5 (x 190, 9 holdout purchases).
    # H4 bought 4 times in the holdout.
    calibration = {
        "H2": (0, 0, 370, 0),
        "H3": (1, 100, 970, 0),
        "H4": (1, 7, 12, 4),
        "H5": (190, 570, 570, 9),
        "H6": (1, 30, 30, 0),
        "H7": (3, 1600, 2970, 0),
    }
    bg_nbd = list(DAYS_BG_NBD.values())
    predicted: dict[str, float] = defaultdict(float)
    actual: dict[str, int] = defaultdict(int)
    customers: dict[str, int] = defaultdict(int)
    for x, t_x, t, holdout in calibration.values():
        bucket = str(x) if x <= 6 else "7+"
        expected = clv_models.expected_purchases(bg_nbd, HOLDOUT_DAYS, x, t_x, t).item()
        for key in (bucket, "all"):
            predicted[key] += expected
            actual[key] += holdout
            customers[key] += 1
    assert [row[0] for row in rows] == ["0", "1", "2", "3", "4", "5", "6", "7+", "all"]
    for bucket, status, count, made, expected, end in rows:
        assert status == "ok"
        assert end == AS_OF - dt.timedelta(days=HOLDOUT_DAYS)
        assert (count, made) == (customers[bucket], actual[bucket]), bucket
        assert expected == pytest.approx(predicted[bucket], rel=1e-6), bucket
