"""The summary `crm-marts run` prints, read from the exported files."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from conftest import run_cli

from crm_marts.export import ExportedMart, export_marts
from crm_marts.generate import generate_shop
from crm_marts.summary import print_summary, threshold_label

REJECTED_ROWS = """
    select * from (values
        ('orders', 'orders.csv', 'O1', 'missing_customer_id', 'x', 3),
        ('order_items', 'order_items.csv', 'O1-P1', 'unknown_order_id', 'x', 4),
        ('order_items', 'order_items.csv', 'O1-P2', 'unknown_order_id', 'x', 5),
        ('products', 'products.csv', 'P7', 'unparseable_unit_cost', 'x', 2),
        ('orders', 'orders.csv', 'O9', 'non_positive_paid_amount', 'x', 9),
        ('orders', 'orders.csv', 'O8', 'non_positive_paid_amount', 'x', 8)
    ) as t(source_table, source_file, row_key, reason_code, reason,
           source_row_number)
"""
REPURCHASE_CYCLE = """
    select * from (values
        ('all', 'customer_median', 'fixed_days', 12, 30, 90, 180),
        ('coffee', 'customer_median', 'overall_fallback', 3, 30, 90, 180),
        ('pet_food', 'customer_median', 'own_distribution', 1234, 9, 15, 31)
    ) as t(category, cycle_method, threshold_source, repeat_customers_count,
           active_max_days, silent_max_days, sleeping_max_days)
"""


def _export(tmp_path: Path, name: str, query: str, file_format: str) -> ExportedMart:
    path = tmp_path / f"{name}.{file_format}"
    options = "format parquet" if file_format == "parquet" else "format csv"
    con = duckdb.connect()
    try:
        con.execute(f"copy ({query}) to '{path}' ({options})")
        (rows,) = con.execute(f"select count(*) from ({query})").fetchone()
    finally:
        con.close()
    return ExportedMart(name, path, rows, [])


@pytest.mark.parametrize("file_format", ["parquet", "csv"])
def test_rejected_rows_by_table_and_reason_and_truthful_thresholds(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], file_format: str
) -> None:
    exported = [
        _export(tmp_path, "rejected_rows", REJECTED_ROWS, file_format),
        _export(tmp_path, "repurchase_cycle", REPURCHASE_CYCLE, file_format),
    ]
    print_summary(tmp_path / "crm.duckdb", exported)
    output = capsys.readouterr().out
    lines = output[output.index("rejected rows") :].splitlines()
    assert lines == [
        "rejected rows: 6, kept out of the marts (rejected_rows lists each one "
        "with its file row and reason):",
        "  orders       non_positive_paid_amount                   2",
        "  orders       missing_customer_id                        1",
        "  order_items  unknown_order_id                           2",
        "  products     unparseable_unit_cost                      1",
        "",
        "repurchase cycle (days since last purchase; active <= ...):",
        "  all              active <=   30  silent <=   90  sleeping <=  180  "
        "(fixed days: only 12 repeat buyers, too few for customer_median)",
        "  coffee           active <=   30  silent <=   90  sleeping <=  180  "
        "(the 'all' thresholds: only 3 repeat buyers, too few for customer_median)",
        "  pet_food         active <=    9  silent <=   15  sleeping <=   31  "
        "(customer_median of 1,234 repeat buyers)",
    ]


@pytest.mark.parametrize(
    ("method", "source", "customers", "label"),
    [
        (
            "customer_median",
            "own_distribution",
            40,
            "customer_median of 40 repeat buyers",
        ),
        ("first_to_second", "own_distribution", 1, "first_to_second of 1 repeat buyer"),
        (
            "customer_median",
            "fixed_days",
            29,
            "fixed days: only 29 repeat buyers, too few for customer_median",
        ),
        ("fixed_days", "fixed_days", 500, "fixed days (recency_*_days vars)"),
        (
            "first_to_second",
            "overall_fallback",
            0,
            "the 'all' thresholds: no repeat buyers, too few for first_to_second",
        ),
    ],
)
def test_threshold_label(method: str, source: str, customers: int, label: str) -> None:
    assert threshold_label(method, source, customers) == label


def test_no_rejected_rows_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = REJECTED_ROWS + " where false"
    print_summary(
        tmp_path / "x", [_export(tmp_path, "rejected_rows", empty, "parquet")]
    )
    assert "rejected rows: none (every raw row is used)" in capsys.readouterr().out


def test_broken_shop_summary_lists_its_rejected_rows(
    built_broken_shop: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    exported = export_marts(built_broken_shop, tmp_path / "exports")
    print_summary(built_broken_shop, exported)
    lines = capsys.readouterr().out.splitlines()
    for line in (
        "  customers    duplicate_customer_id                      1",
        "  customers    unparseable_registered_at                  1",
        "  products     unparseable_consumption_days               1",
        "  order_items  unknown_product_id                         1",
    ):
        assert line in lines


def test_tiny_shop_runs_and_labels_its_fallback(tmp_path: Path) -> None:
    """30 customers, 7 of them repeat buyers: too few for the shop's own cycle
    (cycle_min_repeat_customers 30), so the fixed recency days apply."""
    shop = tmp_path / "tiny"
    generate_shop(shop, customers=30, seed=3)
    result = run_cli(
        "run",
        "--data",
        str(shop),
        "--out",
        str(tmp_path / "exports"),
        database=tmp_path / "crm.duckdb",
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr
    lines = result.stdout.splitlines()
    assert "rejected rows: none (every raw row is used)" in lines
    assert (
        "  all              active <=   30  silent <=   90  sleeping <=  180  "
        "(fixed days: only 7 repeat buyers, too few for customer_median)"
    ) in lines
    assert not any("(customer_median," in line for line in lines)
