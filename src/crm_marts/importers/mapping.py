"""Any delimited export as contract files, through a YAML column-mapping file.

The mapping names, for each contract table it fills, where every contract column
comes from: a source column, a constant or a template, with simple transforms
(lowercase, a value map, a default, a timestamp format, decimal separators, a
division). Tables keyed by one column (orders, products, customers) get one row
per distinct key: source rows repeating an order's fields on every line collapse
into one order, and their values must agree unless a `pick` says which to keep.
order_items get one row per source row. The schema is in the README's "Bring your
own export" section; see tests/python/fixtures/cdnow/cdnow.yml for an example.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from crm_marts.contract import TABLES_BY_NAME, Table
from crm_marts.errors import InputError
from crm_marts.importers.common import (
    FALSE_TEXTS,
    TRUE_TEXTS,
    ImportResult,
    SourceFile,
    SourceRow,
    ValueProblem,
    boolean_text,
    date_text,
    money,
    parse_boolean,
    parse_decimal,
    parse_integer,
    parse_timestamp,
    read_source,
    timestamp_text,
    write_contract_tables,
    zone,
)

SOURCE_KEYS = frozenset(("delimiter", "header", "columns", "encoding", "timezone"))
ORIGIN_KEYS = ("column", "constant", "template")
TRANSFORM_KEYS = frozenset(
    ("lowercase", "values", "other", "default", "format", "pick")
    + ("decimal_separator", "thousands_separator", "divide_by")
    + ("true_values", "false_values")
)
# Columns a table cannot do without: its key.
KEY_COLUMNS: dict[str, tuple[str, ...]] = {
    "orders": ("order_id",),
    "order_items": ("order_id", "product_id"),
    "products": ("product_id",),
    "customers": ("customer_id",),
}
# Tables with one row per key: their source rows collapse.
COLLAPSED_TABLES = frozenset(("orders", "products", "customers"))
PICKS = ("same", "first", "last", "min", "max", "sum")
ROW_PLACEHOLDER = "_row"
_PLACEHOLDER = re.compile(r"\{([^{}]+)\}")

_Value = str | int | bool | Decimal | dt.date | dt.datetime


@dataclass(frozen=True)
class ColumnSpec:
    """How one contract column is filled, as read from the mapping file."""

    table: str
    column: str
    type: str
    source_column: str | None = None
    constant: str | None = None
    template: str | None = None
    lowercase: bool = False
    values: dict[str, str] | None = None
    other: str | None = None
    default: str | None = None
    formats: tuple[str, ...] = ()
    decimal_separator: str = "."
    thousands_separator: str = ""
    divide_by: str | None = None
    true_values: tuple[str, ...] = tuple(sorted(TRUE_TEXTS))
    false_values: tuple[str, ...] = tuple(sorted(FALSE_TEXTS))
    pick: str = "same"

    @property
    def key(self) -> str:
        """The mapping key, for messages: 'orders.created_at'."""
        return f"{self.table}.{self.column}"

    @property
    def source_columns(self) -> list[str]:
        """Source columns this spec reads."""
        names = [self.source_column] if self.source_column else []
        if self.template:
            names += [
                name
                for name in _PLACEHOLDER.findall(self.template)
                if name != ROW_PLACEHOLDER
            ]
        if self.divide_by:
            names.append(self.divide_by)
        return names


@dataclass(frozen=True)
class Mapping:
    path: Path
    source: dict[str, Any]
    tables: dict[str, list[ColumnSpec]] = field(default_factory=dict)


def import_mapping(
    source_file: Path, mapping_file: Path, out_dir: Path
) -> ImportResult:
    """Convert source_file with the YAML mapping_file into contract files in
    out_dir (only the tables the mapping fills)."""
    mapping = read_mapping(mapping_file)
    source = read_source(
        source_file,
        delimiter=str(mapping.source.get("delimiter", ",")),
        header=bool(mapping.source.get("header", True)),
        columns=mapping.source.get("columns"),
        encoding=str(mapping.source.get("encoding", "utf-8-sig")),
    )
    shop_zone = zone(mapping.source.get("timezone"))
    for specs in mapping.tables.values():
        for spec in specs:
            for name in spec.source_columns:
                if name not in source.columns:
                    raise InputError(
                        f"{mapping.path}: {spec.key}: source column {name!r} is not "
                        f"in {source.path} (its columns: {', '.join(source.columns)})."
                    )
    tables = {
        table: _table_rows(source, table, specs, shop_zone)
        for table, specs in mapping.tables.items()
    }
    result = ImportResult(out_dir, {})
    result.rows = write_contract_tables(out_dir, tables)
    missing = [name for name in TABLES_BY_NAME if name not in tables]
    if missing:
        result.notes.append(
            f"the mapping fills no {', '.join(missing)}: put those files into "
            f"{out_dir} (or import them with their own mapping) before loading."
        )
    return result


# --- the mapping file -----------------------------------------------------------------


def read_mapping(path: Path) -> Mapping:
    """Read and check a mapping file; every problem names the mapping key."""
    import yaml

    if not path.is_file():
        raise InputError(f"{path}: no such mapping file.")
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise InputError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(document, dict):
        raise InputError(
            f"{path}: a mapping file is a YAML mapping with a block per contract "
            "table (orders, order_items, products, customers)."
        )
    source = document.get("source") or {}
    if not isinstance(source, dict):
        raise InputError(f"{path}: source: must be a mapping.")
    unknown = sorted(set(source) - SOURCE_KEYS)
    if unknown:
        raise InputError(
            f"{path}: source: unknown key(s) {', '.join(map(str, unknown))} "
            f"(known: {', '.join(sorted(SOURCE_KEYS))})."
        )
    if source.get("columns") is not None and source.get("header", True):
        raise InputError(
            f"{path}: source.columns names the columns of a file without a "
            "header row: set header: false too (a header row names them itself)."
        )
    tables: dict[str, list[ColumnSpec]] = {}
    for name, block in document.items():
        if name == "source":
            continue
        if name not in TABLES_BY_NAME:
            raise InputError(
                f"{path}: {name}: not a contract table "
                f"(tables: {', '.join(TABLES_BY_NAME)})."
            )
        if not isinstance(block, dict) or not block:
            raise InputError(
                f"{path}: {name}: map contract columns to source columns, "
                "e.g. `order_id: Order Number`."
            )
        tables[name] = [
            _column_spec(path, TABLES_BY_NAME[name], str(column), spec)
            for column, spec in block.items()
        ]
        mapped = {spec.column for spec in tables[name]}
        for key in KEY_COLUMNS[name]:
            if key not in mapped:
                raise InputError(
                    f"{path}: {name}.{key} is not mapped; every {name} row needs "
                    "it. Map it to a source column, a constant or a template."
                )
    if not tables:
        raise InputError(f"{path}: the mapping fills no contract table.")
    return Mapping(path, source, tables)


def _text(value: Any) -> str:
    """A YAML scalar as the text it stands for (true -> 'true', 5 -> '5')."""
    if isinstance(value, bool):
        return boolean_text(value)
    return "" if value is None else str(value)


def _column_spec(path: Path, table: Table, column: str, raw: Any) -> ColumnSpec:
    key = f"{table.name}.{column}"
    if column not in table.column_names:
        raise InputError(
            f"{path}: {key}: not a column of {table.name} "
            f"(columns: {', '.join(table.column_names)})."
        )
    column_type = next(c.type for c in table.columns if c.name == column)
    if isinstance(raw, str):
        raw = {"column": raw}
    if not isinstance(raw, dict):
        raise InputError(
            f"{path}: {key}: give a source column name, or a mapping with one of "
            f"{', '.join(ORIGIN_KEYS)}."
        )
    unknown = sorted(set(raw) - set(ORIGIN_KEYS) - TRANSFORM_KEYS)
    if unknown:
        raise InputError(
            f"{path}: {key}: unknown key(s) {', '.join(map(str, unknown))} "
            f"(known: {', '.join(sorted(set(ORIGIN_KEYS) | TRANSFORM_KEYS))})."
        )
    origins = [name for name in ORIGIN_KEYS if name in raw]
    if len(origins) != 1:
        raise InputError(
            f"{path}: {key}: give exactly one of {', '.join(ORIGIN_KEYS)} "
            f"(found: {', '.join(origins) or 'none'})."
        )
    values = raw.get("values")
    if values is not None and not isinstance(values, dict):
        raise InputError(f"{path}: {key}: values must map source to contract values.")
    pick = str(raw.get("pick", "same"))
    if pick not in PICKS:
        raise InputError(f"{path}: {key}: pick must be one of {', '.join(PICKS)}.")
    if pick != "same" and table.name not in COLLAPSED_TABLES:
        raise InputError(
            f"{path}: {key}: pick applies to orders, products and customers "
            "(one row per key); order_items keep one row per source row."
        )
    if pick == "sum" and column_type not in ("decimal", "integer"):
        raise InputError(f"{path}: {key}: pick sum needs a number column.")
    if "divide_by" in raw and column_type != "decimal":
        raise InputError(f"{path}: {key}: divide_by applies to decimal columns.")
    formats = raw.get("format", ())
    formats = (formats,) if isinstance(formats, str) else tuple(map(str, formats))
    spec = ColumnSpec(
        table=table.name,
        column=column,
        type=column_type,
        source_column=_text(raw["column"]) if "column" in raw else None,
        constant=_text(raw["constant"]) if "constant" in raw else None,
        template=_text(raw["template"]) if "template" in raw else None,
        lowercase=bool(raw.get("lowercase", False)),
        values=None
        if values is None
        else {_text(k): _text(v) for k, v in values.items()},
        other=_text(raw["other"]) if "other" in raw else None,
        default=_text(raw["default"]) if "default" in raw else None,
        formats=formats,
        decimal_separator=_text(raw.get("decimal_separator", ".")),
        thousands_separator=_text(raw.get("thousands_separator", "")),
        divide_by=_text(raw["divide_by"]) if "divide_by" in raw else None,
        true_values=tuple(map(_text, raw.get("true_values", TRUE_TEXTS))),
        false_values=tuple(map(_text, raw.get("false_values", FALSE_TEXTS))),
        pick=pick,
    )
    if spec.constant is not None:  # a constant must be a valid value itself
        try:
            _typed(spec, spec.constant, None, None)
        except ValueProblem as exc:
            raise InputError(
                f"{path}: {key}: constant {spec.constant!r} is {exc}."
            ) from exc
    return spec


# --- converting rows ------------------------------------------------------------------


def _raw_text(spec: ColumnSpec, row: SourceRow, number: int) -> str:
    if spec.source_column is not None:
        return row.get(spec.source_column)
    if spec.constant is not None:
        return spec.constant
    assert spec.template is not None

    def placeholder(match: re.Match[str]) -> str:
        name = match.group(1)
        return str(number) if name == ROW_PLACEHOLDER else row.get(name)

    return _PLACEHOLDER.sub(placeholder, spec.template)


def _typed(
    spec: ColumnSpec, text: str, row: SourceRow | None, shop_zone: ZoneInfo | None
) -> _Value | None:
    """The value of a contract column from its source text, after the transforms;
    None for an empty value."""
    if spec.lowercase:
        text = text.lower()
    if spec.values is not None and text:
        if text in spec.values:
            text = spec.values[text]
        elif spec.other is not None:
            text = spec.other
        else:
            known = ", ".join(repr(v) for v in spec.values)
            raise ValueProblem(f"not in the values map ({known}; or set other:)")
    if not text and spec.default is not None:
        text = spec.default
    if not text:
        return None
    if spec.type in ("timestamp", "date"):
        value = parse_timestamp(text, spec.formats, shop_zone)
        return value.date() if spec.type == "date" else value
    if spec.type == "decimal":
        number = parse_decimal(text, spec.decimal_separator, spec.thousands_separator)
        if spec.divide_by and row is not None:
            divisor_text = row.get(spec.divide_by)
            divisor = parse_decimal(
                divisor_text, spec.decimal_separator, spec.thousands_separator
            )
            if divisor == 0:
                raise ValueProblem(f"divided by {spec.divide_by} = {divisor_text}")
            number /= divisor
        return number
    if spec.type == "integer":
        return parse_integer(text)
    if spec.type == "boolean":
        return parse_boolean(text, spec.true_values, spec.false_values)
    return text


def _formatted(value: _Value | None) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return boolean_text(value)
    if isinstance(value, Decimal):
        return money(value)
    if isinstance(value, dt.datetime):
        return timestamp_text(value)
    if isinstance(value, dt.date):
        return date_text(value)
    return str(value)


def _table_rows(
    source: SourceFile,
    table: str,
    specs: list[ColumnSpec],
    shop_zone: ZoneInfo | None,
) -> list[dict[str, str]]:
    converted: list[tuple[SourceRow, dict[str, _Value | None]]] = []
    for number, row in enumerate(source.rows, start=1):
        values = {}
        for spec in specs:
            text = _raw_text(spec, row, number)
            try:
                values[spec.column] = _typed(spec, text, row, shop_zone)
            except ValueProblem as exc:
                origin = (
                    f" (column {spec.source_column!r})" if spec.source_column else ""
                )
                raise InputError(
                    f"{source.at(row)}: {spec.key}{origin}: {text!r} is {exc}."
                ) from exc
        converted.append((row, values))
    if table in COLLAPSED_TABLES:
        return _collapsed(source, table, specs, converted)
    return [
        {column: _formatted(value) for column, value in values.items()}
        for _, values in converted
    ]


@dataclass
class _Collapsing:
    """One key's row being built: value and line it came from, per column."""

    values: dict[str, _Value | None]
    lines: dict[str, int]


_PICKERS: dict[str, Callable[[Any, Any], Any]] = {
    "first": lambda kept, new: kept,
    "last": lambda kept, new: new,
    "min": min,
    "max": max,
    "sum": lambda kept, new: kept + new,
}


def _collapsed(
    source: SourceFile,
    table: str,
    specs: list[ColumnSpec],
    converted: list[tuple[SourceRow, dict[str, _Value | None]]],
) -> list[dict[str, str]]:
    """One row per key, in the order keys first appear; rows without a key stay
    separate (the build rejects them with a reason)."""
    (key_column,) = KEY_COLUMNS[table]
    rows: dict[Any, _Collapsing] = {}
    for row, values in converted:
        key = values[key_column]
        if key is None:
            rows[("no key", row.line)] = _Collapsing(dict(values), {})
            continue
        kept = rows.get(key)
        if kept is None:
            rows[key] = _Collapsing(
                dict(values), {column: row.line for column in values}
            )
            continue
        for spec in specs:
            new = values[spec.column]
            old = kept.values[spec.column]
            if new is None:
                continue
            if old is None:
                kept.values[spec.column] = new
                kept.lines[spec.column] = row.line
            elif spec.pick == "same":
                if new != old:
                    raise InputError(
                        f"{source.at(row)}: {spec.key} of {key_column} {key!r} is "
                        f"{_formatted(new)!r}, but line {kept.lines[spec.column]} "
                        f"has {_formatted(old)!r}. Rows of one {key_column} must "
                        "agree; or set pick: first, last, min, max or sum."
                    )
            else:
                kept.values[spec.column] = _PICKERS[spec.pick](old, new)
    return [
        {column: _formatted(value) for column, value in collapsing.values.items()}
        for collapsing in rows.values()
    ]
