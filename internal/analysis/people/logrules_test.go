package people_test

import (
	"slices"
	"testing"
	"time"

	vet "github.com/interdict/interdict/internal/analysis/people"
	"github.com/interdict/interdict/internal/index/people"
)

func TestLogRules(t *testing.T) {
	t0 := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	ipA, ipB := people.Hash{1}, people.Hash{2}
	ev := func(kind string, off time.Duration, mod func(*people.Event)) people.Event {
		e := people.Event{PersonID: "p", Time: t0.Add(off), Source: people.SourceIdP, Kind: kind}
		if mod != nil {
			mod(&e)
		}
		return e
	}
	country := func(c string) func(*people.Event) { return func(e *people.Event) { e.Country = c } }
	asn := func(a string) func(*people.Event) { return func(e *people.Event) { e.ASN = a } }
	ip := func(h people.Hash) func(*people.Event) { return func(e *people.Event) { e.IPHash = h } }
	login := func(b byte) func(*people.Event) {
		return func(e *people.Event) { e.Source, e.LoginHash = people.SourceGitHub, people.Hash{b} }
	}
	daily := func(hour int, n int) []people.Event { // n sign-ins, one a day at hour UTC
		var out []people.Event
		for i := range n {
			out = append(out, ev(people.EventLogin, time.Duration(i*24+hour-9)*time.Hour, nil))
		}
		return out
	}
	account := ev(people.EventAccount, 0, func(e *people.Event) {
		e.Source, e.AccountCreated = people.SourceGitHub, time.Date(2025, 12, 20, 0, 0, 0, 0, time.UTC)
	})
	tests := []struct {
		name string
		s    vet.LogSubject
		rule string
		sev  vet.Severity // -1: the rule must not fire
	}{
		{"two countries 40 minutes apart", vet.LogSubject{Events: []people.Event{ev("login", 0, country("DE")), ev("login", 40*time.Minute, country("CN"))}}, "PPL-LOG-TRAVEL", vet.Medium},
		{"two countries a day apart", vet.LogSubject{Events: []people.Event{ev("login", 0, country("DE")), ev("login", 24*time.Hour, country("CN"))}}, "PPL-LOG-TRAVEL", -1},
		{"one country all day", vet.LogSubject{Events: []people.Event{ev("login", 0, country("DE")), ev("activity", time.Hour, country("DE"))}}, "PPL-LOG-TRAVEL", -1},
		{"an IP two others used", vet.LogSubject{Events: []people.Event{ev("login", 0, ip(ipA))}, IPOthers: map[people.Hash][]string{ipA: {"q", "r"}}}, "PPL-LOG-SHARED-IP", vet.Medium},
		{"a corporate egress", vet.LogSubject{Events: []people.Event{ev("login", 0, ip(ipB))}, IPOthers: map[people.Hash][]string{ipB: {"1", "2", "3", "4", "5", "6", "7", "8", "9", "10"}}}, "PPL-LOG-SHARED-IP", vet.Info},
		{"an IP no one else used", vet.LogSubject{Events: []people.Event{ev("login", 0, ip(ipA))}, IPOthers: map[people.Hash][]string{ipA: {}}}, "PPL-LOG-SHARED-IP", -1},
		{"nights in the claimed Berlin zone", vet.LogSubject{TimeZone: "Europe/Berlin", Events: daily(1, 25)}, "PPL-LOG-HOURS", vet.Medium},
		{"working days in the claimed Berlin zone", vet.LogSubject{TimeZone: "Europe/Berlin", Events: daily(8, 25)}, "PPL-LOG-HOURS", -1},
		{"Berlin nights are Seoul's working day", vet.LogSubject{TimeZone: "Asia/Seoul", Events: daily(1, 25)}, "PPL-LOG-HOURS", -1},
		{"too few events to judge", vet.LogSubject{TimeZone: "Europe/Berlin", Events: daily(1, 5)}, "PPL-LOG-HOURS", -1},
		{"no claimed zone", vet.LogSubject{Events: daily(1, 25)}, "PPL-LOG-HOURS", -1},
		{"sign-ins from a VPS", vet.LogSubject{Events: []people.Event{ev("login", 0, asn("AS14061")), ev("login", time.Hour, asn("AS3320"))}}, "PPL-LOG-HOSTING", vet.Medium},
		{"one sign-in of four from a cloud", vet.LogSubject{Events: []people.Event{ev("login", 0, asn("AS16509")), ev("login", time.Hour, asn("AS3320")), ev("login", 2*time.Hour, asn("AS3320")), ev("login", 3*time.Hour, asn("AS3320"))}}, "PPL-LOG-HOSTING", vet.Low},
		{"a home line", vet.LogSubject{Events: []people.Event{ev("login", 0, asn("AS3320"))}}, "PPL-LOG-HOSTING", -1},
		{"commits before the account", vet.LogSubject{Events: []people.Event{account, ev("commit", -700*24*time.Hour, login(1))}}, "PPL-GITHUB-YOUNG", vet.Medium},
		{"commits after the account", vet.LogSubject{Events: []people.Event{account, ev("commit", time.Hour, login(1))}}, "PPL-GITHUB-YOUNG", -1},
		{"three logins", vet.LogSubject{Events: []people.Event{ev("activity", 0, login(1)), ev("activity", time.Hour, login(2)), ev("activity", 2*time.Hour, login(3))}}, "PPL-GITHUB-HANDLE", vet.Medium},
		{"one rename", vet.LogSubject{Events: []people.Event{ev("activity", 0, login(1)), ev("activity", time.Hour, login(2))}}, "PPL-GITHUB-HANDLE", vet.Low},
		{"one login", vet.LogSubject{Events: []people.Event{ev("activity", 0, login(1)), ev("activity", time.Hour, login(1))}}, "PPL-GITHUB-HANDLE", -1},
	}
	rules := vet.NewLogRules(vet.DefaultLogConfig())
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.s.PersonID = "p"
			sig := rules.Evaluate(tt.s)
			i := slices.IndexFunc(sig, func(s vet.Signal) bool { return s.Rule == tt.rule })
			if tt.sev < 0 {
				if i >= 0 {
					t.Fatalf("%s fired: %+v", tt.rule, sig[i])
				}
				return
			}
			if i < 0 {
				t.Fatalf("%s did not fire: %+v", tt.rule, sig)
			}
			s := sig[i]
			if s.Severity != tt.sev || s.Advisory == "" || s.PersonID != "p" || len(s.Evidence) == 0 || s.Summary == "" {
				t.Errorf("signal %+v, want severity %s with advisory, person, summary, evidence", s, tt.sev)
			}
		})
	}
	if asns := vet.HostingASNs(); len(asns) < 10 || asns["AS14061"] == "" {
		t.Errorf("hosting ASNs: %v", asns)
	}
}

// BenchmarkLogRules: the log rules on a person with 500 events (a month of
// sign-ins, activity and GitHub events, IPs shared with others).
func BenchmarkLogRules(b *testing.B) {
	t0 := time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)
	s := vet.LogSubject{PersonID: "p", TimeZone: "America/New_York", IPOthers: map[people.Hash][]string{}}
	countries := []string{"US", "US", "US", "CA"}
	for i := range 500 {
		ip := people.Hash{byte(i % 7)}
		s.IPOthers[ip] = []string{"q", "r"}
		s.Events = append(s.Events, people.Event{PersonID: "p", Time: t0.Add(time.Duration(i) * 90 * time.Minute), Source: people.SourceIdP,
			Kind: []string{people.EventLogin, people.EventActivity, people.EventCommit}[i%3], IPHash: ip,
			Country: countries[i%4], ASN: []string{"AS14061", "AS7922"}[i%2], LoginHash: people.Hash{byte(i % 3)}})
	}
	rules := vet.NewLogRules(vet.DefaultLogConfig())
	b.ReportAllocs()
	for b.Loop() {
		if len(rules.Evaluate(s)) == 0 {
			b.Fatal("no signal")
		}
	}
}
