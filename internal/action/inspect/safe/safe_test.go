package safe

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/ethclient"

	"github.com/interdict/interdict/internal/action/inspect"
	"github.com/interdict/interdict/internal/action/inspect/safe/safetest"
	"github.com/interdict/interdict/internal/sources/ethereum/rpctest"
)

var (
	safeA  = common.HexToAddress("0x1db92e2eebc8e0c075a02bea49a2935bcd2dfcf4")
	safeB  = common.HexToAddress("0x2db92e2eebc8e0c075a02bea49a2935bcd2dfcf4")
	eoa    = common.HexToAddress("0x3db92e2eebc8e0c075a02bea49a2935bcd2dfcf4")
	token  = common.HexToAddress("0x4db92e2eebc8e0c075a02bea49a2935bcd2dfcf4")
	delay  = common.HexToAddress("0x5db92e2eebc8e0c075a02bea49a2935bcd2dfcf4")
	guard  = common.HexToAddress("0x6db92e2eebc8e0c075a02bea49a2935bcd2dfcf4")
	owners = []common.Address{common.HexToAddress("0xa1"), common.HexToAddress("0xa2"), common.HexToAddress("0xa3")}
	readAt = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
)

func TestRead(t *testing.T) {
	srv := rpctest.New(t)
	srv.SetContract(safeA, safetest.Code, safetest.Safe(2, owners, nil, common.Address{}))
	srv.SetContract(safeB, safetest.Code, safetest.Safe(2, owners[1:], []common.Address{delay}, guard))
	srv.SetContract(delay, safetest.Code, safetest.Delay(48*3600))
	srv.SetContract(token, safetest.Code, map[[4]byte][]byte{}) // code that reverts every Safe call
	client, err := ethclient.Dial(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()

	a, err := Read(t.Context(), client, safeA, readAt)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Read(t.Context(), client, safeB, readAt)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("a Safe without guard or delay module fails the guard check", func(t *testing.T) {
		if a.Threshold != 2 || len(a.Owners) != 3 || a.Version != "1.4.1" || a.Guard != (common.Address{}) || a.TimelockSeconds != 0 {
			t.Fatalf("read %+v", a)
		}
		var cfg inspect.Config
		a.Apply(&cfg)
		c, err := inspect.Load()
		if err != nil {
			t.Fatal(err)
		}
		ev, err := c.Evaluate(cfg)
		if err != nil {
			t.Fatal(err)
		}
		if got := ev.FailedChecks(); !slices.Equal(got, []string{"multisig-guard"}) {
			t.Errorf("failed checks %v, want [multisig-guard]", got)
		}
	})
	t.Run("a Safe with a guard and a 48-hour delay module passes it", func(t *testing.T) {
		if b.Guard != guard || b.TimelockSeconds != 48*3600 || !slices.Equal(b.Modules, []common.Address{delay}) {
			t.Fatalf("read %+v", b)
		}
		var cfg inspect.Config
		b.Apply(&cfg)
		if !*cfg.Multisig.Guard || *cfg.Multisig.TimelockHours != 48 {
			t.Fatalf("applied %+v", cfg.Multisig)
		}
	})
	t.Run("the collector records what it read and when", func(t *testing.T) {
		if !b.ReadAt.Equal(readAt) || len(b.Read) < 6 || !strings.HasPrefix(b.Read[0], "eth_getCode ") || !strings.Contains(strings.Join(b.Read, ";"), "txCooldown") {
			t.Fatalf("read log %v at %v", b.Read, b.ReadAt)
		}
	})
	t.Run("owner keys on both Safes are reported as reused", func(t *testing.T) {
		re := ReusedOwners([]*Config{a, b})
		if len(re) != 2 || len(re[owners[1]]) != 2 || re[owners[0]] != nil {
			t.Fatalf("reused %v", re)
		}
	})
	for _, tc := range []struct {
		name string
		addr common.Address
	}{
		{"an address without code is a clear error", eoa},
		{"a contract that is not a Safe is a clear error", token},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Read(t.Context(), client, tc.addr, readAt)
			if !errors.Is(err, ErrNotSafe) || !strings.Contains(err.Error(), tc.addr.Hex()) {
				t.Fatalf("err = %v, want ErrNotSafe naming the address", err)
			}
		})
	}
	t.Run("a threshold above the owner count is not a Safe's answer", func(t *testing.T) {
		bad := common.HexToAddress("0x7db92e2eebc8e0c075a02bea49a2935bcd2dfcf4")
		srv.SetContract(bad, safetest.Code, safetest.Safe(5, owners, nil, common.Address{}))
		if _, err := Read(t.Context(), client, bad, readAt); !errors.Is(err, ErrNotSafe) {
			t.Fatalf("err = %v", err)
		}
	})
}
