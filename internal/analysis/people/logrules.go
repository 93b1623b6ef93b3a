package people

import (
	"bufio"
	"bytes"
	"context"
	_ "embed"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/interdict/interdict/internal/index/people"
)

// hostingASNs is the curated list of hosting, cloud, VPS and VPN-egress
// networks, with its source in the file's comment.
//
//go:embed data/hosting_asns.csv
var hostingASNs []byte

// HostingASNs returns the curated hosting networks: AS number to holder.
func HostingASNs() map[string]string {
	out := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(hostingASNs))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, "asn,") {
			continue
		}
		f := strings.Split(line, ",")
		out[f[0]] = f[1]
	}
	return out
}

// LogConfig tunes the log rules.
type LogConfig struct {
	// TravelWindow: logins of one person from two countries closer in time
	// than this are impossible travel.
	TravelWindow time.Duration
	// HubSize: an IP used by this many persons or more is shared
	// infrastructure (a corporate VPN egress) and gives an info signal only.
	HubSize int
	// MinActivity is the number of login and activity events below which the
	// hours rule says nothing; NightShare the share of them between 00:00
	// and 05:59 in the claimed time zone at or above which it flags.
	MinActivity int
	NightShare  float64
	// HostingShare: logins from hosting networks at or above this share of
	// all logins flag (medium); fewer give a low signal.
	HostingShare float64
}

// DefaultLogConfig returns the documented defaults.
func DefaultLogConfig() LogConfig {
	return LogConfig{TravelWindow: 3 * time.Hour, HubSize: 10, MinActivity: 20, NightShare: 0.5, HostingShare: 0.5}
}

// LogSubject is everything the log rules may read about a person: its
// events (hashed IPs and logins, countries the IPs geolocate to, networks,
// times), its claimed time zone and who else used its IPs. Like Subject it
// has no protected attribute.
type LogSubject struct {
	PersonID string
	// TimeZone is the claimed working time zone (a time_zone identifier), or "".
	TimeZone string
	Events   []people.Event
	// IPOthers lists, per IP hash of the events, the other persons with an
	// event from that IP.
	IPOthers map[people.Hash][]string
}

// LogSubjectOf reads p's events and the other users of their IPs from es.
func LogSubjectOf(ctx context.Context, es people.EventStore, p *people.Person) (LogSubject, error) {
	s := LogSubject{PersonID: p.ID, IPOthers: map[people.Hash][]string{}}
	if tz := p.Values(people.TimeZone); len(tz) > 0 {
		s.TimeZone = tz[0]
	}
	evs, err := es.Events(ctx, p.ID)
	if err != nil {
		return s, fmt.Errorf("people: events of %s: %w", p.ID, err)
	}
	s.Events = evs
	for _, e := range evs {
		if e.IPHash == (people.Hash{}) {
			continue
		}
		if _, ok := s.IPOthers[e.IPHash]; ok {
			continue
		}
		ids, err := es.PersonsByIP(ctx, e.IPHash)
		if err != nil {
			return s, fmt.Errorf("people: persons by ip: %w", err)
		}
		s.IPOthers[e.IPHash] = slices.DeleteFunc(ids, func(id string) bool { return id == p.ID })
	}
	return s, nil
}

// LogRules evaluates the login and activity patterns.
type LogRules struct {
	cfg     LogConfig
	hosting map[string]string
}

// NewLogRules returns the log rules with cfg (zero fields: the defaults) and
// the curated hosting networks.
func NewLogRules(cfg LogConfig) *LogRules {
	d := DefaultLogConfig()
	if cfg.TravelWindow <= 0 {
		cfg.TravelWindow = d.TravelWindow
	}
	if cfg.HubSize <= 0 {
		cfg.HubSize = d.HubSize
	}
	if cfg.MinActivity <= 0 {
		cfg.MinActivity = d.MinActivity
	}
	if cfg.NightShare <= 0 {
		cfg.NightShare = d.NightShare
	}
	if cfg.HostingShare <= 0 {
		cfg.HostingShare = d.HostingShare
	}
	return &LogRules{cfg: cfg, hosting: HostingASNs()}
}

// Evaluate runs every log rule on s, ordered as Rules.Evaluate orders.
func (r *LogRules) Evaluate(s LogSubject) []Signal {
	evs := slices.Clone(s.Events)
	slices.SortStableFunc(evs, func(a, b people.Event) int { return a.Time.Compare(b.Time) })
	var out []Signal
	for _, f := range []func(LogSubject, []people.Event) []Signal{r.travel, r.sharedIP, r.hours, r.hostingNet, r.githubYoung, r.handles} {
		out = append(out, f(s, evs)...)
	}
	a := Assessment{}
	a.AddSignals(out)
	return a.Signals
}

func isPresence(e people.Event) bool {
	return e.Kind == people.EventLogin || e.Kind == people.EventActivity
}

func logSignal(rule, advisory string, sev Severity, person, summary string, ev ...Evidence) Signal {
	return Signal{Rule: rule, Advisory: advisory, Severity: sev, PersonID: person, Summary: summary, Evidence: ev}
}

func at(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// travel: rule PPL-LOG-TRAVEL, sign-ins from two countries closer in time
// than TravelWindow.
func (r *LogRules) travel(s LogSubject, evs []people.Event) []Signal {
	var last *people.Event
	n := 0
	var first [2]people.Event
	for i := range evs {
		e := &evs[i]
		if !isPresence(*e) || e.Country == "" {
			continue
		}
		if last != nil && last.Country != e.Country && e.Time.Sub(last.Time) < r.cfg.TravelWindow {
			if n == 0 {
				first = [2]people.Event{*last, *e}
			}
			n++
		}
		last = e
	}
	if n == 0 {
		return nil
	}
	gap := first[1].Time.Sub(first[0].Time)
	return []Signal{logSignal("PPL-LOG-TRAVEL", AdvisoryFBI2025, Medium, s.PersonID,
		fmt.Sprintf("%d sign-in(s) from another country within %v of the previous one (first: %s then %s, %v apart)", n, r.cfg.TravelWindow, first[0].Country, first[1].Country, gap),
		Evidence{Kind: "log", Field: "country", Value: first[0].Country + "@" + at(first[0].Time)},
		Evidence{Kind: "log", Field: "country", Value: first[1].Country + "@" + at(first[1].Time)})}
}

// sharedIP: rule PPL-LOG-SHARED-IP, an IP other persons' events came from too.
func (r *LogRules) sharedIP(s LogSubject, evs []people.Event) []Signal {
	var out []Signal
	seen := map[people.Hash]bool{}
	for _, e := range evs {
		others := s.IPOthers[e.IPHash]
		if e.IPHash == (people.Hash{}) || seen[e.IPHash] || len(others) == 0 {
			continue
		}
		seen[e.IPHash] = true
		sev, summary := Medium, fmt.Sprintf("signed in from an IP %d other person(s) used too", len(others))
		if len(others)+1 >= r.cfg.HubSize {
			sev, summary = Info, fmt.Sprintf("an IP used by %d persons: shared infrastructure, not evidence", len(others)+1)
		}
		out = append(out, logSignal("PPL-LOG-SHARED-IP", AdvisoryUSROK2023, sev, s.PersonID, summary,
			Evidence{Kind: "log", Field: "ip", Value: Ref(e.IPHash), Persons: others}))
	}
	return out
}

// hours: rule PPL-LOG-HOURS, sign-ins and activity mostly at night in the
// claimed time zone.
func (r *LogRules) hours(s LogSubject, evs []people.Event) []Signal {
	if s.TimeZone == "" {
		return nil
	}
	loc, err := time.LoadLocation(s.TimeZone)
	if err != nil {
		return nil
	}
	total, night := 0, 0
	for _, e := range evs {
		if !isPresence(e) {
			continue
		}
		total++
		if e.Time.In(loc).Hour() < 6 {
			night++
		}
	}
	if total < r.cfg.MinActivity || float64(night) < r.cfg.NightShare*float64(total) {
		return nil
	}
	return []Signal{logSignal("PPL-LOG-HOURS", AdvisoryUS2022, Medium, s.PersonID,
		fmt.Sprintf("%d of %d sign-ins and actions between 00:00 and 05:59 in the claimed time zone %s", night, total, s.TimeZone),
		Evidence{Kind: "log", Field: string(people.TimeZone), Value: fmt.Sprintf("%s: %d/%d at night", s.TimeZone, night, total)})}
}

// hostingNet: rule PPL-LOG-HOSTING, sign-ins from hosting, cloud, VPS or
// VPN-egress networks (HostingASNs).
func (r *LogRules) hostingNet(s LogSubject, evs []people.Event) []Signal {
	total := 0
	hits := map[string]int{}
	n := 0
	for _, e := range evs {
		if e.Kind != people.EventLogin || e.ASN == "" {
			continue
		}
		total++
		if _, ok := r.hosting[e.ASN]; ok {
			hits[e.ASN]++
			n++
		}
	}
	if n == 0 {
		return nil
	}
	sev := Low
	if float64(n) >= r.cfg.HostingShare*float64(total) {
		sev = Medium
	}
	var ev []Evidence
	for _, asn := range slices.Sorted(func(yield func(string) bool) {
		for a := range hits {
			if !yield(a) {
				return
			}
		}
	}) {
		ev = append(ev, Evidence{Kind: "log", Field: "asn", Value: fmt.Sprintf("%s %s: %d sign-in(s)", asn, r.hosting[asn], hits[asn])})
	}
	return []Signal{logSignal("PPL-LOG-HOSTING", AdvisoryFBI2025, sev, s.PersonID,
		fmt.Sprintf("%d of %d sign-ins from hosting, cloud or VPN-egress networks (a rented machine or remote desktop)", n, total), ev...)}
}

// githubYoung: rule PPL-GITHUB-YOUNG, commits authored more than a day
// before the GitHub account they are under was created (backdated history
// or a bought account).
func (r *LogRules) githubYoung(s LogSubject, evs []people.Event) []Signal {
	var created time.Time
	for _, e := range evs {
		if e.Kind == people.EventAccount && !e.AccountCreated.IsZero() && (created.IsZero() || e.AccountCreated.Before(created)) {
			created = e.AccountCreated
		}
	}
	if created.IsZero() {
		return nil
	}
	n := 0
	var earliest time.Time
	for _, e := range evs {
		if e.Kind == people.EventCommit && e.Time.Before(created.Add(-24*time.Hour)) {
			if n == 0 {
				earliest = e.Time
			}
			n++
		}
	}
	if n == 0 {
		return nil
	}
	return []Signal{logSignal("PPL-GITHUB-YOUNG", AdvisoryUS2022, Medium, s.PersonID,
		fmt.Sprintf("%d commit(s) dated before the GitHub account was created (%s; earliest commit %s)", n, at(created), at(earliest)),
		Evidence{Kind: "log", Field: "account_created", Value: at(created)},
		Evidence{Kind: "log", Field: "commit", Value: at(earliest)})}
}

// handles: rule PPL-GITHUB-HANDLE, the person's GitHub events seen under
// several logins (renamed accounts).
func (r *LogRules) handles(s LogSubject, evs []people.Event) []Signal {
	var logins []people.Hash
	for _, e := range evs {
		if e.LoginHash != (people.Hash{}) && !slices.Contains(logins, e.LoginHash) {
			logins = append(logins, e.LoginHash)
		}
	}
	if len(logins) < 2 {
		return nil
	}
	sev := Low
	if len(logins) >= 3 {
		sev = Medium
	}
	refs := make([]string, len(logins))
	for i, h := range logins {
		refs[i] = Ref(h)
	}
	return []Signal{logSignal("PPL-GITHUB-HANDLE", AdvisoryUSROK2023, sev, s.PersonID,
		fmt.Sprintf("GitHub activity under %d logins: the handle changed %d time(s)", len(logins), len(logins)-1),
		Evidence{Kind: "log", Field: "github_login", Value: strings.Join(refs, ",")})}
}
