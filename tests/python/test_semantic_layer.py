"""The semantic layer: `mf query` answers each metric as direct SQL on the marts does.

Every expected value is a short query on a mart (or, on the broken shop, a number
worked out by hand), so a wrong join, a wrong aggregation or a wrong time
dimension in models/semantic shows up as a difference.
"""

from __future__ import annotations

import csv
import math
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import duckdb
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
MF = Path(sys.executable).parent / "mf"
PREDICTIONS_YAML = ROOT / "models" / "semantic" / "_customer_predictions.yml"
ALL_METRICS = (
    "customers",
    "purchasers",
    "repeat_customers",
    "repeat_rate",
    "net_revenue",
    "purchases",
    "buying_customers",
    "churned_customers",
    "customers_with_purchase_before",
    "churn_rate",
)


@pytest.fixture(scope="module")
def dbt_logs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder for dbt's logs; the parse itself happens per warehouse file."""
    return tmp_path_factory.mktemp("dbt_parse_logs")


_parsed_for: dict[str, str] = {}


def _parse_for(database: Path, logs: Path) -> None:
    """`mf` reads target/semantic_manifest.json, which names the DuckDB catalog
    (the warehouse file's stem): write it from the current YAML for that name."""
    if _parsed_for.get("catalog") == database.stem:
        return
    result = subprocess.run(
        [str(MF.parent / "dbt"), "parse", "--quiet"],
        cwd=ROOT,
        env={
            **os.environ,
            "CRM_MARTS_DUCKDB_PATH": str(database),
            "DBT_PROFILES_DIR": str(ROOT / "profiles"),
            "DBT_LOG_PATH": str(logs),
        },
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr
    _parsed_for["catalog"] = database.stem


def mf_query(logs: Path, database: Path, out: Path, *args: str) -> list[dict[str, Any]]:
    """Run `mf query ARGS` against the warehouse; rows as dicts of numbers/text."""
    _parse_for(database, logs)
    env = {
        **os.environ,
        "CRM_MARTS_DUCKDB_PATH": str(database),
        "DBT_PROFILES_DIR": str(ROOT / "profiles"),
        "DBT_PROJECT_DIR": str(ROOT),
        "DBT_LOG_PATH": str(out.parent / "logs"),
    }
    result = subprocess.run(
        [str(MF), "query", *args, "--csv", str(out), "--quiet"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0 and out.is_file(), result.stdout + result.stderr
    with out.open(newline="") as handle:
        return [
            {key: _number(value) for key, value in row.items()}
            for row in csv.DictReader(handle)
        ]


def _number(text: str) -> Any:
    if text == "":
        return None
    try:
        return float(text)
    except ValueError:
        return text[:10]  # a metric_time: the date is enough


def sql(database: Path, query: str) -> list[tuple[Any, ...]]:
    con = duckdb.connect(str(database), read_only=True)
    try:
        return con.execute(query).fetchall()
    finally:
        con.close()


def assert_close(actual: Any, expected: Any, label: str) -> None:
    if expected is None:
        assert actual is None, label
        return
    assert actual is not None, label
    assert math.isclose(float(actual), float(expected), rel_tol=1e-9, abs_tol=0.005), (
        f"{label}: mf {actual} != SQL {expected}"
    )


def test_every_metric_matches_sql_on_the_marts(
    dbt_logs: Path, built_sample_shop: tuple[Path, Path], tmp_path: Path
) -> None:
    database, _ = built_sample_shop
    (row,) = mf_query(
        dbt_logs,
        database,
        tmp_path / "all.csv",
        "--metrics",
        ",".join(ALL_METRICS),
    )
    ((customers, purchasers, repeaters, revenue, purchases),) = sql(
        database,
        "select count(*), count(*) filter (where not is_prospect),"
        " count(*) filter (where is_repeat_buyer), sum(net_revenue),"
        " sum(purchases_count) from marts.customers",
    )
    ((churned, had_bought, rate),) = sql(
        database,
        "select churned_customers, customers_with_purchase_before, churn_rate"
        " from marts.churn_rate_daily order by calendar_date desc limit 1",
    )
    expected = {
        "customers": customers,
        "purchasers": purchasers,
        "repeat_customers": repeaters,
        "repeat_rate": repeaters / purchasers,
        "net_revenue": revenue,
        "purchases": purchases,
        "buying_customers": purchasers,
        "churned_customers": churned,
        "customers_with_purchase_before": had_bought,
        "churn_rate": rate,
    }
    assert set(row) == set(expected)
    for metric, value in expected.items():
        assert_close(row[metric], value, metric)


def test_monthly_kpis_match_sql_on_the_marts(
    dbt_logs: Path, built_sample_shop: tuple[Path, Path], tmp_path: Path
) -> None:
    database, _ = built_sample_shop
    rows = mf_query(
        dbt_logs, database, tmp_path / "kpis.csv", "--saved-query", "monthly_kpis"
    )
    actual = {row["metric_time__month"]: row for row in rows}
    expected: dict[str, dict[str, Any]] = {}
    for month, revenue, purchases, buyers in sql(
        database,
        "select strftime(date_trunc('month', purchase_date), '%Y-%m-%d'),"
        " sum(net_revenue), count(*), count(distinct customer_id)"
        " from marts.purchases group by 1",
    ):
        expected.setdefault(month, {}).update(
            net_revenue=revenue, purchases=purchases, buying_customers=buyers
        )
    for month, new_purchasers in sql(
        database,
        "select strftime(date_trunc('month', first_purchase_date), '%Y-%m-%d'),"
        " count(*) from marts.customers where not is_prospect group by 1",
    ):
        expected.setdefault(month, {})["purchasers"] = new_purchasers
    # The churn rate is a snapshot: a month's value is its last day's.
    for month, rate in sql(
        database,
        "select strftime(date_trunc('month', calendar_date), '%Y-%m-%d'),"
        " arg_max(churn_rate, calendar_date) from marts.churn_rate_daily group by 1",
    ):
        expected.setdefault(month, {})["churn_rate"] = rate
    assert set(actual) == set(expected)
    assert len(actual) >= 12
    for month, values in expected.items():
        for metric in ("net_revenue", "purchases", "buying_customers", "purchasers"):
            assert_close(actual[month][metric], values.get(metric), f"{month} {metric}")
        assert_close(actual[month]["churn_rate"], values["churn_rate"], month)


def test_cohort_metrics_by_month_match_sql_on_the_marts(
    dbt_logs: Path, built_sample_shop: tuple[Path, Path], tmp_path: Path
) -> None:
    # customers by registration month; repeat rate by first-purchase month.
    database, _ = built_sample_shop
    rows = mf_query(
        dbt_logs,
        database,
        tmp_path / "cohorts.csv",
        "--metrics",
        "customers,repeat_rate",
        "--group-by",
        "metric_time__month",
    )
    actual = {row["metric_time__month"]: row for row in rows}
    registered = dict(
        sql(
            database,
            "select strftime(date_trunc('month', registered_at), '%Y-%m-%d'),"
            " count(*) from marts.customers group by 1",
        )
    )
    repeat_rate = dict(
        sql(
            database,
            "select strftime(date_trunc('month', first_purchase_date), '%Y-%m-%d'),"
            " avg(case when is_repeat_buyer then 1.0 else 0.0 end)"
            " from marts.customers where not is_prospect group by 1",
        )
    )
    assert set(actual) == set(registered) | set(repeat_rate)
    for month, row in actual.items():
        assert_close(row["customers"], registered.get(month), f"{month} customers")
        assert_close(row["repeat_rate"], repeat_rate.get(month), f"{month} repeat")


def test_metrics_by_lifecycle_stage_join_through_the_customer(
    dbt_logs: Path, built_sample_shop: tuple[Path, Path], tmp_path: Path
) -> None:
    database, _ = built_sample_shop
    rows = mf_query(
        dbt_logs,
        database,
        tmp_path / "stages.csv",
        "--metrics",
        "net_revenue,purchasers",
        "--group-by",
        "customer__lifecycle_stage",
    )
    actual = {row["customer__lifecycle_stage"]: row for row in rows}
    revenue = dict(
        sql(
            database,
            "select lifecycle.lifecycle_stage, sum(purchases.net_revenue)"
            " from marts.purchases as purchases"
            " inner join marts.customer_lifecycle as lifecycle"
            " on purchases.customer_id = lifecycle.customer_id group by 1",
        )
    )
    purchasers = dict(
        sql(
            database,
            "select lifecycle.lifecycle_stage,"
            " count(*)"
            " from marts.customers as customers"
            " inner join marts.customer_lifecycle as lifecycle"
            " on customers.customer_id = lifecycle.customer_id"
            " where not customers.is_prospect group by 1",
        )
    )
    # Prospects have neither purchases nor revenue: no row for them.
    assert set(actual) == set(purchasers) == set(revenue)
    assert "prospect" not in actual
    for stage, row in actual.items():
        assert_close(row["net_revenue"], revenue.get(stage), f"{stage} revenue")
        assert_close(row["purchasers"], purchasers[stage], f"{stage} purchasers")


def test_metrics_on_the_broken_shop_are_hand_checked(
    dbt_logs: Path,
    built_broken_shop: Path,
    built_sample_shop: tuple[Path, Path],
    tmp_path: Path,
) -> None:
    # As of 2024-08-10: C1 bought twice (150.00), C4 once (80.00, on Aug 10);
    # C2 and C3 are prospects. Nobody is 365 days gone: churn rate 0 of the one
    # customer (C1) who had bought before the as-of date.
    # A copy named like the sample's file has the same DuckDB catalog name, so
    # the semantic manifest parsed for the sample serves (no second dbt parse).
    copy = tmp_path / built_sample_shop[0].name
    shutil.copy2(built_broken_shop, copy)
    (row,) = mf_query(
        dbt_logs,
        copy,
        tmp_path / "broken.csv",
        "--metrics",
        ",".join(ALL_METRICS),
    )
    assert row == {
        "customers": 4,
        "purchasers": 2,
        "repeat_customers": 1,
        "repeat_rate": 0.5,
        "net_revenue": 230.0,
        "purchases": 3,
        "buying_customers": 2,
        "churned_customers": 0,
        "customers_with_purchase_before": 1,
        "churn_rate": 0.0,
    }


def _clv_enabled() -> bool:
    document = yaml.safe_load(PREDICTIONS_YAML.read_text())
    blocks = document["semantic_models"] + document["metrics"]
    return all(block.get("config", {}).get("enabled", True) for block in blocks)


def test_clv_metric_is_enabled_once_customer_predictions_exists(
    dbt_logs: Path, built_sample_shop: tuple[Path, Path], tmp_path: Path
) -> None:
    has_mart = any((ROOT / "models").rglob("customer_predictions.sql"))
    if not has_mart:
        assert not _clv_enabled(), "clv is enabled but customer_predictions is missing"
        pytest.skip(
            "customer_predictions is not in this project yet: the clv metric "
            f"stays disabled ({PREDICTIONS_YAML.relative_to(ROOT)})"
        )
    assert _clv_enabled(), (
        "customer_predictions exists: enable the clv semantic model and metrics "
        f"in {PREDICTIONS_YAML.relative_to(ROOT)}"
    )
    database, _ = built_sample_shop
    (row,) = mf_query(
        dbt_logs,
        database,
        tmp_path / "clv.csv",
        "--metrics",
        "clv,predicted_clv_total,customers_with_predicted_clv",
    )
    ((average, total, predicted),) = sql(
        database,
        "select avg(predicted_clv), sum(predicted_clv), count(predicted_clv)"
        " from marts.customer_predictions",
    )
    assert_close(row["clv"], average, "clv")
    assert_close(row["predicted_clv_total"], total, "predicted_clv_total")
    assert_close(row["customers_with_predicted_clv"], predicted, "predicted")
