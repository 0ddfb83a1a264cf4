# Shared shell helpers for the project's scripts. Sourced, not run.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BOT_VENV="$ROOT/.venv-bot"
GOV_VENV="$ROOT/.venv-gov"
MODELS_DIR="$ROOT/models"
VAR_DIR="${GA_VAR_DIR:-$ROOT/var}"

log() { printf '\033[1m[gemeente-assistent]\033[0m %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# Python for the bot env: Rasa 3.6 needs Python <= 3.10.
find_python310() {
  local candidate
  if command -v pyenv >/dev/null 2>&1; then
    for candidate in "$(pyenv root)"/versions/3.10.*/bin/python; do
      [ -x "$candidate" ] && { echo "$candidate"; return 0; }
    done
  fi
  for candidate in python3.10; do
    command -v "$candidate" >/dev/null 2>&1 && { command -v "$candidate"; return 0; }
  done
  return 1
}

# Python for the governance env: 3.11 or newer.
find_python311() {
  local candidate
  if command -v pyenv >/dev/null 2>&1; then
    for candidate in "$(pyenv root)"/versions/3.11.*/bin/python "$(pyenv root)"/versions/3.12.*/bin/python; do
      [ -x "$candidate" ] && { echo "$candidate"; return 0; }
    done
  fi
  for candidate in python3.11 python3.12 python3; do
    if command -v "$candidate" >/dev/null 2>&1 &&
      "$candidate" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)'; then
      command -v "$candidate"; return 0
    fi
  done
  return 1
}

# The Rasa project: config, domain and training data, as `rasa train` and `rasa data validate` take them.
RASA_PROJECT_ARGS=(--config bot/config.yml --domain bot/domain --data data/nlu bot/rules.yml bot/rules_answers.yml)

# Fingerprint of everything the trained model depends on: a change means retraining.
training_fingerprint() {
  (cd "$ROOT" && cat bot/config.yml bot/components/*.py knowledge/text.py bot/domain/*.yml bot/rules*.yml data/nlu/*.yml requirements/bot.lock | sha256sum | cut -c1-12)
}

model_path() { echo "$MODELS_DIR/gemeente-assistent-$(training_fingerprint).tar.gz"; }
