#!/usr/bin/env bash
# Start the action server, Rasa (loopback only) and the governance service on the embedded defaults.
# Usage: stack.sh [--background]   (background: return once /readyz answers 200; PIDs in var/stack.pids)
set -euo pipefail
source "$(dirname "$0")/lib.sh"

ACTIONS_PORT="${ACTIONS_PORT:-5055}"
RASA_PORT="${RASA_PORT:-5005}"
GATEWAY_PORT="${GATEWAY_PORT:-8000}"
# bot/endpoints.yml: SQLite tracker store (default). bot/endpoints.production.yml: PostgreSQL tracker store
# and Redis lock store; it reads TRACKER_HOST, TRACKER_PORT, TRACKER_DB, TRACKER_USER, TRACKER_PASSWORD,
# REDIS_HOST and REDIS_PORT from the environment.
RASA_ENDPOINTS="${RASA_ENDPOINTS:-bot/endpoints.yml}"
# Production scale (make run-prod): several Rasa replicas on RASA_PORT, RASA_PORT+1, … and several
# governance workers. Replicas need the shared stores of endpoints.production.yml.
RASA_REPLICAS="${RASA_REPLICAS:-1}"
GOV_WORKERS="${GOV_WORKERS:-1}"
# Shared secrets, new on every start unless given: the gateway -> Rasa channel, Rasa -> the action server.
# In the environment of the processes that need them (readable by this user only), never on a command line.
GA_BOT_SECRET="${GA_BOT_SECRET:-$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')}"
GA_ACTION_SECRET="${GA_ACTION_SECRET:-$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')}"
export GATEWAY_PORT GA_BOT_SECRET GA_ACTION_SECRET
rasa_urls=""
for ((i = 0; i < RASA_REPLICAS; i++)); do rasa_urls="${rasa_urls:+$rasa_urls,}http://127.0.0.1:$((RASA_PORT + i))"; done
export GOV_RASA_URL="$rasa_urls" GOV_ACTION_SERVER_URL="http://127.0.0.1:$ACTIONS_PORT"
export GOV_PUBLIC_BASE_URL="${GOV_PUBLIC_BASE_URL:-http://127.0.0.1:$GATEWAY_PORT}"
model=$(model_path)
[ -f "$model" ] || die "no trained model for the current data; run: make train"
# Databases, logs and the tracker store hold conversations: readable by this user only.
umask 077
mkdir -p "$VAR_DIR/logs"
chmod 700 "$VAR_DIR" "$VAR_DIR/logs"
pids_file="$VAR_DIR/stack.pids"
: > "$pids_file"

stop_all() {
  [ -f "$pids_file" ] || return 0
  while read -r pid; do kill "$pid" 2>/dev/null || true; done < "$pids_file"
  rm -f "$pids_file"
}

cd "$ROOT"
log "Starting the action server on 127.0.0.1:$ACTIONS_PORT"
env -u GA_BOT_SECRET SANIC_HOST=127.0.0.1 PYTHONPATH="$ROOT" TF_CPP_MIN_LOG_LEVEL=3 \
  "$BOT_VENV/bin/rasa" run actions --actions actions -p "$ACTIONS_PORT" > "$VAR_DIR/logs/actions.log" 2>&1 &
echo $! >> "$pids_file"

for ((i = 0; i < RASA_REPLICAS; i++)); do
  port=$((RASA_PORT + i))
  suffix=$([ "$i" -eq 0 ] && echo "" || echo "-$i")
  log "Starting Rasa on 127.0.0.1:$port with ${model#$ROOT/}"
  ACTION_ENDPOINT_URL="http://127.0.0.1:$ACTIONS_PORT/webhook" TRACKER_DB="${TRACKER_DB:-$VAR_DIR/rasa-tracker.db}" \
    TF_CPP_MIN_LOG_LEVEL=3 PYTHONPATH="$ROOT" \
    "$BOT_VENV/bin/rasa" run --model "$model" --endpoints "$RASA_ENDPOINTS" --credentials bot/credentials.yml \
    -i 127.0.0.1 -p "$port" > "$VAR_DIR/logs/rasa$suffix.log" 2>&1 &  # no --enable-api: the channel reports the model
  echo $! >> "$pids_file"
done

# The governance service erases conversations from Rasa's tracker store itself (Rasa has no API for it).
if [ "$RASA_ENDPOINTS" = "bot/endpoints.yml" ]; then
  tracker_file="${TRACKER_DB:-$VAR_DIR/rasa-tracker.db}"
  case "$tracker_file" in /*) ;; *) tracker_file="$ROOT/$tracker_file" ;; esac
  export GOV_TRACKER_STORE_URL="${GOV_TRACKER_STORE_URL:-sqlite:///$tracker_file}"
else
  export GOV_TRACKER_STORE_URL="${GOV_TRACKER_STORE_URL:-postgresql://${TRACKER_USER}:${TRACKER_PASSWORD:-}@${TRACKER_HOST}:${TRACKER_PORT}/${TRACKER_DB}}"
fi
key_file="$VAR_DIR/secret.key"
case "$key_file" in /*) ;; *) key_file="$ROOT/$key_file" ;; esac
export GOV_ENCRYPTION_KEY_FILE="${GOV_ENCRYPTION_KEY_FILE:-$key_file}"

if [ "$GOV_WORKERS" -gt 1 ]; then
  # several workers share their metrics through files (emptied at start by `serve`)
  export PROMETHEUS_MULTIPROC_DIR="${PROMETHEUS_MULTIPROC_DIR:-$VAR_DIR/prometheus}"
fi
log "Starting the governance service on 127.0.0.1:$GATEWAY_PORT ($GOV_WORKERS worker(s))"
env -u GA_ACTION_SECRET "$GOV_VENV/bin/python" -m governance serve --workers "$GOV_WORKERS" > "$VAR_DIR/logs/governance.log" 2>&1 &
echo $! >> "$pids_file"

started=$(date +%s)
until curl -fsS "http://127.0.0.1:$GATEWAY_PORT/readyz" > /dev/null 2>&1; do
  for pid in $(cat "$pids_file"); do
    kill -0 "$pid" 2>/dev/null || { log "a process stopped during start-up; logs in var/logs/"; tail -n 20 "$VAR_DIR"/logs/*.log >&2; stop_all; exit 1; }
  done
  [ $(( $(date +%s) - started )) -lt 300 ] || { log "not ready after 300 s; logs in var/logs/"; stop_all; exit 1; }
  sleep 1
done
log "Ready after $(( $(date +%s) - started )) s."
cat >&2 <<URLS

  Citizen widget     http://127.0.0.1:$GATEWAY_PORT/
  Citizen API        http://127.0.0.1:$GATEWAY_PORT/api/v1  (OpenAPI: /api/v1/openapi.json, docs: /api/v1/docs)
  Staff console      http://127.0.0.1:$GATEWAY_PORT/staff  (token: .venv-gov/bin/python -m governance user add --name NAME --role agent|reviewer|admin)
  Governance         http://127.0.0.1:$GATEWAY_PORT/governance   readiness: /governance/readiness   metrics: /metrics
  How it works       http://127.0.0.1:$GATEWAY_PORT/hoe-werkt-het
  Health             http://127.0.0.1:$GATEWAY_PORT/healthz   http://127.0.0.1:$GATEWAY_PORT/readyz
  Logs               var/logs/   (Rasa and the action server listen on 127.0.0.1 and answer the gateway only)

URLS
if [ "${1:-}" = "--background" ]; then
  exit 0
fi
trap 'log "Stopping…"; stop_all' INT TERM EXIT
log "Press Ctrl+C to stop."
wait
