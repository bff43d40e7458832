"""What a build could not use: rejected raw rows per table and reason.

Read from the rejected_rows mart after a build, so that the CLI never reports
success without saying what was lost.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from crm_marts import paths

REJECTED_ROWS_MODEL = "rejected_rows"
REJECTED_ROWS = f"marts.{REJECTED_ROWS_MODEL}"
RAW_TABLES = ("orders", "order_items", "products", "customers")


@dataclass(frozen=True)
class RejectedCount:
    source_table: str
    reason_code: str
    reason: str
    rows: int


_COUNTS_SQL = (
    "select source_table, reason_code, max(reason) as reason, count(*) as row_count "
    f"from {REJECTED_ROWS} group by source_table, reason_code "
    "order by source_table, row_count desc, reason_code"
)


def _raw_rows_sql(raw_schema: str) -> str:
    return " union all ".join(
        f"select '{table}' as source_table, count(*) as row_count "
        f"from {raw_schema}.{table}"
        for table in RAW_TABLES
    )


def read_counts(
    database: Path, raw_schema: str, target: str = paths.DEFAULT_TARGET
) -> tuple[list[RejectedCount], dict[str, int]] | None:
    """Rejected rows per table and reason, and raw rows per table; None when the
    build made no rejected_rows mart (a partial --select) or on a remote target."""
    if target == paths.DEFAULT_TARGET:
        rows, raw = _duckdb_counts(database, raw_schema)
    elif target == "spark":
        rows, raw = _spark_counts(raw_schema)
    else:
        return None
    if rows is None:
        return None
    counts = [
        RejectedCount(str(t), str(c), str(r or ""), int(n)) for t, c, r, n in rows
    ]
    return counts, {str(t): int(n) for t, n in raw}


def _duckdb_counts(database: Path, raw_schema: str) -> tuple[Any, Any]:
    import duckdb

    from crm_marts.export import connect_for_reading

    con = connect_for_reading(database)
    try:
        try:
            rows = con.execute(_COUNTS_SQL).fetchall()
        except duckdb.CatalogException:
            return None, None
        return rows, con.execute(_raw_rows_sql(raw_schema)).fetchall()
    finally:
        con.close()


def _spark_counts(raw_schema: str) -> tuple[Any, Any]:
    from crm_marts import spark

    session = spark.get_session()
    if not session.catalog.tableExists(REJECTED_ROWS):
        return None, None
    rows = [tuple(row) for row in session.sql(_COUNTS_SQL).collect()]
    raw = [tuple(row) for row in session.sql(_raw_rows_sql(raw_schema)).collect()]
    return rows, raw


def format_counts(counts: list[RejectedCount], raw_rows: dict[str, int]) -> list[str]:
    """Lines for the terminal: one per table and reason, then the totals."""
    total_raw = sum(raw_rows.values())
    if not counts:
        return [f"every raw row was usable ({total_raw:,} rows, none rejected)"]
    rejected = sum(c.rows for c in counts)
    lines = [
        f"rejected rows: {rejected:,} of {total_raw:,} raw rows could not be used "
        f"(each is in the rejected_rows mart with its file, row and reason):"
    ]
    code_width = max(len(c.reason_code) for c in counts)
    for count in counts:
        table_rows = raw_rows.get(count.source_table, 0)
        share = f"{count.rows / table_rows:.1%}" if table_rows else "-"
        lines.append(
            f"  {count.source_table:<12} {count.reason_code:<{code_width}} "
            f"{count.rows:>10,}  {share:>6} of {count.source_table}  {count.reason}"
        )
    return lines
