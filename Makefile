# SPDX-License-Identifier: MIT
# The two commands (README): `make run` and `make test`. A thin layer over the
# CMake presets; every target installs what it needs first.
SHELL := /bin/bash
JOBS ?= $(shell nproc)
# ccache hits across build folders (release, asan) with -g need these.
export CCACHE_BASEDIR := $(CURDIR)
export CCACHE_NOHASHDIR := 1

.PHONY: all deps build run test test-release test-asan bench format clean

all: build

deps:
	@bash installer/install-deps.sh

build: deps
	cmake --preset release >/dev/null
	cmake --build --preset release -j $(JOBS)

run: build
	@bash installer/run.sh

test: test-release test-asan

test-release: deps
	cmake --preset release >/dev/null
	cmake --build --preset release -j $(JOBS)
	ctest --preset release -j $(JOBS)

test-asan: deps
	cmake --preset asan >/dev/null
	cmake --build --preset asan -j $(JOBS)
	# The sync simulation's 300 seeds run in release; under the sanitizers a
	# hundred of them find memory errors as well and take a third of the time.
	COLOPHON_SIM_SEEDS=100 ctest --preset asan -j $(JOBS)

bench: build
	./build/release/bench/colophon-bench-http
	./build/release/bench/colophon-bench-content
	./build/release/bench/colophon-bench-console
	./build/release/bench/colophon-bench-sync

format:
	git ls-files '*.cpp' '*.h' | xargs clang-format -i

clean:
	rm -rf build
