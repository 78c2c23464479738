"""First load of the overview page at 4 Mbps / 150 ms (issue 10): partial vs full Plotly bundle, same run.

`payesh serve --production` serves a small demo ledger; Debian's Chromium (Playwright) loads
/monitoring/ in a fresh browser context (cold cache) with Chrome DevTools network throttling: 4 Mbps down,
150 ms latency (1 Mbps up). For each variant it records the time from navigation start to the load event
and to "every chart drawn" (every .chart[data-figure] has data-drawn, set by charts.js when Plotly's
newPlot resolves), and the bytes transferred. Variants, interleaved, the median of --repeat runs each:

- partial: the page as served — the hashed partial bundle, brotli-compressed by whitenoise;
- full, compressed: the same request answered with the plotly wheel's full plotly.min.js, brotli-compressed
  by whitenoise like any static file (the bundle alone differs);
- full, uncompressed: the full bundle without a compressed copy (how the site served it before);
- partial, repeat visit: a second navigation in the same context (the immutable cache header at work).

The full bundle is swapped in by rewriting the request's URL in the browser (Playwright route.continue_),
so it still travels the throttled network; the partial variant passes through the same route unchanged.
CSP violations and console errors seen during the runs are reported (the page runs under its real CSP).

Usage: python benchmarks/bench_first_load.py [--rows 60000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
CLI = [sys.executable, "-m", "payesh.cli"]
CHROMIUM = os.environ.get("PAYESH_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic", "--disable-dev-shm-usage"]
DOWN_BPS = 4_000_000
UP_BPS = 1_000_000
LATENCY_MS = 150
PAGE = "/monitoring/"
BAR_MS = 3000.0
ALL_DRAWN = """() => {
  const charts = document.querySelectorAll('.chart[data-figure]');
  return charts.length > 0 && [...charts].every((c) => c.dataset.drawn);
}"""
CSP_LISTENER = ("window.__csp = []; document.addEventListener('securitypolicyviolation', "
                "(e) => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def full_bundle_into(static_root: Path) -> None:
    """The wheel's full plotly.min.js twice: with brotli/gzip copies (whitenoise's compressor) and without."""
    from whitenoise.compress import Compressor

    origin = importlib.util.find_spec("plotly").origin  # type: ignore[union-attr]
    full = Path(origin).parent / "package_data" / "plotly.min.js"  # type: ignore[arg-type]
    for sub in ("bench-full", "bench-raw"):
        (static_root / sub).mkdir(parents=True, exist_ok=True)
        shutil.copy(full, static_root / sub / "plotly.min.js")
    Compressor(quiet=True).compress(str(static_root / "bench-full" / "plotly.min.js"))


def start_server(env: dict[str, str], port: int, log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        server = subprocess.Popen([*CLI, "serve", "--production", "--workers", "2", "--port", str(port)], cwd=REPO,
                                  env=env, stdout=out, stderr=subprocess.STDOUT)
    for _ in range(1200):
        if server.poll() is not None:
            raise SystemExit(f"the server exited:\n{log.read_text()}")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}{PAGE}", timeout=30)
            return server
        except urllib.error.HTTPError:
            return server
        except OSError:
            time.sleep(0.5)
    server.terminate()
    raise SystemExit("the server did not answer in 10 minutes")


def measure(browser: Any, base: str, swap_to: str | None, repeat_visit: bool) -> dict[str, Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fa-IR")
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.add_init_script(CSP_LISTENER)

    def route(r: Any) -> None:
        if swap_to is not None:
            r.continue_(url=base + swap_to)
        else:
            r.continue_()

    if not repeat_visit:  # Playwright turns the HTTP cache off while a route is set: none for the cached visit
        page.route("**/static/vendor/plotly/plotly-payesh.min.*.js", route)
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", {"offline": False, "latency": LATENCY_MS,
                                                  "downloadThroughput": DOWN_BPS / 8,
                                                  "uploadThroughput": UP_BPS / 8})
    received: list[int] = []
    cdp.on("Network.loadingFinished", lambda e: received.append(int(e.get("encodedDataLength", 0))))
    if repeat_visit:
        page.goto(base + PAGE, wait_until="load")
        page.wait_for_function(ALL_DRAWN, timeout=120_000)
        received.clear()
    page.goto(base + PAGE, wait_until="load")
    page.wait_for_function(ALL_DRAWN, timeout=120_000, polling=20)
    drawn_ms = page.evaluate("performance.now()")
    timing = page.evaluate("(() => { const n = performance.getEntriesByType('navigation')[0];"
                           " return {load: n.loadEventEnd, dcl: n.domContentLoadedEventEnd}; })()")
    violations = page.evaluate("window.__csp")
    charts = page.eval_on_selector_all(".chart[data-drawn]", "els => els.length")
    context.close()
    return {"load_ms": timing["load"], "dcl_ms": timing["dcl"], "drawn_ms": drawn_ms, "bytes": sum(received),
            "csp": violations, "errors": errors, "charts": charts}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=60_000, help="demo ledger size (the page, not the load, is measured)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="payesh-bench-first-load-") as tmp:
        folder = Path(tmp)
        env = {k: v for k, v in os.environ.items() if k not in ("PAYESH_SERVER", "PAYESH_HTTPS")}
        env.update({"PAYESH_VAR_DIR": str(folder), "DATABASE_URL": f"sqlite:///{folder / 'payesh.sqlite3'}",
                    "PAYESH_LAKE": str(folder / "lake"), "DEBUG": "false", "SECRET_KEY": secrets.token_urlsafe(50),
                    "PAYESH_STATIC_ROOT": str(folder / "static")})
        subprocess.run([*CLI, "init"], cwd=REPO, env=env, check=True, stdout=subprocess.DEVNULL)
        subprocess.run([*CLI, "demo-data", "--rows", str(args.rows), "--out", str(folder / "demo")], cwd=REPO,
                       env=env, check=True, stdout=subprocess.DEVNULL)
        full_bundle_into(folder / "static")  # collectstatic keeps files it does not know about
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = start_server(env, port, folder / "server.log")
        variants: dict[str, tuple[str | None, bool]] = {
            "partial (brotli)": (None, False),
            "full (brotli)": ("/static/bench-full/plotly.min.js", False),
            "full (uncompressed)": ("/static/bench-raw/plotly.min.js", False),
            "partial, repeat visit": (None, True),
        }
        results: dict[str, list[dict[str, Any]]] = {name: [] for name in variants}
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
                measure(browser, base, None, False)  # warm the server's caches, not the browser's
                for _ in range(args.repeat):
                    for name, (swap, repeat_visit) in variants.items():
                        results[name].append(measure(browser, base, swap, repeat_visit))
                browser.close()
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=60)

    print(f"\nOverview page ({PAGE}) first load, Chromium throttled to {DOWN_BPS / 1e6:g} Mbps down, "
          f"{UP_BPS / 1e6:g} Mbps up, {LATENCY_MS} ms latency; median of {args.repeat}, demo ledger {args.rows:,} rows")
    print(f"{'variant':<24}{'load event ms':>15}{'charts drawn ms':>17}{'KB transferred':>16}{'charts':>8}")
    for name, runs in results.items():
        med = {k: statistics.median(r[k] for r in runs) for k in ("load_ms", "drawn_ms", "bytes", "charts")}
        print(f"{name:<24}{med['load_ms']:>15.0f}{med['drawn_ms']:>17.0f}{med['bytes'] / 1024:>16.0f}"
              f"{med['charts']:>8.0f}")
    csp = sorted({v for runs in results.values() for r in runs for v in r["csp"]})
    errors = sorted({e for runs in results.values() for r in runs for e in r["errors"]})
    print(f"CSP violations: {csp or 'none'}; console errors: {errors or 'none'}")
    partial = statistics.median(r["drawn_ms"] for r in results["partial (brotli)"])
    print(f"  {'PASS' if partial <= BAR_MS else 'FAIL'}  first load, charts drawn <= {BAR_MS / 1000:g} s "
          f"(partial bundle: {partial / 1000:.2f} s)")


if __name__ == "__main__":
    main()
