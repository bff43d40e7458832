"""Render the README's vars table from dbt_project.yml, where each var's comment
says what it means, and its data contract tables from src/crm_marts/contract.py.
`python scripts/readme_vars.py --write` updates README.md between its markers; a
test fails when they drift apart.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
START, END = "<!-- vars:start -->", "<!-- vars:end -->"
CONTRACT_START, CONTRACT_END = "<!-- contract:start -->", "<!-- contract:end -->"
VAR_LINE = re.compile(r"^  (\w+):\s*(.*)$")
SECTION_LINE = re.compile(r"^  # ---+ (.*?) -*$")


def render_vars_table(project_text: str) -> str:
    """Markdown table of every var: name, default, and its comment."""
    lines = project_text.split("\n")
    start = lines.index("vars:") + 1
    rows, comment, shared_comment, section = [], [], [], ""
    for line in lines[start:]:
        if line and not line.startswith(" "):
            break
        section_match = SECTION_LINE.match(line)
        if section_match:
            section = re.sub(r"\s*\(area: .*?\)", "", section_match.group(1))
            section, comment = section.strip(" -"), []
        elif line.strip().startswith("#"):
            text = line.strip().lstrip("#").strip()
            if not text.startswith("---"):
                comment.append(text)
        elif VAR_LINE.match(line):
            name, default = VAR_LINE.match(line).groups()
            # A comment above a group of vars describes each var of the group.
            shared_comment = comment or shared_comment
            meaning = " ".join(shared_comment).replace("|", "\\|")
            rows.append(f"| {name} | `{default}` | {meaning} | {section} |")
            comment = []
    header = "| var | default | meaning | area |\n|---|---|---|---|"
    return header + "\n" + "\n".join(rows)


def readme_with_table(
    readme: str, table: str, start: str = START, end: str = END
) -> str:
    before, rest = readme.split(start, 1)
    _, after = rest.split(end, 1)
    return f"{before}{start}\n{table}\n{end}{after}"


def readme_with_contract(readme: str) -> str:
    from crm_marts.contract import render_markdown

    return readme_with_table(readme, render_markdown(), CONTRACT_START, CONTRACT_END)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="update README.md")
    args = parser.parse_args()
    table = render_vars_table((ROOT / "dbt_project.yml").read_text())
    if args.write:
        readme = ROOT / "README.md"
        readme.write_text(
            readme_with_contract(readme_with_table(readme.read_text(), table))
        )
    else:
        print(table)


if __name__ == "__main__":
    main()
