"""The strategic document in a real browser, in Persian and English: (1) a focal point reports with
evidence, the analyst returns it with a reason and accepts the correction, the goal's progress moves;
(2) a consultation round from opening to dispositions; (3) the working group approves a version, which
is locked, and a new draft's diff against it is shown. The demo document is loaded into the shared
browser server's database first (``payesh manage strategy_demo``)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.browser.conftest import REPO, set_language, shot

pytestmark = pytest.mark.browser
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(scope="module")
def site(server_url: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The browser server with the demo strategic document loaded into its database and lake."""
    base = tmp_path_factory.getbasetemp()
    folder = next(p for p in sorted(base.glob("server*")) if (p / "lake").exists())
    url = os.environ.get("DATABASE_URL", "")
    database = url.rsplit("/", 1)[0] + "/payesh_browser" if url.startswith("postgres") else \
        f"sqlite:///{folder / 'browser.sqlite3'}"
    env = {**os.environ, "DATABASE_URL": database, "PAYESH_LAKE": str(folder / "lake")}
    subprocess.run([sys.executable, "-m", "payesh.cli", "manage", "strategy_demo"], cwd=REPO, env=env, check=True,
                   capture_output=True, timeout=600)
    return server_url


def _page_as(browser, site: str, username: str, password: str, language: str):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    set_language(page, site, language)
    page.goto(site + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button.primary")
    page.wait_for_url(site + "/")
    return page


def _check_language(page, language: str) -> None:  # type: ignore[no-untyped-def]
    assert page.get_attribute("html", "dir") == ("rtl" if language == "fa" else "ltr")
    heading = page.locator("main h1").first.inner_text()
    if language == "fa":
        assert re.search(r"[\u0600-\u06FF]", heading), heading
    else:
        assert not re.search(r"[\u0600-\u06FF]", " ".join(page.locator("main h2").all_inner_texts()))


def _version_url(page, site: str, *, newest: bool) -> str:  # type: ignore[no-untyped-def]
    page.goto(site + "/strategy/")
    links = page.locator("[data-testid=documents] td:nth-child(2) a")
    link = links.first if newest else links.last  # versions are listed newest first
    return site + str(link.get_attribute("href"))


@pytest.mark.parametrize("language", ["fa", "en"])
def test_report_returned_then_accepted_moves_the_goal(browser, site: str, tmp_path: Path, language: str) -> None:  # type: ignore[no-untyped-def]
    analyst = _page_as(browser, site, "analyst", "payesh-analyst-2026", language)
    analyst.goto(_version_url(analyst, site, newest=False))  # version 1, approved
    analyst.get_by_role("link", name=re.compile(r"^A1\.2 ")).click()
    action_url = analyst.url
    analyst.locator(".crumbs a").first.click()
    goal_url = analyst.url
    before = analyst.get_by_test_id("goal-progress").inner_text()

    focal = _page_as(browser, site, "focal", "payesh-focal-2026", language)
    focal.goto(action_url)
    _check_language(focal, language)
    evidence = tmp_path / "packing-houses.pdf"
    evidence.write_bytes(PDF)
    percent = "55" if language == "fa" else "85"
    focal.fill("#id_text", "دو خانهٔ بسته‌بندی نوسازی شد" if language == "fa" else "Two packing houses upgraded")
    focal.fill("#id_percent", percent)
    focal.fill("#id_reported_on", "۱۴۰۴/۰۲/۱۰" if language == "fa" else "1404/02/10")
    focal.set_input_files("#id_evidence", str(evidence))
    focal.get_by_test_id("send-report").click()
    focal.wait_for_load_state()
    submitted = focal.locator("[data-testid=report][data-status=submitted]")
    assert submitted.count() == 1
    assert submitted.get_by_test_id("evidence").inner_text() == "packing-houses.pdf"
    shot(focal, f"strategy-report-sent-{language}")

    analyst.goto(action_url)
    row = analyst.locator("[data-testid=report][data-status=submitted]")
    row.get_by_test_id("return").click()  # no reason: refused
    analyst.wait_for_load_state()
    assert analyst.locator("[data-testid=report][data-status=submitted]").count() == 1
    reason = "نام خانه‌ها را بنویسید" if language == "fa" else "Name the packing houses"
    analyst.locator("[data-testid=report][data-status=submitted]").get_by_test_id("return-reason-input").fill(reason)
    analyst.locator("[data-testid=report][data-status=submitted]").get_by_test_id("return").click()
    analyst.wait_for_load_state()
    returned = analyst.locator("[data-testid=report][data-status=returned]").first
    assert reason in returned.get_by_test_id("return-reason").inner_text()
    assert returned.get_by_test_id("decided").is_visible()

    focal.goto(action_url)
    assert reason in focal.get_by_test_id("report-form").inner_text()
    focal.fill("#id_text", "سراوان و نیکشهر" if language == "fa" else "Saravan and Nikshahr houses")
    focal.fill("#id_percent", percent)
    focal.fill("#id_reported_on", "1404/02/11")
    focal.get_by_test_id("send-report").click()
    focal.wait_for_load_state()

    analyst.goto(action_url)
    analyst.locator("[data-testid=report][data-status=submitted]").get_by_test_id("accept").click()
    analyst.wait_for_load_state()
    assert percent in analyst.get_by_test_id("action-progress").inner_text().translate(
        str.maketrans("۰۱۲۳۴۵۶۷۸۹", "0123456789"))
    shot(analyst, f"strategy-report-accepted-{language}")
    analyst.goto(goal_url)
    after = analyst.get_by_test_id("goal-progress").inner_text()
    assert after != before
    shot(analyst, f"strategy-goal-{language}")
    analyst.context.close()
    focal.context.close()


@pytest.mark.parametrize("language", ["fa", "en"])
def test_consultation_round_from_opening_to_dispositions(browser, site: str, language: str) -> None:  # type: ignore[no-untyped-def]
    analyst = _page_as(browser, site, "analyst", "payesh-analyst-2026", language)
    analyst.goto(_version_url(analyst, site, newest=True))  # version 2, in consultation
    analyst.get_by_test_id("open-round").click()
    analyst.select_option("#id_agencies", ["TPO"])
    analyst.fill("#id_deadline", "1406/01/20")
    analyst.fill("#id_note", "نمایشگاه کراچی" if language == "fa" else "The Karachi exhibition")
    analyst.get_by_test_id("save").click()
    analyst.wait_for_url(re.compile(r".*/strategy/rounds/\d+/$"))
    round_url = analyst.url
    _check_language(analyst, language)

    tpo = _page_as(browser, site, "focal_tpo", "payesh-focal-2026", language)
    tpo.goto(round_url)
    options = tpo.locator("#id_anchor option")
    tpo.select_option("#id_anchor", str(options.nth(3).get_attribute("value")))
    view = "موعد نمایشگاه را شش ماه عقب ببرید" if language == "fa" else "Move the exhibition six months later"
    tpo.fill("#id_text", view)
    tpo.get_by_test_id("send-viewpoint").click()
    tpo.wait_for_load_state()
    assert view in tpo.get_by_test_id("viewpoints").inner_text()
    tpo.context.close()

    analyst.goto(round_url)
    row = analyst.get_by_test_id("viewpoint").filter(has_text=view)
    row.get_by_test_id("disposition-select").select_option("partly")
    row.get_by_test_id("disposition-reason").fill("سه ماه" if language == "fa" else "Three months, not six")
    row.get_by_test_id("dispose").click()
    analyst.wait_for_load_state()
    row = analyst.get_by_test_id("viewpoint").filter(has_text=view)
    assert row.get_by_test_id("disposition").inner_text() == ("بخشی پذیرفته" if language == "fa" else "partly accepted")
    csv = analyst.request.get(round_url + "?download=viewpoints&format=csv")
    assert csv.ok and view in csv.text()
    shot(analyst, f"strategy-round-{language}")
    analyst.get_by_test_id("close-round").click()
    analyst.wait_for_load_state()
    analyst.context.close()


@pytest.mark.parametrize("language", ["fa", "en"])
def test_working_group_approves_then_a_new_draft_and_its_diff(browser, site: str, language: str) -> None:  # type: ignore[no-untyped-def]
    analyst = _page_as(browser, site, "analyst", "payesh-analyst-2026", language)
    version_url = _version_url(analyst, site, newest=True)
    analyst.goto(version_url)
    analyst.get_by_test_id("request-approval").click()
    analyst.wait_for_load_state()
    assert analyst.get_by_test_id("version-status").inner_text() == (
        "در بررسی کارگروه" if language == "fa" else "In review by the working group")

    for username in ("member", "member2"):
        member = _page_as(browser, site, username, "payesh-member-2026", language)
        member.goto(version_url)
        member.check("input[name=choice][value=approve]")
        member.fill("#id_comment", "موافقم" if language == "fa" else "Agreed")
        member.get_by_test_id("cast-vote").click()
        member.wait_for_load_state()
        assert member.get_by_test_id("votes").locator("tbody tr").count() >= 1
        member.context.close()

    analyst.goto(version_url)
    assert analyst.get_by_test_id("version-status").inner_text() == ("تأییدشده" if language == "fa" else "Approved")
    assert analyst.get_by_test_id("locked").is_visible()
    assert analyst.get_by_test_id("add-goal").count() == 0
    shot(analyst, f"strategy-approved-{language}")
    analyst.get_by_test_id("new-draft").click()
    analyst.wait_for_url(re.compile(r".*/strategy/versions/\d+/$"))
    assert analyst.url != version_url
    code = "G7" if language == "fa" else "G8"
    analyst.get_by_test_id("add-goal").click()
    analyst.fill("#id_code", code)
    analyst.fill("#id_title_en", "Exports of handicrafts")
    analyst.fill("#id_title_fa", "صادرات صنایع دستی")
    analyst.get_by_test_id("save").click()
    analyst.wait_for_load_state()
    analyst.go_back()
    analyst.go_back()
    analyst.reload()
    analyst.get_by_test_id("diff-link").click()
    analyst.wait_for_load_state()
    _check_language(analyst, language)
    added = analyst.locator("[data-testid=change][data-kind=goal][data-change=added]").filter(has_text=code)
    assert added.count() == 1
    shot(analyst, f"strategy-diff-{language}")
    xlsx = analyst.request.get(analyst.url + "?download=diff&format=xlsx")
    assert xlsx.ok and xlsx.body()[:2] == b"PK"
    analyst.context.close()


LATIN_WORD = re.compile(r"\b[A-Za-z][A-Za-z\-']{2,}\b")
ALLOWED_LATIN_ON_FA = {"USD", "CSV", "Excel", "PDF", "PNG", "JPEG", "XLSX", "DOCX", "api", "cube", "level", "value",
                       "chapter", "payesh", "demo", "firms"}


@pytest.mark.parametrize("language", ["fa", "en"])
def test_every_strategy_page_in_both_languages(browser, site: str, language: str) -> None:  # type: ignore[no-untyped-def]
    page = _page_as(browser, site, "analyst", "payesh-analyst-2026", language)
    version_url = _version_url(page, site, newest=False)
    page.goto(version_url)
    links = {
        "version": version_url,
        "goal": site + str(page.locator("[data-testid=goals] a").first.get_attribute("href")),
        "kpi": site + str(page.locator("[data-testid=kpi-row] a").first.get_attribute("href")),
        "action": site + str(page.locator("[data-testid=actions] a").first.get_attribute("href")),
        "round": site + str(_round_href(page, site)),
        "index": site + "/strategy/", "obligations": site + "/strategy/obligations/",
        "agency": site + "/strategy/agencies/AGRICULTURE/", "notifications": site + "/strategy/notifications/",
    }
    for name, url in links.items():
        response = page.goto(url)
        assert response is not None and response.status == 200, url
        _check_language(page, language)
        chrome = " ".join(page.locator("main h1, main h2, main h3, main th, main .lead, main label, main .st-rules, "
                                       "main dt, .subnav a").all_inner_texts())
        if language == "fa":
            leftovers = {w for w in LATIN_WORD.findall(chrome) if w not in ALLOWED_LATIN_ON_FA}
            assert not leftovers, f"untranslated on {name}: {sorted(leftovers)[:20]}"
        else:
            assert not re.search(r"[\u0600-\u06FF]", chrome), (name, chrome[:300])
        shot(page, f"strategy-page-{name}-{language}")
    page.context.close()


def _round_href(page, site: str) -> str:  # type: ignore[no-untyped-def]
    """A consultation round of the demo document: the first version (newest first) that has one."""
    page.goto(site + "/strategy/")
    versions = [str(a.get_attribute("href")) for a in page.locator("[data-testid=documents] td:nth-child(2) a").all()]
    for href in versions:
        page.goto(site + href)
        if page.locator("[data-testid=round-link]").count():
            return str(page.locator("[data-testid=round-link]").first.get_attribute("href"))
    raise AssertionError("no consultation round in the demo")
