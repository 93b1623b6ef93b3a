package pebble

import (
	"runtime"
	"testing"

	"github.com/interdict/interdict/internal/config/sysmem"
)

// TestDefaultCacheBytes: a quarter of the machine's memory within
// [1 GB, 8 GB]; on Linux the memory is read from sysinfo.
func TestDefaultCacheBytes(t *testing.T) {
	got := DefaultOptions().CacheBytes
	if got < 1<<30 || got > 8<<30 {
		t.Fatalf("default block cache %d bytes, want within [1 GB, 8 GB]", got)
	}
	if runtime.GOOS == "linux" {
		mem := sysmem.Physical()
		if mem <= 0 {
			t.Fatal("physical memory unknown on Linux")
		}
		if want := min(max(mem/4, 1<<30), 8<<30); got != want {
			t.Errorf("default block cache %d, want %d (a quarter of %d)", got, want, mem)
		}
	}
}
