"""The raw data contract: which files a shop export must contain and their columns.

Every raw value is loaded as text; typing, parsing and rejecting unusable rows is the
job of the dbt staging layer, so that no row is lost at load time. This module is the
single source of truth for the contract: the loader validates against it, the sample
generator writes it and the README documents it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    required: bool
    description: str


@dataclass(frozen=True)
class Table:
    name: str
    description: str
    columns: tuple[Column, ...]

    @property
    def required_columns(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


ORDERS = Table(
    "orders",
    "One row per order, paid or not.",
    (
        Column("order_id", "text", True, "Unique order key."),
        Column("customer_id", "text", True, "Buyer; must exist in customers."),
        Column("created_at", "timestamp", True, "When the order was placed."),
        Column("paid_at", "timestamp", True, "When it was paid; empty = unpaid."),
        Column(
            "status",
            "text",
            True,
            "pending, paid, shipped, completed, refunded, cancelled or closed.",
        ),
        Column("paid_amount", "decimal", True, "Amount charged (> 0), after discount."),
        Column("discount_amount", "decimal", True, "Discount granted (>= 0)."),
        Column(
            "refund_amount",
            "decimal",
            False,
            "Amount refunded (>= 0); empty = 0. Equal to paid_amount = full refund.",
        ),
        Column("channel", "text", True, "Sales channel, e.g. app, web, mini_program."),
        Column(
            "promotion_tag",
            "text",
            True,
            "Promotion the order belongs to (618, double11, double12, juhuasuan); "
            "empty = none.",
        ),
        Column("is_presale", "boolean", True, "true/false: a presale (deposit) order."),
        Column(
            "balance_due_at",
            "timestamp",
            True,
            "Presale balance deadline; empty for ordinary orders.",
        ),
        Column("received_at", "timestamp", True, "When the parcel was signed for."),
    ),
)

ORDER_ITEMS = Table(
    "order_items",
    "One row per order line.",
    (
        Column("order_id", "text", True, "Order the line belongs to."),
        Column("product_id", "text", True, "Product bought; must exist in products."),
        Column("quantity", "integer", True, "Units bought (> 0)."),
        Column("unit_price", "decimal", True, "Price per unit (>= 0)."),
    ),
)

PRODUCTS = Table(
    "products",
    "One row per product.",
    (
        Column("product_id", "text", True, "Unique product key."),
        Column("product_name", "text", False, "Display name."),
        Column("category", "text", True, "Product category."),
        Column(
            "consumption_days",
            "integer",
            True,
            "Days one unit lasts; empty = not a consumable.",
        ),
        Column("unit_cost", "decimal", True, "Cost per unit, for margin."),
        Column("launch_date", "date", True, "First day on sale."),
    ),
)

CUSTOMERS = Table(
    "customers",
    "One row per registered customer, buyer or not.",
    (
        Column("customer_id", "text", True, "Unique customer key."),
        Column("registered_at", "timestamp", True, "When the account was created."),
        Column("birthday", "date", False, "Date of birth; empty = unknown."),
        Column("member_level", "text", False, "Level in the shop's own scheme."),
        Column("email", "text", False, "E-mail address (contact key)."),
        Column("phone", "text", False, "Mobile number (contact key for SMS, phone)."),
        Column("accepts_email", "boolean", True, "true/false: consent to e-mail."),
        Column("accepts_sms", "boolean", True, "true/false: consent to SMS."),
        Column("accepts_phone", "boolean", True, "true/false: consent to calls."),
        Column(
            "unsubscribed_at",
            "timestamp",
            False,
            "When the customer opted out of all marketing; empty = never.",
        ),
    ),
)

TABLES: tuple[Table, ...] = (ORDERS, ORDER_ITEMS, PRODUCTS, CUSTOMERS)
TABLES_BY_NAME: dict[str, Table] = {t.name: t for t in TABLES}

# Extensions the loader accepts, in the order it looks for them.
FILE_FORMATS: tuple[str, ...] = ("csv", "parquet")

# Text layout the generator writes and the loader accepts in CSV files.
TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S"
DATE_FORMAT = "%Y-%m-%d"
