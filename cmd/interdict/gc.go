package main

import (
	"os"
	"runtime/debug"

	"github.com/interdict/interdict/internal/config/sysmem"
)

// serveGCPercent is the garbage collector's target for the commands that
// trace (serve, trace, exposure): a trace allocates its graph in exact big
// numbers and strings, and with Go's default of 100 the collector took a
// fifth of a 6-hop trace's time (1M-tx chain, haircut p99 120–124 ms at 100,
// 84–101 ms at 400; docs/benchmarks.md). The memory limit keeps the larger
// heap it allows from growing past half the machine.
const serveGCPercent = 400

// tuneGC applies serveGCPercent and a soft memory limit of half the
// machine's memory, unless GOGC or GOMEMLIMIT set them.
func tuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(serveGCPercent)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		if m := sysmem.Physical(); m > 0 {
			debug.SetMemoryLimit(m / 2)
		}
	}
}
