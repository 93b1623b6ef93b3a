// Command simrecord records the JSON-RPC answers the Safe collector reads
// from go-ethereum's simulated backend (a real EVM running the contracts of
// safetest.Fixture) into ../rpc/safes.json, which the collector's tests
// replay. It is its own module so the main module does not depend on the
// simulated node (p2p, node, miner): run it with
//
//	cd internal/action/inspect/safe/testdata/simrecord && go run . -out ../rpc/safes.json
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log"
	"math/big"
	"net"
	"net/http/httptest"
	"os"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/eth/ethconfig"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/ethereum/go-ethereum/ethclient/simulated"
	"github.com/ethereum/go-ethereum/node"
	"github.com/ethereum/go-ethereum/params"
	"github.com/ethereum/go-ethereum/rpc"
	"github.com/ethereum/go-ethereum/version"

	"github.com/interdict/interdict/internal/action/inspect/safe"
	"github.com/interdict/interdict/internal/action/inspect/safe/safetest"
)

func main() {
	out := flag.String("out", "../rpc/safes.json", "transcript to write")
	flag.Parse()
	if err := run(*out); err != nil {
		log.Fatal(err)
	}
}

func run(out string) error {
	accts, desc, err := safetest.Fixture()
	if err != nil {
		return err
	}
	alloc := types.GenesisAlloc{}
	for a, acct := range accts {
		alloc[a] = types.Account{Code: acct.Code, Storage: acct.Storage, Balance: big.NewInt(0)}
	}
	alloc[safetest.EOA] = types.Account{Balance: big.NewInt(params.Ether)}
	// The node serves JSON-RPC over HTTP on a free loopback port, so what
	// is recorded is what a node sends over the wire.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	sim := simulated.NewBackend(alloc, func(nc *node.Config, _ *ethconfig.Config) {
		nc.HTTPHost, nc.HTTPPort, nc.HTTPModules = "127.0.0.1", port, []string{"eth"}
	})
	defer sim.Close()
	rc, err := rpc.Dial(fmt.Sprintf("http://127.0.0.1:%d", port))
	if err != nil {
		return err
	}
	defer rc.Close()
	tr := &safetest.Transcript{
		Note:     "Recorded by testdata/simrecord from go-ethereum's simulated backend (" + fmt.Sprintf("go-ethereum v%d.%d.%d", version.Major, version.Minor, version.Patch) + "): each exchange is a JSON-RPC call the Safe collector made and the node's answer. Regenerate: cd testdata/simrecord && go run . -out ../rpc/safes.json",
		Accounts: desc,
	}
	srv := httptest.NewServer(safetest.NewServer(tr, func(ctx context.Context, method string, params json.RawMessage) (json.RawMessage, *safetest.RPCError) {
		var args []json.RawMessage
		if err := json.Unmarshal(params, &args); err != nil {
			return nil, &safetest.RPCError{Code: -32602, Message: err.Error()}
		}
		anyArgs := make([]any, len(args))
		for i, a := range args {
			anyArgs[i] = a
		}
		var res json.RawMessage
		err := rc.CallContext(ctx, &res, method, anyArgs...)
		if err == nil {
			return res, nil
		}
		e := &safetest.RPCError{Code: -32000, Message: err.Error()}
		var re rpc.Error
		if errors.As(err, &re) {
			e.Code = re.ErrorCode()
		}
		var de rpc.DataError
		if errors.As(err, &de) && de.ErrorData() != nil {
			e.Data, _ = json.Marshal(de.ErrorData())
		}
		return nil, e
	}))
	defer srv.Close()
	client, err := ethclient.Dial(srv.URL)
	if err != nil {
		return err
	}
	defer client.Close()
	ctx := context.Background()
	for _, a := range []common.Address{safetest.Safe130, safetest.Safe141, safetest.EOA, safetest.Token} {
		cfg, err := safe.Read(ctx, client, a, time.Unix(0, 0))
		if err != nil {
			fmt.Printf("%s: %v\n", a.Hex(), err)
			continue
		}
		fmt.Printf("%s: version %s, %d-of-%d, modules %v, guard %s, delay %d s\n", a.Hex(), cfg.Version, cfg.Threshold, len(cfg.Owners), cfg.Modules, cfg.Guard.Hex(), cfg.TimelockSeconds)
	}
	b, err := json.MarshalIndent(tr, "", " ")
	if err != nil {
		return err
	}
	return os.WriteFile(out, append(b, '\n'), 0o644)
}
