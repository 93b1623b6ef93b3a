package main

import (
	"github.com/ethereum/go-ethereum/common"

	"github.com/interdict/interdict/internal/action/etl"
	eth "github.com/interdict/interdict/internal/index/ethereum"
)

// createdTokens returns the contracts a block's successful create frames
// deployed whose code is an ERC-20 or ERC-721 token by ethereum-etl's rule
// (the function selectors in the bytecode), in trace order: the tokens
// ethereum-etl's stream reads metadata for.
func createdTokens(bd *eth.BlockData) ([]common.Address, error) {
	if len(bd.Traces) == 0 {
		return nil, nil
	}
	recs, err := etl.EthTraces(bd.Traces, true)
	if err != nil {
		return nil, err
	}
	var out []common.Address
	for _, c := range etl.EthContractsFromTraces(recs) {
		e20, _ := c.Get("is_erc20")
		e721, _ := c.Get("is_erc721")
		if e20 != true && e721 != true {
			continue
		}
		a, _ := c.Get("address")
		if s, ok := a.(string); ok {
			out = append(out, common.HexToAddress(s))
		}
	}
	return out, nil
}
