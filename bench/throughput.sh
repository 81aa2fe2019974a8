#!/usr/bin/env bash
# Requests per second of one intervention's page through gunicorn on loopback (a benchmark, not a test).
# Issue 6's target: >= 400 req/s with 2 workers on this machine. wrk (Debian's package) drives the load.
#
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/archive_bench_100k bench/throughput.sh
#
# Writes the `throughput` section of bench/RESULTS.md. wrk and gunicorn share the machine's CPUs, as the
# issue's own measurement did, so the number is what two workers manage beside their load generator.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${DATABASE_URL:?set DATABASE_URL to a seeded archive (make bench BENCH_ARGS=--seed)}"
WORKERS=${WORKERS:-2}
CONNECTIONS=${CONNECTIONS:-16}
SECONDS_EACH=${SECONDS_EACH:-15}
PORT=${BENCH_PORT:-8791}
DATA=bench/data
mkdir -p "$DATA"
command -v wrk >/dev/null || { echo "wrk was not found: apt-get install wrk" >&2; exit 1; }
make install >/dev/null

export DEBUG=0 ALLOWED_HOSTS=127.0.0.1 SECURE_SSL_REDIRECT=0 STATIC_ROOT=$DATA/static LOG_LEVEL=WARNING
export SECRET_KEY=${SECRET_KEY:-$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(50))')}
.venv/bin/python manage.py collectstatic --noinput -v0
DETAIL=$(.venv/bin/python manage.py shell -c "
from interventions.models import Intervention
public = Intervention.objects.published().order_by('pk')
print(public[public.count() // 2].get_absolute_url())" | tail -1)

# The page as visitors without a session get it (kept whole per archive version, config/pagecache.py), then
# rendered for every request (as for a logged-in curator, or with ARCHIVE_KEEP_PAGES=0).
URL="http://127.0.0.1:$PORT$DETAIL"
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
declare -A RPS ERRORS OUTPUT
for KEEP in 1 0; do
  ARCHIVE_KEEP_PAGES=$KEEP HOST=127.0.0.1 PORT=$PORT WEB_CONCURRENCY=$WORKERS GUNICORN_ACCESS_LOG= .venv/bin/gunicorn \
    --config config/gunicorn.conf.py --pid "$DATA/throughput.pid" > "$DATA/throughput-gunicorn.log" 2>&1 &
  trap 'kill "$(cat "$DATA/throughput.pid" 2>/dev/null)" 2>/dev/null || true' EXIT
  for _ in $(seq 1 60); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 1; done
  wrk -t2 -c"$CONNECTIONS" -d5s "$URL" >/dev/null  # warm-up: connections, caches, the workers' imports
  OUTPUT[$KEEP]=$(wrk -t2 -c"$CONNECTIONS" -d"${SECONDS_EACH}s" --latency "$URL")
  echo "${OUTPUT[$KEEP]}"
  RPS[$KEEP]=$(echo "${OUTPUT[$KEEP]}" | awk '/Requests\/sec/ {print $2}')
  ERRORS[$KEEP]=$(echo "${OUTPUT[$KEEP]}" | awk '/Non-2xx/ {print $NF}')
  kill "$(cat "$DATA/throughput.pid")"
  while [ -e "$DATA/throughput.pid" ]; do sleep 0.2; done
done
{
  echo "## Throughput: an intervention's page through gunicorn"
  echo
  echo "Run $(date -u '+%Y-%m-%d %H:%M UTC') by \`bench/throughput.sh\`: gunicorn with $WORKERS workers on loopback,"
  echo "wrk with $CONNECTIONS connections for ${SECONDS_EACH} s after a 5 s warm-up, on \`$DETAIL\`"
  echo "($(nproc) CPUs shared by gunicorn, its database and wrk; load average before the run: $LOAD_BEFORE)."
  echo
  echo "| the page | requests/s | target | non-2xx answers |"
  echo "|---|---:|---:|---:|"
  echo "| kept (visitors without a session) | ${RPS[1]} | >= 400 | ${ERRORS[1]:-0} |"
  echo "| rendered for each request (ARCHIVE_KEEP_PAGES=0) | ${RPS[0]} | >= 400 | ${ERRORS[0]:-0} |"
  echo
  echo '```'
  echo "# kept"
  echo "${OUTPUT[1]}"
  echo "# rendered"
  echo "${OUTPUT[0]}"
  echo '```'
} | .venv/bin/python bench/results.py throughput
