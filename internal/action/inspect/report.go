package inspect

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"time"
)

// ReportFormat names the JSON layout of a report.
const ReportFormat = "interdict-inspection-report/1"

// ErrSignature: a signed report whose signature does not verify.
var ErrSignature = errors.New("inspect: report signature does not verify")

// Report is what an inspection shows a regulator or auditor.
type Report struct {
	Format     string          `json:"format"`
	Inspection Inspection      `json:"inspection"`
	Generated  time.Time       `json:"generated"`
	Catalogue  []Provenance    `json:"catalogue"`
	Summary    Tally           `json:"summary"`
	SEAL       []ModuleStatus  `json:"seal_modules"`
	CCSS       CCSSLevel       `json:"ccss"`
	FSA        []ItemStatus    `json:"fsa"`
	Techniques TechniqueCover  `json:"techniques"`
	Answers    []Answer        `json:"answers"`
	Evidence   []EvidenceState `json:"evidence"`
	Diff       *ReportDiff     `json:"diff,omitempty"`
	Findings   []Finding       `json:"findings,omitempty"`
}

// Provenance names a catalogue file a report was made against.
type Provenance struct {
	Framework   string `json:"framework"`
	Name        string `json:"name"`
	Source      string `json:"source"`
	License     string `json:"license"`
	Attribution string `json:"attribution"`
}

// Tally counts answers by status; Unanswered controls count as Unknown.
type Tally struct {
	Implemented    int `json:"implemented"`
	Partial        int `json:"partial"`
	NotImplemented int `json:"not_implemented"`
	NotApplicable  int `json:"na"`
	Unknown        int `json:"unknown"`
}

func (t *Tally) add(s Status) {
	switch s {
	case Implemented:
		t.Implemented++
	case Partial:
		t.Partial++
	case NotImplemented:
		t.NotImplemented++
	case NotApplicable:
		t.NotApplicable++
	default:
		t.Unknown++
	}
}

// ModuleStatus is a SEAL module: "certifiable" when every control is
// implemented or N/A, "gaps" when any is partial or not implemented, else
// "incomplete" (some unknown).
type ModuleStatus struct {
	ID     string `json:"id"`
	Title  string `json:"title"`
	Tally  Tally  `json:"tally"`
	Status string `json:"status"`
}

// CCSSLevel is the CCSS level reached: per aspect, the highest level whose
// components (those starting at or below it) are all implemented or N/A;
// overall, the minimum over aspects. Undetermined says an unknown answer
// stops an aspect from showing a higher level: the level is "at least".
type CCSSLevel struct {
	Level        int           `json:"level"`
	Undetermined bool          `json:"undetermined"`
	Aspects      []AspectLevel `json:"aspects"`
}

// AspectLevel is one CCSS aspect's level.
type AspectLevel struct {
	ID           string `json:"id"`
	Title        string `json:"title"`
	Level        int    `json:"level"`
	Undetermined bool   `json:"undetermined"`
}

// ItemStatus is one FSA item's answer.
type ItemStatus struct {
	ID     string `json:"id"`
	Title  string `json:"title"`
	Status Status `json:"status"`
}

// TechniqueCover is the coverage of the DPRK techniques the catalogue's
// controls counter: covered when at least one control countering it is
// implemented; exposed when every control countering it is answered and none
// is; else unknown.
type TechniqueCover struct {
	Total   int      `json:"total"`
	Covered int      `json:"covered"`
	Exposed []string `json:"exposed"`
	Unknown int      `json:"unknown"`
}

// EvidenceState is an evidence item and whether it still counts.
type EvidenceState struct {
	Evidence
	Expired bool `json:"expired"`
}

// ReportDiff is the change since the previous inspection.
type ReportDiff struct {
	Previous string   `json:"previous"`
	Changes  []Change `json:"changes"`
}

// BuildReport assembles a report from an inspection's answers and evidence.
// prev are the previous inspection's answers (nil when there is none);
// findings are a configuration evaluation's failing controls, if any.
func (c *Catalogue) BuildReport(in Inspection, answers []Answer, evidence []Evidence, prev []Answer, findings []Finding, now time.Time) *Report {
	r := &Report{Format: ReportFormat, Inspection: in, Generated: now.UTC(), Answers: answers, Findings: findings}
	status := map[string]Status{}
	for _, a := range answers {
		status[a.Control] = a.Status
	}
	get := func(key string) Status {
		if s, ok := status[key]; ok {
			return s
		}
		return Unknown
	}
	for _, f := range c.Frameworks {
		r.Catalogue = append(r.Catalogue, Provenance{f.ID, f.Name, f.Source, f.License, f.Attribution})
		for _, ctl := range f.Controls {
			r.Summary.add(get(ctl.Key))
		}
	}
	if f, ok := c.Framework(SEAL); ok {
		for _, g := range f.Groups {
			m := ModuleStatus{ID: g.ID, Title: g.Title}
			for _, ctl := range f.Controls {
				if ctl.Group == g.ID {
					m.Tally.add(get(ctl.Key))
				}
			}
			switch {
			case m.Tally.Partial+m.Tally.NotImplemented > 0:
				m.Status = "gaps"
			case m.Tally.Unknown > 0:
				m.Status = "incomplete"
			default:
				m.Status = "certifiable"
			}
			r.SEAL = append(r.SEAL, m)
		}
	}
	r.CCSS = c.ccssLevel(get)
	if f, ok := c.Framework(FSA); ok {
		for _, ctl := range f.Controls {
			r.FSA = append(r.FSA, ItemStatus{ID: ctl.ID, Title: ctl.Title, Status: get(ctl.Key)})
		}
	}
	r.Techniques = c.techniqueCover(get)
	for _, e := range evidence {
		r.Evidence = append(r.Evidence, EvidenceState{Evidence: e, Expired: e.Expired(now)})
	}
	if in.Previous != "" {
		r.Diff = &ReportDiff{Previous: in.Previous, Changes: Diff(prev, answers)}
	}
	return r
}

func (c *Catalogue) ccssLevel(get func(string) Status) CCSSLevel {
	out := CCSSLevel{Level: 3}
	f, ok := c.Framework(CCSS)
	if !ok {
		return CCSSLevel{}
	}
	for _, g := range f.Groups {
		a := AspectLevel{ID: g.ID, Title: g.Title}
	levels:
		for l := 1; l <= 3; l++ {
			for _, ctl := range f.Controls {
				if ctl.Group != g.ID || ctl.MinLevel == 0 || ctl.MinLevel > l {
					continue
				}
				switch s := get(ctl.Key); {
				case s == Unknown:
					a.Undetermined = true
					break levels
				case !s.Passed():
					break levels
				}
			}
			a.Level = l
		}
		out.Aspects = append(out.Aspects, a)
		out.Level = min(out.Level, a.Level)
	}
	// The overall level is "at least" when an aspect at the minimum could
	// show more once its unknown answers are given.
	for _, a := range out.Aspects {
		out.Undetermined = out.Undetermined || a.Undetermined && a.Level == out.Level
	}
	return out
}

func (c *Catalogue) techniqueCover(get func(string) Status) TechniqueCover {
	type state struct{ covered, unknown bool }
	by := map[string]*state{}
	for _, key := range c.Controls() {
		ctl := c.controls[key]
		s := get(key)
		for _, t := range ctl.Counters {
			st := by[t]
			if st == nil {
				st = &state{}
				by[t] = st
			}
			st.covered = st.covered || s == Implemented
			st.unknown = st.unknown || s == Unknown
		}
	}
	var out TechniqueCover
	for t, st := range by {
		out.Total++
		switch {
		case st.covered:
			out.Covered++
		case st.unknown:
			out.Unknown++
		default:
			out.Exposed = append(out.Exposed, t)
		}
	}
	sort.Strings(out.Exposed)
	return out
}

// Signed is a report with its Ed25519 signature over the exact bytes of
// Report, so a reader verifies what it was given, not a re-encoding.
type Signed struct {
	Algorithm string          `json:"alg"`
	PublicKey string          `json:"public_key"` // base64
	Signature string          `json:"signature"`  // base64
	Report    json.RawMessage `json:"report"`
}

// Sign encodes and signs a report.
func Sign(r *Report, key ed25519.PrivateKey) ([]byte, error) {
	if len(key) != ed25519.PrivateKeySize {
		return nil, fmt.Errorf("%w: Ed25519 private key of %d bytes", ErrInvalid, len(key))
	}
	body, err := json.Marshal(r)
	if err != nil {
		return nil, fmt.Errorf("inspect: encode report: %w", err)
	}
	s := Signed{Algorithm: "ed25519", PublicKey: base64.StdEncoding.EncodeToString(key.Public().(ed25519.PublicKey)),
		Signature: base64.StdEncoding.EncodeToString(ed25519.Sign(key, body)), Report: body}
	return json.MarshalIndent(s, "", " ")
}

// Verify checks a signed report against a trusted public key (nil trusts the
// key the report carries, which proves integrity but not origin) and
// returns the report.
func Verify(b []byte, trusted ed25519.PublicKey) (*Report, error) {
	var s Signed
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	if s.Algorithm != "ed25519" {
		return nil, fmt.Errorf("%w: algorithm %q", ErrSignature, s.Algorithm)
	}
	pub, err := base64.StdEncoding.DecodeString(s.PublicKey)
	if err != nil || len(pub) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("%w: bad public key", ErrSignature)
	}
	if trusted != nil && !bytes.Equal(pub, trusted) {
		return nil, fmt.Errorf("%w: signed by another key", ErrSignature)
	}
	sig, err := base64.StdEncoding.DecodeString(s.Signature)
	if err != nil || !ed25519.Verify(pub, compact(s.Report), sig) {
		return nil, ErrSignature
	}
	var r Report
	if err := json.Unmarshal(s.Report, &r); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	return &r, nil
}

// compact undoes the indentation MarshalIndent gave the embedded report, so
// the bytes verified are the bytes signed.
func compact(b []byte) []byte {
	var buf bytes.Buffer
	if err := json.Compact(&buf, b); err != nil {
		return b
	}
	return buf.Bytes()
}
