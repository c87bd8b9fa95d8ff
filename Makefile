# Self-bootstrapping: `make demo` and `make test` work on a fresh machine with Python 3.11.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
export AWS_EC2_METADATA_DISABLED := true

.PHONY: demo test bench sweep lint setup graphviz chromium bytecode icons clean

setup: $(STAMP) graphviz chromium bytecode

# An editable install leaves our modules uncompiled, and where PYTHONDONTWRITEBYTECODE is set
# (this workplace sets it) every run compiled them again: 0.2-0.3 s of each scan's CPU and of
# each CLI start. compileall writes the .pyc files once (up-to-date ones are skipped); Python
# still recompiles in memory any module edited since.
bytecode: $(STAMP)
	@$(PY) -m compileall -q -j 0 scanner renderers fixtures bench >/dev/null

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "awsscan needs Python >= 3.11")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

graphviz:
	@if command -v dot >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "Graphviz 'dot' is missing: installing it with apt-get"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq graphviz >/dev/null; \
	else \
	  echo "Graphviz 'dot' is missing. Install it (Debian/Ubuntu: sudo apt-get install graphviz;" \
	       "macOS: brew install graphviz) and run make again. Without it the diagrams are written as .dot only."; \
	fi

# headless Chromium for the browser test of the HTML report (tests/test_browser.py skips without it)
chromium:
	@if command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "Chromium is missing: installing Debian's chromium with apt-get (for the browser test)"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	    || echo "Chromium could not be installed: the browser test of the HTML report will be skipped"; \
	else \
	  echo "Chromium is missing: the browser test of the HTML report will be skipped. Install it" \
	       "(Debian/Ubuntu: sudo apt-get install chromium) or set AWSSCAN_CHROMIUM to a Chrome binary."; \
	fi

# regenerate renderers/icons/data.py from the diagrams package (after editing renderers/icons/catalog.py)
icons: $(STAMP)
	$(PY) -m renderers.icons.build

demo: $(STAMP) graphviz
	$(VENV)/bin/awsscan demo --out demo-report

test: setup
	$(PY) -m pytest -n 2 tests

bench: setup
	$(PY) bench/run.py

# every read denied once on the sample account: cells and findings that change without saying "unknown"
sweep: setup
	$(PY) bench/denial_sweep.py denial-sweep.json

lint: setup
	$(VENV)/bin/ruff check .

clean:
	rm -rf $(VENV) demo-report awsscan-report denial-sweep.json
