"""Shopify's standard orders export (Orders > Export, CSV) as contract files.

The export has one row per line item: the first row of an order carries the order
fields, the following rows of the same Name only the line item fields (and a few
repeated ones such as Email). Every mapping decision is listed in the README's
"Bring your own export" section; the short version:

- order_id = Name; customer_id = Email, lowercased, else "phone:" + the order's
  phone (digits and +), else empty (the build then rejects the order as
  missing_customer_id: an anonymous order cannot join a customer's history).
- status from Financial Status, Fulfillment Status and Cancelled at (see
  FINANCIAL_STATUSES); paid_at = Paid at for a paid status (Created at when empty).
- paid_amount = Total (partially paid: Total - Outstanding Balance when the column
  exists), discount_amount = Discount Amount, refund_amount = Refunded Amount,
  channel = Source, promotion_tag = Discount Code (lowercased), no presale,
  received_at empty (Shopify records no delivery).
- product_id = Lineitem sku, else Lineitem name; category 'uncategorized', the
  Vendor, or the Type of a Shopify products export; unit_cost from that export's
  Cost per item, else empty (unknown); launch_date = the product's first order.
- customers: registered_at = first order; accepts_email = Accepts Marketing of the
  latest order; no SMS or phone consent (the export has none).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TypeVar
from zoneinfo import ZoneInfo

from crm_marts.errors import InputError
from crm_marts.importers.common import (
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

# Layouts of Shopify's timestamps: "2024-01-05 10:03:11 -0500" (ISO also accepted).
TIMESTAMP_FORMATS = ("%Y-%m-%d %H:%M:%S %z", "%Y-%m-%d %H:%M %z")
UNCATEGORIZED = "uncategorized"
CATEGORY_SOURCES = ("uncategorized", "vendor")

# Shopify Financial Status -> (contract status, was money taken).
# authorized: the card is held, not charged: not a purchase until captured.
# partially_paid: counted as a purchase of what was paid.
FINANCIAL_STATUSES: dict[str, tuple[str, bool]] = {
    "pending": ("pending", False),
    "authorized": ("pending", False),
    "expired": ("closed", False),
    "voided": ("cancelled", False),
    "paid": ("paid", True),
    "partially_paid": ("paid", True),
    "partially_refunded": ("paid", True),
    "refunded": ("refunded", True),
}
# Fulfillment Status values meaning at least one parcel left: status shipped.
SHIPPED_FULFILLMENTS = frozenset(("fulfilled", "partial", "partially_fulfilled"))

# Columns of the orders export the conversion reads, with what each one feeds.
REQUIRED_COLUMNS: dict[str, str] = {
    "Name": "order_id",
    "Email": "customer_id and customers.email",
    "Financial Status": "status and paid_at",
    "Paid at": "paid_at",
    "Fulfillment Status": "status (shipped)",
    "Cancelled at": "status (cancelled)",
    "Accepts Marketing": "customers.accepts_email",
    "Created at": "created_at",
    "Total": "paid_amount",
    "Discount Code": "promotion_tag",
    "Discount Amount": "discount_amount",
    "Refunded Amount": "refund_amount",
    "Lineitem quantity": "order_items.quantity",
    "Lineitem name": "order_items.product_id (without a SKU), products.product_name",
    "Lineitem price": "order_items.unit_price",
    "Lineitem sku": "order_items.product_id",
}
# Read when present: Source (channel), Currency (must not mix), phones (customer
# id without an e-mail, customers.phone), Outstanding Balance (partially paid).
PHONE_COLUMNS = ("Phone", "Billing Phone", "Shipping Phone")

_T = TypeVar("_T")


@dataclass(frozen=True)
class _Line:
    product_id: str
    product_name: str
    vendor: str
    quantity: int
    unit_price: Decimal


@dataclass(frozen=True)
class _Order:
    order_id: str
    customer_id: str
    email: str
    phone: str
    accepts_marketing: bool | None
    created_at: dt.datetime
    line: int
    columns: dict[str, str]
    lines: list[_Line]


@dataclass(frozen=True)
class _CatalogueEntry:
    category: str
    unit_cost: str


def import_shopify(
    export_file: Path,
    out_dir: Path,
    *,
    timezone: str | None = None,
    category_from: str = UNCATEGORIZED,
    products_file: Path | None = None,
) -> ImportResult:
    """Convert a Shopify orders export into the four contract files in out_dir.

    timezone: IANA zone to convert every timestamp to (default: keep the export's
    wall-clock times, which Shopify writes in the shop's time zone).
    category_from: 'uncategorized' or 'vendor' (Vendor of the product's first line).
    products_file: a Shopify products export; its Type becomes the category and
    its Cost per item the unit_cost of each SKU it lists.
    """
    if category_from not in CATEGORY_SOURCES:
        raise InputError(
            f"category_from must be one of {', '.join(CATEGORY_SOURCES)}: "
            f"{category_from!r}"
        )
    source = read_source(export_file)
    _check_columns(source, category_from)
    shop_zone = zone(timezone)
    _check_one_currency(source)
    orders = [_read_order(source, rows, shop_zone) for rows in _rows_by_order(source)]
    catalogue = _read_catalogue(products_file) if products_file else {}

    orders.sort(key=lambda order: (order.created_at, order.order_id))
    result = ImportResult(out_dir, {})
    tables = {
        "orders": [order.columns for order in orders],
        "order_items": [
            {
                "order_id": order.order_id,
                "product_id": line.product_id,
                "quantity": str(line.quantity),
                "unit_price": money(line.unit_price),
            }
            for order in orders
            for line in order.lines
        ],
        "products": _products(orders, category_from, catalogue, result),
        "customers": _customers(orders),
    }
    anonymous = [order.order_id for order in orders if not order.customer_id]
    if anonymous:
        result.notes.append(
            f"{len(anonymous)} order(s) without Email or phone ({_few(anonymous)}): "
            "written with an empty customer_id, so the build keeps them out of "
            "the marts as missing_customer_id (see rejected_rows)."
        )
    result.rows = write_contract_tables(out_dir, tables)
    return result


def _check_columns(source: SourceFile, category_from: str) -> None:
    needed = dict(REQUIRED_COLUMNS)
    if category_from == "vendor":
        needed["Vendor"] = "products.category (category_from vendor)"
    missing = [column for column in needed if column not in source.columns]
    if missing:
        details = "; ".join(f"{column!r} (for {needed[column]})" for column in missing)
        raise InputError(
            f"{source.path}: cannot map this file as a Shopify orders export, "
            f"missing column(s) {details}. Export the orders again from Shopify "
            "(Orders > Export > CSV), or convert another layout with "
            "`crm-marts import mapping`."
        )


def _check_one_currency(source: SourceFile) -> None:
    """Amounts of different currencies cannot be added up."""
    first: tuple[str, SourceRow] | None = None
    for row in source.rows:
        currency = row.get("Currency")
        if not currency:
            continue
        if first is None:
            first = (currency, row)
        elif currency != first[0]:
            raise InputError(
                f"{source.at(row)}: Currency {currency!r}, but line "
                f"{first[1].line} has {first[0]!r}. Amounts of different "
                "currencies cannot be added up: export one currency per import."
            )


def _rows_by_order(source: SourceFile) -> list[list[SourceRow]]:
    """The rows of each order (grouped by Name), the order's own row first."""
    groups: dict[str, list[SourceRow]] = {}
    for row in source.rows:
        name = row.get("Name")
        if not name:
            raise InputError(
                f"{source.at(row)}: Name is empty; every row of the export "
                "names its order."
            )
        group = groups.setdefault(name, [])
        if group and row.get("Financial Status"):
            raise InputError(
                f"{source.at(row)}: a second order named {name!r} (the first "
                f"starts at line {group[0].line}). Order names must be unique "
                "in the export."
            )
        group.append(row)
    for name, group in groups.items():
        if not group[0].get("Financial Status"):
            raise InputError(
                f"{source.at(group[0])}: the first row of order {name!r} has no "
                "Financial Status. Shopify writes the order fields on the first "
                "row of each order; was the file re-sorted or edited?"
            )
    return list(groups.values())


def _read_order(
    source: SourceFile, rows: list[SourceRow], shop_zone: ZoneInfo | None
) -> _Order:
    head = rows[0]

    def value(column: str, parse: Callable[[str], _T], row: SourceRow = head) -> _T:
        text = row.get(column)
        try:
            return parse(text)
        except ValueProblem as exc:
            raise InputError(
                f"{source.at(row)} (order {head.get('Name')}): {column} "
                f"{text!r} is {exc}."
            ) from exc

    def timestamp(text: str) -> dt.datetime:
        return parse_timestamp(text, TIMESTAMP_FORMATS, shop_zone)

    def amount(column: str) -> Decimal:
        return value(column, lambda t: parse_decimal(t) if t else Decimal(0))

    def optional_timestamp(column: str) -> dt.datetime | None:
        return value(column, lambda t: timestamp(t) if t else None)

    order_id = head.get("Name")
    created_at = value("Created at", timestamp)
    status, is_paid = value("Financial Status", _financial_status)
    financial_status = _normalised(head.get("Financial Status"))
    if optional_timestamp("Cancelled at") is not None:
        status = "refunded" if status == "refunded" else "cancelled"
    elif status == "paid" and (
        _normalised(head.get("Fulfillment Status")) in SHIPPED_FULFILLMENTS
    ):
        status = "shipped"
    paid_at = (optional_timestamp("Paid at") or created_at) if is_paid else None

    paid_amount = amount("Total")
    if financial_status == "partially_paid" and head.get("Outstanding Balance"):
        paid_amount -= amount("Outstanding Balance")
    email = head.get("Email").lower() or next(
        (row.get("Email").lower() for row in rows if row.get("Email")), ""
    )
    phone = next((phone for phone in map(head.get, PHONE_COLUMNS) if _phone(phone)), "")
    customer_id = email or (f"phone:{_phone(phone)}" if phone else "")
    accepts = value("Accepts Marketing", lambda t: parse_boolean(t) if t else None)
    columns = {
        "order_id": order_id,
        "customer_id": customer_id,
        "created_at": timestamp_text(created_at),
        "paid_at": timestamp_text(paid_at) if paid_at else "",
        "status": status,
        "paid_amount": money(paid_amount),
        "discount_amount": money(amount("Discount Amount")),
        "refund_amount": money(amount("Refunded Amount")),
        "channel": head.get("Source").lower(),
        "promotion_tag": head.get("Discount Code").lower(),
        "is_presale": "false",
        "balance_due_at": "",
        "received_at": "",
    }
    lines = [
        _Line(
            product_id=row.get("Lineitem sku") or row.get("Lineitem name"),
            product_name=row.get("Lineitem name"),
            vendor=row.get("Vendor"),
            quantity=value("Lineitem quantity", parse_integer, row),
            unit_price=value("Lineitem price", parse_decimal, row),
        )
        for row in rows
    ]
    for row, line in zip(rows, lines, strict=True):
        if not line.product_id:
            raise InputError(
                f"{source.at(row)} (order {order_id}): neither Lineitem sku nor "
                "Lineitem name is set, so the line has no product."
            )
    return _Order(
        order_id=order_id,
        customer_id=customer_id,
        email=email,
        phone=_phone(phone),
        accepts_marketing=accepts,
        created_at=created_at,
        line=head.line,
        columns=columns,
        lines=_merge_same_product(lines),
    )


def _normalised(text: str) -> str:
    return text.strip().lower().replace(" ", "_")


def _financial_status(text: str) -> tuple[str, bool]:
    try:
        return FINANCIAL_STATUSES[_normalised(text)]
    except KeyError:
        raise ValueProblem(
            f"not a Shopify financial status ({', '.join(FINANCIAL_STATUSES)})"
        ) from None


def _phone(text: str) -> str:
    """A phone number as + and digits ('+1 (555) 010-2030' -> '+15550102030');
    empty when fewer than 5 digits remain."""
    digits = re.sub(r"[^\d+]", "", text)
    return digits if sum(c.isdigit() for c in digits) >= 5 else ""


def _merge_same_product(lines: list[_Line]) -> list[_Line]:
    """One line per product: Shopify repeats a SKU on separate lines (different
    properties, a second one at another price); the contract keys lines by
    order and product. Quantities add up; the unit price is their mean."""
    merged: dict[str, list[_Line]] = {}
    for line in lines:
        merged.setdefault(line.product_id, []).append(line)
    result = []
    for same in merged.values():
        quantity = sum(line.quantity for line in same)
        total = sum(line.quantity * line.unit_price for line in same)
        prices = {line.unit_price for line in same}
        unit_price = (
            prices.pop() if len(prices) == 1 or quantity <= 0 else total / quantity
        )
        result.append(
            _Line(
                same[0].product_id,
                same[0].product_name,
                same[0].vendor,
                quantity,
                unit_price,
            )
        )
    return result


def _read_catalogue(products_file: Path) -> dict[str, _CatalogueEntry]:
    """Category (Type) and unit cost (Cost per item) per Variant SKU of a Shopify
    products export; Type is written on the first row of each Handle only."""
    source = read_source(products_file)
    missing = [c for c in ("Handle", "Variant SKU") if c not in source.columns]
    if missing:
        raise InputError(
            f"{products_file}: not a Shopify products export, missing column(s) "
            f"{', '.join(missing)}."
        )
    types: dict[str, str] = {}
    catalogue = {}
    for row in source.rows:
        handle = row.get("Handle")
        if row.get("Type"):
            types.setdefault(handle, row.get("Type"))
        sku = row.get("Variant SKU")
        if not sku:
            continue
        cost = row.get("Cost per item")
        try:
            unit_cost = money(parse_decimal(cost)) if cost else ""
        except ValueProblem as exc:
            raise InputError(
                f"{source.at(row)}: Cost per item {cost!r} is {exc}."
            ) from exc
        catalogue[sku] = _CatalogueEntry(types.get(handle, ""), unit_cost)
    return catalogue


def _products(
    orders: list[_Order],
    category_from: str,
    catalogue: dict[str, _CatalogueEntry],
    result: ImportResult,
) -> list[dict[str, str]]:
    """One row per product sold, launched on the day of its first order."""
    first_sold: dict[str, tuple[dt.datetime, _Line]] = {}
    for order in orders:  # in created order
        for line in order.lines:
            first_sold.setdefault(line.product_id, (order.created_at, line))
    rows = []
    not_in_catalogue = []
    for product_id in sorted(first_sold):
        created_at, line = first_sold[product_id]
        entry = catalogue.get(product_id)
        if catalogue and entry is None:
            not_in_catalogue.append(product_id)
        fallback = line.vendor if category_from == "vendor" else ""
        rows.append(
            {
                "product_id": product_id,
                "product_name": line.product_name,
                "category": (entry.category if entry else "")
                or fallback
                or UNCATEGORIZED,
                "consumption_days": "",
                "unit_cost": entry.unit_cost if entry else "",
                "launch_date": date_text(created_at.date()),
            }
        )
    if not_in_catalogue:
        category = "the Vendor" if category_from == "vendor" else repr(UNCATEGORIZED)
        result.notes.append(
            f"{len(not_in_catalogue)} product(s) not in the products export "
            f"({_few(not_in_catalogue)}): category {category}, unit_cost empty "
            "(margin unknown)."
        )
    return rows


def _customers(orders: list[_Order]) -> list[dict[str, str]]:
    """One row per customer id: registered at the first order; e-mail consent and
    phone as of the latest order that states them."""
    by_customer: dict[str, list[_Order]] = {}
    for order in orders:
        if order.customer_id:
            by_customer.setdefault(order.customer_id, []).append(order)
    rows = []
    for customer_id in sorted(by_customer):
        history = sorted(by_customer[customer_id], key=lambda o: (o.created_at, o.line))
        consent = [
            o.accepts_marketing for o in history if o.accepts_marketing is not None
        ]
        phones = [o.phone for o in history if o.phone]
        rows.append(
            {
                "customer_id": customer_id,
                "registered_at": timestamp_text(history[0].created_at),
                "email": history[-1].email,
                "phone": phones[-1] if phones else "",
                "accepts_email": boolean_text(bool(consent and consent[-1])),
                "accepts_sms": "false",
                "accepts_phone": "false",
            }
        )
    return rows


def _few(names: list[str], shown: int = 3) -> str:
    more = f", ... {len(names) - shown} more" if len(names) > shown else ""
    return ", ".join(names[:shown]) + more
