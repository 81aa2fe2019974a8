#!/usr/bin/env bash
# Load and fault test of the archive (a benchmark, not a test): gunicorn on loopback against
# PostgreSQL, 50 concurrent clients for 60 s, then the same load with PostgreSQL stopped for 10 s.
# Writes its own section of bench/RESULTS.md (load-N, for N interventions), keeping the others.
#
#   bench/load/run.sh                       # 100,000 interventions
#   INTERVENTIONS=10000 bench/load/run.sh   # a smaller archive
#
# By default it runs its own PostgreSQL cluster in bench/data/pg on port 5499, so stopping the
# database for the fault run disturbs nobody else on the machine. On a machine of its own, set
# PG_CLUSTER="15 main" and DATABASE_URL to stop and start that cluster with pg_ctlcluster instead.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
DATA=$ROOT/bench/data
INTERVENTIONS=${INTERVENTIONS:-100000}
USERS=${USERS:-50}
DURATION=${DURATION:-60}
FAULT_AT=${FAULT_AT:-15}
FAULT_FOR=${FAULT_FOR:-10}
PORT=${BENCH_PORT:-8790}
PGPORT=${BENCH_PGPORT:-5499}
PGDATA=$DATA/pg
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
mkdir -p "$DATA"

as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

db_start() {
  if [ -n "${PG_CLUSTER:-}" ]; then pg_ctlcluster $PG_CLUSTER start
  else as_postgres "$PGBIN/pg_ctl" -D "$PGDATA" -l "$PGDATA/server.log" -w -o "-p $PGPORT -c listen_addresses=127.0.0.1 -k /tmp" start >/dev/null
  fi
}
db_stop() {
  if [ -n "${PG_CLUSTER:-}" ]; then pg_ctlcluster $PG_CLUSTER stop -m fast
  else as_postgres "$PGBIN/pg_ctl" -D "$PGDATA" -w -m fast stop >/dev/null
  fi
}

if [ -z "${PG_CLUSTER:-}" ]; then
  if [ ! -f "$PGDATA/PG_VERSION" ]; then
    mkdir -p "$PGDATA" && chown postgres "$PGDATA" 2>/dev/null || true
    as_postgres "$PGBIN/initdb" -D "$PGDATA" -U postgres --auth=trust >/dev/null
  fi
  as_postgres "$PGBIN/pg_ctl" -D "$PGDATA" status >/dev/null 2>&1 || db_start
  # One database per archive size, so runs at different sizes reuse their seeded data.
  DBNAME=bench_archive_$INTERVENTIONS
  export DATABASE_URL=postgres://postgres@127.0.0.1:$PGPORT/$DBNAME
  as_postgres "$PGBIN/psql" -h 127.0.0.1 -p "$PGPORT" -U postgres -tc \
    "SELECT 1 FROM pg_database WHERE datname = '$DBNAME'" | grep -q 1 ||
    as_postgres "$PGBIN/createdb" -h 127.0.0.1 -p "$PGPORT" -U postgres "$DBNAME"
fi
: "${DATABASE_URL:?set DATABASE_URL with PG_CLUSTER}"

[ -x bench/.venv/bin/locust ] || { python3.11 -m venv bench/.venv && bench/.venv/bin/pip install -q -r bench/requirements.txt; }
make install >/dev/null

export DEBUG=0 ALLOWED_HOSTS=127.0.0.1 SECURE_SSL_REDIRECT=0 STATIC_ROOT=$DATA/static LOG_LEVEL=WARNING
export SECRET_KEY=${SECRET_KEY:-$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(50))')}
.venv/bin/python manage.py migrate --noinput -v0
.venv/bin/python manage.py collectstatic --noinput -v0
HAVE=$(.venv/bin/python manage.py shell -c "from interventions.models import Intervention; print(Intervention.objects.count())" 2>/dev/null | tail -1)
if [ "$HAVE" = 0 ]; then
  echo "== seeding $INTERVENTIONS interventions"
  .venv/bin/python manage.py seed_synthetic --interventions "$INTERVENTIONS" --no-progress
elif [ "$HAVE" != "$INTERVENTIONS" ]; then
  echo "The bench database holds $HAVE interventions, not $INTERVENTIONS: drop it, or use another DATABASE_URL." >&2
  exit 1
fi
.venv/bin/python bench/load/targets.py > "$DATA/targets.json"

echo "== starting gunicorn on 127.0.0.1:$PORT"
HOST=127.0.0.1 PORT=$PORT GUNICORN_ACCESS_LOG= .venv/bin/gunicorn --config config/gunicorn.conf.py \
  --pid "$DATA/gunicorn.pid" > "$DATA/gunicorn.log" 2>&1 &
trap 'kill "$(cat "$DATA/gunicorn.pid" 2>/dev/null)" 2>/dev/null || true' EXIT
for _ in $(seq 1 60); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 1; done
MASTER_BEFORE=$(cat "$DATA/gunicorn.pid")
export BENCH_TARGETS=$DATA/targets.json

locust() {
  bench/.venv/bin/locust -f bench/load/locustfile.py --headless -u "$USERS" -r "$USERS" -t "$1s" \
    --host "http://127.0.0.1:$PORT" --csv "$DATA/$2" --only-summary --loglevel WARNING > "$DATA/$2.log" 2>&1 || true
}

echo "== load: $USERS clients for ${DURATION} s"
locust "$DURATION" load

echo "== fault: the same load, PostgreSQL stopped at ${FAULT_AT} s for ${FAULT_FOR} s"
echo "$(date +%s.%N) load-started" > "$DATA/fault-times.txt"
locust "$DURATION" fault &
LOCUST=$!
# A probe beside the load: one page and the health check every half second, with their timings.
(
  while kill -0 "$LOCUST" 2>/dev/null; do
    for url in /healthz /interventions/; do
      now=$(date +%s.%N)
      result=$(curl -s -o /dev/null -m 30 -w "%{http_code} %{time_total}" "http://127.0.0.1:$PORT$url") || true
      echo "$now $url $result"
    done
    sleep 0.5
  done
) > "$DATA/probe.txt" &
PROBE=$!
sleep "$FAULT_AT"
db_stop
echo "$(date +%s.%N) stopped" >> "$DATA/fault-times.txt"
sleep "$FAULT_FOR"
db_start
echo "$(date +%s.%N) started" >> "$DATA/fault-times.txt"
wait "$LOCUST" || true
wait "$PROBE" || true
MASTER_AFTER=$(cat "$DATA/gunicorn.pid")

.venv/bin/python bench/load/report.py --data "$DATA" --users "$USERS" --duration "$DURATION" \
  --fault-at "$FAULT_AT" --fault-for "$FAULT_FOR" --master-before "$MASTER_BEFORE" --master-after "$MASTER_AFTER" \
  > "$DATA/load-report.md"
.venv/bin/python bench/results.py "load-$INTERVENTIONS" < "$DATA/load-report.md"
cat "$DATA/load-report.md"
