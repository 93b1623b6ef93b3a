// Package watch keeps a member's private watchlists and runs the alert
// engine: funds from flagged sources (addresses, transactions, outputs named
// by notification flags) are followed forward block by block, and a tainted
// amount reaching a watched address is an alert carrying the path of
// transactions back to the flag.
//
// # Watchlists
//
// Entries are (chain, address, kind deposit|hot|cold, label). A hashed entry
// keeps only an HMAC-SHA256 of the normalised address under the instance's
// watch key (a file in the data dir, never in the store): the engine matches
// it by hashing the addresses taint reaches. Watchlists never leave the
// instance.
//
// # Engine
//
// Engine.CatchUp brings every chain's cursor (height and hash, in the state
// store) up to the chain index's tip. Per block it propagates taint forward
// with internal/analysis/trace's models (the member's Settings: model, max
// hops, minimum amount): on Bitcoin a transaction is one trace.Pool fed its
// inputs in order, a flagged input (an output of a flagged address, tx or
// outpoint) counting as tainted whole; on Ethereum every (address, asset)
// holding taint is a pool carried from block to block. Taint is kept per
// origin flag, so a revoked or expired flag stops propagating at once and
// raises nothing. Alerts, taint-state changes, the newly tainted addresses
// of the block and the cursor advance commit in one state-store transaction
// per block; an alert's unique key (flag, chain, address, tx, output) makes a
// re-run after a crash idempotent.
//
// A flag the engine has not evaluated yet is traced retroactively over the
// index with trace.TraceUTXO / TraceAccount up to the cursor: reached
// watched addresses alert, and the trace's unspent frontier seeds the taint
// state, from which later blocks continue.
//
// Reorgs: when the index's block at the cursor's height has another hash,
// the engine walks back to the fork and the store rewinds: taint rows
// written above it are deleted, rows spent above it are live again, and the
// alerts of the orphaned heights are marked orphaned (they come back if the
// same transaction is mined again on the new branch).
//
// # Lifecycle
//
// An alert is open, then acknowledged, then frozen or dismissed (open may go
// straight to frozen or dismissed). Every transition is recorded with who,
// when and a note, and appended to the audit log.
package watch
