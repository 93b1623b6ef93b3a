#!/usr/bin/env bash
# chainbench.sh — the end-to-end Bitcoin ingest scale run: cmd/chaingen writes a
# synthetic chain of TXS transactions as Bitcoin Core blk files, then
# `interdict ingest btc --source blkdir:` indexes it into Pebble and/or
# PostgreSQL. Prints the generation time, the ingest wall time, blocks/s,
# txs/s, the index size on disk per transaction and the index digest (equal
# across backends for the same chain).
#
#   scripts/chainbench.sh 1000000              # Pebble
#   scripts/chainbench.sh 1000000 both         # Pebble and PostgreSQL
#
# PostgreSQL needs INTERDICT_TEST_POSTGRES_URL (scripts/pgtest.sh start; note
# pgtest's server runs with fsync off); the run uses a schema of its own and
# drops it afterwards. Work files go to CHAINBENCH_DIR (default
# /tmp/interdict-chainbench); the chain is reused when already generated.
set -euo pipefail

TXS="${1:-1000000}"
WHICH="${2:-pebble}"
WORK="${CHAINBENCH_DIR:-/tmp/interdict-chainbench}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
mkdir -p "$WORK"
go build -o "$WORK/chaingen" "$ROOT/cmd/chaingen"
go build -o "$WORK/interdict" "$ROOT/cmd/interdict"

BLOCKS="$WORK/blocks-$TXS"
if [[ ! -f "$BLOCKS/blk00000.dat" ]]; then
	start=$(date +%s.%N)
	"$WORK/chaingen" -quiet -seed 1 -txs "$TXS" -out "$BLOCKS"
	echo "generate: $(echo "$(date +%s.%N) - $start" | bc) s, $(du -sb "$BLOCKS" | cut -f1) bytes of blk files"
fi
HEIGHT=$(( 100 + (TXS + 2499) / 2500 ))

# run NAME CHAIN SIZE-COMMAND: ingest into CHAIN and report.
run() {
	local name=$1 chain=$2
	local start end secs
	start=$(date +%s.%N)
	"$WORK/interdict" --data-dir "$WORK/data" --log-level warn ingest btc --network regtest \
		--source "blkdir:$BLOCKS" --chain "$chain" </dev/null >/dev/null
	end=$(date +%s.%N)
	secs=$(echo "$end - $start" | bc)
	local digest size
	digest=$("$WORK/interdict" --data-dir "$WORK/data" --log-level warn ingest btc --chain "$chain" --digest </dev/null)
	# Measured after the digest run reopened the store, so Pebble's WAL has
	# been flushed into tables: the steady-state size.
	size=$(eval "$3")
	printf '%s: %.1f s, %.1f blocks/s, %.0f txs/s, %s bytes on disk, %.0f B/tx, digest %s\n' \
		"$name" "$secs" "$(echo "($HEIGHT + 1) / $secs" | bc -l)" "$(echo "$TXS / $secs" | bc -l)" \
		"$size" "$(echo "$size / $TXS" | bc -l)" "$digest"
}

if [[ "$WHICH" == pebble || "$WHICH" == both ]]; then
	rm -rf "$WORK/pebble-$TXS"
	run pebble "pebble://$WORK/pebble-$TXS" "du -sb '$WORK/pebble-$TXS' | cut -f1"
fi
if [[ "$WHICH" == postgres || "$WHICH" == both ]]; then
	: "${INTERDICT_TEST_POSTGRES_URL:?set it (scripts/pgtest.sh start; export \$(scripts/pgtest.sh env))}"
	schema="chainbench_$$"
	psql "$INTERDICT_TEST_POSTGRES_URL" -qc "CREATE SCHEMA $schema"
	trap 'psql "$INTERDICT_TEST_POSTGRES_URL" -qc "SET client_min_messages = warning; DROP SCHEMA IF EXISTS '"$schema"' CASCADE"' EXIT
	sep='&'; [[ "$INTERDICT_TEST_POSTGRES_URL" == *\?* ]] || sep='?'
	run postgres "$INTERDICT_TEST_POSTGRES_URL${sep}search_path=$schema" \
		"psql '$INTERDICT_TEST_POSTGRES_URL' -Atc \"SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = '$schema' AND c.relkind IN ('r','m')\""
fi
