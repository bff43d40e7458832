"""Fetch the CDNOW reference data the prediction tests check the fitter against.

    python scripts/fetch_reference_data.py      # `make reference-data` runs this

The lifetimes 0.11.3 wheel ships the CDNOW summaries of Fader, Hardie & Lee (2005)
and Fader & Hardie (2013). This downloads that one wheel with pip (pinned, hash
checked by pip and again here; lifetimes itself is never installed: its
dependencies are too old), and extracts the two CSV files into
data/reference/lifetimes-0.11.3/ (git-ignored). A second run finds them there and
does nothing.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REFERENCE_DIR = ROOT / "data" / "reference" / "lifetimes-0.11.3"
REQUIREMENT = "lifetimes==0.11.3"
WHEEL_SHA256 = "261e3dc89977c2b60767ca6728aaa29d429de0c814635070a749c36555895da8"
MEMBERS = (
    "lifetimes/datasets/cdnow_customers_summary.csv",
    "lifetimes/datasets/cdnow_customers_summary_with_transactions.csv",
)


def fetch(reference_dir: Path = REFERENCE_DIR) -> list[Path]:
    """The extracted CSV files, downloading the wheel only when one is missing."""
    targets = [reference_dir / Path(member).name for member in MEMBERS]
    if all(target.is_file() for target in targets):
        return targets
    reference_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as download_dir:
        requirements = Path(download_dir) / "requirements.txt"
        requirements.write_text(f"{REQUIREMENT} --hash=sha256:{WHEEL_SHA256}\n")
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--quiet",
                "--no-deps",
                "--only-binary=:all:",
                "--require-hashes",
                "--requirement",
                str(requirements),
                "--dest",
                download_dir,
            ],
            check=True,
        )
        (wheel,) = Path(download_dir).glob("*.whl")
        digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
        if digest != WHEEL_SHA256:
            raise SystemExit(f"{wheel.name}: sha256 {digest}, expected {WHEEL_SHA256}")
        with zipfile.ZipFile(wheel) as archive:
            for member, target in zip(MEMBERS, targets, strict=True):
                temporary = target.with_name(f".{target.name}.tmp")
                temporary.write_bytes(archive.read(member))
                temporary.replace(target)
    return targets


def main() -> None:
    for path in fetch():
        print(f"reference data: {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
