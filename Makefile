# Two commands matter: `make demo` and `make test` (see README.md). The rest are their parts.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
ANSIBLE_CORE ?= ansible-core>=2.19,<2.20
COLLECTIONS := $(CURDIR)/build/collections
LINK := $(COLLECTIONS)/ansible_collections/kerio/connect
export ANSIBLE_COLLECTIONS_PATH := $(COLLECTIONS)
export PYTHONPATH := $(COLLECTIONS)

.PHONY: demo test venv link unit sanity lint integration directory py312 oldest-core system-deps clean

venv: $(VENV)/.installed
$(VENV)/.installed: requirements.txt tests/requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check '$(ANSIBLE_CORE)' -r requirements.txt -r tests/requirements.txt
	touch $@

# Ansible and Python find the collection as ansible_collections.kerio.connect through this link.
link: $(LINK)
$(LINK):
	mkdir -p $(dir $(LINK))
	ln -sfn $(CURDIR) $(LINK)

# Everything the tests need, system packages included; then every test.
test: system-deps venv link
	$(MAKE) sanity
	$(MAKE) lint
	$(BIN)/pytest -n 2 -p no:cacheprovider tests/unit tests/integration
	$(BIN)/pytest -p no:cacheprovider tests/directory
	$(MAKE) py312
	$(MAKE) oldest-core

# Sets everything up, starts the emulator, imports the demo users twice (the second run changes nothing).
demo: venv link
	bash tests/demo/run_demo.sh

system-deps:
	bash tests/setup/install-system-packages.sh

unit: venv link
	$(BIN)/pytest -q -n 2 -p no:cacheprovider tests/unit

integration: venv link
	$(BIN)/pytest -q -n 2 -p no:cacheprovider tests/integration

directory: venv link
	$(BIN)/pytest -q -p no:cacheprovider tests/directory

lint: venv
	$(BIN)/ansible-lint

# The benchmark (not part of `make test`): ansible-playbook runs of 1,000 to 100,000 users against the
# emulator, beside the naive loop and the floor; results in build/bench/results.json and docs/benchmarks.md.
# About 10 minutes; BENCH_QUICK=1 for one run of each case without 100,000 users (about a minute);
# BENCH_ARGS for anything else (BENCH_ARGS=--help). The directory case needs slapd (make system-deps).
.PHONY: bench
bench: venv link
	@[ -x /usr/sbin/slapd ] || echo "slapd is not installed, so the directory case is skipped: run make system-deps first"
	$(BIN)/python tests/benchmarks/run_benchmarks.py $(if $(filter-out 0,$(BENCH_QUICK)),--quick) $(BENCH_ARGS)

# Where Python 3.12 is present (pyenv has one here), the unit and integration tests run once
# more on the newest ansible-core it can install.
VENV312 := .venv312
py312: link
	@python312=$$(for candidate in python3.12 $$HOME/.pyenv/versions/3.12*/bin/python3.12; do \
		"$$candidate" -c pass 2>/dev/null && { echo "$$candidate"; break; }; done); \
	if [ -z "$$python312" ]; then echo "Python 3.12 not found: the 3.12 run cannot be done here"; exit 0; fi; \
	[ -x $(VENV312)/bin/pytest ] || { "$$python312" -m venv $(VENV312) && \
		$(VENV312)/bin/pip install -q --disable-pip-version-check --upgrade ansible-core -r requirements.txt -r tests/requirements.txt; }; \
	$(VENV312)/bin/ansible --version | head -1; \
	$(VENV312)/bin/pytest -n 2 -p no:cacheprovider tests/unit tests/integration

# The oldest ansible-core that meta/runtime.yml admits (requires_ansible) runs the unit and
# integration tests too. ansible-lint is left out: its releases need a newer core.
VENV_OLDEST := .venv-oldest-core
OLDEST_CORE := ansible-core>=2.16,<2.17
oldest-core: link
	@[ -x $(VENV_OLDEST)/bin/pytest ] || { $(PYTHON) -m venv $(VENV_OLDEST) && \
		$(VENV_OLDEST)/bin/pip install -q --disable-pip-version-check '$(OLDEST_CORE)' -r requirements.txt \
			$$(grep -v -e '^#' -e '^ansible-lint' tests/requirements.txt); }
	$(VENV_OLDEST)/bin/ansible --version | head -1
	$(VENV_OLDEST)/bin/pytest -n 2 -p no:cacheprovider tests/unit tests/integration

clean:
	rm -rf build $(VENV) $(VENV312) $(VENV_OLDEST)

# ansible-test wants the collection at .../ansible_collections/kerio/connect and resolves links,
# so sanity runs on a copy of the files git knows of (tracked, or new and not ignored).
SANITY_ROOT := $(CURDIR)/build/sanity/ansible_collections/kerio/connect
PIP_BOOTSTRAP := $(HOME)/.ansible/test/cache/get_pip_24_2.py
sanity: venv
	mkdir -p $(dir $(PIP_BOOTSTRAP)) && cp tests/setup/get_pip_bootstrap.py $(PIP_BOOTSTRAP)
	rm -rf $(SANITY_ROOT) && mkdir -p $(SANITY_ROOT)
	git ls-files -z --cached --others --exclude-standard | xargs -0 -I{} cp --parents {} $(SANITY_ROOT)/ 2>/dev/null || true
	cd $(SANITY_ROOT) && git init -q && git add -A && PATH=$(CURDIR)/$(BIN):$$PATH ANSIBLE_COLLECTIONS_PATH= PYTHONPATH= \
		$(CURDIR)/$(BIN)/ansible-test sanity --venv --python 3.11 --color no
