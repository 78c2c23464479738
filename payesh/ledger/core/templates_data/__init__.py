"""Example rows of the canonical layout. The downloadable template (CSV and XLSX, English or Persian
headers) is written from them by payesh.core.exporters (payesh.ledger.selectors.canonical_template)."""

from __future__ import annotations

EXAMPLE_ROWS = [
    {"flow": "export", "declaration_date": "2023-10-07", "declaration_id": "1402-000123", "line_no": 1,
     "customs_office": "MIRJAVEH", "channel": "customs", "partner": "PAK", "origin_province": "IR-11",
     "hs_code": "25232900", "hs_revision": "HS22", "net_weight_kg": 30000, "value_usd": 1500,
     "transport_mode": "road"},
    {"flow": "export", "declaration_date": "1402/07/16", "declaration_id": "1402-000124", "line_no": 1,
     "customs_office": "MILAK", "channel": "border_market", "border_market": "BM_MILAK", "partner": "AFG",
     "hs_code": "080410", "hs_revision": "HS22", "net_weight_kg": 2000, "value_usd": 1800,
     "transport_mode": "road"},
]
