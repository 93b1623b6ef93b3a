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
	FormatBech32   Format = "bech32"   // BIP173/BIP350 segwit (bc1, ltc1, tb1, ...) and bech32 accounts (bnb1); case-insensitive
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
//
// Normalisation is idempotent: ParseAddress(a.Normalized) gives a back.
func ParseAddress(s string) Address {
	f, n := normalize(s)
	switch f {
	case FormatEVM:
		return Address{Format: f, Normalized: n, Display: common.HexToAddress(n).Hex()}
	case FormatBech32, FormatCashAddr, FormatOther:
		return Address{Format: f, Normalized: n, Display: n}
	}
	// The exact formats are told apart only for display and reporting; the
	// normalised key is the same either way.
	if isTron(n) {
		return Address{Format: FormatTron, Normalized: n, Display: n}
	}
	if isBase58(n) {
		return Address{Format: FormatBase58, Normalized: n, Display: n}
	}
	return Address{Format: FormatOther, Normalized: n, Display: n}
}

// NormalizeAddress returns the key ParseAddress(s).Normalized without working
// out the display form or telling the case-sensitive formats apart, so it is
// cheap enough for the screening hot path: it allocates only when s holds
// upper-case letters in a case-insensitive format.
func NormalizeAddress(s string) string {
	_, n := normalize(s)
	return n
}

// normalize returns the case-insensitive format of s (FormatEVM, FormatBech32,
// FormatCashAddr) with its lower-case key, or FormatBase58 with the trimmed text
// for everything kept exact (base58, TRON and unrecognised text alike).
func normalize(s string) (Format, string) {
	s = strings.TrimSpace(s)
	switch {
	case isEVM(s):
		return FormatEVM, strings.ToLower(s)
	case isBech32(s):
		return FormatBech32, strings.ToLower(s)
	case isCashAddr(s):
		l := strings.ToLower(s)
		if !strings.HasPrefix(l, cashAddrPrefix+":") {
			l = cashAddrPrefix + ":" + l
		}
		return FormatCashAddr, l
	}
	if s == "" || !isASCIIPrintable(s) {
		return FormatOther, s
	}
	return FormatBase58, s
}

func isASCIIPrintable(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

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

// segwitHRPs are the human-readable parts of segwit addresses we accept
// (SLIP-0173): Bitcoin main, test and regtest, Litecoin main, test and regtest,
// and a few other chains OFAC lists or could list. Restricting the HRP is what
// keeps BIP173's "invalid human-readable part" vector from counting as bech32.
var segwitHRPs = map[string]bool{
	"bc": true, "tb": true, "bcrt": true,
	"ltc": true, "tltc": true, "rltc": true,
	"btg": true, "tbtg": true,
	"dgb": true, "vtc": true, "grs": true, "tgrs": true,
}

// accountHRPs are bech32 account addresses that are not segwit (BNB Beacon
// Chain, Cosmos): a classic bech32 checksum over a 20- or 32-byte account hash.
// OFAC lists one "bnb1..." address under BNB.
var accountHRPs = map[string]bool{"bnb": true, "tbnb": true, "cosmos": true}

// isBech32 accepts a valid segwit address as BIP173 amended by BIP350: known
// HRP, one case only, witness version 0..16, version 0 with a bech32 checksum
// and a 20- or 32-byte program, versions 1..16 with a bech32m checksum and a 2-
// to 40-byte program, and zero padding of at most 4 bits. It also accepts the
// bech32 account addresses of accountHRPs.
func isBech32(s string) bool {
	if len(s) < 14 || len(s) > 90 {
		return false
	}
	one := strings.LastIndexByte(s, '1')
	if one < 2 || one > 6 {
		return false
	}
	// Look the HRP up before decoding, so that the common miss (a base58
	// address holding a '1') costs no allocation.
	var buf [6]byte
	for i := 0; i < one; i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[i] = c
	}
	hrp := buf[:one]
	segwit, account := segwitHRPs[string(hrp)], accountHRPs[string(hrp)]
	if !segwit && !account {
		return false
	}
	// DecodeGeneric rejects mixed case, bad characters and bad checksums.
	_, data, variant, err := bech32.DecodeGeneric(s)
	if err != nil || len(data) < 1 {
		return false
	}
	if account {
		hash, err := bech32.ConvertBits(data, 5, 8, false)
		return err == nil && variant == bech32.Version0 && (len(hash) == 20 || len(hash) == 32)
	}
	if data[0] > 16 {
		return false
	}
	prog, err := bech32.ConvertBits(data[1:], 5, 8, false)
	if err != nil || len(prog) < 2 || len(prog) > 40 {
		return false
	}
	if data[0] == 0 {
		return variant == bech32.Version0 && (len(prog) == 20 || len(prog) == 32)
	}
	return variant == bech32.VersionM
}

const cashAddrPrefix = "bitcoincash"

// isCashAddr accepts a Bitcoin Cash CashAddr address, with or without its
// "bitcoincash:" prefix, in one case only and with a valid checksum. Without the
// checksum any 42 characters from the bech32 alphabet starting with q or p
// would pass, and their case would be folded wrongly.
func isCashAddr(s string) bool {
	body := s
	if len(s) > len(cashAddrPrefix) && strings.EqualFold(s[:len(cashAddrPrefix)+1], cashAddrPrefix+":") {
		body = s[len(cashAddrPrefix)+1:]
	}
	// 34 data characters (a 1-byte version and a 20-byte hash) and an 8-character
	// checksum; longer hashes exist in the spec but not on the lists.
	if len(body) != 42 {
		return false
	}
	var lower, upper bool
	for i := 0; i < len(s); i++ {
		c := s[i]
		lower = lower || 'a' <= c && c <= 'z'
		upper = upper || 'A' <= c && c <= 'Z'
	}
	if lower && upper {
		return false
	}
	if c := body[0] | 0x20; c != 'q' && c != 'p' {
		return false
	}
	return cashAddrChecksumOK(body)
}

// cashAddrChecksumOK verifies the 40-bit BCH checksum of the CashAddr spec over
// the prefix (low 5 bits of each character), a zero separator and the body.
func cashAddrChecksumOK(body string) bool {
	c := uint64(1)
	step := func(d byte) {
		c0 := byte(c >> 35)
		c = (c&0x07ffffffff)<<5 ^ uint64(d)
		if c0&0x01 != 0 {
			c ^= 0x98f2bc8e61
		}
		if c0&0x02 != 0 {
			c ^= 0x79b76d99e2
		}
		if c0&0x04 != 0 {
			c ^= 0xf33e5fb3c4
		}
		if c0&0x08 != 0 {
			c ^= 0xae2eabe2a8
		}
		if c0&0x10 != 0 {
			c ^= 0x1e4f43e470
		}
	}
	for i := 0; i < len(cashAddrPrefix); i++ {
		step(cashAddrPrefix[i] & 0x1f)
	}
	step(0)
	for i := 0; i < len(body); i++ {
		v := bech32Value(body[i] | 0x20)
		if v < 0 {
			return false
		}
		step(byte(v))
	}
	return c^1 == 0
}

const bech32Charset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"

func bech32Value(c byte) int { return strings.IndexByte(bech32Charset, c) }

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
