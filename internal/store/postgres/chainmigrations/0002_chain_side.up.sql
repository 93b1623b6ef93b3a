-- Blocks the engine holds aside (bitcoin.SideBlock): branches with less work
-- than the indexed chain, and blocks waiting for their parent. Kept so that a
-- reorg seen across separate runs still happens; not part of the digest.
CREATE TABLE chain_side (
    hash   BYTEA  PRIMARY KEY,
    height BIGINT NOT NULL CHECK (height >= -1),
    raw    BYTEA  NOT NULL
);
