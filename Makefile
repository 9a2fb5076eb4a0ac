# libarchase — the two commands a newcomer needs are `make demo` and `make test`.
BUILD ?= build
MESON ?= meson
PYTHON ?= python3
BUILD_OPTS ?= -Dwerror=true -Dpython=enabled -Dgo=enabled -Dsmtp=enabled

.PHONY: all deps build test demo bench wheel fuzz clean help
.PHONY: lint coverage tsan soak

all: build

help:
	@echo "make deps   install missing Debian and pinned Python packages"
	@echo "make build  configure and build everything in $(BUILD)/"
	@echo "make test   deps + build + every suite (also under ASan/UBSan and valgrind)"
	@echo "make demo   deps + build + 60 days of collections on the example ledger, then the report (demo/)"
	@echo "make bench  run the benchmarks (results belong in docs/perf.md)"
	@echo "make wheel  build the Python wheel with meson-python into dist/"
	@echo "make fuzz   run each fuzz target for FUZZ_SECONDS (default 60) with clang and libFuzzer"
	@echo "make lint   gcc -fanalyzer over the library; passes with zero findings"
	@echo "make coverage  branch coverage of libarchase/ by the C suite (gcovr)"
	@echo "make tsan   the threading tests under ThreadSanitizer"
	@echo "make soak   power cuts, kills and faults at depth (docs/reliability.md)"

deps:
	@tools/deps.sh

build: deps
	@tools/configure.sh $(BUILD) $(BUILD_OPTS)
	ninja -C $(BUILD)

test: deps
	@tools/run-tests.sh

demo: build
	@tools/demo.sh $(BUILD)

bench: build
	@tools/bench.sh $(BUILD)

# FUZZ_SECONDS per target (default 60); needs clang (tools/deps.sh installs it).
fuzz:
	@tools/fuzz.sh

# docs/reliability.md: what each finds, and the figures.
lint:
	@tools/lint.sh

coverage: deps
	@tools/coverage.sh

tsan:
	@tools/tsan.sh

soak:
	@tools/soak.sh

wheel: deps
	$(PYTHON) -m pip wheel --no-deps --no-build-isolation -w dist .

clean:
	rm -rf $(BUILD) build-asan build-bench build-fuzz build-cov build-tsan build-lint build-soak dist
