"""The short report `crm-marts run` prints after a build and export.

It reads the exported Parquet files, not the warehouse, so it shows exactly what
a BI tool or a marketer will get.
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


def _query(sql: str) -> list[tuple]:
    import duckdb

    con = duckdb.connect()
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def _print_breakdown(path: Path, column: str, title: str) -> None:
    rows = _query(
        f"select coalesce(cast({column} as varchar), '(no purchase)'), count(*) "
        f"from read_parquet('{path}') group by all order by 2 desc, 1"
    )
    total = sum(count for _, count in rows) or 1
    click.echo(f"\n{title}:")
    for value, count in rows:
        click.echo(f"  {value:<20} {count:>9,}  {count / total:6.1%}")


def print_summary(database: Path, exported: list[Any]) -> None:
    """Rows per mart, where the files are, and the headline segments."""
    files = {mart.name: mart.path for mart in exported}
    click.echo("")
    click.echo(f"warehouse: {database}")
    width = max((len(mart.name) for mart in exported), default=10)
    for mart in exported:
        click.echo(f"  {mart.name:<{width}}  {mart.rows:>10,} rows  {mart.path}")
    if not all(str(path).endswith(".parquet") for path in files.values()):
        return
    if "repurchase_cycle" in files:
        click.echo("\nrepurchase cycle (days since last purchase; active <= ...):")
        for category, method, active, silent, sleeping, customers in _query(
            "select category, cycle_method, active_max_days, silent_max_days, "
            "sleeping_max_days, repeat_customers_count "
            f"from read_parquet('{files['repurchase_cycle']}') "
            "order by category = 'all' desc, category"
        ):
            click.echo(
                f"  {category:<16} active <= {active:>4}  silent <= {silent:>4}  "
                f"sleeping <= {sleeping:>4}  ({method}, {customers:,} repeat buyers)"
            )
    for mart, column, title in BREAKDOWNS:
        if mart in files:
            _print_breakdown(files[mart], column, title)
    if "vip_summary" in files:
        (row,) = _query(f"select * from read_parquet('{files['vip_summary']}')")
        names = _query(
            f"select name from parquet_schema('{files['vip_summary']}') "
            "where name <> 'duckdb_schema'"
        )
        vip = dict(zip([name for (name,) in names], row, strict=False))
        click.echo(
            f"\nVIP: {vip['vip_customers_count']:,} of "
            f"{vip['purchasers_count']:,} purchasers "
            f"({vip['vip_customer_share']:.1%}) bring "
            f"{vip['vip_revenue_share']:.1%} of revenue "
            f"(target {vip['vip_revenue_share_target']:.0%})."
        )
