"""Audience files and the consent rule, over randomly drawn generated shops."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import random
from pathlib import Path

import duckdb
import pytest
from conftest import run_cli

from crm_marts.audiences import mask_contact, write_audiences
from crm_marts.generate import generate_shop

# Each run draws its own shops and as-of dates; the seed is printed on failure.
DRAW_SEED = random.SystemRandom().randrange(1_000_000)
AUDIENCE_MARTS = "+campaign_audiences +payment_reminders +nurture_touchpoints"


def test_mask_contact_hides_most_of_the_key() -> None:
    assert mask_contact("jane.doe@example.com", "email") == "j***@example.com"
    assert mask_contact("13812345678", "sms") == "138****5678"
    assert mask_contact("123", "phone") == "***"
    assert mask_contact(None, "sms") == ""


@pytest.fixture(scope="module", params=[0, 1], ids=["shop_a", "shop_b"])
def random_shop(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, Path, str]:
    """A small generated shop with a random seed, built as of a random date."""
    draw = random.Random(DRAW_SEED + request.param)
    seed = draw.randrange(1_000_000)
    as_of = dt.date(2025, 1, 1) + dt.timedelta(days=draw.randrange(360))
    workdir = tmp_path_factory.mktemp(f"shop_{seed}")
    shop, database = workdir / "shop", workdir / "crm.duckdb"
    generate_shop(shop, customers=1_500, seed=seed)
    assert run_cli("load", str(shop), database=database).returncode == 0
    built = run_cli(
        "build",
        "--select",
        AUDIENCE_MARTS,
        "--as-of",
        as_of.isoformat(),
        # Any as-of date in the year: the next Double 11 within the window.
        "--vars",
        "{campaign_lead_window_days: 366}",
        database=database,
    )
    assert built.returncode == 0, (
        f"draw seed {DRAW_SEED}: " + built.stdout[-3000:] + built.stderr
    )
    return shop, database, f"draw seed {DRAW_SEED}, shop seed {seed}, as of {as_of}"


def _consent_from_raw_file(shop: Path) -> dict[str, dict[str, bool]]:
    """Consent read straight from the raw customers file, not from the models."""
    with (shop / "customers.csv").open(newline="") as handle:
        return {
            row["customer_id"]: {
                "email": row["accepts_email"] == "true",
                "sms": row["accepts_sms"] == "true",
                "phone": row["accepts_phone"] == "true",
                "unsubscribed": bool(row["unsubscribed_at"]),
            }
            for row in csv.DictReader(handle)
        }


def test_no_audience_reaches_a_customer_without_consent(
    random_shop: tuple[Path, Path, str],
) -> None:
    shop, database, label = random_shop
    consent = _consent_from_raw_file(shop)
    con = duckdb.connect(str(database), read_only=True)
    rows = []
    for mart in ("campaign_audiences", "payment_reminders", "nurture_touchpoints"):
        rows += [
            (mart, customer_id, channel)
            for customer_id, channel in con.execute(
                f"select customer_id, channel from marts.{mart}"
            ).fetchall()
        ]
    con.close()
    assert rows, label
    violations = [
        row
        for row in rows
        if consent[row[1]]["unsubscribed"]
        or (row[2] in ("email", "sms", "phone") and not consent[row[1]][row[2]])
    ]
    assert not violations, (label, violations[:5])


def test_audience_files_are_masked_stable_and_uncapped(
    random_shop: tuple[Path, Path, str], tmp_path: Path
) -> None:
    _, database, label = random_shop
    first = write_audiences(database, "double11", tmp_path / "a")
    second = write_audiences(database, "double11", tmp_path / "b")
    digest = lambda path: hashlib.sha256(path.read_bytes()).hexdigest()  # noqa: E731
    assert [digest(f.path) for f in first] == [digest(f.path) for f in second]
    con = duckdb.connect(str(database), read_only=True)
    (uncapped,) = con.execute(
        "select count(*) from marts.campaign_audiences "
        "where not is_capped and not is_send_date_past"
    ).fetchone()
    con.close()
    assert sum(f.rows for f in first) == uncapped, label
    for audience_file in first:
        with audience_file.path.open(newline="") as handle:
            rows = list(csv.DictReader(handle))
        assert len(rows) == audience_file.rows
        assert all("*" in row["contact_key"] for row in rows)
        assert {row["channel"] for row in rows} == {audience_file.channel}
    # An as-of date after every send date of the campaign leaves nothing to send
    # (checked above: no files, no uncapped rows).
    real = write_audiences(database, "double11", tmp_path / "c", include_contacts=True)
    for audience_file in real:
        with audience_file.path.open(newline="") as handle:
            rows = list(csv.DictReader(handle))
        assert not any("*" in row["contact_key"] for row in rows)
