// Package safetest answers a Safe multisig's read functions for tests: the
// return data of each selector, for rpctest.Server.SetContract.
package safetest

import (
	"math/big"
	"strings"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
)

// Code is placeholder contract code: a Safe is told by how it answers, not
// by its bytecode.
var Code = []byte{0x60, 0x80, 0x60, 0x40}

var parsed = func() abi.ABI {
	a, err := abi.JSON(strings.NewReader(`[
 {"type":"function","name":"VERSION","inputs":[],"outputs":[{"type":"string"}]},
 {"type":"function","name":"getThreshold","inputs":[],"outputs":[{"type":"uint256"}]},
 {"type":"function","name":"getOwners","inputs":[],"outputs":[{"type":"address[]"}]},
 {"type":"function","name":"getModulesPaginated","inputs":[{"type":"address"},{"type":"uint256"}],"outputs":[{"type":"address[]"},{"type":"address"}]},
 {"type":"function","name":"getStorageAt","inputs":[{"type":"uint256"},{"type":"uint256"}],"outputs":[{"type":"bytes"}]},
 {"type":"function","name":"txCooldown","inputs":[],"outputs":[{"type":"uint256"}]}]`))
	if err != nil {
		panic(err)
	}
	return a
}()

func answer(calls map[[4]byte][]byte, method string, vals ...any) {
	m := parsed.Methods[method]
	b, err := m.Outputs.Pack(vals...)
	if err != nil {
		panic(err) // the values below always match the outputs
	}
	calls[[4]byte(m.ID)] = b
}

// Safe answers a Safe v1.4.1 with the given threshold, owners, modules and
// guard (zero: none).
func Safe(threshold int64, owners, modules []common.Address, guard common.Address) map[[4]byte][]byte {
	calls := map[[4]byte][]byte{}
	slot := make([]byte, 32)
	copy(slot[12:], guard.Bytes())
	answer(calls, "VERSION", "1.4.1")
	answer(calls, "getThreshold", big.NewInt(threshold))
	answer(calls, "getOwners", append([]common.Address{}, owners...))
	answer(calls, "getModulesPaginated", append([]common.Address{}, modules...), common.HexToAddress("0x1"))
	answer(calls, "getStorageAt", slot)
	return calls
}

// Delay answers a delay module with a cooldown of seconds.
func Delay(seconds int64) map[[4]byte][]byte {
	calls := map[[4]byte][]byte{}
	answer(calls, "txCooldown", big.NewInt(seconds))
	return calls
}
