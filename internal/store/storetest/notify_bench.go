package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/interdict/interdict/internal/action/notify"
)

// BenchNotify measures what the alert engine and federation ask of the flag
// store: Active over all flagged addresses (flags of MaxSubjects addresses
// each), and Accept of one new flag. open must return a fresh, empty store.
func BenchNotify(b *testing.B, open func(b *testing.B) notify.Store) {
	for _, n := range []int{10_000, 100_000} {
		b.Run(fmt.Sprintf("Active/addresses=%d", n), func(b *testing.B) {
			st := open(b)
			svc, auth := benchNet(b, st)
			for f := 0; f*notify.MaxSubjects < n; f++ {
				r := benchFlag(fmt.Sprintf("f%d", f), f*notify.MaxSubjects, min(notify.MaxSubjects, n-f*notify.MaxSubjects))
				env, _, err := auth.Sign(r)
				if err != nil {
					b.Fatal(err)
				}
				if _, _, err := svc.Accept(context.Background(), env, notify.SourceLocal); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				fs, err := svc.Active(context.Background(), "eth", notifyAt.Add(time.Hour))
				if err != nil || len(fs) == 0 {
					b.Fatal(len(fs), err)
				}
			}
			b.ReportMetric(float64(n), "addresses")
		})
	}
	b.Run("Accept/subjects=10", func(b *testing.B) {
		st := open(b)
		svc, auth := benchNet(b, st)
		i := 0
		b.ReportAllocs()
		for b.Loop() {
			env, _, err := auth.Sign(benchFlag(fmt.Sprintf("a%d", i), i*10, 10))
			if err != nil {
				b.Fatal(err)
			}
			if _, _, err := svc.Accept(context.Background(), env, notify.SourceAPI); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
}

func benchNet(b *testing.B, st notify.Store) (*notify.Service, notify.Identity) {
	b.Helper()
	auth, err := notify.NewIdentity("npa-jp")
	if err != nil {
		b.Fatal(err)
	}
	k, _ := notify.NewMemberKey(auth.Public(), notifyAt.Add(-time.Hour))
	if err := st.AddMember(context.Background(), notify.Member{ID: "npa-jp", Role: notify.RoleAuthority, Keys: []notify.MemberKey{k}}); err != nil {
		b.Fatal(err)
	}
	return notify.NewService(st, notify.Policy{}, nil).WithClock(func() time.Time { return notifyAt.Add(time.Minute) }), auth
}

// benchFlag flags n Ethereum addresses numbered from first.
func benchFlag(id string, first, n int) notify.Record {
	r := testFlag(id)
	r.Subjects = make([]notify.Subject, n)
	for i := range r.Subjects {
		r.Subjects[i] = notify.Subject{Chain: "eth", Address: fmt.Sprintf("0x%040x", first+i+1)}
	}
	return r
}
