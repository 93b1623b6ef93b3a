-- The Bitcoin chain index (internal/index/bitcoin). Each table holds one key
-- space of the canonical schema (internal/index/bitcoin/schema.go) as rows, so
-- the digest can list them in key order from their primary keys. Hashes are
-- 32 bytes in wire (internal) byte order; bytea compares bytewise, as the
-- canonical keys do. Vouts and vins are bigint because the keys hold them as
-- unsigned 32-bit numbers.

-- The last connected block; no row when the index is empty.
CREATE TABLE chain_tip (
    one    BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (one),
    height BIGINT NOT NULL,
    hash   BYTEA  NOT NULL
);

-- Blocks of the connected chain, one per height, and the height of each
-- block hash (a key space of its own, as in the canonical schema). txids is the block's
-- transaction ids in block order, 32 bytes each: a txid repeated in a later
-- block (BIP30) leaves chain_txs with only the later one.
CREATE TABLE chain_blocks (
    height          BIGINT PRIMARY KEY,
    hash            BYTEA  NOT NULL,
    prev            BYTEA  NOT NULL,
    version         INTEGER NOT NULL,
    merkle_root     BYTEA  NOT NULL,
    time            BIGINT NOT NULL,
    bits            BIGINT NOT NULL,
    nonce           BIGINT NOT NULL,
    size            BIGINT NOT NULL,
    stripped_size   BIGINT NOT NULL,
    weight          BIGINT NOT NULL,
    coinbase_script BYTEA  NOT NULL,
    txids           BYTEA  NOT NULL
);
CREATE TABLE chain_block_hashes (
    hash   BYTEA PRIMARY KEY,
    height BIGINT NOT NULL
);

-- Transactions: raw is the wire serialization with witness data;
-- prev_values[i] and prev_scripts[i] are what input i spends, both NULL when
-- unknown (a coinbase, or an output before the ingest start).
CREATE TABLE chain_txs (
    txid         BYTEA   PRIMARY KEY,
    block_hash   BYTEA   NOT NULL,
    height       BIGINT  NOT NULL,
    idx          INTEGER NOT NULL,
    raw          BYTEA   NOT NULL,
    prev_values  BIGINT[] NOT NULL,
    prev_scripts BYTEA[]  NOT NULL
);

-- Outputs with what the index derived from the script: class is
-- bitcoin.ScriptClass, addresses are normalised (NULL when none).
CREATE TABLE chain_outputs (
    txid      BYTEA    NOT NULL,
    vout      BIGINT   NOT NULL,
    height    BIGINT   NOT NULL,
    coinbase  BOOLEAN  NOT NULL,
    value     BIGINT   NOT NULL,
    script    BYTEA    NOT NULL,
    class     SMALLINT NOT NULL,
    req_sigs  INTEGER  NOT NULL,
    addresses TEXT[],
    PRIMARY KEY (txid, vout)
);

-- Which input spent an outpoint (txid, vout): the spending transaction and
-- input, and its block height.
CREATE TABLE chain_spends (
    txid         BYTEA  NOT NULL,
    vout         BIGINT NOT NULL,
    spender_txid BYTEA  NOT NULL,
    spender_vin  BIGINT NOT NULL,
    height       BIGINT NOT NULL,
    PRIMARY KEY (txid, vout)
);

-- The address index: one row per address an output pays. COLLATE "C" orders
-- addresses bytewise, as the canonical keys do.
CREATE TABLE chain_addresses (
    address TEXT COLLATE "C" NOT NULL,
    height  BIGINT NOT NULL,
    txid    BYTEA  NOT NULL,
    vout    BIGINT NOT NULL,
    PRIMARY KEY (address, height, txid, vout)
);

-- Undo data of the heights within the kept window, opaque to the database.
CREATE TABLE chain_undo (
    height BIGINT PRIMARY KEY,
    data   BYTEA  NOT NULL
);

-- Address history for analysts: every output an address received, with the
-- input that spent it when there is one.
CREATE VIEW chain_address_history AS
SELECT a.address, a.height, a.txid, a.vout, o.value,
       s.spender_txid, s.spender_vin, s.height AS spent_height
FROM chain_addresses a
LEFT JOIN chain_outputs o ON o.txid = a.txid AND o.vout = a.vout
LEFT JOIN chain_spends s ON s.txid = a.txid AND s.vout = a.vout;
