"""The loader checks the contract before writing, and names what is wrong."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
import pytest
from conftest import run_cli

from crm_marts.errors import InputError
from crm_marts.load import load_shop


def _raw_counts(database: Path) -> dict[str, int]:
    con = duckdb.connect(str(database), read_only=True)
    try:
        return {
            table: con.execute(f"select count(*) from raw.{table}").fetchone()[0]
            for table in ("orders", "order_items", "products", "customers")
        }
    finally:
        con.close()


def test_load_counts_every_row_and_keeps_row_numbers(
    broken_shop: Path, tmp_path: Path
) -> None:
    database = tmp_path / "crm.duckdb"
    rows = load_shop(broken_shop, database)
    assert rows == {"orders": 11, "order_items": 10, "products": 3, "customers": 7}
    assert _raw_counts(database) == rows
    con = duckdb.connect(str(database), read_only=True)
    first, last = con.execute(
        "select min(_source_row_number), max(_source_row_number) from raw.orders"
    ).fetchone()
    assert (first, last) == (1, 11)
    # Optional columns absent from a file are loaded as nulls.
    assert con.execute("select count(*) from raw.products").fetchone()[0] == 3
    con.close()


def test_missing_file_exits_2_and_names_it(broken_shop: Path, tmp_path: Path) -> None:
    (broken_shop / "products.csv").unlink()
    result = run_cli("load", str(broken_shop), database=tmp_path / "crm.duckdb")
    assert result.returncode == 2
    assert "products.csv or products.parquet" in result.stderr
    assert not (tmp_path / "crm.duckdb").exists()


def test_missing_column_exits_2_and_names_file_and_column(
    broken_shop: Path, tmp_path: Path
) -> None:
    orders = broken_shop / "orders.csv"
    lines = orders.read_text().splitlines()
    lines = [",".join(line.split(",")[:4] + line.split(",")[5:]) for line in lines]
    orders.write_text("\n".join(lines) + "\n")
    result = run_cli("load", str(broken_shop), database=tmp_path / "crm.duckdb")
    assert result.returncode == 2
    assert "orders.csv" in result.stderr
    assert "missing column(s) status" in result.stderr


def test_ragged_row_exits_2_and_names_the_line(
    broken_shop: Path, tmp_path: Path
) -> None:
    items = broken_shop / "order_items.csv"
    lines = items.read_text().splitlines()
    lines[3] = "O3,P2,1"
    items.write_text("\n".join(lines) + "\n")
    result = run_cli("load", str(broken_shop), database=tmp_path / "crm.duckdb")
    assert result.returncode == 2
    assert "order_items.csv" in result.stderr
    assert "line 4 (data row 3) has 3 fields, the header has 4" in result.stderr


def test_invalid_utf8_exits_2_and_names_the_line(
    broken_shop: Path, tmp_path: Path
) -> None:
    customers = broken_shop / "customers.csv"
    data = customers.read_bytes().replace(b"a@x.com", b"a\xff@x.com")
    customers.write_bytes(data)
    result = run_cli("load", str(broken_shop), database=tmp_path / "crm.duckdb")
    assert result.returncode == 2
    assert "customers.csv" in result.stderr
    assert "line 2 (data row 1) is not valid UTF-8" in result.stderr


def test_csv_and_parquet_for_one_table_is_ambiguous(
    broken_shop: Path, tmp_path: Path
) -> None:
    table = pa_csv.read_csv(broken_shop / "products.csv")
    pq.write_table(table, broken_shop / "products.parquet")
    with pytest.raises(InputError, match="both products.csv, products.parquet"):
        load_shop(broken_shop, tmp_path / "crm.duckdb")


def test_parquet_files_load_like_csv(broken_shop: Path, tmp_path: Path) -> None:
    for name in ("orders", "order_items", "products", "customers"):
        csv_path = broken_shop / f"{name}.csv"
        pq.write_table(pa_csv.read_csv(csv_path), broken_shop / f"{name}.parquet")
        csv_path.unlink()
    rows = load_shop(broken_shop, tmp_path / "crm.duckdb")
    assert rows == {"orders": 11, "order_items": 10, "products": 3, "customers": 7}


def test_failed_reload_keeps_the_previous_load(
    broken_shop: Path, tmp_path: Path
) -> None:
    database = tmp_path / "crm.duckdb"
    first = load_shop(broken_shop, database)
    (broken_shop / "customers.csv").write_text("customer_id\nC1\n")
    with pytest.raises(InputError, match="missing column"):
        load_shop(broken_shop, database)
    assert _raw_counts(database) == first


def test_reload_replaces_the_previous_data(broken_shop: Path, tmp_path: Path) -> None:
    database = tmp_path / "crm.duckdb"
    load_shop(broken_shop, database)
    orders = broken_shop / "orders.csv"
    orders.write_text("\n".join(orders.read_text().splitlines()[:3]) + "\n")
    load_shop(broken_shop, database)
    assert _raw_counts(database)["orders"] == 2


def test_missing_directory_exits_2(tmp_path: Path) -> None:
    result = run_cli("load", str(tmp_path / "nope"), database=tmp_path / "x.duckdb")
    assert result.returncode == 2
    assert "no such directory" in result.stderr
