"""End to end on a deliberately broken shop: every raw row is accounted for."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import duckdb

EXPECTED_REJECTS = {
    ("customers", 4, "duplicate_customer_id"),
    ("customers", 5, "missing_customer_id"),
    ("customers", 6, "unparseable_registered_at"),
    ("products", 3, "unparseable_consumption_days"),
    ("orders", 6, "unknown_customer_id"),
    ("orders", 7, "duplicate_order_id"),
    ("orders", 8, "paid_before_created"),
    ("orders", 9, "non_positive_paid_amount"),
    ("order_items", 5, "unknown_order_id"),
    ("order_items", 6, "unknown_product_id"),
    ("order_items", 7, "non_positive_quantity"),
    ("order_items", 10, "unparseable_unit_price"),
}


def _query(database: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(database), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_each_bad_row_is_rejected_with_its_reason(built_broken_shop: Path) -> None:
    rows = _query(
        built_broken_shop,
        "select source_table, source_row_number, reason_code, reason "
        "from marts.rejected_rows",
    )
    assert {row[:3] for row in rows} == EXPECTED_REJECTS
    assert all(reason for *_, reason in rows)


def test_raw_rows_equal_staged_plus_rejected(built_broken_shop: Path) -> None:
    for table, staged in [
        ("orders", 7),
        ("order_items", 6),
        ("products", 2),
        ("customers", 4),
    ]:
        (raw,) = _query(built_broken_shop, f"select count(*) from raw.{table}")[0]
        (stg,) = _query(
            built_broken_shop, f"select count(*) from staging.stg_shop__{table}"
        )[0]
        (rejected,) = _query(
            built_broken_shop,
            f"select count(*) from marts.rejected_rows where source_table = '{table}'",
        )[0]
        assert stg == staged
        assert raw == stg + rejected, table


def test_customer_facts_are_hand_checked(built_broken_shop: Path) -> None:
    rows = _query(
        built_broken_shop,
        "select customer_id, purchases_count, orders_count, net_revenue, "
        "median_interval_days, days_since_last_purchase, tenure_days, "
        "unpaid_orders_count, refunded_orders_count, is_prospect, "
        "categories_bought, seasons_bought, cast(as_of_date as varchar) "
        "from marts.customers order by customer_id",
    )
    assert rows == [
        # O1 on May 1 (spring: Start of Summer 2024 is May 5); O2 and O3 on
        # May 11 (summer) merge into one purchase (10 days on).
        # as-of = latest order date 2024-08-10: 91 days after May 11.
        (
            "C1",
            2,
            3,
            Decimal("150.00"),
            10.0,
            91,
            101,
            0,
            0,
            False,
            "pet_food, t_shirt",
            "spring, summer",
            "2024-08-10",
        ),
        # O4 never paid, O5 fully refunded: no valid purchase.
        (
            "C2",
            0,
            0,
            Decimal("0.00"),
            None,
            None,
            None,
            1,
            1,
            True,
            None,
            None,
            "2024-08-10",
        ),
        (
            "C3",
            0,
            0,
            Decimal("0.00"),
            None,
            None,
            None,
            0,
            0,
            True,
            None,
            None,
            "2024-08-10",
        ),
        # O10 paid 100, refunded 20 (partial); O11 pending. Aug 10 = autumn.
        # The P1 line of O10 has an unparseable price: only t_shirt counts.
        (
            "C4",
            1,
            1,
            Decimal("80.00"),
            None,
            0,
            0,
            1,
            0,
            False,
            "t_shirt",
            "autumn",
            "2024-08-10",
        ),
    ]
