package federate

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/interdict/interdict/internal/action/notify"
	"github.com/interdict/interdict/internal/action/share/stix"
)

// namespace is the UUIDv5 namespace of every id this package derives.
var namespace = uuid.NewSHA1(uuid.NameSpaceURL, []byte("https://github.com/interdict/interdict/federation"))

// ExtensionID is the id of the extension-definition of the signed-record
// property extension.
var ExtensionID = "extension-definition--" + uuid.NewSHA1(namespace, []byte("extension\x00interdict-signed-record-v1")).String()

// ProjectIdentityID is the identity that created the extension definition.
var ProjectIdentityID = "identity--" + uuid.NewSHA1(namespace, []byte("project\x00interdict")).String()

// extensionCreated is when the extension definition was first written.
var extensionCreated = time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)

// Signed is the property extension an indicator carries: the envelope as
// signed, with the payload and signature in standard base64.
type Signed struct {
	ExtensionType string `json:"extension_type"`
	Payload       string `json:"payload"`
	KeyID         string `json:"key_id"`
	Signature     string `json:"signature"`
}

// ExtensionDefinition returns the extension-definition object of Signed.
func ExtensionDefinition() *stix.ExtensionDefinition {
	d := &stix.ExtensionDefinition{
		Name:           "Interdict signed record",
		Description:    "The notify envelope (canonical JSON record, Ed25519 key id and signature) an Interdict flag indicator was made from; receivers trust only this, verified.",
		Schema:         "https://github.com/interdict/interdict/blob/main/docs/federation.md",
		Version:        "1.0.0",
		ExtensionTypes: []string{"property-extension"},
	}
	ts := stix.NewTimestamp(extensionCreated)
	d.Type, d.SpecVersion, d.ID, d.CreatedByRef, d.Created, d.Modified = "extension-definition", "2.1", ExtensionID, ProjectIdentityID, ts, ts
	return d
}

// IndicatorID is the id of the indicator of flag flagID issued by issuer.
func IndicatorID(issuer, flagID string) string {
	return "indicator--" + uuid.NewSHA1(namespace, []byte("flag\x00"+issuer+"\x00"+flagID)).String()
}

// MemberIdentityID is the STIX identity id of a member.
func MemberIdentityID(member string) string {
	return "identity--" + uuid.NewSHA1(namespace, []byte("member\x00"+member)).String()
}

// flagID is the flag a record is about: its own id, or the ref of a
// revocation or amendment.
func flagID(r notify.Record) string {
	if r.Kind == notify.KindFlag {
		return r.ID
	}
	return r.Ref
}

// versionTime is the indicator version (modified) of a record: its
// issued_at (whole seconds) plus milliseconds by kind, so a flag, an
// amendment and a revocation issued within one second still are three
// versions. Flags take .000, revocations .999, amendments 1–997 from a hash
// of their id.
func versionTime(r notify.Record) time.Time {
	ms := 0
	switch r.Kind {
	case notify.KindRevocation:
		ms = 999
	case notify.KindAmendment:
		h := fnv.New32a()
		h.Write([]byte(r.ID))
		ms = 1 + int(h.Sum32()%997)
	}
	return r.IssuedAt.UTC().Truncate(time.Second).Add(time.Duration(ms) * time.Millisecond)
}

// quote writes a STIX pattern string literal.
func quote(s string) string {
	return "'" + strings.ReplaceAll(strings.ReplaceAll(s, `\`, `\\`), `'`, `\'`) + "'"
}

// Pattern is the STIX pattern of a record's subjects: the addresses in one
// observation expression, each transaction or output in its own, joined by
// OR. It is empty for a record without subjects.
func Pattern(subjects []notify.Subject) string {
	var addrs, others []string
	for _, s := range subjects {
		switch {
		case s.Address != "":
			addrs = append(addrs, "cryptocurrency-wallet:address = "+quote(s.Address))
		case s.Vout != nil:
			others = append(others, fmt.Sprintf("[cryptocurrency-transaction:symbol = %s AND cryptocurrency-transaction:hash = %s AND EXISTS cryptocurrency-transaction:output[%d].address_ref]",
				quote(strings.ToUpper(s.Chain)), quote(s.TxID), *s.Vout))
		default:
			others = append(others, fmt.Sprintf("[cryptocurrency-transaction:symbol = %s AND cryptocurrency-transaction:hash = %s]", quote(strings.ToUpper(s.Chain)), quote(s.TxID)))
		}
	}
	var parts []string
	if len(addrs) > 0 {
		parts = append(parts, "["+strings.Join(addrs, " OR ")+"]")
	}
	return strings.Join(append(parts, others...), " OR ")
}

// revocationPattern stands in for the pattern of a revoked flag when the
// flag's own indicator is not at hand: the pattern of an indicator
// version is required, and a revoked one matches nothing anyway.
func revocationPattern(flag string) string { return "[x-interdict-flag:id = " + quote(flag) + "]" }

// chains lists the chains of subjects, sorted.
func chains(subjects []notify.Subject) []string {
	var out []string
	for _, s := range subjects {
		if !slices.Contains(out, s.Chain) {
			out = append(out, s.Chain)
		}
	}
	slices.Sort(out)
	return out
}

// Previous is what a revocation or an amendment without subjects takes over
// from the indicator's earlier version: its created time and pattern.
type Previous struct {
	Created time.Time
	Pattern string
}

// Encode turns a signed record into its indicator, as JSON. rec must be the
// record env carries (as Identity.Sign or notify.Verify return it). prev,
// when not nil, is the indicator's earlier version (see Previous).
func Encode(env notify.Envelope, rec notify.Record, prev *Previous) (json.RawMessage, error) {
	ind, err := Indicator(env, rec, prev)
	if err != nil {
		return nil, err
	}
	return stix.Marshal(ind)
}

// Indicator builds the indicator of a signed record (see Encode).
func Indicator(env notify.Envelope, rec notify.Record, prev *Previous) (*stix.Indicator, error) {
	if rec.ID == "" || rec.Issuer == "" || rec.IssuedAt.IsZero() {
		return nil, errors.New("federate: encode: record has no id, issuer or issued_at")
	}
	ind := &stix.Indicator{PatternType: "stix", IndicatorTypes: []string{"malicious-activity"}}
	ver := stix.NewTimestamp(versionTime(rec))
	created := ver
	if rec.Kind == notify.KindFlag {
		created = stix.NewTimestamp(rec.IssuedAt)
	} else if prev != nil && !prev.Created.IsZero() && !prev.Created.After(ver.Time()) {
		created = stix.NewTimestamp(prev.Created)
	}
	ind.Type, ind.SpecVersion, ind.ID = "indicator", "2.1", IndicatorID(rec.Issuer, flagID(rec))
	ind.Created, ind.Modified, ind.CreatedByRef = created, ver, MemberIdentityID(rec.Issuer)
	ind.Pattern = Pattern(rec.Subjects)
	if ind.Pattern == "" && prev != nil {
		ind.Pattern = prev.Pattern
	}
	if ind.Pattern == "" {
		ind.Pattern = revocationPattern(flagID(rec))
	}
	ind.Name, ind.Description = describe(rec)
	ind.ValidFrom = stix.NewTimestamp(rec.IssuedAt)
	if !rec.ExpiresAt.IsZero() {
		ind.ValidUntil = stix.NewTimestamp(rec.ExpiresAt)
	}
	if rec.Confidence > 0 {
		c := rec.Confidence
		ind.Confidence = &c
	}
	if rec.Kind == notify.KindRevocation {
		t := true
		ind.Revoked = &t
	}
	for _, c := range chains(rec.Subjects) {
		ind.Labels = append(ind.Labels, "chain:"+c)
	}
	if rec.TLP != "" {
		t, err := stix.ParseTLP(rec.TLP)
		if err != nil {
			return nil, fmt.Errorf("federate: encode %s: %w", rec.ID, err)
		}
		ind.ObjectMarkingRefs = []string{stix.TLP20ID(t)}
	}
	ext, err := json.Marshal(Signed{
		ExtensionType: "property-extension",
		Payload:       base64.StdEncoding.EncodeToString(env.Payload),
		KeyID:         env.KeyID,
		Signature:     base64.StdEncoding.EncodeToString(env.Signature),
	})
	if err != nil {
		return nil, fmt.Errorf("federate: encode %s: %w", rec.ID, err)
	}
	ind.Extensions = map[string]json.RawMessage{ExtensionID: ext}
	return ind, nil
}

// describe gives an indicator's name and description from the record.
func describe(r notify.Record) (name, desc string) {
	switch r.Kind {
	case notify.KindRevocation:
		name = "Interdict flag " + r.Ref + " (revoked)"
	case notify.KindAmendment:
		name = "Interdict flag " + r.Ref + " (amended)"
	default:
		name = "Interdict flag " + r.ID
	}
	var lines []string
	for _, f := range []struct{ k, v string }{{"Reason", r.Reason}, {"Incident", r.Incident}, {"Actor", r.Actor}, {"Issuer", r.Issuer}} {
		if f.v != "" {
			lines = append(lines, f.k+": "+f.v)
		}
	}
	return name, strings.Join(lines, "\n")
}
