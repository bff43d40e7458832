"""The short report `crm-marts run` prints after a build and export.

It reads the exported files (Parquet or CSV), not the warehouse, so it shows
exactly what a BI tool or a marketer will get.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

BREAKDOWNS = (
    ("customer_lifecycle", "recency_state", "customers per recency state"),
    ("customer_lifecycle", "lifecycle_stage", "customers per lifecycle stage"),
    ("customer_rfm", "rfm_segment", "purchasers per RFM segment"),
    ("customer_rfm", "rfm_tier", "purchasers per RFM tier"),
    ("customer_seasons", "seasonal_group", "purchasers per seasonal group"),
    ("customer_actions", "recommended_action", "customers per recommended action"),
)
# Raw tables in contract order, for the rejected rows.
SOURCE_TABLES = ("orders", "order_items", "products", "customers")


def _query(sql: str) -> list[tuple]:
    import duckdb

    con = duckdb.connect()
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def _relation(path: Path) -> str:
    """The exported file as a DuckDB table expression."""
    quoted = str(path).replace("'", "''")
    if path.suffix == ".parquet":
        return f"read_parquet('{quoted}')"
    return f"read_csv('{quoted}', header = true)"


def threshold_label(
    cycle_method: str, threshold_source: str, repeat_customers: int
) -> str:
    """Where a repurchase_cycle row's thresholds come from, in words."""
    buyers = f"{repeat_customers:,} repeat buyer{'s' if repeat_customers != 1 else ''}"
    if threshold_source == "own_distribution":
        return f"{cycle_method} of {buyers}"
    too_few = (
        f"only {buyers}" if repeat_customers else "no repeat buyers"
    ) + f", too few for {cycle_method}"
    if threshold_source == "overall_fallback":
        return f"the 'all' thresholds: {too_few}"
    if cycle_method == "fixed_days":
        return "fixed days (recency_*_days vars)"
    return f"fixed days: {too_few}"


def _print_breakdown(path: Path, column: str, title: str) -> None:
    rows = _query(
        f"select coalesce(cast({column} as varchar), '(no purchase)'), count(*) "
        f"from {_relation(path)} group by all order by 2 desc, 1"
    )
    total = sum(count for _, count in rows) or 1
    click.echo(f"\n{title}:")
    for value, count in rows:
        click.echo(f"  {value:<20} {count:>9,}  {count / total:6.1%}")


def _print_rejected_rows(path: Path) -> None:
    """Rejected rows per raw table and reason, in contract order."""
    order = " ".join(
        f"when '{table}' then {position}"
        for position, table in enumerate(SOURCE_TABLES)
    )
    rows = _query(
        "select source_table, reason_code, count(*) as rows_count "
        f"from {_relation(path)} group by source_table, reason_code "
        f"order by case source_table {order} else 99 end, source_table, "
        "rows_count desc, reason_code"
    )
    total = sum(count for *_, count in rows)
    if not total:
        click.echo("\nrejected rows: none (every raw row is used)")
        return
    click.echo(
        f"\nrejected rows: {total:,}, kept out of the marts "
        "(rejected_rows lists each one with its file row and reason):"
    )
    for table, reason_code, count in rows:
        click.echo(f"  {table:<12} {reason_code:<34} {count:>9,}")


def _print_repurchase_cycle(path: Path) -> None:
    click.echo("\nrepurchase cycle (days since last purchase; active <= ...):")
    for category, method, source, active, silent, sleeping, customers in _query(
        "select category, cycle_method, threshold_source, active_max_days, "
        "silent_max_days, sleeping_max_days, repeat_customers_count "
        f"from {_relation(path)} "
        "order by category = 'all' desc, category"
    ):
        click.echo(
            f"  {category:<16} active <= {active:>4}  silent <= {silent:>4}  "
            f"sleeping <= {sleeping:>4}  "
            f"({threshold_label(method, source, customers)})"
        )


def print_summary(database: Path, exported: list[Any]) -> None:
    """Rows per mart, where the files are, rejected rows, and the headline
    segments."""
    files = {mart.name: Path(mart.path) for mart in exported}
    click.echo("")
    click.echo(f"warehouse: {database}")
    width = max((len(mart.name) for mart in exported), default=10)
    for mart in exported:
        click.echo(f"  {mart.name:<{width}}  {mart.rows:>10,} rows  {mart.path}")
    if "rejected_rows" in files:
        _print_rejected_rows(files["rejected_rows"])
    if "repurchase_cycle" in files:
        _print_repurchase_cycle(files["repurchase_cycle"])
    for mart, column, title in BREAKDOWNS:
        if mart in files:
            _print_breakdown(files[mart], column, title)
    if "vip_summary" in files:
        rows = _query(f"select * from {_relation(files['vip_summary'])}")
        names = _query(f"describe select * from {_relation(files['vip_summary'])}")
        vip = dict(zip([name for name, *_ in names], rows[0], strict=False))
        if not vip.get("purchasers_count"):
            click.echo("\nVIP: no purchasers yet.")
        else:
            click.echo(
                f"\nVIP: {vip['vip_customers_count']:,} of "
                f"{vip['purchasers_count']:,} purchasers "
                f"({vip['vip_customer_share']:.1%}) bring "
                f"{vip['vip_revenue_share']:.1%} of revenue "
                f"(target {vip['vip_revenue_share_target']:.0%})."
            )
