package safetest

import (
	"encoding/binary"
	"fmt"
	"math/big"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
)

// The EVM opcodes the generated contracts use (Ethereum yellow paper,
// appendix H).
const (
	opSHR          = 0x1c
	opEQ           = 0x14
	opISZERO       = 0x15
	opCALLDATALOAD = 0x35
	opCODECOPY     = 0x39
	opSLOAD        = 0x54
	opMSTORE       = 0x52
	opJUMPI        = 0x57
	opJUMPDEST     = 0x5b
	opPUSH1        = 0x60
	opPUSH2        = 0x61
	opPUSH4        = 0x63
	opDUP1         = 0x80
	opRETURN       = 0xf3
	opREVERT       = 0xfd
)

// StorageSelector is Safe's getStorageAt(uint256,uint256) (selector
// 0x5624b25b): a contract built with it answers from its own storage.
var StorageSelector = [4]byte(parsed.Methods["getStorageAt"].ID)

// GuardSlot is the storage slot where a Safe (v1.3.0 and later) keeps its
// guard: keccak256("guard_manager.guard.address"), as Safe's GuardManager
// declares it.
var GuardSlot = crypto.Keccak256Hash([]byte("guard_manager.guard.address"))

// Contract assembles EVM runtime code that answers each selector of answers
// with its constant return data, and, when storage is true, getStorageAt
// (offset, 1) with the storage word at offset as Safe's StorageAccessible
// ABI-encodes it (bytes of 32). Any other call (another selector, calldata
// shorter than a selector, getStorageAt of more than one word) reverts with
// no data.
//
// Layout: the selector (calldata word 0 shifted right by 224 bits) is
// compared with each table entry in turn (DUP1 PUSH4 sel EQ PUSH2 dest
// JUMPI); no match jumps to REVERT; each entry's destination copies its
// return data from the end of the code (CODECOPY) and RETURNs it.
func Contract(answers map[[4]byte][]byte, storage bool) ([]byte, error) {
	sels := sortedSelectors(answers)
	const (
		head     = 6  // PUSH1 0 CALLDATALOAD PUSH1 0xe0 SHR
		perTest  = 11 // DUP1 PUSH4 sel EQ PUSH2 dest JUMPI
		revert   = 5  // JUMPDEST PUSH1 0 DUP1 REVERT
		perEntry = 16 // JUMPDEST PUSH2 n PUSH2 off PUSH1 0 CODECOPY PUSH2 n PUSH1 0 RETURN
		// JUMPDEST PUSH1 0x24 CALLDATALOAD PUSH1 1 EQ ISZERO PUSH2 rev JUMPI
		// PUSH1 4 CALLDATALOAD SLOAD PUSH1 0x40 MSTORE PUSH1 0x20 PUSH1 0 MSTORE
		// PUSH1 0x20 PUSH1 0x20 MSTORE PUSH1 0x60 PUSH1 0 RETURN
		storageEntry = 1 + 2 + 1 + 2 + 1 + 1 + 3 + 1 + 2 + 1 + 1 + 2 + 1 + 2 + 2 + 1 + 2 + 2 + 1 + 2 + 2 + 1
	)
	tests := len(sels)
	if storage {
		tests++
	}
	revertAt := head + tests*perTest
	entriesAt := revertAt + revert
	storageAt := entriesAt + len(sels)*perEntry
	dataAt := storageAt
	if storage {
		dataAt += storageEntry
	}
	total := dataAt
	for _, s := range sels {
		total += len(answers[s])
	}
	if total > 0xffff {
		return nil, fmt.Errorf("safetest: contract of %d bytes does not fit PUSH2 offsets", total)
	}
	code := make([]byte, 0, total)
	push2 := func(v int) { code = append(code, opPUSH2, byte(v>>8), byte(v)) }
	code = append(code, opPUSH1, 0, opCALLDATALOAD, opPUSH1, 0xe0, opSHR)
	for i, s := range sels {
		code = append(code, opDUP1, opPUSH4)
		code = append(code, s[:]...)
		code = append(code, opEQ)
		push2(entriesAt + i*perEntry)
		code = append(code, opJUMPI)
	}
	if storage {
		code = append(code, opDUP1, opPUSH4)
		code = append(code, StorageSelector[:]...)
		code = append(code, opEQ)
		push2(storageAt)
		code = append(code, opJUMPI)
	}
	code = append(code, opJUMPDEST, opPUSH1, 0, opDUP1, opREVERT)
	off := dataAt
	for _, s := range sels {
		n := len(answers[s])
		code = append(code, opJUMPDEST)
		push2(n)
		push2(off)
		code = append(code, opPUSH1, 0, opCODECOPY)
		push2(n)
		code = append(code, opPUSH1, 0, opRETURN)
		off += n
	}
	if storage {
		code = append(code, opJUMPDEST, opPUSH1, 0x24, opCALLDATALOAD, opPUSH1, 1, opEQ, opISZERO)
		push2(revertAt)
		code = append(code, opJUMPI,
			opPUSH1, 4, opCALLDATALOAD, opSLOAD, opPUSH1, 0x40, opMSTORE, // word at 0x40
			opPUSH1, 0x20, opPUSH1, 0, opMSTORE, // offset of the bytes
			opPUSH1, 0x20, opPUSH1, 0x20, opMSTORE, // their length: 32
			opPUSH1, 0x60, opPUSH1, 0, opRETURN)
	}
	if len(code) != dataAt {
		return nil, fmt.Errorf("safetest: assembled %d bytes of code, laid out %d", len(code), dataAt)
	}
	for _, s := range sels {
		code = append(code, answers[s]...)
	}
	return code, nil
}

func sortedSelectors(answers map[[4]byte][]byte) [][4]byte {
	out := make([][4]byte, 0, len(answers))
	for s := range answers {
		out = append(out, s)
	}
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && binary.BigEndian.Uint32(out[j][:]) < binary.BigEndian.Uint32(out[j-1][:]); j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// Account is one account of a test chain: its code and storage.
type Account struct {
	Code    []byte
	Storage map[common.Hash]common.Hash
}

// SafeAccount is a Safe of version answering VERSION, getThreshold,
// getOwners and getModulesPaginated as Safe's ABI encodes them, and
// getStorageAt from storage, where the guard (zero: none) is at GuardSlot,
// as a real Safe keeps it.
func SafeAccount(version string, threshold int64, owners, modules []common.Address, guard common.Address) (Account, error) {
	calls := Safe(threshold, owners, modules, guard)
	delete(calls, StorageSelector)
	answer(calls, "VERSION", version)
	code, err := Contract(calls, true)
	if err != nil {
		return Account{}, err
	}
	st := map[common.Hash]common.Hash{}
	if guard != (common.Address{}) {
		st[GuardSlot] = common.BytesToHash(guard.Bytes())
	}
	return Account{Code: code, Storage: st}, nil
}

// DelayAccount is a Zodiac Delay module answering txCooldown with seconds.
func DelayAccount(seconds int64) (Account, error) {
	code, err := Contract(Delay(seconds), false)
	return Account{Code: code}, err
}

// TokenAccount is a contract that is not a Safe: it answers only ERC-20's
// decimals() (selector 0x313ce567) with 18 and reverts the Safe's calls.
func TokenAccount() (Account, error) {
	word := common.BigToHash(big.NewInt(18))
	code, err := Contract(map[[4]byte][]byte{{0x31, 0x3c, 0xe5, 0x67}: word[:]}, false)
	return Account{Code: code}, err
}
