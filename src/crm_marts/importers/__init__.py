"""Importers: turn a shop platform's own export into the files of the data contract.

`crm-marts import shopify` reads Shopify's standard orders export; `crm-marts import
mapping` reads any other CSV export through a YAML mapping file. Both write the
contract's CSV files (orders, order_items, products, customers) into a folder that
`crm-marts load` or `crm-marts run --data` then reads like any other export.
"""

from __future__ import annotations

from crm_marts.importers.common import ImportResult
from crm_marts.importers.mapping import import_mapping
from crm_marts.importers.shopify import import_shopify

__all__ = ["ImportResult", "import_mapping", "import_shopify"]
