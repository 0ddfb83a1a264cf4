# gemeente-assistent: the two commands a newcomer needs are `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help
GOV_PY := .venv-gov/bin/python
BOT_PY := .venv-bot/bin/python

.PHONY: help setup train run run-prod test lint format eval-nlu eval-conversations eval-screen validate openapi spectral stop bench bench-scale register readiness audit

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

setup: ## create or update .venv-bot (Python 3.10, Rasa) and .venv-gov (Python 3.11)
	@scripts/setup.sh

train: setup ## train the model if the training data changed (make train FORCE=1 retrains)
	@scripts/train.sh $(if $(FORCE),--force,)

run: train ## install what is missing, train if needed, start everything, print the URLs
	@scripts/stack.sh

run-prod: train ## the production configuration on the local PostgreSQL and Redis: 2 Rasa replicas, 2 workers
	@scripts/run-prod.sh

stop: ## stop a stack started in the background (tests do this themselves)
	@if [ -f var/stack.pids ]; then xargs -r kill < var/stack.pids || true; rm -f var/stack.pids; fi

test: train ## run every check and test (what CI runs)
	@scripts/test.sh

bench: train ## governed path vs bare Rasa at 1 and 20 concurrent conversations (throughput, p50/p95/p99, ratios)
	@$(GOV_PY) scripts/bench.py

lint: setup ## ruff check and format check
	@.venv-gov/bin/ruff check . && .venv-gov/bin/ruff format --check .

format: setup ## format the code with ruff
	@.venv-gov/bin/ruff format . && .venv-gov/bin/ruff check --fix .

validate: setup ## rasa data validate
	@source scripts/lib.sh && cd "$$ROOT" && PYTHONPATH="$$ROOT" "$$BOT_VENV/bin/rasa" data validate "$${RASA_PROJECT_ARGS[@]}"

eval-nlu: train ## accuracy per topic and confusion pairs on the held-out sets, then the conversation figures
	@for set in $(sort $(basename $(notdir $(wildcard tests/nlu/*.yml)))); do \
	  echo "== tests/nlu/$$set.yml"; \
	  TF_CPP_MIN_LOG_LEVEL=3 PYTHONPATH=. $(BOT_PY) bot/scripts/eval_nlu.py --model "$$(source scripts/lib.sh && model_path)" \
	    --data tests/nlu/$$set.yml --report var/reports/nlu_eval_$$set.json || exit 1; \
	done
	@$(MAKE) --no-print-directory eval-conversations

eval-screen: setup ## the PII screen on the held-out topic sets: false redactions and latency per message
	@$(GOV_PY) scripts/eval_screen.py

eval-conversations: train ## multi-turn set and long phrasings through the running stack (follow-ups, sub-answers, wrong topics)
	@$(GOV_PY) scripts/eval_conversations.py

openapi: setup ## write the OpenAPI document to var/openapi.json
	@mkdir -p var && $(GOV_PY) -m governance openapi --output var/openapi.json && echo var/openapi.json

spectral: openapi ## lint the OpenAPI document with the Dutch API Design Rules (Spectral)
	@scripts/spectral.sh var/openapi.json

register: setup ## Algoritmeregister export + DPIA/IAMA drafts in var/register (SUBMIT=1 also sends it)
	@$(GOV_PY) -m governance register --output var/register $(if $(SUBMIT),--submit,)

readiness: setup ## the guide's readiness check: eight steps, green/amber/red with evidence
	@$(GOV_PY) -m governance readiness

bench-scale: train ## load benchmark of run-prod: 100 conversations, 2 Rasa replicas + 2 workers beside 1 + 1
	@$(GOV_PY) scripts/bench_scale.py

audit: setup ## pip-audit of both environments (governance: no known vulnerability allowed)
	@$(GOV_PY) scripts/audit.py
