"""Ingest throughput vs bare DuckDB on the same canonical CSV, and peak RSS of the ingest.

    .venv/bin/python benchmarks/bench_ingest.py --rows 2000000 [--pairs 3]   (or BENCH_ROWS=2000000)

Bars: Payesh ingest (validation included) ≥ 60 % of bare DuckDB read_csv → COPY parquet;
peak RSS of the ingest process ≤ 2 GB. Each side runs in its own child process, so that its
peak RSS is its own (``os.wait4`` returns the child's ``rusage``).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

CODES_PY = """
from payesh.ledger.core import ReferenceCodes
HS = ["100630", "252329", "080410", "070200", "271112", "390110", "720839", "030389"]
codes = ReferenceCodes(hs_codes={"HS17": frozenset(HS)},
    countries=frozenset({"IRN", "PAK", "AFG", "CHN", "ARE", "IND", "IRQ", "TUR"}),
    customs_offices=frozenset({"MIRJAVEH", "ZAHEDAN", "CHABAHAR", "PISHIN", "MILAK"}),
    border_markets=frozenset({"MILAK", "KUHAK"}), provinces=frozenset({"IR-11", "IR-07"}),
    counties=frozenset({"IR-11-05", "IR-11-01"}))
"""

BARE = """
import sys, time
from payesh.ledger.core import duckdb_connect
from payesh.ledger.core.schema import INPUT_COLUMNS
con = duckdb_connect(sys.argv[3] and __import__("pathlib").Path(sys.argv[3]), preserve_order=False)
cols = "{" + ", ".join(f"'{c.name}': '{c.duckdb_type}'" for c in INPUT_COLUMNS if c.name != "source_key" and c.name != "reporter") + "}"
t, c = time.perf_counter(), time.process_time()
con.execute(f"COPY (SELECT * FROM read_csv('{sys.argv[1]}', header=true, auto_detect=false, columns={cols})) TO '{sys.argv[2]}' (FORMAT parquet)")
print(time.perf_counter() - t, time.process_time() - c)
"""

# The same COPY on a connection with DuckDB's own defaults (insertion order preserved, all cores,
# no memory limit): "bare DuckDB" taken literally. BARE above is the stricter baseline.
BARE_DEFAULTS = """
import sys, time
import duckdb
from payesh.ledger.core.schema import INPUT_COLUMNS
con = duckdb.connect(config={"autoinstall_known_extensions": False})
con.execute("SET enable_progress_bar = false")
cols = "{" + ", ".join(f"'{c.name}': '{c.duckdb_type}'" for c in INPUT_COLUMNS if c.name != "source_key" and c.name != "reporter") + "}"
t, c = time.perf_counter(), time.process_time()
con.execute(f"COPY (SELECT * FROM read_csv('{sys.argv[1]}', header=true, auto_detect=false, columns={cols})) TO '{sys.argv[2]}' (FORMAT parquet)")
print(time.perf_counter() - t, time.process_time() - c)
"""

INGEST = CODES_PY + """
import sys, time
from pathlib import Path
from payesh.ledger.core import Lake, ingest
lake = Lake(Path(sys.argv[2]))
t, c = time.perf_counter(), time.process_time()
result = ingest(Path(sys.argv[1]), lake=lake, codes=codes, hs_revision="HS17")
elapsed, cpu = time.perf_counter() - t, time.process_time() - c
assert result.status == "loaded", result.message_en
print(elapsed, result.rows_loaded, result.warnings, cpu)
"""


def generate(path: Path, rows: int) -> None:
    from payesh.ledger.core import duckdb_connect

    con = duckdb_connect(path.parent / "gen-tmp", preserve_order=False, memory_limit="2GB")
    con.execute(f"""
    COPY (
      SELECT CASE WHEN i % 3 = 0 THEN 'import' ELSE 'export' END AS flow,
             DATE '2015-01-01' + CAST(i % 3650 AS INTEGER) AS declaration_date,
             'D' || lpad(CAST(i // 4 AS VARCHAR), 9, '0') AS declaration_id,
             CAST(i % 4 + 1 AS INTEGER) AS line_no,
             (['MIRJAVEH', 'ZAHEDAN', 'CHABAHAR', 'PISHIN', 'MILAK'])[i % 5 + 1] AS customs_office,
             CASE WHEN i % 10 = 0 THEN 'border_market' ELSE 'customs' END AS channel,
             CASE WHEN i % 10 = 0 THEN 'MILAK' END AS border_market,
             (['PAK', 'AFG', 'CHN', 'ARE', 'IND', 'IRQ', 'TUR'])[i % 7 + 1] AS partner,
             CASE WHEN i % 2 = 0 THEN 'IR-11' END AS origin_province,
             CASE WHEN i % 4 = 0 THEN 'IR-11-05' END AS origin_county,
             (['10063090', '25232900', '08041000', '07020000', '27111200', '39011000', '72083900', '03038900'])[i % 8 + 1] AS hs_code,
             'HS17' AS hs_revision,
             round(100 + (i * 7919) % 100000, 1) AS quantity, 'kg' AS unit,
             round(100 + (i * 7919) % 100000, 1) AS net_weight_kg,
             round((100 + (i * 7919) % 100000) * (0.5 + (i % 13) / 10.0), 2) AS value_usd,
             CAST(NULL AS DOUBLE) AS value_rial, CAST(NULL AS DOUBLE) AS rial_per_usd,
             (['road', 'sea', 'rail', 'air'])[i % 4 + 1] AS transport_mode
      FROM range({rows}) t(i)
    ) TO '{path}' (FORMAT csv, HEADER true)""")
    con.close()


def run_child(code: str, *args: str) -> tuple[str, float, float]:
    """Run a child Python; return its stdout, its own peak RSS in GB and its CPU seconds (user + system)."""
    child = subprocess.Popen([sys.executable, "-c", code, *args], stdout=subprocess.PIPE, text=True,
                             env=dict(os.environ, PYTHONPATH=str(REPO)))
    assert child.stdout is not None
    out = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        raise SystemExit(f"child failed ({child.returncode})")
    return out.strip(), usage.ru_maxrss / 1024 / 1024, usage.ru_utime + usage.ru_stime  # ru_maxrss: KiB


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=int(os.environ.get("BENCH_ROWS", "2000000")),
                        help="rows of the generated file (default: $BENCH_ROWS or 2,000,000)")
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--pairs", type=int, default=3, help="bare/ingest pairs, interleaved; medians reported")
    args = parser.parse_args()
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="payesh-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    csv_path = workdir / f"canonical-{args.rows}.csv"
    if not csv_path.exists():
        t = time.perf_counter()
        generate(csv_path, args.rows)
        print(f"generated {args.rows:,} rows, {csv_path.stat().st_size / 1e9:.2f} GB in {time.perf_counter() - t:.1f} s")
    bare_times: list[float] = []
    default_times: list[float] = []
    ingest_times: list[float] = []
    # CPU seconds of the timed section (all threads): on a machine shared with other work the wall
    # clock measures the neighbours too; the CPU ratio says what validation itself costs.
    bare_cpus: list[float] = []
    ingest_cpus: list[float] = []
    bare_peak = ingest_peak = 0.0
    for pair in range(args.pairs):
        # Bare and ingest interleaved, so that a noisy neighbour weighs on both sides alike.
        bare_out, bare_rss, bare_cpu = run_child(BARE, str(csv_path), str(workdir / "bare.parquet"), str(workdir / "bare-tmp"))
        default_out, _rss, _cpu = run_child(BARE_DEFAULTS, str(csv_path), str(workdir / "bare2.parquet"), "")
        default_times.append(float(default_out.split()[0]))
        bare_out, bare_section_cpu = bare_out.split()
        bare_cpus.append(float(bare_section_cpu))
        lake = workdir / f"lake-{time.time_ns()}"
        ingest_out, ingest_rss, ingest_cpu = run_child(INGEST, str(csv_path), str(lake))
        shutil.rmtree(lake, ignore_errors=True)
        ingest_s, loaded, warnings, ingest_section_cpu = ingest_out.split()
        ingest_cpus.append(float(ingest_section_cpu))
        bare_times.append(float(bare_out))
        ingest_times.append(float(ingest_s))
        bare_peak, ingest_peak = max(bare_peak, bare_rss), max(ingest_peak, ingest_rss)
        print(f"pair {pair + 1}: bare {float(bare_out):6.2f} s  bare (DuckDB defaults) {default_times[-1]:6.2f} s  ingest {float(ingest_s):6.2f} s  "
              f"ratio {float(bare_out) / float(ingest_s):.0%}  CPU s (whole child) bare {bare_cpu:.1f} "
              f"ingest {ingest_cpu:.1f}  ingest peak RSS {ingest_rss:.2f} GB"
              f"  (loaded {int(loaded):,}, warnings {warnings})", flush=True)
    bare_s, ingest_s_f = statistics.median(bare_times), statistics.median(ingest_times)
    bare_rate, ingest_rate = args.rows / bare_s, args.rows / ingest_s_f
    ratio = statistics.median(b / i for b, i in zip(bare_times, ingest_times, strict=True))
    print(f"bare DuckDB read_csv → parquet : {bare_s:8.2f} s  {bare_rate:12,.0f} rows/s  peak RSS {bare_peak:.2f} GB"
          f"  (median of {args.pairs})")
    default_s = statistics.median(default_times)
    default_ratio = statistics.median(b / i for b, i in zip(default_times, ingest_times, strict=True))
    print(f"bare, DuckDB's own defaults    : {default_s:8.2f} s  {args.rows / default_s:12,.0f} rows/s  (median)")
    print(f"Payesh ingest (validated)      : {ingest_s_f:8.2f} s  {ingest_rate:12,.0f} rows/s  peak RSS {ingest_peak:.2f} GB")
    print(f"ratio Payesh / bare (median)   : {ratio:.0%}  (bar ≥ 60 %)  {'OK' if ratio >= 0.6 else 'BELOW BAR'}")
    print(f"ratio Payesh / bare with DuckDB's defaults (median): {default_ratio:.0%}  (bar ≥ 60 %)  "
          f"{'OK' if default_ratio >= 0.6 else 'BELOW BAR'}")
    cpu_ratio = statistics.median(b / i for b, i in zip(bare_cpus, ingest_cpus, strict=True))
    print(f"CPU s of the timed section     : bare {statistics.median(bare_cpus):.2f}  ingest "
          f"{statistics.median(ingest_cpus):.2f}  ratio {cpu_ratio:.0%} (medians)")
    print(f"ingest peak RSS (max)          : {ingest_peak:.2f} GB (bar ≤ 2 GB)  {'OK' if ingest_peak <= 2 else 'ABOVE BAR'}")

if __name__ == "__main__":
    main()
