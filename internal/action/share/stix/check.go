package stix

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/interdict/interdict/internal/action/share/stix/pattern"
)

// Check tests the rules of STIX 2.1 that the JSON schemas cannot express:
// modified not before created, an indicator's pattern parses (pattern_type
// stix) and valid_until is after valid_from, sightings' first_seen not after
// last_seen, references are ids of the right kind, and every granular
// marking selector names a property the object has. All violations are
// returned, joined; each wraps ErrInvalid.
func Check(o Object) error {
	c := o.Core()
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("%w: %s: %s", ErrInvalid, c.ID, fmt.Sprintf(format, args...)))
	}
	if err := CheckID(c.ID, c.Type); err != nil {
		errs = append(errs, err)
	}
	if !c.Created.IsZero() && !c.Modified.IsZero() && c.Modified.Time().Before(c.Created.Time()) {
		bad("modified %s is before created %s", c.Modified, c.Created)
	}
	ref := func(prop, id, typ string) {
		if err := CheckID(id, typ); err != nil {
			bad("%s: %v", prop, err)
		}
	}
	if c.CreatedByRef != "" {
		ref("created_by_ref", c.CreatedByRef, "identity")
	}
	for i, m := range c.ObjectMarkingRefs {
		ref(fmt.Sprintf("object_marking_refs[%d]", i), m, "marking-definition")
	}
	switch x := o.(type) {
	case *Indicator:
		if x.PatternType == "stix" {
			if _, err := pattern.Parse(x.Pattern); err != nil {
				bad("pattern: %v", err)
			}
		}
		if !x.ValidUntil.IsZero() && !x.ValidUntil.Time().After(x.ValidFrom.Time()) {
			bad("valid_until %s is not after valid_from %s", x.ValidUntil, x.ValidFrom)
		}
	case *Relationship:
		ref("source_ref", x.SourceRef, "")
		ref("target_ref", x.TargetRef, "")
		if !x.StartTime.IsZero() && !x.StopTime.IsZero() && !x.StopTime.Time().After(x.StartTime.Time()) {
			bad("stop_time %s is not after start_time %s", x.StopTime, x.StartTime)
		}
	case *Sighting:
		ref("sighting_of_ref", x.SightingOfRef, "")
		if !x.FirstSeen.IsZero() && !x.LastSeen.IsZero() && x.LastSeen.Time().Before(x.FirstSeen.Time()) {
			bad("last_seen %s is before first_seen %s", x.LastSeen, x.FirstSeen)
		}
	}
	if len(c.GranularMarkings) > 0 {
		b, err := Marshal(o)
		if err != nil {
			return err
		}
		var doc map[string]any
		if err := json.Unmarshal(b, &doc); err != nil {
			return err
		}
		for i, g := range c.GranularMarkings {
			if g.MarkingRef == "" && g.Lang == "" {
				bad("granular_markings[%d] has neither marking_ref nor lang", i)
			}
			if g.MarkingRef != "" {
				ref(fmt.Sprintf("granular_markings[%d].marking_ref", i), g.MarkingRef, "marking-definition")
			}
			for _, s := range g.Selectors {
				if !selects(doc, s) {
					bad("granular_markings[%d]: selector %q names no property of the object", i, s)
				}
			}
		}
	}
	return errors.Join(errs...)
}

// selects reports whether a granular-marking selector ("description",
// "external_references.[0].url") resolves in the object.
func selects(doc map[string]any, selector string) bool {
	var cur any = doc
	for _, step := range strings.Split(selector, ".") {
		if strings.HasPrefix(step, "[") && strings.HasSuffix(step, "]") {
			i, err := strconv.Atoi(step[1 : len(step)-1])
			list, ok := cur.([]any)
			if err != nil || !ok || i < 0 || i >= len(list) {
				return false
			}
			cur = list[i]
			continue
		}
		m, ok := cur.(map[string]any)
		if !ok {
			return false
		}
		if cur, ok = m[step]; !ok {
			return false
		}
	}
	return true
}
