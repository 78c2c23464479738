"""KPIs: actuals from the cube with provenance, the /api/cube round trip, definitions refused by name,
pro-rating, status, projection, the history that a revised target never rewrites, reported KPIs."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from payesh.strategy import selectors, services
from payesh.strategy.kpis import cube_query, cube_string

pytestmark = pytest.mark.django_db

# The nine lines of tests/api/conftest.py: exports to Pakistan in the first 10 months of 1402 are
# D1 (19,200) + D2 (1,500); in 1401 only A1 (8,000 + 2,500), all in month 7; the newest month is 1402/10.
PAK_1402_10 = 20_700.0
PAK_1401 = 10_500.0


def test_computed_kpi_actual_comes_from_the_cube_with_its_provenance(doc, ledger_loaded) -> None:
    evaluation = selectors.kpi_evaluate(doc.k1)
    value = evaluation.value
    assert value is not None
    assert (value.year, value.months) == (1402, 10)
    assert value.actual == PAK_1402_10
    assert value.previous == PAK_1401
    assert value.cutoff == 140210
    assert value.batches == (ledger_loaded.id,)
    assert value.cube == "measures=exports_usd&cut=partner:PAK&year=1402&months=10"


def test_cube_string_asks_api_cube_the_same_question(doc, client) -> None:
    value = selectors.kpi_evaluate(doc.k1).value
    response = client.get(f"/api/cube?{value.cube}")
    assert response.status_code == 200, response.content
    rows = response.json()["data"]
    assert len(rows) == 1
    assert rows[0]["exports_usd"] == value.actual
    # The string parses back to the query the KPI ran.
    assert cube_query(value.cube) == cube_query(cube_string(doc.k1, year=1402, months=10))


def test_pro_rating_status_and_projection_follow_the_written_rule(doc) -> None:
    evaluation = selectors.kpi_evaluate(doc.k1)
    # Same 10 months of 1401 held all of 1401's exports to Pakistan: share 1.0, so the period target is
    # the whole 25,000 and attainment 20,700 / 25,000 = 0.828 → at risk (80–95 %).
    assert evaluation.value.seasonal_share == pytest.approx(1.0)
    assert evaluation.target == 25_000
    assert evaluation.target_period == pytest.approx(25_000)
    assert evaluation.attainment == pytest.approx(0.828)
    assert evaluation.status == "at_risk"
    assert evaluation.projection == pytest.approx(PAK_1402_10)  # actual ÷ share 1.0
    with translation.override("en"):
        assert "seasonal" in str(selectors.kpi_evaluate(doc.k1).projection_method)


def test_status_thresholds() -> None:
    assert selectors.kpi_status(None) == "no_data"
    assert selectors.kpi_status(0.95) == "on_track"
    assert selectors.kpi_status(0.9499) == "at_risk"
    assert selectors.kpi_status(0.80) == "at_risk"
    assert selectors.kpi_status(0.7999) == "off_track"
    assert selectors.kpi_attainment(50, 100, "down") == 2.0
    assert selectors.kpi_attainment(200, 100, "down") == 0.5


def test_linear_pro_rating_without_a_seasonal_share(doc, analyst) -> None:
    kpi = services.kpi_save(user=analyst, goal=doc.g1, data={
        "code": "K9", "name_en": "Exports to Afghanistan", "source": "computed", "unit": "USD",
        "measure": "exports_usd", "cuts": "partner:AFG"}, targets=[(1402, 12_000)])
    evaluation = selectors.kpi_evaluate(kpi)
    # No exports to Afghanistan in 1401: no share, so 10/12 of the target; actual 4,000 + 2,000 + 900.
    assert evaluation.value.seasonal_share is None
    assert evaluation.actual == 6_900
    assert evaluation.target_period == pytest.approx(10_000)
    assert evaluation.projection == pytest.approx(6_900 * 12 / 10)
    assert evaluation.status == "off_track"


@pytest.mark.parametrize("field, value, message", [
    ("cuts", "partnr:PAK", "partnr"),
    ("cuts", "partner:PAKX", "PAKX"),
    ("excludes", "chapter:99", "99"),
    ("cuts", "chapter:0804", "0804"),  # a heading is not a chapter
    ("measure", "exports", "exports"),
])
def test_kpi_on_an_unknown_level_or_member_is_refused_with_the_name(doc, analyst, field, value, message) -> None:
    data = {"code": "K8", "name_en": "Bad", "source": "computed", "unit": "USD", "measure": "exports_usd",
            field: value}
    with pytest.raises(ValidationError) as refused:
        services.kpi_save(user=analyst, goal=doc.g1, data=data)
    assert message in str(refused.value.message_dict)
    assert not doc.version.kpis.filter(code="K8").exists()


def test_targets_without_a_year_are_refused(doc, analyst) -> None:
    with pytest.raises(ValidationError) as refused:
        services.kpi_targets_set(user=analyst, kpi=doc.k1, targets=[(1402, 25_000), (None, 30_000)])
    assert "30000" in str(refused.value).replace(".0", "") and "year" in str(refused.value)
    assert list(doc.k1.targets.values_list("year", "value")) == [(1402, 25_000)]


def test_a_revised_target_adds_history_and_never_rewrites_it(doc, analyst) -> None:
    assert services.kpi_history_rebuild(kpi=doc.k1) == 10  # months 1 … 10 of 1402
    first = doc.k1.snapshots.get(year=1402, months=10)
    assert (first.actual, first.target, first.status) == (PAK_1402_10, 25_000, "at_risk")
    assert services.kpi_history_rebuild(kpi=doc.k1) == 0  # nothing changed: nothing added
    services.kpi_targets_set(user=analyst, kpi=doc.k1, targets=[(1402, 21_000)])
    assert services.kpi_history_rebuild(kpi=doc.k1) == 10
    rows = list(doc.k1.snapshots.filter(year=1402, months=10).order_by("computed_at", "id"))
    assert [(r.target, r.status) for r in rows] == [(25_000, "at_risk"), (21_000, "on_track")]


def test_reported_kpi_takes_the_last_accepted_report_of_its_agency(doc, analyst, focal_point) -> None:
    from payesh.reference.models import Agency

    kpi = services.kpi_save(user=analyst, goal=doc.g1, data={
        "code": "K7", "name_en": "Firms with packaging certificates", "source": "reported", "unit": "%",
        "agency": Agency.objects.get(code="AGRICULTURE"), "accumulates": False}, targets=[(1403, 40)])
    from payesh.core.models import User
    from tests.strategy.conftest import approve

    approve(doc, analyst, User.objects.create(username="m1", role="working_group"))
    import datetime as dt

    first = services.kpi_report_submit(user=focal_point, kpi=kpi, year=1403, months=12, value=30, text="count",
                                       reported_on=dt.date(2025, 4, 1))
    services.report_accept(user=analyst, report=first)
    second = services.kpi_report_submit(user=focal_point, kpi=kpi, year=1403, months=12, value=55, text="guess",
                                        reported_on=dt.date(2025, 5, 1))
    services.report_return(user=analyst, report=second, reason="Send the registry extract.")
    evaluation = selectors.kpi_evaluate(kpi)
    assert evaluation.actual == 30  # the returned 55 does not count
    assert evaluation.value.report_id == first.pk
    assert evaluation.target_period == 40  # a share is not pro-rated
    assert evaluation.status == "off_track"  # 30 / 40 = 0.75


def test_a_new_load_adds_to_the_kpi_history_without_a_command(doc, analyst, tmp_path) -> None:
    from payesh.ledger import services as ledger
    from tests.api.conftest import LEDGER

    assert services.kpi_history_rebuild(kpi=doc.k1) == 10
    before = doc.k1.snapshots.filter(year=1402, months=10).count()
    # One more export to Pakistan in Dey 1402 (month 10): a new declaration in a new file.
    lines = LEDGER.splitlines()
    header = lines[0]
    columns = header.split(",")
    row = dict(zip(columns, next(line for line in lines if ",D1,1," in line).split(","), strict=True))
    assert row["flow"] == "export" and row["partner"] == "PAK", row
    row["declaration_id"], row["line_no"], row["value_usd"] = "EXTRA-1", "1", "1000"
    path = tmp_path / "extra.csv"
    path.write_text(header + "\n" + ",".join(row[c] for c in columns) + "\n", encoding="utf-8")
    batch = ledger.batch_ingest(path=path, user=analyst)
    assert batch.status == "active", batch.message_en
    rows = list(doc.k1.snapshots.filter(year=1402, months=10).order_by("computed_at", "id"))
    assert len(rows) == before + 1
    assert rows[-1].actual - rows[-2].actual == 1000
