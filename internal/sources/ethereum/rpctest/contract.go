package rpctest

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
)

// contract is what the server knows of one account's code.
type contract struct {
	code  []byte
	calls map[[4]byte][]byte
}

// SetContract makes the server answer eth_getCode for addr with code (at any
// block) and eth_call to addr: calls maps a 4-byte selector to the return
// data; any other selector reverts ("execution reverted", -32000), and an
// address never set has no code and returns empty data, as a node answers.
// Until the first SetContract the server does not serve these methods at
// all (they answer from recordings or "method not found").
func (s *Server) SetContract(addr common.Address, code []byte, calls map[[4]byte][]byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.contracts == nil {
		s.contracts = map[common.Address]*contract{}
	}
	s.contracts[addr] = &contract{code: append([]byte(nil), code...), calls: calls}
}

func (s *Server) answerContract(method string, params []any) (json.RawMessage, *rpcError, bool) {
	switch method {
	case "eth_getCode":
		a, ok := paramAddress(params, 0)
		if !ok {
			return nil, &rpcError{-32602, "invalid address"}, true
		}
		code := []byte{}
		if c := s.contracts[a]; c != nil {
			code = c.code
		}
		return marshal(hexutil.Bytes(code)), nil, true
	case "eth_call":
		if len(params) == 0 {
			return nil, &rpcError{-32602, "missing call object"}, true
		}
		obj, _ := params[0].(map[string]any)
		to, _ := obj["to"].(string)
		data, _ := obj["data"].(string)
		if data == "" {
			data, _ = obj["input"].(string)
		}
		if !common.IsHexAddress(to) {
			return nil, &rpcError{-32602, fmt.Sprintf("invalid to %q", to)}, true
		}
		c := s.contracts[common.HexToAddress(to)]
		if c == nil {
			return marshal(hexutil.Bytes{}), nil, true
		}
		input, err := hexutil.Decode(strings.ToLower(data))
		if err != nil || len(input) < 4 {
			return nil, &rpcError{-32000, "execution reverted"}, true
		}
		out, ok := c.calls[[4]byte(input[:4])]
		if !ok {
			return nil, &rpcError{-32000, "execution reverted"}, true
		}
		return marshal(hexutil.Bytes(out)), nil, true
	}
	return nil, nil, false
}

func paramAddress(params []any, i int) (common.Address, bool) {
	if len(params) <= i {
		return common.Address{}, false
	}
	s, _ := params[i].(string)
	if !common.IsHexAddress(s) {
		return common.Address{}, false
	}
	return common.HexToAddress(s), true
}
