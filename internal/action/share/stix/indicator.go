package stix

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/interdict/interdict/internal/action/share/stix/pattern"
)

// NewIndicator returns a STIX-pattern indicator valid from validFrom, marked
// with the TLP 2.0 definition of tlp (none for TLPNone), created now. The
// pattern is parsed first: an indicator Interdict emits always evaluates.
func NewIndicator(name, pat string, validFrom time.Time, tlp TLP) (*Indicator, error) {
	if _, err := pattern.Parse(pat); err != nil {
		return nil, err
	}
	now := NewTimestamp(time.Now())
	ind := &Indicator{Name: name, Pattern: pat, PatternType: "stix", ValidFrom: NewTimestamp(validFrom)}
	ind.Type, ind.SpecVersion, ind.ID, ind.Created, ind.Modified = "indicator", "2.1", NewID("indicator"), now, now
	if id := TLP20ID(tlp); id != "" {
		ind.ObjectMarkingRefs = []string{id}
	}
	return ind, nil
}

// CompiledPattern parses the indicator's pattern; only pattern_type "stix"
// is understood.
func (o *Indicator) CompiledPattern() (*pattern.Pattern, error) {
	if o.PatternType != "stix" {
		return nil, fmt.Errorf("%w: indicator %s has pattern_type %q, not stix", ErrInvalid, o.ID, o.PatternType)
	}
	p, err := pattern.Parse(o.Pattern)
	if err != nil {
		return nil, fmt.Errorf("indicator %s: %w", o.ID, err)
	}
	return p, nil
}

// Observation turns SCOs seen between first and last into what patterns are
// evaluated against.
func Observation(first, last time.Time, scos ...Object) (pattern.Observation, error) {
	o := pattern.Observation{First: first, Last: last}
	for _, s := range scos {
		b, err := Marshal(s)
		if err != nil {
			return o, err
		}
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			return o, err
		}
		o.Objects = append(o.Objects, m)
	}
	return o, nil
}

// ObservedDataObservation turns an observed-data object into an
// observation, looking its object_refs up in objs (e.g. a bundle's objects
// by id); a reference not found is an error.
func ObservedDataObservation(od *ObservedData, objs map[string]Object) (pattern.Observation, error) {
	var scos []Object
	for _, ref := range od.ObjectRefs {
		s, ok := objs[ref]
		if !ok {
			return pattern.Observation{}, fmt.Errorf("%w: observed-data %s refers to %s, which is not given", ErrInvalid, od.ID, ref)
		}
		scos = append(scos, s)
	}
	return Observation(od.FirstObserved.Time(), od.LastObserved.Time(), scos...)
}
