package bitcoin

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"
)

// Bitcoin Core's RPC error codes the client acts on.
const (
	codeMethodNotFound   = -32601
	codeWarmingUp        = -28
	codeNotFound         = -5 // no such transaction or block
	codeHeightOutOfRange = -8 // getblockhash past the tip
)

var (
	// ErrMethodNotFound: the node does not offer an RPC method (an old
	// version, a disabled wallet, a non-Core node).
	ErrMethodNotFound = errors.New("bitcoin: rpc method not found")
	// ErrNotFound: the node knows no such block or transaction (for
	// transactions outside the mempool, Core needs -txindex).
	ErrNotFound = errors.New("bitcoin: not found by the node")
	// ErrAuth: the node refused the credentials.
	ErrAuth = errors.New("bitcoin: rpc authentication failed")
	// ErrUnavailable: a call kept failing in a way worth retrying (no
	// connection, HTTP 5xx, warming up) until the client's retries ran out.
	// A following source waits and tries again; other callers give up.
	ErrUnavailable = errors.New("bitcoin: node unavailable")
)

// RPCError is an error object a node returned.
type RPCError struct {
	Method  string
	Code    int    `json:"code"`
	Message string `json:"message"`
}

func (e *RPCError) Error() string {
	return fmt.Sprintf("bitcoin: rpc %s: %s (code %d)", e.Method, e.Message, e.Code)
}

// Is lets errors.Is match the sentinels the codes stand for.
func (e *RPCError) Is(target error) bool {
	switch target {
	case ErrMethodNotFound:
		return e.Code == codeMethodNotFound
	case ErrNotFound:
		return e.Code == codeNotFound
	}
	return false
}

// ClientOptions tune a Client; zero values are sensible defaults.
type ClientOptions struct {
	HTTPClient *http.Client
	Logger     *slog.Logger
	// CookieFile is Bitcoin Core's .cookie (user:password), read again
	// whenever the node answers 401, since Core writes a new one on restart.
	// The URL's ?cookie=PATH sets it too; URL userinfo wins when both exist.
	CookieFile string
	// JSONRPC is the envelope version, "1.0" (default) or "2.0".
	JSONRPC string
	// Retries is how many times a call is retried after network errors,
	// HTTP 5xx without an RPC error, and "warming up" (-28); 0 means 8,
	// negative means never.
	// Back-off starts at Backoff (default 250 ms) and doubles up to 15 s.
	Retries int
	Backoff time.Duration
	// TxCache is how many transactions PrevOut keeps; default 4096.
	TxCache int
}

// Client calls a Bitcoin Core node's JSON-RPC interface. It is safe for
// concurrent use.
type Client struct {
	url    string
	http   *http.Client
	log    *slog.Logger
	opt    ClientOptions
	id     atomic.Int64
	userMu sync.Mutex // guards user, pass (cookie re-reads)
	user   string
	pass   string
	fixed  bool // credentials came from the URL: never re-read the cookie
	txs    txCache
}

// NewClient parses rawURL (http://user:pass@host:port/[wallet path]
// [?cookie=PATH]) into a client.
func NewClient(rawURL string, opt ClientOptions) (*Client, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("bitcoin: rpc url: %w", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("bitcoin: rpc url %q: want http:// or https://", u.Redacted())
	}
	q := u.Query()
	if p := q.Get("cookie"); p != "" {
		opt.CookieFile = p
		q.Del("cookie")
		u.RawQuery = q.Encode()
	}
	c := &Client{http: opt.HTTPClient, log: opt.Logger, opt: opt}
	if c.http == nil {
		c.http = http.DefaultClient
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	if c.opt.JSONRPC == "" {
		c.opt.JSONRPC = "1.0"
	}
	if c.opt.Retries == 0 {
		c.opt.Retries = 8
	}
	if c.opt.Backoff == 0 {
		c.opt.Backoff = 250 * time.Millisecond
	}
	c.txs.max = c.opt.TxCache
	if c.txs.max <= 0 {
		c.txs.max = 4096
	}
	if u.User != nil {
		c.user = u.User.Username()
		c.pass, _ = u.User.Password()
		c.fixed = true
		u.User = nil
	} else if opt.CookieFile != "" {
		if err := c.readCookie(); err != nil {
			return nil, err
		}
	}
	c.url = u.String()
	return c, nil
}

func (c *Client) readCookie() error {
	b, err := os.ReadFile(c.opt.CookieFile)
	if err != nil {
		return fmt.Errorf("bitcoin: rpc cookie: %w", err)
	}
	user, pass, ok := strings.Cut(strings.TrimSpace(string(b)), ":")
	if !ok {
		return fmt.Errorf("bitcoin: rpc cookie %s: want user:password", c.opt.CookieFile)
	}
	c.userMu.Lock()
	c.user, c.pass = user, pass
	c.userMu.Unlock()
	return nil
}

type rpcRequest struct {
	JSONRPC string `json:"jsonrpc"`
	ID      int64  `json:"id"`
	Method  string `json:"method"`
	Params  []any  `json:"params"`
}

type rpcResponse struct {
	Result json.RawMessage `json:"result"`
	Error  *RPCError       `json:"error"`
	ID     json.RawMessage `json:"id"`
}

// Call invokes method with params and decodes the result into result (a
// pointer, or nil to discard it), retrying transient failures.
func (c *Client) Call(ctx context.Context, method string, params []any, result any) error {
	if params == nil {
		params = []any{}
	}
	body, err := json.Marshal(rpcRequest{JSONRPC: c.opt.JSONRPC, ID: c.id.Add(1), Method: method, Params: params})
	if err != nil {
		return fmt.Errorf("bitcoin: rpc %s: %w", method, err)
	}
	var raw json.RawMessage
	err = c.retrying(ctx, method, func() (error, bool) {
		status, data, err, retry := c.post(ctx, method, body, maxResponse)
		if err != nil {
			return err, retry
		}
		raw, err, retry = parseResponse(method, status, data)
		return err, retry
	})
	if err != nil || result == nil {
		return err
	}
	if err := json.Unmarshal(raw, result); err != nil {
		return fmt.Errorf("bitcoin: rpc %s: result: %w", method, err)
	}
	return nil
}

// maxResponse bounds one answer: a 4 MB block is 8 MB of hex, and its
// verbosity-2 JSON several times that.
const maxResponse = 64 << 20

// retrying runs try until it succeeds, fails for good or the retries run
// out, sleeping an exponentially growing back-off in between.
func (c *Client) retrying(ctx context.Context, label string, try func() (error, bool)) error {
	wait := c.opt.Backoff
	for attempt := 0; ; attempt++ {
		err, retry := try()
		if err == nil {
			return nil
		}
		if !retry || ctx.Err() != nil {
			return err
		}
		if attempt >= c.opt.Retries {
			return fmt.Errorf("%w after %d attempts: %w", ErrUnavailable, attempt+1, err)
		}
		c.log.Warn("bitcoin rpc retry", "method", label, "attempt", attempt+1, "wait", wait, "err", err)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("bitcoin: rpc %s: %w (last error: %v)", label, ctx.Err(), err)
		case <-t.C:
		}
		wait = min(2*wait, 15*time.Second)
	}
}

// post makes one HTTP round trip; retry says whether a failure is transient.
func (c *Client) post(ctx context.Context, label string, body []byte, limit int64) (int, []byte, error, bool) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url, bytes.NewReader(body))
	if err != nil {
		return 0, nil, fmt.Errorf("bitcoin: rpc %s: %w", label, err), false
	}
	req.Header.Set("Content-Type", "application/json")
	c.userMu.Lock()
	if c.user != "" || c.pass != "" {
		req.SetBasicAuth(c.user, c.pass)
	}
	c.userMu.Unlock()
	resp, err := c.http.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return 0, nil, fmt.Errorf("bitcoin: rpc %s: %w", label, ctx.Err()), false
		}
		// Refused connections, resets and timeouts: the node may be
		// restarting, so every transport error is worth another try.
		return 0, nil, fmt.Errorf("bitcoin: rpc %s: %w", label, err), true
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return 0, nil, fmt.Errorf("bitcoin: rpc %s: reading response: %w", label, err), true
	}
	if int64(len(data)) > limit {
		return 0, nil, fmt.Errorf("bitcoin: rpc %s: response larger than %d bytes", label, limit), false
	}
	if resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden {
		if !c.fixed && c.opt.CookieFile != "" {
			// Core rewrote its cookie on restart: read it and try again.
			if err := c.readCookie(); err == nil {
				return 0, nil, fmt.Errorf("%w (HTTP %d, cookie re-read)", ErrAuth, resp.StatusCode), true
			}
		}
		return 0, nil, fmt.Errorf("%w (HTTP %d)", ErrAuth, resp.StatusCode), false
	}
	return resp.StatusCode, data, nil, false
}

// parseResponse reads one JSON-RPC answer (1.0 or 2.0). Core answers RPC
// errors with HTTP 404/500 and a JSON body: the body, when it parses, says
// more than the status.
func parseResponse(method string, status int, data []byte) (json.RawMessage, error, bool) {
	var r rpcResponse
	if jerr := json.Unmarshal(data, &r); jerr != nil || (r.Error == nil && r.Result == nil) {
		switch {
		case status >= 500:
			return nil, fmt.Errorf("bitcoin: rpc %s: HTTP %d: %s", method, status, snippet(data)), true
		case status == http.StatusNotFound:
			return nil, fmt.Errorf("%w: %s (HTTP 404)", ErrMethodNotFound, method), false
		}
		return nil, fmt.Errorf("bitcoin: rpc %s: HTTP %d, unreadable response: %s", method, status, snippet(data)), false
	}
	if r.Error != nil {
		r.Error.Method = method
		return nil, r.Error, r.Error.Code == codeWarmingUp
	}
	return r.Result, nil, false
}

func snippet(b []byte) string {
	if len(b) > 200 {
		return string(b[:200]) + "…"
	}
	return string(b)
}

// BlockCount is getblockcount: the height of the node's tip.
func (c *Client) BlockCount(ctx context.Context) (int64, error) {
	var n int64
	err := c.Call(ctx, "getblockcount", nil, &n)
	return n, err
}

// BlockHash is getblockhash: the hash of the node's block at height, which
// the ingest engine compares with its own to find where a reorg forked.
func (c *Client) BlockHash(ctx context.Context, height int64) (chainhash.Hash, error) {
	var s string
	if err := c.Call(ctx, "getblockhash", []any{height}, &s); err != nil {
		return chainhash.Hash{}, err
	}
	h, err := chainhash.NewHashFromStr(s)
	if err != nil {
		return chainhash.Hash{}, fmt.Errorf("bitcoin: rpc getblockhash %d: %w", height, err)
	}
	return *h, nil
}

// Block fetches a block with getblock verbosity 0 (the serialized block as
// hex). Its height is -1: the node does not say it at this verbosity.
func (c *Client) Block(ctx context.Context, hash chainhash.Hash) (*Block, error) {
	var s string
	if err := c.Call(ctx, "getblock", []any{hash.String(), 0}, &s); err != nil {
		return nil, err
	}
	raw, err := hex.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("%w: getblock %s: hex: %v", ErrDecode, hash, err)
	}
	b, err := decodeBlock(raw, -1)
	if err != nil {
		return nil, fmt.Errorf("getblock %s: %w", hash, err)
	}
	if b.Hash != hash {
		return nil, fmt.Errorf("%w: getblock %s returned block %s", ErrDecode, hash, b.Hash)
	}
	return b, nil
}

// BlockVerbose fetches a block with getblock verbosity 2 (or 1, fetching
// each transaction with getrawtransaction) and decodes it with
// DecodeBlockJSON; the height is the node's.
func (c *Client) BlockVerbose(ctx context.Context, hash chainhash.Hash, verbosity int) (*Block, error) {
	var raw json.RawMessage
	var v any = verbosity
	if err := c.Call(ctx, "getblock", []any{hash.String(), v}, &raw); err != nil {
		return nil, err
	}
	b, err := DecodeBlockJSON(raw, func(txid chainhash.Hash) (*wire.MsgTx, error) {
		return c.RawTransaction(ctx, txid)
	})
	if err != nil {
		return nil, fmt.Errorf("getblock %s: %w", hash, err)
	}
	if b.Hash != hash {
		return nil, fmt.Errorf("%w: getblock %s returned block %s", ErrDecode, hash, b.Hash)
	}
	return b, nil
}

// RawTransaction is getrawtransaction txid (not verbose): the decoded
// transaction. A verbose (JSON object) answer is accepted too, from its hex.
func (c *Client) RawTransaction(ctx context.Context, txid chainhash.Hash) (*wire.MsgTx, error) {
	var raw json.RawMessage
	if err := c.Call(ctx, "getrawtransaction", []any{txid.String(), false}, &raw); err != nil {
		return nil, err
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		var obj struct {
			Hex string `json:"hex"`
		}
		if err := json.Unmarshal(raw, &obj); err != nil || obj.Hex == "" {
			return nil, fmt.Errorf("%w: getrawtransaction %s: neither hex nor an object with hex", ErrDecode, txid)
		}
		s = obj.Hex
	}
	tx, err := DecodeRawTx([]byte(s))
	if err != nil {
		return nil, fmt.Errorf("getrawtransaction %s: %w", txid, err)
	}
	if tx.TxHash() != txid {
		return nil, fmt.Errorf("%w: getrawtransaction %s returned %s", ErrDecode, txid, tx.TxHash())
	}
	return tx, nil
}

// RawTransactionVerbose is getrawtransaction txid true: the node's JSON.
func (c *Client) RawTransactionVerbose(ctx context.Context, txid chainhash.Hash) (json.RawMessage, error) {
	var raw json.RawMessage
	err := c.Call(ctx, "getrawtransaction", []any{txid.String(), true}, &raw)
	return raw, err
}

// PrevOut resolves an outpoint the ingest engine has not indexed (its
// transaction precedes the ingest start) with getrawtransaction, keeping
// recent transactions since one often funds several inputs. ok is false when
// the node knows no such transaction (without -txindex Core finds only
// mempool and wallet transactions) or output.
func (c *Client) PrevOut(ctx context.Context, op wire.OutPoint) (value int64, pkScript []byte, ok bool, err error) {
	tx := c.txs.get(op.Hash)
	if tx == nil {
		tx, err = c.RawTransaction(ctx, op.Hash)
		if errors.Is(err, ErrNotFound) {
			return 0, nil, false, nil
		}
		if err != nil {
			return 0, nil, false, err
		}
		c.txs.put(op.Hash, tx)
	}
	if int(op.Index) >= len(tx.TxOut) {
		return 0, nil, false, nil
	}
	out := tx.TxOut[op.Index]
	return out.Value, out.PkScript, true, nil
}

// txCache keeps the last max transactions PrevOut fetched, evicting the
// oldest first.
type txCache struct {
	mu    sync.Mutex
	max   int
	m     map[chainhash.Hash]*wire.MsgTx
	order []chainhash.Hash
}

func (t *txCache) get(h chainhash.Hash) *wire.MsgTx {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.m[h]
}

func (t *txCache) put(h chainhash.Hash, tx *wire.MsgTx) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.m == nil {
		t.m = make(map[chainhash.Hash]*wire.MsgTx)
	}
	if _, ok := t.m[h]; ok {
		return
	}
	if len(t.order) >= t.max {
		delete(t.m, t.order[0])
		t.order = t.order[1:]
	}
	t.m[h] = tx
	t.order = append(t.order, h)
}
