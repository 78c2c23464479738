"""The Content-Security-Policy in the browser: every page works under it, with no violation reported.

The server of tests/browser/conftest.py runs the real settings (CSP middleware on); each page is opened
with a `securitypolicyviolation` listener installed before any script runs, and its charts must be drawn.
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

LISTENER = ("window.__csp = []; document.addEventListener('securitypolicyviolation', "
            "(e) => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + (e.sample || '')));")
PAGES = ["/", "/monitoring/", "/monitoring/through-origin/", "/monitoring/partners/", "/monitoring/products/",
         "/monitoring/offices/", "/monitoring/origin/", "/monitoring/explorer/", "/capabilities/",
         "/capabilities/registry/", "/ledger/", "/ledger/upload/", "/admin/", "/api/docs"]


def _sign_in(page, server_url: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(server_url + "/accounts/login/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", "payesh-admin-2026")
    page.click("button.primary")
    page.wait_for_url(server_url + "/")


def test_pages_run_under_the_csp_without_violations_and_draw_their_charts(page, server_url: str) -> None:
    page.add_init_script(LISTENER)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: "Content Security Policy" in m.text and errors.append(m.text))
    _sign_in(page, server_url)
    drawn_somewhere = 0
    for path in PAGES:
        response = page.goto(server_url + path)
        assert response is not None and response.status == 200, path
        policy = response.headers["content-security-policy"]
        assert "script-src 'self'" in policy and "unsafe-eval" not in policy, path
        page.wait_for_load_state("networkidle")
        charts = page.locator(".chart[data-figure]").count()
        if charts:
            page.wait_for_function(f"document.querySelectorAll('.chart[data-drawn]').length >= {charts}",
                                   timeout=30_000)
            drawn_somewhere += charts
        assert page.evaluate("window.__csp") == [], path
    assert errors == []
    assert drawn_somewhere >= 10  # the monitoring pages' charts all drew under the policy
