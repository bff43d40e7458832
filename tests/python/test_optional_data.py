"""Optional data is optional: an orders-only log builds, free orders count when
asked, and a shop without costs keeps its order lines."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from conftest import BROKEN_SHOP, TRANSACTION_LOG, run_cli
from test_pipeline import EXPECTED_REJECTS

CUSTOMER_MARTS = "+customers +rejected_rows"


def _query(database: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(database), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


@pytest.fixture(scope="module", params=[False, True], ids=["default", "free_orders"])
def built_log(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[bool, Path, str]:
    """The transaction log loaded and built, with count_free_orders_as_purchases
    false (the default) and true; returns the var, database and build output."""
    workdir = tmp_path_factory.mktemp("log")
    database = workdir / "crm.duckdb"
    assert run_cli("load", str(TRANSACTION_LOG), database=database).returncode == 0
    free_orders = request.param
    built = run_cli(
        "build",
        "--select",
        CUSTOMER_MARTS,
        "--vars",
        f"{{count_free_orders_as_purchases: {str(free_orders).lower()}}}",
        database=database,
    )
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr
    return free_orders, database, built.stdout


def test_log_customers_are_derived_from_orders_without_consent(
    built_log: tuple[bool, Path, str],
) -> None:
    _, database, _ = built_log
    rows = _query(
        database,
        "select customer_id, cast(registered_at as varchar), is_derived_from_orders, "
        "has_email_consent or has_sms_consent or has_phone_consent "
        "from staging.stg_shop__customers order by customer_id",
    )
    # 00005's only order is free: still a customer, registered by that order.
    assert rows == [
        ("00001", "2024-01-01 00:00:00", True, False),
        ("00002", "2024-01-12 00:00:00", True, False),
        ("00003", "2024-01-02 00:00:00", True, False),
        ("00004", "2024-01-01 00:00:00", True, False),
        ("00005", "2024-01-01 00:00:00", True, False),
        ("00006", "2024-02-14 00:00:00", True, False),
    ]


def test_log_orders_are_completed_paid_orders_numbered_by_row(
    built_log: tuple[bool, Path, str],
) -> None:
    _, database, _ = built_log
    rows = _query(
        database,
        "select order_id, status, cast(paid_at as varchar) "
        "from staging.stg_shop__orders where customer_id = '00002' order by 1",
    )
    assert rows == [
        ("2", "completed", "2024-01-12 00:00:00"),
        ("3", "completed", "2024-01-12 00:00:00"),
    ]


def test_free_orders_are_rejected_by_default_and_counted_when_asked(
    built_log: tuple[bool, Path, str],
) -> None:
    free_orders, database, output = built_log
    rejected = _query(
        database,
        "select source_row_number, reason_code from marts.rejected_rows order by 1",
    )
    facts = _query(
        database,
        "select customer_id, purchases_count, orders_count, net_revenue, is_prospect "
        "from marts.customers where customer_id in ('00002', '00003', '00005', "
        "'00006') order by customer_id",
    )
    if free_orders:
        assert rejected == []
        assert "every raw row was usable (12 rows, none rejected)" in output
        assert facts == [
            ("00002", 1, 2, Decimal("89.00"), False),
            ("00003", 4, 4, Decimal("118.51"), False),
            ("00005", 1, 1, Decimal("0.00"), False),
            ("00006", 2, 2, Decimal("15.36"), False),
        ]
    else:
        assert rejected == [
            (10, "non_positive_paid_amount"),
            (11, "non_positive_paid_amount"),
        ]
        assert "rejected rows: 2 of 12 raw rows could not be used" in output
        assert "orders       non_positive_paid_amount          2" in output
        # The two same-day orders of 00002 are one purchase.
        assert facts == [
            ("00002", 1, 2, Decimal("89.00"), False),
            ("00003", 4, 4, Decimal("118.51"), False),
            ("00005", 0, 0, Decimal("0.00"), True),
            ("00006", 1, 1, Decimal("15.36"), False),
        ]


def test_shop_without_unit_costs_keeps_every_order_line(tmp_path: Path) -> None:
    shop, database = tmp_path / "shop", tmp_path / "crm.duckdb"
    shutil.copytree(BROKEN_SHOP, shop)
    products = shop / "products.csv"
    lines = products.read_text().splitlines()
    # Empty the unit_cost column (the 5th) of every product.
    products.write_text(
        "\n".join(
            [lines[0]]
            + [
                ",".join(line.split(",")[:4] + [""] + line.split(",")[5:])
                for line in lines[1:]
            ]
        )
        + "\n"
    )
    assert run_cli("load", str(shop), database=database).returncode == 0
    built = run_cli(
        "build", "--select", "+rejected_rows stg_shop__order_items", database=database
    )
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr
    rejects = _query(
        database,
        "select source_table, source_row_number, reason_code from marts.rejected_rows",
    )
    # The same rows as with costs: an empty cost rejects nothing.
    assert set(rejects) == EXPECTED_REJECTS
    assert _query(
        database,
        "select product_id, unit_cost from staging.stg_shop__products order by 1",
    ) == [("P1", None), ("P2", None)]
    assert _query(database, "select count(*) from staging.stg_shop__order_items") == [
        (6,)
    ]
