package people

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"slices"
	"strings"
	"time"
)

// Login and activity logs (IdP, VPN, GitHub), imported with
// `interdict people logs import FILE --format csv|json`. One record is one
// event; the minimal schema, the same field names in both formats (CSV: a
// header row naming the columns, in any order; JSON: an array of objects or
// one object per line):
//
//	time             RFC 3339, required: when the event happened
//	person           the interdict person id, or else
//	email            an email of the person (matched by its keyed hash)
//	source           idp, vpn or github (required)
//	event            login, activity, commit or account (required)
//	ip               IPv4 or IPv6 the event came from
//	country          ISO 3166 alpha-2 code the IP geolocates to
//	asn              the IP's autonomous system (AS13335 or 13335)
//	github_login     the GitHub login the event was seen under
//	account_created  RFC 3339: when the GitHub account was created
//
// login and activity are sign-ins and actions (IdP, VPN, GitHub); a commit
// event's time is the commit's author date; an account event states the
// account's creation time (github_login, account_created). Unknown columns
// and fields are refused, so a misspelt one is not silently ignored.
//
// At rest an event keeps no raw identifier: the IP and the login are keyed
// hashes (the vault's), the country and the ASN name networks, not persons.

// Log sources and event kinds.
const (
	SourceIdP    = "idp"
	SourceVPN    = "vpn"
	SourceGitHub = "github"

	EventLogin    = "login"
	EventActivity = "activity"
	EventCommit   = "commit"
	EventAccount  = "account"
)

var (
	logSources = []string{SourceIdP, SourceVPN, SourceGitHub}
	logEvents  = []string{EventLogin, EventActivity, EventCommit, EventAccount}
	logFields  = []string{"time", "person", "email", "source", "event", "ip", "country", "asn", "github_login", "account_created"}
)

// LogRecord is one imported log event as given.
type LogRecord struct {
	Time           string `json:"time"`
	Person         string `json:"person,omitempty"`
	Email          string `json:"email,omitempty"`
	Source         string `json:"source"`
	Event          string `json:"event"`
	IP             string `json:"ip,omitempty"`
	Country        string `json:"country,omitempty"`
	ASN            string `json:"asn,omitempty"`
	GitHubLogin    string `json:"github_login,omitempty"`
	AccountCreated string `json:"account_created,omitempty"`
}

// Event is a log event at rest, resolved to a person.
type Event struct {
	PersonID string
	Time     time.Time
	Source   string
	Kind     string
	IPHash   Hash // zero: no IP
	Country  string
	ASN      string
	// LoginHash is the keyed hash of the GitHub login (zero: none).
	LoginHash Hash
	// AccountCreated is the GitHub account's creation time (account events).
	AccountCreated time.Time
}

// EventStore keeps log events. Backends: internal/store/sqlite and
// internal/store/postgres (migration 0012_people_logs).
type EventStore interface {
	// PutEvents stores events in one transaction: all or none. An event
	// equal to a stored one is stored once.
	PutEvents(ctx context.Context, es []Event) error
	// Events returns a person's events in time order.
	Events(ctx context.Context, personID string) ([]Event, error)
	// PersonsByIP returns the ids of the persons with an event from the IP
	// of hash h, sorted.
	PersonsByIP(ctx context.Context, h Hash) ([]string, error)
}

// ErrLogs marks a log file that does not parse or a record that breaks the schema.
var ErrLogs = errors.New("bad log record")

// maxLogRecord bounds a JSON line or object (a log event is small).
const maxLogRecord = 64 << 10

// ParseLogs reads log records in format "csv" or "json" and checks each
// against the schema; an error names the record number (1-based).
func ParseLogs(r io.Reader, format string) ([]LogRecord, error) {
	var (
		recs []LogRecord
		err  error
	)
	switch format {
	case "csv":
		recs, err = parseLogsCSV(r)
	case "json":
		recs, err = parseLogsJSON(r)
	default:
		return nil, fmt.Errorf("%w: format %q: want csv or json", ErrLogs, format)
	}
	if err != nil {
		return nil, err
	}
	for i := range recs {
		if err := recs[i].check(); err != nil {
			return nil, fmt.Errorf("%w: record %d: %v", ErrLogs, i+1, err)
		}
	}
	return recs, nil
}

func parseLogsCSV(r io.Reader) ([]LogRecord, error) {
	cr := csv.NewReader(r)
	cr.ReuseRecord = false
	cr.TrimLeadingSpace = true
	header, err := cr.Read()
	if err == io.EOF {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("%w: header: %v", ErrLogs, err)
	}
	cols := make([]string, len(header))
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		if !slices.Contains(logFields, h) {
			return nil, fmt.Errorf("%w: header: unknown column %q (want %s)", ErrLogs, h, strings.Join(logFields, ", "))
		}
		if slices.Contains(cols[:i], h) {
			return nil, fmt.Errorf("%w: header: column %q twice", ErrLogs, h)
		}
		cols[i] = h
	}
	var out []LogRecord
	for n := 1; ; n++ {
		row, err := cr.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%w: record %d: %v", ErrLogs, n, err)
		}
		var rec LogRecord
		for i, v := range row {
			*rec.field(cols[i]) = strings.TrimSpace(v)
		}
		out = append(out, rec)
	}
}

func (l *LogRecord) field(name string) *string {
	switch name {
	case "time":
		return &l.Time
	case "person":
		return &l.Person
	case "email":
		return &l.Email
	case "source":
		return &l.Source
	case "event":
		return &l.Event
	case "ip":
		return &l.IP
	case "country":
		return &l.Country
	case "asn":
		return &l.ASN
	case "github_login":
		return &l.GitHubLogin
	}
	return &l.AccountCreated
}

func parseLogsJSON(r io.Reader) ([]LogRecord, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrLogs, err)
	}
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return nil, nil
	}
	strict := func(data []byte, v any) error {
		d := json.NewDecoder(bytes.NewReader(data))
		d.DisallowUnknownFields()
		if err := d.Decode(v); err != nil {
			return err
		}
		if d.More() {
			return errors.New("more than one value")
		}
		return nil
	}
	if b[0] == '[' {
		var out []LogRecord
		if err := strict(b, &out); err != nil {
			return nil, fmt.Errorf("%w: %v", ErrLogs, err)
		}
		return out, nil
	}
	var out []LogRecord
	for n, line := range bytes.Split(b, []byte("\n")) {
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			continue
		}
		if len(line) > maxLogRecord {
			return nil, fmt.Errorf("%w: record %d: longer than %d bytes", ErrLogs, n+1, maxLogRecord)
		}
		var rec LogRecord
		if err := strict(line, &rec); err != nil {
			return nil, fmt.Errorf("%w: line %d: %v", ErrLogs, n+1, err)
		}
		out = append(out, rec)
	}
	return out, nil
}

func (l *LogRecord) check() error {
	if _, err := time.Parse(time.RFC3339, l.Time); err != nil {
		return fmt.Errorf("time %q: want RFC 3339", l.Time)
	}
	if l.Person == "" && l.Email == "" {
		return errors.New("neither person nor email")
	}
	if len(l.Person) > 128 {
		return errors.New("person id longer than 128 characters")
	}
	if !slices.Contains(logSources, l.Source) {
		return fmt.Errorf("source %q: want %s", l.Source, strings.Join(logSources, ", "))
	}
	if !slices.Contains(logEvents, l.Event) {
		return fmt.Errorf("event %q: want %s", l.Event, strings.Join(logEvents, ", "))
	}
	if l.IP != "" {
		if _, err := netip.ParseAddr(l.IP); err != nil {
			return fmt.Errorf("ip %q: %v", l.IP, err)
		}
	}
	if l.Country != "" && (len(l.Country) != 2 || strings.Trim(strings.ToUpper(l.Country), "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "") {
		return fmt.Errorf("country %q: want an ISO 3166 alpha-2 code", l.Country)
	}
	if l.ASN != "" && normASN(l.ASN) == "" {
		return fmt.Errorf("asn %q: want AS<number>", l.ASN)
	}
	if l.AccountCreated != "" {
		if _, err := time.Parse(time.RFC3339, l.AccountCreated); err != nil {
			return fmt.Errorf("account_created %q: want RFC 3339", l.AccountCreated)
		}
	}
	if l.Event == EventAccount && (l.AccountCreated == "" || l.Source != SourceGitHub) {
		return errors.New("an account event is a github one with account_created")
	}
	return nil
}

// normASN returns "AS<digits>" or "" if s is not an AS number.
func normASN(s string) string {
	d := strings.TrimPrefix(strings.ToUpper(strings.TrimSpace(s)), "AS")
	if d == "" || len(d) > 10 || strings.Trim(d, "0123456789") != "" {
		return ""
	}
	return "AS" + d
}

// Event turns a checked record into an event of person personID: the IP
// and the login hashed with the vault's key.
func (v *Vault) Event(l LogRecord, personID string) (Event, error) {
	if err := l.check(); err != nil {
		return Event{}, fmt.Errorf("%w: %v", ErrLogs, err)
	}
	at, _ := time.Parse(time.RFC3339, l.Time)
	e := Event{PersonID: personID, Time: at.UTC(), Source: l.Source, Kind: l.Event,
		Country: strings.ToUpper(l.Country), ASN: normASN(l.ASN)}
	if l.IP != "" {
		h, err := v.Hash(Identifier{Type: IP, Value: l.IP})
		if err != nil {
			return Event{}, err
		}
		e.IPHash = h
	}
	if login := strings.TrimPrefix(strings.TrimSpace(l.GitHubLogin), "@"); login != "" {
		e.LoginHash = v.HashCanonical(GitHub, "login:"+strings.ToLower(login))
	}
	if l.AccountCreated != "" {
		c, _ := time.Parse(time.RFC3339, l.AccountCreated)
		e.AccountCreated = c.UTC()
	}
	return e, nil
}
