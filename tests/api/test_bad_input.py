"""Bad input is a 400 naming the parameter, never a 5xx: control characters (a NUL used to end the SQL
string early and answer 500) and members that do not exist, on /api/cube, /api/facts and the pages
that take the cube's parameters (the explorer and the declaration lines)."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

Case = tuple[dict[str, str], str, str | None]
NUL_CUTS: list[Case] = [
    ({"cut": "partner:PAK\x00"}, "cut", "U+0000"),
    ({"cut": "partner:PAK\x00' OR '1'='1"}, "cut", "U+0000"),
    ({"cut": "flow:export", "exclude": "partner:\x00AFG"}, "exclude", "U+0000"),
    ({"cut": "part\x00ner:PAK"}, "cut", "U+0000"),
    ({"cut": "partner:PAK\x1f"}, "cut", "U+001F"),
    ({"year": "1402\x00"}, "year", None),
]
UNKNOWN_MEMBERS: list[Case] = [
    ({"cut": "partner:ZZZ"}, "cut", "partner (Partner) has no member 'ZZZ'"),
    ({"cut": "partner:PAK,XXX"}, "cut", "has no member 'XXX'"),
    ({"exclude": "office:ATLANTIS"}, "exclude", "office (Customs office) has no member 'ATLANTIS'"),
    ({"cut": "origin_county:IR-11-99"}, "cut", "origin_county (County of origin) has no member 'IR-11-99'"),
    ({"cut": "border_market:BM_NOWHERE"}, "cut", "border_market (Border market) has no member"),
    ({"cut": "channel:smuggling"}, "cut", "channel (Channel) has no member 'smuggling'"),
]


def _assert_names(response, parameter: str, fragment: str | None) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["parameter"] == parameter
    if fragment:
        assert fragment in body["detail"]


@pytest.mark.parametrize(("params", "parameter", "fragment"), NUL_CUTS + UNKNOWN_MEMBERS)
def test_cube_refuses_naming_the_parameter(client, ledger_loaded, params, parameter, fragment) -> None:  # type: ignore[no-untyped-def]
    _assert_names(client.get("/api/cube", {"measures": "value_usd", **params}), parameter, fragment)


@pytest.mark.parametrize(("params", "parameter", "fragment"), NUL_CUTS + UNKNOWN_MEMBERS)
def test_facts_refuse_naming_the_parameter(client, ledger_loaded, bearer, params, parameter, fragment) -> None:  # type: ignore[no-untyped-def]
    _assert_names(client.get("/api/facts", params, headers=bearer), parameter, fragment)


@pytest.mark.parametrize(("params", "parameter"), [
    ({"measures": "value_usd\x00"}, "measures"),
    ({"drilldowns": "partner\x00"}, "drilldowns"),
    ({"sort": "-value_usd\x00", "drilldowns": "partner"}, "sort"),
    ({"locale": "en\x00"}, "locale"),
    ({"format": "csv\x00"}, "format"),
    ({"hs_revision": "HS12\x00"}, "hs_revision"),
])
def test_a_control_character_in_any_cube_parameter_is_a_400(client, ledger_loaded, params, parameter) -> None:  # type: ignore[no-untyped-def]
    _assert_names(client.get("/api/cube", params), parameter, None)


def test_a_known_member_still_answers(client, ledger_loaded) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/api/cube", {"measures": "exports_usd", "cut": "partner:PAK,AFG;office:MIRJAVEH",
                                        "year": "1402"})
    assert response.status_code == 200
    assert response.json()["data"][0]["exports_usd"] == 19200 + 4000 + 2000 + 900


@pytest.mark.parametrize("params", [
    {"cut": "partner:PAK\x00"},
    {"cut": "flow:export", "exclude": "partner:\x00"},
    {"m": "value_usd\x00"},
    {"cut": "partner:PAK", "year": "1402\x00"},
])
def test_the_explorer_page_refuses_a_nul_with_a_400(client, ledger_loaded, params) -> None:  # type: ignore[no-untyped-def]
    response = client.get(reverse("monitoring:explorer"), params)
    assert response.status_code == 400
    assert "U+0000" in response.content.decode()


def test_the_declaration_lines_page_refuses_a_nul_with_a_400(client_for, viewer, ledger_loaded) -> None:  # type: ignore[no-untyped-def]
    response = client_for(viewer).get(reverse("monitoring:facts"), {"cut": "partner:PAK\x00"})
    assert response.status_code == 400
    assert "U+0000" in response.content.decode()
