// Package bitcoin is Interdict's own index of the Bitcoin chain: the engine that
// connects and disconnects blocks (with an undo log per height, so a reorg of
// any depth within the kept window rolls back and re-applies), and the query
// API tracing needs: output → spending input, address → outputs (received and
// spent), tx → block.
//
// The engine derives every record from a btcd *wire.MsgBlock and hands the
// backend a list of mechanical Changes (puts and deletes of logical records);
// the backends (internal/store/pebble, internal/store/postgres) only store
// them. So the rules — coinbase, BIP30 duplicate txids, unknown previous
// outputs, the genesis block, reorgs — live here once, and both backends hold
// the same logical content, which Digest hashes the same way (schema.go).
package bitcoin
