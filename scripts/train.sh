#!/usr/bin/env bash
# Train the Rasa model when none exists for the current training data (fingerprinted file name).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

target=$(model_path)
if [ -f "$target" ] && [ "${1:-}" != "--force" ]; then
  log "Model is up to date: ${target#$ROOT/}"
  exit 0
fi
log "Training the model (about 2-3 minutes on 2 cores; progress below)…"
started=$(date +%s)
cd "$ROOT"
export TF_CPP_MIN_LOG_LEVEL=2 PYTHONPATH="$ROOT"
"$BOT_VENV/bin/rasa" train "${RASA_PROJECT_ARGS[@]}" \
  --out "$MODELS_DIR" --fixed-model-name "$(basename "$target" .tar.gz)"
find "$MODELS_DIR" -name 'gemeente-assistent-*.tar.gz' ! -name "$(basename "$target")" -delete
log "Model trained in $(( $(date +%s) - started )) s: ${target#$ROOT/}"
