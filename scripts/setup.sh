#!/usr/bin/env bash
# Create or update both virtual environments from the project's own requirement files.
# A stamp file records the hash of the requirements, so this is quick when nothing changed.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

ensure_venv() {  # name venv python requirements...
  local name="$1" venv="$2" python="$3"; shift 3
  local stamp="$venv/.requirements.sha256" want
  want=$(cd "$ROOT" && cat "$@" | sha256sum | cut -c1-16)
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    return 0
  fi
  log "Installing the $name environment in ${venv#$ROOT/} (first time takes a few minutes)…"
  [ -x "$venv/bin/python" ] || "$python" -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --upgrade "pip<24.1" 2>&1 | grep -v "is ignored" >&2 || true
  echo "$want"
}

py310=$(find_python310) || die "Python 3.10 not found (Rasa 3.6 needs it). Install it with pyenv: pyenv install 3.10"
py311=$(find_python311) || die "Python 3.11 or newer not found for the governance service."

if hash=$(ensure_venv bot "$BOT_VENV" "$py310" requirements/bot.txt requirements/bot.lock) && [ -n "$hash" ]; then
  (cd "$ROOT" && "$BOT_VENV/bin/pip" install --quiet -r requirements/bot.txt -c requirements/bot.lock 2>&1 | grep -v "is ignored" || true)
  "$BOT_VENV/bin/python" -c "import rasa, rasa_sdk" || die "the bot environment did not install"
  echo "$hash" > "$BOT_VENV/.requirements.sha256"
fi
if hash=$(ensure_venv governance "$GOV_VENV" "$py311" requirements/governance.txt requirements/governance-dev.txt) && [ -n "$hash" ]; then
  (cd "$ROOT" && "$GOV_VENV/bin/pip" install --quiet -r requirements/governance-dev.txt 2>&1 | grep -v "is ignored" || true)
  "$GOV_VENV/bin/python" -c "import fastapi, sqlalchemy, alembic" || die "the governance environment did not install"
  # deduce builds its lookup structures of Dutch names and streets once after an install (1-2 minutes),
  # here rather than in a citizen's first request
  log "Building the lookup lists of the PII screen (deduce, once after an install)…"
  "$GOV_VENV/bin/python" -c "from deduce import Deduce; Deduce()" 2>&1 | grep -v "Please wait" >&2 || true
  echo "$hash" > "$GOV_VENV/.requirements.sha256"
fi
mkdir -p "$VAR_DIR" "$MODELS_DIR"

# NL Design System CSS (design tokens + Utrecht components) for the widget and staff pages, built from the
# npm registry at install time; nothing built is committed. Without npm the pages still work, unstyled by it.
nlds_stamp="$ROOT/governance/static/vendor/.lock.sha256"
# our own CSS too: the build keeps only the theme tokens the components and our CSS use
nlds_hash=$(cat "$ROOT/widget/package.json" "$ROOT/widget/package-lock.json" "$ROOT/widget/build.mjs" "$ROOT"/governance/static/*.css \
  | sha256sum | cut -c1-16)
if [ "$(cat "$nlds_stamp" 2>/dev/null)" != "$nlds_hash" ]; then
  if command -v npm > /dev/null 2>&1; then
    log "Building the NL Design System styles (npm)…"
    (cd "$ROOT/widget" && npm ci --no-audit --no-fund --loglevel=error > /dev/null && node build.mjs > /dev/null) \
      && echo "$nlds_hash" > "$nlds_stamp" \
      || log "the NL Design System styles could not be built; the widget falls back to its own styles"
  else
    log "npm not found: the widget uses its own styles without the NL Design System tokens"
  fi
fi
