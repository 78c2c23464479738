"""Every monitoring page in Persian and English, as a person sees it: charts drawn and readable,
sankey bands visible, Persian digits in Persian charts, filters that stay, a phone-sized layout."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import SCREENSHOTS, set_language, shot

pytestmark = pytest.mark.browser

PAGES = [
    ("monitoring-overview", "/monitoring/", "#chart-trend"),
    ("monitoring-through-origin", "/monitoring/through-origin/", "#chart-sankey"),
    ("monitoring-partners", "/monitoring/partners/", "#chart-partners"),
    ("monitoring-products", "/monitoring/products/", "#chart-treemap"),
    ("monitoring-offices", "/monitoring/offices/", "#chart-markets"),
    ("monitoring-origin", "/monitoring/origin/", "#chart-provinces"),
    ("monitoring-explorer", "/monitoring/explorer/?m=value_usd&m=weight_t&d=partner", "#chart-result"),
]
LATIN_DIGIT = re.compile(r"[0-9]")


def _chart_texts(page) -> list[str]:  # type: ignore[no-untyped-def]
    """Every piece of text Plotly drew inside the page's charts (ticks, legends, labels, titles)."""
    return [str(t) for t in page.eval_on_selector_all(".chart svg text", "els => els.map(e => e.textContent)")]


@pytest.mark.parametrize("language", ["fa", "en"])
@pytest.mark.parametrize("name, path, chart", PAGES)
def test_monitoring_page_renders_its_charts_legibly(page, server_url: str, language: str, name: str, path: str,
                                                   chart: str) -> None:
    set_language(page, server_url, language)
    response = page.goto(server_url + path)
    assert response is not None and response.status == 200
    assert page.get_attribute("html", "dir") == ("rtl" if language == "fa" else "ltr")
    page.wait_for_selector(f"{chart} .main-svg", timeout=30_000)  # Plotly drew it
    assert page.get_by_test_id("synthetic").count() == 1
    # The page says what it shows and how far the data goes.
    showing = page.get_by_test_id("showing").inner_text()
    assert ("داده تا" if language == "fa" else "Data up to") in showing
    texts = _chart_texts(page)
    assert texts, "the chart drew no text at all"
    if language == "fa":
        latin = [t for t in texts if LATIN_DIGIT.search(t)]
        assert not latin, f"Latin digits in the Persian charts of {path}: {latin[:10]}"
        assert "Select an option" not in page.locator("body").inner_text()
    shot(page, f"{name}-{language}")


@pytest.mark.parametrize("language", ["fa", "en"])
def test_sankey_bands_have_a_visible_colour(page, server_url: str, language: str) -> None:
    set_language(page, server_url, language)
    page.goto(server_url + "/monitoring/through-origin/?year=1403")
    page.wait_for_selector("#chart-sankey .sankey-link", timeout=30_000)
    links = page.eval_on_selector_all(
        "#chart-sankey .sankey-link",
        "els => els.map(e => { const s = getComputedStyle(e); return [s.fill, parseFloat(s.fillOpacity)]; })")
    assert len(links) > 5
    for fill, opacity in links:
        assert fill not in ("rgb(255, 255, 255)", "white", "none"), fill
        assert opacity > 0.2, opacity
    assert len({fill for fill, _o in links}) > 3  # coloured by their source, not one colour for all


def test_switching_tabs_and_language_keeps_the_filters(page, server_url: str) -> None:
    set_language(page, server_url, "en")
    page.goto(server_url + "/monitoring/")
    page.select_option("select[name=year]", "1402")
    page.select_option("select[name=months]", "6")
    page.select_option("select[name=scope]", "national")
    page.select_option("select[name=flow]", "import")
    page.get_by_test_id("filters").get_by_role("button").click()
    page.wait_for_load_state()
    page.get_by_test_id("monitoring-tabs").get_by_role("link", name="Partners", exact=True).click()
    page.wait_for_load_state()
    assert "/monitoring/partners/" in page.url
    for name, value in (("year", "1402"), ("months", "6"), ("scope", "national"), ("flow", "import")):
        assert page.locator(f"select[name={name}]").input_value() == value, name
    assert "the first 6 months of 1402" in page.get_by_test_id("showing").inner_text()
    # The language switch keeps them too, and a tab without parameters still shows them.
    page.get_by_test_id("switch-fa").click()
    page.wait_for_load_state()
    assert page.get_attribute("html", "dir") == "rtl"
    assert page.locator("select[name=scope]").input_value() == "national"
    page.goto(server_url + "/monitoring/products/")
    assert page.locator("select[name=months]").input_value() == "6"
    assert page.locator("select[name=flow]").input_value() == "import"


def test_overview_headline_names_the_period_and_the_province(page, server_url: str) -> None:
    set_language(page, server_url, "en")
    page.goto(server_url + "/monitoring/?year=1402&months=9&scope=through&flow=export")
    text = page.get_by_test_id("headlines").inner_text()
    assert re.search(r"In the first 9 months of 1402, goods worth \$[\d.]+ (bn|M)", text), text
    assert "produced in the province" in text
    set_language(page, server_url, "fa")
    page.goto(server_url + "/monitoring/?year=1402&months=9")
    headline = page.get_by_test_id("headlines").inner_text()
    assert "۹ ماه نخست سال ۱۴۰۲" in headline and not re.search(r"[A-Za-z]", headline)


def test_origin_scope_says_imports_are_not_applicable(page, server_url: str) -> None:
    set_language(page, server_url, "fa")
    page.goto(server_url + "/monitoring/?year=1402&scope=origin&flow=export")
    kpis = page.get_by_test_id("kpis").inner_text()
    assert kpis.count("قابل محاسبه نیست") >= 2
    shot(page, "monitoring-overview-origin-scope-fa")


def test_a_shared_link_restores_the_view_and_downloads_work(page, server_url: str) -> None:
    set_language(page, server_url, "en")
    page.goto(server_url + "/monitoring/partners/?year=1401&months=6&scope=origin&flow=export")
    assert page.locator("select[name=year]").input_value() == "1401"
    assert page.locator("select[name=months]").input_value() == "6"
    assert page.locator("select[name=scope]").input_value() == "origin"
    with page.expect_download() as download:
        page.get_by_test_id("table-partners").get_by_role("link", name="CSV").click()
    assert download.value.suggested_filename == "payesh-exports-partners-1401-06.csv"


@pytest.mark.parametrize("language", ["fa", "en"])
def test_products_breadcrumb_names_levels_and_goes_up(page, server_url: str, language: str) -> None:
    set_language(page, server_url, language)
    page.goto(server_url + "/monitoring/products/?year=1403&level=chapter&parent=5")
    crumbs = page.get_by_test_id("product-path")
    assert ("همه بخش‌ها" if language == "fa" else "All sections") in crumbs.inner_text()
    assert not re.search(r"›\s*\d+\s*$", crumbs.inner_text())  # a name, not a bare code
    page.wait_for_selector("#chart-treemap .main-svg", timeout=30_000)
    shot(page, f"monitoring-products-chapters-{language}")
    page.get_by_test_id("level-up").click()
    page.wait_for_load_state()
    assert "level=section" in page.url


@pytest.mark.parametrize("language", ["fa", "en"])
@pytest.mark.parametrize("name, path, chart", PAGES)
def test_phone_layout_is_no_wider_than_the_screen(browser, server_url: str, language: str, name: str, path: str,
                                                  chart: str) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=1, is_mobile=True,
                                  has_touch=True)
    page = context.new_page()
    try:
        set_language(page, server_url, language)
        page.goto(server_url + path)
        page.wait_for_selector(f"{chart} .main-svg", timeout=30_000)
        width = page.evaluate("() => document.documentElement.scrollWidth")
        viewport = page.evaluate("() => window.innerWidth")
        assert width <= viewport, f"{path} is {width}px wide on a {viewport}px screen"
        assert page.locator(".mainnav").is_hidden()  # the menu folds behind its button
        page.get_by_test_id("menu-button").click()
        assert page.locator(".mainnav").is_visible()
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{language}-390.png"), full_page=True)
    finally:
        context.close()


def test_explorer_cell_leads_to_the_declaration_lines(page, server_url: str) -> None:
    # An analyst sees the declarations' identity (docs/access-policy.md: a viewer sees the lines without it).
    set_language(page, server_url, "fa")
    page.goto(server_url + "/accounts/login/")
    page.fill("#id_username", "analyst")
    page.fill("#id_password", "payesh-analyst-2026")
    page.click("button.primary")
    page.wait_for_url(server_url + "/")
    page.goto(server_url + "/monitoring/explorer/?m=value_usd&d=office&scope=through&flow=export")
    page.get_by_test_id("facts-link").first.click()
    page.wait_for_selector("[data-testid=facts-table]")
    assert "SYN-" in page.get_by_test_id("facts-table").inner_text()
    shot(page, "monitoring-facts-fa")


def test_explorer_picks_a_member_by_its_persian_name_and_pivots_months(page, server_url: str) -> None:
    set_language(page, server_url, "fa")
    page.goto(server_url + "/monitoring/explorer/?m=value_usd&d=partner&d=month&cl=partner&cv=پاکستان"
                           "&from=140301&to=140306&pivot=month")
    page.wait_for_selector("#chart-result .main-svg", timeout=30_000)
    headers = page.locator("[data-testid=table-result] th").all_inner_texts()
    assert headers[0] == "کشور طرف تجاری" and headers[1:] == ["فروردین ۱۴۰۳", "اردیبهشت ۱۴۰۳", "خرداد ۱۴۰۳",
                                                              "تیر ۱۴۰۳", "مرداد ۱۴۰۳", "شهریور ۱۴۰۳"]
    assert "تجارت از گمرکات استان" in page.get_by_test_id("showing").inner_text()
    shot(page, "monitoring-explorer-pivot-fa")
    page.goto(server_url + "/monitoring/explorer/?m=value_usd&d=partner&cl=partner&cv=Pakstan")
    assert "Pakstan" in page.get_by_test_id("error").inner_text()


def test_empty_year_says_no_data_instead_of_a_fall(page, server_url: str) -> None:
    set_language(page, server_url, "en")
    page.goto(server_url + "/monitoring/?year=1390")
    kpis = page.get_by_test_id("kpis").inner_text()
    assert "No data has been loaded for this period yet." in kpis and "100" not in kpis
