package inspect

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

var reportTime = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

func ans(control string, s Status) Answer {
	a := Answer{Control: control, Status: s, By: "alice", At: reportTime}
	if s == NotApplicable {
		a.Justification = "no such system"
	}
	return a
}

// allCCSS answers every CCSS component starting at or below level with s.
func allCCSS(c *Catalogue, level int, s Status) []Answer {
	f, _ := c.Framework(CCSS)
	var out []Answer
	for _, ctl := range f.Controls {
		if ctl.MinLevel <= level {
			out = append(out, ans(ctl.Key, s))
		}
	}
	return out
}

func TestReportLevelsAndStatus(t *testing.T) {
	c := loadCatalogue(t)
	in := Inspection{ID: "q2", Org: "acme", Created: reportTime, Previous: "q1"}
	t.Run("with nothing answered every count is unknown and nothing passes or fails", func(t *testing.T) {
		r := c.BuildReport(in, nil, nil, nil, nil, reportTime)
		if r.Summary != (Tally{Unknown: 99 + 37 + 44 + 4}) {
			t.Errorf("summary = %+v", r.Summary)
		}
		if r.CCSS.Level != 0 || !r.CCSS.Undetermined {
			t.Errorf("ccss = %+v, want level 0 undetermined", r.CCSS)
		}
		if r.Techniques.Covered != 0 || len(r.Techniques.Exposed) != 0 || r.Techniques.Unknown != r.Techniques.Total {
			t.Errorf("techniques = %+v", r.Techniques)
		}
		for _, m := range r.SEAL {
			if m.Status != "incomplete" {
				t.Errorf("module %s = %s, want incomplete", m.ID, m.Status)
			}
		}
	})
	t.Run("CCSS is the minimum over aspects: all level I and II components met gives level II", func(t *testing.T) {
		r := c.BuildReport(in, allCCSS(c, 2, Implemented), nil, nil, nil, reportTime)
		if r.CCSS.Level != 2 || !r.CCSS.Undetermined {
			t.Errorf("ccss level = %d undetermined=%v, want 2 (at least)", r.CCSS.Level, r.CCSS.Undetermined)
		}
		all := c.BuildReport(in, allCCSS(c, 3, Implemented), nil, nil, nil, reportTime)
		if all.CCSS.Level != 3 || all.CCSS.Undetermined {
			t.Errorf("all met: ccss = %d %v", all.CCSS.Level, all.CCSS.Undetermined)
		}
		one := append(allCCSS(c, 3, Implemented), ans("ccss-2021:1.4.6", NotImplemented))
		if got := c.BuildReport(in, one, nil, nil, nil, reportTime).CCSS.Level; got != 1 {
			t.Errorf("1.4.6 (from level II) not implemented: level %d, want 1", got)
		}
	})
	t.Run("a SEAL module with one not-implemented control has gaps; N/A counts as met", func(t *testing.T) {
		f, _ := c.Framework(SEAL)
		var as []Answer
		for _, ctl := range f.Controls {
			s := Implemented
			if ctl.ID == "ms-3.1.6" {
				s = NotImplemented
			}
			if ctl.Group == "sfc-dns-registrar" {
				s = NotApplicable
			}
			as = append(as, ans(ctl.Key, s))
		}
		r := c.BuildReport(in, as, nil, nil, nil, reportTime)
		for _, m := range r.SEAL {
			want := "certifiable"
			if m.ID == "sfc-multisig-ops" {
				want = "gaps"
			}
			if m.Status != want {
				t.Errorf("%s = %s, want %s", m.ID, m.Status, want)
			}
		}
	})
	t.Run("the diff to the previous inspection and expired evidence are reported", func(t *testing.T) {
		prev := []Answer{ans("fsa-2024-09-26:fsa-3", NotImplemented), ans("fsa-2024-09-26:fsa-1", Implemented)}
		cur := []Answer{ans("fsa-2024-09-26:fsa-3", Implemented)}
		ev := []Evidence{{ID: "e", Control: "fsa-2024-09-26:fsa-3", Kind: ConfigExport, Title: "allowlist", Owner: "ops",
			Date: reportTime.AddDate(-1, 0, 0), Expires: reportTime.AddDate(0, -1, 0), SHA256: strings.Repeat("0", 64)}}
		r := c.BuildReport(in, cur, ev, prev, nil, reportTime)
		want := []Change{{"fsa-2024-09-26:fsa-1", Implemented, Unknown}, {"fsa-2024-09-26:fsa-3", NotImplemented, Implemented}}
		if r.Diff == nil || len(r.Diff.Changes) != 2 || r.Diff.Changes[0] != want[0] || r.Diff.Changes[1] != want[1] {
			t.Errorf("diff = %+v", r.Diff)
		}
		if len(r.Evidence) != 1 || !r.Evidence[0].Expired {
			t.Errorf("evidence = %+v", r.Evidence)
		}
		if r.FSA[2].Status != Implemented || r.FSA[0].Status != Unknown {
			t.Errorf("fsa = %+v", r.FSA)
		}
	})
}

func TestSignedReport(t *testing.T) {
	c := loadCatalogue(t)
	pub, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(map[string]any{"x": "<script>&"})
	r := c.BuildReport(Inspection{ID: "q1", Org: "acme <&>", Created: reportTime}, []Answer{ans("seal-sfc:ms-4.1.1", Partial)}, nil, nil, nil, reportTime)
	r.Answers[0].Note = string(b)
	signed, err := Sign(r, priv)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("the signature verifies against the signer's key", func(t *testing.T) {
		got, err := Verify(signed, pub)
		if err != nil {
			t.Fatal(err)
		}
		if got.Inspection.Org != "acme <&>" || got.Answers[0].Status != Partial {
			t.Errorf("report = %+v", got.Inspection)
		}
	})
	t.Run("a tampered report fails", func(t *testing.T) {
		bad := bytes.Replace(signed, []byte(`"partial"`), []byte(`"implemented"`), 1)
		if bytes.Equal(bad, signed) {
			t.Fatal("tamper did not change the report")
		}
		if _, err := Verify(bad, pub); !errors.Is(err, ErrSignature) {
			t.Fatalf("err = %v, want ErrSignature", err)
		}
	})
	t.Run("another key's report fails against a trusted key", func(t *testing.T) {
		other, _, _ := ed25519.GenerateKey(nil)
		if _, err := Verify(signed, other); !errors.Is(err, ErrSignature) {
			t.Fatalf("err = %v, want ErrSignature", err)
		}
	})
	t.Run("a report that is not JSON is invalid", func(t *testing.T) {
		if _, err := Verify([]byte("{"), pub); !errors.Is(err, ErrInvalid) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("the HTML shows the sections and escapes text", func(t *testing.T) {
		var buf bytes.Buffer
		if err := WriteHTML(&buf, r); err != nil {
			t.Fatal(err)
		}
		html := buf.String()
		for _, s := range []string{"DPRK technique coverage", "CCSS level", "SEAL certification modules", "FSA self-inspection items", "acme &lt;&amp;&gt;", "Security Alliance"} {
			if !strings.Contains(html, s) {
				t.Errorf("HTML lacks %q", s)
			}
		}
		if strings.Contains(html, "<script>") {
			t.Error("HTML contains unescaped <script>")
		}
	})
}

func TestHTMLLabels(t *testing.T) {
	c := loadCatalogue(t)
	r := c.BuildReport(Inspection{ID: "q", Org: "acme", Created: reportTime}, []Answer{ans("fsa-2024-09-26:fsa-3", NotImplemented)}, nil, nil, nil, reportTime)
	for _, tc := range []struct{ lang, want, status string }{
		{"en", "<h2>Summary</h2>", "Not implemented"},
		{"ja", "<h2>Summary / 概要</h2>", "Not implemented / 未実施"},
		{"ko", "<h2>Summary / 요약</h2>", "Not implemented / 미이행"},
	} {
		t.Run(tc.lang+" labels stand beside the English", func(t *testing.T) {
			var buf bytes.Buffer
			if err := WriteHTMLLang(&buf, r, tc.lang); err != nil {
				t.Fatal(err)
			}
			html := buf.String()
			if !strings.Contains(html, tc.want) || !strings.Contains(html, tc.status) || !strings.Contains(html, `lang="`+tc.lang+`"`) {
				t.Errorf("%s report lacks %q or %q", tc.lang, tc.want, tc.status)
			}
		})
	}
	t.Run("an unknown language is refused", func(t *testing.T) {
		if err := WriteHTMLLang(&bytes.Buffer{}, r, "fr"); !errors.Is(err, ErrInvalid) {
			t.Fatalf("err = %v", err)
		}
	})
}
