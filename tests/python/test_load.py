"""The loader checks the contract before writing, and names what is wrong."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import jinja2
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
import pytest
import yaml
from conftest import run_cli

from crm_marts import load
from crm_marts.contract import TABLES
from crm_marts.errors import InputError
from crm_marts.load import load_shop

ROOT = Path(__file__).resolve().parents[2]
RAW_TABLES = ("orders", "order_items", "products", "customers")


def _raw_counts(database: Path) -> dict[str, int]:
    con = duckdb.connect(str(database), read_only=True)
    try:
        return {
            table: con.execute(f"select count(*) from raw.{table}").fetchone()[0]
            for table in RAW_TABLES
        }
    finally:
        con.close()


def _query(database: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(database), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_load_counts_every_row_and_keeps_row_numbers(
    broken_shop: Path, tmp_path: Path
) -> None:
    database = tmp_path / "crm.duckdb"
    result = load_shop(broken_shop, database)
    assert result.rows == {
        "orders": 11,
        "order_items": 10,
        "products": 3,
        "customers": 7,
    }
    assert result.defaults == []
    assert _raw_counts(database) == result.rows
    # Row numbers are data rows in file order: O1 is row 1, O11 row 11.
    assert _query(
        database,
        "select order_id, _source_file, _source_row_number from raw.orders "
        "where _source_row_number in (1, 11) order by 3",
    ) == [("O1", "orders.csv", 1), ("O11", "orders.csv", 11)]
    # Every value lands as text; an empty field is null.
    assert _query(
        database,
        "select customer_id, birthday, unsubscribed_at from raw.customers "
        "where _source_row_number = 2",
    ) == [("C2", None, None)]
    types = {
        name: data_type
        for name, data_type, *_ in _query(database, "describe raw.orders")
    }
    assert {types[c] for c in TABLES[0].column_names} == {"VARCHAR"}


def test_missing_file_exits_2_and_names_it(broken_shop: Path, tmp_path: Path) -> None:
    (broken_shop / "orders.csv").unlink()
    result = run_cli("load", str(broken_shop), database=tmp_path / "crm.duckdb")
    assert result.returncode == 2
    assert "orders.csv or orders.parquet" in result.stderr
    assert not (tmp_path / "crm.duckdb").exists()


def test_missing_column_exits_2_and_names_file_and_column(
    broken_shop: Path, tmp_path: Path
) -> None:
    orders = broken_shop / "orders.csv"
    lines = orders.read_text().splitlines()
    # Drop created_at, a required column.
    lines = [",".join(line.split(",")[:2] + line.split(",")[3:]) for line in lines]
    orders.write_text("\n".join(lines) + "\n")
    result = run_cli("load", str(broken_shop), database=tmp_path / "crm.duckdb")
    assert result.returncode == 2
    assert "orders.csv" in result.stderr
    assert "missing column(s) created_at" in result.stderr


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
    assert not (tmp_path / "crm.duckdb").exists()


def test_ragged_row_after_a_quoted_newline_names_the_physical_line(
    broken_shop: Path, tmp_path: Path
) -> None:
    products = broken_shop / "products.csv"
    lines = products.read_text().splitlines()
    lines[1] = lines[1].replace("Dog food", '"Dog\nfood"')
    lines.append("P4,Short,coffee")
    products.write_text("\n".join(lines) + "\n")
    with pytest.raises(InputError, match=r"line 6 \(data row 5\) has 3 fields"):
        load_shop(broken_shop, tmp_path / "crm.duckdb")


def test_rows_appended_with_other_line_endings_load_like_the_rest(
    broken_shop: Path, tmp_path: Path
) -> None:
    # Rows appended by another tool (Python's csv module writes \r\n) to a
    # file with \n line endings: DuckDB's strict reader refuses the mix, the
    # loader checks the rows itself and reads the file leniently.
    database = tmp_path / "crm.duckdb"
    orders = broken_shop / "orders.csv"
    with orders.open("a", newline="") as handle:
        handle.write("O12,C4,2024-08-11 10:00:00,,pending,5.00,0,0,app,,false,,\r\n")
    result = load_shop(broken_shop, database)
    assert result.rows["orders"] == 12
    assert _query(
        database,
        "select order_id, paid_amount, received_at, _source_row_number "
        "from raw.orders where _source_row_number >= 11 order by 4",
    ) == [("O11", "45.00", None, 11), ("O12", "5.00", None, 12)]


def test_ragged_row_in_a_file_of_mixed_line_endings_names_the_line(
    broken_shop: Path, tmp_path: Path
) -> None:
    orders = broken_shop / "orders.csv"
    with orders.open("a", newline="") as handle:
        handle.write("O12,C4,2024-08-11 10:00:00\r\n")
    with pytest.raises(InputError, match=r"line 13 \(data row 12\) has 3 fields"):
        load_shop(broken_shop, tmp_path / "crm.duckdb")


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
    csv_database, parquet_database = tmp_path / "csv.duckdb", tmp_path / "pq.duckdb"
    load_shop(broken_shop, csv_database)
    for name in RAW_TABLES:
        csv_path = broken_shop / f"{name}.csv"
        header = csv_path.read_text().splitlines()[0].split(",")
        table = pa_csv.read_csv(
            csv_path,
            convert_options=pa_csv.ConvertOptions(
                column_types={column: pa.string() for column in header},
                strings_can_be_null=True,
            ),
        )
        pq.write_table(table, broken_shop / f"{name}.parquet")
        csv_path.unlink()
    result = load_shop(broken_shop, parquet_database)
    assert result.rows == {
        "orders": 11,
        "order_items": 10,
        "products": 3,
        "customers": 7,
    }
    columns = "order_id, customer_id, paid_at, refund_amount, _source_row_number"
    assert _query(
        parquet_database, f"select {columns} from raw.orders order by 5"
    ) == _query(csv_database, f"select {columns} from raw.orders order by 5")


def test_failed_reload_keeps_the_previous_load(
    broken_shop: Path, tmp_path: Path
) -> None:
    database = tmp_path / "crm.duckdb"
    first = load_shop(broken_shop, database).rows
    (broken_shop / "customers.csv").write_text("member_level\ngold\n")
    with pytest.raises(InputError, match="missing column"):
        load_shop(broken_shop, database)
    assert _raw_counts(database) == first


def test_unreadable_last_file_rolls_back_the_whole_load(
    broken_shop: Path, tmp_path: Path
) -> None:
    database = tmp_path / "crm.duckdb"
    first = load_shop(broken_shop, database).rows
    # orders is loaded first and would change; customers (last) is ragged.
    orders = broken_shop / "orders.csv"
    orders.write_text("\n".join(orders.read_text().splitlines()[:3]) + "\n")
    customers = broken_shop / "customers.csv"
    customers.write_text(customers.read_text() + "C9,2024-01-01 10:00:00\n")
    with pytest.raises(InputError, match="line 9 \\(data row 8\\) has 2 fields"):
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


# --- the minimal contract: orders alone, optional columns left out -----------


def test_orders_only_log_loads_and_reports_every_default(
    transaction_log: Path, tmp_path: Path
) -> None:
    database = tmp_path / "crm.duckdb"
    result = run_cli("load", str(transaction_log), database=database)
    assert result.returncode == 0, result.stderr
    assert "orders 12, order_items 0, products 0, customers 0" in result.stdout
    for default in (
        "orders.order_id missing: each row is one order, its id the data row number",
        "orders.status missing: every order is completed",
        "orders.paid_at missing: orders with a purchase status count as paid "
        "when created",
        "customers: no file: customers derived from orders: registered at their "
        "first order, no contact consent (never in an audience)",
        "order_items: no file: no order lines",
    ):
        assert default in result.stdout
    assert "orders.csv: number_of_cds" in result.stdout  # not loaded
    assert _raw_counts(database) == {
        "orders": 12,
        "order_items": 0,
        "products": 0,
        "customers": 0,
    }
    # CRLF line ends are not part of the values.
    assert _query(
        database,
        "select customer_id, created_at, paid_amount, order_id, status "
        "from raw.orders where _source_row_number = 12",
    ) == [("00006", "2024-03-01", "15.36", None, None)]
    manifest = _query(
        database,
        "select table_name, column_name, source_file, is_column_present "
        "from raw.load_manifest where column_name in ('status', 'customer_id') "
        "order by 1, 2",
    )
    assert manifest == [
        ("customers", "customer_id", None, False),
        ("orders", "customer_id", "orders.csv", True),
        ("orders", "status", "orders.csv", False),
    ]


def test_order_lines_without_products_are_refused(
    broken_shop: Path, tmp_path: Path
) -> None:
    (broken_shop / "products.csv").unlink()
    result = run_cli("load", str(broken_shop), database=tmp_path / "crm.duckdb")
    assert result.returncode == 2
    assert "order_items.csv: order lines need their products" in result.stderr


def test_order_lines_need_order_ids(broken_shop: Path, tmp_path: Path) -> None:
    orders = broken_shop / "orders.csv"
    lines = [line.split(",", 1)[1] for line in orders.read_text().splitlines()]
    orders.write_text("\n".join(lines) + "\n")
    with pytest.raises(InputError, match="need orders.order_id"):
        load_shop(broken_shop, tmp_path / "crm.duckdb")


# --- memory and settings -----------------------------------------------------

ORDERS_HEADER = (
    "order_id,customer_id,created_at,paid_at,status,paid_amount,discount_amount,"
    "refund_amount,channel,promotion_tag,is_presale,balance_due_at,received_at\n"
)
ORDERS_LINE = (
    "O{0:09d},C{1:07d},2024-05-01 10:00:00,2024-05-01 10:05:00,completed,"
    "50.00,0,0,app,,false,,2024-05-03 10:00:00\n"
)


def _peak_rss_of_load(shop: Path, database: Path) -> int:
    """Max RSS (bytes) of a `crm-marts load` process limited to 128 MB."""
    env = {**os.environ, "CRM_MARTS_DUCKDB_PATH": str(database)}
    env[load.MEMORY_LIMIT_ENV] = "128MB"
    process = subprocess.Popen(
        [sys.executable, "-m", "crm_marts", "load", str(shop)],
        env=env,
        stdout=subprocess.DEVNULL,
    )
    _, status, usage = os.wait4(process.pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    return usage.ru_maxrss * 1024


def test_loading_memory_does_not_grow_with_the_files(tmp_path: Path) -> None:
    sizes, peaks = [], []
    for rows in (100_000, 800_000):
        shop = tmp_path / f"shop_{rows}"
        shop.mkdir()
        with (shop / "orders.csv").open("w") as handle:
            handle.write(ORDERS_HEADER)
            handle.writelines(ORDERS_LINE.format(i, i % 997) for i in range(rows))
        sizes.append((shop / "orders.csv").stat().st_size)
        peaks.append(_peak_rss_of_load(shop, tmp_path / f"{rows}.duckdb"))
    # 8 times the rows (some 80 MB more text): the peak grows by far less than
    # that (holding the file in memory would add at least the file's size).
    assert peaks[1] - peaks[0] < (sizes[1] - sizes[0]) / 2, (sizes, peaks)


def test_profile_and_loader_configure_duckdb_alike(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    profiles = yaml.safe_load((ROOT / "profiles" / "profiles.yml").read_text())
    output = profiles["crm_marts"]["outputs"]["duckdb"]
    database = tmp_path / "crm.duckdb"
    # The spill directory is set once, when the database opens: as a setting
    # of every connection it fails after the first spill (dbt-duckdb #600).
    # Readers in the same process open it with the same (export).
    assert list(output["config_options"]) == ["temp_directory"]
    assert list(output["config_options"]) == list(load.duckdb_open_config(database))

    def render(env: dict[str, str]) -> dict[str, str]:
        def env_var(name: str, default: str | None = None) -> str:
            if name in env:
                return env[name]
            assert default is not None, f"{name} has no default"
            return default

        environment = jinja2.Environment()
        environment.filters["as_native"] = lambda value: value
        rendered = ast.literal_eval(
            environment.from_string(output["settings"]).render(env_var=env_var)
        )
        assert "temp_directory" not in rendered
        for name, template in output["config_options"].items():
            rendered[name] = environment.from_string(template).render(env_var=env_var)
        return rendered

    for name in (
        load.MEMORY_LIMIT_ENV,
        load.TEMP_DIRECTORY_ENV,
        load.MAX_TEMP_SIZE_ENV,
        load.DUCKDB_THREADS_ENV,
    ):
        monkeypatch.delenv(name, raising=False)
    env = {"CRM_MARTS_DUCKDB_PATH": str(database)}
    assert render(env) == load.duckdb_settings(database)
    custom = {
        load.MEMORY_LIMIT_ENV: "3GB",
        load.TEMP_DIRECTORY_ENV: str(tmp_path / "spill"),
        load.MAX_TEMP_SIZE_ENV: "50GB",
        load.DUCKDB_THREADS_ENV: "1",
    }
    for name, value in custom.items():
        monkeypatch.setenv(name, value)
    assert render({**env, **custom}) == load.duckdb_settings(database)
    assert load.duckdb_settings(database)["threads"] == "1"
