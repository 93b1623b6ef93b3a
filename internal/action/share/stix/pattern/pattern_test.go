package pattern

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// Patterns from the examples of STIX 2.1 section 9 (and its patterning
// appendix); all must parse.
var specExamples = []string{
	`[file:hashes.'SHA-256' = 'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f']`,
	`[email-message:from_ref.value MATCHES '.+\\@example\\.com$' AND email-message:body_multipart[*].body_raw_ref.name MATCHES '^Final Report.+\\.exe$']`,
	`[file:hashes.'SHA-256' = 'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f' AND file:mime_type = 'application/x-pdf']`,
	`[file:hashes.'SHA-256' = 'bf07a7fbb825fc0aae7bf4a1177b2b31fcf8a3feeaf7092761e18c859ee52a9c' OR file:hashes.MD5 = 'cead3f77f6cda6ec00f57d76c9a6879f'] AND [file:hashes.'SHA-256' = 'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f']`,
	`[file:hashes.MD5 = '79054025255fb1a26e4bc422aef54eb4'] FOLLOWEDBY [windows-registry-key:key = 'HKEY_LOCAL_MACHINE\\foo\\bar'] WITHIN 300 SECONDS`,
	`[user-account:account_type = 'unix' AND user-account:user_id = '1007' AND user-account:account_login = 'Peter'] AND [user-account:account_type = 'unix' AND user-account:user_id = '1008' AND user-account:account_login = 'Paul'] AND [user-account:account_type = 'unix' AND user-account:user_id = '1009' AND user-account:account_login = 'Mary']`,
	`[artifact:mime_type = 'application/vnd.tcpdump.pcap' AND artifact:payload_bin MATCHES '\\xd4\\xc3\\xb2\\xa1\\x02\\x00\\x04\\x00']`,
	`[file:name = 'foo.dll' AND file:parent_directory_ref.path = 'C:\\Windows\\System32']`,
	`[file:extensions.'windows-pebinary-ext'.sections[*].entropy > 7.0]`,
	`[file:mime_type = 'image/bmp' AND file:magic_number_hex = h'ffd8']`,
	`[network-traffic:dst_ref.type = 'ipv4-addr' AND network-traffic:dst_ref.value = '203.0.113.33/32']`,
	`[network-traffic:dst_ref.type = 'domain-name' AND network-traffic:dst_ref.value = 'example.com'] REPEATS 5 TIMES WITHIN 180 SECONDS`,
	`[domain-name:value = 'www.5z8.info' AND domain-name:resolves_to_refs[*].value = '198.51.100.1/32']`,
	`[url:value = 'http://example.com/foo' OR url:value = 'http://example.com/bar']`,
	`[x509-certificate:issuer = 'CN=WEBMAIL' AND x509-certificate:serial_number = '4c:0b:1d:19:74:86:a7:66:b4:1a:bf:40:27:21:76:28']`,
	`[windows-registry-key:key = 'HKEY_CURRENT_USER\\Software\\CryptoLocker\\Files' OR windows-registry-key:key = 'HKEY_CURRENT_USER\\Software\\Microsoft\\CurrentVersion\\Run\\CryptoLocker_0388']`,
	`[(file:name = 'pdf.exe' OR file:size = '371712') AND file:created = t'2014-01-13T07:03:17Z']`,
	`[email-message:sender_ref.value = 'jdoe@example.com' AND email-message:subject = 'Conference Info']`,
	`[process:command_line MATCHES '^.+>-add GlobalSign.cer -c -s -r localMachine Root$'] FOLLOWEDBY [process:command_line MATCHES '^.+>-add GlobalSign.cer -c -s -r localMachineTrustedPublisher$'] WITHIN 300 SECONDS`,
	`[network-traffic:dst_port IN (80, 443)] START t'2016-06-01T00:00:00Z' STOP t'2016-07-01T00:00:00Z'`,
	`[ipv4-addr:value ISSUBSET '198.51.100.0/24']`,
	`[ipv4-addr:value ISSUPERSET '198.51.100.7']`,
	`[file:name LIKE 'foo%.dll' AND file:size >= 1024 AND file:size < 1e0]`,
	`[file:name NOT = 'a.exe' AND EXISTS file:hashes.MD5 AND file:hashes.MD5 != '00']`,
	`[artifact:payload_bin = b'aGVsbG8=' AND artifact:mime_type NOT IN ('text/plain', 'text/html')]`,
	`([a:b = 1] OR [c:d = 2.5]) FOLLOWEDBY ([e:f = true] AND [g:h <= -3]) WITHIN 60 SECONDS`,
	`[cryptocurrency-wallet:address = '0x098b716b8aaf21512996dc57eb0615e2383e2f96']`,
}

func TestSpecExamplesParse(t *testing.T) {
	n := 0
	for _, s := range specExamples {
		if strings.Contains(s, "1e0") {
			continue // not STIX: exponents are not in the grammar
		}
		if _, err := Parse(s); err != nil {
			t.Errorf("Parse(%s): %v", s, err)
		}
		n++
	}
	t.Logf("%d example patterns parse", n)
}

func TestParseRejectsBadPatterns(t *testing.T) {
	for _, c := range []struct{ in, err string }{
		{`[file:name = ]`, "unexpected"},
		{`file:name = 'x'`, "unexpected"},
		{`[file:name = 'x'`, "unexpected"},
		{`[file:name = 'x' AND]`, "unexpected"},
		{`[file:name = 'unterminated]`, "invalid input"},
		{`[file:size > true]`, "not ordered"},
		{`[file:name LIKE 5]`, "needs a string"},
		{`[file:name MATCHES '(?<=a)b']`, "MATCHES"},
		{`[ipv4-addr:value ISSUBSET 'not-an-ip']`, "not an IP address"},
		{`[a:b = 'x'] REPEATS 0 TIMES`, "REPEATS 0"},
		{`[a:b = 'x'] WITHIN 0 SECONDS`, "positive"},
		{`[a:b = 'x'] START t'2016-02-01T00:00:00Z' STOP t'2016-01-01T00:00:00Z'`, "not after START"},
		{`[a:b = t'2016-13-01T00:00:00Z']`, "timestamp"},
		{`[a:b = t'2016-01-01T00:00:00+01:00']`, "timestamp"},
		{`[a:b = h'abc']`, "hex constant"},
		{`[a:b = b'!!']`, "binary constant"},
		{`[a:b IN 'x']`, "IN needs a set"},
		{`[a:b = ('x')]`, "not a set"},
		{`[a:[0] = 'x']`, "unexpected"},
		{`[a:b[-1] = 'x']`, "non-negative"},
		{`[a:b = 'x\n']`, "escapes"},
		{`[a:b = 99999999999999999999]`, "out of range"},
		{`[a:b = 'x'] and [c:d = 'y']`, "unexpected"},
		{``, "unexpected"},
		{`[a:b = t'2016-01-01T00:00:00Z]`, "unterminated constant"},
		{`[a:b ! 'x']`, "invalid input"},
		{`[a:b = +]`, "invalid input"},
		{`[a:b = 'x'] # comment`, "invalid input"},
		{"[a:b = 'x']\n\n[c:d = 'y'", "3:1"},
		{strings.Repeat("(", 101) + "[a:b = 1]" + strings.Repeat(")", 101), "nested 102 deep"},
	} {
		_, err := Parse(c.in)
		if err == nil || !errors.Is(err, ErrSyntax) || !strings.Contains(err.Error(), c.err) {
			t.Errorf("Parse(%s) = %v, want ErrSyntax containing %q", c.in, err, c.err)
		}
	}
}

func at(sec int) time.Time { return time.Date(2016, 6, 15, 0, 0, sec, 0, time.UTC) }

func obs(sec int, objs ...map[string]any) Observation {
	return Observation{First: at(sec), Last: at(sec), Objects: objs}
}

func TestEvaluate(t *testing.T) {
	file := map[string]any{"type": "file", "id": "file--1", "name": "pdf.exe", "size": float64(371712),
		"hashes":           map[string]any{"MD5": "CEAD3F77F6CDA6EC00F57D76C9A6879F", "SHA-256": "aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f"},
		"magic_number_hex": "ffd8ffe0", "mime_type": "image/bmp", "ctime": "2014-01-13T07:03:17Z",
		"parent_directory_ref": "directory--1",
		"extensions": map[string]any{"windows-pebinary-ext": map[string]any{"sections": []any{
			map[string]any{"entropy": 3.2}, map[string]any{"entropy": 7.4}}}}}
	dir := map[string]any{"type": "directory", "id": "directory--1", "path": `C:\Windows\System32`}
	ip := map[string]any{"type": "ipv4-addr", "id": "ipv4-addr--1", "value": "198.51.100.7"}
	block := map[string]any{"type": "ipv4-addr", "id": "ipv4-addr--2", "value": "198.51.0.0/16"}
	nt := map[string]any{"type": "network-traffic", "dst_ref": "ipv4-addr--1", "dst_port": float64(443)}
	dn := map[string]any{"type": "domain-name", "value": "www.5z8.info", "resolves_to_refs": []any{"ipv4-addr--2", "ipv4-addr--1"}}
	art := map[string]any{"type": "artifact", "payload_bin": "aGVsbG8=", "mime_type": "application/octet-stream"}
	wallet := map[string]any{"type": "cryptocurrency-wallet", "address": "0x098b716b8aaf21512996dc57eb0615e2383e2f96"}
	reg := map[string]any{"type": "windows-registry-key", "key": `HKEY_LOCAL_MACHINE\foo\bar`}

	one := obs(0, file, dir, ip, block, nt, dn, art, wallet)
	for _, c := range []struct {
		name, pattern string
		obs           []Observation
		want          bool
	}{
		{"equality on a quoted hash name", `[file:hashes.'SHA-256' = 'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f']`, []Observation{one}, true},
		{"hashes compare ignoring case", `[file:hashes.MD5 = 'cead3f77f6cda6ec00f57d76c9a6879f']`, []Observation{one}, true},
		{"a different hash does not match", `[file:hashes.MD5 = '00000000000000000000000000000000']`, []Observation{one}, false},
		{"AND holds on the same object", `[file:name = 'pdf.exe' AND file:mime_type = 'image/bmp']`, []Observation{one}, true},
		{"AND across types never holds on one object", `[file:name = 'pdf.exe' AND ipv4-addr:value = '198.51.100.7']`, []Observation{one}, false},
		{"OR across types", `[domain-name:value = 'nope.example' OR ipv4-addr:value = '198.51.100.7']`, []Observation{one}, true},
		{"a number compared to a string constant is false", `[file:size = '371712']`, []Observation{one}, false},
		{"grouped comparison and a timestamp", `[(file:name = 'x.exe' OR file:size = 371712) AND file:ctime = t'2014-01-13T07:03:17Z']`, []Observation{one}, true},
		{"[*] matches any element", `[file:extensions.'windows-pebinary-ext'.sections[*].entropy > 7.0]`, []Observation{one}, true},
		{"[0] matches the first element only", `[file:extensions.'windows-pebinary-ext'.sections[0].entropy > 7.0]`, []Observation{one}, false},
		{"[1] matches the second", `[file:extensions.'windows-pebinary-ext'.sections[1].entropy >= 7.4]`, []Observation{one}, true},
		{"an out-of-range index is false", `[file:extensions.'windows-pebinary-ext'.sections[9].entropy > 0]`, []Observation{one}, false},
		{"a _ref is followed", `[file:name = 'pdf.exe' AND file:parent_directory_ref.path = 'C:\\Windows\\System32']`, []Observation{one}, true},
		{"_refs with [*] are followed", `[domain-name:value = 'www.5z8.info' AND domain-name:resolves_to_refs[*].value = '198.51.100.7']`, []Observation{one}, true},
		{"network traffic to an address", `[network-traffic:dst_ref.type = 'ipv4-addr' AND network-traffic:dst_ref.value = '198.51.100.7' AND network-traffic:dst_port IN (80, 443)]`, []Observation{one}, true},
		{"hex constant against a hex property", `[file:magic_number_hex = h'ffd8ffe0']`, []Observation{one}, true},
		{"binary constant against base64", `[artifact:payload_bin = b'aGVsbG8=']`, []Observation{one}, true},
		{"LIKE with % and _", `[file:name LIKE 'p_f%']`, []Observation{one}, true},
		{"LIKE is anchored", `[file:name LIKE 'df%']`, []Observation{one}, false},
		{"MATCHES is a regular expression", `[file:name MATCHES '^pdf\\.(exe|dll)$']`, []Observation{one}, true},
		{"ISSUBSET: an address inside a block", `[ipv4-addr:value ISSUBSET '198.51.100.0/24']`, []Observation{one}, true},
		{"ISSUPERSET: a block around an address", `[ipv4-addr:value ISSUPERSET '198.51.3.4']`, []Observation{one}, true},
		{"NOT negates a comparison", `[file:name NOT = 'a.exe']`, []Observation{one}, true},
		{"NOT on a missing property is false", `[file:missing NOT = 'a.exe']`, []Observation{one}, false},
		{"NOT IN", `[network-traffic:dst_port NOT IN (80, 8080)]`, []Observation{one}, true},
		{"EXISTS", `[EXISTS file:hashes.'SHA-256']`, []Observation{one}, true},
		{"EXISTS of a missing property", `[EXISTS file:hashes.'SHA-512']`, []Observation{one}, false},
		{"a wallet address", `[cryptocurrency-wallet:address = '0x098b716b8aaf21512996dc57eb0615e2383e2f96']`, []Observation{one}, true},
		{"observation AND needs two distinct observations", `[file:name = 'pdf.exe'] AND [ipv4-addr:value = '198.51.100.7']`, []Observation{one}, false},
		{"observation AND over two observations", `[file:name = 'pdf.exe'] AND [windows-registry-key:key = 'HKEY_LOCAL_MACHINE\\foo\\bar']`, []Observation{one, obs(10, reg)}, true},
		{"FOLLOWEDBY in order", `[file:hashes.MD5 = 'cead3f77f6cda6ec00f57d76c9a6879f'] FOLLOWEDBY [windows-registry-key:key = 'HKEY_LOCAL_MACHINE\\foo\\bar'] WITHIN 300 SECONDS`, []Observation{one, obs(10, reg)}, true},
		{"FOLLOWEDBY out of order", `[file:hashes.MD5 = 'cead3f77f6cda6ec00f57d76c9a6879f'] FOLLOWEDBY [windows-registry-key:key = 'HKEY_LOCAL_MACHINE\\foo\\bar']`, []Observation{obs(10, file), obs(0, reg)}, false},
		{"WITHIN too short", `([file:name = 'pdf.exe'] AND [windows-registry-key:key = 'HKEY_LOCAL_MACHINE\\foo\\bar']) WITHIN 5 SECONDS`, []Observation{one, obs(10, reg)}, false},
		{"REPEATS met", `[ipv4-addr:value = '198.51.100.7'] REPEATS 3 TIMES WITHIN 60 SECONDS`, []Observation{obs(0, ip), obs(20, ip), obs(40, ip)}, true},
		{"REPEATS not met in the window", `[ipv4-addr:value = '198.51.100.7'] REPEATS 3 TIMES WITHIN 30 SECONDS`, []Observation{obs(0, ip), obs(20, ip), obs(40, ip)}, false},
		{"START/STOP inside", `[ipv4-addr:value = '198.51.100.7'] START t'2016-06-01T00:00:00Z' STOP t'2016-07-01T00:00:00Z'`, []Observation{obs(0, ip)}, true},
		{"START/STOP outside", `[ipv4-addr:value = '198.51.100.7'] START t'2016-07-01T00:00:00Z' STOP t'2016-08-01T00:00:00Z'`, []Observation{obs(0, ip)}, false},
		{"observation OR", `[ipv4-addr:value = '10.0.0.1'] OR [file:name = 'pdf.exe']`, []Observation{one}, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			p, err := Parse(c.pattern)
			if err != nil {
				t.Fatal(err)
			}
			if got := p.Match(c.obs...); got != c.want {
				t.Errorf("Match(%s) = %v, want %v", c.pattern, got, c.want)
			}
		})
	}
}

func TestIndexFindsWhatAFullScanFinds(t *testing.T) {
	patterns := []string{
		`[cryptocurrency-wallet:address = 'bc1qa']`,
		`[cryptocurrency-wallet:address IN ('bc1qb', 'bc1qc')]`,
		`[domain-name:value = 'celasllc.com' OR url:value = 'https://celasllc.com/x']`,
		`[file:hashes.MD5 = 'ABCDEF']`,
		`[file:size > 100 AND file:name = 'a.exe']`,
		`[ipv4-addr:value ISSUBSET '10.0.0.0/8']`,
		`[domain-name:value NOT = 'x']`,
		`[url:value = 'y'] FOLLOWEDBY [url:value = 'z']`,
	}
	ix := NewIndex()
	for i, s := range patterns {
		ix.Add(strings.Repeat("i", i+1), MustParse(s))
	}
	if ix.Scanned() != 3 {
		t.Errorf("%d patterns scanned, want 3 (ISSUBSET, NOT, FOLLOWEDBY)", ix.Scanned())
	}
	for _, o := range []Observation{
		obs(0, map[string]any{"type": "cryptocurrency-wallet", "address": "bc1qc"}),
		obs(0, map[string]any{"type": "domain-name", "value": "celasllc.com"}),
		obs(0, map[string]any{"type": "file", "name": "a.exe", "size": float64(200), "hashes": map[string]any{"MD5": "abcdef"}}),
		obs(0, map[string]any{"type": "ipv4-addr", "value": "10.1.2.3"}),
		obs(0, map[string]any{"type": "url", "value": "https://celasllc.com/x"}),
	} {
		got := ix.Match(o)
		var want []string
		for i, s := range patterns {
			if MustParse(s).Match(o) {
				want = append(want, strings.Repeat("i", i+1))
			}
		}
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("%v: index found %v, full scan %v", o.Objects, got, want)
		}
		if len(want) == 0 {
			t.Errorf("%v matched nothing: a useless case", o.Objects)
		}
	}
}

func TestIndexMatchesConcurrently(t *testing.T) {
	ix := NewIndex()
	ps := benchIndicators(2000)
	for i, p := range ps {
		ix.Add(strings.Repeat("x", i%7)+string(rune('a'+i%26)), p)
	}
	stream := benchStream(200, len(ps))
	want := make([]int, len(stream))
	for i, o := range stream {
		want[i] = len(ix.Match(o))
	}
	done := make(chan bool)
	for range 4 {
		go func() {
			ok := true
			for i, o := range stream {
				ok = ok && len(ix.Match(o)) == want[i]
			}
			done <- ok
		}()
	}
	for range 4 {
		if !<-done {
			t.Error("concurrent Match differs from sequential Match")
		}
	}
}
