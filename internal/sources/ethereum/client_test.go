package ethereum_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"github.com/interdict/interdict/internal/sharedtest"
	"github.com/interdict/interdict/internal/sources/ethereum"
	"github.com/interdict/interdict/internal/sources/ethereum/rpctest"
)

func etlCase(t *testing.T, job, name string) string {
	t.Helper()
	return sharedtest.Path(t, "blockchain", "ethereum-etl", job, name)
}

func dial(t *testing.T, url string) *ethereum.Client {
	t.Helper()
	cfg := ethereum.DefaultConfig()
	cfg.URL = url
	cfg.Backoff = time.Millisecond
	cfg.MaxBackoff = 5 * time.Millisecond
	c, err := ethereum.Dial(context.Background(), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

func TestClientReadsRecordedBlocksInOneBatch(t *testing.T) {
	srv := rpctest.New(t, etlCase(t, "test_export_blocks_job", "blocks_with_transactions"))
	c := dial(t, srv.URL)
	bs, err := c.BlocksByNumber(context.Background(), 47218, 47219, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(bs) != 2 || bs[1].ParentHash != bs[0].Hash || len(bs[0].Txs) != 2 {
		t.Fatalf("blocks %+v", bs)
	}
	if _, err := c.BlockByNumber(context.Background(), 47220, true); err == nil {
		t.Fatal("unrecorded block: want an error")
	}
}

func TestClientFallsBackToPerTransactionReceipts(t *testing.T) {
	dir := etlCase(t, "test_stream", "blocks_1755634_1755635")
	srv := rpctest.New(t, dir)
	c := dial(t, srv.URL)
	ctx := context.Background()
	b, err := c.BlockByNumber(ctx, 1755635, true)
	if err != nil {
		t.Fatal(err)
	}
	rs, err := c.BlockReceipts(ctx, b)
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 2 || rs[0].TxHash != b.TxHashes[0] || len(rs[0].Logs) != 2 {
		t.Fatalf("receipts %+v", rs)
	}
	// The second block asks per transaction straight away.
	n := len(srv.Calls())
	if _, err := c.BlockReceipts(ctx, b); err != nil {
		t.Fatal(err)
	}
	for _, k := range srv.Calls()[n:] {
		if k[:len("eth_getBlockReceipts")] == "eth_getBlockReceipts" {
			t.Fatalf("asked eth_getBlockReceipts again: %v", srv.Calls()[n:])
		}
	}
}

func TestClientReportsMissingMethodAsErrMethodNotFound(t *testing.T) {
	srv := rpctest.New(t, etlCase(t, "test_export_traces_job", "block_with_error"))
	c := dial(t, srv.URL)
	_, err := c.GethTraces(context.Background(), 1000895)
	if !errors.Is(err, ethereum.ErrMethodNotFound) {
		t.Fatalf("err = %v, want ErrMethodNotFound", err)
	}
	tr, err := c.ParityTraces(context.Background(), 1000895)
	if err != nil || len(tr) == 0 {
		t.Fatalf("parity traces %v, %v", tr, err)
	}
}

func TestClientRetriesTransportFailures(t *testing.T) {
	srv := rpctest.New(t, etlCase(t, "test_export_blocks_job", "block_with_logs"))
	srv.Inject(rpctest.Fault{Status: http.StatusBadGateway, Body: "bad gateway"}, rpctest.Fault{Status: http.StatusServiceUnavailable, Body: "busy"})
	c := dial(t, srv.URL)
	if _, err := c.BlockByNumber(context.Background(), 483920, true); err != nil {
		t.Fatalf("after two 5xx: %v", err)
	}
	srv.Inject(rpctest.Fault{Code: -32005, Status: http.StatusOK})
	if _, err := c.BlockByNumber(context.Background(), 483920, true); err == nil {
		t.Fatal("an RPC error must not be retried into success")
	}
}

func TestClientGivesUpAfterRetries(t *testing.T) {
	srv := rpctest.New(t, etlCase(t, "test_export_blocks_job", "block_with_logs"))
	for range 10 {
		srv.Inject(rpctest.Fault{Status: http.StatusInternalServerError, Body: "down"})
	}
	cfg := ethereum.DefaultConfig()
	cfg.URL, cfg.Retries, cfg.Backoff = srv.URL, 2, time.Millisecond
	c, err := ethereum.Dial(context.Background(), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.BlockByNumber(context.Background(), 483920, true); err == nil {
		t.Fatal("want an error after the retries")
	}
	if got := len(srv.Calls()); got != 0 {
		t.Fatalf("faults are served before calls; calls = %d", got)
	}
}

func TestClientReadsLogsThroughFilterWhenGetLogsIsMissing(t *testing.T) {
	srv := rpctest.New(t, etlCase(t, "test_export_token_transfers_job", "block_with_transfers"))
	c := dial(t, srv.URL)
	logs, err := c.Logs(context.Background(), 483920, 483920, common.HexToHash("0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef"))
	if err != nil {
		t.Fatal(err)
	}
	if len(logs) != 2 {
		t.Fatalf("%d logs, want 2", len(logs))
	}
}

func TestClientReadsTokenMetadataAsEthereumEtl(t *testing.T) {
	tests := []struct {
		name, dir, addr   string
		symbol, tokenName string
		decimals, supply  string
	}{
		{"bytes32 symbol, zero name", "token_with_alternative_return_type", "0x86fa049857e0209aa7d9e616f7eb3b3b78ecfdb0", "EOS", "", "18", "1000000000000000000000000000"},
		{"NUL-padded strings", "token_with_invalid_data", "0xf763be8b3263c268e9789abfb3934564a7b80054", "ETH", "ETH", "18", "6547475210000000000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := rpctest.New(t, etlCase(t, "test_export_tokens_job", tt.dir))
			c := dial(t, srv.URL)
			tok, err := c.Token(context.Background(), common.HexToAddress(tt.addr), "latest")
			if err != nil {
				t.Fatal(err)
			}
			if tok.Symbol == nil || *tok.Symbol != tt.symbol || tok.Name == nil || *tok.Name != tt.tokenName ||
				tok.Decimals.String() != tt.decimals || tok.TotalSupply.String() != tt.supply {
				t.Fatalf("token %+v", tok)
			}
		})
	}
}

func TestReplayKeysFollowEthereumEtlNames(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(sharedtest.Path(t, "blockchain", "ethereum-etl"), "*", "*", "web3_response.*.json"))
	if err != nil || len(files) != 48 {
		t.Fatalf("%d recordings, %v", len(files), err)
	}
}

func TestClientKeepsToItsConcurrencyLimit(t *testing.T) {
	var inFlight, peak atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		time.Sleep(20 * time.Millisecond)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"jsonrpc":"2.0","id":1,"result":"0x10"}`))
	}))
	defer srv.Close()
	cfg := ethereum.DefaultConfig()
	cfg.URL, cfg.Concurrency = srv.URL, 2
	c, err := ethereum.Dial(context.Background(), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if n, err := c.BlockNumber(context.Background()); err != nil || n != 16 {
				t.Errorf("BlockNumber = %d, %v", n, err)
			}
		})
	}
	wg.Wait()
	if p := peak.Load(); p > 2 {
		t.Fatalf("%d requests in flight, limit 2", p)
	}
}

func TestClientStopsRetryingWhenTheContextEnds(t *testing.T) {
	srv := rpctest.New(t)
	for range 100 {
		srv.Inject(rpctest.Fault{Status: http.StatusServiceUnavailable, Body: "busy"})
	}
	cfg := ethereum.DefaultConfig()
	cfg.URL, cfg.Retries, cfg.Backoff = srv.URL, 100, 50*time.Millisecond
	c, err := ethereum.Dial(context.Background(), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
	defer cancel()
	start := time.Now()
	if _, err := c.BlockNumber(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want the context's deadline", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Fatalf("gave up after %v", d)
	}
}
