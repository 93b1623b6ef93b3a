package safetest

import (
	"fmt"

	"github.com/ethereum/go-ethereum/common"
)

// The accounts of the recorded chain (testdata/rpc/safes.json), made by
// the recorder in testdata/simrecord on go-ethereum's simulated backend.
var (
	// Safe130 is a Safe v1.3.0, 2-of-3, without modules or guard.
	Safe130 = common.HexToAddress("0x5afe000000000000000000000000000000000130")
	// Safe141 is a Safe v1.4.1, 3-of-5, with a guard, a Zodiac Delay module
	// of 48 hours and a second module that is not a delay.
	Safe141 = common.HexToAddress("0x5afe000000000000000000000000000000000141")
	// Delay48h is the Delay module of Safe141.
	Delay48h = common.HexToAddress("0xde1a000000000000000000000000000000000048")
	// OtherModule is a module of Safe141 that answers no txCooldown.
	OtherModule = common.HexToAddress("0x0d0e000000000000000000000000000000000001")
	// Guard is Safe141's guard (its own code is not read).
	Guard = common.HexToAddress("0x6a7d000000000000000000000000000000000001")
	// Token is a contract that is not a Safe.
	Token = common.HexToAddress("0x7013e00000000000000000000000000000000001")
	// EOA is an account without code.
	EOA = common.HexToAddress("0xe0a0000000000000000000000000000000000001")
	// Owners are the keys: Owners[1] and Owners[2] sign for both Safes.
	Owners = []common.Address{
		common.HexToAddress("0x00000000000000000000000000000000000a0001"),
		common.HexToAddress("0x00000000000000000000000000000000000a0002"),
		common.HexToAddress("0x00000000000000000000000000000000000a0003"),
		common.HexToAddress("0x00000000000000000000000000000000000a0004"),
		common.HexToAddress("0x00000000000000000000000000000000000a0005"),
		common.HexToAddress("0x00000000000000000000000000000000000a0006"),
	}
)

// Fixture returns the accounts of the recorded chain with one line each
// saying what it is.
func Fixture() (map[common.Address]Account, []string, error) {
	accts := map[common.Address]Account{}
	var desc []string
	add := func(a common.Address, what string, acct Account, err error) error {
		if err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		accts[a] = acct
		desc = append(desc, a.Hex()+": "+what)
		return nil
	}
	s130, err := SafeAccount("1.3.0", 2, Owners[:3], nil, common.Address{})
	if err := add(Safe130, "Safe v1.3.0, 2-of-3, no module, no guard", s130, err); err != nil {
		return nil, nil, err
	}
	s141, err := SafeAccount("1.4.1", 3, Owners[1:], []common.Address{Delay48h, OtherModule}, Guard)
	if err := add(Safe141, "Safe v1.4.1, 3-of-5, guard "+Guard.Hex()+" at slot "+GuardSlot.Hex()+", modules: Delay (48 h), one other", s141, err); err != nil {
		return nil, nil, err
	}
	d, err := DelayAccount(48 * 3600)
	if err := add(Delay48h, "Zodiac Delay module, txCooldown 172800 s", d, err); err != nil {
		return nil, nil, err
	}
	o, err := TokenAccount()
	if err := add(OtherModule, "a module answering no txCooldown", o, err); err != nil {
		return nil, nil, err
	}
	tk, err := TokenAccount()
	if err := add(Token, "a contract that is not a Safe (answers decimals() only)", tk, err); err != nil {
		return nil, nil, err
	}
	desc = append(desc, EOA.Hex()+": an account without code")
	return accts, desc, nil
}
