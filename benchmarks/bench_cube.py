"""Cube benchmark: the overview page's queries, and explorer questions via the cube vs hand-written SQL.

    .venv/bin/python benchmarks/bench_cube.py --rows 2000000
    .venv/bin/python benchmarks/bench_cube.py --rows 20000000 --spark

Steps: generate the synthetic demo data (Parquet, cached under ``--cache`` keyed by the row count and
reused across runs), ingest it into a fresh lake with ``payesh.ledger.core.ingest``, export the
dimension tables, then time warm repetitions (after one cold run that builds the rollups):

(i)   the overview page's queries together (the ones ``monitoring.selectors.overview_data`` asks, plus the
      channel split and the origin share) — bar: ≤ 300 ms warm p50 for the page at 20 M rows;
(ii)  each standard question (``tests/cube/questions.py``) via the cube (DuckDB with rollups, and
      without) vs its hand-written DuckDB SQL on the same connection — bar: cube ≤ 1.5 × hand SQL;
(iii) the same questions on Spark local when pyspark is installed (``--spark``; fewer repetitions).

Reference codes come from Django: the script sets DJANGO_SETTINGS_MODULE=payesh.settings with a
temporary SQLite database (DATABASE_URL under ``--cache``), migrates it and loads the reference data
once (kept for later runs), then calls ``reference_codes()``, ``dimensions_write()`` and the rollups' refresh.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

REGION = "IR-11"


def _setup_django(cache: Path, lake: Path) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "payesh.settings"
    os.environ["DATABASE_URL"] = f"sqlite:///{cache / 'reference.sqlite3'}"
    os.environ["PAYESH_LAKE"] = str(lake)
    import django

    django.setup()
    marker = cache / "reference.loaded"
    if not marker.exists():
        from django.core.management import call_command

        from payesh.reference.services import reference_load

        call_command("migrate", verbosity=0)
        reference_load()
        marker.touch()


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def _timed(fn: Callable[[], Any], reps: int) -> list[float]:
    times = []
    for _ in range(reps):
        started = time.perf_counter()
        fn()
        times.append(1000 * (time.perf_counter() - started))
    return times


def prepare(rows: int, cache: Path, fresh: bool) -> tuple[Path, dict[str, float]]:
    from payesh.ledger import demo_data

    timings: dict[str, float] = {}
    gen_dir = cache / f"demo-{rows}"
    if not (gen_dir / "done").exists():
        shutil.rmtree(gen_dir, ignore_errors=True)
        started = time.perf_counter()
        demo_data.generate(gen_dir, rows=rows, fmt="parquet")
        timings["generate_s"] = time.perf_counter() - started
        (gen_dir / "done").touch()
    lake_root = cache / f"lake-{rows}"
    _setup_django(cache, lake_root)
    from payesh.cube.engines import DuckDBEngine
    from payesh.ledger.core import Lake, ingest
    from payesh.ledger.services import reference_codes
    from payesh.reference.services import dimensions_write

    if fresh or not (lake_root / "ingested").exists():
        shutil.rmtree(lake_root, ignore_errors=True)
        lake = Lake(lake_root)
        codes = reference_codes()
        started = time.perf_counter()
        for path in sorted(gen_dir.glob("*.parquet")):
            result = ingest(path, lake=lake, codes=codes, hs_revision="HS12")
            assert result.status == "loaded", result.message_en
        timings["ingest_s"] = time.perf_counter() - started
        dimensions_write(lake_root / "dims")
        (lake_root / "ingested").touch()
    started = time.perf_counter()
    # The writer's side of the commits (cube_refresh): the rollups' files; nothing to do when a kept
    # lake has them already.
    if DuckDBEngine(lake_root, lake_root / "dims").refresh():
        timings["rollups_s"] = time.perf_counter() - started
    return lake_root, timings


def overview_queries(year: int, months: int) -> dict[str, Any]:
    """What the overview page asks (scope "through the region's customs"), plus channel split and origin share."""
    from payesh.cube import CubeQuery, Cut, Period

    period = Period.year(year, months)
    scope = (Cut("office_province", (REGION,)),)
    export = (Cut("flow", ("export",)),)
    top = {"compare": "previous_year", "sort": "-value_usd", "top": 8, "other": True}
    return {
        "totals+compare": CubeQuery(measures=("exports_usd", "imports_usd", "balance_usd", "exports_t", "imports_t",
                                              "rows"), cuts=scope, period=period, compare="previous_year"),
        "monthly trend": CubeQuery(measures=("exports_usd", "imports_usd"), drilldowns=("year", "month_of_year"),
                                   cuts=scope, period=Period((year - 1) * 100 + 1, year * 100 + 12)),
        "top partners": CubeQuery(measures=("value_usd", "weight_t"), drilldowns=("partner",),
                                  cuts=scope + export, period=period, **top),
        "top products (chapter)": CubeQuery(measures=("value_usd", "weight_t"), drilldowns=("chapter",),
                                            cuts=scope + export, period=period, **top),
        "top offices": CubeQuery(measures=("value_usd", "weight_t"), drilldowns=("office",),
                                 cuts=scope + export, period=period, **top),
        "reconciliation": CubeQuery(measures=("value_usd", "weight_t"),
                                    drilldowns=("office_province", "origin_province"), cuts=export, period=period,
                                    compare="previous_year"),
        "channel split (own exports)": CubeQuery(measures=("value_usd",), drilldowns=("channel", "border_market"),
                                                 cuts=(*export, Cut("origin_province", (REGION,))), period=period),
        "origin share": CubeQuery(measures=("value_usd",), drilldowns=("origin_province",), cuts=scope + export,
                                  period=period, sort="-value_usd"),
    }


def _row(name: str, times: list[float]) -> str:
    return f"  {name:<38} {statistics.median(times):>9.1f} {_percentile(times, 0.95):>9.1f}"


def bench_overview(engine: Any, lake_root: Path, reps: int, year: int, months: int) -> dict[str, Any]:
    from payesh.cube.run import run_on

    queries = overview_queries(year, months)
    started = time.perf_counter()
    for query in queries.values():  # cold: opens the connection and loads the rollups' files
        run_on(engine, query, lake_root)
    cold_ms = 1000 * (time.perf_counter() - started)
    per: dict[str, list[float]] = {name: [] for name in queries}
    page: list[float] = []
    for _ in range(reps):
        t0 = time.perf_counter()
        for name, query in queries.items():
            t = time.perf_counter()
            run_on(engine, query, lake_root)
            per[name].append(1000 * (time.perf_counter() - t))
        page.append(1000 * (time.perf_counter() - t0))
    print(f"\n(i) overview page, {engine.name}{'' if getattr(engine, 'use_rollups', True) else ' (no rollups)'}: "
          f"cold {cold_ms:.0f} ms (connection + loading rollups), warm over {reps} repetitions [ms]")
    print(f"  {'query':<38} {'p50':>9} {'p95':>9}")
    for name, times in per.items():
        print(_row(name, times))
    print(_row("PAGE TOTAL", page) + "   (bar: p50 <= 300 ms at 20 M rows)")
    return {"cold_ms": cold_ms, "page_p50": statistics.median(page), "page_p95": _percentile(page, 0.95),
            "per": {k: (statistics.median(v), _percentile(v, 0.95)) for k, v in per.items()}}


def bench_explorer(rollup_engine: Any, facts_engine: Any, lake_root: Path, reps: int) -> list[tuple[str, float, ...]]:
    from payesh.cube.query import CubeQuery
    from payesh.cube.run import run_on
    from tests.cube.questions import QUESTIONS

    rollup_engine.warm()
    con = rollup_engine._backend().con  # the same DuckDB connection the cube uses
    results = []
    print(f"\n(ii) explorer questions: cube vs hand SQL on the same DuckDB connection, warm p50/p95 over {reps} "
          "repetitions [ms]")
    print(f"  {'question':<36} {'cube+rollups':>14} {'cube facts':>14} {'hand SQL':>14} {'ratio':>6} {'ratio':>6}")
    print(f"  {'':<36} {'p50/p95':>14} {'p50/p95':>14} {'p50/p95':>14} {'roll':>6} {'facts':>6}")
    for question in QUESTIONS:
        query = CubeQuery.parse(question.params)
        hand = lambda sql=question.sql: con.execute(sql).df()  # noqa: E731
        cube_r = lambda q=query: run_on(rollup_engine, q, lake_root)  # noqa: E731
        cube_f = lambda q=query: run_on(facts_engine, q, lake_root)  # noqa: E731
        for fn in (hand, cube_r, cube_f):
            fn()  # warm: SQL compiled and cached, files in the page cache
        t_hand, t_r, t_f = _timed(hand, reps), _timed(cube_r, reps), _timed(cube_f, reps)
        p = statistics.median
        ratio_r, ratio_f = p(t_r) / p(t_hand), p(t_f) / p(t_hand)
        flag = "" if ratio_r <= 1.5 else "  > 1.5"
        print(f"  {question.id:<36} {p(t_r):>6.1f}/{_percentile(t_r, .95):<7.1f}{p(t_f):>6.1f}/"
              f"{_percentile(t_f, .95):<7.1f}{p(t_hand):>6.1f}/{_percentile(t_hand, .95):<7.1f}"
              f"{ratio_r:>6.2f} {ratio_f:>6.2f}{flag}")
        results.append((question.id, p(t_r), p(t_f), p(t_hand), ratio_r, ratio_f))
    worst = max(results, key=lambda r: r[4])
    print(f"  worst cube(rollups)/hand ratio: {worst[4]:.2f} ({worst[0]}); "
          f"geometric mean {statistics.geometric_mean([r[4] for r in results]):.2f} (bar: <= 1.5)")
    return results


def bench_spark(lake_root: Path, reps: int, year: int, months: int) -> None:
    try:
        import pyspark  # noqa: F401
    except ImportError:
        print("\n(iii) Spark: skipped (pyspark not installed)")
        return
    from payesh.cube.engines import SparkEngine, spark_session
    from payesh.cube.query import CubeQuery
    from payesh.cube.run import dims_dir, run_on
    from tests.cube.questions import QUESTIONS

    started = time.perf_counter()
    session = spark_session()
    print(f"\n(iii) Spark local[2] (session start {time.perf_counter() - started:.1f} s), warm p50/p95 over {reps} "
          "repetitions [ms]")
    engine = SparkEngine(lake_root, dims_dir(lake_root), session)
    try:
        bench_overview(engine, lake_root, reps, year, months)
        print(f"  {'question':<36} {'p50':>9} {'p95':>9}")
        for question in QUESTIONS:
            query = CubeQuery.parse(question.params)
            run_on(engine, query, lake_root)
            times = _timed(lambda q=query: run_on(engine, q, lake_root), reps)
            print(_row(question.id, times))
    finally:
        session.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--reps", type=int, default=20)
    parser.add_argument("--cache", type=Path, default=Path("/tmp/payesh-bench-cube"))
    parser.add_argument("--reuse-lake", action="store_true", help="keep the lake of an earlier run of this size")
    parser.add_argument("--spark", action="store_true", help="also run the questions on Spark local")
    parser.add_argument("--spark-reps", type=int, default=5)
    parser.add_argument("--skip-explorer", action="store_true")
    parser.add_argument("--year", type=int, default=1403)
    parser.add_argument("--months", type=int, default=9)
    args = parser.parse_args()
    args.cache.mkdir(parents=True, exist_ok=True)

    lake_root, timings = prepare(args.rows, args.cache, fresh=not args.reuse_lake)
    from payesh.cube.engines import DuckDBEngine
    from payesh.cube.run import dims_dir
    from payesh.ledger.core import Lake, duckdb_connect

    con = duckdb_connect()
    Lake(lake_root, collect_garbage=False).create_facts_view(con)
    facts = con.execute("SELECT count(*) FROM facts").fetchone()[0]
    size = sum(p.stat().st_size for p in (lake_root / "facts").rglob("*.parquet")) / 1e9
    con.close()
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs (other work on the machine inflates times)")
    print(f"rows requested {args.rows:,}; facts in lake {facts:,} ({size:.2f} GB Parquet); "
          + ", ".join(f"{k} {v:.1f}" for k, v in timings.items())
          + (f" ({facts / timings['ingest_s'] / 1e6:.2f} M rows/s)" if "ingest_s" in timings else ""))

    rollups = DuckDBEngine(lake_root, dims_dir(lake_root))
    plain = DuckDBEngine(lake_root, dims_dir(lake_root), rollups=False)
    bench_overview(rollups, lake_root, args.reps, args.year, args.months)
    bench_overview(plain, lake_root, max(3, args.reps // 4), args.year, args.months)
    print(f"\nload average {os.getloadavg()[0]:.1f}")
    if not args.skip_explorer:
        bench_explorer(rollups, plain, lake_root, args.reps)
    if args.spark:
        bench_spark(lake_root, args.spark_reps, args.year, args.months)


if __name__ == "__main__":
    main()
