package inspect

import (
	"encoding/csv"
	"fmt"
	"io"
	"strings"
)

// checklistHeader follows the SEAL certification questionnaire: module,
// section, control, its question and baselines, then the scoring and the
// evidence the certification guidelines ask for.
var checklistHeader = []string{"Module", "Section", "Control ID", "Control", "Question", "Baselines", "Status", "Justification", "Evidence", "Notes"}

// statusLabel spells a status as SEAL's guidelines do.
var statusLabel = map[Status]string{Implemented: "Implemented", Partial: "Partially Implemented",
	NotImplemented: "Not Implemented", NotApplicable: "N/A", Unknown: "Unknown"}

// WriteChecklist writes the SEAL controls of a report as a CSV spreadsheet,
// one row per control in the modules' order, baselines one per line.
func (c *Catalogue) WriteChecklist(w io.Writer, r *Report) error {
	f, ok := c.Framework(SEAL)
	if !ok {
		return fmt.Errorf("%w: no SEAL framework", ErrCatalogue)
	}
	answers := map[string]Answer{}
	for _, a := range r.Answers {
		answers[a.Control] = a
	}
	evidence := map[string][]string{}
	for _, e := range r.Evidence {
		s := fmt.Sprintf("%s: %s (%s, %s, sha256 %s)", e.Kind, e.Title, e.Owner, e.Date.Format("2006-01-02"), e.SHA256)
		if e.Expired {
			s += " EXPIRED"
		}
		evidence[e.Control] = append(evidence[e.Control], s)
	}
	titles := map[string]string{}
	for _, g := range f.Groups {
		titles[g.ID] = g.Title
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(checklistHeader); err != nil {
		return err
	}
	for _, ctl := range f.Controls {
		a, ok := answers[ctl.Key]
		if !ok {
			a.Status = Unknown
		}
		row := []string{titles[ctl.Group], ctl.Section + " " + ctl.SectionTitle, ctl.ID, ctl.Title, ctl.Text,
			strings.Join(ctl.Baselines, "\n"), statusLabel[a.Status], a.Justification, strings.Join(evidence[ctl.Key], "\n"), a.Note}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("inspect: write checklist: %w", err)
	}
	return nil
}
