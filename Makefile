# Thin wrapper over CMake for the README's commands.
#   make          build (optimised) into build/release
#   make check    install deps, then build and run every test twice:
#                 optimised (build/release) and ASan+UBSan (build/asan)
#   make demo     install deps, build, run `e2ekit demo`
#   make bench    optimised build, every benchmark next to its baseline;
#                 writes build/bench-results.json (BENCH_QUICK=1 for a short run)
#   make install  library, headers, e2ekit.pc, binaries, man pages (PREFIX=/usr/local)
JOBS   ?= $(shell nproc 2>/dev/null || echo 2)
PREFIX ?= /usr/local
CMAKE  ?= cmake
CTEST  ?= ctest

.PHONY: all build check check-release check-asan demo bench install deps format clean

all: build

deps:
	@scripts/deps.sh

build/release/CMakeCache.txt:
	$(CMAKE) -S . -B build/release -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX=$(PREFIX)

build/asan/CMakeCache.txt:
	$(CMAKE) -S . -B build/asan -DCMAKE_BUILD_TYPE=Debug -DE2E_SANITIZE=ON

build: build/release/CMakeCache.txt
	$(CMAKE) --build build/release -j$(JOBS)

check-release: build
	$(CTEST) --test-dir build/release --output-on-failure -j$(JOBS)

check-asan: build/asan/CMakeCache.txt
	$(CMAKE) --build build/asan -j$(JOBS)
	$(CTEST) --test-dir build/asan --output-on-failure -j$(JOBS)

check: deps
	$(MAKE) check-release
	$(MAKE) check-asan
	@echo "make check: all tests passed in both builds (optimised, ASan+UBSan)"

demo: deps build
	build/release/e2ekit demo

bench: build
	build/release/e2ekit-bench --json build/bench-results.json

install: build
	$(CMAKE) --install build/release --prefix $(PREFIX)

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf build
