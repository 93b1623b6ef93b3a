package inspect

import (
	"embed"
	"fmt"
	"html/template"
	"io"
)

//go:embed templates/report.html.tmpl
var templateFS embed.FS

var reportHTML = template.Must(template.ParseFS(templateFS, "templates/report.html.tmpl"))

// WriteHTML renders a report as one self-contained HTML page.
func WriteHTML(w io.Writer, r *Report) error {
	if err := reportHTML.Execute(w, r); err != nil {
		return fmt.Errorf("inspect: render HTML report: %w", err)
	}
	return nil
}
