"""What every importer shares: reading a source file with its line numbers, parsing
its values, and writing the contract's CSV files.

Parsers raise ValueProblem with what is wrong with the value; the importer that
called them knows the file, line and column and turns it into an InputError.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from crm_marts.contract import (
    DATE_FORMAT,
    FILE_FORMATS,
    TABLES_BY_NAME,
    TIMESTAMP_FORMAT,
)
from crm_marts.errors import InputError

# Splits a line on runs of spaces and tabs (fixed-width logs such as CDNOW's).
WHITESPACE = "whitespace"
CENT = Decimal("0.01")
TRUE_TEXTS = frozenset(("true", "t", "yes", "y", "1"))
FALSE_TEXTS = frozenset(("false", "f", "no", "n", "0"))
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")
_INTEGER = re.compile(r"[+-]?\d+")


class ValueProblem(ValueError):
    """A source value that cannot be read as the type asked for."""


@dataclass(frozen=True)
class SourceRow:
    """One data row: the file line it starts on (1 = header) and its values."""

    line: int
    values: dict[str, str]

    def get(self, column: str) -> str:
        """The value of column, stripped; empty when the column is absent."""
        return (self.values.get(column) or "").strip()


@dataclass(frozen=True)
class SourceFile:
    path: Path
    columns: tuple[str, ...]
    rows: list[SourceRow]

    def at(self, row: SourceRow) -> str:
        """Where a row is, for error messages: 'orders_export.csv line 7'."""
        return f"{self.path} line {row.line}"


@dataclass
class ImportResult:
    """What an importer wrote: rows per contract table, and what the user should
    know about the conversion (rows that will be rejected, fallbacks taken)."""

    out_dir: Path
    rows: dict[str, int]
    notes: list[str] = field(default_factory=list)


def read_source(
    path: Path,
    *,
    delimiter: str = ",",
    header: bool = True,
    columns: Sequence[str] | None = None,
    encoding: str = "utf-8-sig",
) -> SourceFile:
    """Read a delimited text file into rows keyed by column name.

    delimiter is one character or WHITESPACE (runs of blanks, no quoting). Without
    a header row the column names come from columns. Every row must have as many
    fields as there are columns; blank lines are skipped.
    """
    if not path.is_file():
        raise InputError(f"{path}: no such file.")
    try:
        with path.open(encoding=encoding, newline="") as handle:
            records = list(_records(handle, delimiter))
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{path}: not valid {encoding} text ({exc.reason} at byte {exc.start}). "
            "Save the file as UTF-8, or set the source encoding."
        ) from exc
    except csv.Error as exc:
        raise InputError(f"{path}: unreadable CSV ({exc}).") from exc
    if header:
        if not records:
            raise InputError(f"{path}: empty file, no header row.")
        names = tuple(name.strip() for name in records.pop(0)[1])
    elif columns:
        names = tuple(columns)
    else:
        raise InputError(f"{path}: a file without a header row needs column names.")
    duplicated = sorted({name for name in names if names.count(name) > 1})
    if duplicated:
        raise InputError(
            f"{path}: column(s) {', '.join(duplicated)} appear more than once."
        )
    rows = []
    for line, fields in records:
        if len(fields) != len(names):
            raise InputError(
                f"{path} line {line}: {len(fields)} fields, but there are "
                f"{len(names)} columns ({', '.join(names)}). Quote fields that "
                "contain the delimiter."
            )
        rows.append(SourceRow(line, dict(zip(names, fields, strict=True))))
    return SourceFile(path, names, rows)


def _records(handle: Iterable[str], delimiter: str) -> Iterable[tuple[int, list[str]]]:
    """(first line number, fields) of each non-blank record."""
    if delimiter == WHITESPACE:
        for line, text in enumerate(handle, start=1):
            if text.strip():
                yield line, text.split()
        return
    if len(delimiter) != 1:
        raise InputError(
            f"delimiter must be one character or {WHITESPACE!r}: {delimiter!r}"
        )
    reader = csv.reader(handle, delimiter=delimiter, strict=True)
    next_line = 1
    for fields in reader:
        line, next_line = next_line, reader.line_num + 1
        if any(value.strip() for value in fields):
            yield line, fields


def zone(name: str | None) -> ZoneInfo | None:
    """The IANA time zone called name (None: keep wall-clock times as written)."""
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InputError(
            f"unknown time zone {name!r}; use an IANA name such as "
            "'America/New_York', 'Europe/Berlin' or 'Asia/Shanghai'."
        ) from exc


def parse_timestamp(
    text: str, formats: Sequence[str] = (), timezone: ZoneInfo | None = None
) -> dt.datetime:
    """A naive timestamp in the shop's time.

    Tries each strptime format, then ISO 8601. A value with a UTC offset is
    converted to timezone when given, else its wall-clock time is kept as written
    (an export in the shop's own time zone stays in it, across summer time).
    """
    value = None
    for layout in (*formats, TIMESTAMP_FORMAT):
        try:
            value = dt.datetime.strptime(text, layout)
            break
        except ValueError:
            continue
    if value is None:
        try:
            value = dt.datetime.fromisoformat(text)
        except ValueError:
            layouts = ", ".join(repr(f) for f in (*formats, TIMESTAMP_FORMAT))
            raise ValueProblem(
                f"not a timestamp (expected {layouts} or ISO 8601)"
            ) from None
    if value.tzinfo is not None and timezone is not None:
        value = value.astimezone(timezone)
    return value.replace(tzinfo=None)


def parse_decimal(
    text: str, decimal_separator: str = ".", thousands_separator: str = ""
) -> Decimal:
    """A plain number such as 1234.50 or -3 (separators as configured)."""
    cleaned = text.replace(thousands_separator, "") if thousands_separator else text
    if decimal_separator != ".":
        cleaned = cleaned.replace(decimal_separator, ".")
    if not _NUMBER.fullmatch(cleaned):
        raise ValueProblem("not a number")
    try:
        return Decimal(cleaned)
    except InvalidOperation:  # pragma: no cover - the pattern already checked
        raise ValueProblem("not a number") from None


def parse_integer(text: str) -> int:
    if not _INTEGER.fullmatch(text):
        raise ValueProblem("not a whole number")
    return int(text)


def parse_boolean(
    text: str,
    true_texts: Iterable[str] = TRUE_TEXTS,
    false_texts: Iterable[str] = FALSE_TEXTS,
) -> bool:
    lowered = text.lower()
    if lowered in {t.lower() for t in true_texts}:
        return True
    if lowered in {f.lower() for f in false_texts}:
        return False
    known = ", ".join(sorted({*true_texts, *false_texts}))
    raise ValueProblem(f"not a yes/no value (expected one of {known})")


def money(value: Decimal) -> str:
    """Money in the contract's layout: two decimal places, half up."""
    return str(value.quantize(CENT, rounding=ROUND_HALF_UP))


def timestamp_text(value: dt.datetime) -> str:
    return value.strftime(TIMESTAMP_FORMAT)


def date_text(value: dt.date) -> str:
    return value.strftime(DATE_FORMAT)


def boolean_text(value: bool) -> str:
    return "true" if value else "false"


def write_contract_tables(
    out_dir: Path, tables: dict[str, list[dict[str, str]]]
) -> dict[str, int]:
    """Write each table as <name>.csv in the contract's column order (absent
    columns empty), atomically; remove a stale file of the same table in another
    format so the loader never sees two. Returns rows written per table."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = {}
    for name, rows in tables.items():
        contract_table = TABLES_BY_NAME[name]
        path = out_dir / f"{name}.csv"
        temporary = out_dir / f".{path.name}.{os.getpid()}.tmp"
        try:
            with temporary.open("w", encoding="utf-8", newline="") as handle:
                writer = csv.writer(handle, lineterminator="\n")
                writer.writerow(contract_table.column_names)
                for row in rows:
                    writer.writerow(
                        [row.get(column, "") for column in contract_table.column_names]
                    )
            os.replace(temporary, path)
        finally:
            temporary.unlink(missing_ok=True)
        for other in FILE_FORMATS:
            if other != "csv":
                (out_dir / f"{name}.{other}").unlink(missing_ok=True)
        written[name] = len(rows)
    return written
