"""Shared builders for the ledger core tests (plain functions, no conftest)."""

from __future__ import annotations

import csv
from pathlib import Path

from payesh.ledger.core import ReferenceCodes

HEADER = ["flow", "declaration_date", "declaration_id", "line_no", "customs_office", "channel",
          "border_market", "partner", "origin_province", "origin_county", "hs_code", "hs_revision",
          "quantity", "unit", "net_weight_kg", "value_usd", "value_rial", "rial_per_usd",
          "transport_mode"]


def make_codes() -> ReferenceCodes:
    hs = frozenset({"100630", "252329", "080410", "070200", "271112", "10", "1006"})
    return ReferenceCodes(
        hs_codes={"HS17": hs, "HS22": hs | {"850760"}, "HS92": frozenset({"100630", "252329"})},
        countries=frozenset({"IRN", "PAK", "AFG", "CHN", "ARE", "IND"}),
        country_iso2={"IR": "IRN", "PK": "PAK", "AF": "AFG", "CN": "CHN", "AE": "ARE", "IN": "IND"},
        country_m49={364: "IRN", 586: "PAK", 4: "AFG", 156: "CHN", 784: "ARE", 356: "IND"},
        # BACI and Comtrade number India 699 (M49: 356); the readers use these tables, never M49.
        source_countries={source: {"364": "IRN", "586": "PAK", "4": "AFG", "156": "CHN", "784": "ARE",
                                   "699": "IND", "0": "WLD"} for source in ("baci", "comtrade")},
        country_names_fa={"پاکستان": "PAK", "افغانستان": "AFG", "چین": "CHN",
                          "امارات متحده عربی": "ARE", "هند": "IND"},
        customs_offices=frozenset({"MIRJAVEH", "ZAHEDAN", "CHABAHAR", "PISHIN"}),
        customs_office_names_fa={"میرجاوه": "MIRJAVEH", "زاهدان": "ZAHEDAN", "چابهار": "CHABAHAR",
                                 "پیشین": "PISHIN"},
        border_markets=frozenset({"MILAK", "KUHAK"}),
        border_market_names_fa={"میلک": "MILAK", "کوهک": "KUHAK"},
        provinces=frozenset({"IR-11", "IR-07"}),
        province_names_fa={"سیستان و بلوچستان": "IR-11", "تهران": "IR-07"},
        counties=frozenset({"IR-11-05", "IR-11-01"}),
        county_names_fa={("IR-11", "زاهدان"): "IR-11-01", ("IR-11", "سراوان"): "IR-11-05"},
    )


def good_row(i: int, **overrides: object) -> dict[str, object]:
    row: dict[str, object] = {
        "flow": "export" if i % 3 else "import",
        "declaration_date": f"2023-{(i % 12) + 1:02d}-{(i % 28) + 1:02d}",
        "declaration_id": f"D{i // 3:07d}",
        "line_no": i % 3 + 1,
        "customs_office": "MIRJAVEH",
        "channel": "customs",
        "border_market": "",
        "partner": "PAK",
        "origin_province": "IR-11",
        "origin_county": "",
        "hs_code": "25232900",
        "hs_revision": "HS17",
        "quantity": 1000 + i,
        "unit": "kg",
        "net_weight_kg": 1000 + i,
        "value_usd": 50 + i % 7,
        "value_rial": "",
        "rial_per_usd": "",
        "transport_mode": "road",
    }
    row.update(overrides)
    return row


def write_csv(path: Path, rows: list[dict[str, object]], header: list[str] | None = None,
              encoding: str = "utf-8") -> Path:
    header = header or HEADER
    with open(path, "w", newline="", encoding=encoding) as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for row in rows:
            writer.writerow([row.get(h, "") for h in HEADER][: len(header)])
    return path


def count_facts(lake) -> int:  # type: ignore[no-untyped-def]
    from payesh.ledger.core import duckdb_connect

    con = duckdb_connect()
    try:
        lake.create_facts_view(con)
        return int(con.execute("SELECT count(*) FROM facts").fetchone()[0])
    finally:
        con.close()
