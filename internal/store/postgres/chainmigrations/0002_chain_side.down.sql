DROP TABLE chain_side;
