"""Every monitoring page in Persian and English, with the synthetic demo ledger; charts drawn."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import set_language, shot

pytestmark = pytest.mark.browser

PAGES = [
    ("monitoring-overview", "/monitoring/", "#chart-trend"),
    ("monitoring-through-origin", "/monitoring/through-origin/", "#chart-sankey"),
    ("monitoring-partners", "/monitoring/partners/", "#chart-partners"),
    ("monitoring-products", "/monitoring/products/", "#chart-treemap"),
    ("monitoring-offices", "/monitoring/offices/", "#chart-markets"),
    ("monitoring-origin", "/monitoring/origin/", "#chart-provinces"),
    ("monitoring-explorer", "/monitoring/explorer/?m=value_usd&m=weight_t&d=partner&cut=flow:export", "#chart-result"),
]


@pytest.mark.parametrize("language", ["fa", "en"])
@pytest.mark.parametrize("name, path, chart", PAGES)
def test_monitoring_page_renders_with_its_chart(page, server_url: str, language: str, name: str, path: str,
                                               chart: str) -> None:
    set_language(page, server_url, language)
    response = page.goto(server_url + path)
    assert response is not None and response.status == 200
    assert page.get_attribute("html", "dir") == ("rtl" if language == "fa" else "ltr")
    page.wait_for_selector(f"{chart} .main-svg", timeout=30_000)  # Plotly drew it
    assert page.get_by_test_id("synthetic").count() == 1
    shot(page, f"{name}-{language}")


def test_overview_headline_names_the_period_and_the_province(page, server_url: str) -> None:
    set_language(page, server_url, "en")
    page.goto(server_url + "/monitoring/?year=1402&months=9")
    text = page.get_by_test_id("headlines").inner_text()
    assert re.search(r"In the first 9 months of 1402, goods worth \$[\d.]+ (bn|M)", text), text
    assert "produced in the province" in text
    set_language(page, server_url, "fa")
    page.goto(server_url + "/monitoring/?year=1402&months=9")
    assert "۹ ماه نخست سال ۱۴۰۲" in page.get_by_test_id("headlines").inner_text()


def test_a_shared_link_restores_the_view_and_downloads_work(page, server_url: str) -> None:
    set_language(page, server_url, "en")
    page.goto(server_url + "/monitoring/partners/?year=1401&months=6&scope=origin&flow=import")
    assert page.locator("select[name=year]").input_value() == "1401"
    assert page.locator("select[name=months]").input_value() == "6"
    assert page.locator("select[name=scope]").input_value() == "origin"
    assert page.locator("select[name=flow]").input_value() == "import"
    with page.expect_download() as download:
        page.get_by_test_id("table-partners").get_by_role("link", name="CSV").click()
    assert download.value.suggested_filename == "payesh-partners-partners.csv"


def test_explorer_cell_leads_to_the_declaration_lines(page, server_url: str) -> None:
    set_language(page, server_url, "fa")
    page.goto(server_url + "/accounts/login/")
    page.fill("#id_username", "viewer")
    page.fill("#id_password", "payesh-viewer-2026")
    page.click("button.primary")
    page.wait_for_url(server_url + "/")
    page.goto(server_url + "/monitoring/explorer/?m=value_usd&d=office&cut=flow:export;office_province:IR-11")
    page.get_by_test_id("facts-link").first.click()
    page.wait_for_selector("[data-testid=facts-table]")
    assert "SYN-" in page.get_by_test_id("facts-table").inner_text()
    shot(page, "monitoring-facts-fa")


def test_empty_lake_shows_an_explicit_empty_state(page, server_url: str) -> None:
    set_language(page, server_url, "en")
    page.goto(server_url + "/monitoring/?year=1390")
    assert page.locator("body").inner_text()  # a year without data renders (zeros), not an error
