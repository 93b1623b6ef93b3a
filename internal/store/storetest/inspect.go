package storetest

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/interdict/interdict/internal/action/inspect"
)

// RunInspect is the contract suite of inspect.Store. open must return a
// fresh, empty store and arrange its closing with t.Cleanup.
func RunInspect(t *testing.T, open func(t *testing.T) inspect.Store) {
	for _, c := range inspectCases() {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			c.run(t, open(t))
		})
	}
}

type inspectCase struct {
	name string
	run  func(t *testing.T, s inspect.Store)
}

// inspectAt is base moved by h hours, in a zone other than UTC, with
// nanoseconds the stores drop.
func inspectAt(h int) time.Time { return base.Add(time.Duration(h) * time.Hour) }

func micro(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

func newInspection(t *testing.T, s inspect.Store, id, org, prev string, h int) inspect.Inspection {
	t.Helper()
	in := inspect.Inspection{ID: id, Org: org, Title: "Q" + id, Created: inspectAt(h), Previous: prev}
	must(t, "CreateInspection", s.CreateInspection(ctx(t), in))
	in.Created = micro(in.Created)
	return in
}

func answer(control string, st inspect.Status, h int) inspect.Answer {
	a := inspect.Answer{Control: control, Status: st, By: "alice", At: inspectAt(h), Note: "n " + control}
	if st == inspect.NotApplicable {
		a.Justification = "no such wallet"
	}
	return a
}

func evidence(id, control string, kind inspect.EvidenceKind) inspect.Evidence {
	return inspect.Evidence{ID: id, Control: control, Kind: kind, Title: "t " + id, Owner: "ops",
		Date: inspectAt(1), Expires: inspectAt(24 * 90), SHA256: strings.Repeat("ab", 32), URI: "file:///" + id}
}

func inspectCases() []inspectCase {
	return []inspectCase{
		{"an inspection comes back as stored, in UTC to the microsecond", func(t *testing.T, s inspect.Store) {
			want := newInspection(t, s, "i1", "acme", "", 0)
			got, err := s.Inspection(ctx(t), "i1")
			if err != nil || got != want {
				t.Fatalf("Inspection = %+v, %v; want %+v", got, err, want)
			}
		}},
		{"a second inspection with the same id is ErrExists", func(t *testing.T, s inspect.Store) {
			newInspection(t, s, "i1", "acme", "", 0)
			err := s.CreateInspection(ctx(t), inspect.Inspection{ID: "i1", Org: "other", Created: inspectAt(1)})
			if !errors.Is(err, inspect.ErrExists) {
				t.Fatalf("err = %v, want ErrExists", err)
			}
		}},
		{"unknown inspections are ErrNotFound for every read and write", func(t *testing.T, s inspect.Store) {
			for what, err := range map[string]error{
				"Inspection":    func() error { _, err := s.Inspection(ctx(t), "nope"); return err }(),
				"Answers":       func() error { _, err := s.Answers(ctx(t), "nope"); return err }(),
				"AnswerHistory": func() error { _, err := s.AnswerHistory(ctx(t), "nope", "x:y"); return err }(),
				"Evidence":      func() error { _, err := s.Evidence(ctx(t), "nope"); return err }(),
				"PutAnswer":     s.PutAnswer(ctx(t), "nope", answer("x:y", inspect.Implemented, 1)),
				"AddEvidence":   s.AddEvidence(ctx(t), "nope", evidence("e1", "x:y", inspect.Log)),
			} {
				if !errors.Is(err, inspect.ErrNotFound) {
					t.Errorf("%s: err = %v, want ErrNotFound", what, err)
				}
			}
		}},
		{"invalid inspections, answers and evidence are refused with ErrInvalid", func(t *testing.T, s inspect.Store) {
			newInspection(t, s, "i1", "acme", "", 0)
			bad := evidence("e1", "x:y", "photo")
			noHash := evidence("e2", "x:y", inspect.Log)
			noHash.SHA256 = "abc"
			backwards := evidence("e3", "x:y", inspect.Log)
			backwards.Expires = backwards.Date.Add(-time.Hour)
			na := answer("x:y", inspect.NotApplicable, 1)
			na.Justification = ""
			for what, err := range map[string]error{
				"inspection without org":     s.CreateInspection(ctx(t), inspect.Inspection{ID: "i2"}),
				"N/A without justification":  s.PutAnswer(ctx(t), "i1", na),
				"unknown status":             s.PutAnswer(ctx(t), "i1", answer("x:y", "maybe", 1)),
				"answer without who":         s.PutAnswer(ctx(t), "i1", inspect.Answer{Control: "x:y", Status: inspect.Implemented, At: inspectAt(1)}),
				"unknown evidence kind":      s.AddEvidence(ctx(t), "i1", bad),
				"hash not 64 hex digits":     s.AddEvidence(ctx(t), "i1", noHash),
				"expiry before it was taken": s.AddEvidence(ctx(t), "i1", backwards),
			} {
				if !errors.Is(err, inspect.ErrInvalid) {
					t.Errorf("%s: err = %v, want ErrInvalid", what, err)
				}
			}
		}},
		{"the latest answer per control is current and every answer stays in the history", func(t *testing.T, s inspect.Store) {
			newInspection(t, s, "i1", "acme", "", 0)
			for _, a := range []inspect.Answer{
				answer("seal-sfc:ms-4.1.1", inspect.Unknown, 1),
				answer("ccss-2021:1.4.6", inspect.NotApplicable, 2),
				answer("seal-sfc:ms-4.1.1", inspect.Partial, 3),
				answer("seal-sfc:ms-4.1.1", inspect.Implemented, 4),
			} {
				must(t, "PutAnswer", s.PutAnswer(ctx(t), "i1", a))
			}
			got, err := s.Answers(ctx(t), "i1")
			must(t, "Answers", err)
			want := []inspect.Answer{answer("ccss-2021:1.4.6", inspect.NotApplicable, 2), answer("seal-sfc:ms-4.1.1", inspect.Implemented, 4)}
			for i := range want {
				want[i].At = micro(want[i].At)
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("Answers = %+v\nwant %+v", got, want)
			}
			hist, err := s.AnswerHistory(ctx(t), "i1", "seal-sfc:ms-4.1.1")
			must(t, "AnswerHistory", err)
			if len(hist) != 3 || hist[0].Status != inspect.Unknown || hist[1].Status != inspect.Partial || hist[2].Status != inspect.Implemented || !hist[0].At.Equal(micro(inspectAt(1))) || hist[0].At.Location() != time.UTC {
				t.Fatalf("history = %+v", hist)
			}
		}},
		{"answers of one inspection do not leak into another", func(t *testing.T, s inspect.Store) {
			newInspection(t, s, "i1", "acme", "", 0)
			newInspection(t, s, "i2", "acme", "i1", 10)
			must(t, "PutAnswer", s.PutAnswer(ctx(t), "i1", answer("x:y", inspect.Implemented, 1)))
			got, err := s.Answers(ctx(t), "i2")
			if err != nil || len(got) != 0 {
				t.Fatalf("Answers(i2) = %+v, %v", got, err)
			}
		}},
		{"inspections are listed oldest first, per organisation or all", func(t *testing.T, s inspect.Store) {
			b := newInspection(t, s, "b", "acme", "", 5)
			a := newInspection(t, s, "a", "acme", "b", 9)
			o := newInspection(t, s, "o", "other", "", 7)
			got, err := s.Inspections(ctx(t), "acme")
			must(t, "Inspections", err)
			if fmt.Sprint(got) != fmt.Sprint([]inspect.Inspection{b, a}) {
				t.Fatalf("acme = %+v", got)
			}
			all, err := s.Inspections(ctx(t), "")
			must(t, "Inspections", err)
			if fmt.Sprint(all) != fmt.Sprint([]inspect.Inspection{b, o, a}) {
				t.Fatalf("all = %+v", all)
			}
		}},
		{"evidence comes back typed, ordered, with owner, dates and hash; a repeated id is ErrExists", func(t *testing.T, s inspect.Store) {
			newInspection(t, s, "i1", "acme", "", 0)
			e2 := evidence("e2", "seal-sfc:ms-4.1.1", inspect.Screenshot)
			e1 := evidence("e1", "seal-sfc:ms-4.1.1", inspect.ConfigExport)
			e1.Collector = "safe"
			e0 := evidence("e0", "ccss-2021:1.4.6", inspect.Procedure)
			e0.Expires = time.Time{}
			for _, e := range []inspect.Evidence{e2, e1, e0} {
				must(t, "AddEvidence", s.AddEvidence(ctx(t), "i1", e))
			}
			if err := s.AddEvidence(ctx(t), "i1", e1); !errors.Is(err, inspect.ErrExists) {
				t.Fatalf("repeat: err = %v, want ErrExists", err)
			}
			got, err := s.Evidence(ctx(t), "i1")
			must(t, "Evidence", err)
			want := []inspect.Evidence{e0, e1, e2}
			for i := range want {
				want[i].Date = micro(want[i].Date)
				if !want[i].Expires.IsZero() {
					want[i].Expires = micro(want[i].Expires)
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("Evidence = %+v\nwant %+v", got, want)
			}
		}},
		{"concurrent answers are all kept", func(t *testing.T, s inspect.Store) {
			newInspection(t, s, "i1", "acme", "", 0)
			var wg sync.WaitGroup
			errs := make(chan error, 20)
			for i := range 20 {
				wg.Go(func() {
					errs <- s.PutAnswer(ctx(t), "i1", answer(fmt.Sprintf("c:%02d", i%5), inspect.Partial, i))
				})
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				must(t, "PutAnswer", err)
			}
			got, err := s.Answers(ctx(t), "i1")
			must(t, "Answers", err)
			hist, err := s.AnswerHistory(ctx(t), "i1", "c:00")
			must(t, "AnswerHistory", err)
			if len(got) != 5 || len(hist) != 4 {
				t.Fatalf("answers %d (want 5), history of c:00 %d (want 4)", len(got), len(hist))
			}
		}},
	}
}
