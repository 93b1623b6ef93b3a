// Package ethereum is Interdict's index of the Ethereum chain: the engine
// that connects and disconnects blocks (with an undo entry per height, so a
// reorg within the kept window rolls back and re-applies), the value
// transfers it derives from each block, and the lookups tracing needs:
// address → transfers in and out per asset, per-asset balance flows of an
// address, tx → block, block by number or hash.
//
// The engine derives every record from the decoded block, receipts, traces
// and token metadata of internal/sources/ethereum and hands the backend
// Changes (a block's records to put, or a block to delete); the backends
// (internal/store/pebble, internal/store/postgres) only store them, and both
// hold the same logical content, which Digest hashes the same way
// (schema.go).
//
// Transfers (transfers.go) are account-model value movements, each keyed by
// block height, transaction index and its position in the transaction, so a
// reorg deletes exactly what a block added:
//
//   - gas fees: sender → "" (burnt: base fee × gas used, and blob gas) and
//     sender → the block's miner (the rest: the priority fee, or the whole
//     fee before London); the fee is paid first, failed or not;
//   - native ETH: with traces, every call, create and self-destruct frame
//     that moves value, skipping failed frames and every frame below one;
//     without traces, the transaction's own value when it succeeded (a
//     pre-Byzantium receipt has no status and counts as a success);
//   - contract creations (creator → new contract, even of zero value);
//   - block and uncle rewards (Parity traces) and withdrawals: "" → address;
//   - ERC-20 and ERC-721 Transfer events decoded with go-ethereum's abi
//     package (ERC-721: tokenId indexed, four topics, amount 1).
//
// Assets are "eth" and "eth:0x<token contract, lower case>"; addresses are
// lower-case 0x hex; amounts are exact big integers.
package ethereum
