from __future__ import annotations

from django.db.utils import DatabaseError

from payesh.reference import models as ref


def reference_counts() -> dict[str, int]:
    """Row counts of every reference table (zeros before the first load or migration)."""
    tables = {
        "countries": ref.Country, "country_groups": ref.CountryGroup, "hs_sections": ref.HSSection,
        "hs_products": ref.HSProduct, "hs_concordance": ref.HSConcordance, "provinces": ref.Province,
        "counties": ref.County, "customs_offices": ref.CustomsOffice, "border_markets": ref.BorderMarket,
        "agencies": ref.Agency,
    }
    try:
        return {name: model._default_manager.count() for name, model in tables.items()}
    except DatabaseError:
        return dict.fromkeys(tables, 0)
