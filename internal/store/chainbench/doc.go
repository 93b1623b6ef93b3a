// Package chainbench holds the chain index's scale benchmarks: btcd decoding
// a generated chain (package btcgen) side by side with the full ingest of the
// same blocks through the engine into each backend (Pebble, and PostgreSQL
// when INTERDICT_TEST_POSTGRES_URL is set), with the ingest rate, the index
// size on disk per transaction and the output → spender and address → outputs
// lookup latencies. It lives under internal/store because only backends'
// packages (and cmd/interdict) may import the concrete backends.
//
//	go test -run '^$' -bench . -benchtime 1x ./internal/store/chainbench
//	INTERDICT_CHAINBENCH_TXS=1000000 go test -run '^$' -bench . -benchtime 1x -timeout 1h ./internal/store/chainbench
package chainbench
