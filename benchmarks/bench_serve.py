"""Load benchmark of the production server (issue 8): `payesh serve --production` on a benchmark ledger.

Bounded and loopback only: the server listens on 127.0.0.1, the load generator (wrk when installed, else a
Python keep-alive client) opens 8 connections for a fixed duration. Measured:

- the overview page (/monitoring/), end to end over HTTP: p50, p99, requests/s, errors;
- /api/cube for one repeated question: requests/s, p50, p99, errors.

Bars: overview p50 <= 150 ms, p99 <= 500 ms, >= 40 requests/s, no errors; /api/cube >= 300 requests/s.

Usage: python benchmarks/bench_serve.py --rows 2000000 [--folder var/bench-serve] [--duration 20]
The ledger is generated (`payesh demo-data --rows N`) into a temporary folder, or into --folder, where a
later run with the same --rows reuses it (20 M rows take long to generate).
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from http.client import HTTPConnection
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CLI = [sys.executable, "-m", "payesh.cli"]
OVERVIEW = "/monitoring/"
CUBE = "/api/cube?measures=value_usd,weight_t&drilldowns=year,partner&locale=fa"
BARS = {"overview_p50_ms": 150.0, "overview_p99_ms": 500.0, "overview_rps": 40.0, "cube_rps": 300.0}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def environment(folder: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PAYESH_SERVER", "PAYESH_HTTPS")}
    env.update({"PAYESH_VAR_DIR": str(folder), "DATABASE_URL": f"sqlite:///{folder / 'payesh.sqlite3'}",
                "PAYESH_LAKE": str(folder / "lake"), "DEBUG": "false",
                "SECRET_KEY": env.get("SECRET_KEY") or secrets.token_urlsafe(50)})
    return env


def prepare(folder: Path, rows: int, env: dict[str, str]) -> None:
    marker = folder / f".bench-ledger-{rows}"
    if marker.exists():
        print(f"reusing the {rows:,}-row ledger in {folder}")
        return
    started = time.monotonic()
    subprocess.run([*CLI, "init"], cwd=REPO, env=env, check=True, stdout=subprocess.DEVNULL)
    subprocess.run([*CLI, "demo-data", "--rows", str(rows), "--out", str(folder / "demo")], cwd=REPO, env=env,
                   check=True, stdout=subprocess.DEVNULL)
    shutil.rmtree(folder / "demo", ignore_errors=True)  # the lake keeps what it needs
    marker.touch()
    print(f"generated and loaded {rows:,} rows in {time.monotonic() - started:.0f} s")


def start_server(env: dict[str, str], port: int, workers: int, log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        server = subprocess.Popen([*CLI, "serve", "--production", "--workers", str(workers), "--port", str(port)],
                                  cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT)
    for _ in range(1200):
        if server.poll() is not None:
            raise SystemExit(f"the server exited:\n{log.read_text()}")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5)
            return server
        except urllib.error.HTTPError:
            return server
        except OSError:
            time.sleep(0.5)
    server.terminate()
    raise SystemExit("the server did not answer in 10 minutes")


def warm(base: str, workers: int) -> None:
    """Each worker opens the engine and answers once before the clock starts."""
    for path in (OVERVIEW, CUBE):
        for _ in range(3 * workers):
            with urllib.request.urlopen(base + path, timeout=300) as response:
                if response.status != 200:
                    raise SystemExit(f"{path} answered {response.status} while warming up")


def wrk_load(url: str, connections: int, seconds: int) -> dict[str, float]:
    out = subprocess.run(["wrk", "-t", "2", "-c", str(connections), "-d", f"{seconds}s", "--timeout", "10s",
                          "--latency", url], capture_output=True, text=True, check=True).stdout

    def ms(label: str) -> float:
        match = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        if not match:
            raise SystemExit(f"no {label}% latency in the wrk output:\n{out}")
        value, unit = float(match.group(1)), match.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    errors = int(non_2xx.group(1)) if non_2xx else 0
    if socket_errors:
        errors += sum(int(g) for g in socket_errors.groups())
    requests = re.search(r"(\d+) requests in", out)
    return {"p50_ms": ms("50"), "p99_ms": ms("99"), "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),  # type: ignore[union-attr]
            "errors": errors, "requests": int(requests.group(1)) if requests else 0}


def python_load(url: str, connections: int, seconds: int) -> dict[str, float]:
    """The fallback client: one keep-alive connection per thread, every latency recorded."""
    match = re.match(r"http://([^/:]+):(\d+)(/.*)", url)
    assert match
    host, port, path = match.group(1), int(match.group(2)), match.group(3)
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def client() -> None:
        conn = HTTPConnection(host, port, timeout=30)
        mine: list[float] = []
        while time.monotonic() < deadline:
            started = time.perf_counter()
            try:
                conn.request("GET", path)
                response = conn.getresponse()
                response.read()
                ok = response.status == 200
            except OSError:
                ok = False
                conn.close()
                conn = HTTPConnection(host, port, timeout=30)
            if ok:
                mine.append(1000 * (time.perf_counter() - started))
            else:
                with lock:
                    errors[0] += 1
        with lock:
            latencies.extend(mine)

    started = time.monotonic()
    threads = [threading.Thread(target=client) for _ in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    latencies.sort()
    q = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [float("nan")] * 99
    return {"p50_ms": q[49], "p99_ms": q[98], "rps": len(latencies) / elapsed, "errors": errors[0],
            "requests": len(latencies)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=int(os.environ.get("BENCH_ROWS", "2000000")))
    parser.add_argument("--folder", type=Path, help="keep the ledger here for later runs (default: a temp folder)")
    parser.add_argument("--duration", type=int, default=20, help="seconds of load per endpoint")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=0, help="gunicorn workers (default: the server's own)")
    args = parser.parse_args()

    temp = None
    if args.folder is None:
        temp = tempfile.TemporaryDirectory(prefix="payesh-bench-serve-")
        folder = Path(temp.name)
    else:
        folder = args.folder.resolve()
        folder.mkdir(parents=True, exist_ok=True)
    env = environment(folder)
    prepare(folder, args.rows, env)
    workers = args.workers or min(2 * (os.cpu_count() or 1) + 1, 9)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_server(env, port, workers, folder / "server.log")
    try:
        warm(base, workers)
        load = wrk_load if shutil.which("wrk") else python_load
        client = "wrk 4 (2 threads)" if shutil.which("wrk") else "Python keep-alive threads"
        overview = load(base + OVERVIEW, args.connections, args.duration)
        warm(base, workers)  # let the overview requests still queued finish before the next endpoint's clock
        cube = load(base + CUBE, args.connections, args.duration)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
        if temp is not None:
            temp.cleanup()

    print(f"\npayesh serve --production: {workers} gunicorn workers, {args.rows:,} rows, {os.cpu_count()} cores; "
          f"{args.connections} connections for {args.duration} s each, client: {client}")
    print(f"{'endpoint':<12}{'requests':>10}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'errors':>8}")
    for name, r in (("overview", overview), ("/api/cube", cube)):
        print(f"{name:<12}{r['requests']:>10.0f}{r['rps']:>10.1f}{r['p50_ms']:>10.1f}{r['p99_ms']:>10.1f}"
              f"{r['errors']:>8.0f}")
    verdicts = [
        ("overview p50 <= 150 ms", overview["p50_ms"] <= BARS["overview_p50_ms"]),
        ("overview p99 <= 500 ms", overview["p99_ms"] <= BARS["overview_p99_ms"]),
        ("overview >= 40 req/s", overview["rps"] >= BARS["overview_rps"]),
        ("overview no errors", overview["errors"] == 0),
        ("/api/cube >= 300 req/s", cube["rps"] >= BARS["cube_rps"]),
        ("/api/cube no errors", cube["errors"] == 0),
    ]
    for label, ok in verdicts:
        print(f"  {'PASS' if ok else 'FAIL'}  {label}")


if __name__ == "__main__":
    main()
