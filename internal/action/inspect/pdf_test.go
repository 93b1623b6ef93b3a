package inspect

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// needTool returns the path of a tool the PDF test needs: under CI a missing
// tool fails the test (make test installs them: scripts/pdftools.sh), else
// it skips.
func needTool(t *testing.T, find func() (string, error), name string) string {
	t.Helper()
	p, err := find()
	if err == nil {
		return p
	}
	if os.Getenv("CI") != "" {
		t.Fatalf("%s is missing (make test installs it with scripts/pdftools.sh): %v", name, err)
	}
	t.Skipf("%s is not installed: %v", name, err)
	return ""
}

// TestReportPDF prints a report to PDF with headless Chromium and checks it
// the way a reader would: converted back to text (pdftotext) it holds the
// report's organisation, a control's id and its status; converted to PNG
// pages (pdftoppm) it has at least one page.
func TestReportPDF(t *testing.T) {
	chromium := needTool(t, FindChromium, "chromium")
	pdftotext := needTool(t, func() (string, error) { return exec.LookPath("pdftotext") }, "pdftotext")
	pdftoppm := needTool(t, func() (string, error) { return exec.LookPath("pdftoppm") }, "pdftoppm")
	c := loadCatalogue(t)
	r := c.BuildReport(Inspection{ID: "q1", Org: "Example Exchange KK", Created: reportTime},
		[]Answer{ans("seal-sfc:ms-4.1.1", Partial)}, nil, nil, nil, reportTime)
	dir := t.TempDir()
	path := filepath.Join(dir, "report.pdf")
	if err := (PDFRenderer{Chromium: chromium}).WritePDF(t.Context(), path, r, "en"); err != nil {
		t.Fatal(err)
	}
	text, err := exec.Command(pdftotext, "-layout", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	for _, want := range []string{"Example Exchange KK", "ms-4.1.1", "partial"} {
		if !bytes.Contains(bytes.ToLower(text), bytes.ToLower([]byte(want))) {
			t.Errorf("the PDF's text lacks %q:\n%.2000s", want, text)
		}
	}
	if out, err := exec.Command(pdftoppm, "-png", "-r", "40", path, filepath.Join(dir, "page")).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v: %s", err, out)
	}
	pages, _ := filepath.Glob(filepath.Join(dir, "page*.png"))
	if len(pages) == 0 {
		t.Fatal("pdftoppm made no page")
	}
	png, err := os.ReadFile(pages[0])
	if err != nil || !bytes.HasPrefix(png, []byte("\x89PNG")) {
		t.Fatalf("page 1 is not a PNG (%v)", err)
	}
	t.Logf("%d pages, %d bytes of PDF", len(pages), fileSize(t, path))
}

func fileSize(t *testing.T, p string) int64 {
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}

func TestReportPDFWithoutChromium(t *testing.T) {
	_, err := PDFRenderer{Chromium: filepath.Join(t.TempDir(), "no-such-browser")}.Render(t.Context(), []byte("<p>x</p>"))
	if err == nil || !strings.Contains(err.Error(), "no-such-browser") {
		t.Fatalf("error %v, want one naming the missing browser", err)
	}
	t.Setenv("INTERDICT_CHROMIUM", "")
	t.Setenv("PATH", t.TempDir())
	if _, err := FindChromium(); !errors.Is(err, ErrNoPDFRenderer) {
		t.Fatalf("FindChromium with nothing on PATH: %v, want ErrNoPDFRenderer", err)
	}
}
