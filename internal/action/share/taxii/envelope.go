package taxii

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Envelope is the TAXII 2.1 envelope resource (section 3.7): a page of
// objects. Objects are kept raw.
type Envelope struct {
	More    bool              `json:"more,omitempty"`
	Next    string            `json:"next,omitempty"`
	Objects []json.RawMessage `json:"objects,omitempty"`
}

// DecodeEnvelope parses an envelope. It refuses anything but a JSON object
// whose objects member, when present, is an array of JSON objects, and
// trailing data after it.
func DecodeEnvelope(b []byte) (Envelope, error) {
	var env Envelope
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&env); err != nil {
		return Envelope{}, fmt.Errorf("%w: envelope is not valid JSON of the envelope resource: %s", ErrInvalid, jsonMessage(err))
	}
	if dec.More() {
		return Envelope{}, fmt.Errorf("%w: data after the envelope", ErrInvalid)
	}
	if t := bytes.TrimSpace(b); len(t) == 0 || t[0] != '{' {
		return Envelope{}, fmt.Errorf("%w: envelope is not a JSON object", ErrInvalid)
	}
	for i, o := range env.Objects {
		if t := bytes.TrimSpace(o); len(t) == 0 || t[0] != '{' {
			return Envelope{}, fmt.Errorf("%w: objects[%d] is not a JSON object", ErrInvalid, i)
		}
	}
	return env, nil
}

// jsonMessage shortens encoding/json's messages, which name Go types.
func jsonMessage(err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return fmt.Sprintf("syntax error at byte %d", se.Offset)
	case errors.As(err, &te):
		return fmt.Sprintf("field %q has the wrong JSON type (%s)", te.Field, te.Value)
	}
	return err.Error()
}

// objectHead is what TAXII reads of a STIX object.
type objectHead struct {
	ID                string          `json:"id"`
	Type              string          `json:"type"`
	SpecVersion       string          `json:"spec_version"`
	Created           string          `json:"created"`
	Modified          string          `json:"modified"`
	ObjectMarkingRefs []string        `json:"object_marking_refs"`
	Meta              json.RawMessage `json:"__meta"`
}

// ParseObject reads the envelope fields of one STIX object. An object without
// spec_version is STIX 2.0. Its version is modified, else created; an object
// with neither (an SCO) has no version time and is versioned by date_added.
func ParseObject(raw json.RawMessage) (Object, error) {
	var h objectHead
	if err := json.Unmarshal(raw, &h); err != nil {
		return Object{}, fmt.Errorf("%w: object is not a STIX object: %s", ErrInvalid, jsonMessage(err))
	}
	if h.Type == "" {
		return Object{}, fmt.Errorf("%w: object has no type", ErrInvalid)
	}
	if h.ID == "" {
		return Object{}, fmt.Errorf("%w: object has no id", ErrInvalid)
	}
	prefix, rest, ok := strings.Cut(h.ID, "--")
	if !ok || prefix != h.Type || rest == "" {
		return Object{}, fmt.Errorf("%w: id %q is not of the form %s--<identifier>", ErrInvalid, h.ID, h.Type)
	}
	o := Object{ID: h.ID, Type: h.Type, SpecVersion: h.SpecVersion, TLP: tlpOf(h.ObjectMarkingRefs), Body: raw}
	if o.SpecVersion == "" {
		o.SpecVersion = "2.0"
	}
	if o.SpecVersion != "2.0" && o.SpecVersion != "2.1" {
		return Object{}, fmt.Errorf("%w: spec_version %q is not 2.0 or 2.1", ErrInvalid, o.SpecVersion)
	}
	o.MediaType = STIXMediaType(o.SpecVersion)
	o.Version = h.Modified
	if o.Version == "" {
		o.Version = h.Created
	}
	if o.Version != "" {
		t, err := ParseTimestamp(o.Version)
		if err != nil {
			return Object{}, fmt.Errorf("%w: object %s: version %q: %w", ErrInvalid, o.ID, o.Version, err)
		}
		o.VersionTime = t
	}
	return o, nil
}

// ParseTimestamp reads an RFC 3339 timestamp in UTC ("Z"), as STIX and TAXII
// write them.
func ParseTimestamp(s string) (time.Time, error) {
	if !strings.HasSuffix(s, "Z") {
		return time.Time{}, fmt.Errorf("%w: timestamp %q is not in UTC (ends in Z)", ErrInvalid, s)
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%w: timestamp %q is not RFC 3339", ErrInvalid, s)
	}
	return t.UTC(), nil
}

// FormatTimestamp writes t as TAXII writes date_added: UTC, microseconds.
func FormatTimestamp(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.000000Z")
}
