"""The README documents every contract column and every dbt var."""

from __future__ import annotations

from pathlib import Path

import yaml

from crm_marts.contract import TABLES

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()


def test_readme_lists_every_contract_column() -> None:
    for table in TABLES:
        section = README.split(f"**{table.name}**", 1)[1].split("\n\n**", 1)[0]
        for column in table.columns:
            assert f"| {column.name} |" in section, (table.name, column.name)


def test_readme_documents_every_var() -> None:
    project = yaml.safe_load((ROOT / "dbt_project.yml").read_text())
    missing = [name for name in project["vars"] if f"| {name} |" not in README]
    assert not missing, f"vars missing from the README's vars table: {missing}"
