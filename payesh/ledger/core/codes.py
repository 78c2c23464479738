"""Reference codes that validation needs, handed in by the caller (the Django side fills them)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class ReferenceCodes:
    """Everything validation looks up. Frozen: built once per load from the reference tables.

    ``hs_codes`` maps a revision (``HS17``) to its set of codes; 6-digit subheadings are required,
    2-digit chapters and 4-digit headings may be included to accept aggregated sources.
    Persian-name maps are keyed by the *normalised* name (see :func:`numerals.normalize_name`).
    """

    hs_codes: Mapping[str, frozenset[str]] = field(default_factory=dict)
    countries: frozenset[str] = frozenset()
    country_iso2: Mapping[str, str] = field(default_factory=dict)
    country_m49: Mapping[int, str] = field(default_factory=dict)
    #: Each aggregated source's own country codes → ISO3 (or a Payesh area code such as ``WLD``):
    #: ``{"baci": {"842": "USA", "251": "FRA", …}, "comtrade": {…}, "atlas": {…}}``. BACI and
    #: Comtrade differ from M49 for several countries, so readers never fall back on ``country_m49``.
    source_countries: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    country_names_fa: Mapping[str, str] = field(default_factory=dict)
    customs_offices: frozenset[str] = frozenset()
    customs_office_names_fa: Mapping[str, str] = field(default_factory=dict)
    border_markets: frozenset[str] = frozenset()
    border_market_names_fa: Mapping[str, str] = field(default_factory=dict)
    provinces: frozenset[str] = frozenset()
    province_names_fa: Mapping[str, str] = field(default_factory=dict)
    counties: frozenset[str] = frozenset()
    county_names_fa: Mapping[tuple[str, str], str] = field(default_factory=dict)

    def hs_rows(self) -> list[tuple[str, str]]:
        return [(rev, code) for rev, codes in self.hs_codes.items() for code in codes]
