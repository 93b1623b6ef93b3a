// Package trace follows tainted funds over the chain indexes, forward (where
// did it go) and backward (where did it come from), from transactions,
// outputs or addresses, under three taint models, and returns the graph of
// what it followed with the rule behind every edge.
//
// # Models
//
// Every mixing point is a Pool (taint.go) fed in ledger order: a UTXO
// transaction receives its inputs in input order, then spends its outputs in
// output order and last the fee; an account address, one pool per asset,
// receives and spends in chain order from the first entry of its history, so
// the clean funds it held before the taint came count.
//
//   - poison (poison.go): once a pool holds any taint, everything it spends is
//     tainted whole.
//   - haircut (haircut.go): a spend carries the tainted share of the pool at
//     that moment, as an exact big.Rat (rounded down only when printed).
//   - FIFO (fifo.go): Clayton's Case. The pool is a line of value units;
//     receipts are appended, spends take the oldest units. Tainted units are
//     kept as spans, so a FIFO trace knows exactly which satoshi or wei are
//     tainted in every coin, however many hops on.
//
// Amounts are exact: satoshi and wei as big.Int, haircut taint as big.Rat.
//
// Backward tracing runs the same models on the time-reversed ledger: a
// transaction receives its fee and outputs (last first; the outputs being
// traced tainted) and spends its inputs last first; an address receives what
// it still holds at the end of its history (clean), then its sends, and
// spends its receipts, newest first. So backward FIFO attributes an output
// to exactly the input units forward FIFO sent into it, and backward haircut
// splits it pro rata.
//
// # Order
//
// A UTXO trace takes transactions from a priority queue in chain order
// (reverse chain order backward), so a transaction is mixed once, with every
// tainted input that will ever reach it. An account trace is a merge of the
// histories of every address it holds taint in, by (block, tx, position,
// side), so taint reaching an address by two paths is mixed in the order it
// arrived; an address whose pool holds no taint sleeps until an incoming
// tainted transfer wakes it, and is then fast-forwarded over the clean
// entries in between.
//
// # Stop rules
//
// MaxHops, MinAmount (edges carrying less are not followed and counted in
// Stats.BelowMin), a time window on block times, tagged services (a Tagger
// tag of a category in StopCategories at MinConfidence or more: the node is
// reached, not followed), and a budget of MaxNodes nodes: past it the trace
// ends with Truncated set and the unfollowed nodes marked "budget".
//
// # Supernodes
//
// An address with millions of transfers (an exchange hot wallet) never
// blows up a trace: forward, its history is read a page at a time
// (Config.Page) and at most Config.MaxHistory entries of it; the FIFO pool
// drops the spans its head has passed and haircut and poison keep two
// numbers, so the memory per address is one page plus the taint still held.
// Backward, the history (up to MaxHistory) is held to be read newest first.
// A capped history marks its node "capped" and the result truncated. Tagged
// services, where a trace most often meets a supernode, stop the trace before
// their history is read at all.
//
// The views the engine reads are declared here (UTXOView, AccountView,
// Tagger); BitcoinView and EthereumView adapt the chain indexes to them. A
// view on a store with round trips may also be a Prefetcher: the engine then
// announces, per transaction it mixes, the spends and transactions its next
// step reads, and BitcoinView reads them from PostgreSQL in two batches
// instead of one round trip each.
package trace
