"""Export every public mart to one Parquet or CSV file, plus a small manifest.

Each file is written under a temporary name in the output folder and renamed into
place, so a reader never sees half a file. Rows are sorted by every column, so the
same build always exports byte-identical files.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from crm_marts import paths
from crm_marts.errors import InputError

MARTS_SCHEMA = "marts"
MANIFEST_NAME = "manifest.json"
FORMATS = ("parquet", "csv")


@dataclass(frozen=True)
class ExportedMart:
    name: str
    path: Path
    rows: int
    columns: list[dict[str, str]]


def connect_for_reading(database: Path) -> Any:
    """Open the warehouse to read marts from it.

    Read-only when nothing else in this process holds the file; after a build in
    the same process (`crm-marts run`), dbt-duckdb still holds it read-write and
    DuckDB refuses a second configuration, so share that one instead: read-write
    with the spill directory the profile opened it with (config_options).
    """
    import duckdb

    from crm_marts.load import duckdb_open_config

    if not database.is_file():
        raise InputError(
            f"{database}: no warehouse yet. Run `crm-marts load DIR` and "
            "`crm-marts build` first."
        )
    try:
        return duckdb.connect(str(database), read_only=True)
    except duckdb.ConnectionException:
        return duckdb.connect(str(database), config=duckdb_open_config(database))


def list_marts(con: Any) -> list[str]:
    rows = con.execute(
        "select table_name from information_schema.tables "
        "where table_schema = ? and table_type = 'BASE TABLE' order by table_name",
        [MARTS_SCHEMA],
    ).fetchall()
    return [name for (name,) in rows]


def _columns(con: Any, mart: str) -> list[dict[str, str]]:
    rows = con.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_schema = ? and table_name = ? order by ordinal_position",
        [MARTS_SCHEMA, mart],
    ).fetchall()
    return [{"name": name, "type": data_type} for name, data_type in rows]


def _write_atomically(con: Any, query: str, target: Path, file_format: str) -> None:
    temporary = target.with_name(f".{target.name}.tmp")
    options = (
        "format parquet, compression zstd, row_group_size 1000000"
        if file_format == "parquet"
        else "format csv, header true"
    )
    try:
        con.execute(f"copy ({query}) to '{temporary}' ({options})")
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)


def export_marts(
    database: Path, out_dir: Path, file_format: str = "parquet"
) -> list[ExportedMart]:
    """Write every table of the marts schema to out_dir; returns what was written."""
    if file_format not in FORMATS:
        raise InputError(
            f"unknown export format {file_format!r}; use {' or '.join(FORMATS)}."
        )
    out_dir.mkdir(parents=True, exist_ok=True)
    con = connect_for_reading(database)
    try:
        # One thread keeps the writers' row order, hence the bytes, reproducible.
        con.execute("set threads = 1")
        con.execute("set preserve_insertion_order = true")
        marts = list_marts(con)
        if not marts:
            raise InputError(
                f"{database}: no marts to export. Run `crm-marts build` first."
            )
        exported = []
        for mart in marts:
            target = out_dir / f"{mart}.{file_format}"
            query = f"select * from {MARTS_SCHEMA}.{mart} order by all"
            _write_atomically(con, query, target, file_format)
            (rows,) = con.execute(
                f"select count(*) from {MARTS_SCHEMA}.{mart}"
            ).fetchone()
            exported.append(ExportedMart(mart, target, rows, _columns(con, mart)))
        as_of_date = con.execute(
            "select cast(as_of_date as varchar) "
            "from intermediate.int_as_of_date_resolved"
        ).fetchone()[0]
    finally:
        con.close()
    _write_manifest(database, out_dir, exported, file_format, as_of_date)
    return exported


def _write_manifest(
    database: Path,
    out_dir: Path,
    exported: list[ExportedMart],
    file_format: str,
    as_of_date: str,
) -> None:
    build_info_file = paths.build_info_path(database)
    build_info = (
        json.loads(build_info_file.read_text()) if build_info_file.is_file() else {}
    )
    manifest = {
        "as_of_date": as_of_date,
        "built_at": build_info.get("built_at"),
        "format": file_format,
        "marts": [
            {
                "mart": mart.name,
                "file": mart.path.name,
                "rows": mart.rows,
                "columns": mart.columns,
            }
            for mart in exported
        ],
    }
    target = out_dir / MANIFEST_NAME
    temporary = target.with_name(f".{target.name}.tmp")
    temporary.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    os.replace(temporary, target)
