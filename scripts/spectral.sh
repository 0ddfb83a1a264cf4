#!/usr/bin/env bash
# Lint an OpenAPI document with the Dutch API Design Rules; exit non-zero on any error.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
document="${1:?usage: spectral.sh openapi.json}"
tools="$ROOT/tools/spectral"
if [ ! -x "$tools/node_modules/.bin/spectral" ]; then
  command -v npm >/dev/null 2>&1 || die "npm is needed for the Spectral linter (install Node.js)"
  log "Installing Spectral from the npm registry…"
  (cd "$tools" && npm ci --no-audit --no-fund --loglevel=error >&2)
fi
# ADR_RULESET may point at another ruleset file, e.g. a local copy of Logius' official linter.yaml.
"$tools/node_modules/.bin/spectral" lint --ruleset "${ADR_RULESET:-$tools/adr-ruleset.yaml}" --fail-severity error "$document"
