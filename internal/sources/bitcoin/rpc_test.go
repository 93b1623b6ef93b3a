package bitcoin

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"
	"github.com/interdict/interdict/internal/sources/bitcoin/rpctest"
)

func streamServer(t *testing.T) *rpctest.Server {
	t.Helper()
	return rpctest.New(t, etlCase(t, "bitcoin", "stream_50001_50002"))
}

func TestClientErrorsAndRetries(t *testing.T) {
	ctx := context.Background()
	fast := ClientOptions{Backoff: time.Millisecond}
	t.Run("HTTP 503 and warming up are retried until the node answers", func(t *testing.T) {
		srv := streamServer(t)
		srv.Inject(rpctest.Fault{Status: http.StatusServiceUnavailable, Body: "Work queue depth exceeded"},
			rpctest.Fault{Status: http.StatusInternalServerError, Code: -28})
		cl, _ := NewClient(srv.URL, fast)
		if n, err := cl.BlockCount(ctx); err != nil || n != 500000 {
			t.Fatalf("got %d, %v", n, err)
		}
	})
	t.Run("retries stop after the configured number", func(t *testing.T) {
		srv := streamServer(t)
		for range 3 {
			srv.Inject(rpctest.Fault{Status: http.StatusBadGateway, Body: "down"})
		}
		cl, _ := NewClient(srv.URL, ClientOptions{Backoff: time.Millisecond, Retries: 2})
		if _, err := cl.BlockCount(ctx); err == nil || !strings.Contains(err.Error(), "HTTP 502") {
			t.Fatalf("got %v, want the HTTP 502", err)
		}
	})
	t.Run("a method the node lacks is ErrMethodNotFound and is not retried", func(t *testing.T) {
		srv := streamServer(t)
		cl, _ := NewClient(srv.URL, fast)
		err := cl.Call(ctx, "getblockheader", []any{"00"}, nil)
		var re *RPCError
		if !errors.Is(err, ErrMethodNotFound) || !errors.As(err, &re) || re.Code != -32601 || len(srv.Calls()) != 1 {
			t.Fatalf("got %v after %d calls", err, len(srv.Calls()))
		}
	})
	t.Run("an unknown transaction is ErrNotFound and PrevOut reports it missing", func(t *testing.T) {
		srv := streamServer(t)
		cl, _ := NewClient(srv.URL, fast)
		var h chainhash.Hash
		h[0] = 1
		if _, err := cl.RawTransaction(ctx, h); !errors.Is(err, ErrNotFound) {
			t.Fatalf("RawTransaction: %v", err)
		}
		if _, _, ok, err := cl.PrevOut(ctx, wire.OutPoint{Hash: h}); ok || err != nil {
			t.Fatalf("PrevOut: ok %v, err %v", ok, err)
		}
	})
	t.Run("an output index past the transaction's outputs is missing", func(t *testing.T) {
		srv := streamServer(t)
		cl, _ := NewClient(srv.URL, fast)
		h, _ := chainhash.NewHashFromStr("0d37522b89f991f8433b80f709ad31862a54435cd003f25732fe405e9db93216")
		if v, _, ok, err := cl.PrevOut(ctx, wire.OutPoint{Hash: *h, Index: 0}); !ok || err != nil || v != 5000000000 {
			t.Fatalf("output 0: %d %v %v", v, ok, err)
		}
		if _, _, ok, err := cl.PrevOut(ctx, wire.OutPoint{Hash: *h, Index: 1}); ok || err != nil {
			t.Fatalf("output 1: ok %v, err %v", ok, err)
		}
	})
	t.Run("a cancelled context ends the back-off", func(t *testing.T) {
		srv := streamServer(t)
		srv.Inject(rpctest.Fault{Status: 503}, rpctest.Fault{Status: 503})
		cl, _ := NewClient(srv.URL, ClientOptions{Backoff: time.Hour})
		c, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
		defer cancel()
		if _, err := cl.BlockCount(c); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("an unreachable node is retried, then its error returned", func(t *testing.T) {
		srv := streamServer(t)
		url := srv.URL
		srv.Close()
		cl, _ := NewClient(url, ClientOptions{Backoff: time.Millisecond, Retries: 2})
		if _, err := cl.BlockCount(ctx); err == nil {
			t.Fatal("no error")
		}
	})
	t.Run("a JSON-RPC 2.0 envelope works the same", func(t *testing.T) {
		srv := streamServer(t)
		cl, _ := NewClient(srv.URL, ClientOptions{JSONRPC: "2.0"})
		if n, err := cl.BlockCount(ctx); err != nil || n != 500000 {
			t.Fatalf("got %d, %v", n, err)
		}
	})
	t.Run("a URL that is not http is refused", func(t *testing.T) {
		if _, err := NewClient("ftp://x", ClientOptions{}); err == nil {
			t.Fatal("no error")
		}
	})
}

func TestClientAuth(t *testing.T) {
	ctx := context.Background()
	srv := streamServer(t)
	srv.RequireAuth("alice", "s3cret")
	withUser := strings.Replace(srv.URL, "http://", "http://alice:s3cret@", 1)
	t.Run("URL userinfo is sent as basic auth", func(t *testing.T) {
		cl, _ := NewClient(withUser, ClientOptions{})
		if _, err := cl.BlockCount(ctx); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("a wrong password is ErrAuth and not retried", func(t *testing.T) {
		cl, _ := NewClient(strings.Replace(srv.URL, "http://", "http://alice:nope@", 1), ClientOptions{Backoff: time.Hour})
		if _, err := cl.BlockCount(ctx); !errors.Is(err, ErrAuth) {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("the cookie file is read again after a 401, as after a node restart", func(t *testing.T) {
		cookie := filepath.Join(t.TempDir(), ".cookie")
		os.WriteFile(cookie, []byte("alice:old"), 0o600)
		cl, err := NewClient(srv.URL+"?cookie="+cookie, ClientOptions{Backoff: time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(cookie, []byte("alice:s3cret\n"), 0o600)
		if _, err := cl.BlockCount(ctx); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("a missing cookie file is an error at once", func(t *testing.T) {
		if _, err := NewClient(srv.URL, ClientOptions{CookieFile: filepath.Join(t.TempDir(), "none")}); err == nil {
			t.Fatal("no error")
		}
	})
}

// TestFollow grows a recorded chain while an rpc: source follows it.
func TestFollow(t *testing.T) {
	src := etlCase(t, "bitcoin", "stream_50001_50002")
	dir := t.TempDir()
	ents, _ := os.ReadDir(src)
	for _, e := range ents {
		b, _ := os.ReadFile(filepath.Join(src, e.Name()))
		os.WriteFile(filepath.Join(dir, e.Name()), b, 0o644)
	}
	count := filepath.Join(dir, "rpc_response_getblockcount.json")
	os.WriteFile(count, []byte("50001"), 0o644)
	srv := rpctest.New(t, dir)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s, err := Open(ctx, "rpc:"+srv.URL, Options{From: 50001, To: -1, Follow: true, PollInterval: 5 * time.Millisecond, Verbosity: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	b, err := s.Next(ctx)
	if err != nil || b.Height != 50001 {
		t.Fatalf("first: %v %v", b, err)
	}
	go func() {
		time.Sleep(30 * time.Millisecond)
		os.WriteFile(count, []byte("50002"), 0o644)
	}()
	b, err = s.Next(ctx)
	if err != nil || b.Height != 50002 {
		t.Fatalf("second: %v %v", b, err)
	}
	short, cancel2 := context.WithTimeout(ctx, 30*time.Millisecond)
	defer cancel2()
	if _, err := s.Next(short); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("past the tip: got %v, want to wait until the context ends", err)
	}
	rs := s.(*RPCSource)
	rs.SetNext(50001)
	if b, err := rs.Next(ctx); err != nil || b.Height != 50001 {
		t.Fatalf("after SetNext: %v %v", b, err)
	}
}

func TestBatch(t *testing.T) {
	ctx := context.Background()
	t.Run("a batched rpc source delivers the same blocks in two round trips", func(t *testing.T) {
		srv := streamServer(t)
		srv.Inject(rpctest.Fault{Status: http.StatusInternalServerError, Code: -28})
		cl, _ := NewClient(srv.URL, ClientOptions{Backoff: time.Millisecond})
		s, err := NewRPCSource(ctx, cl, Options{From: 50001, To: 50002, Verbosity: 2, Batch: 16})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for {
			b, err := s.Next(ctx)
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, fmt.Sprintf("%d:%s", b.Height, b.Hash))
		}
		want := "50001:000000001c920d495e1eeef2452b6d1c6c229a919b28196c103ecffebabee141 50002:000000002066d7f9b134c30b5005b7bf5fbfa52f279883f1fde793dcdc964266"
		if strings.Join(got, " ") != want {
			t.Fatalf("got %v", got)
		}
		// getblockcount, then 2 getblockhash and 2 getblock answered in 2 batches.
		if calls := srv.Calls(); len(calls) != 5 {
			t.Errorf("calls %v", calls)
		}
	})
	t.Run("an error for one item fails the batch with that item's error", func(t *testing.T) {
		srv := streamServer(t)
		cl, _ := NewClient(srv.URL, ClientOptions{Backoff: time.Millisecond})
		_, err := cl.BlocksAt(ctx, 50001, 3, 2) // 50003 was not recorded
		if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "batch item 2") {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("verbosity 1 cannot be batched", func(t *testing.T) {
		cl, _ := NewClient("http://127.0.0.1:1", ClientOptions{})
		if _, err := cl.BlocksAt(ctx, 1, 2, 1); err == nil {
			t.Fatal("no error")
		}
	})
}
