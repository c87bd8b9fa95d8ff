# Self-bootstrapping: `make demo` and `make test` work on a fresh machine with Python 3.11.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
export AWS_EC2_METADATA_DISABLED := true

.PHONY: demo test bench sweep lint setup graphviz clean

setup: $(STAMP) graphviz

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

demo: setup
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
