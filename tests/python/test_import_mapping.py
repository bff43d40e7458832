"""`crm-marts import mapping`: any export through a YAML column-mapping file.

fixtures/cdnow holds the first 60 rows of the CDNOW master transaction log (as
shipped with lifetimes 0.11.3: blank separated, CRLF line ends, a header row) plus
its first 0.00 purchase, and the mapping documented in the README.
"""

from __future__ import annotations

import csv
import textwrap
from pathlib import Path

import duckdb
import pytest
from conftest import FIXTURES, run_cli

from crm_marts.errors import InputError
from crm_marts.importers import import_mapping

CDNOW = FIXTURES / "cdnow" / "CDNOW_excerpt.txt"
CDNOW_MAPPING = FIXTURES / "cdnow" / "cdnow.yml"


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def by_key(path: Path, key: str) -> dict[str, dict[str, str]]:
    return {row[key]: row for row in read_rows(path)}


def write(path: Path, text: str) -> Path:
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def cdnow(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("cdnow")
    import_mapping(CDNOW, CDNOW_MAPPING, out)
    return out


def test_cdnow_rows_and_keys(cdnow: Path) -> None:
    orders = read_rows(cdnow / "orders.csv")
    assert len(orders) == 61
    assert orders[0]["order_id"] == "00001-1"
    assert len({row["customer_id"] for row in orders}) == 22
    assert len(read_rows(cdnow / "order_items.csv")) == 61
    assert len(read_rows(cdnow / "customers.csv")) == 22


def test_cdnow_orders_by_hand(cdnow: Path) -> None:
    orders = by_key(cdnow / "orders.csv", "order_id")
    # " 00002 19970112  5   77.00": data row 3, the customer's second that day.
    assert orders["00002-3"] == {
        "order_id": "00002-3",
        "customer_id": "00002",
        "created_at": "1997-01-12 00:00:00",
        "paid_at": "1997-01-12 00:00:00",
        "status": "completed",
        "paid_amount": "77.00",
        "discount_amount": "0.00",
        "refund_amount": "",
        "channel": "web",
        "promotion_tag": "",
        "is_presale": "false",
        "balance_due_at": "",
        "received_at": "",
    }
    assert orders["00455-61"]["paid_amount"] == "0.00"  # a free purchase


def test_cdnow_unit_price_is_amount_per_cd(cdnow: Path) -> None:
    items = {
        row["order_id"]: (row["product_id"], row["quantity"], row["unit_price"])
        for row in read_rows(cdnow / "order_items.csv")
    }
    assert items["00002-3"] == ("cd", "5", "15.40")  # 77.00 / 5
    assert items["00004-10"] == ("cd", "2", "14.67")  # 29.33 / 2 = 14.665, half up
    assert items["00455-61"] == ("cd", "1", "0.00")


def test_cdnow_products_and_customers_collapse_with_pick_min(cdnow: Path) -> None:
    assert read_rows(cdnow / "products.csv") == [
        {
            "product_id": "cd",
            "product_name": "Compact disc",
            "category": "music",
            "consumption_days": "",
            "unit_cost": "",
            "launch_date": "1997-01-01",
        }
    ]
    customers = by_key(cdnow / "customers.csv", "customer_id")
    # 00003 bought on 1997-01-02, -03-30, -04-02, -11-15, -11-25, 1998-05-28.
    assert customers["00003"]["registered_at"] == "1997-01-02 00:00:00"
    assert {
        (row["accepts_email"], row["accepts_sms"], row["accepts_phone"])
        for row in customers.values()
    } == {("false", "false", "false")}


def test_file_without_header_takes_column_names(tmp_path: Path) -> None:
    lines = CDNOW.read_text(encoding="utf-8").splitlines()[1:]
    log = tmp_path / "CDNOW_master.txt"
    log.write_text("\n".join(lines) + "\n", encoding="utf-8")
    mapping = CDNOW_MAPPING.read_text(encoding="utf-8").replace(
        "  header: true",
        "  header: false\n  columns: [customer_id, date, number_of_cds, dollar_value]",
    )
    import_mapping(log, write(tmp_path / "map.yml", mapping), tmp_path / "out")
    for table in ("orders", "order_items", "products", "customers"):
        expected = tmp_path / "expected"
        import_mapping(CDNOW, CDNOW_MAPPING, expected)
        assert (tmp_path / "out" / f"{table}.csv").read_bytes() == (
            expected / f"{table}.csv"
        ).read_bytes()


LINES_EXPORT = """
    order_number;customer_email;order_date;state;order_total;sku;qty;price
    A-1;X@Example.com;05/01/2024 10:00;PAID;30,00;S1;1;10,00
    A-1;X@Example.com;05/01/2024 10:00;PAID;30,00;S2;2;10,00
    A-2;y@example.com;06/01/2024 11:30;RETURNED;"1.250,00";S1;125;10,00
    A-3;y@example.com;07/01/2024 09:15;ON HOLD;5,00;S3;1;5,00
"""
LINES_MAPPING = """
    source:
      delimiter: ";"
    orders:
      order_id: order_number
      customer_id: {column: customer_email, lowercase: true}
      created_at: {column: order_date, format: "%d/%m/%Y %H:%M"}
      paid_at: {column: order_date, format: "%d/%m/%Y %H:%M"}
      status:
        column: state
        values: {PAID: paid, RETURNED: refunded}
        other: pending
      paid_amount:
        column: order_total
        decimal_separator: ","
        thousands_separator: "."
      channel: {constant: web}
    order_items:
      order_id: order_number
      product_id: sku
      quantity: qty
      unit_price: {column: price, decimal_separator: ","}
    customers:
      customer_id: {column: customer_email, lowercase: true}
      registered_at: {column: order_date, format: "%d/%m/%Y %H:%M", pick: min}
      accepts_email: {constant: false}
      accepts_sms: {constant: false}
      accepts_phone: {constant: false}
"""


def test_line_level_export_splits_into_orders_and_items(tmp_path: Path) -> None:
    source = write(tmp_path / "lines.csv", LINES_EXPORT)
    mapping = write(tmp_path / "map.yml", LINES_MAPPING)
    result = import_mapping(source, mapping, tmp_path / "out")
    assert result.rows == {"orders": 3, "order_items": 4, "customers": 2}
    assert any("no products" in note for note in result.notes)
    orders = [
        (
            r["order_id"],
            r["customer_id"],
            r["created_at"],
            r["status"],
            r["paid_amount"],
        )
        for r in read_rows(tmp_path / "out" / "orders.csv")
    ]
    assert orders == [
        ("A-1", "x@example.com", "2024-01-05 10:00:00", "paid", "30.00"),
        ("A-2", "y@example.com", "2024-01-06 11:30:00", "refunded", "1250.00"),
        ("A-3", "y@example.com", "2024-01-07 09:15:00", "pending", "5.00"),
    ]
    items = [
        (r["order_id"], r["product_id"], r["quantity"], r["unit_price"])
        for r in read_rows(tmp_path / "out" / "order_items.csv")
    ]
    assert items == [
        ("A-1", "S1", "1", "10.00"),
        ("A-1", "S2", "2", "10.00"),
        ("A-2", "S1", "125", "10.00"),
        ("A-3", "S3", "1", "5.00"),
    ]
    customers = by_key(tmp_path / "out" / "customers.csv", "customer_id")
    assert customers["y@example.com"]["registered_at"] == "2024-01-06 11:30:00"
    assert customers["x@example.com"]["accepts_email"] == "false"
    assert not (tmp_path / "out" / "products.csv").exists()


def test_pick_sum_adds_line_amounts_into_the_order(tmp_path: Path) -> None:
    source = write(tmp_path / "lines.csv", LINES_EXPORT)
    mapping = write(
        tmp_path / "map.yml",
        """
        source: {delimiter: ";"}
        orders:
          order_id: order_number
          paid_amount: {column: price, decimal_separator: ",", pick: sum}
        """,
    )
    import_mapping(source, mapping, tmp_path / "out")
    totals = {
        r["order_id"]: r["paid_amount"]
        for r in read_rows(tmp_path / "out" / "orders.csv")
    }
    assert totals == {"A-1": "20.00", "A-2": "10.00", "A-3": "5.00"}


def _error(tmp_path: Path, mapping_text: str, source_text: str = LINES_EXPORT) -> str:
    source = write(tmp_path / "lines.csv", source_text)
    mapping = write(tmp_path / "map.yml", mapping_text)
    with pytest.raises(InputError) as error:
        import_mapping(source, mapping, tmp_path / "out")
    assert not (tmp_path / "out").exists()
    return str(error.value)


def test_unknown_contract_column_is_named(tmp_path: Path) -> None:
    message = _error(
        tmp_path,
        """
        source: {delimiter: ";"}
        orders: {order_id: order_number, total: order_total}
        """,
    )
    assert "orders.total: not a column of orders" in message


def test_missing_source_column_names_key_and_column(tmp_path: Path) -> None:
    message = _error(
        tmp_path,
        """
        source: {delimiter: ";"}
        orders: {order_id: order_number, created_at: {column: Date}}
        """,
    )
    assert "orders.created_at: source column 'Date' is not in" in message
    assert "order_number, customer_email" in message


def test_bad_value_names_line_key_and_column(tmp_path: Path) -> None:
    message = _error(
        tmp_path,
        """
        source: {delimiter: ";"}
        orders:
          order_id: order_number
          created_at: {column: order_date, format: "%Y-%m-%d"}
        """,
    )
    assert "lines.csv line 2: orders.created_at (column 'order_date'):" in message
    assert "'05/01/2024 10:00' is not a timestamp (expected '%Y-%m-%d'" in message


def test_unmapped_status_value_is_an_error_without_other(tmp_path: Path) -> None:
    message = _error(
        tmp_path,
        """
        source: {delimiter: ";"}
        orders:
          order_id: order_number
          status: {column: state, values: {PAID: paid, RETURNED: refunded}}
        """,
    )
    assert "line 5: orders.status (column 'state'): 'ON HOLD' is not in the" in message


def test_disagreeing_order_fields_need_a_pick(tmp_path: Path) -> None:
    message = _error(
        tmp_path,
        """
        source: {delimiter: ";"}
        orders: {order_id: order_number, paid_amount: {column: qty}}
        """,
    )
    assert "line 3: orders.paid_amount of order_id 'A-1' is '2.00', but line 2" in (
        message
    )
    assert "set pick:" in message


def test_mapping_problems_name_the_key(tmp_path: Path) -> None:
    assert "orders.order_id is not mapped" in _error(
        tmp_path, "orders: {customer_id: customer_email}"
    )
    assert "orders.status: unknown key(s) value" in _error(
        tmp_path, "orders: {order_id: order_number, status: {value: paid}}"
    )
    assert "set header: false too" in _error(
        tmp_path, "source: {columns: [a, b]}\norders: {order_id: a}"
    )
    assert "order: not a contract table" in _error(
        tmp_path, "order: {order_id: order_number}"
    )
    assert "customers.accepts_email: constant 'maybe' is not a yes/no value" in (
        _error(
            tmp_path, "customers: {customer_id: x, accepts_email: {constant: maybe}}"
        )
    )


def test_cli_mapping_command(tmp_path: Path) -> None:
    out = tmp_path / "cdnow"
    result = run_cli(
        "import",
        "mapping",
        str(CDNOW),
        "--mapping",
        str(CDNOW_MAPPING),
        "--out",
        str(out),
        database=tmp_path / "x.duckdb",
    )
    assert result.returncode == 0, result.stderr
    assert "orders 61, order_items 61, products 1, customers 22" in result.stdout
    result = run_cli(
        "import",
        "mapping",
        str(CDNOW),
        "--mapping",
        str(tmp_path / "missing.yml"),
        "--out",
        str(out),
        database=tmp_path / "x.duckdb",
    )
    assert result.returncode == 2
    assert "missing.yml: no such mapping file" in result.stderr


def test_cdnow_excerpt_builds(tmp_path: Path, cdnow: Path) -> None:
    database = tmp_path / "crm.duckdb"
    result = run_cli(
        "run",
        "--data",
        str(cdnow),
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
        (rejected,) = con.execute("select count(*) from marts.rejected_rows").fetchone()
        (purchases,) = con.execute(
            "select purchases_count from marts.customers where customer_id = '00003'"
        ).fetchone()
    finally:
        con.close()
    assert rejected == 0
    assert purchases == 6
