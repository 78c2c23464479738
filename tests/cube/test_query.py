"""``CubeQuery.parse`` / ``to_params``: a shared URL restores the exact question; errors name the parameter."""

from __future__ import annotations

import pytest

from payesh.cube.query import CubeError, CubeQuery, Cut, Period
from tests.cube.questions import QUESTIONS


@pytest.mark.parametrize("params", [q.params for q in QUESTIONS], ids=[q.id for q in QUESTIONS])
def test_round_trip_of_the_standard_questions(params: dict[str, str]) -> None:
    query = CubeQuery.parse(params)
    again = CubeQuery.parse(query.to_params())
    assert again == query
    assert again.to_params() == query.to_params()
    assert hash(again) == hash(query)  # the SQL cache is keyed by the query


def test_round_trip_of_everything() -> None:
    query = CubeQuery(
        measures=("value_usd", "weight_t", "unit_value"), drilldowns=("partner", "chapter"),
        cuts=(Cut("flow", ("export",)), Cut("partner", ("PAK", "AFG")), Cut("channel", ("free_zone",), exclude=True)),
        period=Period(140104, 140203), compare="previous_year", sort="-weight_t", top=7, other=True, limit=50,
        offset=10, hs_revision="HS22")
    assert CubeQuery.parse(query.to_params()) == query
    assert query.to_params() == {
        "measures": "value_usd,weight_t,unit_value", "drilldowns": "partner,chapter",
        "cut": "flow:export;partner:PAK,AFG", "exclude": "channel:free_zone", "from": "140104", "to": "140203",
        "compare": "previous_year", "sort": "-weight_t", "top": "7", "other": "true", "limit": "50",
        "offset": "10", "hs_revision": "HS22"}


def test_parse_reads_query_string_lists_and_spaces() -> None:
    query = CubeQuery.parse({"measures": " exports_usd , imports_usd ", "cut": ["flow:export", "partner:PAK;"],
                             "exclude": "border_market:BM_MILAK", "year": ["1401", "1402"], "months": "6"})
    assert query.measures == ("exports_usd", "imports_usd")
    assert query.cuts == (Cut("flow", ("export",)), Cut("partner", ("PAK",)),
                          Cut("border_market", ("BM_MILAK",), exclude=True))
    assert (query.period.start, query.period.end) == (140201, 140206)  # the last value of a repeated parameter


def test_periods() -> None:
    assert CubeQuery.parse({"year": "1402"}).period == Period(140201, 140212)
    assert CubeQuery.parse({"rolling": "140203"}).period == Period(140104, 140203)
    assert CubeQuery.parse({"rolling": "140212"}).period == Period(140201, 140212)
    assert CubeQuery.parse({"from": "140105"}).period == Period(140105, None)
    assert CubeQuery.parse({}).period == Period()
    assert Period.year(1402, 9).shifted(-1) == Period(140101, 140109)


@pytest.mark.parametrize(("params", "parameter", "fragment"), [
    ({"measures": "value_usd,gdp"}, "measures", "unknown measure 'gdp'"),
    ({"measures": ","}, "measures", "at least one measure"),
    ({"drilldowns": "partner,county"}, "drilldowns", "unknown level 'county'"),
    ({"drilldowns": "partner,partner"}, "drilldowns", "given twice"),
    ({"cut": "partner"}, "cut", "level:value1,value2"),
    ({"exclude": "flow"}, "exclude", "level:value1,value2"),
    ({"cut": "country:PAK"}, "cuts", "unknown level 'country'"),
    ({"cut": "partner:"}, "cuts", "has no values"),
    ({"year": "1402.5"}, "year", "not a whole number"),
    ({"year": "2024"}, "year", "not between 1300 and 1500"),
    ({"year": "1402", "months": "13"}, "months", "not between 1 and 12"),
    ({"months": "9"}, "months", "needs year="),
    ({"from": "140213"}, "from", "Solar Hijri year and month"),
    ({"to": "140200"}, "to", "Solar Hijri year and month"),
    ({"rolling": "14021"}, "rolling", "not between"),
    ({"from": "140205", "to": "140201"}, "from", "after to=140201"),
    ({"compare": "previous_year"}, "compare", "needs a period"),
    ({"year": "1402", "compare": "last_month"}, "compare", "previous_year"),
    ({"sort": "-weight_t"}, "sort", "'weight_t' is neither"),
    ({"top": "0"}, "top", "between 1 and 10000"),
    ({"top": "ten"}, "top", "not a whole number"),
    ({"other": "yes"}, "other", "true or false"),
    ({"limit": "100001"}, "limit", "between 1 and 100000"),
    ({"offset": "-1"}, "offset", "between 0"),
    ({"hs_revision": "HS17"}, "hs_revision", "HS92, HS12, HS22"),
])
def test_errors_name_the_parameter(params: dict[str, str], parameter: str, fragment: str) -> None:
    with pytest.raises(CubeError) as caught:
        CubeQuery.parse(params)
    assert caught.value.parameter == parameter
    assert fragment in caught.value.message
    assert str(caught.value).startswith(f"{parameter}: ")
