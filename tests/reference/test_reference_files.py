"""Consistency checks for the hand-written reference data in payesh/reference/data."""

import csv
import re
from pathlib import Path

import pycountry
import pytest

DATA = Path(__file__).resolve().parents[2] / "payesh" / "reference" / "data"

FILES = {
    "hs_sections.csv": ["section", "roman", "chapter_from", "chapter_to", "name_en", "name_fa"],
    "hs_chapters.csv": ["chapter", "section", "name_en", "name_fa"],
    "provinces.csv": ["code", "name_en", "name_fa", "capital_en", "capital_fa", "capital_lat",
                      "capital_lon", "borders", "coastal"],
    "counties.csv": ["code", "province_code", "name_en", "name_fa", "seat_en", "seat_fa", "lat", "lon",
                     "established"],
    "customs_offices.csv": ["code", "name_en", "name_fa", "kind", "province_code", "county_code",
                            "partner_iso3", "partner_crossing_en", "lat", "lon", "status", "opened",
                            "note_en", "note_fa"],
    "border_markets.csv": ["code", "name_en", "name_fa", "province_code", "county_code", "partner_iso3",
                           "partner_side_en", "lat", "lon", "status", "opened", "customs_office_code",
                           "note_en", "note_fa"],
    "agencies.csv": ["code", "name_en", "name_fa", "kind", "mandate_en", "mandate_fa"],
}
KEY = {"hs_sections.csv": "section", "hs_chapters.csv": "chapter"}
PERSIAN_COLUMNS = {"name_fa", "capital_fa", "seat_fa", "note_fa", "mandate_fa"}
ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV",
         "XV", "XVI", "XVII", "XVIII", "XIX", "XX", "XXI"]
NEIGHBOURS = {"AFG", "ARM", "AZE", "IRQ", "PAK", "TUR", "TKM"}


def load(name):
    with open(DATA / name, encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        assert reader.fieldnames == FILES[name], f"{name}: header {reader.fieldnames}"
        rows = list(reader)
    for i, row in enumerate(rows, 2):
        assert None not in row and None not in row.values(), f"{name}:{i}: wrong field count"
    return rows


@pytest.fixture(autouse=True)
def _lake():
    """Shadow the suite-wide autouse fixture of tests/conftest.py, which needs pytest-django.

    These checks read plain CSV files only, so they also run with ``-p no:django``."""
    return None


@pytest.fixture(scope="module")
def data():
    return {name: load(name) for name in FILES}


@pytest.mark.parametrize("name", sorted(FILES))
def test_parses_with_unique_codes(data, name):
    rows = data[name]
    assert rows, name
    key = KEY.get(name, "code")
    codes = [r[key] for r in rows]
    assert all(codes), f"{name}: empty {key}"
    assert len(codes) == len(set(codes)), f"{name}: duplicate {key}"
    raw = (DATA / name).read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf"), f"{name}: BOM"


def test_sections(data):
    rows = data["hs_sections.csv"]
    assert [int(r["section"]) for r in rows] == list(range(1, 22))
    assert [r["roman"] for r in rows] == ROMAN
    covered = []
    for r in rows:
        assert re.fullmatch(r"\d\d", r["chapter_from"]) and re.fullmatch(r"\d\d", r["chapter_to"])
        covered.extend(range(int(r["chapter_from"]), int(r["chapter_to"]) + 1))
    assert covered == list(range(1, 98)), "section ranges must tile chapters 01-97"
    xv = rows[14]
    assert (xv["chapter_from"], xv["chapter_to"]) == ("72", "83")


def test_chapters(data):
    rows = data["hs_chapters.csv"]
    assert [r["chapter"] for r in rows] == [f"{i:02d}" for i in range(1, 98)]
    ranges = {int(s["section"]): (int(s["chapter_from"]), int(s["chapter_to"]))
              for s in data["hs_sections.csv"]}
    for r in rows:
        lo, hi = ranges[int(r["section"])]
        assert lo <= int(r["chapter"]) <= hi, r["chapter"]
    assert "reserved" in next(r for r in rows if r["chapter"] == "77")["name_en"].lower()


def test_provinces_match_pycountry(data):
    rows = data["provinces.csv"]
    expected = {s.code for s in pycountry.subdivisions.get(country_code="IR")}
    assert len(rows) == 31
    assert {r["code"] for r in rows} == expected
    by_code = {r["code"]: r for r in rows}
    assert by_code["IR-11"]["name_en"] == "Sistan and Baluchestan"
    assert set(by_code["IR-11"]["borders"].split(";")) == {"PAK", "AFG"}
    for r in rows:
        assert r["coastal"] in ("true", "false")
        assert r["name_en"].isascii() and r["capital_en"].isascii()
        if r["borders"]:
            assert set(r["borders"].split(";")) <= NEIGHBOURS, r["code"]
    pak = [r["code"] for r in rows if "PAK" in r["borders"].split(";")]
    assert pak == ["IR-11"], "only Sistan and Baluchestan borders Pakistan"


def test_counties(data):
    provinces = {r["code"] for r in data["provinces.csv"]}
    rows = data["counties.csv"]
    for r in rows:
        assert r["province_code"] in provinces, r["code"]
        assert re.fullmatch(re.escape(r["province_code"]) + r"-\d\d", r["code"]), r["code"]
        if r["established"]:
            assert 1300 <= int(r["established"]) <= 1410
    assert {r["province_code"] for r in rows} == provinces, "every province needs a county"
    # codes follow alphabetical order of the English name within each province
    by_prov = {}
    for r in rows:
        by_prov.setdefault(r["province_code"], []).append(r)
    for p, items in by_prov.items():
        items.sort(key=lambda r: r["code"])
        assert [int(r["code"][-2:]) for r in items] == list(range(1, len(items) + 1)), p
        names = [r["name_en"].lower() for r in items]
        assert names == sorted(names), p
    sb = by_prov["IR-11"]
    assert len(sb) >= 20
    names = {r["name_en"] for r in sb}
    for required in ("Zahedan", "Mirjaveh", "Zabol", "Chabahar", "Saravan", "Iranshahr", "Khash",
                     "Konarak", "Dashtiari", "Rask", "Sarbaz", "Taftan", "Golshan"):
        assert required in names, required
    assert all(r["lat"] and r["lon"] for r in sb), "all IR-11 seats need coordinates"


def test_customs_offices(data):
    counties = {r["code"]: r for r in data["counties.csv"]}
    provinces = {r["code"] for r in data["provinces.csv"]}
    rows = data["customs_offices.csv"]
    codes = {r["code"] for r in rows}
    for required in ("ZAHEDAN", "MIRJAVEH", "CHABAHAR", "CHABAHAR_FZ", "RIMDAN", "PISHIN", "KUHAK",
                     "JALQ", "MILAK", "ZABOL", "MASHKEL", "KONARAK", "SHAHID_RAJAEE", "IKIA", "TEHRAN",
                     "BAZARGAN", "DOGHAROUN", "SARAKHS", "ASTARA", "BUSHEHR", "SHALAMCHEH",
                     "KHORRAMSHAHR", "MEHRAN", "BASHMAQ", "PARVIZ_KHAN", "BILEH_SAVAR", "INCHE_BORUN",
                     "MAHIROOD", "ANZALI", "AMIRABAD", "ISFAHAN", "SHIRAZ", "MASHHAD", "KERMAN", "YAZD",
                     "QESHM_FZ", "KISH_FZ", "LENGEH"):
        assert required in codes, required
    for r in rows:
        assert re.fullmatch(r"[A-Z][A-Z0-9_]*", r["code"]), r["code"]
        assert r["kind"] in {"customs_house", "border_crossing", "sea_port", "airport", "free_zone", "rail"}
        assert r["status"] in {"active", "closed", "planned"}
        assert r["province_code"] in provinces
        assert r["county_code"] in counties, r["code"]
        assert counties[r["county_code"]]["province_code"] == r["province_code"], r["code"]
        if r["partner_iso3"]:
            assert r["partner_iso3"] in NEIGHBOURS
        if r["opened"]:
            assert re.fullmatch(r"\d{4}-\d\d-\d\d", r["opened"])
    by_code = {r["code"]: r for r in rows}
    assert by_code["RIMDAN"]["opened"] == "2020-12-20"
    assert by_code["MIRJAVEH"]["partner_iso3"] == "PAK"
    assert by_code["MILAK"]["partner_iso3"] == "AFG"


def test_border_markets(data):
    counties = {r["code"]: r for r in data["counties.csv"]}
    offices = {r["code"] for r in data["customs_offices.csv"]}
    rows = data["border_markets.csv"]
    codes = {r["code"] for r in rows}
    for required in ("BM_MILAK", "BM_GOMSHAD", "BM_MIRJAVEH", "BM_KUHAK", "BM_MAND_PISHIN"):
        assert required in codes, required
    for r in rows:
        assert r["code"].startswith("BM_")
        assert r["status"] in {"active", "closed", "planned"}
        assert r["county_code"] in counties, r["code"]
        assert counties[r["county_code"]]["province_code"] == r["province_code"], r["code"]
        assert r["customs_office_code"] in offices, r["code"]
        assert r["partner_iso3"] in NEIGHBOURS
        if r["opened"]:
            assert re.fullmatch(r"\d{4}-\d\d-\d\d", r["opened"])
    mand = next(r for r in rows if r["code"] == "BM_MAND_PISHIN")
    assert counties[mand["county_code"]]["name_en"] == "Rask"
    assert "50 km" in mand["note_en"]


def test_sistan_baluchestan_units_are_in_ir11(data):
    counties = {r["code"]: r for r in data["counties.csv"]}
    for name in ("customs_offices.csv", "border_markets.csv"):
        for r in data[name]:
            if r["province_code"] == "IR-11":
                assert counties[r["county_code"]]["province_code"] == "IR-11", r["code"]
                assert r["county_code"].startswith("IR-11-"), r["code"]


def test_agencies(data):
    codes = {r["code"] for r in data["agencies.csv"]}
    for required in ("COMMERCE_ORG", "CUSTOMS", "AGRICULTURE", "FISHERIES", "STANDARDS", "CHAMBER",
                     "GOVERNORATE", "ROAD_TRANSPORT", "FREE_ZONE", "PORTS", "TPO", "BORDER_MARKETS",
                     "VETERINARY", "PLANT_PROTECTION", "CENTRAL_BANK_BRANCH", "EXPORT_GUARANTEE", "EDBI",
                     "COOPERATIVES", "BORDER_GUARD"):
        assert required in codes, required
    for r in data["agencies.csv"]:
        assert r["mandate_en"].count(".") >= 2 and r["mandate_fa"].count(".") >= 2, r["code"]


COORD_COLUMNS = {
    "provinces.csv": ("capital_lat", "capital_lon"),
    "counties.csv": ("lat", "lon"),
    "customs_offices.csv": ("lat", "lon"),
    "border_markets.csv": ("lat", "lon"),
}


@pytest.mark.parametrize("name", sorted(COORD_COLUMNS))
def test_coordinates_in_iran(data, name):
    lat_col, lon_col = COORD_COLUMNS[name]
    for r in data[name]:
        lat, lon = r[lat_col], r[lon_col]
        assert bool(lat) == bool(lon), f"{name} {r['code']}: half a coordinate"
        if not lat:
            assert name != "provinces.csv"
            continue
        assert re.fullmatch(r"-?\d+\.\d{4}", lat) and re.fullmatch(r"-?\d+\.\d{4}", lon)
        assert 25.0 <= float(lat) <= 40.0, f"{name} {r['code']}: lat {lat}"
        assert 44.0 <= float(lon) <= 63.5, f"{name} {r['code']}: lon {lon}"


@pytest.mark.parametrize("name", sorted(FILES))
def test_persian_text(data, name):
    columns = [c for c in FILES[name] if c in PERSIAN_COLUMNS]
    for r in data[name]:
        for c in columns:
            text = r[c]
            assert text, f"{name} {c}: empty"
            assert "\u064a" not in text and "\u0643" not in text, f"{name} {c}: Arabic yeh/kaf in {text!r}"
            assert not re.search(r"[A-Za-z]", text), f"{name} {c}: Latin letters in {text!r}"
            assert re.search(r"[\u0600-\u06ff]", text), f"{name} {c}: no Persian script"
