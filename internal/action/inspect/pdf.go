package inspect

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"
)

// ErrNoPDFRenderer: no headless Chromium to print a report with.
var ErrNoPDFRenderer = errors.New("inspect: no Chromium to print the PDF report (install Debian's chromium, or set INTERDICT_CHROMIUM)")

// PDFRenderer prints a report's HTML page to PDF with a headless Chromium, so
// the PDF a regulator receives is the HTML page as a browser lays it out
// (fonts, tables, the ja/ko labels where the fonts are installed).
type PDFRenderer struct {
	// Chromium is the browser binary; "" looks it up (FindChromium).
	Chromium string
	// Timeout bounds one rendering (0: one minute).
	Timeout time.Duration
}

// FindChromium returns $INTERDICT_CHROMIUM, or the first of chromium,
// chromium-browser, google-chrome on PATH.
func FindChromium() (string, error) {
	if p := os.Getenv("INTERDICT_CHROMIUM"); p != "" {
		return p, nil
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", ErrNoPDFRenderer
}

// WritePDF renders r (its HTML page with labels in lang) to a PDF file.
func (p PDFRenderer) WritePDF(ctx context.Context, path string, r *Report, lang string) error {
	var page bytes.Buffer
	if err := WriteHTMLLang(&page, r, lang); err != nil {
		return err
	}
	pdf, err := p.Render(ctx, page.Bytes())
	if err != nil {
		return err
	}
	return os.WriteFile(path, pdf, 0o644)
}

// Render prints an HTML page to PDF. The page is written to a private
// temporary directory together with the browser's profile, and the browser
// runs without network access to anything but that file.
func (p PDFRenderer) Render(ctx context.Context, html []byte) ([]byte, error) {
	bin := p.Chromium
	if bin == "" {
		var err error
		if bin, err = FindChromium(); err != nil {
			return nil, err
		}
	}
	timeout := p.Timeout
	if timeout <= 0 {
		timeout = time.Minute
	}
	dir, err := os.MkdirTemp("", "interdict-pdf-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	page, out := filepath.Join(dir, "report.html"), filepath.Join(dir, "report.pdf")
	if err := os.WriteFile(page, html, 0o600); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "--headless", "--no-sandbox", "--disable-gpu",
		"--disable-dev-shm-usage", "--no-first-run", "--no-pdf-header-footer",
		"--user-data-dir="+filepath.Join(dir, "profile"), "--print-to-pdf="+out, "file://"+page)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("inspect: print PDF with %s: %w: %s", bin, err, lastLine(stderr.Bytes()))
	}
	pdf, err := os.ReadFile(out)
	if err != nil || !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		return nil, fmt.Errorf("inspect: %s wrote no PDF (%v): %s", bin, err, lastLine(stderr.Bytes()))
	}
	return pdf, nil
}

func lastLine(b []byte) string {
	b = bytes.TrimSpace(b)
	if i := bytes.LastIndexByte(b, '\n'); i >= 0 {
		b = b[i+1:]
	}
	if len(b) > 300 {
		b = b[:300]
	}
	return string(b)
}
