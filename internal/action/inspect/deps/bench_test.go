package deps

import (
	"fmt"
	"strings"
	"testing"
)

// BenchmarkCollectPackageLock: a package-lock.json of 2,000 packages,
// parsed and checked against both lists.
func BenchmarkCollectPackageLock(b *testing.B) {
	var sb strings.Builder
	sb.WriteString(`{"lockfileVersion":3,"packages":{"":{"name":"x"}`)
	for i := range 2000 {
		fmt.Fprintf(&sb, `,"node_modules/pkg-%d":{"version":"1.0.%d","resolved":"https://registry.npmjs.org/pkg-%d/-/pkg-%d-1.0.%d.tgz","integrity":"sha512-AAAA"}`, i, i, i, i, i)
	}
	sb.WriteString(`}}`)
	files := []File{{Path: "package-lock.json", Data: []byte(sb.String())}}
	l := lists(b)
	b.ReportAllocs()
	b.SetBytes(int64(sb.Len()))
	for b.Loop() {
		if _, err := Collect(files, l, readAt); err != nil {
			b.Fatal(err)
		}
	}
}
