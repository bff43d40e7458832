"""The example queries in the marts' docs run on a built warehouse, one per mart."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "models" / "marts" / "_marts__examples.md"
DOC_BLOCK = re.compile(r"{% docs example_(\w+) %}(.*?){% enddocs %}", flags=re.DOTALL)
SQL_FENCE = re.compile(r"```sql\n(.*?)```", flags=re.DOTALL)


def _examples() -> dict[str, str]:
    examples = {}
    for mart, block in DOC_BLOCK.findall(EXAMPLES.read_text()):
        (query,) = SQL_FENCE.findall(block)
        examples[mart] = query
    return examples


def test_every_mart_has_an_example_in_its_description() -> None:
    marts = {path.stem for path in (ROOT / "models" / "marts").rglob("*.sql")}
    assert set(_examples()) == marts
    for mart in marts:
        (yml,) = (ROOT / "models" / "marts").rglob(f"{mart}.yml")
        assert f"{{{{ doc('example_{mart}') }}}}" in yml.read_text(), yml


@pytest.mark.parametrize("mart", sorted(_examples()))
def test_example_query_runs(mart: str, built_sample_shop: tuple[Path, Path]) -> None:
    database, _ = built_sample_shop
    con = duckdb.connect(str(database), read_only=True)
    try:
        cursor = con.execute(_examples()[mart])
        cursor.fetchall()
        columns = [column[0] for column in cursor.description]
    finally:
        con.close()
    assert columns
