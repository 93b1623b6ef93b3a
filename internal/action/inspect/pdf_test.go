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
// tool fails the test (make test installs them: scripts/testtools.sh), else
// it skips.
func needTool(t *testing.T, find func() (string, error), name string) string {
	t.Helper()
	p, err := find()
	if err == nil {
		return p
	}
	if os.Getenv("CI") != "" {
		t.Fatalf("%s is missing (make test installs it with scripts/testtools.sh): %v", name, err)
	}
	t.Skipf("%s is not installed: %v", name, err)
	return ""
}

// needFont fails under CI (skips elsewhere) when fontconfig knows no font
// for lang: Chromium would print the ja/ko labels as empty boxes.
// scripts/testtools.sh installs fonts-ipafont-gothic and fonts-nanum.
func needFont(t *testing.T, lang string) {
	t.Helper()
	if lang == "en" {
		return
	}
	fcList := needTool(t, func() (string, error) { return exec.LookPath("fc-list") }, "fc-list")
	out, err := exec.Command(fcList, ":lang="+lang, "family").Output()
	if err == nil && len(bytes.TrimSpace(out)) > 0 {
		return
	}
	if err == nil {
		err = errors.New("fc-list lists none")
	}
	if os.Getenv("CI") != "" {
		t.Fatalf("no font for %q (make test installs them with scripts/testtools.sh): %v", lang, err)
	}
	t.Skipf("no font for %q is installed (scripts/testtools.sh installs one)", lang)
}

// TestReportPDF prints a report to PDF with headless Chromium in each label
// language and checks it the way a reader would: converted back to text
// (pdftotext) it holds the report's organisation, a control's id, its status
// and, in Japanese and Korean, the translated headings and status (which
// need the CJK fonts: without them the glyphs are boxes and the text is
// gone); converted to PNG pages (pdftoppm) it has at least one page.
func TestReportPDF(t *testing.T) {
	chromium := needTool(t, FindChromium, "chromium")
	pdftotext := needTool(t, func() (string, error) { return exec.LookPath("pdftotext") }, "pdftotext")
	pdftoppm := needTool(t, func() (string, error) { return exec.LookPath("pdftoppm") }, "pdftoppm")
	c := loadCatalogue(t)
	r := c.BuildReport(Inspection{ID: "q1", Org: "Example Exchange KK", Created: reportTime},
		[]Answer{ans("seal-sfc:ms-4.1.1", Partial)}, nil, nil, nil, reportTime)
	common := []string{"Example Exchange KK", "ms-4.1.1", "partial"}
	for _, tc := range []struct {
		lang string
		want []string
	}{
		// Labels whose characters pdftotext reads back in order: in a
		// wrapped narrow cell it can read a line of mixed-font glyphs out
		// of order (一部実施 came back as 一 … 部実施), so those are left out.
		{"en", nil},
		{"ja", []string{"自主点検報告書", "概要", "金融庁", "出典とライセンス", "未実施", "不明（未回答）"}},
		{"ko", []string{"자체 점검 보고서", "요약", "금융청", "출처 및 라이선스", "부분 이행", "미확인(미응답)"}},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			needFont(t, tc.lang)
			dir := t.TempDir()
			path := filepath.Join(dir, "report.pdf")
			if err := (PDFRenderer{Chromium: chromium}).WritePDF(t.Context(), path, r, tc.lang); err != nil {
				t.Fatal(err)
			}
			// Without -layout: the labels stay on one line however the
			// table columns fall.
			text, err := exec.Command(pdftotext, "-enc", "UTF-8", path, "-").Output()
			if err != nil {
				t.Fatalf("pdftotext: %v", err)
			}
			// Table cells wrap where the layout puts them: compare without
			// the white space.
			flat := squash(text)
			for _, want := range append(common, tc.want...) {
				if !bytes.Contains(flat, squash([]byte(want))) {
					t.Errorf("the %s PDF's text lacks %q:\n%.2000s", tc.lang, want, text)
				}
			}
			if out, err := exec.Command(pdftoppm, "-png", "-r", "40", "-l", "1", path, filepath.Join(dir, "page")).CombinedOutput(); err != nil {
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
			t.Logf("%s: %d bytes of PDF", tc.lang, fileSize(t, path))
		})
	}
}

// squash lower-cases b and drops its white space.
func squash(b []byte) []byte {
	return bytes.Join(bytes.Fields(bytes.ToLower(b)), nil)
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
