# quoter: a thin wrapper over CMake. `make demo` runs the main job, `make test` every test.
JOBS ?= 2
MAKEFLAGS += --no-print-directory
DATA ?= $(abspath ../shared/data)
CMAKE_FLAGS = -DQUOTER_DATA=$(DATA)

.PHONY: all deps build asan fuzz test test-release test-asan test-fuzz bench demo install clean
PREFIX ?= /usr/local

all: build

deps:
	@./scripts/deps.sh

build: deps
	@cmake -S . -B build -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS) >/dev/null
	@cmake --build build -j$(JOBS)

asan: deps
	@cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DQUOTER_SANITIZE=ON $(CMAKE_FLAGS) >/dev/null
	@cmake --build build-asan -j$(JOBS)

fuzz: deps
	@CC=clang cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=Debug -DQUOTER_FUZZ=ON -DQUOTER_SANITIZE=ON $(CMAKE_FLAGS) >/dev/null
	@cmake --build build-fuzz -j$(JOBS)

test-release: build
	@cd build && ctest --output-on-failure -j$(JOBS)

test-asan: asan
	@cd build-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 ctest --output-on-failure -j$(JOBS)

test-fuzz: fuzz
	@./scripts/fuzz.sh build-fuzz $(DATA)

# every test: the suite, the suite again under ASan+UBSan, then each fuzzer for a bounded time
test: build asan fuzz
	@./scripts/test.sh $(DATA)

bench: build
	@./scripts/bench.sh build $(DATA)

demo: build
	@./scripts/demo.sh build $(DATA)

# the binary to $(PREFIX)/bin, examples and the systemd unit to $(PREFIX)/share/quoter
install: build
	@cmake --install build --prefix $(PREFIX)

clean:
	rm -rf build build-asan build-fuzz out
