#!/usr/bin/env bash
# Start or stop a throw-away PostgreSQL and Redis on loopback (CI and local checks).
#   scripts/services.sh start   -> writes var/ci-services.env with DATABASE_URL, REDIS_URL
#   scripts/services.sh stop
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=${SERVICES_DIR:-/tmp/espace-assure-services}
PG_PORT=${PG_PORT:-55432}
REDIS_PORT=${REDIS_PORT:-56379}
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)

start() {
  mkdir -p var
  install -d -o postgres -g postgres -m 700 "$DIR"
  if [ ! -f "$DIR/data/PG_VERSION" ]; then
    runuser -u postgres -- "$PG_BIN/initdb" -D "$DIR/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
  fi
  runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$DIR/data" -l "$DIR/pg.log" \
    -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $DIR -c fsync=off -c synchronous_commit=off" -w start >/dev/null
  "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -tc "SELECT 1 FROM pg_database WHERE datname='portal'" | grep -q 1 \
    || "$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres portal
  redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --save "" --appendonly no --daemonize yes \
    --pidfile "$DIR/redis.pid" --logfile "$DIR/redis.log"
  for _ in $(seq 50); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
  cat > var/ci-services.env <<ENV
export DATABASE_URL=postgres://postgres@127.0.0.1:$PG_PORT/portal
export REDIS_URL=redis://127.0.0.1:$REDIS_PORT/0
export CELERY_BROKER_URL=redis://127.0.0.1:$REDIS_PORT/0
export PORTAL_REAL_SERVICES=1
ENV
  echo "PostgreSQL on 127.0.0.1:$PG_PORT, Redis on 127.0.0.1:$REDIS_PORT"
}

stop() {
  if [ -f "$DIR/data/postmaster.pid" ]; then
    runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$DIR/data" -m fast -w stop >/dev/null || true
  fi
  if [ -f "$DIR/redis.pid" ]; then
    kill "$(cat "$DIR/redis.pid")" 2>/dev/null || true
    rm -f "$DIR/redis.pid"
  fi
}

"$@"
