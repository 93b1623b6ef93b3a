# Interdict: the two set-up commands are `make demo` and `make test` (see README.md).
GO      ?= go
BIN     := bin/interdict
ADDR    ?= 127.0.0.1:8080
DEMODIR ?= ./interdict-data/demo

.PHONY: all build demo test test-go fuzz bench snapshot clean

all: build

build:
	$(GO) build -o $(BIN) ./cmd/interdict

# Run the server on the embedded store with the bundled list snapshots (offline).
demo: build
	$(BIN) --data-dir $(DEMODIR) demo --listen $(ADDR)

# Every test, on SQLite and on a real PostgreSQL that this target installs
# (Debian package) and starts on loopback when the machine lacks one.
test:
	bash scripts/testtools.sh
	bash scripts/pgtest.sh start
	INTERDICT_TEST_POSTGRES_URL="$$(cat .pgtest/url)" $(MAKE) --no-print-directory test-go; \
	  rc=$$?; bash scripts/pgtest.sh stop; exit $$rc

test-go:
	$(GO) vet ./...
	$(GO) test -race -count=1 -timeout 20m ./...

# Short runs of every fuzz target (longer: FUZZTIME=5m make fuzz).
FUZZTIME ?= 20s
fuzz:
	@for pkg in $$($(GO) list ./...); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
	    echo "== $$pkg $$f"; $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
	  done; done

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

# Re-derive the bundled demo snapshot from the shared OFAC file.
snapshot:
	$(GO) run ./cmd/snapshot -in ../shared/data/ofac/sdn_advanced_2025-11-19.xml.bz2 \
	  -out internal/sources/sanctions/snapshot/data/ofac_sdn_advanced_2025-11-19_dprk-cyber-dca.xml.gz

clean:
	rm -rf bin
