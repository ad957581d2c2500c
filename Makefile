# MediaFetcher: `make run` starts the whole stack, `make test` runs every test.
# Both install what is missing first (apt packages when run as root, uv, Python deps).
SHELL := /bin/bash
.ONESHELL:
.SHELLFLAGS := -euo pipefail -c

export MF_DATABASE_URL ?= postgresql://postgres@127.0.0.1:5432/mediafetcher
export MF_REDIS_URL ?= redis://127.0.0.1:6379/0
export MF_MEDIA_ROOT ?= /mnt/media
export MF_PORT ?= 8080
# The unpacked extension in extension/dist has this fixed id (extension/keys): allowed by CORS.
export MF_EXTENSION_ORIGINS ?= chrome-extension://gagcaicpgdikclnmgonnfnggffkanndd
export MF_TEST_DATABASE_URL ?= postgresql://postgres@127.0.0.1:5432/postgres
export MF_TEST_REDIS_URL ?= redis://127.0.0.1:6379/0
export UV_COMPILE_BYTECODE := 1
APT_PACKAGES := ffmpeg chromium strace
PG_ADMIN := $(dir $(MF_TEST_DATABASE_URL))postgres

.PHONY: run test install system-deps python-deps services database lint bench help web extension

help:
	@echo "make run    install what is missing and start every service (http://127.0.0.1:$(MF_PORT))"
	@echo "make test   install what is missing and run every test"
	@echo "make bench  run the benchmarks (bench/)"

install: system-deps python-deps

system-deps:
	missing=""
	for pkg in $(APT_PACKAGES); do dpkg -s $$pkg >/dev/null 2>&1 || missing="$$missing $$pkg"; done
	if [ -n "$$missing" ]; then
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
	    echo "installing:$$missing"
	    apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing
	  else
	    echo "missing system packages:$$missing — install them (e.g. sudo apt-get install$$missing)"; exit 1
	  fi
	fi

python-deps:
	command -v uv >/dev/null || python3 -m pip install -q uv
	uv sync --frozen

services:
	if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
	  if ls /etc/postgresql/*/main >/dev/null 2>&1; then
	    echo "starting PostgreSQL"; pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql | sort -V | tail -1) main start
	  else
	    echo "PostgreSQL is not running on 127.0.0.1:5432 and not installed here."
	    echo "Install it (apt-get install postgresql) or point MF_DATABASE_URL at a server."; exit 1
	  fi
	fi
	if ! redis-cli -h 127.0.0.1 ping >/dev/null 2>&1; then
	  if command -v redis-server >/dev/null; then
	    echo "starting Redis"; redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no
	    for i in $$(seq 50); do redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 && break; sleep 0.1; done
	  else
	    echo "Redis is not running on 127.0.0.1:6379 and not installed here."
	    echo "Install it (apt-get install redis-server) or point MF_REDIS_URL at a server."; exit 1
	  fi
	fi

database: services
	db=$$(basename "$${MF_DATABASE_URL%%\?*}")
	if ! psql "$(PG_ADMIN)" -tAc "SELECT 1 FROM pg_database WHERE datname='$$db'" | grep -q 1; then
	  psql "$(PG_ADMIN)" -qc "CREATE DATABASE \"$$db\"" && echo "created database $$db"
	fi

web:
	command -v npm >/dev/null || { echo "Node.js >= 20.19 with npm is needed to build the web app (https://nodejs.org or your distribution)"; exit 1; }
	cd frontend
	if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then npm ci --no-audit --no-fund; fi
	npm run build

extension:
	cd extension
	if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then npm ci --no-audit --no-fund; fi
	npm run build

run: install database web extension
	mkdir -p "$(MF_MEDIA_ROOT)" || { echo "cannot create MF_MEDIA_ROOT=$(MF_MEDIA_ROOT); set it to a writable folder"; exit 1; }
	uv run mf migrate
	# Stored cookie jars must outlive a restart. Without MF_VAULT_KEY (environment or .env),
	# a key is made once and kept in .data/vault.key (0600, ignored by git).
	if [ -z "$${MF_VAULT_KEY:-}" ] && ! grep -qs '^MF_VAULT_KEY=.' .env; then
	  if [ ! -s .data/vault.key ]; then
	    mkdir -p .data
	    (umask 077 && uv run python -c 'import base64, os; print(base64.b64encode(os.urandom(32)).decode())' > .data/vault.key)
	    echo "made a cookie vault key for this checkout: .data/vault.key (back it up with the database)"
	  fi
	  export MF_VAULT_KEY="$$(cat .data/vault.key)"
	fi
	echo "MediaFetcher on http://127.0.0.1:$(MF_PORT) (Ctrl-C stops every service)"
	exec uv run honcho start -f Procfile

lint:
	uv run lint-imports

test: install services lint web extension
	(cd frontend && npm test)
	(cd extension && npx vitest run --reporter=default --reporter=json --outputFile=/tmp/mf-ext-vitest.json)
	node -e 'const r=require("/tmp/mf-ext-vitest.json"); console.log(`extension: $${r.numPassedTests} passed, $${r.numFailedTests} failed`)'
	uv run pytest

bench: install services web
	$(MAKE) system-deps APT_PACKAGES="wrk nginx-light"
	uv run python bench/bus_bench.py
	uv run python bench/pipeline_bench.py
	uv run python bench/gateway_bench.py
