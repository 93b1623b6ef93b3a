package sysmem

import (
	"runtime"
	"testing"
)

func TestPhysical(t *testing.T) {
	m := Physical()
	if runtime.GOOS == "linux" && m < 256<<20 {
		t.Fatalf("Physical() = %d bytes on Linux, want at least 256 MB", m)
	}
}
