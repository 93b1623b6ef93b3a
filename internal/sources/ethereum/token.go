package ethereum

import (
	"context"
	"errors"
	"math/big"
	"strings"
	"unicode/utf8"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/rpc"
)

// erc20ABI is the metadata part of ERC-20 (and ERC-721's name/symbol), plus
// the upper-case getters some early tokens used; erc20Bytes32ABI is the
// non-standard variant returning bytes32 (MKR, EOS, SAI).
const (
	erc20ABI = `[
{"type":"function","name":"name","inputs":[],"outputs":[{"type":"string"}],"stateMutability":"view"},
{"type":"function","name":"NAME","inputs":[],"outputs":[{"type":"string"}],"stateMutability":"view"},
{"type":"function","name":"symbol","inputs":[],"outputs":[{"type":"string"}],"stateMutability":"view"},
{"type":"function","name":"SYMBOL","inputs":[],"outputs":[{"type":"string"}],"stateMutability":"view"},
{"type":"function","name":"decimals","inputs":[],"outputs":[{"type":"uint256"}],"stateMutability":"view"},
{"type":"function","name":"DECIMALS","inputs":[],"outputs":[{"type":"uint256"}],"stateMutability":"view"},
{"type":"function","name":"totalSupply","inputs":[],"outputs":[{"type":"uint256"}],"stateMutability":"view"}]`
	erc20Bytes32ABI = `[
{"type":"function","name":"name","inputs":[],"outputs":[{"type":"bytes32"}],"stateMutability":"view"},
{"type":"function","name":"NAME","inputs":[],"outputs":[{"type":"bytes32"}],"stateMutability":"view"},
{"type":"function","name":"symbol","inputs":[],"outputs":[{"type":"bytes32"}],"stateMutability":"view"},
{"type":"function","name":"SYMBOL","inputs":[],"outputs":[{"type":"bytes32"}],"stateMutability":"view"}]`
)

var (
	erc20       = mustABI(erc20ABI)
	erc20Bytes  = mustABI(erc20Bytes32ABI)
	maxDecimals = big.NewInt(255)
)

func mustABI(s string) abi.ABI {
	a, err := abi.JSON(strings.NewReader(s))
	if err != nil {
		panic(err) // a constant above is broken: a programming error
	}
	return a
}

// Token reads addr's ERC-20 metadata at block ("latest" or a hex number) the
// way ethereum-etl does, so exports match: symbol and name try symbol()
// decoded as string, SYMBOL() as string, then both as bytes32; decimals
// tries decimals() then DECIMALS() (values above 255 do not fit the
// standard's uint8 and count as garbage); totalSupply tries totalSupply().
// A call the contract reverts, or whose return does not decode, gives nil;
// NUL characters are removed from strings. Only transport failures and a
// node without eth_call are errors.
func (c *Client) Token(ctx context.Context, addr common.Address, block string) (*Token, error) {
	r := &tokenReader{ctx: ctx, c: c, addr: addr, block: block, raw: map[string][]byte{}}
	t := &Token{Address: addr}
	var err error
	if t.Symbol, err = r.text("symbol", "SYMBOL"); err != nil {
		return nil, err
	}
	if t.Name, err = r.text("name", "NAME"); err != nil {
		return nil, err
	}
	if t.Decimals, err = r.number(maxDecimals, "decimals", "DECIMALS"); err != nil {
		return nil, err
	}
	if t.TotalSupply, err = r.number(nil, "totalSupply"); err != nil {
		return nil, err
	}
	return t, nil
}

type tokenReader struct {
	ctx   context.Context
	c     *Client
	addr  common.Address
	block string
	raw   map[string][]byte // method → return data; nil when the call failed
}

func (r *tokenReader) get(method string) ([]byte, error) {
	if out, ok := r.raw[method]; ok {
		return out, nil
	}
	out, err := r.c.Call(r.ctx, r.addr, erc20.Methods[method].ID, r.block)
	if err != nil {
		var rpcErr rpc.Error
		if errors.Is(err, ErrMethodNotFound) || !errors.As(err, &rpcErr) {
			return nil, err
		}
		out = nil // reverted or refused: the token has no such getter
	}
	r.raw[method] = out
	return out, nil
}

func (r *tokenReader) text(methods ...string) (*string, error) {
	for _, m := range methods {
		out, err := r.get(m)
		if err != nil {
			return nil, err
		}
		if s, ok := DecodeStringReturn(out); ok {
			return &s, nil
		}
	}
	for _, m := range methods {
		if s, ok := DecodeBytes32Return(r.raw[m]); ok {
			return &s, nil
		}
	}
	return nil, nil
}

func (r *tokenReader) number(limit *big.Int, methods ...string) (*big.Int, error) {
	for _, m := range methods {
		out, err := r.get(m)
		if err != nil {
			return nil, err
		}
		if n, ok := DecodeUintReturn(out); ok && (limit == nil || n.Cmp(limit) <= 0) {
			return n, nil
		}
	}
	return nil, nil
}

// DecodeStringReturn decodes an eth_call return as an ABI string, with NUL
// characters removed. It reports false for data that is not a well-formed
// string or not UTF-8.
func DecodeStringReturn(data []byte) (string, bool) {
	if len(data) == 0 {
		return "", false
	}
	vals, err := erc20.Methods["name"].Outputs.Unpack(data)
	if err != nil || len(vals) != 1 {
		return "", false
	}
	s, ok := vals[0].(string)
	if !ok || !utf8.ValidString(s) {
		return "", false
	}
	return strings.ReplaceAll(s, "\x00", ""), true
}

// DecodeBytes32Return decodes an eth_call return as bytes32 text (the
// non-standard symbol()/name() of early tokens), NULs removed; false when
// the data is short or not UTF-8.
func DecodeBytes32Return(data []byte) (string, bool) {
	if len(data) == 0 {
		return "", false
	}
	vals, err := erc20Bytes.Methods["name"].Outputs.Unpack(data)
	if err != nil || len(vals) != 1 {
		return "", false
	}
	b, ok := vals[0].([32]byte)
	if !ok || !utf8.Valid(b[:]) {
		return "", false
	}
	return strings.ReplaceAll(string(b[:]), "\x00", ""), true
}

// DecodeUintReturn decodes an eth_call return as a uint256.
func DecodeUintReturn(data []byte) (*big.Int, bool) {
	if len(data) == 0 {
		return nil, false
	}
	vals, err := erc20.Methods["totalSupply"].Outputs.Unpack(data)
	if err != nil || len(vals) != 1 {
		return nil, false
	}
	n, ok := vals[0].(*big.Int)
	return n, ok
}
