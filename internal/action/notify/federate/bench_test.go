package federate_test

import (
	"fmt"
	"testing"

	"github.com/interdict/interdict/internal/action/notify"
	"github.com/interdict/interdict/internal/action/notify/federate"
)

// bigFlag is a flag on n Ethereum addresses.
func bigFlag(b *testing.B, n int) (notify.Envelope, notify.Record) {
	b.Helper()
	id, err := notify.NewIdentity("npa-jp")
	if err != nil {
		b.Fatal(err)
	}
	subjects := make([]notify.Subject, n)
	for i := range subjects {
		subjects[i] = notify.Subject{Chain: "eth", Address: fmt.Sprintf("0x%040x", i+1)}
	}
	return sign(b, id, dmmFlag("f-big", subjects...))
}

func BenchmarkEncode(b *testing.B) {
	for _, n := range []int{1, 1000} {
		b.Run(fmt.Sprintf("%d subjects", n), func(b *testing.B) {
			env, rec := bigFlag(b, n)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := federate.Encode(env, rec, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkDecode(b *testing.B) {
	for _, n := range []int{1, 1000} {
		b.Run(fmt.Sprintf("%d subjects", n), func(b *testing.B) {
			env, rec := bigFlag(b, n)
			raw := encode(b, env, rec, nil)
			b.SetBytes(int64(len(raw)))
			b.ReportAllocs()
			for b.Loop() {
				if _, _, _, err := federate.Decode(raw); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
