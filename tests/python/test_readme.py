"""The README documents every contract column and every dbt var."""

from __future__ import annotations

import sys
from pathlib import Path

from crm_marts.contract import TABLES

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()
sys.path.insert(0, str(ROOT / "scripts"))

from readme_vars import (  # noqa: E402
    readme_with_contract,
    readme_with_table,
    render_vars_table,
)


def test_readme_lists_every_contract_column() -> None:
    for table in TABLES:
        section = README.split(f"**{table.name}**", 1)[1].split("\n\n**", 1)[0]
        for column in table.columns:
            assert f"| {column.name} |" in section, (table.name, column.name)


def test_readme_contract_tables_match_the_contract() -> None:
    assert readme_with_contract(README) == README, (
        "README contract tables are stale: run python scripts/readme_vars.py --write"
    )


def test_readme_vars_table_matches_dbt_project() -> None:
    table = render_vars_table((ROOT / "dbt_project.yml").read_text())
    assert readme_with_table(README, table) == README, (
        "README vars table is stale: run python scripts/readme_vars.py --write"
    )


def test_every_var_has_a_meaning() -> None:
    table = render_vars_table((ROOT / "dbt_project.yml").read_text())
    rows = [row for row in table.splitlines()[2:]]
    assert len(rows) > 40
    assert not [row for row in rows if "|  |" in row]
