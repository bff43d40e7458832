"""The HTML report: built from the exports alone, the same bytes every time, and
drawn by a real browser (headless Chromium) offline, without errors.

Chromium is Debian's (`apt-get install -y chromium`), driven by Playwright
through its `executable_path`: Playwright never downloads a browser here. CI sets
CRM_MARTS_REQUIRE_BROWSER=1, so a missing Chromium fails there; a developer
without it gets a skip that says how to install it.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import yaml
from conftest import run_cli

from crm_marts.errors import InputError
from crm_marts.export import export_marts
from crm_marts.report import PANELS, REPORT_MARTS, Exports, render_report, write_report

ROOT = Path(__file__).resolve().parents[2]
if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext

REQUIRE_BROWSER_ENV = "CRM_MARTS_REQUIRE_BROWSER"
# Flags that let Chromium start in a container and keep it off the network.
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Share of an element's pixels that differ from white for it to count as drawn.
MIN_INK_SHARE = 0.01
INK_SHARE_SCRIPT = """
async (png) => {
    const image = new Image();
    image.src = "data:image/png;base64," + png;
    await image.decode();
    const canvas = document.createElement("canvas");
    canvas.width = image.width;
    canvas.height = image.height;
    const context = canvas.getContext("2d");
    context.drawImage(image, 0, 0);
    const pixels = context.getImageData(0, 0, image.width, image.height).data;
    let ink = 0;
    for (let i = 0; i < pixels.length; i += 4) {
        if (pixels[i] < 235 || pixels[i + 1] < 235 || pixels[i + 2] < 235) ink++;
    }
    return ink / (pixels.length / 4);
}
"""


@dataclass
class RenderedPage:
    console: list[tuple[str, str]]
    page_errors: list[str]
    outside_requests: list[str]
    charts: int
    drawn_charts: int
    chart_ink: dict[str, float]
    page_ink: float
    unavailable: dict[str, str]


def _chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path:
        return path
    message = (
        "headless Chromium is not installed: `apt-get install -y chromium` "
        "(Debian/Ubuntu) to run the report's browser test"
    )
    if os.environ.get(REQUIRE_BROWSER_ENV) == "1":
        pytest.fail(f"{message} ({REQUIRE_BROWSER_ENV}=1: required here).")
    pytest.skip(f"{message}; CI sets {REQUIRE_BROWSER_ENV}=1 and fails instead.")


def open_in_chromium(report: Path) -> RenderedPage:
    """Open the report offline in headless Chromium and measure what it drew."""
    from playwright.sync_api import sync_playwright

    executable = _chromium()
    console: list[tuple[str, str]] = []
    page_errors: list[str] = []
    outside: list[str] = []
    with (
        tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile,
        sync_playwright() as playwright,
    ):
        context = playwright.chromium.launch_persistent_context(
            profile,
            executable_path=executable,
            headless=True,
            offline=True,
            args=CHROMIUM_FLAGS,
            viewport={"width": 1280, "height": 900},
        )
        try:
            page = context.new_page()
            page.on(
                "console", lambda message: console.append((message.type, message.text))
            )
            page.on("pageerror", lambda error: page_errors.append(str(error)))
            page.on(
                "request",
                lambda request: (
                    None
                    if request.url.startswith(("file:", "data:"))
                    else outside.append(request.url)
                ),
            )
            page.goto(report.as_uri())
            page.wait_for_selector("body[data-charts-rendered=true]", timeout=60_000)
            charts = page.locator("div.chart")
            chart_ink = {}
            for index in range(charts.count()):
                chart = charts.nth(index)
                key = chart.get_attribute("id") or str(index)
                chart_ink[key] = _ink_share(context, chart.screenshot())
            page_ink = _ink_share(context, page.screenshot(full_page=True))
            unavailable = {
                element.get_attribute("id") or "": element.inner_text()
                for element in page.locator("div.unavailable").all()
            }
            rendered = RenderedPage(
                console=console,
                page_errors=page_errors,
                outside_requests=outside,
                charts=charts.count(),
                drawn_charts=page.locator("div.chart svg.marks").count(),
                chart_ink=chart_ink,
                page_ink=page_ink,
                unavailable=unavailable,
            )
        finally:
            context.close()
    return rendered


def _ink_share(context: BrowserContext, png: bytes) -> float:
    """Share of non-white pixels of a PNG, decoded by the browser's canvas."""
    scratch = context.new_page()
    try:
        return float(scratch.evaluate(INK_SHARE_SCRIPT, base64.b64encode(png).decode()))
    finally:
        scratch.close()


def _assert_clean(page: RenderedPage) -> None:
    assert page.page_errors == []
    assert [m for m in page.console if m[0] in ("error", "warning")] == []
    assert page.outside_requests == [], "the report must not load anything"
    assert page.page_ink > MIN_INK_SHARE
    blank = {key: ink for key, ink in page.chart_ink.items() if ink < MIN_INK_SHARE}
    assert not blank, f"charts drawn blank: {blank}"


def _remove_predictions(exports: Path) -> None:
    """Take customer_predictions out of an export (as an older export lacks it)."""
    (exports / "customer_predictions.parquet").unlink()
    manifest = json.loads((exports / "manifest.json").read_text())
    manifest["marts"] = [
        mart for mart in manifest["marts"] if mart["mart"] != "customer_predictions"
    ]
    (exports / "manifest.json").write_text(json.dumps(manifest))


@pytest.fixture(scope="module")
def sample_exports(built_sample_shop: tuple[Path, Path], tmp_path_factory) -> Path:
    """A private copy of the sample's Parquet exports (tests add files to it)."""
    copy = tmp_path_factory.mktemp("sample_exports")
    _, exports = built_sample_shop
    for path in exports.iterdir():
        if path.suffix in (".parquet", ".json"):
            shutil.copy2(path, copy / path.name)
    return copy


def test_report_draws_every_chart_offline_with_the_clv_distribution(
    sample_exports: Path,
) -> None:
    page = open_in_chromium(write_report(sample_exports))
    _assert_clean(page)
    assert len(PANELS) == 10
    assert page.charts == page.drawn_charts == 10
    assert page.unavailable == {}
    assert "chart-clv" in page.chart_ink


def test_report_without_predictions_says_clv_is_not_available(
    sample_exports: Path, tmp_path: Path
) -> None:
    exports = tmp_path / "exports"
    shutil.copytree(sample_exports, exports)
    _remove_predictions(exports)
    page = open_in_chromium(write_report(exports, tmp_path / "report.html"))
    _assert_clean(page)
    # Ten panels; without customer_predictions the CLV one is a note.
    assert page.charts == page.drawn_charts == 9
    assert list(page.unavailable) == ["chart-clv"]
    assert "Not available" in page.unavailable["chart-clv"]
    assert "customer_predictions" in page.unavailable["chart-clv"]


def test_report_of_a_tiny_shop_still_draws_cleanly(
    built_broken_shop: Path, tmp_path: Path
) -> None:
    # Four customers, one interval, no churn yet: thin data must not break a chart.
    export_marts(built_broken_shop, tmp_path, "parquet")
    page = open_in_chromium(write_report(tmp_path))
    _assert_clean(page)
    assert page.charts == page.drawn_charts == 9


def test_report_is_the_same_bytes_for_the_same_exports(sample_exports: Path) -> None:
    first, second = render_report(sample_exports), render_report(sample_exports)
    assert first == second
    manifest = json.loads((sample_exports / "manifest.json").read_text())
    assert f"as of <strong>{manifest['as_of_date']}</strong>" in first
    assert f"built {manifest['built_at']}" in first
    # Everything inline: no script, style sheet or image fetched from anywhere.
    assert "<script src" not in first
    assert "<link" not in first
    assert 'src="http' not in first


def test_each_panel_says_what_to_do(sample_exports: Path) -> None:
    page = render_report(sample_exports)
    assert page.count("<strong>What to do:</strong>") == len(PANELS)


def test_report_needs_parquet_exports(built_broken_shop: Path, tmp_path: Path) -> None:
    export_marts(built_broken_shop, tmp_path, "csv")
    with pytest.raises(InputError, match="reads Parquet exports"):
        render_report(tmp_path)


def test_report_without_exports_is_a_usage_error(tmp_path: Path) -> None:
    result = run_cli(
        "report", "--exports", str(tmp_path / "none"), database=tmp_path / "x.duckdb"
    )
    assert result.returncode == 2
    assert "crm-marts export" in result.stderr
    assert "Traceback" not in result.stderr


def test_run_writes_the_report_beside_the_exports(
    built_sample_shop: tuple[Path, Path],
) -> None:
    _, exports = built_sample_shop
    assert (exports / "report.html").read_text().startswith("<!DOCTYPE html>")


def test_the_crm_report_exposure_lists_the_marts_the_report_reads(
    sample_exports: Path,
) -> None:
    exposures = yaml.safe_load((ROOT / "models" / "_exposures.yml").read_text())
    (report,) = [e for e in exposures["exposures"] if e["name"] == "crm_report"]
    refs = {
        ref.removeprefix("ref('").removesuffix("')") for ref in report["depends_on"]
    }
    has_predictions = any((ROOT / "models").rglob("customer_predictions.sql"))
    expected = set(REPORT_MARTS) - (
        set() if has_predictions else {"customer_predictions"}
    )
    assert refs == expected
    exports = Exports(sample_exports)
    try:
        sources = {name for make in PANELS for name in make(exports).sources}
    finally:
        exports.close()
    assert sources <= set(REPORT_MARTS)
