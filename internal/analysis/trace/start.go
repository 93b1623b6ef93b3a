package trace

import (
	"fmt"
	"strconv"
	"strings"
)

// Start is where a trace begins: a transaction (every output, or one with
// Vout; on an account chain every value transfer of it), or an address
// (forward: everything it sent; backward: everything it received).
type Start struct {
	Tx      string
	Vout    int // -1: the whole transaction
	Address string
}

// ParseTxStart parses TXID or TXID:VOUT.
func ParseTxStart(s string) (Start, error) {
	id, vout, found := strings.Cut(s, ":")
	st := Start{Tx: id, Vout: -1}
	if found {
		n, err := strconv.ParseUint(vout, 10, 32)
		if err != nil {
			return Start{}, fmt.Errorf("%w: --tx %q: the output index after ':' must be a number", ErrBadRequest, s)
		}
		st.Vout = int(n)
	}
	if id == "" {
		return Start{}, fmt.Errorf("%w: --tx %q: empty transaction id", ErrBadRequest, s)
	}
	return st, nil
}

func (s Start) String() string {
	switch {
	case s.Address != "":
		return "address " + s.Address
	case s.Vout >= 0:
		return fmt.Sprintf("output %s:%d", s.Tx, s.Vout)
	}
	return "tx " + s.Tx
}
