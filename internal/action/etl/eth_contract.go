package etl

import (
	"slices"

	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/crypto"
)

// FunctionSighashes lists the 4-byte selectors a contract dispatches on, as
// ethereum-etl finds them: the distinct PUSH4 operands of the code's first
// basic block — every instruction before the first JUMPDEST, which for
// Solidity and Vyper contracts is the selector dispatch — sorted.
func FunctionSighashes(code []byte) []string {
	seen := map[string]bool{}
	// Opcode values from the Yellow Paper (go-ethereum's core/vm has them
	// too, but importing it pulls in the whole state database).
	const jumpdest, push1, push4, push32 = 0x5b, 0x60, 0x63, 0x7f
	for pc := 0; pc < len(code); pc++ {
		op := code[pc]
		if op == jumpdest {
			break
		}
		if op >= push1 && op <= push32 {
			n := int(op-push1) + 1
			if op == push4 && pc+n < len(code) {
				seen[hexutil.Encode(code[pc+1:pc+1+n])] = true
			}
			pc += n
		}
	}
	out := make([]string, 0, len(seen))
	for s := range seen {
		out = append(out, s)
	}
	slices.Sort(out)
	return out
}

func selector(signature string) string {
	return hexutil.Encode(crypto.Keccak256([]byte(signature))[:4])
}

var (
	selTotalSupply  = selector("totalSupply()")
	selBalanceOf    = selector("balanceOf(address)")
	selTransfer     = selector("transfer(address,uint256)")
	selTransferFrom = selector("transferFrom(address,address,uint256)")
	selApprove      = selector("approve(address,uint256)")
	selAllowance    = selector("allowance(address,address)")
	selOwnerOf      = selector("ownerOf(uint256)")
)

// IsERC20 reports whether the selectors cover ERC-20's six functions.
func IsERC20(sighashes []string) bool {
	has := func(s string) bool { return slices.Contains(sighashes, s) }
	return has(selTotalSupply) && has(selBalanceOf) && has(selTransfer) && has(selTransferFrom) &&
		has(selApprove) && has(selAllowance)
}

// IsERC721 reports whether the selectors look like ERC-721 as ethereum-etl
// checks it: balanceOf, ownerOf, approve, and transfer or transferFrom (the
// other ERC-721 functions are not required, to admit CryptoKitties).
func IsERC721(sighashes []string) bool {
	has := func(s string) bool { return slices.Contains(sighashes, s) }
	return has(selBalanceOf) && has(selOwnerOf) && (has(selTransfer) || has(selTransferFrom)) && has(selApprove)
}
