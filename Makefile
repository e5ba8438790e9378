# Two commands for a newcomer: `make run` and `make test`. Everything else is set up on the way.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# Debian/Ubuntu libraries Qt loads at run time (see docs/DEVELOPING.md): offscreen rendering, the on-screen keyboard
# (libpulse0) and a font; the xcb set is for a real window on X11.
QT_LIBS := libgl1 libegl1 libfontconfig1 libglib2.0-0 libdbus-1-3 libxkbcommon0 libpulse0 fonts-dejavu-core
XCB_LIBS := libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-randr0 \
            libxcb-render-util0 libxcb-shape0 libxcb-xkb1

.PHONY: run test test-all bench lint system-libs clean help

help:
	@echo "make run       set up .venv and start the kiosk"
	@echo "make test      set up .venv and run the test suite offscreen"
	@echo "make test-all  also the slow tests (soak, crash loops)"
	@echo "make bench     benchmarks against a floor measured in the same run"
	@echo "make lint      ruff + mypy"

run: $(STAMP) system-libs
	$(VENV)/bin/campaign-kiosk run

test: $(STAMP) system-libs
	$(PY) -m pytest -q

test-all: $(STAMP) system-libs
	$(PY) -m pytest -q -m "slow or not slow"

bench: $(STAMP) system-libs
	$(PY) -m bench

lint: $(STAMP)
	$(VENV)/bin/ruff check kiosk local_db tests bench
	$(VENV)/bin/ruff format --check kiosk local_db tests bench
	$(VENV)/bin/mypy

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "Python 3.11 or newer is needed (found $$($(PYTHON) --version))."; exit 1; }
	@[ -x $(PY) ] || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -c constraints.txt -e '.[test]'
	@touch $(STAMP)

# Installs only what is missing, and only on apt-based systems; elsewhere it says what to install.
system-libs:
	@if command -v dpkg-query >/dev/null 2>&1; then \
	  missing=""; for p in $(QT_LIBS) $(if $(filter run,$(MAKECMDGOALS)),$(XCB_LIBS)); do \
	    dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || missing="$$missing $$p"; done; \
	  if [ -n "$$missing" ]; then \
	    echo "Installing system libraries Qt needs:$$missing"; \
	    $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	  fi; \
	else echo "Not a Debian/Ubuntu system: make sure Qt's runtime libraries ($(QT_LIBS)) are installed."; fi

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache build dist
