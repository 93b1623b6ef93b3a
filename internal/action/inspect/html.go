package inspect

import (
	"embed"
	"fmt"
	"html/template"
	"io"
)

//go:embed templates/report.html.tmpl
var templateFS embed.FS

// reportHTML is parsed once; WriteHTML binds the label functions of the
// requested language on a clone.
var reportHTML = template.Must(template.New("report.html.tmpl").Funcs(labelFuncs("en")).ParseFS(templateFS, "templates/report.html.tmpl"))

// Languages are the label languages of the HTML report: English, with
// Japanese or Korean labels beside it for a regulator in Japan or Korea.
var Languages = []string{"en", "ja", "ko"}

// labels translates the report's headings and statuses. English stays
// first: the translation is a label, the English text is the report.
var labels = map[string]map[string]string{
	"ja": {
		"Self-inspection report":                         "自主点検報告書",
		"Summary":                                        "概要",
		"DPRK technique coverage":                        "北朝鮮（DPRK）の攻撃手法への対応状況",
		"CCSS level":                                     "CCSSレベル",
		"SEAL certification modules":                     "SEAL認証モジュール",
		"FSA self-inspection items (2024-09-26)":         "金融庁 自主点検項目（2024年9月26日）",
		"Failing controls from the configuration checks": "設定の点検で不適合となった管理策",
		"Changes since the previous inspection":          "前回点検からの変更",
		"Answers":                                        "回答",
		"Evidence":                                       "証跡",
		"Catalogue sources and licences":                 "出典とライセンス",
		"implemented":                                    "実施済み",
		"partial":                                        "一部実施",
		"not_implemented":                                "未実施",
		"na":                                             "該当なし",
		"unknown":                                        "不明（未回答）",
		"certifiable":                                    "認証要件充足",
		"gaps":                                           "不備あり",
		"incomplete":                                     "未回答あり",
	},
	"ko": {
		"Self-inspection report":                         "자체 점검 보고서",
		"Summary":                                        "요약",
		"DPRK technique coverage":                        "북한(DPRK) 공격 기법 대응 현황",
		"CCSS level":                                     "CCSS 등급",
		"SEAL certification modules":                     "SEAL 인증 모듈",
		"FSA self-inspection items (2024-09-26)":         "일본 금융청 자체 점검 항목(2024-09-26)",
		"Failing controls from the configuration checks": "설정 점검에서 부적합으로 판정된 통제 항목",
		"Changes since the previous inspection":          "이전 점검 이후 변경 사항",
		"Answers":                                        "응답",
		"Evidence":                                       "증적",
		"Catalogue sources and licences":                 "출처 및 라이선스",
		"implemented":                                    "이행",
		"partial":                                        "부분 이행",
		"not_implemented":                                "미이행",
		"na":                                             "해당 없음",
		"unknown":                                        "미확인(미응답)",
		"certifiable":                                    "인증 요건 충족",
		"gaps":                                           "미흡",
		"incomplete":                                     "미응답 있음",
	},
}

var statusEnglish = map[string]string{"implemented": "Implemented", "partial": "Partially implemented",
	"not_implemented": "Not implemented", "na": "N/A", "unknown": "Unknown", "certifiable": "certifiable",
	"gaps": "gaps", "incomplete": "incomplete"}

func labelFuncs(lang string) template.FuncMap {
	local := labels[lang]
	both := func(en, key string) string {
		if t, ok := local[key]; ok {
			return en + " / " + t
		}
		return en
	}
	return template.FuncMap{
		"lang": func() string { return lang },
		"l":    func(en string) string { return both(en, en) },
		"s": func(v any) string {
			key := fmt.Sprint(v)
			en, ok := statusEnglish[key]
			if !ok {
				en = key
			}
			return both(en, key)
		},
	}
}

// WriteHTML renders a report as one self-contained HTML page in English.
func WriteHTML(w io.Writer, r *Report) error { return WriteHTMLLang(w, r, "en") }

// WriteHTMLLang renders a report with the labels of lang ("en", "ja", "ko")
// beside the English.
func WriteHTMLLang(w io.Writer, r *Report, lang string) error {
	if lang != "en" && labels[lang] == nil {
		return fmt.Errorf("%w: report language %q (en, ja, ko)", ErrInvalid, lang)
	}
	t, err := reportHTML.Clone()
	if err != nil {
		return err
	}
	if err := t.Funcs(labelFuncs(lang)).Execute(w, r); err != nil {
		return fmt.Errorf("inspect: render HTML report: %w", err)
	}
	return nil
}
