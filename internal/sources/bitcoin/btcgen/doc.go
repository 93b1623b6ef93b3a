// Package btcgen generates synthetic but real Bitcoin chains: blocks and
// transactions built with btcd's wire types and serialized exactly as Bitcoin
// Core stores them (correct merkle roots, prev-block links, BIP34 heights,
// BIP141 witness commitments), with realistic shapes: payments with change,
// peeling chains, fan-in consolidations, CoinJoins, exchange deposit sweeps and
// batch withdrawals, and optionally a heist laundered through peel chains and a
// CoinJoin into exchange deposit addresses.
//
// Everything is a pure function of the seed (math/rand/v2 PCG), so tests,
// benchmarks and demos can regenerate the same bytes. Signatures are random
// bytes of the right shape and the proof of work is not solved (bits are
// regtest's powLimit): the chain is for indexing and tracing, not for a node.
//
// The generator tracks its own UTXO set and spends only unspent outputs, each
// once, with values conserved (outputs + fee = inputs) and each coinbase paying
// the subsidy plus the block's fees, mature only after CoinbaseMaturity blocks.
package btcgen
