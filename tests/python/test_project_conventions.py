"""House rules that dbt itself does not check."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
MACRO_DEFINITION = re.compile(r"{%-?\s*(macro|test)\s+(\w+)\s*\(")


def _defined_macros() -> dict[str, Path]:
    defined = {}
    for path in sorted((ROOT / "macros").rglob("*.sql")):
        for kind, name in MACRO_DEFINITION.findall(path.read_text()):
            full_name = f"test_{name}" if kind == "test" else name
            defined[full_name] = path
    return defined


def test_every_macro_is_documented() -> None:
    documented = {
        entry["name"]
        for entry in yaml.safe_load((ROOT / "macros" / "_macros.yml").read_text())[
            "macros"
        ]
    }
    undocumented = [
        name
        for name in _defined_macros()
        if name not in documented and "__" not in name
    ]
    assert not undocumented, f"add these to macros/_macros.yml: {undocumented}"


def test_macro_file_is_named_after_its_macro() -> None:
    for name, path in _defined_macros().items():
        if "__" in name:
            continue
        assert path.stem in (name, name.removeprefix("test_")), (name, path)


def test_every_model_has_a_yml_beside_it() -> None:
    documented = set()
    for path in (ROOT / "models").rglob("*.yml"):
        for model in (yaml.safe_load(path.read_text()) or {}).get("models", []):
            documented.add(model["name"])
    models = {path.stem for path in (ROOT / "models").rglob("*.sql")}
    assert not models - documented, sorted(models - documented)


def test_models_reading_the_fit_are_tagged() -> None:
    # crm-marts build runs `tag:prediction_fit+` after the fit (predictions.py):
    # a model reading the fit var without the tag would be built before it.
    tagged = set()
    for path in (ROOT / "models").rglob("*.yml"):
        for model in (yaml.safe_load(path.read_text()) or {}).get("models", []):
            if "prediction_fit" in (model.get("config") or {}).get("tags", []):
                tagged.add(model["name"])
    readers = {
        path.stem
        for path in (ROOT / "models").rglob("*.sql")
        if "var('prediction_fit')" in path.read_text()
    }
    assert readers == {"prediction_parameters"}
    assert readers <= tagged
