# The README's two commands. Both work on a fresh Debian 12 machine as root:
#   make run   set up everything, then allocate the newest shipped circulaire
#   make test  set up everything, then run every C++ test (ctest) and Python test (pytest)
SHELL := /bin/bash
.DEFAULT_GOAL := run

# Debian packages for the C++ core; installed only when one is missing.
APT_PACKAGES := build-essential cmake ninja-build libeigen3-dev libboost-math-dev libtbb-dev \
                libgtest-dev libgmock-dev
PYTHON ?= python3
VENV := .venv
VPY := $(VENV)/bin/python
STAMP_APT := build/.apt-ok
STAMP_INSTALL := $(VENV)/.gemfin-installed
CPP_BUILD := build/cpp
ASAN_BUILD := build/asan
CXX_SOURCES := $(shell find core bindings tests/cpp -name '*.cpp' -o -name '*.hpp' -o -name CMakeLists.txt) CMakeLists.txt
OUT := out

.PHONY: run test setup apt cpp-test cpp-sanitize py-test bench clean

setup: $(STAMP_INSTALL)

$(STAMP_APT):
	@missing=""; for p in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "apt: installing$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	else echo "apt: all packages present"; fi
	@mkdir -p build && touch $@

$(VPY):
	$(PYTHON) -m venv $(VENV)
	$(VPY) -m pip install -q --upgrade pip

# Editable install (scikit-build-core builds gemfin._core); redone when the C++ or the
# project metadata changes.
$(STAMP_INSTALL): $(STAMP_APT) $(VPY) pyproject.toml $(CXX_SOURCES)
	$(VPY) -m pip install -q -e '.[test]'
	@touch $@

run: setup
	@mkdir -p $(OUT)
	$(VENV)/bin/gemfin allocate --out $(OUT)/allocation.xlsx

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

test: cpp-test cpp-sanitize py-test

# Benchmarks (not part of the tests; about 15 minutes on 2 cores): W1 against NumPy and numba,
# scaling to 1M paths, Dask LocalCluster overhead, nine runs of the allocation-only W1 (this
# VM's speed drifts). numba comes with the `bench` extra.
bench: setup
	$(VPY) -m pip install -q -e '.[test,bench]'
	$(VPY) benchmarks/w1.py --scaling --cluster --repeat 9

clean:
	rm -rf build $(OUT)
