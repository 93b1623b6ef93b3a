package freeze

import (
	"embed"
	"encoding/json"
	htmltemplate "html/template"
	"io"
	"strings"
	texttemplate "text/template"
)

//go:embed templates/*.tmpl
var templateFiles embed.FS

var (
	mdTemplate = texttemplate.Must(texttemplate.New("md").Funcs(texttemplate.FuncMap{"inc": inc, "md": mdEscape}).
			ParseFS(templateFiles, "templates/packet.md.tmpl"))
	htmlTemplate = htmltemplate.Must(htmltemplate.New("html").Funcs(htmltemplate.FuncMap{"inc": inc}).
			ParseFS(templateFiles, "templates/packet.html.tmpl"))
)

func inc(i int) int { return i + 1 }

// mdReplacer keeps text from tags (labels, sources, file names) from
// breaking out of a Markdown table cell or inline code, or adding markup.
var mdReplacer = strings.NewReplacer("|", `\|`, "`", "'", "\n", " ", "\r", " ", "<", "&lt;", ">", "&gt;",
	"*", `\*`, "_", `\_`, "[", `\[`, "]", `\]`)

func mdEscape(s string) string { return mdReplacer.Replace(s) }

// WriteJSON writes the packets as an indented JSON array.
func WriteJSON(w io.Writer, ps []Packet) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(ps)
}

// WriteMarkdown writes each packet as a Markdown page, separated by rules.
func WriteMarkdown(w io.Writer, ps []Packet) error {
	for i := range ps {
		if i > 0 {
			if _, err := io.WriteString(w, "\n---\n\n"); err != nil {
				return err
			}
		}
		if err := mdTemplate.ExecuteTemplate(w, "packet", &ps[i]); err != nil {
			return err
		}
	}
	return nil
}

// WriteHTML writes each packet as an HTML page (html/template: every value
// escaped), one after another.
func WriteHTML(w io.Writer, ps []Packet) error {
	for i := range ps {
		if err := htmlTemplate.ExecuteTemplate(w, "packet", &ps[i]); err != nil {
			return err
		}
	}
	return nil
}
