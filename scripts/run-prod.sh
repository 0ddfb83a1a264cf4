#!/usr/bin/env bash
# The production configuration on this machine's own services: PostgreSQL (governance database and Rasa's
# tracker store, each its own database), Redis (Rasa's lock store, shared rate limits), two Rasa replicas and
# two governance workers. Usage: run-prod.sh [--background]
set -euo pipefail
source "$(dirname "$0")/lib.sh"

PGHOST="${PGHOST:-127.0.0.1}" PGPORT="${PGPORT:-5432}" PGUSER="${PGUSER:-postgres}"
GOVERNANCE_DB="${GOVERNANCE_DB:-gemeente_assistent}" TRACKER_DB_NAME="${TRACKER_DB_NAME:-gemeente_assistent_tracker}"
REDIS_HOST="${REDIS_HOST:-127.0.0.1}" REDIS_PORT="${REDIS_PORT:-6379}"

for service in "$PGHOST:$PGPORT" "$REDIS_HOST:$REDIS_PORT"; do
  (exec 3<>"/dev/tcp/${service%:*}/${service#*:}") 2>/dev/null || die "nothing answers on $service (PostgreSQL and Redis are needed)"
done
"$GOV_VENV/bin/python" - "$PGHOST" "$PGPORT" "$PGUSER" "$GOVERNANCE_DB" "$TRACKER_DB_NAME" <<'PY'
import sys
import psycopg
host, port, user, *names = sys.argv[1:]
with psycopg.connect(host=host, port=port, user=user, dbname="postgres", autocommit=True) as connection:
    for name in names:
        if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            connection.execute(f'CREATE DATABASE "{name}"')
            print(f"created database {name}", file=sys.stderr)
PY

export RASA_ENDPOINTS=bot/endpoints.production.yml RASA_REPLICAS="${RASA_REPLICAS:-2}" GOV_WORKERS="${GOV_WORKERS:-2}"
export TRACKER_HOST="$PGHOST" TRACKER_PORT="$PGPORT" TRACKER_DB="$TRACKER_DB_NAME" TRACKER_USER="$PGUSER"
export TRACKER_PASSWORD="${TRACKER_PASSWORD:-}" REDIS_HOST REDIS_PORT
export DATABASE_URL="${DATABASE_URL:-postgresql://$PGUSER@$PGHOST:$PGPORT/$GOVERNANCE_DB}"
export GOV_REDIS_URL="${GOV_REDIS_URL:-redis://$REDIS_HOST:$REDIS_PORT/2}"
exec "$ROOT/scripts/stack.sh" "$@"
