package ethereum

import (
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common"
)

func word(hex string) string { return strings.Repeat("0", 64-len(hex)) + hex }

func TestCallReturnDecodingFollowsEthereumEtl(t *testing.T) {
	abiString := func(s string) []byte {
		h := common.Bytes2Hex([]byte(s))
		return common.FromHex(word("20") + word(common.Bytes2Hex([]byte{byte(len(s))})) + h + strings.Repeat("0", (64-len(h)%64)%64))
	}
	tests := []struct {
		name         string
		data         []byte
		str, b32     string
		strOK, b32OK bool
		uint         string
	}{
		{"ABI string", abiString("Tether USD"), "Tether USD", "", true, true, "32"},
		{"ABI string with NULs", abiString("ETH\x00\x00\x00"), "ETH", "", true, true, "32"},
		{"bytes32 text", common.FromHex("454f53" + strings.Repeat("0", 58)), "", "EOS", false, true, ""},
		{"empty return (no such function)", nil, "", "", false, false, ""},
		{"short return", []byte{1, 2, 3}, "", "", false, false, ""},
		{"uint256", common.FromHex(word("12")), "", "", false, true, "18"},
		{"zero word: empty string, as EOS name()", common.FromHex(word("0")), "", "", true, true, "0"},
		{"string not UTF-8", abiString("\xff\xfe"), "", "", false, true, "32"},
		{"length beyond the data", common.FromHex(word("20") + word("ff")), "", "", false, true, "32"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, ok := DecodeStringReturn(tt.data)
			if ok != tt.strOK || (ok && s != tt.str) {
				t.Errorf("string: %q, %v; want %q, %v", s, ok, tt.str, tt.strOK)
			}
			b, ok := DecodeBytes32Return(tt.data)
			if ok != tt.b32OK || (ok && tt.b32 != "" && b != tt.b32) {
				t.Errorf("bytes32: %q, %v; want %q, %v", b, ok, tt.b32, tt.b32OK)
			}
			n, ok := DecodeUintReturn(tt.data)
			if tt.uint != "" && (!ok || n.String() != tt.uint) {
				t.Errorf("uint: %v, %v; want %s", n, ok, tt.uint)
			}
		})
	}
}
