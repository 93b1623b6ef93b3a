-- The Ethereum chain index (internal/index/ethereum). Each table holds key
-- spaces of the canonical schema (internal/index/ethereum/schema.go) as rows,
-- so the digest can rebuild the pairs in key order from the primary keys and
-- indexes. Hashes are 32 bytes, addresses 20 bytes; bytea compares bytewise,
-- as the canonical keys do. data is the canonical value of the record.

-- The last connected block; no row when the index is empty.
CREATE TABLE eth_tip (
    one    BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (one),
    height BIGINT NOT NULL,
    hash   BYTEA  NOT NULL
);

-- Blocks (keys 'b' and 'h').
CREATE TABLE eth_blocks (
    height      BIGINT PRIMARY KEY,
    hash        BYTEA  NOT NULL UNIQUE,
    parent_hash BYTEA  NOT NULL,
    data        BYTEA  NOT NULL
);

-- Transactions with their receipts (keys 'n' and 'x').
CREATE TABLE eth_txs (
    height    BIGINT NOT NULL,
    idx       BIGINT NOT NULL,
    hash      BYTEA  NOT NULL UNIQUE,
    from_addr BYTEA  NOT NULL,
    to_addr   BYTEA,
    data      BYTEA  NOT NULL,
    PRIMARY KEY (height, idx)
);

-- Logs, traces and token metadata, by position in their block ('l', 'r', 'k').
CREATE TABLE eth_logs (
    height  BIGINT NOT NULL,
    seq     BIGINT NOT NULL,
    address BYTEA  NOT NULL,
    data    BYTEA  NOT NULL,
    PRIMARY KEY (height, seq)
);
CREATE TABLE eth_traces (
    height BIGINT NOT NULL,
    seq    BIGINT NOT NULL,
    data   BYTEA  NOT NULL,
    PRIMARY KEY (height, seq)
);
CREATE TABLE eth_tokens (
    height  BIGINT NOT NULL,
    seq     BIGINT NOT NULL,
    address BYTEA  NOT NULL,
    data    BYTEA  NOT NULL,
    PRIMARY KEY (height, seq)
);

-- Transfers ('f'); the address history ('a') and balance flows ('v') are
-- their from and to sides, served by the four indexes below. kind is
-- ethereum.Kind, source ethereum.Source; asset is the asset name and
-- asset_code its bytes in flow keys; from_addr NULL means issued, to_addr
-- NULL burnt; amount is exact (wei or token units).
CREATE TABLE eth_transfers (
    height     BIGINT   NOT NULL,
    tx_index   BIGINT   NOT NULL,
    source     SMALLINT NOT NULL,
    idx        BIGINT   NOT NULL,
    kind       SMALLINT NOT NULL,
    asset      TEXT COLLATE "C" NOT NULL,
    asset_code BYTEA    NOT NULL,
    from_addr  BYTEA,
    to_addr    BYTEA,
    amount     NUMERIC(78, 0) NOT NULL,
    data       BYTEA    NOT NULL,
    PRIMARY KEY (height, tx_index, source, idx)
);
CREATE INDEX eth_transfers_from ON eth_transfers (from_addr, height, tx_index, source, idx) WHERE from_addr IS NOT NULL;
CREATE INDEX eth_transfers_to ON eth_transfers (to_addr, height, tx_index, source, idx) WHERE to_addr IS NOT NULL;
CREATE INDEX eth_transfers_from_asset ON eth_transfers (from_addr, asset_code, height, tx_index, source, idx) WHERE from_addr IS NOT NULL;
CREATE INDEX eth_transfers_to_asset ON eth_transfers (to_addr, asset_code, height, tx_index, source, idx) WHERE to_addr IS NOT NULL;

-- Undo entries of the heights within the kept window ('u').
CREATE TABLE eth_undo (
    height BIGINT PRIMARY KEY,
    data   BYTEA  NOT NULL
);
