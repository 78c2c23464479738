"""Benchmark: the full complexity pipeline in Payesh vs py-ecomplexity and Datawheel.

    python benchmarks/bench_complexity.py [--repeats 5] [--countries 230] [--products 5000]

Pipeline timed for every tool: RCA → M → ECI/PCI → proximity → density → COI/COG on one year.

* Payesh: ``complexity_pipeline`` on the dense (C, P) matrix.
* ``ecomplexity`` 0.5.3 (py-ecomplexity): ``ecomplexity()`` on the long table, with
  ``check_logsupermodularity=False`` (a diagnostic, not part of the pipeline) and ``verbose=False``.
* ``economic-complexity`` 0.3.0 (Datawheel): ``rca`` → ``complexity`` → ``proximity`` →
  ``relatedness`` → ``distance`` → ``opportunity_gain`` on the pivoted table (it has no COI).

Each tool runs in its own subprocess on the same data file, so peak memory is that process's
``ru_maxrss`` (which includes the interpreter, the imports and the input); the table also shows
the growth of the peak over the RSS measured just before the pipeline. Inputs in each tool's
native format are built before the clock starts. Peers that are not installed are skipped.

Datasets: a seeded synthetic HS6-like year (230 countries × 5,000 products, lognormal country and
product sizes, heavy-tailed cell noise, ~45 % zero cells concentrated in small exporters), and the
real OTS 2017 HS4 file (224 × 1,222) when ``../shared/data`` is present.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
BARS = {"ecomplexity": 50.0, "economic-complexity": 15.0}
MEMORY_BAR_MB = 1024.0


def synthetic_year(n_countries: int, n_products: int, seed: int = 20240601) -> np.ndarray:
    """Seeded (C, P) exports with realistic sparsity and heavy tails."""
    rng = np.random.default_rng(seed)
    country_size = rng.lognormal(mean=0.0, sigma=2.0, size=n_countries)  # (C,)
    product_size = rng.lognormal(mean=0.0, sigma=1.5, size=n_products)  # (P,)
    # Big exporters export almost everything; small ones a few products.
    reach = np.clip(0.08 + 0.9 * (np.argsort(np.argsort(country_size)) / n_countries) ** 1.5, 0, 0.98)
    active = rng.random((n_countries, n_products)) < reach[:, None]  # (C, P)
    noise = rng.lognormal(mean=0.0, sigma=2.0, size=(n_countries, n_products))
    values = 1e6 * country_size[:, None] * product_size[None, :] * noise * active
    return np.round(values)  # (C, P) float64, whole dollars


def _rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return float(line.split()[1]) / 1024.0
    return float("nan")


def _max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # Linux: KiB


def run_tool(tool: str, data_path: str, repeats: int) -> dict[str, Any]:
    """Runs inside a subprocess: one tool, one dataset."""
    import warnings

    warnings.simplefilter("ignore")
    values = np.load(data_path)  # (C, P)
    n_c, n_p = values.shape
    countries = [f"c{i:03d}" for i in range(n_c)]
    products = [f"p{j:05d}" for j in range(n_p)]
    times: list[float] = []

    if tool == "payesh":
        sys.path.insert(0, str(REPO))
        from payesh.analytics.complexity import complexity_pipeline

        def once() -> None:
            complexity_pipeline(values, countries=countries, products=products)

    elif tool == "ecomplexity":
        import contextlib
        import io

        import pandas as pd
        from ecomplexity import ecomplexity

        long = pd.DataFrame({
            "year": 2020,
            "origin": np.repeat(countries, n_p),
            "hs": np.tile(products, n_c),
            "export_val": values.ravel(),
        })
        long = long[long["export_val"] > 0]
        cols = {"time": "year", "loc": "origin", "prod": "hs", "val": "export_val"}

        def once() -> None:
            with contextlib.redirect_stdout(io.StringIO()):
                ecomplexity(long, cols, check_logsupermodularity=False, verbose=False)

    elif tool == "economic-complexity":
        import economic_complexity as ec
        import pandas as pd

        table = pd.DataFrame(values, index=pd.Index(countries, name="country"),
                             columns=pd.Index(products, name="product"))

        def once() -> None:
            rcas = ec.rca(table)
            _, pci = ec.complexity(rcas)
            prox = ec.proximity(rcas)
            ec.relatedness(rcas, proximities=prox)
            ec.distance(rcas, proximities=prox)
            ec.opportunity_gain(rcas, pci=pci, proximities=prox)

    else:
        raise SystemExit(f"unknown tool {tool}")

    rss_before = _rss_mb()
    for _ in range(repeats):
        start = time.perf_counter()
        once()
        times.append(time.perf_counter() - start)
    return {"tool": tool, "times": times, "rss_before_mb": rss_before, "max_rss_mb": _max_rss_mb()}


def _installed(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is not None


def _subprocess(tool: str, data_path: str, repeats: int) -> dict[str, Any] | None:
    proc = subprocess.run(
        [sys.executable, __file__, "--child", tool, "--data", data_path, "--repeats", str(repeats)],
        capture_output=True, text=True, env=os.environ.copy(),
    )
    if proc.returncode != 0:
        print(f"  {tool}: failed\n{proc.stderr[-2000:]}")
        return None
    return json.loads(proc.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def bench(name: str, values: np.ndarray, repeats: int, peer_repeats: int) -> None:
    print(f"\n## {name}: {values.shape[0]} countries × {values.shape[1]} products, "
          f"{(values > 0).mean():.0%} non-zero cells")
    with tempfile.TemporaryDirectory() as tmp:
        data_path = str(Path(tmp) / "values.npy")
        np.save(data_path, values)
        results: dict[str, dict[str, Any]] = {}
        for tool, module in (("payesh", "numpy"), ("ecomplexity", "ecomplexity"),
                             ("economic-complexity", "economic_complexity")):
            if not _installed(module):
                print(f"  {tool}: not installed, skipped (pip install the bench extra)")
                continue
            result = _subprocess(tool, data_path, repeats if tool == "payesh" else peer_repeats)
            if result is not None:
                results[tool] = result
    if "payesh" not in results:
        return
    base = min(results["payesh"]["times"])
    base_mem = results["payesh"]["max_rss_mb"]
    print(f"  {'tool':<22}{'best s':>10}{'median s':>10}{'peak RSS MB':>13}{'Δ peak MB':>11}"
          f"{'time ×':>9}{'mem ×':>8}  bar")
    for tool, result in results.items():
        best = min(result["times"])
        median = float(np.median(result["times"]))
        delta = result["max_rss_mb"] - result["rss_before_mb"]
        bar = ""
        if tool in BARS:
            bar = f"≥{BARS[tool]:.0f}× {'met' if best / base >= BARS[tool] else 'NOT met'}"
        elif tool == "payesh":
            bar = f"≤{MEMORY_BAR_MB:.0f} MB {'met' if result['max_rss_mb'] <= MEMORY_BAR_MB else 'NOT met'}"
        print(f"  {tool:<22}{best:>10.3f}{median:>10.3f}{result['max_rss_mb']:>13.0f}{delta:>11.0f}"
              f"{best / base:>9.1f}{result['max_rss_mb'] / base_mem:>8.1f}  {bar}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=5, help="Payesh runs per dataset")
    parser.add_argument("--peer-repeats", type=int, default=1, help="runs per peer per dataset")
    parser.add_argument("--countries", type=int, default=230)
    parser.add_argument("--products", type=int, default=5000)
    parser.add_argument("--skip-synthetic", action="store_true")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--data", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        print(json.dumps(run_tool(args.child, args.data, args.repeats)))
        return

    print(f"python {sys.version.split()[0]}, numpy {np.__version__}, "
          f"cpus {os.cpu_count()}, OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', '-')}")
    if not args.skip_synthetic:
        bench("synthetic HS6-like year", synthetic_year(args.countries, args.products),
              args.repeats, args.peer_repeats)

    shared = Path(os.environ.get("PAYESH_SHARED_DATA", REPO.parent / "shared" / "data"))
    ots = shared / "trade" / "world_trade_2017_hs4.csv"
    if ots.is_file():
        import pandas as pd

        sys.path.insert(0, str(REPO))
        from payesh.analytics.complexity import matrix_from_long

        frame = pd.read_csv(ots, dtype={"hs07_4digit": str})
        mat = matrix_from_long(frame, country="reporter_iso3", product="hs07_4digit",
                               value="export_value_usd")
        bench("OTS 2017 HS4 (real)", mat.values, args.repeats, args.peer_repeats)
    else:
        print(f"\n{ots} not found: real-data benchmark skipped")


if __name__ == "__main__":
    main()
