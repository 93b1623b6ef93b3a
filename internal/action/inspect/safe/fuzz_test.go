package safe

import (
	"context"
	"math/big"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
)

// replyCaller answers every call with the same bytes: what a hostile or
// broken node might send.
type replyCaller struct{ reply []byte }

func (r replyCaller) CodeAt(context.Context, common.Address, *big.Int) ([]byte, error) {
	return []byte{1}, nil
}

func (r replyCaller) CallContract(context.Context, ethereum.CallMsg, *big.Int) ([]byte, error) {
	return r.reply, nil
}

// FuzzRead: whatever a node answers, Read returns a Safe or an error, never
// panics.
func FuzzRead(f *testing.F) {
	one, _ := parsed.Methods["getThreshold"].Outputs.Pack(big.NewInt(1))
	f.Add(one)
	f.Add([]byte{})
	f.Add(make([]byte, 96))
	f.Fuzz(func(t *testing.T, reply []byte) {
		_, _ = Read(context.Background(), replyCaller{reply}, common.Address{1}, time.Time{})
	})
}
