"""Capability mapping in a real browser: every page in Persian and English, the registry flow, screenshots."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import set_language, shot

pytestmark = pytest.mark.browser

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


def _charts_drawn(page) -> None:  # type: ignore[no-untyped-def]
    count = page.locator(".chart[data-figure]").count()
    if count:
        page.wait_for_function(f"document.querySelectorAll('.chart[data-drawn]').length >= {count}", timeout=30_000)


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
