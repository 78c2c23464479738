#!/usr/bin/env bash
# The benchmark suite: each script measures Payesh and its peers in the same run and prints ratios.
# BENCH_ROWS sets the ledger/cube size (the issues' bars are stated at 20,000,000 rows).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
ROWS="${BENCH_ROWS:-20000000}"
echo "== economic complexity: Payesh vs ecomplexity 0.5.3 and economic-complexity 0.3.0 =="
$PY benchmarks/bench_complexity.py
echo "== ledger ingest: Payesh vs bare DuckDB read_csv → COPY parquet ($ROWS rows) =="
$PY benchmarks/bench_ingest.py --rows "$ROWS"
echo "== cube: overview page and explorer questions vs hand-written DuckDB SQL ($ROWS rows) =="
$PY benchmarks/bench_cube.py --rows "$ROWS" ${BENCH_SPARK:+--spark}
echo "== production server: overview page and /api/cube under load, 8 connections ($ROWS rows) =="
# wrk measures the load (Debian package); without it the benchmark falls back to a Python client.
command -v wrk >/dev/null 2>&1 || { [ "$(id -u)" = 0 ] && apt-get install -y -qq wrk >/dev/null 2>&1; } || true
$PY benchmarks/bench_serve.py --rows "$ROWS" ${BENCH_SERVE_FOLDER:+--folder "$BENCH_SERVE_FOLDER"}
echo "== first load of the overview at 4 Mbps / 150 ms: partial vs full Plotly bundle (Chromium) =="
$PY benchmarks/bench_first_load.py
