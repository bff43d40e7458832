"""Load a shop's raw files into the warehouse, after checking them against the contract.

DuckDB reads the CSV and Parquet files itself, streaming, so memory stays within
its memory_limit (spilling to temp_directory) whatever the size of the files.
First every file's header is checked (required files and columns, duplicates,
ambiguous formats), before anything is written; then the raw tables are replaced
in one transaction, so a reader sees either the previous load or the new one,
never a mix, and a file that turns out unreadable halfway (a ragged row, bad
UTF-8) rolls the whole load back. Values stay text: parsing, defaults and
rejecting unusable rows happen in the dbt staging layer, which keeps every row
with a reason.

Every raw table holds every contract column (a column the file leaves out is
null) plus `_source_file`, `_source_row_number` (the data row, 1 = the first row
after the header) and `_loaded_at`. The table `load_manifest` records which files
and columns the shop actually had, so that staging applies the contract's
defaults for what was left out (and an empty value keeps its own meaning).

The Spark target gets the very same rows: DuckDB reads and checks the files the
same way and writes them as Parquet to a scratch folder, which Spark then saves
as its raw tables (write_spark).
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from crm_marts.contract import FILE_FORMATS, TABLES, Table
from crm_marts.errors import InputError

SOURCE_FILE_COLUMN = "_source_file"
SOURCE_ROW_COLUMN = "_source_row_number"
LOADED_AT_COLUMN = "_loaded_at"
MANIFEST_TABLE = "load_manifest"
# Spark tables are written under this prefix first, then renamed into place.
STAGING_PREFIX = "_incoming_"

# DuckDB setting -> (environment variable, default). profiles/profiles.yml reads
# the same variables with the same defaults (a test keeps them equal), so the
# loader and dbt run within the same memory and spill to the same place.
# temp_directory defaults to DuckDB's own choice, the database file + ".tmp".
MEMORY_LIMIT_ENV = "CRM_MARTS_MEMORY_LIMIT"
TEMP_DIRECTORY_ENV = "CRM_MARTS_TEMP_DIRECTORY"
MAX_TEMP_SIZE_ENV = "CRM_MARTS_MAX_TEMP_DIRECTORY_SIZE"
DUCKDB_THREADS_ENV = "CRM_MARTS_DUCKDB_THREADS"
DEFAULT_MEMORY_LIMIT = "80%"
DEFAULT_MAX_TEMP_SIZE = "90% of available disk space"

# Reports progress: (table, file name or None, rows, seconds).
ProgressCallback = Callable[[str, str | None, int, float], None]


@dataclass(frozen=True)
class ShopFile:
    """One contract table as found in the shop folder (path None: no file)."""

    table: Table
    path: Path | None
    # Names in the file's header, in file order.
    header: tuple[str, ...] = ()
    # A CSV file that DuckDB's strict reader refused but a strict CSV reader
    # accepts row by row (a mix of line endings, as when rows were appended by
    # another tool): read with DuckDB's strict mode off, and the rows counted.
    lenient: bool = False
    expected_rows: int | None = None

    @property
    def columns(self) -> tuple[str, ...]:
        """The contract columns the file has."""
        return tuple(c for c in self.table.column_names if c in self.header)

    @property
    def ignored_columns(self) -> tuple[str, ...]:
        return tuple(
            name or f"(unnamed column {position})"
            for position, name in enumerate(self.header, start=1)
            if name not in self.table.column_names
        )


@dataclass(frozen=True)
class LoadResult:
    rows: dict[str, int]
    # The contract's defaults this load relies on, one line each.
    defaults: list[str]
    # Columns of the files that are not in the contract (not loaded).
    ignored: list[str]


def duckdb_settings(database: Path | None) -> dict[str, str]:
    """DuckDB settings of the loader, as profiles/profiles.yml gives them to dbt."""
    settings = {
        "memory_limit": os.environ.get(MEMORY_LIMIT_ENV, DEFAULT_MEMORY_LIMIT),
        "max_temp_directory_size": os.environ.get(
            MAX_TEMP_SIZE_ENV, DEFAULT_MAX_TEMP_SIZE
        ),
    }
    temp_directory = os.environ.get(TEMP_DIRECTORY_ENV)
    if temp_directory is None and database is not None:
        temp_directory = f"{database}.tmp"
    if temp_directory:
        settings["temp_directory"] = temp_directory
    threads = os.environ.get(DUCKDB_THREADS_ENV)
    if threads:
        settings["threads"] = threads
    return settings


def duckdb_open_config(database: Path) -> dict[str, str]:
    """The settings profiles/profiles.yml gives DuckDB when dbt-duckdb opens the
    warehouse (config_options): a second connection to the file in the same
    process must open it with the same ones."""
    return {"temp_directory": duckdb_settings(database)["temp_directory"]}


def _connect(database: Path | None, temp_directory: Path | None = None) -> Any:
    """A DuckDB connection with the project's settings (in memory when None)."""
    import duckdb

    con = duckdb.connect(":memory:" if database is None else str(database))
    settings = duckdb_settings(database)
    if temp_directory is not None and TEMP_DIRECTORY_ENV not in os.environ:
        settings["temp_directory"] = str(temp_directory)
    try:
        for name, value in settings.items():
            con.execute(f"set {name} = '{_escape(value)}'")
        con.execute("set enable_progress_bar = false")
        # Row numbers come from the order the reader returns rows in.
        con.execute("set preserve_insertion_order = true")
    except duckdb.Error as exc:
        con.close()
        raise InputError(
            f"DuckDB refused a setting ({exc}); check {MEMORY_LIMIT_ENV}, "
            f"{TEMP_DIRECTORY_ENV}, {MAX_TEMP_SIZE_ENV} and {DUCKDB_THREADS_ENV}."
        ) from exc
    return con


# --- finding and checking the files ------------------------------------------


def find_file(data_dir: Path, table: Table) -> Path | None:
    """The one file holding `table` in `data_dir` (csv or parquet), None if none."""
    found = [
        data_dir / f"{table.name}.{ext}"
        for ext in FILE_FORMATS
        if (data_dir / f"{table.name}.{ext}").is_file()
    ]
    if len(found) > 1:
        names = ", ".join(p.name for p in found)
        raise InputError(
            f"{data_dir}: both {names} exist for table {table.name}. "
            "Keep one of them so the load is unambiguous."
        )
    if not found and table.required:
        expected = " or ".join(f"{table.name}.{ext}" for ext in FILE_FORMATS)
        raise InputError(
            f"{data_dir}: missing file {expected} ({table.description}). "
            f"Add it; see the README's data contract for its columns."
        )
    return found[0] if found else None


def _check_columns(path: Path, table: Table, columns: list[str]) -> None:
    missing = [c for c in table.required_columns if c not in columns]
    if missing:
        raise InputError(
            f"{path}: missing column(s) {', '.join(missing)} "
            f"(found: {', '.join(columns) or 'none'}). "
            "Rename or add them to match the data contract in the README."
        )
    duplicated = sorted({c for c in columns if c and columns.count(c) > 1})
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


def _read_parquet_header(path: Path) -> list[str]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        return list(pq.read_schema(path).names)
    except (pa.ArrowInvalid, OSError) as exc:
        raise InputError(
            f"{path}: not a readable Parquet file ({exc}). Re-export it."
        ) from exc


def inspect_file(data_dir: Path, table: Table) -> ShopFile:
    """Find one table's file and check its header against the contract."""
    path = find_file(data_dir, table)
    if path is None:
        return ShopFile(table, None)
    header = (
        _read_csv_header(path) if path.suffix == ".csv" else _read_parquet_header(path)
    )
    _check_columns(path, table, header)
    return ShopFile(table, path, tuple(header))


def inspect_shop(data_dir: Path, append: bool = False) -> list[ShopFile]:
    """Check every file's header and how the files fit together; raise InputError
    on the first fault, before anything is read or written.

    append: the files add rows to a shop already loaded, so none is required
    (a day of new orders may come without new products) and only the files
    found are returned; the columns are checked against the loaded ones by the
    writer."""
    if not data_dir.is_dir():
        raise InputError(
            f"{data_dir}: no such directory. Point `crm-marts load` at the folder "
            "holding the shop's files (at least orders; see the data contract)."
        )
    tables = (
        (dataclasses.replace(t, required=False) for t in TABLES) if append else TABLES
    )
    files = {table.name: inspect_file(data_dir, table) for table in tables}
    if append:
        found = [f for f in files.values() if f.path is not None]
        if not found:
            raise InputError(
                f"{data_dir}: no shop file to append (orders, order_items, "
                "customers or products as .csv or .parquet)."
            )
        return found
    items = files["order_items"]
    if items.path is not None:
        if files["products"].path is None:
            raise InputError(
                f"{items.path}: order lines need their products: add "
                "products.csv (or .parquet), or leave order_items out to load "
                "orders alone."
            )
        if "order_id" not in files["orders"].columns:
            raise InputError(
                f"{items.path}: order lines need orders.order_id to belong to an "
                f"order, and {files['orders'].path} has no order_id column."
            )
    return list(files.values())


def applied_defaults(files: list[ShopFile]) -> list[str]:
    """One line per contract default the load relies on (files or columns left out)."""
    lines = []
    for shop_file in files:
        table = shop_file.table
        if shop_file.path is None:
            lines.append(f"{table.name}: no file: {table.when_absent}")
            continue
        for column in table.columns:
            if column.name not in shop_file.columns:
                lines.append(
                    f"{table.name}.{column.name} missing: {column.when_absent}"
                )
    return lines


# --- reading -----------------------------------------------------------------


def _escape(text: str) -> str:
    return text.replace("'", "''")


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _csv_scan(path: Path, header: tuple[str, ...], strict: bool) -> str:
    # Every option set, nothing sniffed: comma, double quotes, a header line, all
    # text, and strict mode so a row with too many or too few fields is an error.
    # Unnamed header fields get a placeholder name (their values are not loaded).
    names = [name or f"_unnamed_{i}" for i, name in enumerate(header, start=1)]
    columns = ", ".join(f"'{_escape(name)}': 'VARCHAR'" for name in names)
    return (
        f"read_csv('{_escape(str(path))}', columns = {{{columns}}}, header = true, "
        "auto_detect = false, delim = ',', quote = '\"', escape = '\"', "
        f"strict_mode = {str(strict).lower()}, null_padding = false, "
        "encoding = 'utf-8')"
    )


def select_sql(shop_file: ShopFile) -> str:
    """The query giving one raw table: every contract column as text, then the
    source file and data row number."""
    table = shop_file.table
    present = set(shop_file.columns)
    values = [
        f"cast({_quote(name)} as varchar) as {_quote(name)}"
        if name in present
        else f"cast(null as varchar) as {_quote(name)}"
        for name in table.column_names
    ]
    path = shop_file.path
    if path is None:
        values += [
            f"cast(null as varchar) as {SOURCE_FILE_COLUMN}",
            f"cast(null as bigint) as {SOURCE_ROW_COLUMN}",
        ]
        return f"select {', '.join(values)} where false"
    values.append(f"'{_escape(path.name)}' as {SOURCE_FILE_COLUMN}")
    if path.suffix == ".csv":
        # The CSV reader returns rows in file order, and row_number() over ()
        # keeps it (DuckDB's documented order preservation).
        values.append(f"row_number() over () as {SOURCE_ROW_COLUMN}")
        source = _csv_scan(path, shop_file.header, strict=not shop_file.lenient)
    else:
        values.append(f"file_row_number + 1 as {SOURCE_ROW_COLUMN}")
        source = f"read_parquet('{_escape(str(path))}', file_row_number = true)"
    return f"select {', '.join(values)} from {source}"


def _decoded_lines(handle: IO[bytes], problem: list[str]) -> Iterator[str]:
    for number, raw_line in enumerate(handle, start=1):
        try:
            yield raw_line.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError:
            problem.append(f"line {number} (data row {number - 1}) is not valid UTF-8")
            return


def scan_csv(path: Path, width: int) -> tuple[str | None, int]:
    """Read a CSV file with Python's strict CSV reader: the first problem (None
    if there is none) and the number of data rows (blank lines skipped).

    Streams the file (memory stays flat) and stops at the first problem."""
    problem: list[str] = []
    rows = 0
    with path.open("rb") as handle:
        reader = csv.reader(_decoded_lines(handle, problem), strict=True)
        try:
            next(reader, None)
            for row in reader:
                if not row:
                    continue
                if len(row) != width:
                    return (
                        f"line {reader.line_num} (data row {reader.line_num - 1}) "
                        f"has {len(row)} fields, the header has {width}"
                    ), rows
                rows += 1
        except csv.Error as exc:
            return f"line {reader.line_num}: {exc}", rows
    return (problem[0] if problem else None), rows


class _RetryLeniently(Exception):
    """Read this CSV file again with DuckDB's strict mode off (it passed the
    Python check)."""

    def __init__(self, shop_file: ShopFile) -> None:
        super().__init__(shop_file.path)
        self.shop_file = shop_file


def _after_failed_read(shop_file: ShopFile, exc: Exception) -> _RetryLeniently:
    """What to do when DuckDB could not read a file: a lenient retry for a CSV
    file that is fine row by row; raises InputError naming the problem else."""
    import duckdb

    path = shop_file.path
    if (
        path is not None
        and path.suffix == ".csv"
        and not shop_file.lenient
        and not isinstance(exc, duckdb.OutOfMemoryException)
    ):
        problem, rows = scan_csv(path, len(shop_file.header))
        if problem is None:
            return _RetryLeniently(
                dataclasses.replace(shop_file, lenient=True, expected_rows=rows)
            )
    raise _read_error(shop_file, exc) from exc


def _check_row_count(shop_file: ShopFile, rows: int) -> None:
    if shop_file.expected_rows is not None and rows != shop_file.expected_rows:
        raise InputError(
            f"{shop_file.path}: DuckDB read {rows:,} rows and a strict CSV reader "
            f"{shop_file.expected_rows:,}; the file is not plain CSV. Save it again "
            "as UTF-8 CSV with one kind of line ending."
        )


def _read_error(shop_file: ShopFile, exc: Exception) -> InputError:
    import duckdb

    path = shop_file.path
    # DuckDB's first line says what went wrong; the rest lists its options.
    detail = str(exc).strip().splitlines()[0]
    if isinstance(exc, duckdb.OutOfMemoryException):
        return InputError(
            f"{path}: DuckDB ran out of memory while loading it ({detail}). Raise "
            f"{MEMORY_LIMIT_ENV} (now {duckdb_settings(None)['memory_limit']}; the "
            "CSV reader needs some 100 MB per thread) or lower "
            f"{DUCKDB_THREADS_ENV}, and check that {TEMP_DIRECTORY_ENV} has room."
        )
    if path is not None and path.suffix == ".csv":
        problem, _ = scan_csv(path, len(shop_file.header))
        problem = problem or "the file could not be parsed"
        return InputError(
            f"{path}: unreadable: {problem}. Fix that row (quote fields that "
            f"contain commas, save as UTF-8) and load again. ({detail})"
        )
    return InputError(f"{path}: not a readable Parquet file ({detail}). Re-export it.")


def _manifest_rows(files: list[ShopFile]) -> list[tuple[str, str, str | None, bool]]:
    return [
        (
            shop_file.table.name,
            column,
            None if shop_file.path is None else shop_file.path.name,
            column in shop_file.columns,
        )
        for shop_file in files
        for column in shop_file.table.column_names
    ]


def _write_manifest(con: Any, relation: str, files: list[ShopFile]) -> None:
    con.execute(
        f"create or replace table {relation} (table_name varchar, "
        "column_name varchar, source_file varchar, is_column_present boolean)"
    )
    con.executemany(
        f"insert into {relation} values (?, ?, ?, ?)", _manifest_rows(files)
    )


def _loaded_at() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


def _append_loaded_at(con: Any, raw_schema: str, files: list[ShopFile]) -> dt.datetime:
    """Check that the appended files fit the loaded tables; the appended rows'
    _loaded_at, later than every row loaded so far.

    _loaded_at tells the loads apart: the incremental staging models parse the
    rows loaded after the ones they hold, and of two rows with the same key the
    earlier load's is kept (then the earlier data row), as within one file. A
    file must have the columns the first load's had: staging applies the data
    contract's defaults per table, not per file."""
    manifest = f"{raw_schema}.{MANIFEST_TABLE}"
    latest = None
    for shop_file in files:
        table = shop_file.table.name
        loaded = con.execute(
            f"select column_name, is_column_present, source_file from {manifest} "
            "where table_name = ?",
            [table],
        ).fetchall()
        if not loaded or all(source is None for _, _, source in loaded):
            raise InputError(
                f"{shop_file.path}: the loaded shop has no {table} file, so there "
                f"is nothing to append {table} rows to. Load the whole shop again "
                "with the file (`crm-marts load DIR`, without --append)."
            )
        present = {column for column, is_present, _ in loaded if is_present}
        if present != set(shop_file.columns):
            missing = sorted(present - set(shop_file.columns))
            extra = sorted(set(shop_file.columns) - present)
            differences = "; ".join(
                part
                for part in (
                    f"missing {', '.join(missing)}" if missing else "",
                    f"new {', '.join(extra)}" if extra else "",
                )
                if part
            )
            raise InputError(
                f"{shop_file.path}: its columns differ from the loaded {table} "
                f"file's ({differences}). Append files with the same columns, or "
                "load the whole shop again (`crm-marts load DIR`)."
            )
        (table_latest,) = con.execute(
            f"select max({LOADED_AT_COLUMN}) from {raw_schema}.{table}"
        ).fetchone()
        if table_latest is not None and (latest is None or table_latest > latest):
            latest = table_latest
    now = _loaded_at()
    if latest is not None and now <= latest:
        return latest + dt.timedelta(seconds=1)
    return now


def write_duckdb(
    files: list[ShopFile],
    database: Path,
    raw_schema: str,
    progress: ProgressCallback | None = None,
    append: bool = False,
) -> dict[str, int]:
    """Replace the raw tables in the DuckDB file in a single transaction, or
    with append, add the files' rows to them (a later load: see append_check).

    A CSV file that needs a lenient read aborts the transaction; the load then
    starts again with that file read leniently."""
    while True:
        try:
            return _write_duckdb_once(files, database, raw_schema, progress, append)
        except _RetryLeniently as retry:
            files = [
                retry.shop_file if f.table == retry.shop_file.table else f
                for f in files
            ]


def _write_duckdb_once(
    files: list[ShopFile],
    database: Path,
    raw_schema: str,
    progress: ProgressCallback | None,
    append: bool = False,
) -> dict[str, int]:
    import duckdb

    existed = database.exists()
    if append and not existed:
        raise InputError(
            f"{database}: no shop loaded yet, so nothing to append to. Run "
            "`crm-marts load DIR` with the whole history first."
        )
    database.parent.mkdir(parents=True, exist_ok=True)
    rows: dict[str, int] = {}
    con = _connect(database)
    try:
        con.execute("begin transaction")
        con.execute(f"create schema if not exists {raw_schema}")
        if append:
            loaded_at = _append_loaded_at(con, raw_schema, files)
        else:
            loaded_at = _loaded_at()
        for shop_file in files:
            started = time.perf_counter()
            relation = f"{raw_schema}.{shop_file.table.name}"
            rows_sql = (
                f"select *, cast(? as timestamp) as {LOADED_AT_COLUMN} "
                f"from ({select_sql(shop_file)})"
            )
            try:
                if append:
                    con.execute(
                        f"insert into {relation} by name {rows_sql}", [loaded_at]
                    )
                else:
                    con.execute(
                        f"create or replace table {relation} as {rows_sql}", [loaded_at]
                    )
            except duckdb.Error as exc:
                raise _after_failed_read(shop_file, exc) from exc
            (count,) = con.execute(
                f"select count(*) from {relation} where {LOADED_AT_COLUMN} = ?",
                [loaded_at],
            ).fetchone()
            _check_row_count(shop_file, count)
            rows[shop_file.table.name] = count
            if progress is not None:
                name = None if shop_file.path is None else shop_file.path.name
                progress(
                    shop_file.table.name, name, count, time.perf_counter() - started
                )
        manifest = f"{raw_schema}.{MANIFEST_TABLE}"
        if append:
            con.executemany(
                f"insert into {manifest} values (?, ?, ?, ?)", _manifest_rows(files)
            )
        else:
            _write_manifest(con, manifest, files)
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        con.close()
        if not existed:
            for leftover in (database, database.with_name(database.name + ".wal")):
                leftover.unlink(missing_ok=True)
        raise
    con.close()
    return rows


def write_spark(
    files: list[ShopFile],
    session: Any,
    raw_schema: str,
    scratch: Path,
    progress: ProgressCallback | None = None,
) -> dict[str, int]:
    """Replace the raw tables in Spark's catalogue with the rows DuckDB reads.

    DuckDB reads and checks each file as for the DuckDB target and writes it as
    Parquet under `scratch`; Spark saves that as the table. Plain Spark tables
    have no multi-table transaction: every table is first written in full under a
    staging name, and only when all are written are the staging tables swapped in
    by drop and rename (catalogue operations, no data is rewritten). A load that
    fails while reading or writing leaves the previous raw tables in place; only
    the short swap at the end is not atomic.
    """
    import duckdb

    loaded_at = _loaded_at().isoformat(sep=" ")
    if scratch.exists():
        shutil.rmtree(scratch)
    scratch.mkdir(parents=True)
    rows: dict[str, int] = {}
    staged: list[tuple[str, str]] = []
    con = _connect(None, temp_directory=scratch / "duckdb_tmp")
    try:
        session.sql(f"create database if not exists {raw_schema}")
        for shop_file in files:
            started = time.perf_counter()
            name = shop_file.table.name
            parquet = scratch / f"{name}.parquet"
            try:
                _copy_to_parquet(con, shop_file, parquet)
            except duckdb.Error as exc:
                shop_file = _after_failed_read(shop_file, exc).shop_file
                _copy_to_parquet(con, shop_file, parquet)
            (count,) = con.execute(
                f"select count(*) from read_parquet('{_escape(str(parquet))}')"
            ).fetchone()
            _check_row_count(shop_file, count)
            rows[name] = count
            staging = f"{raw_schema}.{STAGING_PREFIX}{name}"
            session.sql(f"drop table if exists {staging}")
            frame = session.read.parquet(str(parquet)).selectExpr(
                *[_quote_spark(c) for c in shop_file.table.column_names],
                SOURCE_FILE_COLUMN,
                SOURCE_ROW_COLUMN,
                f"cast('{loaded_at}' as timestamp) as {LOADED_AT_COLUMN}",
            )
            frame.write.format("parquet").saveAsTable(staging)
            staged.append((staging, f"{raw_schema}.{name}"))
            if progress is not None:
                file_name = None if shop_file.path is None else shop_file.path.name
                progress(name, file_name, count, time.perf_counter() - started)
        staging = f"{raw_schema}.{STAGING_PREFIX}{MANIFEST_TABLE}"
        session.sql(f"drop table if exists {staging}")
        session.createDataFrame(
            _manifest_rows(files),
            "table_name string, column_name string, source_file string, "
            "is_column_present boolean",
        ).write.format("parquet").saveAsTable(staging)
        staged.append((staging, f"{raw_schema}.{MANIFEST_TABLE}"))
        for staging, target in staged:
            session.sql(f"drop table if exists {target}")
            session.sql(f"alter table {staging} rename to {target}")
        staged = []
    finally:
        con.close()
        for staging, _ in staged:
            session.sql(f"drop table if exists {staging}")
        shutil.rmtree(scratch, ignore_errors=True)
    return rows


def _copy_to_parquet(con: Any, shop_file: ShopFile, parquet: Path) -> None:
    import duckdb

    try:
        con.execute(
            f"copy ({select_sql(shop_file)}) to '{_escape(str(parquet))}' "
            "(format parquet)"
        )
    except duckdb.Error as exc:
        if not shop_file.lenient:
            raise
        raise _read_error(shop_file, exc) from exc


def _quote_spark(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


def _result(files: list[ShopFile], rows: dict[str, int]) -> LoadResult:
    ignored = [
        f"{shop_file.path}: {column}"
        for shop_file in files
        if shop_file.path is not None
        for column in shop_file.ignored_columns
    ]
    return LoadResult(rows, applied_defaults(files), ignored)


def load_shop(
    data_dir: Path,
    database: Path,
    raw_schema: str = "raw",
    progress: ProgressCallback | None = None,
    append: bool = False,
) -> LoadResult:
    """Check every file of `data_dir`, then load them into the DuckDB file (with
    append: add their rows to the shop loaded there)."""
    files = inspect_shop(data_dir, append=append)
    rows = write_duckdb(files, database, raw_schema, progress, append=append)
    result = _result(files, rows)
    # The defaults were reported by the load that first brought the tables.
    return dataclasses.replace(result, defaults=[]) if append else result


def load_shop_spark(
    data_dir: Path,
    spark_dir: Path,
    raw_schema: str = "raw",
    progress: ProgressCallback | None = None,
    append: bool = False,
) -> LoadResult:
    """Check every file of `data_dir`, then load them into local Spark."""
    if append:
        raise InputError(
            f"{data_dir}: --append loads into the DuckDB warehouse only so far; "
            "for local Spark load the whole shop (`crm-marts load DIR --target "
            "spark`). The incremental staging models themselves run on Spark."
        )
    from crm_marts import spark

    files = inspect_shop(data_dir)
    session = spark.get_session(spark_dir)
    scratch = Path(tempfile.mkdtemp(prefix="load-", dir=spark_dir))
    rows = write_spark(files, session, raw_schema, scratch, progress)
    return _result(files, rows)
