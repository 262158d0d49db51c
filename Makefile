# outdial — the two set-up commands are `make demo` and `make test`.
SWIFT      ?= swift
BIN        := .build/debug/outdial
DEMO_DIR   := .build/demo
DEMO_DB    := $(DEMO_DIR)/demo.db
DEMO_SIM   := $(DEMO_DIR)/demo.simulated.db

.PHONY: all build release test lint demo bench fuzz clean

all: build

build:
	$(SWIFT) build

release:
	$(SWIFT) build -c release

# Unit tests (OutdialKitTests) and end-to-end tests of the built binary (CLITests).
test:
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --disable-xctest

lint:
	swift-format lint --strict -r Sources Tests Package.swift

# Runs the furthest-along real job on the bundled example, from a fresh database.
demo: build
	@mkdir -p $(DEMO_DIR)
	@rm -f $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm
	$(BIN) --db $(DEMO_DB) init
	$(BIN) --db $(DEMO_DB) dnc import examples/dnc.txt
	$(BIN) --db $(DEMO_DB) leads import examples/leads.csv --rejects $(DEMO_DIR)/rejects.csv
	$(BIN) --db $(DEMO_DB) numbers import examples/numbers.csv
	$(BIN) --db $(DEMO_DB) window "(850) 432-1234" --campaign examples/campaign.yml --at 2026-11-25T13:30:00Z
	$(BIN) --db $(DEMO_DB) check examples/campaign.yml
	$(BIN) --db $(DEMO_DB) plan examples/campaign.yml --at 2026-11-23T18:00:00Z --limit 5
	$(BIN) --db $(DEMO_DB) run examples/campaign.yml --simulate --start 2026-11-23T13:00:00Z
	$(BIN) --db $(DEMO_SIM) export calls --format csv --out $(DEMO_DIR)/calls.csv --force
	$(BIN) --db $(DEMO_SIM) report examples/campaign.yml --html $(DEMO_DIR)/report.html --force
	@echo
	@echo "The simulation ran on a copy of $(DEMO_DB): $(DEMO_SIM) (sqlite3 $(DEMO_SIM) 'SELECT outcome, count(*) FROM call_results GROUP BY 1');"
	@echo "the calls are also in $(DEMO_DIR)/calls.csv."
	@echo "The report page is $(DEMO_DIR)/report.html (open it in a browser)."

# Performance figures (docs/performance.md), release build, with same-run references.
bench: release
	bash scripts/bench.sh

# Seeded mutational fuzzing of the parsers (docs/cli.md, "Fuzzing"); a crash or
# hang is written to Tests/Fuzz/Corpus/ and fails the target.
FUZZ_SECONDS ?= 300
FUZZ_SEED    ?= $(shell date +%s)
fuzz:
	$(SWIFT) build --product outdial-fuzz
	.build/debug/outdial-fuzz --seconds $(FUZZ_SECONDS) --seed $(FUZZ_SEED) --corpus Tests/Fuzz/Corpus

clean:
	rm -rf .build
