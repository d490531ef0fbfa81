# Two commands do everything on a fresh machine: `make run` and `make test`.
VENV := .venv
PY := $(VENV)/bin/python
SYSTEM_PACKAGES := chromium fonts-dejavu-core gettext libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 poppler-utils redis-server

# Both cores: pytest-xdist workers, each given whole modules (module-scoped stacks, a PostgreSQL cluster
# or a Redis of a module are then started once and used by one worker).
PYTEST_PARALLEL := -n 2 --dist loadscope

.PHONY: run test check lint format deps system-deps worker bench clean

run: deps
	DEBUG=1 DEMO=1 $(PY) manage.py collectstatic --noinput -v 0
	DEBUG=1 DEMO=1 $(PY) manage.py migrate --noinput -v 0
	DEBUG=1 DEMO=1 $(PY) manage.py load_demo
	@# The task worker (background reports) runs beside the server and stops with it.
	DEBUG=1 DEMO=1 $(PY) manage.py run_worker --no-reload & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	DEBUG=1 DEMO=1 $(PY) manage.py runserver 127.0.0.1:8000

test: deps system-deps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/pytest -q $(PYTEST_PARALLEL)

# The fast loop while working: lint, then every test that needs no browser and starts no process of its own.
check: deps system-deps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/pytest -q $(PYTEST_PARALLEL) -m "not browser and not process"

# The French catalogue, compiled at set-up (polib, from requirements.txt: no GNU gettext needed); never committed.
CATALOGUES := locale/fr/LC_MESSAGES/django.mo

deps: $(VENV)/.installed node_modules/.installed $(CATALOGUES)

locale/%/LC_MESSAGES/django.mo: locale/%/LC_MESSAGES/django.po $(VENV)/.installed
	$(PY) -c 'import sys, polib; polib.pofile(sys.argv[1]).save_as_mofile(sys.argv[2])' $< $@

$(VENV)/.installed: requirements.txt requirements-dev.txt
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -r requirements-dev.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Debian packages: Chromium for the browser tests, Pango for WeasyPrint, GNU gettext for the catalogue test.
system-deps:
	@missing=""; for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "Installing Debian packages:$$missing"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

lint:
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format:
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

bench: deps system-deps
	for script in bench/bench_*.py; do echo "== $$script"; $(PY) $$script || exit 1; done

clean:
	rm -rf $(VENV) node_modules staticfiles
