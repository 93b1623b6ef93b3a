package ethereum

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/rpc"
)

// Errors a caller can branch on.
var (
	// ErrMethodNotFound means the node does not serve a method (JSON-RPC
	// -32601, or a provider's equivalent message). It wraps the node's error.
	ErrMethodNotFound = errors.New("ethereum: node lacks method")
	// ErrNotFound means the node answered null: a block above its head, an
	// unknown transaction.
	ErrNotFound = errors.New("ethereum: not found")
	// ErrInconsistent means two answers of the node disagree (a receipt of
	// another block, fewer receipts than transactions): usually a reorg
	// under the request.
	ErrInconsistent = errors.New("ethereum: inconsistent node answers")
)

// Config sets how the client talks to the node.
type Config struct {
	URL         string        // http(s)://, ws(s):// or an IPC path
	Concurrency int           // requests in flight at once (a batch counts once)
	BatchSize   int           // calls per JSON-RPC batch
	Retries     int           // further attempts after a transport error or HTTP 5xx/429
	Backoff     time.Duration // first retry delay, doubled each attempt (with jitter)
	MaxBackoff  time.Duration // cap of the retry delay
	Timeout     time.Duration // per attempt; 0 means only the caller's context
}

// DefaultConfig is a configuration fit for a local node.
func DefaultConfig() Config {
	return Config{Concurrency: 8, BatchSize: 100, Retries: 5, Backoff: 200 * time.Millisecond, MaxBackoff: 10 * time.Second, Timeout: 60 * time.Second}
}

// Client reads blocks, receipts, traces and token metadata from one node.
// It is safe for concurrent use.
type Client struct {
	rpc *rpc.Client
	cfg Config
	log *slog.Logger
	sem chan struct{}

	noBlockReceipts atomic.Bool // the node answered eth_getBlockReceipts with "method not found"
	noGetLogs       atomic.Bool // the node answered eth_getLogs with "method not found"
}

// Dial connects to the node at cfg.URL. Zero fields of cfg take
// DefaultConfig's values.
func Dial(ctx context.Context, cfg Config, log *slog.Logger) (*Client, error) {
	if cfg.URL == "" {
		return nil, errors.New("ethereum: no node URL")
	}
	opts := []rpc.ClientOption{}
	if strings.HasPrefix(cfg.URL, "http") {
		opts = append(opts, rpc.WithHTTPClient(&http.Client{}))
	}
	c, err := rpc.DialOptions(ctx, cfg.URL, opts...)
	if err != nil {
		return nil, fmt.Errorf("ethereum: dial %s: %w", redact(cfg.URL), err)
	}
	return NewClient(c, cfg, log), nil
}

// NewClient wraps an rpc.Client already connected.
func NewClient(c *rpc.Client, cfg Config, log *slog.Logger) *Client {
	def := DefaultConfig()
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = def.Concurrency
	}
	if cfg.BatchSize <= 0 {
		cfg.BatchSize = def.BatchSize
	}
	if cfg.Retries < 0 {
		cfg.Retries = 0
	}
	if cfg.Backoff <= 0 {
		cfg.Backoff = def.Backoff
	}
	if cfg.MaxBackoff <= 0 {
		cfg.MaxBackoff = def.MaxBackoff
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Client{rpc: c, cfg: cfg, log: log, sem: make(chan struct{}, cfg.Concurrency)}
}

// Close closes the connection.
func (c *Client) Close() { c.rpc.Close() }

// redact drops credentials and query (API keys) from a URL for messages.
func redact(u string) string {
	if i := strings.Index(u, "://"); i >= 0 {
		rest := u[i+3:]
		if at := strings.LastIndex(strings.SplitN(rest, "/", 2)[0], "@"); at >= 0 {
			rest = "***@" + rest[at+1:]
		}
		u = u[:i+3] + rest
	}
	if q := strings.IndexAny(u, "?#"); q >= 0 {
		u = u[:q]
	}
	return u
}

// call makes one call with the concurrency limit and retries and returns the
// raw result, so every decoder works on bytes (and can be fuzzed on them).
func (c *Client) call(ctx context.Context, method string, args ...any) (json.RawMessage, error) {
	var raw json.RawMessage
	err := c.retry(ctx, method, func(ctx context.Context) error {
		return c.rpc.CallContext(ctx, &raw, method, args...)
	})
	if err != nil {
		return nil, wrapRPC(method, err)
	}
	return raw, nil
}

// batch sends calls in batches of cfg.BatchSize; every element's Result
// must be a *json.RawMessage. A per-element error is returned wrapped.
func (c *Client) batch(ctx context.Context, elems []rpc.BatchElem) error {
	for start := 0; start < len(elems); start += c.cfg.BatchSize {
		part := elems[start:min(start+c.cfg.BatchSize, len(elems))]
		err := c.retry(ctx, part[0].Method, func(ctx context.Context) error {
			for i := range part {
				part[i].Error = nil
			}
			return c.rpc.BatchCallContext(ctx, part)
		})
		if err != nil {
			return wrapRPC(part[0].Method+" batch", err)
		}
		for _, e := range part {
			if e.Error != nil {
				return wrapRPC(e.Method, e.Error)
			}
		}
	}
	return nil
}

// retry runs f under the concurrency limit, again after transport errors
// and HTTP 5xx/429 with exponential back-off, never after a JSON-RPC error.
func (c *Client) retry(ctx context.Context, method string, f func(context.Context) error) error {
	delay := c.cfg.Backoff
	for attempt := 0; ; attempt++ {
		select {
		case c.sem <- struct{}{}:
		case <-ctx.Done():
			return ctx.Err()
		}
		actx, cancel := ctx, context.CancelFunc(func() {})
		if c.cfg.Timeout > 0 {
			actx, cancel = context.WithTimeout(ctx, c.cfg.Timeout)
		}
		err := f(actx)
		cancel()
		<-c.sem
		if err == nil || !retryable(ctx, err) || attempt >= c.cfg.Retries {
			return err
		}
		wait := delay/2 + rand.N(delay/2+1)
		c.log.Warn("ethereum rpc retry", "method", method, "attempt", attempt+1, "wait", wait, "err", err)
		select {
		case <-time.After(wait):
		case <-ctx.Done():
			return ctx.Err()
		}
		delay = min(delay*2, c.cfg.MaxBackoff)
	}
}

func retryable(ctx context.Context, err error) bool {
	if ctx.Err() != nil {
		return false
	}
	var httpErr rpc.HTTPError
	if errors.As(err, &httpErr) {
		return httpErr.StatusCode >= 500 || httpErr.StatusCode == http.StatusTooManyRequests
	}
	var rpcErr rpc.Error
	if errors.As(err, &rpcErr) {
		return false
	}
	var jsonErr *json.SyntaxError
	return !errors.As(err, &jsonErr)
}

// wrapRPC turns a node's "method not found" into ErrMethodNotFound (keeping
// the node's error in the chain) and names the method in every error.
func wrapRPC(method string, err error) error {
	if isMethodNotFound(err) {
		return fmt.Errorf("%w %s: %w", ErrMethodNotFound, method, err)
	}
	return fmt.Errorf("ethereum: %s: %w", method, err)
}

func isMethodNotFound(err error) bool {
	var rpcErr rpc.Error
	if errors.As(err, &rpcErr) {
		if rpcErr.ErrorCode() == -32601 {
			return true
		}
		msg := strings.ToLower(rpcErr.Error())
		return strings.Contains(msg, "method not found") || strings.Contains(msg, "does not exist/is not available") ||
			strings.Contains(msg, "method not supported") || strings.Contains(msg, "unsupported method")
	}
	var httpErr rpc.HTTPError
	if errors.As(err, &httpErr) {
		return httpErr.StatusCode == http.StatusNotFound && strings.Contains(string(httpErr.Body), "-32601")
	}
	return false
}

func isNull(raw json.RawMessage) bool {
	s := strings.TrimSpace(string(raw))
	return s == "" || s == "null"
}

// BlockNumber returns the number of the node's head block.
func (c *Client) BlockNumber(ctx context.Context) (uint64, error) {
	raw, err := c.call(ctx, "eth_blockNumber")
	if err != nil {
		return 0, err
	}
	var n hexutil.Uint64
	if err := json.Unmarshal(raw, &n); err != nil {
		return 0, decodeErr("eth_blockNumber", err)
	}
	return uint64(n), nil
}

// BlockByNumber returns block n, with full transactions when full is set.
// A block the node does not have yet is ErrNotFound.
func (c *Client) BlockByNumber(ctx context.Context, n uint64, full bool) (*Block, error) {
	raw, err := c.call(ctx, "eth_getBlockByNumber", hexutil.EncodeUint64(n), full)
	if err != nil {
		return nil, err
	}
	return decodeBlockResult(raw, n)
}

// BlocksByNumber returns blocks from..to (inclusive) in order, fetched in
// batches.
func (c *Client) BlocksByNumber(ctx context.Context, from, to uint64, full bool) ([]*Block, error) {
	if to < from {
		return nil, fmt.Errorf("ethereum: block range %d..%d is empty", from, to)
	}
	raws := make([]json.RawMessage, to-from+1)
	elems := make([]rpc.BatchElem, len(raws))
	for i := range elems {
		elems[i] = rpc.BatchElem{Method: "eth_getBlockByNumber", Args: []any{hexutil.EncodeUint64(from + uint64(i)), full}, Result: &raws[i]}
	}
	if err := c.batch(ctx, elems); err != nil {
		return nil, err
	}
	out := make([]*Block, len(raws))
	for i, raw := range raws {
		b, err := decodeBlockResult(raw, from+uint64(i))
		if err != nil {
			return nil, err
		}
		out[i] = b
	}
	return out, nil
}

func decodeBlockResult(raw json.RawMessage, n uint64) (*Block, error) {
	if isNull(raw) {
		return nil, fmt.Errorf("%w: block %d", ErrNotFound, n)
	}
	b, err := DecodeBlock(raw)
	if err != nil {
		return nil, fmt.Errorf("block %d: %w", n, err)
	}
	if b.Number != n {
		return nil, fmt.Errorf("%w: asked block %d, got %d", ErrInconsistent, n, b.Number)
	}
	return b, nil
}

// DecodeBlock decodes an eth_getBlockByNumber result.
func DecodeBlock(raw []byte) (*Block, error) {
	b := new(Block)
	if err := b.UnmarshalJSON(raw); err != nil {
		return nil, err
	}
	return b, nil
}

// DecodeReceipts decodes an eth_getBlockReceipts result.
func DecodeReceipts(raw []byte) ([]*Receipt, error) {
	var ws []*receiptJSON
	if err := json.Unmarshal(raw, &ws); err != nil {
		return nil, decodeErr("receipts", err)
	}
	rs := make([]*Receipt, len(ws))
	for i, w := range ws {
		if w == nil {
			return nil, decodeErr("receipts", fmt.Errorf("receipt %d is null", i))
		}
		rs[i] = new(Receipt)
		if err := rs[i].fromWire(w); err != nil {
			return nil, fmt.Errorf("receipt %d: %w", i, err)
		}
	}
	return rs, nil
}

// BlockReceipts returns the receipts of b's transactions in order, with
// eth_getBlockReceipts when the node has it and otherwise (remembered for
// the client's life) with batched eth_getTransactionReceipt calls.
func (c *Client) BlockReceipts(ctx context.Context, b *Block) ([]*Receipt, error) {
	if b.TxCount() == 0 {
		return []*Receipt{}, nil
	}
	if !c.noBlockReceipts.Load() {
		raw, err := c.call(ctx, "eth_getBlockReceipts", hexutil.EncodeUint64(b.Number))
		switch {
		case err == nil && !isNull(raw):
			rs, err := DecodeReceipts(raw)
			if err != nil {
				return nil, fmt.Errorf("block %d: %w", b.Number, err)
			}
			return rs, checkReceipts(b, rs)
		case err == nil:
			return nil, fmt.Errorf("%w: receipts of block %d", ErrNotFound, b.Number)
		case errors.Is(err, ErrMethodNotFound):
			c.noBlockReceipts.Store(true)
			c.log.Info("ethereum node lacks eth_getBlockReceipts; fetching receipts per transaction")
		default:
			return nil, err
		}
	}
	rs, err := c.TransactionReceipts(ctx, b.TxHashes)
	if err != nil {
		return nil, err
	}
	return rs, checkReceipts(b, rs)
}

func checkReceipts(b *Block, rs []*Receipt) error {
	if len(rs) != len(b.TxHashes) {
		return fmt.Errorf("%w: block %d has %d transactions, node gave %d receipts", ErrInconsistent, b.Number, len(b.TxHashes), len(rs))
	}
	for i, r := range rs {
		if r.TxHash != b.TxHashes[i] || r.BlockHash != b.Hash {
			return fmt.Errorf("%w: receipt %d of block %d (%s) is for tx %s in block %s", ErrInconsistent, i, b.Number, b.Hash, r.TxHash, r.BlockHash)
		}
	}
	return nil
}

// TransactionReceipts returns the receipts of the given transactions, in
// order, with batched eth_getTransactionReceipt calls.
func (c *Client) TransactionReceipts(ctx context.Context, hashes []common.Hash) ([]*Receipt, error) {
	raws := make([]json.RawMessage, len(hashes))
	elems := make([]rpc.BatchElem, len(hashes))
	for i, h := range hashes {
		elems[i] = rpc.BatchElem{Method: "eth_getTransactionReceipt", Args: []any{h}, Result: &raws[i]}
	}
	if err := c.batch(ctx, elems); err != nil {
		return nil, err
	}
	out := make([]*Receipt, len(raws))
	for i, raw := range raws {
		if isNull(raw) {
			return nil, fmt.Errorf("%w: receipt of %s", ErrNotFound, hashes[i])
		}
		r := new(Receipt)
		if err := r.UnmarshalJSON(raw); err != nil {
			return nil, fmt.Errorf("receipt of %s: %w", hashes[i], err)
		}
		out[i] = r
	}
	return out, nil
}

// ParityTraces returns block n's traces with trace_block (Parity, Erigon,
// Nethermind, Reth).
func (c *Client) ParityTraces(ctx context.Context, n uint64) ([]*Trace, error) {
	raw, err := c.call(ctx, "trace_block", hexutil.EncodeUint64(n))
	if err != nil {
		return nil, err
	}
	if isNull(raw) {
		return nil, fmt.Errorf("%w: traces of block %d (is the node synced with tracing?)", ErrNotFound, n)
	}
	return DecodeParityTraces(raw)
}

// GethTraces returns block n's traces with debug_traceBlockByNumber and the
// callTracer (Geth), flattened as DecodeGethTraces describes.
func (c *Client) GethTraces(ctx context.Context, n uint64) ([]*Trace, error) {
	raw, err := c.call(ctx, "debug_traceBlockByNumber", hexutil.EncodeUint64(n), map[string]any{"tracer": "callTracer"})
	if err != nil {
		return nil, err
	}
	if isNull(raw) {
		return nil, fmt.Errorf("%w: traces of block %d", ErrNotFound, n)
	}
	return DecodeGethTraces(n, raw)
}

// Code returns the code at addr at block ("latest", or a hex number).
func (c *Client) Code(ctx context.Context, addr common.Address, block string) ([]byte, error) {
	raw, err := c.call(ctx, "eth_getCode", addr, block)
	if err != nil {
		return nil, err
	}
	var code hexutil.Bytes
	if err := json.Unmarshal(raw, &code); err != nil {
		return nil, decodeErr("eth_getCode", err)
	}
	return code, nil
}

// Call runs eth_call of data against to at block ("latest" or a hex
// number). Only "to" and "data" are sent, so the call is the same whichever
// node answers it.
func (c *Client) Call(ctx context.Context, to common.Address, data []byte, block string) ([]byte, error) {
	raw, err := c.call(ctx, "eth_call", map[string]any{"to": to, "data": hexutil.Bytes(data)}, block)
	if err != nil {
		return nil, err
	}
	var out hexutil.Bytes
	if err := json.Unmarshal(raw, &out); err != nil {
		return nil, decodeErr("eth_call", err)
	}
	return out, nil
}
