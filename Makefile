# The two commands a new user needs: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed
CHROMIUM ?= /usr/bin/chromium

.PHONY: run serve test e2e lint check check-deploy install messages demo clean bench-export bench

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is needed (set PYTHON=/path/to/python3.11)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Reinstall only when a requirements file changes.
$(STAMP): $(BIN)/python requirements.txt requirements-dev.txt
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

install: $(STAMP) messages

# French and Spanish need the compiled catalogues, and compiling needs gettext's msgfmt.
messages: $(STAMP)
	@if command -v msgfmt >/dev/null 2>&1; then \
		$(BIN)/python manage.py compilemessages --ignore=.venv --verbosity=0; \
	else \
		echo "msgfmt was not found: install gettext (Debian/Ubuntu: apt-get install gettext; macOS: brew install gettext)."; \
		echo "Without it the site runs in English only, and the tests of the French and Spanish pages fail."; \
	fi

run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# Production mode: DEBUG off, so SECRET_KEY and ALLOWED_HOSTS must be set (docs/deploy.md).
serve: export DEBUG = 0
serve: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	PORT=$(PORT) $(BIN)/gunicorn --config config/gunicorn.conf.py

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Browser tests in Debian's Chromium (apt-get install chromium); screenshots go to test-results/screenshots/.
e2e: install
	@test -x $(CHROMIUM) || { echo "Chromium was not found at $(CHROMIUM): apt-get install chromium"; exit 1; }
	CHROMIUM=$(CHROMIUM) DJANGO_ALLOW_ASYNC_UNSAFE=true $(BIN)/python -m pytest -m e2e tests/e2e $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

check: install
	$(BIN)/python manage.py check
	$(BIN)/python manage.py makemigrations --check --dry-run

# Django's deployment checks with production settings: they must find nothing.
check-deploy: install
	DEBUG=0 ALLOWED_HOSTS=archive.example.org \
	SECRET_KEY="$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
	$(BIN)/python manage.py check --deploy --fail-level WARNING

demo: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo

# Rows per second and peak memory of the CSV and JSON exports at 10k and 100k rows (a scratch database).
bench-export: install
	$(BIN)/python bench/export_bench.py

# Benchmarks (never part of `make test`): Datasette lives in its own bench/.venv, not in the app's requirements.
bench/.venv/bin/datasette: bench/requirements.txt
	$(PYTHON) -m venv bench/.venv
	bench/.venv/bin/pip install --quiet -r bench/requirements.txt
	touch $@

bench: install bench/.venv/bin/datasette
	$(BIN)/python bench/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
