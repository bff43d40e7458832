"""`crm-marts import shopify`: a Shopify orders export becomes the contract files.

The fixture (fixtures/shopify/orders_export.csv) is a hand-written export in
Shopify's column layout, newest order first: multi-row orders, a partial and a
full refund, a cancellation, a voided, an expired and an authorized order, a free
order, a partially paid one, orders without e-mail, unicode names, commas and a
line break inside quoted fields. Every expected value below was worked out by
hand from that file.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest
from conftest import FIXTURES, run_cli

from crm_marts.contract import TABLES
from crm_marts.errors import InputError
from crm_marts.importers import import_shopify

SHOPIFY = FIXTURES / "shopify"
EXPORT = SHOPIFY / "orders_export.csv"
PRODUCTS_EXPORT = SHOPIFY / "products_export.csv"
ALICE = "alice.martin@example.com"

# order_id, customer_id, created_at, paid_at, status, paid_amount,
# discount_amount, refund_amount, channel, promotion_tag
EXPECTED_ORDERS = [
    ("#1001", ALICE, "2024-01-05 10:03:11", "2024-01-05 10:03:15", "shipped")
    + ("65.75", "6.25", "0.00", "web", "welcome10"),
    ("#1002", "zoe@example.org", "2024-01-20 08:15:22", "2024-01-20 08:15:30")
    + ("shipped", "36.00", "0.00", "18.00", "web", ""),
    ("#1003", "bob@example.com", "2024-02-01 14:10:00", "2024-02-01 14:10:03")
    + ("refunded", "40.00", "0.00", "40.00", "web", ""),
    ("#1004", "carol@example.com", "2024-02-11 10:00:00", "", "cancelled")
    + ("30.00", "0.00", "0.00", "web", ""),
    ("#1006", "dave@example.com", "2024-03-15 09:00:00", "2024-03-15 09:00:05")
    + ("shipped", "0.00", "9.00", "0.00", "web", "freegift"),
    ("#1005", ALICE, "2024-04-02 19:30:40", "2024-04-02 19:30:45", "paid")
    + ("45.88", "12.50", "0.00", "iphone", "spring-sale"),
    ("#1007", "phone:+15550102030", "2024-04-04 15:02:00", "2024-04-04 15:02:10")
    + ("shipped", "19.44", "0.00", "0.00", "pos", ""),
    ("#1008", "", "2024-04-05 13:20:00", "", "pending")
    + ("12.50", "0.00", "0.00", "pos", ""),
    ("#1009", "erin@example.com", "2024-04-10 16:45:00", "", "pending")
    + ("30.00", "0.00", "0.00", "web", ""),
    ("#1010", "frank@example.com", "2024-04-20 11:58:40", "2024-04-20 12:00:00")
    + ("paid", "70.00", "0.00", "0.00", "shopify_draft_order", ""),
    ("#1011", "bob@example.com", "2024-05-14 08:30:05", "2024-05-14 08:30:12")
    + ("shipped", "50.00", "0.00", "0.00", "web", ""),
    ("#1012", "grace@example.com", "2024-06-20 21:15:00", "", "closed")
    + ("30.00", "0.00", "0.00", "web", ""),
]
EXPECTED_ITEMS = [
    ("#1001", "TEE-BLK-M", "2", "25.00"),
    ("#1001", "MUG-01", "1", "12.50"),
    ("#1002", "Café Crème Beans, 1kg", "2", "18.00"),
    ("#1003", "APRON-02", "2", "20.00"),
    ("#1004", "TEE-WHT-L", "1", "25.00"),
    ("#1006", "SAMPLE-01", "1", "9.00"),
    ("#1005", "TEE-BLK-M", "2", "25.00"),
    ("#1007", "Café Crème Beans, 1kg", "1", "18.00"),
    ("#1008", "MUG-01", "1", "12.50"),
    ("#1009", "TEE-WHT-L", "1", "25.00"),
    ("#1010", "CUP-SET2", "4", "25.00"),
    # One tee at 25.00 and one at 20.00 on two lines: one line, 2 at 22.50.
    ("#1011", "TEE-BLK-M", "2", "22.50"),
    ("#1012", "APRON-01", "1", "30.00"),
]
# customer_id, registered_at, email, phone, accepts_email, accepts_sms, accepts_phone
EXPECTED_CUSTOMERS = [
    # Said yes on #1001, no on the later #1005: the latest answer counts.
    (ALICE, "2024-01-05 10:03:11", ALICE, "", "false", "false", "false"),
    ("bob@example.com", "2024-02-01 14:10:00", "bob@example.com", "", "true")
    + ("false", "false"),
    ("carol@example.com", "2024-02-11 10:00:00", "carol@example.com", "", "true")
    + ("false", "false"),
    ("dave@example.com", "2024-03-15 09:00:00", "dave@example.com", "", "true")
    + ("false", "false"),
    ("erin@example.com", "2024-04-10 16:45:00", "erin@example.com", "", "true")
    + ("false", "false"),
    ("frank@example.com", "2024-04-20 11:58:40", "frank@example.com", "", "true")
    + ("false", "false"),
    ("grace@example.com", "2024-06-20 21:15:00", "grace@example.com", "", "false")
    + ("false", "false"),
    ("phone:+15550102030", "2024-04-04 15:02:00", "", "+15550102030", "false")
    + ("false", "false"),
    ("zoe@example.org", "2024-01-20 08:15:22", "zoe@example.org", "", "true")
    + ("false", "false"),
]


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def read_columns(path: Path, *columns: str) -> list[tuple[str, ...]]:
    return [tuple(row[c] for c in columns) for row in read_rows(path)]


@pytest.fixture(scope="module")
def converted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("shopify")
    import_shopify(EXPORT, out, products_file=PRODUCTS_EXPORT)
    return out


def test_orders_are_converted_exactly(converted: Path) -> None:
    rows = read_columns(
        converted / "orders.csv",
        "order_id",
        "customer_id",
        "created_at",
        "paid_at",
        "status",
        "paid_amount",
        "discount_amount",
        "refund_amount",
        "channel",
        "promotion_tag",
    )
    assert rows == EXPECTED_ORDERS
    for row in read_rows(converted / "orders.csv"):
        assert (row["is_presale"], row["balance_due_at"], row["received_at"]) == (
            "false",
            "",
            "",
        )


def test_order_lines_are_merged_per_product(converted: Path) -> None:
    assert (
        read_columns(
            converted / "order_items.csv",
            "order_id",
            "product_id",
            "quantity",
            "unit_price",
        )
        == EXPECTED_ITEMS
    )


def test_customers_are_derived_from_their_orders(converted: Path) -> None:
    rows = read_columns(
        converted / "customers.csv",
        "customer_id",
        "registered_at",
        "email",
        "phone",
        "accepts_email",
        "accepts_sms",
        "accepts_phone",
    )
    assert rows == EXPECTED_CUSTOMERS


def test_products_take_type_and_cost_from_the_products_export(
    converted: Path,
) -> None:
    rows = {row["product_id"]: row for row in read_rows(converted / "products.csv")}
    assert sorted(rows) == sorted({item[1] for item in EXPECTED_ITEMS})
    tee = rows["TEE-BLK-M"]
    assert (tee["product_name"], tee["category"], tee["unit_cost"]) == (
        "Classic Tee - Black / M",
        "T-Shirts",
        "8.40",
    )
    assert tee["launch_date"] == "2024-01-05"  # first sold on #1001
    # The second variant row of a handle inherits the handle's Type.
    assert (rows["APRON-02"]["category"], rows["APRON-02"]["unit_cost"]) == (
        "Kitchen Textiles",
        "9.00",
    )
    assert rows["APRON-01"]["unit_cost"] == ""  # no Cost per item: unknown
    beans = rows["Café Crème Beans, 1kg"]  # no SKU, not in the products export
    assert (beans["category"], beans["unit_cost"]) == ("uncategorized", "")
    assert all(row["consumption_days"] == "" for row in rows.values())


def test_files_follow_the_contract(converted: Path) -> None:
    for table in TABLES:
        with (converted / f"{table.name}.csv").open(encoding="utf-8") as handle:
            header = next(csv.reader(handle))
        assert header == list(table.column_names)


def test_timezone_option_converts_every_timestamp(tmp_path: Path) -> None:
    import_shopify(EXPORT, tmp_path, timezone="UTC")
    created = dict(read_columns(tmp_path / "orders.csv", "order_id", "created_at"))
    assert created["#1001"] == "2024-01-05 15:03:11"  # -0500
    assert created["#1005"] == "2024-04-02 23:30:40"  # -0400, summer time
    launch = dict(read_columns(tmp_path / "products.csv", "product_id", "launch_date"))
    assert launch["APRON-01"] == "2024-06-21"  # 21:15 -0400 is the next day in UTC


def test_category_from_vendor(tmp_path: Path) -> None:
    import_shopify(EXPORT, tmp_path, category_from="vendor")
    category = dict(read_columns(tmp_path / "products.csv", "product_id", "category"))
    assert category["MUG-01"] == "Hearth, Home & Garden"
    assert category["Café Crème Beans, 1kg"] == "Kaffee & Co"
    assert all(
        unit_cost == ""
        for (unit_cost,) in read_columns(tmp_path / "products.csv", "unit_cost")
    )


def test_notes_name_the_orders_without_a_customer(tmp_path: Path) -> None:
    result = import_shopify(EXPORT, tmp_path)
    assert result.rows == {
        "orders": 12,
        "order_items": 13,
        "products": 8,
        "customers": 9,
    }
    assert any(
        "#1008" in note and "missing_customer_id" in note for note in result.notes
    )


def _edited_export(tmp_path: Path, edit: Callable[[list[list[str]]], None]) -> Path:
    """A copy of the fixture with edit applied to its rows (header first)."""
    with EXPORT.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    edit(rows)
    path = tmp_path / "orders_export.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


def test_missing_column_is_named_with_what_it_feeds(tmp_path: Path) -> None:
    def drop_refunded_amount(rows: list[list[str]]) -> None:
        index = rows[0].index("Refunded Amount")
        for row in rows:
            del row[index]

    export = _edited_export(tmp_path, drop_refunded_amount)
    with pytest.raises(InputError, match=r"'Refunded Amount' \(for refund_amount\)"):
        import_shopify(export, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_unknown_financial_status_names_line_and_value(tmp_path: Path) -> None:
    def chargeback(rows: list[list[str]]) -> None:
        rows[2][rows[0].index("Financial Status")] = "chargeback"  # #1011

    export = _edited_export(tmp_path, chargeback)
    with pytest.raises(InputError) as error:
        import_shopify(export, tmp_path / "out")
    message = str(error.value)
    assert "line 3 (order #1011)" in message
    assert "Financial Status 'chargeback'" in message


def test_bad_timestamp_names_line_and_column(tmp_path: Path) -> None:
    def bad_date(rows: list[list[str]]) -> None:
        rows[-2][rows[0].index("Created at")] = "05/01/2024"  # #1001, first row

    export = _edited_export(tmp_path, bad_date)
    # The multi-line Notes of #1011 shift the physical lines by one.
    with pytest.raises(
        InputError, match=r"line 15 \(order #1001\): Created at '05/01/2024'"
    ):
        import_shopify(export, tmp_path / "out")


def test_mixed_currencies_are_refused(tmp_path: Path) -> None:
    def euro(rows: list[list[str]]) -> None:
        rows[1][rows[0].index("Currency")] = "EUR"  # #1012

    export = _edited_export(tmp_path, euro)
    with pytest.raises(InputError, match="Currency 'USD'.*has 'EUR'"):
        import_shopify(export, tmp_path / "out")


def test_cli_imports_and_exits_2_on_bad_input(tmp_path: Path) -> None:
    database = tmp_path / "x.duckdb"
    out = tmp_path / "shop"
    result = run_cli(
        "import", "shopify", str(EXPORT), "--out", str(out), database=database
    )
    assert result.returncode == 0, result.stderr
    assert "orders 12, order_items 13, products 8, customers 9" in result.stdout
    assert "note: 1 order(s) without Email or phone (#1008)" in result.stdout

    result = run_cli(
        "import", "shopify", str(PRODUCTS_EXPORT), "--out", str(out), database=database
    )
    assert result.returncode == 2
    assert "missing column(s) 'Name' (for order_id)" in result.stderr
    assert "Traceback" not in result.stderr

    result = run_cli(
        "import",
        "shopify",
        str(EXPORT),
        "--out",
        str(out),
        "--timezone",
        "Mars/Olympus",
        database=database,
    )
    assert result.returncode == 2
    assert "unknown time zone 'Mars/Olympus'" in result.stderr


def test_import_replaces_a_stale_file_of_the_other_format(tmp_path: Path) -> None:
    out = tmp_path / "shop"
    out.mkdir()
    (out / "orders.parquet").write_bytes(b"stale")
    import_shopify(EXPORT, out)
    assert sorted(p.name for p in out.iterdir()) == sorted(
        f"{table.name}.csv" for table in TABLES
    )


def test_imported_shop_builds_with_only_the_anonymous_order_rejected(
    tmp_path: Path,
) -> None:
    shop = tmp_path / "shop"
    import_shopify(EXPORT, shop)
    database = tmp_path / "crm.duckdb"
    result = run_cli(
        "run",
        "--data",
        str(shop),
        "--out",
        str(tmp_path / "exports"),
        # free (0.00) orders are purchases in these shops
        "--vars",
        "{count_free_orders_as_purchases: true}",
        database=database,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr
    con = duckdb.connect(str(database), read_only=True)
    try:
        rejected = con.execute(
            "select source_table, row_key, reason_code from marts.rejected_rows "
            "order by all"
        ).fetchall()
        facts = dict(
            (customer_id, (purchases, float(revenue)))
            for customer_id, purchases, revenue in con.execute(
                "select customer_id, purchases_count, net_revenue from marts.customers"
            ).fetchall()
        )
    finally:
        con.close()
    assert rejected == [
        ("order_items", "#1008-MUG-01", "unknown_order_id"),
        ("orders", "#1008", "missing_customer_id"),
    ]
    assert facts[ALICE] == (2, 111.63)  # #1001 65.75 + #1005 45.88
    assert facts["bob@example.com"] == (1, 50.0)  # #1003 fully refunded
    assert facts["zoe@example.org"] == (1, 18.0)  # 36.00 - 18.00 refunded
    assert facts["carol@example.com"] == (0, 0.0)  # voided
