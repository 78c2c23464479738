"""Upload → live progress → report → withdraw → restore, in a real browser against the real worker."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.browser.conftest import SCREENSHOTS, set_language, shot
from tests.ledger.test_ledger_web import BAD, HEADER

pytestmark = pytest.mark.browser


def _sign_in(page, server_url: str, username: str, password: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(server_url + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button.primary")
    page.wait_for_url(server_url + "/")


def _good_file(tmp_path: Path, rows: int) -> Path:
    lines = [HEADER.strip()]
    for i in range(rows):
        lines.append(f"export,2023-{i % 12 + 1:02d}-{i % 28 + 1:02d},BR{i:07d},1,MIRJAVEH,customs,,PAK,IR-11,,"
                     f"080410,HS12,1000,kg,1000,{800 + i % 50},road")
    path = tmp_path / "browser-good.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("language", ["fa", "en"])
def test_ledger_pages_in_both_languages(page, server_url: str, language: str) -> None:
    set_language(page, server_url, language)
    _sign_in(page, server_url, "analyst", "payesh-analyst-2026")
    page.goto(server_url + "/ledger/")
    assert page.get_attribute("html", "dir") == ("rtl" if language == "fa" else "ltr")
    shot(page, f"ledger-list-{language}")
    page.get_by_test_id("upload-link").click()
    page.wait_for_url(re.compile(r".*/ledger/upload/"))
    shot(page, f"ledger-upload-{language}")


def test_upload_progress_report_withdraw_restore(page, server_url: str, tmp_path: Path) -> None:
    set_language(page, server_url, "fa")
    _sign_in(page, server_url, "analyst", "payesh-analyst-2026")

    bad = tmp_path / "browser-bad.csv"
    bad.write_text(BAD, encoding="utf-8")
    page.goto(server_url + "/ledger/upload/")
    page.set_input_files("input[type=file]", str(bad))
    page.click("button.primary")
    page.wait_for_url(re.compile(r".*/ledger/batches/.+/"))
    page.wait_for_selector("[data-testid=issues]", timeout=60_000)
    assert "partner_unknown" in page.get_by_test_id("issues").inner_text()
    assert page.get_by_test_id("batch-status").inner_text() == "ردشده"
    shot(page, "ledger-batch-rejected-fa")
    with page.expect_download() as download:
        page.get_by_test_id("report-csv").click()
    assert "partner_unknown" in Path(download.value.path()).read_text(encoding="utf-8-sig")

    page.goto(server_url + "/ledger/upload/")
    page.set_input_files("input[type=file]", str(_good_file(tmp_path, 200_000)))
    page.click("button.primary")
    page.wait_for_url(re.compile(r".*/ledger/batches/.+/"))
    if page.get_by_test_id("progress").count():
        shot(page, "ledger-batch-progress-fa")
    page.wait_for_selector("[data-testid=withdraw]", timeout=120_000)
    assert page.get_by_test_id("rows-loaded").inner_text() == "۲۰۰٬۰۰۰"
    shot(page, "ledger-batch-loaded-fa")
    batch_url = page.url
    # Withdrawing asks first; cancelling leaves the batch active.
    page.get_by_test_id("withdraw").click()
    page.wait_for_selector("[data-testid=withdraw-confirm]")
    assert page.get_by_test_id("confirm-withdraw").is_visible()
    assert "۲۰۰٬۰۰۰" in page.get_by_test_id("withdraw-confirm").inner_text()  # says how many rows disappear
    shot(page, "ledger-withdraw-confirm-fa")
    page.get_by_test_id("cancel-withdraw").click()
    page.wait_for_url(batch_url)
    assert page.get_by_test_id("batch-status").inner_text() == "بارگذاری‌شده"
    assert page.get_by_test_id("withdraw").is_visible()
    page.get_by_test_id("withdraw").click()
    page.get_by_test_id("confirm-withdraw").click()
    page.wait_for_selector("[data-testid=restore]")
    assert page.get_by_test_id("batch-status").inner_text() == "بازپس‌گرفته"
    page.get_by_test_id("restore").click()
    page.wait_for_selector("[data-testid=withdraw]")
    shot(page, "ledger-batch-restored-fa")


@pytest.mark.parametrize("language", ["fa", "en"])
def test_withdraw_asks_for_confirmation_and_cancel_keeps_the_batch(page, server_url: str, tmp_path: Path,
                                                                    language: str) -> None:
    set_language(page, server_url, language)
    _sign_in(page, server_url, "analyst", "payesh-analyst-2026")
    path = _good_file(tmp_path, 40)
    # Declarations of their own per language: a row loaded by another batch is never counted twice.
    path.write_text(path.read_text(encoding="utf-8").replace(",BR", f",{language.upper()}"), encoding="utf-8")
    page.goto(server_url + "/ledger/upload/")
    page.set_input_files("input[type=file]", str(path))
    page.click("button.primary")
    page.wait_for_url(re.compile(r".*/ledger/batches/.+/"))
    page.wait_for_selector("[data-testid=withdraw]", timeout=120_000)
    batch_url = page.url
    active = "بارگذاری‌شده" if language == "fa" else "loaded"
    assert page.get_by_test_id("batch-status").inner_text() == active
    if language == "fa":  # Solar Hijri dates with Persian digits
        assert re.search(r"۱۴[۰-۹]{2}/[۰-۹]{2}/[۰-۹]{2}", page.locator("dl.facts").inner_text())
    shot(page, f"ledger-batch-{language}")
    page.get_by_test_id("withdraw").click()
    confirm = page.get_by_test_id("withdraw-confirm")
    confirm.wait_for()
    assert confirm.is_visible() and page.get_by_test_id("confirm-withdraw").is_visible()
    shot(page, f"ledger-withdraw-confirm-{language}")
    page.get_by_test_id("cancel-withdraw").click()
    page.wait_for_url(batch_url)
    assert page.get_by_test_id("batch-status").inner_text() == active


@pytest.mark.parametrize("language", ["fa", "en"])
@pytest.mark.parametrize("name, path", [("ledger-list", "/ledger/"), ("reference-index", "/reference/"),
                                        ("reference-hs", "/reference/hs/?revision=HS92&level=4"),
                                        ("reference-counties", "/reference/counties/"),
                                        ("reference-offices", "/reference/customs-offices/")])
def test_ledger_and_reference_pages_fit_a_phone(browser, server_url: str, language: str, name: str,  # type: ignore[no-untyped-def]
                                                path: str) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=1, is_mobile=True,
                                  has_touch=True)
    page = context.new_page()
    try:
        set_language(page, server_url, language)
        _sign_in(page, server_url, "analyst", "payesh-analyst-2026")
        page.goto(server_url + path)
        width = page.evaluate("() => document.documentElement.scrollWidth")
        viewport = page.evaluate("() => window.innerWidth")
        assert width <= viewport, f"{path} is {width}px wide on a {viewport}px screen"
        if language == "fa" and name.startswith("reference-") and name != "reference-index":
            cells = " ".join(page.locator("table.data tbody").all_inner_texts())
            assert cells and not re.search(r"[0-9]", cells.replace("HS92", "").replace("HS12", "").replace(
                "HS22", "")), cells[:200]  # Persian digits in every number and code
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{language}-390.png"), full_page=True)
    finally:
        context.close()


@pytest.mark.parametrize("language", ["fa", "en"])
def test_reference_pages_in_both_languages(page, server_url: str, language: str) -> None:
    set_language(page, server_url, language)
    _sign_in(page, server_url, "analyst", "payesh-analyst-2026")
    page.goto(server_url + "/reference/hs/?revision=HS92&level=4&q=0804")
    row = page.locator("table.data tbody tr").first.inner_text()
    assert ("۰۸۰۴" if language == "fa" else "0804") in row
    if language == "fa":
        assert re.search(r"[\u0600-\u06FF]{3}", row), row  # a Persian name for heading 0804
    shot(page, f"reference-hs-{language}")
    page.goto(server_url + "/reference/")
    shot(page, f"reference-index-{language}")
