package ethereum

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
)

// Logs returns the logs of blocks from..to whose first topic is one of
// topic0 (all logs when topic0 is empty), with eth_getLogs, or, on a node
// that lacks it, with the filter methods eth_newFilter, eth_getFilterLogs
// and eth_uninstallFilter (what ethereum-etl's export_token_transfers uses).
func (c *Client) Logs(ctx context.Context, from, to uint64, topic0 ...common.Hash) ([]*Log, error) {
	q := map[string]any{"fromBlock": hexutil.EncodeUint64(from), "toBlock": hexutil.EncodeUint64(to)}
	switch len(topic0) {
	case 0:
	case 1:
		q["topics"] = []any{topic0[0]}
	default:
		q["topics"] = []any{topic0}
	}
	if !c.noGetLogs.Load() {
		raw, err := c.call(ctx, "eth_getLogs", q)
		if err == nil {
			return DecodeLogs(raw)
		}
		if !errors.Is(err, ErrMethodNotFound) {
			return nil, err
		}
		c.noGetLogs.Store(true)
	}
	raw, err := c.call(ctx, "eth_newFilter", q)
	if err != nil {
		return nil, err
	}
	var id string
	if err := json.Unmarshal(raw, &id); err != nil {
		return nil, decodeErr("eth_newFilter", err)
	}
	raw, err = c.call(ctx, "eth_getFilterLogs", id)
	// Uninstall even when the read failed; a node forgets filters anyway.
	if _, uerr := c.call(ctx, "eth_uninstallFilter", id); uerr != nil {
		c.log.Warn("ethereum filter not uninstalled", "id", id, "err", uerr)
	}
	if err != nil {
		return nil, err
	}
	return DecodeLogs(raw)
}

// DecodeLogs decodes an eth_getLogs or eth_getFilterLogs result.
func DecodeLogs(raw []byte) ([]*Log, error) {
	var ws []*logJSON
	if err := json.Unmarshal(raw, &ws); err != nil {
		return nil, decodeErr("logs", err)
	}
	ls := make([]*Log, len(ws))
	for i, w := range ws {
		if w == nil {
			return nil, decodeErr("logs", fmt.Errorf("log %d is null", i))
		}
		ls[i] = new(Log)
		if err := ls[i].fromWire(w); err != nil {
			return nil, err
		}
	}
	return ls, nil
}
