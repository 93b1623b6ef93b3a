package postgres

// Every SQL statement the Ethereum chain store runs, apart from its
// migration scripts.
const (
	qCreateEthMigrations = `CREATE TABLE IF NOT EXISTS eth_schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       TEXT        NOT NULL,
    applied_at TIMESTAMPTZ NOT NULL
)`
	qEthMigrationVersion  = `SELECT COALESCE(MAX(version), 0) FROM eth_schema_migrations`
	qEthMigrationVersions = `SELECT version FROM eth_schema_migrations ORDER BY version`
	qInsertEthMigration   = `INSERT INTO eth_schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)`
	qDeleteEthMigration   = `DELETE FROM eth_schema_migrations WHERE version = $1`

	qEthTip    = `SELECT height, hash FROM eth_tip`
	qSetEthTip = `INSERT INTO eth_tip (one, height, hash) VALUES (TRUE, $1, $2)
ON CONFLICT (one) DO UPDATE SET height = EXCLUDED.height, hash = EXCLUDED.hash`
	qDeleteEthTip = `DELETE FROM eth_tip`
	qPruneEthUndo = `DELETE FROM eth_undo WHERE height < $1`

	qEthBlockByNumber = `SELECT data FROM eth_blocks WHERE height = $1`
	qEthBlockByHash   = `SELECT data FROM eth_blocks WHERE hash = $1`
	qEthTxLocation    = `SELECT height, idx FROM eth_txs WHERE hash = $1`
	qEthTxs           = `SELECT data FROM eth_txs WHERE height = $1 ORDER BY idx`
	qEthLogs          = `SELECT data FROM eth_logs WHERE height = $1 ORDER BY seq`
	qEthTraces        = `SELECT data FROM eth_traces WHERE height = $1 ORDER BY seq`
	qEthTokens        = `SELECT data FROM eth_tokens WHERE height = $1 ORDER BY seq`
	qEthTransfers     = `SELECT height, tx_index, source, idx, data FROM eth_transfers WHERE height = $1
ORDER BY tx_index, source, idx`
	qEthUndo = `SELECT data FROM eth_undo WHERE height = $1`

	// An address's history: both sides, each read from its index in key
	// order and limited, then merged. $3 is the asset code or NULL for all
	// assets, $4 the limit or NULL for none.
	qEthAddress = `SELECT height, tx_index, source, idx, dir, data FROM (
  (SELECT height, tx_index, source, idx, 0 AS dir, data FROM eth_transfers
   WHERE from_addr = $1 AND height >= $2 AND ($3::bytea IS NULL OR asset_code = $3)
   ORDER BY height, tx_index, source, idx LIMIT $4)
  UNION ALL
  (SELECT height, tx_index, source, idx, 1 AS dir, data FROM eth_transfers
   WHERE to_addr = $1 AND height >= $2 AND ($3::bytea IS NULL OR asset_code = $3)
   ORDER BY height, tx_index, source, idx LIMIT $4)
) u ORDER BY height, tx_index, source, idx, dir LIMIT $4`
	qEthFlows = `SELECT height, tx_index, source, idx, dir, amount FROM (
  (SELECT height, tx_index, source, idx, 0 AS dir, amount FROM eth_transfers
   WHERE from_addr = $1 AND asset_code = $3 AND height >= $2
   ORDER BY asset_code, height, tx_index, source, idx LIMIT $4)
  UNION ALL
  (SELECT height, tx_index, source, idx, 1 AS dir, amount FROM eth_transfers
   WHERE to_addr = $1 AND asset_code = $3 AND height >= $2
   ORDER BY asset_code, height, tx_index, source, idx LIMIT $4)
) u ORDER BY height, tx_index, source, idx, dir LIMIT $4`

	// The digest reads each key space in the order of its canonical keys.
	qEthDigestAddresses = `SELECT addr, height, tx_index, source, idx, dir, data FROM (
  SELECT from_addr AS addr, height, tx_index, source, idx, 0 AS dir, data FROM eth_transfers WHERE from_addr IS NOT NULL
  UNION ALL
  SELECT to_addr, height, tx_index, source, idx, 1, data FROM eth_transfers WHERE to_addr IS NOT NULL
) u ORDER BY addr, height, tx_index, source, idx, dir`
	qEthDigestFlows = `SELECT addr, asset_code, height, tx_index, source, idx, dir, amount FROM (
  SELECT from_addr AS addr, asset_code, height, tx_index, source, idx, 0 AS dir, amount FROM eth_transfers WHERE from_addr IS NOT NULL
  UNION ALL
  SELECT to_addr, asset_code, height, tx_index, source, idx, 1, amount FROM eth_transfers WHERE to_addr IS NOT NULL
) u ORDER BY addr, asset_code, height, tx_index, source, idx, dir`
	qEthDigestBlocks    = `SELECT height, data FROM eth_blocks ORDER BY height`
	qEthDigestHashes    = `SELECT hash, height FROM eth_blocks ORDER BY hash`
	qEthDigestTransfers = `SELECT height, tx_index, source, idx, data FROM eth_transfers ORDER BY height, tx_index, source, idx`
	qEthDigestTokens    = `SELECT height, seq, data FROM eth_tokens ORDER BY height, seq`
	qEthDigestLogs      = `SELECT height, seq, data FROM eth_logs ORDER BY height, seq`
	qEthDigestTxs       = `SELECT height, idx, data FROM eth_txs ORDER BY height, idx`
	qEthDigestTraces    = `SELECT height, seq, data FROM eth_traces ORDER BY height, seq`
	qEthDigestUndo      = `SELECT height, data FROM eth_undo ORDER BY height`
	qEthDigestTxLocs    = `SELECT hash, height, idx FROM eth_txs ORDER BY hash`
)

// ethHeightTables are the tables a disconnect deletes a height from.
var ethHeightTables = []string{"eth_blocks", "eth_txs", "eth_logs", "eth_traces", "eth_tokens", "eth_transfers", "eth_undo"}

// Advisory lock keys of the Ethereum chain store.
const (
	lockEthMigrate int64 = 0x696e7464_656d6967 // "intdemig"
	lockEthCommit  int64 = 0x696e7464_65636f6d // "intdecom"
)
