package people_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/interdict/interdict/internal/index/people"
)

func TestParseLogs(t *testing.T) {
	tests := []struct {
		name, format, in string
		want             int    // records
		err              string // part of the error, "" for none
	}{
		{"csv with columns in any order", "csv", "source,event,time,person,ip,country,asn\nidp,login,2026-01-02T03:04:05Z,p1,192.0.2.1,DE,AS64500\nvpn,activity,2026-01-02T04:04:05+01:00,p1,,,\n", 2, ""},
		{"csv by email with a BOM", "csv", "\ufefftime,email,source,event\n2026-01-02T03:04:05Z,a@example.com,idp,login\n", 1, ""},
		{"csv github account and commit", "csv", "time,person,source,event,github_login,account_created\n2026-01-02T03:04:05Z,p1,github,account,kalo,2025-12-01T00:00:00Z\n2024-01-02T03:04:05Z,p1,github,commit,kalo,\n", 2, ""},
		{"json array", "json", `[{"time":"2026-01-02T03:04:05Z","person":"p1","source":"idp","event":"login"}]`, 1, ""},
		{"json lines", "json", "{\"time\":\"2026-01-02T03:04:05Z\",\"person\":\"p1\",\"source\":\"idp\",\"event\":\"login\"}\n\n{\"time\":\"2026-01-02T03:05:05Z\",\"person\":\"p2\",\"source\":\"vpn\",\"event\":\"login\",\"ip\":\"2001:db8::1\"}\n", 2, ""},
		{"empty", "csv", "", 0, ""},
		{"unknown column", "csv", "time,person,source,event,password\n", 0, `unknown column "password"`},
		{"column twice", "csv", "time,time\n", 0, "twice"},
		{"bad time names the record", "csv", "time,person,source,event\n2026-01-02T03:04:05Z,p1,idp,login\nyesterday,p1,idp,login\n", 0, "record 2: time"},
		{"no person", "csv", "time,source,event\n2026-01-02T03:04:05Z,idp,login\n", 0, "neither person nor email"},
		{"unknown source", "json", `[{"time":"2026-01-02T03:04:05Z","person":"p1","source":"okta","event":"login"}]`, 0, "source"},
		{"bad ip", "json", `[{"time":"2026-01-02T03:04:05Z","person":"p1","source":"idp","event":"login","ip":"300.1.1.1"}]`, 0, "ip"},
		{"bad country", "json", `[{"time":"2026-01-02T03:04:05Z","person":"p1","source":"idp","event":"login","country":"Germany"}]`, 0, "country"},
		{"bad asn", "json", `[{"time":"2026-01-02T03:04:05Z","person":"p1","source":"idp","event":"login","asn":"ASX"}]`, 0, "asn"},
		{"account without its creation", "json", `[{"time":"2026-01-02T03:04:05Z","person":"p1","source":"github","event":"account"}]`, 0, "account event"},
		{"unknown json field", "json", `[{"time":"2026-01-02T03:04:05Z","person":"p1","source":"idp","event":"login","pw":"x"}]`, 0, "unknown field"},
		{"bad json line", "json", "{\"time\":\"2026-01-02T03:04:05Z\"}\n{oops\n", 0, "line 2"},
		{"unknown format", "xml", "<x/>", 0, "format"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			recs, err := people.ParseLogs(strings.NewReader(tt.in), tt.format)
			if tt.err != "" {
				if err == nil || !errors.Is(err, people.ErrLogs) || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want ErrLogs with %q", err, tt.err)
				}
				return
			}
			if err != nil || len(recs) != tt.want {
				t.Fatalf("%d records, %v; want %d", len(recs), err, tt.want)
			}
		})
	}
}

func TestVaultEvent(t *testing.T) {
	v, _ := people.NewVault(bytes.Repeat([]byte{3}, people.KeySize))
	rec := people.LogRecord{Time: "2026-01-02T04:04:05+01:00", Person: "p1", Source: "github", Event: "account",
		IP: "::ffff:192.0.2.1", Country: "de", ASN: "64500", GitHubLogin: "@Kalo", AccountCreated: "2025-12-01T00:00:00Z"}
	e, err := v.Event(rec, "p1")
	if err != nil {
		t.Fatal(err)
	}
	ip, _ := v.Hash(people.Identifier{Type: people.IP, Value: "192.0.2.1"})
	other, _ := v.Event(people.LogRecord{Time: rec.Time, Person: "p1", Source: "github", Event: "commit", GitHubLogin: "kalo"}, "p1")
	if !e.Time.Equal(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)) || e.IPHash != ip || e.Country != "DE" || e.ASN != "AS64500" ||
		e.LoginHash != other.LoginHash || e.LoginHash == (people.Hash{}) || e.AccountCreated.IsZero() {
		t.Errorf("event %+v", e)
	}
	if _, err := v.Event(people.LogRecord{Time: "x"}, "p1"); !errors.Is(err, people.ErrLogs) {
		t.Errorf("a bad record: %v", err)
	}
}

// FuzzParseLogs: any input either parses into records that each make an
// event, or gives an ErrLogs error; never a panic.
func FuzzParseLogs(f *testing.F) {
	for _, dir := range []string{"csv", "json"} {
		files, _ := filepath.Glob(filepath.Join("testdata", "logs", dir, "*"))
		for _, p := range files {
			b, err := os.ReadFile(p)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(dir == "json", b)
		}
	}
	v, _ := people.NewVault(bytes.Repeat([]byte{3}, people.KeySize))
	f.Fuzz(func(t *testing.T, isJSON bool, in []byte) {
		format := "csv"
		if isJSON {
			format = "json"
		}
		recs, err := people.ParseLogs(bytes.NewReader(in), format)
		if err != nil {
			if !errors.Is(err, people.ErrLogs) {
				t.Fatalf("error without ErrLogs: %v", err)
			}
			return
		}
		for i, r := range recs {
			if _, err := v.Event(r, "p"); err != nil {
				t.Fatalf("record %d parsed but makes no event: %v", i+1, err)
			}
		}
	})
}
