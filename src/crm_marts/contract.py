"""The raw data contract: which files a shop export holds and their columns.

Only `orders` is required, with three columns (customer_id, created_at,
paid_amount): most transaction logs look like that. Every other file and column
is optional, and leaving one out has a documented default (`when_absent`), which
the loader reports. An empty value in a column that is there has its own meaning
(`when_empty`); None means an empty value makes the row unusable, and the staging
layer rejects it with a reason.

Every raw value is loaded as text; typing, defaults and rejecting unusable rows
are the job of the dbt staging layer, so that no row is lost at load time. This
module is the single source of truth for the contract: the loader validates
against it, the sample generator writes it and the README table is rendered from
it (`python scripts/readme_vars.py --write`).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    description: str
    # A file without this column is refused.
    required: bool = False
    # What an empty value means; None: the row is rejected.
    when_empty: str | None = None
    # What leaving the (optional) column out of the file means.
    when_absent: str | None = None


@dataclass(frozen=True)
class Table:
    name: str
    description: str
    columns: tuple[Column, ...]
    # A shop without this file is refused.
    required: bool = False
    # What leaving the (optional) file out means.
    when_absent: str | None = None

    @property
    def required_columns(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


ORDERS = Table(
    "orders",
    "One row per order, paid or not.",
    (
        Column(
            "order_id",
            "text",
            "Unique order key.",
            when_absent="each row is one order, its id the data row number",
        ),
        Column(
            "customer_id",
            "text",
            "Buyer; must be a row of customers when that file is given.",
            required=True,
        ),
        Column(
            "created_at",
            "timestamp",
            "When the order was placed (a date alone means midnight).",
            required=True,
        ),
        Column(
            "paid_at",
            "timestamp",
            "When it was paid.",
            when_empty="unpaid",
            when_absent=(
                "orders with a purchase status count as paid when created, "
                "the others as unpaid"
            ),
        ),
        Column(
            "status",
            "text",
            "pending, paid, shipped, completed, refunded, cancelled or closed "
            "(the order_statuses seed lists them and which count as purchases).",
            when_absent="every order is completed",
        ),
        Column(
            "paid_amount",
            "decimal",
            "Amount charged, after discount: above 0 (0 too with the var "
            "count_free_orders_as_purchases).",
            required=True,
        ),
        Column(
            "discount_amount",
            "decimal",
            "Discount granted (>= 0).",
            when_empty="0",
            when_absent="no discounts",
        ),
        Column(
            "refund_amount",
            "decimal",
            "Amount refunded (0 to paid_amount); all of a non-zero paid amount "
            "cancels the purchase.",
            when_empty="0",
            when_absent="no refunds",
        ),
        Column(
            "channel",
            "text",
            "Sales channel, e.g. app, web, mini_program.",
            when_empty="unknown",
            when_absent="channel unknown (no app-push reminders)",
        ),
        Column(
            "promotion_tag",
            "text",
            "Promotion the order belongs to (618, double11, double12, juhuasuan).",
            when_empty="none",
            when_absent="no order belongs to a promotion",
        ),
        Column(
            "is_presale",
            "boolean",
            "true/false: a presale (deposit) order.",
            when_empty="false",
            when_absent="no presale orders",
        ),
        Column(
            "balance_due_at",
            "timestamp",
            "Presale balance deadline.",
            when_empty="none (an ordinary order)",
            when_absent="no presale balance reminders",
        ),
        Column(
            "received_at",
            "timestamp",
            "When the parcel was signed for.",
            when_empty="not (yet) signed for",
            when_absent=(
                "no order signed for: receipt care falls back to "
                "nurture_receipt_fallback_days"
            ),
        ),
    ),
    required=True,
)

ORDER_ITEMS = Table(
    "order_items",
    "One row per order line. Needs products and orders.order_id.",
    (
        Column("order_id", "text", "Order the line belongs to.", required=True),
        Column(
            "product_id",
            "text",
            "Product bought; must be a row of products.",
            required=True,
        ),
        Column("quantity", "integer", "Units bought (> 0).", required=True),
        Column("unit_price", "decimal", "Price per unit (>= 0).", required=True),
    ),
    when_absent=(
        "no order lines: no items, categories, consumable dormancy or product "
        "sales; the order-level marts are complete"
    ),
)

PRODUCTS = Table(
    "products",
    "One row per product.",
    (
        Column("product_id", "text", "Unique product key.", required=True),
        Column(
            "product_name",
            "text",
            "Display name.",
            when_empty="no name",
            when_absent="no names",
        ),
        Column("category", "text", "Product category.", required=True),
        Column(
            "consumption_days",
            "integer",
            "Days one unit lasts (> 0).",
            when_empty="not a consumable",
            when_absent="no consumables (no dormancy dates)",
        ),
        Column(
            "unit_cost",
            "decimal",
            "Cost per unit (>= 0), for margin.",
            when_empty="cost unknown: margin unknown, the lines are kept",
            when_absent="every margin unknown",
        ),
        Column(
            "launch_date",
            "date",
            "First day on sale.",
            when_empty="on sale from the start",
            when_absent="every product on sale from the start",
        ),
    ),
    when_absent="no products (allowed only without order_items)",
)

CUSTOMERS = Table(
    "customers",
    "One row per registered customer, buyer or not.",
    (
        Column("customer_id", "text", "Unique customer key.", required=True),
        Column(
            "registered_at",
            "timestamp",
            "When the account was created.",
            when_empty=(
                "registered at the first order (rejected when the customer has none)"
            ),
            when_absent="every customer registered at their first order",
        ),
        Column(
            "birthday",
            "date",
            "Date of birth.",
            when_empty="unknown",
            when_absent="no birthdays (no birthday touchpoints)",
        ),
        Column(
            "member_level",
            "text",
            "Level in the shop's own scheme.",
            when_empty="none",
            when_absent="no member levels",
        ),
        Column(
            "email",
            "text",
            "E-mail address (contact key).",
            when_empty="none",
            when_absent="no e-mail addresses",
        ),
        Column(
            "phone",
            "text",
            "Mobile number (contact key for SMS and calls).",
            when_empty="none",
            when_absent="no phone numbers",
        ),
        Column(
            "accepts_email",
            "boolean",
            "true/false: consent to e-mail.",
            when_empty="no consent",
            when_absent="nobody consents to e-mail",
        ),
        Column(
            "accepts_sms",
            "boolean",
            "true/false: consent to SMS.",
            when_empty="no consent",
            when_absent="nobody consents to SMS",
        ),
        Column(
            "accepts_phone",
            "boolean",
            "true/false: consent to calls.",
            when_empty="no consent",
            when_absent="nobody consents to calls",
        ),
        Column(
            "unsubscribed_at",
            "timestamp",
            "When the customer opted out of all marketing.",
            when_empty="never",
            when_absent="nobody unsubscribed",
        ),
    ),
    when_absent=(
        "customers derived from orders: registered at their first order, "
        "no contact consent (never in an audience)"
    ),
)

TABLES: tuple[Table, ...] = (ORDERS, ORDER_ITEMS, PRODUCTS, CUSTOMERS)
TABLES_BY_NAME: dict[str, Table] = {t.name: t for t in TABLES}

# Extensions the loader accepts, in the order it looks for them.
FILE_FORMATS: tuple[str, ...] = ("csv", "parquet")

# Text layout the generator writes and the loader accepts in CSV files.
TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S"
DATE_FORMAT = "%Y-%m-%d"


def render_markdown() -> str:
    """The README's contract tables: one per file, every column and its defaults."""
    sections = []
    for table in TABLES:
        presence = (
            "required file"
            if table.required
            else f"optional file; without it: {table.when_absent}"
        )
        lines = [
            f"**{table.name}** ({presence}). {table.description}",
            "",
            "| column | type | required | meaning | empty value | column left out |",
            "|---|---|---|---|---|---|",
        ]
        for column in table.columns:
            cells = [
                column.name,
                column.type,
                "yes" if column.required else "no",
                column.description,
                column.when_empty or "row rejected",
                "the load stops" if column.required else column.when_absent or "",
            ]
            lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
        sections.append("\n".join(lines))
    return "\n\n".join(sections)
