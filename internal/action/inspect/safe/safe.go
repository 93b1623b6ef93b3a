// Package safe collects inspection evidence from a Safe (formerly Gnosis
// Safe) multisig over Ethereum JSON-RPC: its version, threshold, owners,
// modules, guard and any delay (timelock) module, read with eth_getCode and
// eth_call. Bybit, WazirX and Radiant lost funds through multisigs whose
// delegatecall, upgrades and owner changes nothing guarded or delayed; this
// reads whether anything does. A guard's own logic is not analysed: a guard
// is reported as present, and the inspection says so.
package safe

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/interdict/interdict/internal/action/inspect"
)

// ErrNotSafe: the address has no code, or its code does not answer as a
// Safe does.
var ErrNotSafe = errors.New("safe: not a Safe")

// Caller is the part of an Ethereum client the collector uses
// (ethclient.Client implements it).
type Caller interface {
	CodeAt(ctx context.Context, account common.Address, blockNumber *big.Int) ([]byte, error)
	CallContract(ctx context.Context, msg ethereum.CallMsg, blockNumber *big.Int) ([]byte, error)
}

// The Safe functions read, by their public signatures, and Zodiac's Delay
// module's txCooldown.
const safeABI = `[
 {"type":"function","name":"VERSION","inputs":[],"outputs":[{"type":"string"}]},
 {"type":"function","name":"getThreshold","inputs":[],"outputs":[{"type":"uint256"}]},
 {"type":"function","name":"getOwners","inputs":[],"outputs":[{"type":"address[]"}]},
 {"type":"function","name":"getModulesPaginated","inputs":[{"name":"start","type":"address"},{"name":"pageSize","type":"uint256"}],"outputs":[{"name":"array","type":"address[]"},{"name":"next","type":"address"}]},
 {"type":"function","name":"getStorageAt","inputs":[{"name":"offset","type":"uint256"},{"name":"length","type":"uint256"}],"outputs":[{"type":"bytes"}]},
 {"type":"function","name":"txCooldown","inputs":[],"outputs":[{"type":"uint256"}]}
]`

var parsed = func() abi.ABI {
	a, err := abi.JSON(strings.NewReader(safeABI))
	if err != nil {
		panic(err) // a constant: a programming error
	}
	return a
}()

var (
	// guardSlot is where a Safe (v1.3.0+) keeps its guard's address.
	guardSlot = crypto.Keccak256Hash([]byte("guard_manager.guard.address"))
	// sentinel starts the module list.
	sentinel = common.HexToAddress("0x0000000000000000000000000000000000000001")
)

// maxModules bounds the module page read; a Safe with more is reported with
// the first maxModules.
const maxModules = 50

// Config is what was read from one Safe, with what was read and when.
type Config struct {
	Address         common.Address   `json:"address"`
	Version         string           `json:"version"`
	Threshold       uint64           `json:"threshold"`
	Owners          []common.Address `json:"owners"`
	Modules         []common.Address `json:"modules"`
	Guard           common.Address   `json:"guard"` // zero: none
	TimelockSeconds uint64           `json:"timelock_seconds"`
	Read            []string         `json:"read"` // the calls made, in order
	ReadAt          time.Time        `json:"read_at"`
}

type reader struct {
	ctx  context.Context
	c    Caller
	read []string
}

func (r *reader) call(to common.Address, method string, args ...any) ([]any, error) {
	input, err := parsed.Pack(method, args...)
	if err != nil {
		return nil, err
	}
	r.read = append(r.read, fmt.Sprintf("eth_call %s %s", to.Hex(), method))
	out, err := r.c.CallContract(r.ctx, ethereum.CallMsg{To: &to, Data: input}, nil)
	if err != nil {
		return nil, err
	}
	vals, err := parsed.Unpack(method, out)
	if err != nil {
		return nil, fmt.Errorf("decode %s: %w", method, err)
	}
	return vals, nil
}

// Read reads the Safe at addr. An address without code, or whose code does
// not answer getThreshold and getOwners as a Safe, is ErrNotSafe.
func Read(ctx context.Context, c Caller, addr common.Address, now time.Time) (*Config, error) {
	r := &reader{ctx: ctx, c: c}
	r.read = append(r.read, "eth_getCode "+addr.Hex())
	code, err := c.CodeAt(ctx, addr, nil)
	if err != nil {
		return nil, fmt.Errorf("safe: code of %s: %w", addr.Hex(), err)
	}
	if len(code) == 0 {
		return nil, fmt.Errorf("%w: %s has no code (an externally owned account?)", ErrNotSafe, addr.Hex())
	}
	cfg := &Config{Address: addr, ReadAt: now.UTC()}
	th, err := r.call(addr, "getThreshold")
	if err != nil {
		return nil, fmt.Errorf("%w: %s: getThreshold: %v", ErrNotSafe, addr.Hex(), err)
	}
	owners, err := r.call(addr, "getOwners")
	if err != nil {
		return nil, fmt.Errorf("%w: %s: getOwners: %v", ErrNotSafe, addr.Hex(), err)
	}
	t := th[0].(*big.Int)
	cfg.Owners = owners[0].([]common.Address)
	if !t.IsUint64() || t.Uint64() == 0 || len(cfg.Owners) == 0 || t.Uint64() > uint64(len(cfg.Owners)) {
		return nil, fmt.Errorf("%w: %s: threshold %s of %d owners", ErrNotSafe, addr.Hex(), t, len(cfg.Owners))
	}
	cfg.Threshold = t.Uint64()
	if v, err := r.call(addr, "VERSION"); err == nil {
		cfg.Version = v[0].(string)
	}
	mods, err := r.call(addr, "getModulesPaginated", sentinel, big.NewInt(maxModules))
	if err != nil {
		return nil, fmt.Errorf("safe: %s: modules: %w", addr.Hex(), err)
	}
	cfg.Modules = mods[0].([]common.Address)
	// Safes before v1.3.0 have no guard; their getStorageAt still answers,
	// with an empty slot.
	g, err := r.call(addr, "getStorageAt", guardSlot.Big(), big.NewInt(1))
	if err != nil {
		return nil, fmt.Errorf("safe: %s: guard slot: %w", addr.Hex(), err)
	}
	if b := g[0].([]byte); len(b) >= 32 {
		cfg.Guard = common.BytesToAddress(b[12:32])
	}
	for _, m := range cfg.Modules {
		// Only a delay module answers txCooldown; others revert.
		if v, err := r.call(m, "txCooldown"); err == nil {
			if d := v[0].(*big.Int); d.IsUint64() && d.Uint64() > cfg.TimelockSeconds {
				cfg.TimelockSeconds = d.Uint64()
			}
		}
	}
	cfg.Read = r.read
	return cfg, nil
}

// Apply writes what was read into an inspection configuration: owners as
// signers, the threshold, a guard, and the delay in whole hours.
func (c *Config) Apply(cfg *inspect.Config) {
	n, m, h := len(c.Owners), int(c.Threshold), int(c.TimelockSeconds/3600)
	guard := c.Guard != (common.Address{})
	cfg.Multisig.Signers, cfg.Multisig.Threshold = &n, &m
	cfg.Multisig.Guard, cfg.Multisig.TimelockHours = &guard, &h
}

// ReusedOwners returns the owner keys that sign for more than one of the
// Safes, each with the Safes it signs for: one compromised key then counts
// towards several thresholds.
func ReusedOwners(safes []*Config) map[common.Address][]common.Address {
	by := map[common.Address][]common.Address{}
	for _, s := range safes {
		for _, o := range s.Owners {
			if !slices.Contains(by[o], s.Address) {
				by[o] = append(by[o], s.Address)
			}
		}
	}
	for o, list := range by {
		if len(list) < 2 {
			delete(by, o)
		}
	}
	return by
}
