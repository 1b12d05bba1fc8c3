# Gadekontakt: `make run` serves the app, `make test` runs every test.
# Everything a clean machine needs is installed from here (CI runs on a clean clone).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 5000
CHROMIUM ?= /usr/bin/chromium

.PHONY: run serve test install test-deps chromium caddy migrate bench bench-pages bench-sync bench-drain bench-scale wrk clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

migrate: install
	$(BIN)/flask --app pwa migrate

run: migrate
	$(BIN)/flask --app pwa run --host $(HOST) --port $(PORT)

# Production: gunicorn behind one TLS proxy (Caddy, deploy/Caddyfile), as the
# systemd unit runs it (deploy/systemd/gadekontakt.service; docs/operations.md).
# HTTPS=true sends HSTS and __Host- Secure cookies; PROXIES=1 trusts Caddy's
# X-Forwarded-For/-Proto and nothing in front of it. Without a proxy:
# make serve HTTPS=false PROXIES=0.
HTTPS   ?= true
PROXIES ?= 1
serve: migrate
	GADEKONTAKT_HTTPS=$(HTTPS) GADEKONTAKT_TRUSTED_PROXIES=$(PROXIES) \
	  $(BIN)/gunicorn -c gunicorn.conf.py --bind $(HOST):$(PORT) 'pwa:create_app()'

# Browser tests need Debian's Chromium; never a downloaded browser.
chromium:
	@if [ ! -x "$(CHROMIUM)" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing Debian's chromium for the browser tests"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	  else \
	    echo "Chromium is missing at $(CHROMIUM). Install it with: sudo apt-get install chromium" >&2; \
	    exit 1; \
	  fi; \
	fi

# The HTTPS test puts Debian's Caddy in front of gunicorn, as deploy/ does, and
# trusts Caddy's test CA in Chromium's own NSS database (certutil, libnss3-tools).
caddy:
	@if ! command -v caddy >/dev/null || ! command -v certutil >/dev/null; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing Debian's caddy for the HTTPS test"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq caddy libnss3-tools; \
	  else \
	    echo "Caddy is missing. Install it with: sudo apt-get install caddy libnss3-tools" >&2; \
	    exit 1; \
	  fi; \
	fi

# axe-core (accessibility checks) is a test-only npm package, pinned by tests/package-lock.json.
tests/node_modules/.installed: tests/package.json tests/package-lock.json
	cd tests && npm ci --silent --no-audit --no-fund
	touch $@

test-deps: install chromium caddy tests/node_modules/.installed

test: test-deps
	$(BIN)/pytest -q

# Page-performance budget (docs/performance.md): Lighthouse, pinned by
# bench/package-lock.json, and Playwright, both driving Debian's Chromium.
# Exits 1 when a budget is missed; figures and diagnostics in bench/results.json.
bench/node_modules/.installed: bench/package.json bench/package-lock.json
	cd bench && npm ci --silent --no-audit --no-fund
	touch $@

bench-pages: install chromium bench/node_modules/.installed
	CHROME_PATH=$(CHROMIUM) $(BIN)/python bench/run.py

# Sync under load: wrk (Debian) against gunicorn, as production is served.
wrk:
	@command -v wrk >/dev/null || { if [ "$$(id -u)" = 0 ]; then apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; else \
	  echo "wrk is missing: sudo apt-get install wrk" >&2; exit 1; fi; }

bench-sync: install wrk
	$(BIN)/python bench/sync_load.py

# One phone's outbox: 1,000 sealed encounters queued offline in Chromium, then
# uploaded to gunicorn on loopback; every id must arrive exactly once.
bench-drain: install chromium
	CHROME_PATH=$(CHROMIUM) $(BIN)/python bench/outbox_drain.py

# Ten years of data: 10 k, 300 k and 3 M encounters (seeded once, cached a
# week in bench/.cache: ~2.5 GB, 5-10 min to seed the 3 M tier on 2 cores).
bench-scale: install
	$(BIN)/python bench/scale.py

# All parts always run (pages first: it writes bench/results.json afresh);
# the target fails if any missed its budget.
bench: install chromium bench/node_modules/.installed wrk
	@status=0; $(MAKE) --no-print-directory bench-pages || status=1; \
	$(MAKE) --no-print-directory bench-sync || status=1; \
	$(MAKE) --no-print-directory bench-drain || status=1; \
	$(MAKE) --no-print-directory bench-scale || status=1; exit $$status

clean:
	rm -rf $(VENV) tests/node_modules
