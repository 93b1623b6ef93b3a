package bitcoin

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
)

// CallBatch sends one JSON-RPC batch of method calls, one per element of
// params, and decodes answer i into results[i] (a pointer). The whole batch
// is retried as Call retries; the first call's error ends it.
func (c *Client) CallBatch(ctx context.Context, method string, params [][]any, results []any) error {
	if len(params) != len(results) {
		return fmt.Errorf("bitcoin: rpc batch %s: %d params for %d results", method, len(params), len(results))
	}
	if len(params) == 0 {
		return nil
	}
	reqs := make([]rpcRequest, len(params))
	first := c.id.Add(int64(len(params))) - int64(len(params)) + 1
	for i, p := range params {
		if p == nil {
			p = []any{}
		}
		reqs[i] = rpcRequest{JSONRPC: c.opt.JSONRPC, ID: first + int64(i), Method: method, Params: p}
	}
	body, err := json.Marshal(reqs)
	if err != nil {
		return fmt.Errorf("bitcoin: rpc batch %s: %w", method, err)
	}
	label := fmt.Sprintf("%s ×%d", method, len(params))
	var raws []json.RawMessage
	err = c.retrying(ctx, label, func() (error, bool) {
		status, data, err, retry := c.post(ctx, label, body, maxResponse*int64(len(params)))
		if err != nil {
			return err, retry
		}
		raws, err, retry = parseBatch(method, status, data, first, len(params))
		return err, retry
	})
	if err != nil {
		return err
	}
	for i, raw := range raws {
		if err := json.Unmarshal(raw, results[i]); err != nil {
			return fmt.Errorf("bitcoin: rpc %s (batch item %d): result: %w", method, i, err)
		}
	}
	return nil
}

// parseBatch matches a batch answer to its n requests by id.
func parseBatch(method string, status int, data []byte, firstID int64, n int) ([]json.RawMessage, error, bool) {
	var rs []rpcResponse
	if err := json.Unmarshal(data, &rs); err != nil {
		// A node refusing the whole batch answers with one error object.
		_, err, retry := parseResponse(method, status, data)
		if err == nil {
			err = fmt.Errorf("bitcoin: rpc batch %s: HTTP %d, not a batch answer: %s", method, status, snippet(data))
		}
		return nil, err, retry
	}
	if status != http.StatusOK && len(rs) == 0 {
		return nil, fmt.Errorf("bitcoin: rpc batch %s: HTTP %d", method, status), status >= 500
	}
	out := make([]json.RawMessage, n)
	for _, r := range rs {
		var id int64
		if err := json.Unmarshal(r.ID, &id); err != nil || id < firstID || id >= firstID+int64(n) {
			return nil, fmt.Errorf("bitcoin: rpc batch %s: answer with unknown id %s", method, r.ID), false
		}
		if r.Error != nil {
			r.Error.Method = method
			return nil, fmt.Errorf("batch item %d: %w", id-firstID, r.Error), r.Error.Code == codeWarmingUp
		}
		out[id-firstID] = r.Result
	}
	for i, r := range out {
		if r == nil {
			return nil, fmt.Errorf("bitcoin: rpc batch %s: no answer for item %d", method, i), false
		}
	}
	return out, nil, false
}

// BlocksAt fetches the blocks at heights from..from+n-1 in two batches
// (getblockhash, then getblock verbosity 0 or 2), for a source that reads
// a range faster than one round trip per call allows.
func (c *Client) BlocksAt(ctx context.Context, from int64, n int, verbosity int) ([]*Block, error) {
	if verbosity != 0 && verbosity != 2 {
		return nil, fmt.Errorf("bitcoin: rpc: batches use verbosity 0 or 2, not %d", verbosity)
	}
	params := make([][]any, n)
	strs := make([]string, n)
	res := make([]any, n)
	for i := range n {
		params[i] = []any{from + int64(i)}
		res[i] = &strs[i]
	}
	if err := c.CallBatch(ctx, "getblockhash", params, res); err != nil {
		return nil, err
	}
	raws := make([]json.RawMessage, n)
	for i, s := range strs {
		params[i] = []any{s, verbosity}
		res[i] = &raws[i]
	}
	if err := c.CallBatch(ctx, "getblock", params, res); err != nil {
		return nil, err
	}
	blocks := make([]*Block, n)
	for i, raw := range raws {
		want, err := chainhash.NewHashFromStr(strs[i])
		if err != nil {
			return nil, fmt.Errorf("%w: getblockhash %d: %v", ErrDecode, from+int64(i), err)
		}
		var b *Block
		if verbosity == 0 {
			var s string
			if err := json.Unmarshal(raw, &s); err != nil {
				return nil, fmt.Errorf("%w: getblock %s: %v", ErrDecode, want, err)
			}
			bin, err := hex.DecodeString(s)
			if err != nil {
				return nil, fmt.Errorf("%w: getblock %s: hex: %v", ErrDecode, want, err)
			}
			b, err = decodeBlock(bin, -1)
			if err != nil {
				return nil, fmt.Errorf("getblock %s: %w", want, err)
			}
		} else if b, err = DecodeBlockJSON(raw, nil); err != nil {
			return nil, fmt.Errorf("getblock %s: %w", want, err)
		}
		if b.Hash != *want {
			return nil, fmt.Errorf("%w: getblock %s returned block %s", ErrDecode, want, b.Hash)
		}
		b.Height = from + int64(i)
		blocks[i] = b
	}
	return blocks, nil
}
