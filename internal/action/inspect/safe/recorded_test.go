package safe

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/ethclient"

	"github.com/interdict/interdict/internal/action/inspect"
	"github.com/interdict/interdict/internal/action/inspect/safe/safetest"
)

// recorded replays testdata/rpc/safes.json: the JSON-RPC answers of
// go-ethereum's simulated backend running the EVM code of safetest.Fixture
// (recorded by testdata/simrecord).
func recorded(t *testing.T) (*ethclient.Client, *safetest.Transcript) {
	t.Helper()
	tr, err := safetest.LoadTranscript(filepath.Join("testdata", "rpc", "safes.json"))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(safetest.NewServer(tr, nil))
	t.Cleanup(srv.Close)
	client, err := ethclient.Dial(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(client.Close)
	return client, tr
}

func TestRecordedFixtureIsTheAssembledCode(t *testing.T) {
	_, tr := recorded(t)
	accts, _, err := safetest.Fixture()
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	for _, ex := range tr.Exchanges {
		if ex.Method != "eth_getCode" {
			continue
		}
		var params []string
		var code hexutil.Bytes
		if err := json.Unmarshal(ex.Params, &params); err != nil || json.Unmarshal(ex.Result, &code) != nil {
			t.Fatalf("exchange %s %s", ex.Params, ex.Result)
		}
		if want := accts[common.HexToAddress(params[0])].Code; !bytes.Equal(code, want) {
			t.Errorf("%s: recorded code differs from safetest's: re-run testdata/simrecord", params[0])
		}
		seen++
	}
	if seen != 4 {
		t.Errorf("%d eth_getCode recorded, want 4", seen)
	}
}

func TestReadRecordedFromSimulatedBackend(t *testing.T) {
	client, _ := recorded(t)
	c, err := inspect.Load()
	if err != nil {
		t.Fatal(err)
	}
	read := map[common.Address]*Config{}
	for _, tc := range []struct {
		name      string
		addr      common.Address
		version   string
		threshold uint64
		owners    []common.Address
		modules   []common.Address
		guard     common.Address
		delay     uint64
		failed    []string
	}{
		{"a Safe v1.3.0 without guard or delay fails multisig-guard", safetest.Safe130, "1.3.0", 2, safetest.Owners[:3], nil, common.Address{}, 0, []string{"multisig-guard"}},
		{"a Safe v1.4.1 with a guard in its guard slot and a 48-hour Delay module passes", safetest.Safe141, "1.4.1", 3, safetest.Owners[1:], []common.Address{safetest.Delay48h, safetest.OtherModule}, safetest.Guard, 48 * 3600, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Read(t.Context(), client, tc.addr, readAt)
			if err != nil {
				t.Fatal(err)
			}
			read[tc.addr] = got
			if got.Version != tc.version || got.Threshold != tc.threshold || !slices.Equal(got.Owners, tc.owners) ||
				!slices.Equal(got.Modules, tc.modules) || got.Guard != tc.guard || got.TimelockSeconds != tc.delay {
				t.Fatalf("read %+v", got)
			}
			if len(got.Read) < 6 || !got.ReadAt.Equal(readAt) {
				t.Errorf("read log %v at %v", got.Read, got.ReadAt)
			}
			var cfg inspect.Config
			got.Apply(&cfg)
			ev, err := c.Evaluate(cfg)
			if err != nil {
				t.Fatal(err)
			}
			if f := ev.FailedChecks(); !slices.Equal(f, tc.failed) {
				t.Errorf("failed checks %v, want %v", f, tc.failed)
			}
		})
	}
	t.Run("the keys signing for both Safes are reported as reused", func(t *testing.T) {
		re := ReusedOwners([]*Config{read[safetest.Safe130], read[safetest.Safe141]})
		if len(re) != 2 || len(re[safetest.Owners[1]]) != 2 || len(re[safetest.Owners[2]]) != 2 {
			t.Fatalf("reused %v", re)
		}
	})
	for _, tc := range []struct {
		name, want string
		addr       common.Address
	}{
		{"an account without code is ErrNotSafe naming it", "has no code", safetest.EOA},
		{"a contract reverting getThreshold is ErrNotSafe naming it", "getThreshold", safetest.Token},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Read(t.Context(), client, tc.addr, readAt)
			if !errors.Is(err, ErrNotSafe) || !strings.Contains(err.Error(), tc.addr.Hex()) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v", err)
			}
		})
	}
	t.Run("a call the recording does not hold is an error, not a guess", func(t *testing.T) {
		if _, err := Read(t.Context(), client, common.HexToAddress("0x99"), readAt); err == nil || errors.Is(err, ErrNotSafe) {
			t.Fatalf("err = %v", err)
		}
	})
}
