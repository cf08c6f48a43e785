# Community Hub platform — the commands a newcomer needs.
#   make install   everything a bare machine needs (Python deps, Kafka jars, SecantusDB, Keycloak)
#   make run       start Kafka + MongoDB (SecantusDB), the five services and the web app (8080), with demo data
#   make test      unit + integration tests against real Kafka and MongoDB processes
#   make lint      ruff
#   make bench     benchmarks (prints figures and ratios)
#   make translations  collect the web pages' marked words into the catalogues (then translate web/src/hub_web/locale/*/LC_MESSAGES/messages.po)
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
UV_VERSION := 0.13.8
TOOLS := .hub/tools
UV := $(TOOLS)/bin/uv
STAMP := .hub/.installed
BENCH_GROWTH_SIZES ?= 2000,10000

.PHONY: help install run test test-unit lint format bench translations infra-up infra-down infra-status clean

help:
	@grep -E '^#   make' Makefile | sed 's/^#   //'

$(UV):
	@command -v $(PYTHON) >/dev/null || { echo "python3 (3.11) is required"; exit 1; }
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install -q --disable-pip-version-check uv==$(UV_VERSION)

$(STAMP): $(UV) uv.lock pyproject.toml libs/common/pyproject.toml libs/testkit/pyproject.toml cli/pyproject.toml web/pyproject.toml $(wildcard services/*/pyproject.toml) infra/kafka/pom.xml infra/keycloak/dist.env infra/secantusdb/requirements.lock web/package.json web/package-lock.json
	$(UV) sync --frozen --python 3.11
	PYTHON=$(PYTHON) scripts/infra.sh install
	@touch $(STAMP)

install: $(STAMP)

run: install
	UV=$(UV) scripts/run.sh

test: install
	$(UV) run --frozen pytest

test-unit: install
	$(UV) run --frozen pytest libs/common/tests services web/tests -m "not integration"

lint: install
	$(UV) run --frozen ruff check .
	$(UV) run --frozen ruff format --check .

format: install
	$(UV) run --frozen ruff format .
	$(UV) run --frozen ruff check --fix .

# The words people read in the web app, marked _() in code and templates: collected into the template
# catalogue, then merged into each language's .po (new words come in untranslated, changed ones fuzzy).
LOCALE := web/src/hub_web/locale
translations: install
	cd web && ../$(UV) run --frozen pybabel extract -F babel.cfg --add-location=file --sort-by-file \
		--project="Community Hub web app" --msgid-bugs-address="" --omit-header -o src/hub_web/locale/messages.pot .
	$(UV) run --frozen pybabel update -i $(LOCALE)/messages.pot -d $(LOCALE) --width=100 --ignore-obsolete

# growth at the issue's 10k/100k takes tens of minutes on SecantusDB: make bench BENCH_GROWTH_SIZES=10000,100000
bench: install infra-up
	$(UV) run --frozen python bench/backbone.py
	$(UV) run --frozen python bench/api.py
	$(UV) run --frozen python bench/e2e.py
	$(UV) run --frozen python bench/growth.py --sizes $(BENCH_GROWTH_SIZES)
	$(UV) run --frozen python bench/scaling.py
	$(UV) run --frozen python bench/notifications_profile.py
	$(UV) run --frozen python bench/burst.py
	$(UV) run --frozen python bench/burst.py --outage-s 120
	$(UV) run --frozen python bench/dashboard.py

infra-up: install
	scripts/infra.sh up

infra-down:
	scripts/infra.sh down
	scripts/infra.sh keycloak-down

infra-status:
	scripts/infra.sh status

clean: infra-down
	rm -rf .hub/data .hub/test .hub/logs
