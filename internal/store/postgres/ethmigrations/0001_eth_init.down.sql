DROP TABLE eth_undo;
DROP TABLE eth_transfers;
DROP TABLE eth_tokens;
DROP TABLE eth_traces;
DROP TABLE eth_logs;
DROP TABLE eth_txs;
DROP TABLE eth_blocks;
DROP TABLE eth_tip;
