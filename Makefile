# Two commands are the whole set-up: `make demo` and `make test` (each creates .venv when missing).
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.gansuite-installed

.PHONY: demo test install clean bench

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	@touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/gansuite demo --out gansuite-demo

test: $(STAMP)
	$(PY) -m pytest -n 2 --durations=15 -q

clean:
	rm -rf runs gansuite-demo .pytest_cache
