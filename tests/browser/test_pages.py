"""Open every page of the foundation in Persian and English, as a person would, and keep screenshots."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import set_language, shot

pytestmark = pytest.mark.browser

PERSIAN_LETTERS = re.compile(r"[\u0600-\u06FF]")
# Latin words allowed on a Persian page: codes, the other language's switch, brand-free identifiers.
LATIN_WORD = re.compile(r"\b[A-Za-z][A-Za-z\-']{2,}\b")
ALLOWED_LATIN_ON_FA = {"English", "HS", "ISO", "ISO3", "ISO2", "payesh", "load-reference", "M49"}

PAGES = [
    ("home", "/"),
    ("login", "/accounts/login/"),
    ("reference", "/reference/"),
    ("reference-hs", "/reference/hs/?revision=HS22&level=2"),
    ("reference-counties", "/reference/counties/?province=IR-11"),
    ("reference-customs", "/reference/customs-offices/?province=IR-11"),
    ("reference-markets", "/reference/border-markets/"),
    ("reference-agencies", "/reference/agencies/"),
]


def _visible_text(page) -> str:  # type: ignore[no-untyped-def]
    return str(page.evaluate("() => document.body.innerText"))


@pytest.mark.parametrize("name, path", PAGES)
def test_page_in_persian_is_rtl_and_fully_translated(page, server_url: str, name: str, path: str) -> None:
    set_language(page, server_url, "fa")
    response = page.goto(server_url + path)
    assert response is not None and response.status == 200
    assert page.get_attribute("html", "dir") == "rtl"
    assert page.get_attribute("html", "lang") == "fa"
    font = page.evaluate("() => getComputedStyle(document.body).fontFamily")
    assert "Vazirmatn" in font
    shot(page, f"{name}-fa")
    chrome = page.locator("header, footer, main h1, main .lead, form, th, .card h3, .card p:not(.count)")
    text = " ".join(chrome.all_inner_texts())
    leftovers = {w for w in LATIN_WORD.findall(text) if w not in ALLOWED_LATIN_ON_FA}
    assert not leftovers, f"untranslated text on {path}: {sorted(leftovers)[:20]}"


@pytest.mark.parametrize("name, path", PAGES)
def test_page_in_english_is_ltr_without_persian_interface_text(page, server_url: str, name: str, path: str) -> None:
    set_language(page, server_url, "en")
    response = page.goto(server_url + path)
    assert response is not None and response.status == 200
    assert page.get_attribute("html", "dir") == "ltr"
    assert page.get_attribute("html", "lang") == "en"
    shot(page, f"{name}-en")
    chrome = page.locator("header nav, footer, main h1, main .lead, form label, th")
    text = " ".join(chrome.all_inner_texts())
    assert not PERSIAN_LETTERS.search(text.replace("فارسی", "")), text[:300]


def test_persian_home_shows_the_solar_hijri_date_in_persian_digits(page, server_url: str) -> None:
    set_language(page, server_url, "fa")
    page.goto(server_url + "/")
    today = page.locator(".today strong").inner_text()
    assert re.search(r"[۰-۹]+ (فروردین|اردیبهشت|خرداد|تیر|مرداد|شهریور|مهر|آبان|آذر|دی|بهمن|اسفند) [۰-۹]{4}", today)


def test_language_switch_button_flips_direction(page, server_url: str) -> None:
    set_language(page, server_url, "fa")
    page.goto(server_url + "/reference/")
    page.get_by_test_id("switch-en").click()
    page.wait_for_load_state()
    assert page.get_attribute("html", "dir") == "ltr"
    assert page.url.endswith("/reference/")
    page.get_by_test_id("switch-fa").click()
    page.wait_for_load_state()
    assert page.get_attribute("html", "dir") == "rtl"


@pytest.mark.parametrize("language, message", [("fa", "نام کاربری یا گذرواژه درست نیست"),
                                               ("en", "The username or password is not correct")])
def test_wrong_login_then_right_login(page, server_url: str, language: str, message: str) -> None:
    set_language(page, server_url, language)
    page.goto(server_url + "/accounts/login/")
    page.fill("#id_username", "analyst")
    page.fill("#id_password", "wrong-password")
    page.click("button.primary")
    assert message in page.get_by_test_id("login-error").inner_text()
    shot(page, f"login-error-{language}")
    page.fill("#id_username", "analyst")
    page.fill("#id_password", "payesh-analyst-2026")
    page.click("button.primary")
    page.wait_for_url(server_url + "/")
    assert "analyst" in page.locator(".who").inner_text().lower() or page.locator(".who").count() == 1


def test_administrator_opens_reference_data_in_the_persian_admin(page, server_url: str) -> None:
    set_language(page, server_url, "fa")
    page.goto(server_url + "/accounts/login/?next=/admin/reference/customsoffice/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", "payesh-admin-2026")
    page.click("button.primary")
    page.wait_for_url(re.compile(r".*/admin/reference/customsoffice/"))
    assert page.get_attribute("html", "dir") == "rtl"
    assert page.locator("#result_list").count() == 1
    assert "MIRJAVEH" in _visible_text(page)
    shot(page, "admin-customs-offices-fa")


@pytest.mark.parametrize("language, title", [("fa", "صفحه پیدا نشد"), ("en", "Page not found")])
def test_a_missing_page_is_a_404_in_the_site_language_with_its_navigation(page, server_url: str, language: str,
                                                                          title: str) -> None:
    set_language(page, server_url, language)
    response = page.goto(server_url + "/no-such-page/")
    assert response is not None and response.status == 404
    assert page.get_attribute("html", "lang") == language
    assert page.locator("main h1").inner_text() == title
    assert page.locator(".mainnav a").count() >= 3  # the site's own navigation, not Django's bare page
    shot(page, f"error-404-{language}")


def test_access_denied_is_persian_with_navigation(page, server_url: str) -> None:
    set_language(page, server_url, "fa")
    page.goto(server_url + "/accounts/login/")
    page.fill("#id_username", "viewer")
    page.fill("#id_password", "payesh-viewer-2026")
    page.click("button.primary")
    page.wait_for_url(server_url + "/")
    response = page.goto(server_url + "/ledger/upload/")
    assert response is not None and response.status == 403
    assert page.locator("main h1").inner_text() == "دسترسی مجاز نیست"
    assert page.locator(".mainnav a").count() >= 3
    shot(page, "error-403-fa")


def test_signing_in_keeps_the_language_of_the_sign_in_page(page, server_url: str) -> None:
    set_language(page, server_url, "en")
    page.goto(server_url + "/accounts/login/")
    assert page.get_attribute("html", "lang") == "en"
    page.get_by_test_id("switch-fa").click()
    page.wait_for_load_state()
    assert page.get_attribute("html", "lang") == "fa" and page.locator("main h1").inner_text() == "ورود"
    page.fill("#id_username", "member")
    page.fill("#id_password", "payesh-member-2026")
    page.click("button.primary")
    page.wait_for_url(server_url + "/")
    assert page.get_attribute("html", "lang") == "fa"
