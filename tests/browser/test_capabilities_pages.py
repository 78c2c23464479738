"""Capability mapping in a real browser: every page in Persian and English, the registry flow, screenshots."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import SCREENSHOTS, set_language, shot

pytestmark = pytest.mark.browser

LATIN_DIGIT = re.compile(r"[0-9]")
LATIN_WORD = re.compile(r"\b[A-Za-z][A-Za-z\-']{2,}\b")
ALLOWED_LATIN_ON_FA = {"HS", "RCA", "PCI", "ECI", "COG", "CSV", "Excel", "Parquet", "JSON", "English", "payesh",
                       "demo-data", "Growth", "Lab", "BACI", "CEPII", "Comtrade", "compute", "complexity"}
PAGES = [
    ("capabilities-index", "/capabilities/"),
    ("capabilities-province", "/capabilities/profile/IR-11/"),
    ("capabilities-county", "/capabilities/profile/IR-11-02/?strategy=low_hanging_fruit"),
    ("capabilities-registry", "/capabilities/registry/"),
    ("capabilities-new", "/capabilities/registry/new/"),
    ("capabilities-world", "/capabilities/world/"),
]


def _sign_in(page, server_url: str, username: str, password: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(server_url + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button.primary")
    page.wait_for_url(server_url + "/")


def _charts_drawn(page) -> int:  # type: ignore[no-untyped-def]
    count = page.locator(".chart[data-figure]").count()
    if count:
        page.wait_for_function(f"document.querySelectorAll('.chart[data-drawn]').length >= {count}", timeout=30_000)
    return int(count)


def _chart_texts(page) -> list[str]:  # type: ignore[no-untyped-def]
    """Every piece of text Plotly drew inside the page's charts (ticks, legends, labels, titles)."""
    return [str(t) for t in page.eval_on_selector_all(".chart svg text", "els => els.map(e => e.textContent)")]


# Pages with charts and the charts each must draw (ids of the page kit's Chart: #chart-<id>).
CHART_PAGES = [
    ("capabilities-index", "/capabilities/", ["#chart-map"]),
    ("capabilities-county", "/capabilities/profile/IR-11-02/", ["#chart-exports", "#chart-space",
                                                                 "#chart-opportunities"]),
    ("capabilities-province", "/capabilities/profile/IR-11/", ["#chart-exports", "#chart-space"]),
]


@pytest.mark.parametrize("language", ["fa", "en"])
@pytest.mark.parametrize("name, path, chart_ids", CHART_PAGES)
def test_capability_charts_are_drawn_and_legible(page, server_url: str, language: str, name: str, path: str,
                                                 chart_ids: list[str]) -> None:
    set_language(page, server_url, language)
    _sign_in(page, server_url, "member", "payesh-member-2026")
    page.goto(server_url + path)
    _charts_drawn(page)
    for chart in chart_ids:
        assert page.locator(f"{chart} .main-svg").first.is_visible(), f"{chart} not drawn on {path}"
    texts = _chart_texts(page)
    assert texts, "the charts drew no text at all"
    if language == "fa":
        latin = [t for t in texts if LATIN_DIGIT.search(t)]
        assert not latin, f"Latin digits in the Persian charts of {path}: {latin[:10]}"
    if "#chart-exports" in chart_ids:
        # Bars are drawn with a fill, and labelled by product name with the code second — never "HS 0804".
        bars = page.locator("#chart-exports .bars path")
        assert bars.count() > 0 and bars.first.is_visible()
        ticks = page.eval_on_selector_all("#chart-exports .ytick text", "els => els.map(e => e.textContent)")
        assert ticks and not any(re.fullmatch(r"(HS )?[0-9۰-۹]{4}", t.strip()) for t in ticks), ticks
        assert all(re.search(r"\(([0-9]{4}|[۰-۹]{4})\)", t) or "…" in t or "(" not in t for t in ticks)


@pytest.mark.parametrize("language", ["fa", "en"])
def test_county_profile_names_its_products(page, server_url: str, language: str) -> None:
    set_language(page, server_url, language)
    _sign_in(page, server_url, "member", "payesh-member-2026")
    page.goto(server_url + "/capabilities/profile/IR-11-02/")
    names = page.get_by_test_id("product-name").all_inner_texts()
    assert names, "the county exports nothing in the demo data"
    for name in names:
        assert re.search(r"[A-Za-z\u0600-\u06FF]{3}", name), f"a product shown without a name: {name!r}"
        assert not re.fullmatch(r"\s*[0-9۰-۹]{4}\s*", name)
    if language == "fa":
        # The demo county's main headings have Persian names in the reference data.
        assert any(re.search(r"[\u0600-\u06FF]{3}", n) for n in names), names[:5]


@pytest.mark.parametrize("language", ["fa", "en"])
@pytest.mark.parametrize("name, path", [(n, p) for n, p in [
    ("capabilities-index", "/capabilities/"), ("capabilities-county", "/capabilities/profile/IR-11-02/"),
    ("capabilities-registry", "/capabilities/registry/"), ("capabilities-world", "/capabilities/world/")]])
def test_capability_pages_fit_a_phone(browser, server_url: str, language: str, name: str, path: str) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=1, is_mobile=True,
                                  has_touch=True)
    page = context.new_page()
    try:
        set_language(page, server_url, language)
        _sign_in(page, server_url, "member", "payesh-member-2026")
        page.goto(server_url + path)
        _charts_drawn(page)
        width = page.evaluate("() => document.documentElement.scrollWidth")
        viewport = page.evaluate("() => window.innerWidth")
        assert width <= viewport, f"{path} is {width}px wide on a {viewport}px screen"
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{language}-390.png"), full_page=True)
    finally:
        context.close()


def test_download_links_use_the_one_convention_and_old_links_still_answer(page, server_url: str) -> None:
    set_language(page, server_url, "en")
    _sign_in(page, server_url, "member", "payesh-member-2026")
    page.goto(server_url + "/capabilities/profile/IR-11-02/")
    href = page.get_by_test_id("download-exports-csv").get_attribute("href") or ""
    assert "download=exports" in href and "format=csv" in href
    with page.expect_download() as new:
        page.get_by_test_id("download-exports-csv").click()
    assert re.fullmatch(r"payesh-capabilities-exports-ir-11-02-1[34]\d\d-balanced\.csv", new.value.suggested_filename)
    old = page.request.get(server_url + "/capabilities/profile/IR-11-02/?download=csv&table=exports")
    assert old.status == 200 and old.body() == open(new.value.path(), "rb").read()


@pytest.mark.parametrize("language", ["fa", "en"])
@pytest.mark.parametrize("name, path", PAGES)
def test_capability_page_in_both_languages(page, server_url: str, name: str, path: str, language: str) -> None:
    set_language(page, server_url, language)
    _sign_in(page, server_url, "focal", "payesh-focal-2026")
    response = page.goto(server_url + path)
    assert response is not None and response.status == 200
    assert page.get_attribute("html", "dir") == ("rtl" if language == "fa" else "ltr")
    _charts_drawn(page)
    shot(page, f"{name}-{language}")
    chrome = " ".join(page.locator("main h1, main .lead, main th, main h2, .cap-tabs a").all_inner_texts())
    if language == "fa":
        leftovers = {w for w in LATIN_WORD.findall(chrome) if w not in ALLOWED_LATIN_ON_FA}
        assert not leftovers, f"untranslated text on {path}: {sorted(leftovers)[:20]}"
    else:
        assert not re.search(r"[\u0600-\u06FF]", chrome), chrome[:300]


def test_county_page_shows_product_space_opportunities_and_no_fake_world_rca(page, server_url: str) -> None:
    set_language(page, server_url, "en")
    _sign_in(page, server_url, "analyst", "payesh-analyst-2026")
    page.goto(server_url + "/capabilities/profile/IR-11-02/")
    _charts_drawn(page)
    assert page.get_by_test_id("exports").is_visible()
    assert page.get_by_test_id("opportunities").locator("tbody tr").count() > 0
    assert page.locator("#product-space .main-svg").count() > 0
    assert "load world data to see this" in page.get_by_test_id("world-missing").inner_text()
    page.get_by_test_id("strategy-long_jumps").click()
    page.wait_for_load_state()
    assert "strategy=long_jumps" in page.url


@pytest.mark.parametrize("language", ["fa", "en"])
def test_focal_point_enters_and_analyst_reviews_a_capacity(browser, server_url: str, language: str) -> None:  # type: ignore[no-untyped-def]
    focal = browser.new_context(viewport={"width": 1280, "height": 900})
    page = focal.new_page()
    set_language(page, server_url, language)
    _sign_in(page, server_url, "focal", "payesh-focal-2026")
    page.goto(server_url + "/capabilities/registry/new/")
    page.select_option("#id_county", "IR-11-02")
    page.select_option("#id_kind", "production")
    page.select_option("#id_hs_revision", "HS12")
    page.fill("#id_hs_code", "080410")
    page.fill("#id_description", "Dates (Mazafati), Chabahar" if language == "en" else "خرمای مضافتی چابهار")
    page.fill("#id_quantity", "45000")
    page.select_option("#id_unit", "t")
    page.fill("#id_year", "1402")
    page.fill("#id_source", "Agriculture Jihad survey" if language == "en" else "پیمایش جهاد کشاورزی")
    shot(page, f"capabilities-form-filled-{language}")
    page.click("button.primary")
    page.wait_for_url(re.compile(r".*/capabilities/registry/\d+/$"))
    detail_url = page.url
    page.get_by_test_id("submit").click()
    page.wait_for_load_state()
    shot(page, f"capabilities-submitted-{language}")
    focal.close()

    reviewer = browser.new_context(viewport={"width": 1280, "height": 900})
    page = reviewer.new_page()
    set_language(page, server_url, language)
    _sign_in(page, server_url, "analyst", "payesh-analyst-2026")
    page.goto(detail_url)
    page.fill("#approve-note", "Checked against the survey." if language == "en" else "با پیمایش تطبیق داده شد.")
    page.get_by_test_id("approve").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("status").inner_text() == ("Approved" if language == "en" else "تأییدشده")
    assert page.get_by_test_id("history").locator("tbody tr").count() == 3
    shot(page, f"capabilities-detail-history-{language}")
    page.goto(server_url + "/capabilities/profile/IR-11-02/#gap")
    _charts_drawn(page)
    assert page.get_by_test_id("gap").locator("tbody tr").count() >= 1
    shot(page, f"capabilities-county-gap-{language}")
    reviewer.close()
