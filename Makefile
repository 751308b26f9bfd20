# eventsapp: `make run` to try it, `make test` to check it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := eventsapp
PYTEST_ARGS ?=

.PHONY: run test serve lint install install-test install-dev migrate demo clean e2e e2e-deps bench \
	cluster cluster-stop cluster-test

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -e .

install-test: $(BIN)/python
	$(BIN)/pip install --quiet -e ".[test]"

install-dev: $(BIN)/python
	$(BIN)/pip install --quiet -e ".[test,dev]"

migrate: install
	$(BIN)/flask db upgrade

demo: export FLASK_DEBUG ?= 1
demo: migrate
	$(BIN)/flask demo

## run: install, migrate, load the demo visit and serve on http://127.0.0.1:5000;
##      the outbox worker runs alongside, writing email to instance/outbox/*.eml
run: export FLASK_DEBUG := 1
run: demo
	$(BIN)/flask outbox send --watch --interval 2 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/flask run --host 127.0.0.1 --port 5000

## test: install the test extras and run the whole suite (TEST_DATABASE_URL selects PostgreSQL)
##       e.g. make test PYTEST_ARGS="-x tests/test_cli.py"
test: install-test
	$(BIN)/pytest $(PYTEST_ARGS)

## e2e-deps: what the browser tests need: Debian's chromium (apt, as root or with sudo; only
##           when /usr/bin/chromium is missing), Playwright for Python and axe-core from npm.
##           Never `playwright install`: it downloads a browser of its own.
e2e-deps: $(BIN)/python
	@missing=""; \
	[ -x /usr/bin/chromium ] || missing="chromium"; \
	command -v npm >/dev/null || missing="$$missing npm"; \
	if [ -n "$$missing" ]; then \
	  sudo=""; [ "$$(id -u)" -eq 0 ] || sudo=sudo; \
	  $$sudo apt-get update && \
	  $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y $$missing; \
	fi
	$(BIN)/pip install --quiet -e ".[test,e2e]"
	npm ci --prefix tests/e2e --no-audit --no-fund --loglevel=error

## e2e: only the browser tests (journeys, every main page at two widths, axe-core);
##      screenshots go to test-artifacts/screenshots/
e2e: e2e-deps
	EVENTSAPP_E2E_REQUIRED=1 $(BIN)/pytest -m browser $(PYTEST_ARGS)

## serve: production-style server (needs SECRET_KEY; DATABASE_URL for PostgreSQL). Rate
##        limits and the content cache in the Redis on 127.0.0.1:6379 unless
##        RATELIMIT_STORAGE_URI, CACHE_TYPE or CACHE_REDIS_URL say otherwise
serve: install
	$(BIN)/flask db upgrade
	RATELIMIT_STORAGE_URI="$${RATELIMIT_STORAGE_URI:-redis://127.0.0.1:6379/0}" \
	CACHE_TYPE="$${CACHE_TYPE:-RedisCache}" \
	CACHE_REDIS_URL="$${CACHE_REDIS_URL:-redis://127.0.0.1:6379/0}" \
	PYTHONFAULTHANDLER=1 $(BIN)/gunicorn --no-control-socket --workers 2 --bind 127.0.0.1:8000 \
	  "eventsapp:create_app()"

## cluster: the several-servers shape on this machine (deploy/cluster.sh): nginx (Debian's,
##          installed when missing) on http://127.0.0.1:$${CLUSTER_PORT:-8080} in front of two
##          gunicorn servers, PostgreSQL database eventsapp_cluster (created, migrated, the
##          demo loaded), Redis on 127.0.0.1:6379, one outbox worker; logs in instance/cluster/
cluster: install
	deploy/cluster.sh start

## cluster-stop: stop what `make cluster` started (by its PID files); the database stays
cluster-stop:
	deploy/cluster.sh stop

## cluster-test: the cluster tests (tests/cluster, on PostgreSQL; about 2 minutes), on free
##               ports unless CLUSTER_TEST_PORTS="nginx app1 app2" pins them
cluster-test: install-test
	$(BIN)/pytest -m cluster tests/cluster $(PYTEST_ARGS)

## lint: ruff and the import-linter layer contract
lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/lint-imports

## bench: the benchmark suite (not part of `make test`, about 15 minutes): wrk against
##        eventsapp and a floor app under the same gunicorn, on SQLite and PostgreSQL,
##        then the several-servers shape (benchmarks/cluster.py: nginx, two app servers);
##        tables in benchmarks/results/. BENCH_ARGS="--databases sqlite --update-readme",
##        BENCH_ARGS="--only cluster" for the cluster part alone
BENCH_ARGS ?=
bench: install-test
	@if ! command -v wrk >/dev/null; then \
	  sudo=""; [ "$$(id -u)" -eq 0 ] || sudo=sudo; \
	  $$sudo apt-get update && $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y wrk; \
	fi
	$(BIN)/python -m benchmarks.run $(BENCH_ARGS)

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache .ruff_cache
