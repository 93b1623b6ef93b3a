package postgres

// Every SQL statement the chain store runs, apart from its migration scripts.
const (
	qCreateChainMigrations = `CREATE TABLE IF NOT EXISTS chain_schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       TEXT        NOT NULL,
    applied_at TIMESTAMPTZ NOT NULL
)`
	qChainMigrationVersion  = `SELECT COALESCE(MAX(version), 0) FROM chain_schema_migrations`
	qChainMigrationVersions = `SELECT version FROM chain_schema_migrations ORDER BY version`
	qInsertChainMigration   = `INSERT INTO chain_schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)`
	qDeleteChainMigration   = `DELETE FROM chain_schema_migrations WHERE version = $1`

	qChainTip    = `SELECT height, hash FROM chain_tip`
	qSetChainTip = `INSERT INTO chain_tip (one, height, hash) VALUES (TRUE, $1, $2)
ON CONFLICT (one) DO UPDATE SET height = EXCLUDED.height, hash = EXCLUDED.hash`
	qDeleteChainTip = `DELETE FROM chain_tip`

	blockColumns   = `height, hash, prev, version, merkle_root, time, bits, nonce, size, stripped_size, weight, coinbase_script, txids`
	qBlockByHeight = `SELECT ` + blockColumns + ` FROM chain_blocks WHERE height = $1`
	qBlockTime     = `SELECT time FROM chain_blocks WHERE height = $1`
	qBlockByHash   = `SELECT b.height, b.hash, b.prev, b.version, b.merkle_root, b.time, b.bits, b.nonce,
    b.size, b.stripped_size, b.weight, b.coinbase_script, b.txids
FROM chain_block_hashes h
JOIN chain_blocks b ON b.height = h.height WHERE h.hash = $1`
	qTx           = `SELECT block_hash, height, idx, raw, prev_values, prev_scripts FROM chain_txs WHERE txid = $1`
	outputColumns = `txid, vout, height, coinbase, value, script, class, req_sigs, addresses`
	qOutput       = `SELECT ` + outputColumns + ` FROM chain_outputs WHERE txid = $1 AND vout = $2`
	qSpend        = `SELECT spender_txid, spender_vin, height FROM chain_spends WHERE txid = $1 AND vout = $2`
	qAddress      = `SELECT height, txid, vout FROM chain_addresses
WHERE address = $1 AND height >= $2 ORDER BY height, txid, vout LIMIT $3`
	qAddressAll = `SELECT height, txid, vout FROM chain_addresses
WHERE address = $1 AND height >= $2 ORDER BY height, txid, vout`
	qUndo = `SELECT data FROM chain_undo WHERE height = $1`

	// Deletes of many keys in one statement each.
	qDeleteBlocks  = `DELETE FROM chain_blocks WHERE height = ANY($1::bigint[])`
	qDeleteHashes  = `DELETE FROM chain_block_hashes WHERE hash = ANY($1::bytea[])`
	qDeleteTxs     = `DELETE FROM chain_txs WHERE txid = ANY($1::bytea[])`
	qDeleteOutputs = `DELETE FROM chain_outputs t USING unnest($1::bytea[], $2::bigint[]) AS d (txid, vout)
WHERE t.txid = d.txid AND t.vout = d.vout`
	qDeleteSpends = `DELETE FROM chain_spends t USING unnest($1::bytea[], $2::bigint[]) AS d (txid, vout)
WHERE t.txid = d.txid AND t.vout = d.vout`
	qDeleteAddresses = `DELETE FROM chain_addresses t
USING unnest($1::text[], $2::bigint[], $3::bytea[], $4::bigint[]) AS d (address, height, txid, vout)
WHERE t.address = d.address AND t.height = d.height AND t.txid = d.txid AND t.vout = d.vout`
	qDeleteUndo       = `DELETE FROM chain_undo WHERE height = ANY($1::bigint[])`
	qPruneUndo        = `DELETE FROM chain_undo WHERE height < $1`
	qSavepoint        = `SAVEPOINT chain_copy`
	qRollbackToSave   = `ROLLBACK TO SAVEPOINT chain_copy`
	qReleaseSavepoint = `RELEASE SAVEPOINT chain_copy`

	// The digest reads each table in the order of its canonical keys.
	qDigestAddresses = `SELECT address, height, txid, vout FROM chain_addresses ORDER BY address, height, txid, vout`
	qDigestBlocks    = `SELECT ` + blockColumns + ` FROM chain_blocks ORDER BY height`
	qDigestHashes    = `SELECT hash, height FROM chain_block_hashes ORDER BY hash`
	qDigestOutputs   = `SELECT ` + outputColumns + ` FROM chain_outputs ORDER BY txid, vout`
	qDigestSpends    = `SELECT txid, vout, spender_txid, spender_vin, height FROM chain_spends ORDER BY txid, vout`
	qDigestUndo      = `SELECT height, data FROM chain_undo ORDER BY height`
	qDigestTxs       = `SELECT txid, block_hash, height, idx, raw, prev_values, prev_scripts FROM chain_txs ORDER BY txid`
)

// Advisory lock keys of the chain store.
const (
	lockChainMigrate int64 = 0x696e7464_636d6967 // "intdcmig"
	lockChainCommit  int64 = 0x696e7464_63636f6d // "intdccom"
)
