"""Send-ready audience files: one CSV per audience and channel of a campaign.

Rows come from the campaign_audiences mart (capped rows and rows whose send date is
before the as-of date left out), joined to the
customers' contact keys. Contact keys are masked unless asked for, so files can be
reviewed and shared before the real send. Each file is written under a temporary
name and renamed; rows are sorted, so the same build gives byte-identical files.
"""

from __future__ import annotations

import csv
import io
import os
from dataclasses import dataclass
from pathlib import Path

from crm_marts.export import connect_for_reading

AUDIENCE_COLUMNS = (
    "customer_id",
    "channel",
    "contact_key",
    "audience",
    "reason_code",
    "reason",
    "send_date",
    "priority",
)
SUMMARY_NAME = "summary.csv"

AUDIENCE_QUERY = """
select
    audiences.customer_id,
    audiences.channel,
    case when audiences.channel = 'email' then contacts.email
        else contacts.phone end as contact_key,
    audiences.audience,
    audiences.reason_code,
    audiences.reason,
    cast(audiences.send_date as varchar) as send_date,
    audiences.priority
from marts.campaign_audiences as audiences
inner join staging.stg_shop__customers as contacts
    on audiences.customer_id = contacts.customer_id
where audiences.campaign_name = ? and not audiences.is_capped
    and not audiences.is_send_date_past
order by audiences.audience, audiences.channel, audiences.send_date,
    audiences.priority, audiences.customer_id
"""


CAMPAIGN_QUERY = """
select campaign_status, cast(as_of_date as varchar)
from intermediate.int_campaign_resolved
where campaign_name = ?
"""


def campaign_status(database: Path, campaign: str) -> tuple[str, str] | None:
    """(campaign_status, as_of_date) of the resolved campaign, None if not built."""
    con = connect_for_reading(database)
    try:
        row = con.execute(CAMPAIGN_QUERY, [campaign]).fetchone()
    finally:
        con.close()
    return (row[0], row[1]) if row else None


@dataclass(frozen=True)
class AudienceFile:
    audience: str
    channel: str
    path: Path
    rows: int


def mask_contact(contact: str | None, channel: str) -> str:
    """Hide most of a contact key: j***@example.com, 138****0001."""
    if not contact:
        return ""
    if channel == "email" and "@" in contact:
        local, domain = contact.split("@", 1)
        return f"{local[:1]}***@{domain}"
    if len(contact) <= 4:
        return "*" * len(contact)
    return f"{contact[:3]}{'*' * max(len(contact) - 7, 1)}{contact[-4:]}"


def _write_csv_atomically(target: Path, header: tuple[str, ...], rows: list) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    temporary = target.with_name(f".{target.name}.tmp")
    try:
        temporary.write_text(buffer.getvalue(), encoding="utf-8")
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)


def write_audiences(
    database: Path, campaign: str, out_dir: Path, include_contacts: bool = False
) -> list[AudienceFile]:
    """Write <campaign>__<audience>__<channel>.csv files and summary.csv."""
    con = connect_for_reading(database)
    try:
        rows = con.execute(AUDIENCE_QUERY, [campaign]).fetchall()
    finally:
        con.close()
    groups: dict[tuple[str, str], list[tuple]] = {}
    for row in rows:
        customer_id, channel, contact, *rest = row
        key = contact if include_contacts else mask_contact(contact, channel)
        audience = rest[0]
        groups.setdefault((audience, channel), []).append(
            (customer_id, channel, key, *rest)
        )
    out_dir.mkdir(parents=True, exist_ok=True)
    for stale in out_dir.glob(f"{campaign}__*.csv"):
        stale.unlink()
    written = []
    for (audience, channel), group in sorted(groups.items()):
        target = out_dir / f"{campaign}__{audience}__{channel}.csv"
        _write_csv_atomically(target, AUDIENCE_COLUMNS, group)
        written.append(AudienceFile(audience, channel, target, len(group)))
    _write_csv_atomically(
        out_dir / SUMMARY_NAME,
        ("campaign", "audience", "channel", "customers", "file"),
        [(campaign, f.audience, f.channel, f.rows, f.path.name) for f in written],
    )
    return written
