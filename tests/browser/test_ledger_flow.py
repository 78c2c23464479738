"""Upload → live progress → report → withdraw → restore, in a real browser against the real worker."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.browser.conftest import set_language, shot
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
    page.get_by_test_id("withdraw").click()
    page.wait_for_selector("[data-testid=restore]")
    assert page.get_by_test_id("batch-status").inner_text() == "بازپس‌گرفته"
    page.get_by_test_id("restore").click()
    page.wait_for_selector("[data-testid=withdraw]")
    shot(page, "ledger-batch-restored-fa")
