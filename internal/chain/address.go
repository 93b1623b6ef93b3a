// Package chain is Interdict's shared vocabulary for blockchains: address formats
// and their normalisation, assets and amounts. It does no I/O.
package chain

import (
	"strings"

	"github.com/btcsuite/btcd/btcutil/base58"
	"github.com/btcsuite/btcd/btcutil/bech32"
	"github.com/ethereum/go-ethereum/common"
)

// Format is an address format detected from the address text itself. A list's
// currency label does not decide it: OFAC's USDT entries hold TRON, Ethereum and
// Bitcoin-style addresses, and one XBT entry is a TRON address.
type Format string

// Address formats.
const (
	FormatEVM      Format = "evm"      // 0x + 40 hex; case-insensitive, displayed EIP-55
	FormatBech32   Format = "bech32"   // BIP173/BIP350 segwit (bc1, ltc1, tb1, ...); case-insensitive
	FormatTron     Format = "tron"     // base58check, version byte 0x41 ("T..."); exact
	FormatCashAddr Format = "cashaddr" // Bitcoin Cash (bitcoincash:q...); case-insensitive
	FormatBase58   Format = "base58"   // any other base58 address (BTC 1/3, LTC, DASH, ZEC t, XMR, SOL, ...); exact
	FormatOther    Format = "other"    // anything else (XRP r..., etc.); exact after trimming
)

// Address is a parsed address: its detected format, the normalised key used for
// storage and exact matching, and the chain's own display form.
type Address struct {
	Format     Format `json:"format"`
	Normalized string `json:"normalized"`
	Display    string `json:"display"`
}

// ParseAddress detects the format of s and normalises it. It never fails: text it
// cannot recognise is kept exact (trimmed) with FormatOther, so a screening query
// for it still matches the same published string.
func ParseAddress(s string) Address {
	s = strings.TrimSpace(s)
	switch {
	case isEVM(s):
		a := common.HexToAddress(s)
		return Address{Format: FormatEVM, Normalized: strings.ToLower(s), Display: a.Hex()}
	case isBech32(s):
		l := strings.ToLower(s)
		return Address{Format: FormatBech32, Normalized: l, Display: l}
	case isCashAddr(s):
		l := strings.ToLower(s)
		if !strings.HasPrefix(l, "bitcoincash:") {
			l = "bitcoincash:" + l
		}
		return Address{Format: FormatCashAddr, Normalized: l, Display: l}
	case isTron(s):
		return Address{Format: FormatTron, Normalized: s, Display: s}
	case isBase58(s):
		return Address{Format: FormatBase58, Normalized: s, Display: s}
	}
	return Address{Format: FormatOther, Normalized: s, Display: s}
}

// NormalizeAddress is ParseAddress(s).Normalized.
func NormalizeAddress(s string) string { return ParseAddress(s).Normalized }

func isEVM(s string) bool {
	if len(s) != 42 || (s[:2] != "0x" && s[:2] != "0X") {
		return false
	}
	for i := 2; i < len(s); i++ {
		if !isHex(s[i]) {
			return false
		}
	}
	return true
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// isBech32 accepts a valid bech32 or bech32m string whose data starts with a
// segwit witness version (0..16), in one case only, as BIP173 requires.
func isBech32(s string) bool {
	if len(s) < 8 || len(s) > 90 || !strings.Contains(s, "1") {
		return false
	}
	if s != strings.ToLower(s) && s != strings.ToUpper(s) {
		return false
	}
	_, data, _, err := bech32.DecodeGeneric(strings.ToLower(s))
	return err == nil && len(data) > 0 && data[0] <= 16
}

func isCashAddr(s string) bool {
	l := strings.ToLower(s)
	body, ok := strings.CutPrefix(l, "bitcoincash:")
	if !ok {
		if len(l) != 42 || (l[0] != 'q' && l[0] != 'p') {
			return false
		}
		body = l
	}
	if s != strings.ToLower(s) && s != strings.ToUpper(s) {
		return false
	}
	const charset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
	for i := 0; i < len(body); i++ {
		if strings.IndexByte(charset, body[i]) < 0 {
			return false
		}
	}
	return len(body) == 42
}

func isTron(s string) bool {
	if len(s) != 34 || s[0] != 'T' {
		return false
	}
	_, ver, err := base58.CheckDecode(s)
	return err == nil && ver == 0x41
}

func isBase58(s string) bool {
	if len(s) < 25 || len(s) > 120 {
		return false
	}
	const alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
	for i := 0; i < len(s); i++ {
		if strings.IndexByte(alphabet, s[i]) < 0 {
			return false
		}
	}
	return true
}
