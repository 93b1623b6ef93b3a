package tagpacks

import "fmt"

// DefaultConfidence is given to tags that carry no confidence (the real
// ofac.yaml, miners_additional.yaml and etherscamdb packs have none), with a
// warning: the taxonomy's own "reliability unknown" level.
const DefaultConfidence = "unknown"

// Check validates a pack against the taxonomy. An unknown confidence is always
// an error (a tag must have a numeric level); an unknown category, abuse or
// concept is an error when strict and a warning otherwise (real packs use
// "black_list", which the taxonomy lacks). A tag without confidence gets
// DefaultConfidence and a warning. Check sets the defaults in p.
func Check(p *Pack, tax *Taxonomy, strict bool) ([]Warning, error) {
	var warns []Warning
	noConf := 0
	for i := range p.Tags {
		t := &p.Tags[i]
		if t.Confidence == "" {
			t.Confidence = DefaultConfidence
			noConf++
		} else if _, ok := tax.Confidence[t.Confidence]; !ok {
			return nil, errorf(p.File, t.Line, ErrUnknownConfidence, "tag %s: confidence %q is not in the taxonomy (want one of %v)", t.Address, t.Confidence, tax.ConfidenceIDs())
		}
		for _, c := range t.conceptIDs() {
			if err := tax.checkConcept(c); err != nil {
				if strict {
					return nil, &Error{File: p.File, Line: t.Line, Msg: "tag " + t.Address, Err: err}
				}
				warns = append(warns, Warning{File: p.File, Line: t.Line, Msg: err.Error()})
			}
		}
	}
	if noConf > 0 {
		warns = append(warns, Warning{File: p.File, Msg: fmt.Sprintf("%d tags have no confidence; set to %q", noConf, DefaultConfidence)})
	}
	return dedupWarnings(warns), nil
}

// conceptIDs are the taxonomy-checked values of a tag.
func (f *Fields) conceptIDs() []string {
	var out []string
	for _, c := range []string{f.Category, f.Abuse} {
		if c != "" {
			out = append(out, c)
		}
	}
	return append(out, f.Concepts...)
}

// CheckActors validates an ActorPack's categories and jurisdictions like
// Check does a TagPack's concepts (errors only when strict).
func CheckActors(p *ActorPack, tax *Taxonomy, strict bool) ([]Warning, error) {
	var warns []Warning
	for _, a := range p.Actors {
		for _, c := range a.Categories {
			if err := tax.checkConcept(c); err != nil {
				if strict {
					return nil, &Error{File: p.File, Line: a.Line, Msg: "actor " + a.ID, Err: err}
				}
				warns = append(warns, Warning{File: p.File, Line: a.Line, Msg: err.Error()})
			}
		}
		for _, j := range a.Jurisdictions {
			if _, ok := tax.Countries[j]; !ok {
				e := errorf(p.File, a.Line, nil, "actor %s: jurisdiction %q is not an ISO 3166 code", a.ID, j)
				if strict {
					return nil, e
				}
				warns = append(warns, Warning{File: p.File, Line: a.Line, Msg: e.Msg})
			}
		}
	}
	return dedupWarnings(warns), nil
}

// dedupWarnings keeps the first warning of each message and counts the rest
// into it, so 774 tags with one unknown category make one line.
func dedupWarnings(ws []Warning) []Warning {
	if len(ws) == 0 {
		return nil
	}
	count := map[string]int{}
	var out []Warning
	for _, w := range ws {
		if count[w.Msg] == 0 {
			out = append(out, w)
		}
		count[w.Msg]++
	}
	for i := range out {
		if n := count[out[i].Msg]; n > 1 {
			out[i].Msg = fmt.Sprintf("%s (and %d more like it)", out[i].Msg, n-1)
		}
	}
	return out
}
