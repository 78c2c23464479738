#!/usr/bin/env bash
# The whole suite on SQLite, then again on PostgreSQL when a server answers (CI starts one).
set -uo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
export DJANGO_ALLOW_ASYNC_UNSAFE=true
mkdir -p test-artifacts

echo "== tests on SQLite =="
env -u DATABASE_URL $PY -m pytest "$@"
status=$?
[ $status -ne 0 ] && exit $status

PG_URL="${PAYESH_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/payesh}"
if $PY - "$PG_URL" <<'PYEOF'
import sys, psycopg
url = sys.argv[1].rsplit("/", 1)[0] + "/postgres"
try:
    psycopg.connect(url, connect_timeout=3).close()
except Exception as exc:
    print(f"PostgreSQL not reachable ({exc.__class__.__name__}).")
    sys.exit(1)
PYEOF
then
  echo "== tests on PostgreSQL ($PG_URL) =="
  DATABASE_URL="$PG_URL" $PY -m pytest -m "not slow and not realdata and not spark" "$@"
  exit $?
else
  echo "SKIPPED: the PostgreSQL run (no server at $PG_URL). Set PAYESH_TEST_POSTGRES_URL or start PostgreSQL."
fi
