"""The short report `crm-marts run` prints after a build and export."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click


def print_summary(database: Path, exported: list[Any]) -> None:
    """Rows per mart and where the files are."""
    click.echo("")
    click.echo(f"warehouse: {database}")
    width = max((len(mart.name) for mart in exported), default=10)
    for mart in exported:
        click.echo(f"  {mart.name:<{width}}  {mart.rows:>10,} rows  {mart.path}")
