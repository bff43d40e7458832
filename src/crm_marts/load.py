"""Load a shop's raw files into the warehouse, after checking them against the contract.

Every file is read and validated before anything is written; the four raw tables are
then replaced in one transaction, so a reader sees either the previous load or the new
one, never a mix. Values stay text: parsing and rejecting unusable rows happens in the
dbt staging layer, which keeps every row with a reason.

The same validated tables go to DuckDB (write_duckdb) or to Spark (write_spark, for
the `spark` target), so both engines start from identical raw rows.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from crm_marts.contract import FILE_FORMATS, TABLES, Table
from crm_marts.errors import InputError

SOURCE_FILE_COLUMN = "_source_file"
SOURCE_ROW_COLUMN = "_source_row_number"
LOADED_AT_COLUMN = "_loaded_at"
# Spark tables are written under this prefix first, then renamed into place.
STAGING_PREFIX = "_incoming_"


@dataclass(frozen=True)
class RawTable:
    table: Table
    path: Path
    data: pa.Table

    @property
    def rows(self) -> int:
        return self.data.num_rows


def find_file(data_dir: Path, table: Table) -> Path:
    """Return the one file holding `table` in `data_dir` (csv or parquet)."""
    found = [
        data_dir / f"{table.name}.{ext}"
        for ext in FILE_FORMATS
        if (data_dir / f"{table.name}.{ext}").is_file()
    ]
    if not found:
        expected = " or ".join(f"{table.name}.{ext}" for ext in FILE_FORMATS)
        raise InputError(
            f"{data_dir}: missing file {expected} ({table.description}). "
            f"Add it; see the README's data contract for its columns."
        )
    if len(found) > 1:
        names = ", ".join(p.name for p in found)
        raise InputError(
            f"{data_dir}: both {names} exist for table {table.name}. "
            "Keep one of them so the load is unambiguous."
        )
    return found[0]


def _check_columns(path: Path, table: Table, columns: list[str]) -> None:
    missing = [c for c in table.required_columns if c not in columns]
    if missing:
        raise InputError(
            f"{path}: missing column(s) {', '.join(missing)} "
            f"(found: {', '.join(columns) or 'none'}). "
            "Rename or add them to match the data contract in the README."
        )
    duplicated = sorted({c for c in columns if columns.count(c) > 1})
    if duplicated:
        raise InputError(
            f"{path}: column(s) {', '.join(duplicated)} appear more than once. "
            "Keep one column per name."
        )


def _read_csv_header(path: Path) -> list[str]:
    with path.open("rb") as handle:
        first_line = handle.readline()
    try:
        text = first_line.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{path}: line 1 is not valid UTF-8 ({exc.reason}). Save the file as UTF-8."
        ) from exc
    header = next(csv.reader([text]), [])
    return [name.strip() for name in header]


def _locate_csv_problem(path: Path, width: int) -> str:
    """Find the first line a strict CSV reader rejects, for the error message."""
    with path.open("rb") as handle:
        raw_lines = handle.read().split(b"\n")
    for index, raw_line in enumerate(raw_lines, start=1):
        try:
            raw_line.decode("utf-8")
        except UnicodeDecodeError:
            return f"line {index} (data row {index - 1}) is not valid UTF-8"
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        next(reader, None)
        for row in reader:
            if row and len(row) != width:
                return (
                    f"line {reader.line_num} (data row {reader.line_num - 1}) has "
                    f"{len(row)} fields, the header has {width}"
                )
    return "the file could not be parsed"


def _read_csv(path: Path, table: Table) -> pa.Table:
    header = _read_csv_header(path)
    _check_columns(path, table, header)
    try:
        return pa_csv.read_csv(
            path,
            read_options=pa_csv.ReadOptions(column_names=header, skip_rows=1),
            convert_options=pa_csv.ConvertOptions(
                column_types={name: pa.string() for name in header},
                strings_can_be_null=True,
                quoted_strings_can_be_null=True,
            ),
        )
    except pa.ArrowInvalid as exc:
        problem = _locate_csv_problem(path, len(header))
        raise InputError(
            f"{path}: unreadable: {problem}. Fix that row (quote fields that "
            f"contain commas, save as UTF-8) and load again. ({exc})"
        ) from exc


def _read_parquet(path: Path, table: Table) -> pa.Table:
    try:
        data = pq.read_table(path)
    except (pa.ArrowInvalid, OSError) as exc:
        raise InputError(
            f"{path}: not a readable Parquet file ({exc}). Re-export it."
        ) from exc
    _check_columns(path, table, data.column_names)
    columns = []
    for name in data.column_names:
        column = data.column(name)
        try:
            columns.append(column.cast(pa.string()))
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
            raise InputError(
                f"{path}: column {name} of type {column.type} cannot be read as "
                f"text ({exc}). Store it as a string, number, date or timestamp."
            ) from exc
    return pa.table(columns, names=data.column_names)


def read_raw_table(data_dir: Path, table: Table) -> RawTable:
    """Read one table's file, check its columns and shape it like the raw table."""
    path = find_file(data_dir, table)
    data = (
        _read_csv(path, table) if path.suffix == ".csv" else _read_parquet(path, table)
    )
    columns = [
        data.column(name)
        if name in data.column_names
        else pa.nulls(data.num_rows, pa.string())
        for name in table.column_names
    ]
    columns.append(pa.array([path.name] * data.num_rows, pa.string()))
    columns.append(pa.array(range(1, data.num_rows + 1), pa.int64()))
    names = [*table.column_names, SOURCE_FILE_COLUMN, SOURCE_ROW_COLUMN]
    return RawTable(table, path, pa.table(columns, names=names))


def read_shop(data_dir: Path) -> list[RawTable]:
    """Read and check all raw files of a shop; raise InputError on the first fault."""
    if not data_dir.is_dir():
        raise InputError(
            f"{data_dir}: no such directory. Point `crm-marts load` at the folder "
            "holding orders, order_items, products and customers files."
        )
    return [read_raw_table(data_dir, table) for table in TABLES]


def write_duckdb(raw_tables: list[RawTable], database: Path, raw_schema: str) -> None:
    """Replace the raw tables in the DuckDB file in a single transaction."""
    import duckdb

    database.parent.mkdir(parents=True, exist_ok=True)
    loaded_at = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    con = duckdb.connect(str(database))
    try:
        con.execute("begin transaction")
        con.execute(f"create schema if not exists {raw_schema}")
        for raw in raw_tables:
            con.register("incoming", raw.data)
            con.execute(
                f"create or replace table {raw_schema}.{raw.table.name} as "
                f"select *, cast(? as timestamp) as {LOADED_AT_COLUMN} from incoming",
                [loaded_at],
            )
            con.unregister("incoming")
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    finally:
        con.close()


def write_spark(raw_tables: list[RawTable], session: Any, raw_schema: str) -> None:
    """Replace the raw tables in Spark's catalogue, as text columns like DuckDB's.

    Plain Spark tables have no multi-table transaction: every table is first written
    in full under a staging name, and only when all are written are the staging
    tables swapped in by drop and rename (catalogue operations, no data is
    rewritten). A load that fails while writing leaves the previous raw tables in
    place; only the short swap at the end is not atomic.
    """
    loaded_at = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    session.sql(f"create database if not exists {raw_schema}")
    staged = []
    try:
        for raw in raw_tables:
            staging = f"{raw_schema}.{STAGING_PREFIX}{raw.table.name}"
            session.sql(f"drop table if exists {staging}")
            frame = session.createDataFrame(raw.data).selectExpr(
                "*",
                f"cast('{loaded_at.isoformat(sep=' ')}' as timestamp) "
                f"as {LOADED_AT_COLUMN}",
            )
            frame.write.format("parquet").saveAsTable(staging)
            staged.append((staging, f"{raw_schema}.{raw.table.name}"))
        for staging, target in staged:
            session.sql(f"drop table if exists {target}")
            session.sql(f"alter table {staging} rename to {target}")
    finally:
        for staging, _ in staged:
            session.sql(f"drop table if exists {staging}")


def load_shop(
    data_dir: Path, database: Path, raw_schema: str = "raw"
) -> dict[str, int]:
    """Validate every file of `data_dir`, then load them; returns rows per table."""
    raw_tables = read_shop(data_dir)
    write_duckdb(raw_tables, database, raw_schema)
    return {raw.table.name: raw.rows for raw in raw_tables}


def load_shop_spark(
    data_dir: Path, spark_dir: Path, raw_schema: str = "raw"
) -> dict[str, int]:
    """Validate every file of `data_dir`, then load them into local Spark."""
    from crm_marts import spark

    raw_tables = read_shop(data_dir)
    write_spark(raw_tables, spark.get_session(spark_dir), raw_schema)
    return {raw.table.name: raw.rows for raw in raw_tables}
