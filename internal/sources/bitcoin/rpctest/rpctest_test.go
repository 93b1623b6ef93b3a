package rpctest

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestNames(t *testing.T) {
	for _, c := range []struct {
		name   string
		method string
		params string
		want   string // the first names, in order, joined by spaces
	}{
		{"no params name the method alone", "getblockcount", `[]`, "rpc_response_getblockcount.json"},
		{"a number is printed as is", "getblockhash", `[50001]`, "rpc_response_getblockhash_50001.json rpc_response_getblockhash_50001_None.json"},
		{"verbosity 1 is also looked up as Python's True, then without it",
			"getblock", `["ab",1]`, "rpc_response_getblock_ab_1.json rpc_response_getblock_ab_True.json rpc_response_getblock_ab.json rpc_response_getblock_ab_None.json"},
		{"a boolean verbose flag is printed as Python prints it, then left out",
			"getrawtransaction", `["cd",false]`, "rpc_response_getrawtransaction_cd_False.json rpc_response_getrawtransaction_cd.json"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var ps []json.RawMessage
			if err := json.Unmarshal([]byte(c.params), &ps); err != nil {
				t.Fatal(err)
			}
			got := Names(c.method, ps)
			want := strings.Fields(c.want)
			if len(got) < len(want) || strings.Join(got[:len(want)], " ") != c.want {
				t.Fatalf("got %v", got)
			}
		})
	}
}
